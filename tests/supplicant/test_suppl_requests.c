/*
 * tee-supplicant's server against malformed and hostile requests: each
 * gets a clear answer (BAD_PARAMETERS, NOT_SUPPORTED, BAD_STATE...) with
 * the request's id, nothing outside the directory is touched, and the
 * server keeps serving. The server runs in a thread on a socketpair.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shm.h"
#include "suppl_msg.h"
#include "suppl_server.h"
#include "test.h"
#include "wire.h"

struct server {
	int sv[2];
	int dirfd;
	char dir[256];
	struct suppl_server_cfg cfg;
	pthread_t thread;
	int end;
	struct shm_region shm;
	uint32_t id;
};

static void *server_main(void *arg)
{
	struct server *s = arg;

	s->end = suppl_serve(s->sv[1], &s->cfg);
	close(s->sv[1]);
	return NULL;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

/* Sends a raw request and returns the answer's payload length, or -1. */
static int call(struct server *s, uint32_t type, const void *p, size_t len,
		uint8_t *ans)
{
	struct ipc_msg m;
	uint32_t id = ++s->id;

	if (ipc_send(s->sv[0], type, id, p, len, NULL, 0))
		return -1;
	if (ipc_recv(s->sv[0], &m, ans, SUPPL_ANSWER_MAX + 64))
		return -1;
	if (m.hdr.type != SUPPL_MSG_ANSWER || m.hdr.id != id || m.nfds)
		return -1;
	return (int)m.hdr.len;
}

/* The result of a request given as wire fields. */
static uint32_t result_of(struct server *s, uint32_t type,
			  const struct wire_wr *w)
{
	uint8_t ans[SUPPL_ANSWER_MAX + 64];
	int n = call(s, type, w->buf, w->len, ans);

	return n >= 4 ? get_le32(ans) : 0xdeadbeef;
}

static bool server_start(struct server *s, bool with_shm)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "%s", test_tmpdir("suppl-req"));
	s->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY);
	s->cfg.dirfd = s->dirfd;
	s->cfg.stop_fd = -1;
	s->shm.fd = -1;
	if (s->dirfd < 0 || ipc_socketpair(s->sv))
		return false;
	if (pthread_create(&s->thread, NULL, server_main, s))
		return false;
	if (ipc_send_hello(s->sv[0], SUPPL_MAGIC, SUPPL_VERSION) ||
	    ipc_expect_hello(s->sv[0], SUPPL_MAGIC, SUPPL_VERSION))
		return false;
	if (with_shm) {
		uint8_t ans[SUPPL_ANSWER_MAX + 64];
		struct ipc_msg m;

		if (shm_create(&s->shm, "test", SUPPL_SHM_MIN) ||
		    ipc_send(s->sv[0], SUPPL_MSG_SHM, ++s->id, NULL, 0,
			     &s->shm.fd, 1) ||
		    ipc_recv(s->sv[0], &m, ans, sizeof(ans)) ||
		    get_le32(ans) != TEE_SUCCESS)
			return false;
	}
	return true;
}

static void server_stop(struct server *s)
{
	close(s->sv[0]);
	pthread_join(s->thread, NULL);
	CHECK_EQ(s->end, SUPPL_END_PEER);
	shm_destroy(&s->shm);
	close(s->dirfd);
	test_rmtree(s->dir);
}

static uint32_t fs_name(struct server *s, uint32_t cmd, const void *name,
			uint32_t len)
{
	uint8_t buf[256];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));

	wire_put_u32(&w, cmd);
	wire_put_u32(&w, len);
	wire_put_bytes(&w, name, len);
	return result_of(s, SUPPL_MSG_FS, &w);
}

