/*
 * One message framing for every channel between teestore processes
 * (client <-> teed, TA <-> teed, teed <-> tee-supplicant), after OpenBSD's
 * imsg. Messages travel over AF_UNIX SOCK_SEQPACKET sockets, so one
 * sendmsg() is one message and boundaries are kept by the kernel.
 *
 * Wire format (docs/protocols.md): a 16-byte header of little-endian u32s
 *   type | len (payload bytes) | id (request id, echoed in replies) | nfds
 * then `len` payload bytes; `nfds` file descriptors ride along with
 * SCM_RIGHTS. Bulk data goes through shared memory (shm.h), never through
 * the payload, which is capped at IPC_MAX_PAYLOAD.
 *
 * Each channel defines its message types in its own header (ranges below)
 * and has exactly one decoder that validates a message completely (wire.h)
 * before anything else sees it.
 */
#ifndef TEESTORE_IPC_H
#define TEESTORE_IPC_H

#include <stddef.h>
#include <stdint.h>

#define IPC_HDR_SIZE    16
#define IPC_MAX_PAYLOAD (64 * 1024)
#define IPC_MAX_FDS     4

/* Message type ranges, one per channel. */
#define IPC_TYPE_HELLO       0x0001 /* first message on every channel */
#define IPC_TYPE_DRIVER_BASE 0x0100 /* client <-> teed (driver ABI) */
#define IPC_TYPE_TA_BASE     0x0200 /* TA process <-> teed ("syscalls") */
#define IPC_TYPE_SUPPL_BASE  0x0300 /* teed <-> tee-supplicant (RPC) */

struct ipc_hdr {
	uint32_t type;
	uint32_t len;
	uint32_t id;
	uint32_t nfds;
};

/*
 * A received message. payload points into the caller's buffer given to
 * ipc_recv(); fds are owned by the receiver, who must close or keep them.
 */
struct ipc_msg {
	struct ipc_hdr hdr;
	uint8_t *payload;
	int fds[IPC_MAX_FDS];
	size_t nfds;
};

/*
 * Sends one message. Returns 0 or -errno (-EMSGSIZE if len or nfds exceed
 * the limits). Retries on EINTR; never raises SIGPIPE.
 */
int ipc_send(int sock, uint32_t type, uint32_t id, const void *payload,
	     size_t len, const int *fds, size_t nfds);

/*
 * Receives one message into buf (cap bytes). Returns 0 on a message,
 * -ECONNRESET on end of stream, -EBADMSG for a malformed frame (short
 * header, length mismatch, truncated payload or fds, too many fds: any
 * fds received are closed), or another -errno. Retries on EINTR.
 */
int ipc_recv(int sock, struct ipc_msg *msg, void *buf, size_t cap);

/* Closes every fd still held by msg and sets nfds to 0. */
void ipc_msg_close_fds(struct ipc_msg *msg);

/*
 * The first exchange on a channel: each side sends HELLO with its channel
 * magic and protocol version; a mismatch ends the connection.
 */
int ipc_send_hello(int sock, uint32_t magic, uint32_t version);
/* Returns 0, -EPROTO on a wrong magic/version, or another -errno. */
int ipc_expect_hello(int sock, uint32_t magic, uint32_t version);

/* Creates a connected SOCK_SEQPACKET pair (close-on-exec). */
int ipc_socketpair(int sv[2]);

#endif
