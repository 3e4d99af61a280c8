/*
 * The storage benchmark TA (bench/stack/ta/) and its client bench_stack:
 * commands in the spirit of OP-TEE's xtest 1001-1003 storage benchmark.
 * Every TEE_WriteObjectData is its own atomic, durable commit.
 */
#ifndef BENCH_STACK_TA_H
#define BENCH_STACK_TA_H

#define BENCH_STACK_TA_UUID                                                    \
	{                                                                      \
		0xb3c5e7a1, 0x57ac, 0x4b0e,                                    \
		{                                                              \
			0x9e, 0x1c, 0x62, 0x65, 0x6e, 0x63, 0x68, 0x73         \
		}                                                              \
	}

/*
 * WRITE: [0] value a = object size, b = chunk size; [1] value a = object
 * number, b = 0: create (OVERWRITE) and write, 1: open and overwrite
 * (rewrite); [2] optional MEMREF_INPUT: the chunk's bytes come from the
 * client's shared memory (at least one chunk) instead of the TA's heap.
 */
#define BENCH_CMD_WRITE 0
/* READ: [0] value a = object size, b = chunk size; [1] value a = object. */
#define BENCH_CMD_READ 1
/*
 * COMMITS: [0] value a = number of 1 KiB overwrites at offset 0, each a
 * durable commit; [1] value a = object (created if missing).
 */
#define BENCH_CMD_COMMITS 2
/* DELETE: [1] value a = object (missing: success). */
#define BENCH_CMD_DELETE 3

#define BENCH_MAX_CHUNK	    (1024 * 1024)     /* from the TA's heap */
#define BENCH_MAX_SHM_CHUNK (4 * 1024 * 1024) /* from the client's memref */

#endif
