/*
 * A test double of the TA side (core/ta_iface.h) linked into teed_double:
 * a few fake TAs that run in teed's process, so libteec, the driver ABI
 * and teed's client side can be tested before (and independently of) the
 * real TA side. Its commands are listed here for the tests.
 */
#ifndef TEESTORE_TA_DOUBLE_H
#define TEESTORE_TA_DOUBLE_H

/* The echo TA: every command below. */
#define DBL_UUID_ECHO                                                          \
	{                                                                      \
		0x6e7a9a1c, 0x0001, 0x4c6a,                                    \
		{                                                              \
			0x9e, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01         \
		}                                                              \
	}
/* Refuses every session: TEE_ERROR_ACCESS_DENIED from the TA. */
#define DBL_UUID_REFUSE                                                        \
	{                                                                      \
		0x6e7a9a1c, 0x0001, 0x4c6a,                                    \
		{                                                              \
			0x9e, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02         \
		}                                                              \
	}
/* No TA has this UUID. */
#define DBL_UUID_NONE                                                          \
	{                                                                      \
		0x6e7a9a1c, 0x0001, 0x4c6a,                                    \
		{                                                              \
			0x9e, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff         \
		}                                                              \
	}

/*
 * Opening the echo TA with p0 VALUE_INPUT b == DBL_OPEN_WAIT waits up to
 * a ms for a cancellation (then TEE_ERROR_CANCEL from the TA), as a TA's
 * open entry point in TEE_Wait would.
 */
#define DBL_OPEN_WAIT 0x0be7a17U

enum dbl_cmd {
	DBL_CMD_EMPTY = 0,
	/*
	 * VALUE_INPUT/INOUT and MEMREF_INPUT/INOUT feed acc (a + b; each
	 * byte; each size); then VALUE_OUTPUT = (0x1000 + i, acc),
	 * VALUE_INOUT = (a + 1, b + 2), MEMREF_OUTPUT filled with 0xA0 + i,
	 * MEMREF_INOUT bytes inverted. Also what OpenSession does.
	 */
	DBL_CMD_PARAMS = 1,
	/* p0 MEMREF_OUTPUT, p1 VALUE_INPUT a = bytes needed. */
	DBL_CMD_SHORT = 2,
	/* p0 VALUE_INPUT a = timeout ms; TEE_ERROR_CANCEL when cancelled. */
	DBL_CMD_WAIT_CANCEL = 3,
	/*
	 * p0 VALUE_OUTPUT (double sessions, clients), p1 VALUE_OUTPUT (shm
	 * objects, driver sessions).
	 */
	DBL_CMD_STATS = 4,
	/* p0 (login, uid), p1 (gid, pid), p2 MEMREF_OUTPUT 16 B uuid (BE). */
	DBL_CMD_IDENTITY = 5,
	/* TEE_ERROR_TARGET_DEAD, origin TEE (as a dead TA instance). */
	DBL_CMD_DEAD = 6,
	/* p0 MEMREF_INPUT; p1 VALUE_OUTPUT a = 64-bit word sum (low 32). */
	DBL_CMD_SUM = 7,
	/*
	 * p0 MEMREF_INOUT: waits (up to 5 s) until byte 0 becomes non-zero
	 * in the shared memory, then sets byte 1 to 0x55: only live shared
	 * memory (no copy) can pass.
	 */
	DBL_CMD_WAIT_BYTE = 8,
};

#endif
