/*
 * Hostile clients: hand-built driver frames sent to teed_double (bad
 * sizes, unknown types, foreign ids, missing or wrong fds, wrong
 * versions, broken framing, random garbage). Each gets an error reply or
 * its connection closed; teed stays up and serves the next client.
 * Usage: test_driver_msgs TEED_DOUBLE
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bytes.h"
#include "driver_msg.h"
#include "ipc.h"
#include "ta_double.h"
#include "tee_api_defines.h"
#include "teed_proc.h"
#include "test.h"
#include "wire.h"

static struct teed_proc teed;

static int dial(void)
{
	struct sockaddr_un a;
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	struct timeval tv = {10, 0};

	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	if (strlen(teed.socket) >= sizeof(a.sun_path))
		return -1;
	memcpy(a.sun_path, teed.socket, strlen(teed.socket));
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		if (s >= 0)
			close(s);
		return -1;
	}
	/* A test must fail, not hang, if teed stops answering. */
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return s;
}

/* A connection past the HELLO exchange. */
static int connect_hello(void)
{
	int s = dial();

	if (s < 0)
		return -1;
	if (ipc_expect_hello(s, DRV_MAGIC, DRV_VERSION) ||
	    ipc_send_hello(s, DRV_MAGIC, DRV_VERSION)) {
		close(s);
		return -1;
	}
	return s;
}

/* Sends a request, returns the reply's status (ret) or -errno. */
static int64_t roundtrip(int s, uint32_t type, const void *p, size_t len,
			 const int *fds, size_t nfds, struct ipc_msg *m,
			 uint8_t *buf)
{
	int rc = ipc_send(s, type, 42, p, len, fds, nfds);

	if (rc)
		return rc;
	rc = ipc_recv(s, m, buf, IPC_MAX_PAYLOAD);
	if (rc)
		return rc;
	if (m->hdr.id != 42 || m->hdr.len < 8)
		return -EPROTO;
	return get_le32(m->payload);
}

static void put_param(struct wire_wr *w, uint32_t attr, uint64_t a, uint64_t b,
		      uint64_t c)
{
	wire_put_u32(w, attr);
	wire_put_u32(w, 0);
	wire_put_u64(w, a);
	wire_put_u64(w, b);
	wire_put_u64(w, c);
}

/* Opens an echo session on s; returns its id or 0. */
static uint32_t open_session(int s)
{
	static const uint8_t echo[16] = {0x6e, 0x7a, 0x9a, 0x1c, 0x00, 0x01,
					 0x4c, 0x6a, 0x9e, 0x1c, 0,    0,
					 0,    0,    0,	   0x01};
	uint8_t p[DRV_REQ_OPEN_LEN], buf[IPC_MAX_PAYLOAD];
	struct wire_wr w = wire_wr_init(p, sizeof(p));
	struct ipc_msg m;
	int i;

	wire_put_bytes(&w, echo, 16);
	for (i = 0; i < 4; i++)
		wire_put_u32(&w, 0);
	for (i = 0; i < 4; i++)
		put_param(&w, 0, 0, 0, 0);
	if (roundtrip(s, DRV_MSG_OPEN_SESSION, p, w.len, NULL, 0, &m, buf))
		return 0;
	return m.hdr.type == (DRV_MSG_OPEN_SESSION | DRV_REPLY) &&
		       m.hdr.len == DRV_REP_CALL_LEN
		   ? get_le32(m.payload + 8)
		   : 0;
}

