/* Message framing: see ipc.h and docs/protocols.md. */
#include "ipc.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bytes.h"

static void encode_hdr(uint8_t out[IPC_HDR_SIZE], const struct ipc_hdr *h)
{
	put_le32(out, h->type);
	put_le32(out + 4, h->len);
	put_le32(out + 8, h->id);
	put_le32(out + 12, h->nfds);
}

static void decode_hdr(const uint8_t in[IPC_HDR_SIZE], struct ipc_hdr *h)
{
	h->type = get_le32(in);
	h->len = get_le32(in + 4);
	h->id = get_le32(in + 8);
	h->nfds = get_le32(in + 12);
}

int ipc_send(int sock, uint32_t type, uint32_t id, const void *payload,
	     size_t len, const int *fds, size_t nfds)
{
	uint8_t hdrbuf[IPC_HDR_SIZE];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * IPC_MAX_FDS)];
	} ctl;
	struct ipc_hdr h = { type, (uint32_t)len, id, (uint32_t)nfds };
	struct iovec iov[2] = {
		{ .iov_base = hdrbuf, .iov_len = IPC_HDR_SIZE },
		{ .iov_base = (void *)payload, .iov_len = len },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
	ssize_t n;

	if (len > IPC_MAX_PAYLOAD || nfds > IPC_MAX_FDS)
		return -EMSGSIZE;
	encode_hdr(hdrbuf, &h);
	if (nfds) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != IPC_HDR_SIZE + len)
		return -EIO; /* SEQPACKET sends whole records or fails */
	return 0;
}

/* Collects SCM_RIGHTS fds; returns the count, or -1 if they do not fit. */
static int take_fds(struct msghdr *mh, struct ipc_msg *msg)
{
	struct cmsghdr *c;
	int bad = 0;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t i, n;
		int fd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (msg->nfds < IPC_MAX_FDS)
				msg->fds[msg->nfds++] = fd;
			else {
				close(fd);
				bad = 1;
			}
		}
	}
	return bad ? -1 : (int)msg->nfds;
}

int ipc_recv(int sock, struct ipc_msg *msg, void *buf, size_t cap)
{
	uint8_t hdrbuf[IPC_HDR_SIZE];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * (IPC_MAX_FDS + 1))];
	} ctl;
	struct iovec iov[2] = {
		{ .iov_base = hdrbuf, .iov_len = IPC_HDR_SIZE },
		{ .iov_base = buf, .iov_len = cap },
	};
	struct msghdr mh = {
		.msg_iov = iov,
		.msg_iovlen = 2,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	ssize_t n;
	int nf;

	memset(msg, 0, sizeof(*msg));
	msg->payload = buf;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	nf = take_fds(&mh, msg);
	if (n == 0 && nf == 0)
		return -ECONNRESET;
	if (nf < 0 || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    n < IPC_HDR_SIZE)
		goto bad;
	decode_hdr(hdrbuf, &msg->hdr);
	if (msg->hdr.len != (size_t)n - IPC_HDR_SIZE ||
	    msg->hdr.nfds != msg->nfds)
		goto bad;
	return 0;
bad:
	ipc_msg_close_fds(msg);
	return -EBADMSG;
}

void ipc_msg_close_fds(struct ipc_msg *msg)
{
	size_t i;

	for (i = 0; i < msg->nfds; i++)
		close(msg->fds[i]);
	msg->nfds = 0;
}

int ipc_send_hello(int sock, uint32_t magic, uint32_t version)
{
	uint8_t p[8];

	put_le32(p, magic);
	put_le32(p + 4, version);
	return ipc_send(sock, IPC_TYPE_HELLO, 0, p, sizeof(p), NULL, 0);
}

int ipc_expect_hello(int sock, uint32_t magic, uint32_t version)
{
	uint8_t buf[64];
	struct ipc_msg m;
	int rc = ipc_recv(sock, &m, buf, sizeof(buf));

	if (rc)
		return rc;
	ipc_msg_close_fds(&m);
	if (m.hdr.type != IPC_TYPE_HELLO || m.hdr.len != 8 ||
	    get_le32(buf) != magic || get_le32(buf + 4) != version)
		return -EPROTO;
	return 0;
}

int ipc_socketpair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	return 0;
}
