/*
 * The driver ABI between client applications (libteec) and teed: the
 * analogue of Linux's TEE ioctls (TEE_IOC_VERSION, SHM_ALLOC, SHM_REGISTER,
 * OPEN_SESSION, INVOKE, CANCEL, CLOSE_SESSION) carried in the common ipc
 * framing (ipc.h) over an AF_UNIX SOCK_SEQPACKET socket. The full
 * description, with every layout and error, is docs/protocol-driver.md;
 * this header holds the numbers both sides share.
 *
 * Connection: the client connects; teed sends HELLO (DRV_MAGIC,
 * DRV_VERSION); the client answers HELLO with the same pair; a mismatch
 * closes the connection. Then the client sends requests; each gets exactly
 * one reply of type (request type | DRV_REPLY) carrying the request's id.
 * A request teed cannot parse gets DRV_MSG_ERROR (or the connection is
 * closed when the frame itself is broken).
 *
 * All payload fields are little-endian (wire.h). Every reply starts with
 * u32 ret (TEE_Result), u32 origin (TEE_ORIGIN_*).
 *
 *   VERSION        req: -
 *                  rep: ret, origin, u32 impl_id, u32 gen_caps,
 *                       u32 max_sessions, u32 rsvd, u64 max_shm_call,
 *                       u64 max_shm_client
 *   SHM_ALLOC      req: u64 size, u32 flags, u32 rsvd
 *                  rep: ret, origin, u32 shm_id, u32 rsvd, u64 size;
 *                       + 1 fd (the memfd, size-sealed) on success
 *   SHM_REGISTER   req: u64 size, u32 flags, u32 rsvd; + 1 fd (a memfd
 *                       of at least size bytes carrying F_SEAL_SHRINK)
 *                  rep: ret, origin, u32 shm_id, u32 rsvd
 *   SHM_RELEASE    req: u32 shm_id, u32 rsvd          rep: ret, origin
 *   OPEN_SESSION   req: u8 uuid[16] (RFC 4122 byte order), u32 login,
 *                       u32 login_gid, u32 cancel_id, u32 rsvd,
 *                       4 x param; + up to 4 fds (temporary memrefs)
 *                  rep: ret, origin, u32 session, u32 rsvd, 4 x out param
 *   INVOKE         req: u32 session, u32 func, u32 cancel_id, u32 rsvd,
 *                       4 x param; + up to 4 fds
 *                  rep: as OPEN_SESSION
 *   CANCEL         req: u32 session, u32 cancel_id     rep: ret, origin
 *   CLOSE_SESSION  req: u32 session, u32 rsvd          rep: ret, origin
 *
 * param (32 bytes): u32 attr, u32 rsvd, u64 a, u64 b, u64 c
 *   attr & DRV_PARAM_TYPE_MASK is a TEE_PARAM_TYPE_* value.
 *   VALUE_*:  a, b (each < 2^32), c = 0.
 *   MEMREF_*: a = offset, b = size, c = shm id; with DRV_PARAM_FD, c is
 *             the index of one of the message's fds (a temporary memref,
 *             each fd used by exactly one param); with DRV_PARAM_NULL,
 *             a null memref of size b (a = c = 0).
 * out param (16 bytes): u64 a, u64 b: VALUE_* a, b; MEMREF_* b = the size
 *   the TA set (possibly larger than given, with SHORT_BUFFER).
 * Reserved fields must be zero.
 */
#ifndef TEESTORE_DRIVER_MSG_H
#define TEESTORE_DRIVER_MSG_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ipc.h"

#define DRV_MAGIC   0x64454554u /* "TEEd" */
#define DRV_VERSION 1u

#define DRV_IMPL_ID 0x74736574u /* "test": teestore */

/* gen_caps bits, as Linux's TEE_GEN_CAP_*. */
#define DRV_GEN_CAP_GP		(1u << 0)
#define DRV_GEN_CAP_REG_MEM	(1u << 2)
#define DRV_GEN_CAP_MEMREF_NULL (1u << 3)

enum drv_msg_type {
	DRV_MSG_VERSION = IPC_TYPE_DRIVER_BASE + 1,
	DRV_MSG_SHM_ALLOC = IPC_TYPE_DRIVER_BASE + 2,
	DRV_MSG_SHM_REGISTER = IPC_TYPE_DRIVER_BASE + 3,
	DRV_MSG_SHM_RELEASE = IPC_TYPE_DRIVER_BASE + 4,
	DRV_MSG_OPEN_SESSION = IPC_TYPE_DRIVER_BASE + 5,
	DRV_MSG_INVOKE = IPC_TYPE_DRIVER_BASE + 6,
	DRV_MSG_CANCEL = IPC_TYPE_DRIVER_BASE + 7,
	DRV_MSG_CLOSE_SESSION = IPC_TYPE_DRIVER_BASE + 8,
	/* Reply to a request whose type teed does not know. */
	DRV_MSG_ERROR = IPC_TYPE_DRIVER_BASE + 0xff,
};

#define DRV_REPLY 0x80u

#define DRV_PARAM_TYPE_MASK 0xffu
#define DRV_PARAM_FD	    0x100u /* c is an fd index of the message */
#define DRV_PARAM_NULL	    0x200u /* a null memref */

#define DRV_PARAM_SIZE	   32
#define DRV_OUT_PARAM_SIZE 16
#define DRV_NUM_PARAMS	   4

/* Exact payload sizes. */
#define DRV_REQ_VERSION_LEN   0
#define DRV_REQ_SHM_LEN	      16 /* ALLOC and REGISTER */
#define DRV_REQ_RELEASE_LEN   8
#define DRV_REQ_OPEN_LEN      (32 + DRV_NUM_PARAMS * DRV_PARAM_SIZE)
#define DRV_REQ_INVOKE_LEN    (16 + DRV_NUM_PARAMS * DRV_PARAM_SIZE)
#define DRV_REQ_CANCEL_LEN    8
#define DRV_REQ_CLOSE_LEN     8
#define DRV_REP_STATUS_LEN    8
#define DRV_REP_VERSION_LEN   40
#define DRV_REP_SHM_ALLOC_LEN 24
#define DRV_REP_SHM_REG_LEN   16
#define DRV_REP_CALL_LEN      (16 + DRV_NUM_PARAMS * DRV_OUT_PARAM_SIZE)

/* Largest message either side sends on this channel. */
#define DRV_MAX_MSG 256

/*
 * The default socket path when neither TEEC_InitializeContext's name nor
 * TEESTORE_SOCKET names one: $XDG_RUNTIME_DIR/teestore.sock, else
 * /tmp/teestore-<uid>.sock. Returns 0, or -1 if it does not fit.
 */
static inline int drv_default_socket_path(char *buf, size_t cap)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (xdg && xdg[0] == '/')
		n = snprintf(buf, cap, "%s/teestore.sock", xdg);
	else
		n = snprintf(buf, cap, "/tmp/teestore-%u.sock",
			     (unsigned)getuid());
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

#endif