/* An INVOKE with one parameter; returns its status. */
static int64_t invoke1(int s, uint32_t session, uint32_t attr, uint64_t a,
		       uint64_t b, uint64_t c, const int *fds, size_t nfds)
{
	uint8_t p[DRV_REQ_INVOKE_LEN], buf[IPC_MAX_PAYLOAD];
	struct wire_wr w = wire_wr_init(p, sizeof(p));
	struct ipc_msg m;
	int64_t r;
	int i;

	wire_put_u32(&w, session);
	wire_put_u32(&w, DBL_CMD_PARAMS);
	wire_put_u32(&w, 1);
	wire_put_u32(&w, 0);
	put_param(&w, attr, a, b, c);
	for (i = 1; i < 4; i++)
		put_param(&w, 0, 0, 0, 0);
	r = roundtrip(s, DRV_MSG_INVOKE, p, w.len, fds, nfds, &m, buf);
	ipc_msg_close_fds(&m);
	return r;
}

/* True when the peer closed the connection. */
static bool closed_by_peer(int s)
{
	uint8_t buf[64];
	struct ipc_msg m;
	int rc = ipc_recv(s, &m, buf, sizeof(buf));

	ipc_msg_close_fds(&m);
	return rc == -ECONNRESET;
}

static bool teed_serves(void)
{
	uint8_t buf[IPC_MAX_PAYLOAD];
	struct ipc_msg m;
	int s = connect_hello();
	bool ok;

	if (s < 0)
		return false;
	ok = roundtrip(s, DRV_MSG_VERSION, NULL, 0, NULL, 0, &m, buf) == 0 &&
	     m.hdr.len == DRV_REP_VERSION_LEN &&
	     get_le32(m.payload + 8) == DRV_IMPL_ID;
	close(s);
	return ok;
}

static void test_wrong_version_closes(void)
{
	int s = dial();

	REQUIRE(s >= 0);
	CHECK_EQ(ipc_expect_hello(s, DRV_MAGIC, DRV_VERSION), 0);
	CHECK_EQ(ipc_send_hello(s, DRV_MAGIC, DRV_VERSION + 1), 0);
	CHECK(closed_by_peer(s));
	close(s);
	s = dial();
	REQUIRE(s >= 0);
	CHECK_EQ(ipc_expect_hello(s, DRV_MAGIC, DRV_VERSION), 0);
	/* A request instead of HELLO. */
	CHECK_EQ(ipc_send(s, DRV_MSG_VERSION, 1, NULL, 0, NULL, 0), 0);
	CHECK(closed_by_peer(s));
	close(s);
	CHECK(teed_serves());
}