static void test_hostile_names_refused(void)
{
	static const char *bad[] = {
	    "../escape",
	    "/etc/passwd",
	    "a/b",
	    "..",
	    ".",
	    "1f/..",
	    "DIRF.DB",
	    "dirf.db/",
	    "1f.",
	    "1f..x",
	    "1f.tmp.x",
	    "-1",
	    " 1",
	    "1 ",
	    "0123456789abcdef0",
	    "1f.0123456789abcdef0",
	    "g",
	    "corrupt-",
	    "corrupt-../x",
	    "corrupt-A1",
	    "corrupt-1f.tmp",
	};
	char longname[SUPPL_NAME_MAX + 2];
	struct server s;
	size_t i;
	struct stat st;
	char esc[300];

	REQUIRE(server_start(&s, true));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(fs_name(&s, SUPPL_FS_CREATE, bad[i], strlen(bad[i])),
			 TEE_ERROR_BAD_PARAMETERS);
		CHECK_EQ(fs_name(&s, SUPPL_FS_REMOVE, bad[i], strlen(bad[i])),
			 TEE_ERROR_BAD_PARAMETERS);
	}
	/* Empty, NUL inside, NUL at the end, too long. */
	CHECK_EQ(fs_name(&s, SUPPL_FS_CREATE, "", 0), TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(fs_name(&s, SUPPL_FS_CREATE, "1\0../x", 6),
		 TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(fs_name(&s, SUPPL_FS_CREATE, "1f", 3),
		 TEE_ERROR_BAD_PARAMETERS);
	memset(longname, 'a', sizeof(longname));
	CHECK_EQ(fs_name(&s, SUPPL_FS_CREATE, longname, SUPPL_NAME_MAX + 1),
		 TEE_ERROR_BAD_PARAMETERS);
	/* gpstore's quarantine names are served. */
	{
		static const char kept[] =
		    "corrupt-f4e750bb-1437-4fbf-8785-8d3580c34994-1f-2";

		CHECK_EQ(fs_name(&s, SUPPL_FS_REMOVE, kept, strlen(kept)),
			 TEE_ERROR_ITEM_NOT_FOUND);
	}
	/* Nothing appeared next to the directory. */
	snprintf(esc, sizeof(esc), "%s/../escape", s.dir);
	CHECK(stat(esc, &st) < 0 && errno == ENOENT);
	/* The names the secure side uses are served. */
	CHECK_EQ(fs_name(&s, SUPPL_FS_CREATE, "dirf.db", 7), TEE_SUCCESS);
	CHECK_EQ(fs_name(&s, SUPPL_FS_CREATE, "0", 1), TEE_SUCCESS);
	CHECK_EQ(fs_name(&s, SUPPL_FS_CREATE, "ffffffff", 8), TEE_SUCCESS);
	CHECK_EQ(fs_name(&s, SUPPL_FS_CREATE, "1f.tmp", 6), TEE_SUCCESS);
	server_stop(&s);
}

static void test_malformed_requests_refused(void)
{
	uint8_t buf[64], ans[SUPPL_ANSWER_MAX + 64];
	struct wire_wr w;
	struct server s;

	REQUIRE(server_start(&s, true));
	/* Unknown message type, unknown command. */
	w = wire_wr_init(buf, sizeof(buf));
	wire_put_u32(&w, 0);
	CHECK_EQ(result_of(&s, IPC_TYPE_SUPPL_BASE + 0x55, &w),
		 TEE_ERROR_NOT_SUPPORTED);
	w = wire_wr_init(buf, sizeof(buf));
	wire_put_u32(&w, 99);
	CHECK_EQ(result_of(&s, SUPPL_MSG_FS, &w), TEE_ERROR_NOT_SUPPORTED);
	/* Empty payload, truncated fields, trailing bytes. */
	w = wire_wr_init(buf, sizeof(buf));
	CHECK_EQ(result_of(&s, SUPPL_MSG_FS, &w), TEE_ERROR_BAD_PARAMETERS);
	wire_put_u32(&w, SUPPL_FS_CLOSE);
	wire_put_u16(&w, 1);
	CHECK_EQ(result_of(&s, SUPPL_MSG_FS, &w), TEE_ERROR_BAD_PARAMETERS);
	w = wire_wr_init(buf, sizeof(buf));
	wire_put_u32(&w, SUPPL_FS_OPEN);
	wire_put_u32(&w, 10);
	wire_put_bytes(&w, "abc", 3);
	CHECK_EQ(result_of(&s, SUPPL_MSG_FS, &w), TEE_ERROR_BAD_PARAMETERS);
	w = wire_wr_init(buf, sizeof(buf));
	wire_put_u32(&w, SUPPL_FS_CLOSE);
	wire_put_u32(&w, 0);
	wire_put_u32(&w, 0);
	CHECK_EQ(result_of(&s, SUPPL_MSG_FS, &w), TEE_ERROR_BAD_PARAMETERS);
	/* A frame shorter than a header is dropped; the server goes on. */
	CHECK_EQ(send(s.sv[0], buf, 5, 0), 5);
	w = wire_wr_init(buf, sizeof(buf));
	wire_put_u32(&w, SUPPL_FS_CLOSE);
	wire_put_u32(&w, 3);
	CHECK_EQ(result_of(&s, SUPPL_MSG_FS, &w), TEE_ERROR_BAD_PARAMETERS);
	/* An fd nobody asked for is closed and the request refused. */
	{
		int before = count_fds(), fd = open("/dev/null", O_RDONLY);
		struct ipc_msg m;

		CHECK_EQ(
		    ipc_send(s.sv[0], SUPPL_MSG_FS, 77, buf, w.len, &fd, 1), 0);
		close(fd);
		CHECK_EQ(ipc_recv(s.sv[0], &m, ans, sizeof(ans)), 0);
		CHECK_EQ(m.hdr.id, 77);
		CHECK_EQ(get_le32(ans), TEE_ERROR_BAD_PARAMETERS);
		CHECK_EQ(count_fds(), before);
	}
	server_stop(&s);
}

static void put_rw(struct wire_wr *w, uint32_t cmd, uint32_t h, uint64_t off,
		   uint32_t len, uint32_t shm_off)
{
	wire_put_u32(w, cmd);
	wire_put_u32(w, h);
	wire_put_u64(w, off);
	wire_put_u32(w, len);
	wire_put_u32(w, shm_off);
}

static void test_bad_ranges_and_handles_refused(void)
{
	uint8_t buf[SUPPL_FS_REQ_MAX + 64];
	struct wire_wr w;
	struct server s;
	uint32_t i;

	REQUIRE(server_start(&s, true));
	REQUIRE(fs_name(&s, SUPPL_FS_CREATE, "1", 1) == TEE_SUCCESS);
	/* Window ranges: past the end, wrapping around. */
	w = wire_wr_init(buf, sizeof(buf));
	put_rw(&w, SUPPL_FS_READ, 0, 0, 16, SUPPL_SHM_MIN - 8);
	CHECK_EQ(result_of(&s, SUPPL_MSG_FS, &w), TEE_ERROR_BAD_PARAMETERS);
	w = wire_wr_init(buf, sizeof(buf));
	put_rw(&w, SUPPL_FS_WRITE, 0, 0, 16, 0xFFFFFFF8u);
	CHECK_EQ(result_of(&s, SUPPL_MSG_FS, &w), TEE_ERROR_BAD_PARAMETERS);
	/* Handles never opened, out of range. */
	w = wire_wr_init(buf, sizeof(buf));
	put_rw(&w, SUPPL_FS_READ, 5, 0, 16, 0);
	CHECK_EQ(result_of(&s, SUPPL_MSG_FS, &w), TEE_ERROR_BAD_PARAMETERS);
	w = wire_wr_init(buf, sizeof(buf));
	put_rw(&w, SUPPL_FS_READ, 0xFFFFFFFFu, 0, 16, 0);
	CHECK_EQ(result_of(&s, SUPPL_MSG_FS, &w), TEE_ERROR_BAD_PARAMETERS);
	/* Offsets beyond off_t. */
	w = wire_wr_init(buf, sizeof(buf));
	put_rw(&w, SUPPL_FS_WRITE, 0, UINT64_MAX - 4, 16, 0);
	CHECK_EQ(result_of(&s, SUPPL_MSG_FS, &w), TEE_ERROR_BAD_PARAMETERS);
	/* SUBMIT: zero ops, too many, count and length disagree, bad type. */
	w = wire_wr_init(buf, sizeof(buf));
	wire_put_u32(&w, SUPPL_FS_SUBMIT);
	wire_put_u32(&w, 0);
	CHECK_EQ(result_of(&s, SUPPL_MSG_FS, &w), TEE_ERROR_BAD_PARAMETERS);
	w = wire_wr_init(buf, sizeof(buf));
	wire_put_u32(&w, SUPPL_FS_SUBMIT);
	wire_put_u32(&w, SUPPL_MAX_OPS + 1);
	for (i = 0; i < SUPPL_MAX_OPS; i++)
		put_rw(&w, SUPPL_OP_SYNC_DIR, 0, 0, 0, 0);
	CHECK(!w.overflow);
	CHECK_EQ(result_of(&s, SUPPL_MSG_FS, &w), TEE_ERROR_BAD_PARAMETERS);
	w = wire_wr_init(buf, sizeof(buf));
	wire_put_u32(&w, SUPPL_FS_SUBMIT);
	wire_put_u32(&w, 0x40000000u); /* count * 24 wraps 32 bits */
	put_rw(&w, SUPPL_OP_SYNC_DIR, 0, 0, 0, 0);
	CHECK_EQ(result_of(&s, SUPPL_MSG_FS, &w), TEE_ERROR_BAD_PARAMETERS);
	w = wire_wr_init(buf, sizeof(buf));
	wire_put_u32(&w, SUPPL_FS_SUBMIT);
	wire_put_u32(&w, 1);
	put_rw(&w, 9, 0, 0, 0, 0);
	CHECK_EQ(result_of(&s, SUPPL_MSG_FS, &w), TEE_ERROR_BAD_PARAMETERS);
	/* A well-formed SUBMIT on a bad handle: op 0 fails, shape kept. */
	{
		uint8_t ans[SUPPL_ANSWER_MAX + 64];
		int n;

		w = wire_wr_init(buf, sizeof(buf));
		wire_put_u32(&w, SUPPL_FS_SUBMIT);
		wire_put_u32(&w, 2);
		put_rw(&w, SUPPL_OP_SYNC_DIR, 0, 0, 0, 0);
		put_rw(&w, SUPPL_OP_SYNC, 200, 0, 0, 0);
		n = call(&s, SUPPL_MSG_FS, buf, w.len, ans);
		CHECK_EQ(n, 16);
		CHECK_EQ(get_le32(ans), TEE_ERROR_BAD_PARAMETERS);
		CHECK_EQ(get_le32(ans + 4), 1);
	}
	/* RENAME with overwrite not 0/1; RPMB without a device. */
	w = wire_wr_init(buf, sizeof(buf));
	wire_put_u32(&w, SUPPL_FS_RENAME);
	wire_put_u32(&w, 2);
	wire_put_u32(&w, 1);
	wire_put_u32(&w, 1);
	wire_put_bytes(&w, "12", 2);
	CHECK_EQ(result_of(&s, SUPPL_MSG_FS, &w), TEE_ERROR_BAD_PARAMETERS);
	w = wire_wr_init(buf, sizeof(buf));
	wire_put_u32(&w, SUPPL_RPMB_CMD_INFO);
	wire_put_u32(&w, 0);
	wire_put_u32(&w, 0);
	wire_put_u32(&w, 0);
	CHECK_EQ(result_of(&s, SUPPL_MSG_RPMB, &w), TEE_ERROR_NOT_SUPPORTED);
	w = wire_wr_init(buf, sizeof(buf));
	wire_put_u32(&w, SUPPL_RPMB_CMD_DATA);
	wire_put_u32(&w, 0);
	wire_put_u32(&w, SUPPL_SHM_MIN / 512);
	wire_put_u32(&w, 1);
	CHECK_EQ(result_of(&s, SUPPL_MSG_RPMB, &w), TEE_ERROR_BAD_PARAMETERS);
	server_stop(&s);
}

/*
 * A SUBMIT of contiguous READs (run as one preadv) across the end of the
 * file, one after a gap, and a run of SYNCs (one barrier): each done is
 * what a read of its own gives.
 */
static void test_submit_read_runs_and_sync_runs(void)
{
	uint8_t buf[SUPPL_FS_REQ_MAX + 64], ans[SUPPL_ANSWER_MAX + 64];
	static uint8_t data[6000];
	struct server s;
	struct wire_wr w;
	uint8_t *shm;
	uint32_t h;
	int fd, n;

	REQUIRE(server_start(&s, true));
	shm = s.shm.addr;
	test_fill_pattern(data, sizeof(data), 3);
	fd = openat(s.dirfd, "f", O_RDWR | O_CREAT, 0600);
	REQUIRE(fd >= 0);
	REQUIRE(write(fd, data, sizeof(data)) == (ssize_t)sizeof(data));
	close(fd);
	w = wire_wr_init(buf, sizeof(buf));
	wire_put_u32(&w, SUPPL_FS_OPEN);
	wire_put_u32(&w, 1);
	wire_put_bytes(&w, "f", 1);
	n = call(&s, SUPPL_MSG_FS, w.buf, w.len, ans);
	REQUIRE(n == 8 && get_le32(ans) == TEE_SUCCESS);
	h = get_le32(ans + 4);

	w = wire_wr_init(buf, sizeof(buf));
	wire_put_u32(&w, SUPPL_FS_SUBMIT);
	wire_put_u32(&w, 7);
	put_rw(&w, SUPPL_OP_READ, h, 0, 2048, 0);
	put_rw(&w, SUPPL_OP_READ, h, 2048, 2048, 2048);
	put_rw(&w, SUPPL_OP_READ, h, 4096, 2048, 4096); /* short: 1904 */
	put_rw(&w, SUPPL_OP_READ, h, 6144, 2048, 6144); /* past the end */
	put_rw(&w, SUPPL_OP_READ, h, 100, 50, 9000);	/* a new run */
	put_rw(&w, SUPPL_OP_SYNC, h, 0, 0, 0);
	put_rw(&w, SUPPL_OP_SYNC_DIR, 0, 0, 0, 0);
	n = call(&s, SUPPL_MSG_FS, w.buf, w.len, ans);
	CHECK_EQ(n, 8 + 7 * 4);
	CHECK_EQ(get_le32(ans), TEE_SUCCESS);
	CHECK_EQ(get_le32(ans + 4), 7);
	CHECK_EQ(get_le32(ans + 8), 2048);
	CHECK_EQ(get_le32(ans + 12), 2048);
	CHECK_EQ(get_le32(ans + 16), 1904);
	CHECK_EQ(get_le32(ans + 20), 0);
	CHECK_EQ(get_le32(ans + 24), 50);
	CHECK_EQ(get_le32(ans + 28), 0); /* SYNC, SYNC_DIR */
	CHECK_EQ(get_le32(ans + 32), 0);
	CHECK_MEM(shm, data, sizeof(data));
	CHECK_MEM(shm + 9000, data + 100, 50);
	server_stop(&s);
}

static void test_request_before_window_refused(void)
{
	struct server s;

	REQUIRE(server_start(&s, false));
	CHECK_EQ(fs_name(&s, SUPPL_FS_CREATE, "1", 1), TEE_ERROR_BAD_STATE);
	/* A window that is too small is refused. */
	{
		struct shm_region tiny;
		uint8_t ans[64];
		struct ipc_msg m;

		REQUIRE(shm_create(&tiny, "tiny", 4096) == 0);
		CHECK_EQ(
		    ipc_send(s.sv[0], SUPPL_MSG_SHM, 9, NULL, 0, &tiny.fd, 1),
		    0);
		CHECK_EQ(ipc_recv(s.sv[0], &m, ans, sizeof(ans)), 0);
		CHECK_EQ(get_le32(ans), TEE_ERROR_BAD_PARAMETERS);
		shm_destroy(&tiny);
	}
	CHECK_EQ(fs_name(&s, SUPPL_FS_CREATE, "1", 1), TEE_ERROR_BAD_STATE);
	server_stop(&s);
}

/* Symlinks and directories planted in the directory are not followed. */
static void test_planted_links_not_followed(void)
{
	char p[400];
	struct server s;

	REQUIRE(server_start(&s, true));
	snprintf(p, sizeof(p), "%s/1f", s.dir);
	REQUIRE(symlink("/etc/passwd", p) == 0);
	snprintf(p, sizeof(p), "%s/2", s.dir);
	REQUIRE(mkdir(p, 0700) == 0);
	CHECK_EQ(fs_name(&s, SUPPL_FS_OPEN, "1f", 2), TEE_ERROR_ACCESS_DENIED);
	CHECK_EQ(fs_name(&s, SUPPL_FS_CREATE, "1f", 2),
		 TEE_ERROR_ACCESS_DENIED);
	CHECK_EQ(fs_name(&s, SUPPL_FS_OPEN, "2", 1), TEE_ERROR_ACCESS_DENIED);
	server_stop(&s);
}

/* READDIR shows only names the secure side could have made. */
static void test_readdir_filters_and_ends(void)
{
	uint8_t buf[64], ans[SUPPL_ANSWER_MAX + 64];
	struct wire_wr w;
	struct server s;
	char p[400];
	int n, i, fd, names = 0;
	uint32_t h;

	REQUIRE(server_start(&s, true));
	REQUIRE(fs_name(&s, SUPPL_FS_CREATE, "dirf.db", 7) == TEE_SUCCESS);
	snprintf(p, sizeof(p), "%s/JUNK", s.dir);
	fd = open(p, O_CREAT | O_WRONLY, 0600);
	close(fd);
	w = wire_wr_init(buf, sizeof(buf));
	wire_put_u32(&w, SUPPL_FS_OPENDIR);
	wire_put_u32(&w, 0);
	n = call(&s, SUPPL_MSG_FS, buf, w.len, ans);
	REQUIRE(n == 8 && get_le32(ans) == TEE_SUCCESS);
	h = get_le32(ans + 4);
	for (i = 0; i < 5; i++) {
		w = wire_wr_init(buf, sizeof(buf));
		wire_put_u32(&w, SUPPL_FS_READDIR);
		wire_put_u32(&w, h);
		n = call(&s, SUPPL_MSG_FS, buf, w.len, ans);
		if (n < 4 || get_le32(ans) != TEE_SUCCESS)
			break;
		CHECK(n == 8 + 7 && !memcmp(ans + 8, "dirf.db", 7));
		names++;
	}
	CHECK_EQ(names, 1);
	CHECK_EQ(n, 4);
	CHECK_EQ(get_le32(ans), TEE_ERROR_ITEM_NOT_FOUND);
	/* Directory handles are bounded too. */
	for (i = 0; i < SUPPL_MAX_DIRS; i++) {
		w = wire_wr_init(buf, sizeof(buf));
		wire_put_u32(&w, SUPPL_FS_OPENDIR);
		wire_put_u32(&w, 0);
		n = call(&s, SUPPL_MSG_FS, buf, w.len, ans);
	}
	CHECK_EQ(get_le32(ans), TEE_ERROR_OUT_OF_MEMORY);
	server_stop(&s);
}

/* Every handle of a connection is closed when teed goes away. */
static void test_handles_closed_on_disconnect(void)
{
	int before = count_fds(), i;
	struct server s;

	REQUIRE(server_start(&s, true));
	for (i = 0; i < 20; i++)
		CHECK_EQ(fs_name(&s, SUPPL_FS_CREATE, "a", 1), TEE_SUCCESS);
	CHECK(count_fds() >= before + 20);
	server_stop(&s);
	CHECK_EQ(count_fds(), before);
}

int main(void)
{
	RUN(test_hostile_names_refused);
	RUN(test_malformed_requests_refused);
	RUN(test_bad_ranges_and_handles_refused);
	RUN(test_submit_read_runs_and_sync_runs);
	RUN(test_request_before_window_refused);
	RUN(test_planted_links_not_followed);
	RUN(test_readdir_filters_and_ends);
	RUN(test_handles_closed_on_disconnect);
	return test_report();
}
