/*
 * The test TAs of tests/ta/: UUIDs and command IDs, shared by the TAs and
 * by the programs that drive them (tests/ta/ through ta_iface.h, and the
 * client part's end-to-end tests through libteec). The TAs are all built
 * from test_ta/test_ta.c; they differ in their header (variants/):
 *
 *   hello      no flags (one instance per session), stack 64 KiB, heap 64 KiB
 *   single     SINGLE_INSTANCE: a second session gets TEE_ERROR_BUSY
 *   multi      SINGLE_INSTANCE | MULTI_SESSION: sessions share an instance,
 *              calls are served one at a time
 *   keepalive  SINGLE_INSTANCE | MULTI_SESSION | INSTANCE_KEEP_ALIVE
 *   small      stack 16 KiB, heap 16 KiB (limits)
 *
 * Every session unmasks cancellation in OpenSession (OP-TEE starts masked).
 */
#ifndef TEST_TA_IDS_H
#define TEST_TA_IDS_H

#define TEST_TA_UUID(n)                                                        \
	{                                                                      \
		0x5a7e0000 + (n), 0x7e57, 0x4a11,                              \
		{                                                              \
			0x80, 0x00, 0x74, 0x65, 0x73, 0x74, 0x74, 0x61         \
		}                                                              \
	}
#define TEST_TA_HELLO_UUID	   TEST_TA_UUID(1)
#define TEST_TA_SINGLE_UUID	   TEST_TA_UUID(2)
#define TEST_TA_MULTI_UUID	   TEST_TA_UUID(3)
#define TEST_TA_KEEPALIVE_UUID	   TEST_TA_UUID(4)
#define TEST_TA_SMALL_UUID	   TEST_TA_UUID(5)
#define TEST_TA_HELLO_UUID_STR	   "5a7e0001-7e57-4a11-8000-746573747461"
#define TEST_TA_SINGLE_UUID_STR	   "5a7e0002-7e57-4a11-8000-746573747461"
#define TEST_TA_MULTI_UUID_STR	   "5a7e0003-7e57-4a11-8000-746573747461"
#define TEST_TA_KEEPALIVE_UUID_STR "5a7e0004-7e57-4a11-8000-746573747461"
#define TEST_TA_SMALL_UUID_STR	   "5a7e0005-7e57-4a11-8000-746573747461"

/* Commands (params listed p0..p3; unlisted ones must be NONE). */
enum test_ta_cmd {
	/* p0 VALUE_INOUT: a += 1 (hello world). */
	TEST_CMD_INC_VALUE = 0,
	/*
	 * p0 MEMREF_INPUT, p1 MEMREF_OUTPUT: copies p0 into p1. If p1 is too
	 * small: TEE_ERROR_SHORT_BUFFER with p1.size = the size needed.
	 */
	TEST_CMD_ECHO = 1,
	/*
	 * p0 MEMREF_INOUT, p1 VALUE_INPUT a = byte, p2 VALUE_OUTPUT: fills
	 * p0 with the byte in place; p2 = the address the TA sees (a low,
	 * b high 32 bits), equal across calls while the mapping is cached.
	 */
	TEST_CMD_FILL = 2,
	/* TEE_Panic(0xdead). */
	TEST_CMD_PANIC = 3,
	/* Writes through a NULL pointer (SIGSEGV). */
	TEST_CMD_CRASH = 4,
	/*
	 * p0 VALUE_OUTPUT: a = bytes TEE_Malloc gave in 1 KiB blocks before
	 * it failed, b = 1 if TEE_Malloc(0) returned non-NULL. All freed.
	 */
	TEST_CMD_HEAP_PROBE = 5,
	/* Allocates until TEE_Malloc fails, then panics (OUT_OF_MEMORY). */
	TEST_CMD_HEAP_EXHAUST = 6,
	/*
	 * p0 VALUE_OUTPUT: a = errno of open("/etc/hostname") (0 if it
	 * opened), b = errno of socket(AF_UNIX); p1 VALUE_OUTPUT: a = errno
	 * of fork() (0 if it forked), b = errno of open("/etc/passwd") in
	 * the TA's ELF constructor, while it was being loaded (0 if it
	 * opened). Sandbox proof.
	 */
	TEST_CMD_SANDBOX = 7,
	/* p0 VALUE_INPUT a = ms: returns TEE_Wait(a). */
	TEST_CMD_WAIT = 8,
	/*
	 * p0 VALUE_INPUT a = ms: polls TEE_GetCancellationFlag (sleeping
	 * with cancellation masked) for up to a ms; TEE_ERROR_CANCEL as soon
	 * as it is set, TEE_SUCCESS if it never is.
	 */
	TEST_CMD_CANCEL_FLAG = 9,
	/* p0 VALUE_INPUT a = bytes of stack to use (1 KiB frames). */
	TEST_CMD_STACK = 10,
	/*
	 * p0 VALUE_OUTPUT a = gpd.ta.dataSize, b = gpd.ta.singleInstance;
	 * p1 MEMREF_OUTPUT gpd.tee.apiversion (string); p2 VALUE_OUTPUT a =
	 * client login, b = 1 if gpd.ta.appID is the TA's UUID; p3
	 * VALUE_OUTPUT a = number of TA properties enumerated, b = 1 if the
	 * extension property "test.ta.answer" (u32) reads 42.
	 */
	TEST_CMD_PROPS = 11,
	/* p0 VALUE_OUTPUT a = ++instance counter (shared by its sessions). */
	TEST_CMD_COUNTER = 12,
	/*
	 * p0 VALUE_INPUT a = ms: marks the instance busy, waits, unmarks;
	 * TEE_ERROR_BAD_STATE if another call was inside at the same time.
	 */
	TEST_CMD_EXCLUSIVE = 13,
	/*
	 * p0 MEMREF_INOUT: TEE_CheckMemoryAccessRights is ACCESS_DENIED on
	 * it without ANY_OWNER, SUCCESS with it, SUCCESS on a heap buffer
	 * and on the stack, ACCESS_DENIED for write on the TA's code.
	 * TEE_SUCCESS if all hold, else TEE_ERROR_GENERIC.
	 */
	TEST_CMD_MEM_ACCESS = 14,
	/*
	 * p0 MEMREF_OUTPUT: random bytes; p1 VALUE_OUTPUT a = system time
	 * seconds, b = REE time seconds.
	 */
	TEST_CMD_RANDOM_TIME = 15,
	/*
	 * The TA's libc heap (ta_devkit/src/ta_libc_heap.c). p0 VALUE_OUTPUT:
	 * a = bytes malloc gave in 1 KiB blocks before it returned NULL (all
	 * freed), b = checks passed as bits: 1 calloc overflow is NULL, 2
	 * calloc zeroes, 4 realloc keeps the bytes, 8 free of libc's strdup
	 * works, 16 TEE_Free of malloc's block works, 32 malloc and
	 * TEE_Malloc worked in an ELF constructor (during the load), 64
	 * reallocarray keeps the bytes and refuses an overflow.
	 */
	TEST_CMD_MALLOC_PROBE = 16,
};

#define TEST_PANIC_CODE 0xdeadU
/* Open with p0 VALUE_INPUT a = TEST_OPEN_WAIT: the open entry point
 * unmasks cancellation and returns TEE_Wait(b ms). */
#define TEST_OPEN_WAIT 0x3a17U

#endif