static void test_bad_sizes_and_types(void)
{
	uint8_t p[64] = {0}, buf[IPC_MAX_PAYLOAD];
	struct ipc_msg m;
	int s = connect_hello();

	REQUIRE(s >= 0);
	/* VERSION carries no payload. */
	CHECK_EQ(roundtrip(s, DRV_MSG_VERSION, p, 4, NULL, 0, &m, buf),
		 TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(m.hdr.type, DRV_MSG_VERSION | DRV_REPLY);
	CHECK_EQ(get_le32(m.payload + 4), TEE_ORIGIN_COMMS);
	/* Short and long INVOKE, short OPEN, long CLOSE. */
	CHECK_EQ(roundtrip(s, DRV_MSG_INVOKE, p, 16, NULL, 0, &m, buf),
		 TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(roundtrip(s, DRV_MSG_OPEN_SESSION, p, 60, NULL, 0, &m, buf),
		 TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(roundtrip(s, DRV_MSG_CLOSE_SESSION, p, 12, NULL, 0, &m, buf),
		 TEE_ERROR_BAD_PARAMETERS);
	/* SHM_ALLOC of 0 bytes, and with unknown flags. */
	CHECK_EQ(roundtrip(s, DRV_MSG_SHM_ALLOC, p, 16, NULL, 0, &m, buf),
		 TEE_ERROR_BAD_PARAMETERS);
	put_le64(p, 4096);
	put_le32(p + 8, 0x80);
	CHECK_EQ(roundtrip(s, DRV_MSG_SHM_ALLOC, p, 16, NULL, 0, &m, buf),
		 TEE_ERROR_BAD_PARAMETERS);
	/* Unknown types, including HELLO after the handshake. */
	CHECK_EQ(roundtrip(s, 0x1234, p, 8, NULL, 0, &m, buf),
		 TEE_ERROR_NOT_SUPPORTED);
	CHECK_EQ(m.hdr.type, DRV_MSG_ERROR);
	CHECK_EQ(roundtrip(s, IPC_TYPE_HELLO, p, 8, NULL, 0, &m, buf),
		 TEE_ERROR_NOT_SUPPORTED);
	CHECK_EQ(
	    roundtrip(s, DRV_MSG_INVOKE | DRV_REPLY, p, 8, NULL, 0, &m, buf),
	    TEE_ERROR_NOT_SUPPORTED);
	/* Still the same connection, still working. */
	CHECK_EQ(roundtrip(s, DRV_MSG_VERSION, NULL, 0, NULL, 0, &m, buf), 0);
	close(s);
}

static void test_bad_params(void)
{
	int s = connect_hello(), fd = memfd_create("t", MFD_ALLOW_SEALING);
	uint32_t sid;

	REQUIRE(s >= 0 && fd >= 0);
	REQUIRE(ftruncate(fd, 4096) == 0);
	sid = open_session(s);
	REQUIRE(sid != 0);
	CHECK_EQ(invoke1(s, sid, TEE_PARAM_TYPE_VALUE_INPUT, 1, 2, 0, NULL, 0),
		 0);
	/* A value above 32 bits, c set on a value, an unknown type. */
	CHECK_EQ(invoke1(s, sid, TEE_PARAM_TYPE_VALUE_INPUT, 1ull << 32, 0, 0,
			 NULL, 0),
		 TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(invoke1(s, sid, TEE_PARAM_TYPE_VALUE_INPUT, 1, 1, 9, NULL, 0),
		 TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(invoke1(s, sid, 4, 0, 0, 0, NULL, 0),
		 TEE_ERROR_BAD_PARAMETERS);
	/* offset + size wrapping, NULL flag with an offset. */
	CHECK_EQ(invoke1(s, sid, TEE_PARAM_TYPE_MEMREF_INPUT | DRV_PARAM_FD,
			 UINT64_MAX, 2, 0, &fd, 1),
		 TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(invoke1(s, sid, TEE_PARAM_TYPE_MEMREF_INPUT | DRV_PARAM_NULL,
			 8, 0, 0, NULL, 0),
		 TEE_ERROR_BAD_PARAMETERS);
	/* fd index without an fd; an fd no parameter uses. */
	CHECK_EQ(invoke1(s, sid, TEE_PARAM_TYPE_MEMREF_INPUT | DRV_PARAM_FD, 0,
			 16, 0, NULL, 0),
		 TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(invoke1(s, sid, TEE_PARAM_TYPE_VALUE_INPUT, 0, 0, 0, &fd, 1),
		 TEE_ERROR_BAD_PARAMETERS);
	/* A memfd without F_SEAL_SHRINK could be truncated under the TA. */
	CHECK_EQ(invoke1(s, sid, TEE_PARAM_TYPE_MEMREF_INPUT | DRV_PARAM_FD, 0,
			 16, 0, &fd, 1),
		 TEE_ERROR_BAD_PARAMETERS);
	REQUIRE(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) == 0);
	CHECK_EQ(invoke1(s, sid, TEE_PARAM_TYPE_MEMREF_INPUT | DRV_PARAM_FD, 0,
			 16, 0, &fd, 1),
		 0);
	/* The memref must fit in the fd. */
	CHECK_EQ(invoke1(s, sid, TEE_PARAM_TYPE_MEMREF_INPUT | DRV_PARAM_FD,
			 4000, 100, 0, &fd, 1),
		 TEE_ERROR_BAD_PARAMETERS);
	/* Unknown session and unknown shm ids. */
	CHECK_EQ(invoke1(s, sid + 1000, 0, 0, 0, 0, NULL, 0),
		 TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(
	    invoke1(s, sid, TEE_PARAM_TYPE_MEMREF_INPUT, 0, 1, 999999, NULL, 0),
	    TEE_ERROR_BAD_PARAMETERS);
	close(fd);
	close(s);
}

static void test_shm_register_needs_sealed_memfd(void)
{
	uint8_t p[16], buf[IPC_MAX_PAYLOAD];
	struct ipc_msg m;
	int s = connect_hello(), pfd[2];
	int fd = memfd_create("t", MFD_ALLOW_SEALING);

	REQUIRE(s >= 0 && fd >= 0 && pipe(pfd) == 0);
	REQUIRE(ftruncate(fd, 8192) == 0);
	put_le64(p, 8192);
	put_le32(p + 8, 3);
	put_le32(p + 12, 0);
	/* Missing fd; a pipe; an unsealed memfd; then a good one. */
	CHECK_EQ(roundtrip(s, DRV_MSG_SHM_REGISTER, p, 16, NULL, 0, &m, buf),
		 TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(roundtrip(s, DRV_MSG_SHM_REGISTER, p, 16, pfd, 1, &m, buf),
		 TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(roundtrip(s, DRV_MSG_SHM_REGISTER, p, 16, &fd, 1, &m, buf),
		 TEE_ERROR_BAD_PARAMETERS);
	REQUIRE(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) == 0);
	/* Claiming more than the memfd holds. */
	put_le64(p, 8193);
	CHECK_EQ(roundtrip(s, DRV_MSG_SHM_REGISTER, p, 16, &fd, 1, &m, buf),
		 TEE_ERROR_BAD_PARAMETERS);
	put_le64(p, 8192);
	CHECK_EQ(roundtrip(s, DRV_MSG_SHM_REGISTER, p, 16, &fd, 1, &m, buf), 0);
	CHECK_EQ(m.hdr.len, DRV_REP_SHM_REG_LEN);
	/* Release twice: the second is an unknown id. */
	put_le32(p, get_le32(m.payload + 8));
	put_le32(p + 4, 0);
	CHECK_EQ(roundtrip(s, DRV_MSG_SHM_RELEASE, p, 8, NULL, 0, &m, buf), 0);
	CHECK_EQ(roundtrip(s, DRV_MSG_SHM_RELEASE, p, 8, NULL, 0, &m, buf),
		 TEE_ERROR_BAD_PARAMETERS);
	close(pfd[0]);
	close(pfd[1]);
	close(fd);
	close(s);
}

/* Ids of one connection mean nothing on another. */
static void test_foreign_ids(void)
{
	uint8_t p[16], buf[IPC_MAX_PAYLOAD];
	struct ipc_msg m;
	int a = connect_hello(), b = connect_hello();
	uint32_t sid, shm_id;

	REQUIRE(a >= 0 && b >= 0);
	sid = open_session(a);
	REQUIRE(sid);
	put_le64(p, 4096);
	put_le32(p + 8, 3);
	put_le32(p + 12, 0);
	REQUIRE(roundtrip(a, DRV_MSG_SHM_ALLOC, p, 16, NULL, 0, &m, buf) == 0);
	CHECK_EQ(m.nfds, 1);
	ipc_msg_close_fds(&m);
	shm_id = get_le32(m.payload + 8);
	CHECK(open_session(b) != 0);
	CHECK_EQ(invoke1(b, sid, 0, 0, 0, 0, NULL, 0),
		 TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(invoke1(a, sid, TEE_PARAM_TYPE_MEMREF_INPUT, 0, 16, shm_id,
			 NULL, 0),
		 0);
	/* b's own session, a's shm id. */
	CHECK_EQ(invoke1(b, open_session(b), TEE_PARAM_TYPE_MEMREF_INPUT, 0, 16,
			 shm_id, NULL, 0),
		 TEE_ERROR_BAD_PARAMETERS);
	put_le32(p, shm_id);
	put_le32(p + 4, 0);
	CHECK_EQ(roundtrip(b, DRV_MSG_SHM_RELEASE, p, 8, NULL, 0, &m, buf),
		 TEE_ERROR_BAD_PARAMETERS);
	put_le32(p, sid);
	CHECK_EQ(roundtrip(b, DRV_MSG_CLOSE_SESSION, p, 8, NULL, 0, &m, buf),
		 TEE_ERROR_BAD_PARAMETERS);
	/* a's session survived all that. */
	CHECK_EQ(invoke1(a, sid, 0, 0, 0, 0, NULL, 0), 0);
	close(a);
	close(b);
}

static void test_broken_framing_closes(void)
{
	uint8_t raw[400] = {0};
	int s = connect_hello();

	REQUIRE(s >= 0);
	CHECK_EQ(send(s, raw, 6, 0), 6); /* shorter than a header */
	CHECK(closed_by_peer(s));
	close(s);
	s = connect_hello();
	REQUIRE(s >= 0);
	put_le32(raw, DRV_MSG_INVOKE);
	put_le32(raw + 4, 1000); /* claims more than it carries */
	CHECK_EQ(send(s, raw, 40, 0), 40);
	CHECK(closed_by_peer(s));
	close(s);
	s = connect_hello();
	REQUIRE(s >= 0);
	/* Larger than any driver message. */
	CHECK_EQ(ipc_send(s, DRV_MSG_INVOKE, 1, raw, 300, NULL, 0), 0);
	CHECK(closed_by_peer(s));
	close(s);
	CHECK(teed_serves());
}

static void test_random_frames(void)
{
	uint64_t seed = 0x5eed;
	uint8_t p[DRV_MAX_MSG], buf[IPC_MAX_PAYLOAD];
	struct ipc_msg m;
	int s = connect_hello(), i, answered = 0, fd;

	REQUIRE(s >= 0);
	fd = memfd_create("t", 0);
	for (i = 0; i < 2000 && s >= 0; i++) {
		uint32_t type =
		    DRV_MSG_VERSION + (uint32_t)(test_rand(&seed) % 9);
		size_t len = test_rand(&seed) % (DRV_REQ_OPEN_LEN + 8), j;
		size_t nfds = test_rand(&seed) % 4 == 0;
		int64_t r;

		for (j = 0; j < len; j++) /* mostly small numbers */
			p[j] =
			    (uint8_t)(test_rand(&seed) % 5 ? 0
							   : test_rand(&seed));
		if (type == DRV_MSG_VERSION + 8)
			type = (uint32_t)test_rand(&seed);
		/* Blocking waits in the double would only slow us down. */
		if (type == DRV_MSG_INVOKE && len >= 8)
			put_le32(p + 4, DBL_CMD_PARAMS);
		r = roundtrip(s, type, p, len, &fd, nfds, &m, buf);
		ipc_msg_close_fds(&m);
		if (r >= 0) {
			answered++;
		} else {
			close(s);
			s = connect_hello();
		}
	}
	CHECK(answered > 1500);
	if (s >= 0)
		close(s);
	close(fd);
	CHECK(teed_serves());
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s TEED_DOUBLE\n", argv[0]);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (teed_proc_start(&teed, argv[1], "client-msgs", NULL)) {
		fprintf(stderr, "cannot start %s\n", argv[1]);
		return 1;
	}
	RUN(test_wrong_version_closes);
	RUN(test_bad_sizes_and_types);
	RUN(test_bad_params);
	RUN(test_shm_register_needs_sealed_memfd);
	RUN(test_foreign_ids);
	RUN(test_broken_framing_closes);
	RUN(test_random_frames);
	CHECK(teed_proc_alive(&teed));
	CHECK(teed_serves());
	CHECK_EQ(teed_proc_stop(&teed), 0);
	return test_report();
}
