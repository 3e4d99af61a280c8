/*
 * The teed <-> tee-supplicant protocol (docs/protocol-supplicant.md): the
 * analogue of OP-TEE's TEE_IOC_SUPPL_RECV / TEE_IOC_SUPPL_SEND, carried in
 * the common ipc framing (ipc.h). teed asks, the supplicant answers; the
 * supplicant never speaks first.
 *
 * Connection: the supplicant connects to teed's supplicant socket; both
 * send HELLO (SUPPL_MAGIC, SUPPL_VERSION); teed sends SUPPL_MSG_SHM with a
 * memfd (the bulk-data window for this connection) and the supplicant
 * answers it. Then teed sends requests, each answered by SUPPL_MSG_ANSWER
 * carrying the request's id.
 *
 * Every payload is a sequence of little-endian fields (wire.h). Requests
 * (type SUPPL_MSG_FS) start with u32 cmd; the layouts per cmd:
 *
 *   OPEN, CREATE, REMOVE, OPENDIR   u32 namelen, name[namelen] (no NUL)
 *   CLOSE, CLOSEDIR, READDIR,
 *   READDIR_BULK                    u32 handle
 *   READ, WRITE                     u32 fh, u64 off, u32 len, u32 shm_off
 *   TRUNCATE                        u32 fh, u64 length
 *   RENAME                          u32 overwrite, u32 fromlen, u32 tolen,
 *                                   from[fromlen], to[tolen]
 *   SUBMIT                          u32 nops, nops x op descriptor:
 *                                   u32 type, u32 fh, u64 off, u32 len,
 *                                   u32 shm_off
 *
 * Answers start with u32 result (a TEE_Result); when it is TEE_SUCCESS
 * they go on with:
 *
 *   OPEN, CREATE, OPENDIR           u32 handle
 *   READ                            u32 done (bytes placed at shm_off)
 *   READDIR                         u32 namelen, name[namelen]
 *   READDIR_BULK                    u32 count, u32 used: count NUL-ended
 *                                   names in shm [0, used); count 0 = end
 *   others                          nothing
 *
 * A failed answer is the result alone, except SUBMIT, whose answer always
 * has the same shape: u32 result, u32 completed (ops 0..completed-1 took
 * effect), then nops x u32 done (bytes read for READ ops, 0 otherwise).
 *
 * SUPPL_MSG_RPMB: u32 cmd, u32 dev_id, u32 nreq, u32 nresp. Request frames
 * in shm [0, nreq*512), response frames written at [nreq*512,
 * (nreq+nresp)*512). Answer: u32 result; for SUPPL_RPMB_CMD_INFO followed by
 * the 19-byte device info (cid[16], rpmb_size_mult, rel_wr_sec_c,
 * ret_code), as OP-TEE's legacy RPMB RPC returns it.
 */
#ifndef TEESTORE_SUPPL_MSG_H
#define TEESTORE_SUPPL_MSG_H

#include "ipc.h"

#define SUPPL_MAGIC   0x50555354u /* "TSUP" */
#define SUPPL_VERSION 1u

enum suppl_msg_type {
	SUPPL_MSG_SHM = IPC_TYPE_SUPPL_BASE + 1,  /* fd: the memfd window */
	SUPPL_MSG_FS = IPC_TYPE_SUPPL_BASE + 2,	  /* OPTEE_RPC_CMD_FS */
	SUPPL_MSG_RPMB = IPC_TYPE_SUPPL_BASE + 3, /* OPTEE_RPC_CMD_RPMB */
	SUPPL_MSG_ANSWER = IPC_TYPE_SUPPL_BASE + 0x80,
};

/* OP-TEE's FS RPC numbers (optee_rpc_cmd.h), then teestore's own. */
enum suppl_fs_cmd {
	SUPPL_FS_OPEN = 0,
	SUPPL_FS_CREATE = 1,
	SUPPL_FS_CLOSE = 2,
	SUPPL_FS_READ = 3,
	SUPPL_FS_WRITE = 4,
	SUPPL_FS_TRUNCATE = 5,
	SUPPL_FS_REMOVE = 6,
	SUPPL_FS_RENAME = 7,
	SUPPL_FS_OPENDIR = 8,
	SUPPL_FS_CLOSEDIR = 9,
	SUPPL_FS_READDIR = 10,
	SUPPL_FS_SUBMIT = 0x100,       /* a batch of ops, one round trip */
	SUPPL_FS_READDIR_BULK = 0x101, /* many names per round trip */
};

/* Op types inside SUBMIT: the same numbers as backend.h's BACKEND_OP_*. */
enum suppl_op_type {
	SUPPL_OP_READ = 1,
	SUPPL_OP_WRITE = 2,
	SUPPL_OP_TRUNCATE = 3, /* off = new length */
	SUPPL_OP_SYNC = 4,     /* fdatasync(fh): the data barrier */
	SUPPL_OP_SYNC_DIR = 5, /* fsync(root dir): the namespace barrier */
};

#define SUPPL_RPMB_CMD_DATA 0 /* frames in, frames out */
#define SUPPL_RPMB_CMD_INFO 1 /* device info out */
#define SUPPL_RPMB_FRAME    512
#define SUPPL_RPMB_INFO_LEN 19

#define SUPPL_NAME_MAX	   64	/* = BACKEND_NAME_MAX */
#define SUPPL_MAX_OPS	   1024 /* ops per SUBMIT */
#define SUPPL_OP_DESC_SIZE 24
#define SUPPL_MAX_HANDLES  256 /* open files per connection */
#define SUPPL_MAX_DIRS	   4   /* open directory handles per connection */

/* The shared-memory window: teed chooses, the supplicant accepts within. */
#define SUPPL_SHM_MIN	  (64 * 1024)
#define SUPPL_SHM_DEFAULT (4 * 1024 * 1024)
#define SUPPL_SHM_MAX	  (64 * 1024 * 1024)

/* Payload bounds the decoders check against. */
#define SUPPL_FS_REQ_MAX (8 + SUPPL_MAX_OPS * SUPPL_OP_DESC_SIZE)
#define SUPPL_ANSWER_MAX (8 + SUPPL_MAX_OPS * 4)

#endif
