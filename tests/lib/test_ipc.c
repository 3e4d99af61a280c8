/* Framing, cursors, shared memory and UUID helpers of lib/. */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipc.h"
#include "shm.h"
#include "test.h"
#include "uuid.h"
#include "wire.h"

static void test_ipc_roundtrip_with_fd(void)
{
	int sv[2], pfd[2];
	uint8_t buf[IPC_MAX_PAYLOAD];
	struct ipc_msg m;

	REQUIRE(ipc_socketpair(sv) == 0);
	REQUIRE(pipe(pfd) == 0);
	CHECK_EQ(ipc_send(sv[0], 0x301, 77, "hello", 5, &pfd[1], 1), 0);
	CHECK_EQ(ipc_recv(sv[1], &m, buf, sizeof(buf)), 0);
	CHECK_EQ(m.hdr.type, 0x301);
	CHECK_EQ(m.hdr.id, 77);
	CHECK_EQ(m.hdr.len, 5);
	CHECK_MEM(m.payload, "hello", 5);
	CHECK_EQ(m.nfds, 1);
	/* The passed fd is a working duplicate of the pipe's write end. */
	CHECK_EQ(write(m.fds[0], "x", 1), 1);
	ipc_msg_close_fds(&m);
	close(sv[0]);
	CHECK_EQ(ipc_recv(sv[1], &m, buf, sizeof(buf)), -ECONNRESET);
	close(sv[1]);
	close(pfd[0]);
	close(pfd[1]);
}

static void test_ipc_rejects_bad_frames(void)
{
	int sv[2];
	uint8_t buf[64], raw[20] = { 0 };
	struct ipc_msg m;

	REQUIRE(ipc_socketpair(sv) == 0);
	/* Shorter than a header. */
	CHECK_EQ(send(sv[0], raw, 8, 0), 8);
	CHECK_EQ(ipc_recv(sv[1], &m, buf, sizeof(buf)), -EBADMSG);
	/* Header claims 100 payload bytes, 4 arrive. */
	put_le32(raw + 4, 100);
	CHECK_EQ(send(sv[0], raw, 20, 0), 20);
	CHECK_EQ(ipc_recv(sv[1], &m, buf, sizeof(buf)), -EBADMSG);
	/* Header claims an fd that is not there. */
	put_le32(raw + 4, 4);
	put_le32(raw + 12, 1);
	CHECK_EQ(send(sv[0], raw, 20, 0), 20);
	CHECK_EQ(ipc_recv(sv[1], &m, buf, sizeof(buf)), -EBADMSG);
	/* Payload larger than the receiver's buffer. */
	CHECK_EQ(ipc_send(sv[0], 1, 1, buf, 64, NULL, 0), 0);
	CHECK_EQ(ipc_recv(sv[1], &m, buf, 32), -EBADMSG);
	/* Oversized sends are refused before they reach the socket. */
	CHECK_EQ(ipc_send(sv[0], 1, 1, buf, IPC_MAX_PAYLOAD + 1, NULL, 0),
		 -EMSGSIZE);
	close(sv[0]);
	close(sv[1]);
}

static void test_ipc_hello_version_mismatch(void)
{
	int sv[2];

	REQUIRE(ipc_socketpair(sv) == 0);
	CHECK_EQ(ipc_send_hello(sv[0], 0x54454531, 1), 0);
	CHECK_EQ(ipc_expect_hello(sv[1], 0x54454531, 1), 0);
	CHECK_EQ(ipc_send_hello(sv[0], 0x54454531, 2), 0);
	CHECK_EQ(ipc_expect_hello(sv[1], 0x54454531, 1), -EPROTO);
	close(sv[0]);
	close(sv[1]);
}

static void test_wire_cursor_detects_short_and_trailing(void)
{
	uint8_t buf[12];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));
	struct wire_rd r;

	wire_put_u32(&w, 0xdeadbeef);
	wire_put_u64(&w, 0x0102030405060708ULL);
	CHECK(!w.overflow);
	wire_put_u16(&w, 1);
	CHECK(w.overflow);

	r = wire_rd_init(buf, 12);
	CHECK_EQ(wire_get_u32(&r), 0xdeadbeef);
	CHECK_EQ(wire_get_u64(&r), 0x0102030405060708ULL);
	CHECK(wire_rd_done(&r));
	r = wire_rd_init(buf, 12);
	CHECK_EQ(wire_get_u32(&r), 0xdeadbeef);
	CHECK(!wire_rd_done(&r)); /* 8 bytes left over */
	r = wire_rd_init(buf, 10);
	wire_get_u32(&r);
	CHECK_EQ(wire_get_u64(&r), 0);
	CHECK(!wire_rd_done(&r));
}

static void test_shm_size_comes_from_fd(void)
{
	struct shm_region a, b;

	REQUIRE(shm_create(&a, "t", 8192) == 0);
	memcpy(a.addr, "shared", 6);
	REQUIRE(shm_map_fd(&b, dup(a.fd), 4096, 1 << 20) == 0);
	CHECK_EQ(b.size, 8192);
	CHECK_MEM(b.addr, "shared", 6);
	shm_destroy(&b);
	CHECK_EQ(shm_map_fd(&b, dup(a.fd), 16384, 1 << 20), -EINVAL);
	CHECK_EQ(shm_map_fd(&b, dup(a.fd), 0, 4096), -EINVAL);
	shm_destroy(&a);
}

static void test_uuid_text_and_octets(void)
{
	TEE_UUID u;
	char s[UUID_STR_LEN + 1];
	uint8_t o[16];
	static const uint8_t expect[16] = { 0xbb, 0x50, 0xe7, 0xf4, 0x37, 0x14,
					    0xbf, 0x4f, 0x87, 0x85, 0x8d, 0x35,
					    0x80, 0xc3, 0x49, 0x94 };

	REQUIRE(uuid_parse("f4e750bb-1437-4fbf-8785-8d3580c34994", &u));
	CHECK_EQ(u.timeLow, 0xf4e750bb);
	CHECK_EQ(u.timeMid, 0x1437);
	CHECK_EQ(u.timeHiAndVersion, 0x4fbf);
	uuid_format(&u, s);
	CHECK(strcmp(s, "f4e750bb-1437-4fbf-8785-8d3580c34994") == 0);
	uuid_to_octets(&u, o);
	CHECK_MEM(o, expect, 16);
	CHECK(!uuid_parse("f4e750bb-1437-4fbf-8785-8d3580c3499", &u));
	CHECK(!uuid_parse("f4e750bb_1437-4fbf-8785-8d3580c34994", &u));
	CHECK(!uuid_parse("g4e750bb-1437-4fbf-8785-8d3580c34994", &u));
}

int main(void)
{
	RUN(test_ipc_roundtrip_with_fd);
	RUN(test_ipc_rejects_bad_frames);
	RUN(test_ipc_hello_version_mismatch);
	RUN(test_wire_cursor_detects_short_and_trailing);
	RUN(test_shm_size_comes_from_fd);
	RUN(test_uuid_text_and_octets);
	return test_report();
}
