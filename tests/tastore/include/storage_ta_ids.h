/*
 * The storage test TAs (tests/tastore/): UUIDs and commands, shared by the
 * TA (ta/storage_ta.c) and the conformance test (test_tastore.c). One
 * source, three headers:
 *   a      no flags (one instance per session), heap 4 MiB
 *   b      the same code under another UUID (isolation between TAs)
 *   multi  SINGLE_INSTANCE | MULTI_SESSION (sessions share an instance)
 *
 * Parameters of every command (the TA checks the types it uses):
 *   p0 VALUE_INOUT  a, b: the command's main arguments (handles, IDs...)
 *   p1 MEMREF       object ID, data or an output buffer
 *   p2 VALUE_INPUT  a, b: more arguments (ID mode, offsets...)
 *   p3 VALUE_INOUT  a, b: in: sizes/seeds; out: handles, counts
 * Handles travel as values, as in real TAs.
 */
#ifndef STORAGE_TA_IDS_H
#define STORAGE_TA_IDS_H

#define STORAGE_TA_UUID(n)                                                     \
	{                                                                      \
		0x5a7e5700 + (n), 0x7e57, 0x4a11,                              \
		{                                                              \
			0x80, 0x00, 0x73, 0x74, 0x6f, 0x72, 0x61, 0x67         \
		}                                                              \
	}
#define STORAGE_TA_A_UUID     STORAGE_TA_UUID(1)
#define STORAGE_TA_B_UUID     STORAGE_TA_UUID(2)
#define STORAGE_TA_MULTI_UUID STORAGE_TA_UUID(3)

/* How OPEN / CREATE / RENAME pass the object ID (p2.a low byte). */
#define ST_ID_COPY   0 /* copied from p1 into the TA heap */
#define ST_ID_SHM    1 /* p1's buffer itself: client shared memory (panic) */
#define ST_ID_NULL   2 /* NULL, length 0 */
#define ST_ID_LONG   3 /* 65 bytes from the heap (panic) */
#define ST_NO_HANDLE 0x100 /* CREATE: object NULL (closed after creation) */

enum storage_ta_cmd {
	ST_CMD_OPEN = 1, /* p0 a storage b flags, p1 id, p2 a mode -> p3 a */
	ST_CMD_CREATE,	 /* + p2 b attributes handle, p3 a data len b seed */
	ST_CMD_CLOSE,	 /* p0 a handle */
	ST_CMD_CLOSE_DELETE, /* p0 a handle, b 1: deprecated void form */
	ST_CMD_RENAME,	     /* p0 a handle, p1 new id, p2 a mode */
	ST_CMD_READ,	     /* p0 a handle, p1 out buffer -> p3 a count */
	ST_CMD_WRITE,	     /* p0 a handle, p1 data */
	ST_CMD_TRUNCATE,     /* p0 a handle, p2 a size */
	ST_CMD_SEEK,	     /* p0 a handle b whence, p2 a lo b hi (int64) */
	ST_CMD_INFO,	     /* p0 a handle b 1: deprecated; p1 out 7 x u32 */
	ST_CMD_RESTRICT,     /* p0 a handle b usage */
	ST_CMD_GET_BUF_ATTR, /* p0 a handle b id, p1 out (size: needed) */
	ST_CMD_GET_VAL_ATTR, /* p0 a handle b id -> p3 a, b */
	ST_CMD_ENUM_ALLOC,   /* -> p3 a */
	ST_CMD_ENUM_FREE,    /* p0 a */
	ST_CMD_ENUM_RESET,   /* p0 a */
	ST_CMD_ENUM_START,   /* p0 a enum b storage */
	ST_CMD_ENUM_NEXT,    /* p0 a enum, p2 a 1: want info; p1 out id ->
				p3 a objectType b dataSize */
	ST_CMD_ALLOC_TRANSIENT, /* p0 a type b max size -> p3 a */
	ST_CMD_FREE_TRANSIENT,	/* p0 a */
	ST_CMD_RESET_TRANSIENT, /* p0 a */
	ST_CMD_POPULATE,	/* p0 a handle b attr id, p1 key, p2 a count */
	ST_CMD_GENERATE_KEY,	/* p0 a handle b bits */
	ST_CMD_COPY_ATTRS,	/* p0 a dest b src */
	ST_CMD_DIGEST,		/* p0 a alg b split, p1 data in (p2 a bytes),
				   hash out; p3 a hashLen offered first -> p3
				   a first DoFinal's result b its hashLen */
	ST_CMD_BIG_WRITE,	/* p0 a handle b size, p2 a seed: one call */
	ST_CMD_BIG_READ,	/* p0 a handle b size, p2 a seed: one call ->
				   p3 a count b 1 if the pattern matched */
	ST_CMD_PROP,		/* -> p3 a antiRollback.protectionLevel */
	ST_CMD_PANIC_BOGUS,	/* p0 a handle value b function (ST_BOGUS_*) */
	ST_CMD_DIGEST_INFO, /* p0 a alg -> p3 a digestLength b handleState */
};

/* ST_CMD_PANIC_BOGUS: the function given a bogus handle. */
enum {
	ST_BOGUS_CLOSE = 0,
	ST_BOGUS_READ,
	ST_BOGUS_INFO,
	ST_BOGUS_FREE_TRANSIENT,
	ST_BOGUS_ENUM_START,
	ST_BOGUS_SEEK_TRANSIENT, /* a live transient handle where a
				    persistent one is required */
	ST_BOGUS_DIGEST,
};

#endif
