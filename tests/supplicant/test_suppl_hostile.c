/*
 * teed's side against a hostile supplicant: a fake supplicant (a thread
 * speaking the protocol) gives one malformed or lying answer per case.
 * Every case must end in a clear error (COMMUNICATION, or
 * STORAGE_NOT_AVAILABLE for silence), never a crash, a hang or data that
 * was not asked for, and must cut the supplicant off.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "shm.h"
#include "suppl_link.h"
#include "suppl_msg.h"
#include "test.h"
#include "wire.h"

enum lie {
	LIE_NONE,
	LIE_READ_TOO_LONG,	/* READ done > asked */
	LIE_WRONG_ID,		/* answer to another request */
	LIE_EMPTY_ANSWER,	/* no result at all */
	LIE_OPEN_EXTRA_BYTES,	/* OPEN answer longer than its layout */
	LIE_HANDLE_RANGE,	/* OPEN handle out of range */
	LIE_UNKNOWN_RESULT,	/* a result code no file service has */
	LIE_CLAIMS_CORRUPT,	/* CORRUPT_OBJECT is the engine's verdict */
	LIE_COMPLETED_TOO_MANY, /* completed > nops */
	LIE_SUCCESS_INCOMPLETE, /* SUCCESS with completed < nops */
	LIE_DONE_ON_WRITE,	/* done != 0 on a WRITE op */
	LIE_SILENCE,		/* never answers */
	LIE_WRONG_TYPE,		/* answer of another message type */
	LIE_ANSWER_WITH_FD,	/* an fd nobody asked for */
	LIE_NAME_NO_NUL,	/* directory chunk without a NUL */
	LIE_NAME_TRAVERSAL,	/* directory chunk naming "../x" */
	LIE_USED_TOO_BIG,	/* directory chunk larger than asked */
	LIE_RPMB_SHORT_INFO,	/* device info of 10 bytes */
	LIE_ERROR_WITH_PAYLOAD, /* an error followed by bytes */
	LIE_SUBMIT_SHORT,	/* SUBMIT answer missing its dones */
};

struct fake {
	const char *path;
	enum lie lie;
	bool lie_on_open; /* false: OPEN/CREATE are answered honestly */
	pthread_t thread;
	struct shm_region shm;
};

static int fake_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (s >= 0)
			close(s);
		return -1;
	}
	return s;
}

/* The honest answer to an FS request, as the lie leaves it. */
static void answer_fs(struct fake *f, const uint8_t *p, size_t len,
		      struct wire_wr *w)
{
	struct wire_rd r = wire_rd_init(p, len);
	uint32_t cmd = wire_get_u32(&r), n, i;

	switch (cmd) {
	case SUPPL_FS_OPEN:
	case SUPPL_FS_CREATE:
	case SUPPL_FS_OPENDIR:
		wire_put_u32(w, TEE_SUCCESS);
		wire_put_u32(w, f->lie == LIE_HANDLE_RANGE ? SUPPL_MAX_HANDLES
							   : 0);
		if (f->lie == LIE_OPEN_EXTRA_BYTES)
			wire_put_u32(w, 0);
		return;
	case SUPPL_FS_READDIR_BULK: {
		uint8_t *shm = f->shm.addr;
		const char *names =
		    f->lie == LIE_NAME_TRAVERSAL ? "1\0../x" : "1\0abc";

		memcpy(shm, names, 6);
		if (f->lie == LIE_NAME_NO_NUL)
			shm[5] = 'd';
		wire_put_u32(w, TEE_SUCCESS);
		wire_put_u32(w, 2);
		wire_put_u32(w, f->lie == LIE_USED_TOO_BIG ? 1u << 30 : 6);
		return;
	}
	case SUPPL_FS_SUBMIT:
		n = wire_get_u32(&r);
		wire_put_u32(w, f->lie == LIE_UNKNOWN_RESULT ? 0x12345678u
				: f->lie == LIE_CLAIMS_CORRUPT
				    ? TEE_ERROR_CORRUPT_OBJECT
				    : TEE_SUCCESS);
		wire_put_u32(w, f->lie == LIE_COMPLETED_TOO_MANY   ? n + 1
				: f->lie == LIE_SUCCESS_INCOMPLETE ? n - 1
								   : n);
		if (f->lie == LIE_SUBMIT_SHORT)
			return;
		for (i = 0; i < n && i < SUPPL_MAX_OPS; i++) {
			uint32_t type = wire_get_u32(&r), l;

			wire_get_u32(&r);
			wire_get_u64(&r);
			l = wire_get_u32(&r);
			wire_get_u32(&r);
			memset(f->shm.addr, 0xAB, f->shm.size);
			if (type == SUPPL_OP_READ)
				wire_put_u32(w, f->lie == LIE_READ_TOO_LONG
						    ? l + 16
						    : l);
			else
				wire_put_u32(w, f->lie == LIE_DONE_ON_WRITE);
		}
		return;
	default:
		wire_put_u32(w, f->lie == LIE_ERROR_WITH_PAYLOAD
				    ? TEE_ERROR_ITEM_NOT_FOUND
				    : TEE_SUCCESS);
		if (f->lie == LIE_ERROR_WITH_PAYLOAD)
			wire_put_u32(w, 0);
		return;
	}
}

static void answer_lie(struct fake *f, int s, const struct ipc_msg *m,
		       uint32_t type, uint32_t id, int fd);

static void answer(struct fake *f, int s, const struct ipc_msg *m)
{
	uint32_t type = SUPPL_MSG_ANSWER, id = m->hdr.id;
	enum lie saved = f->lie;
	uint32_t cmd = m->hdr.len >= 4 ? get_le32(m->payload) : ~0u;
	int fd = -1;

	if (m->hdr.type == SUPPL_MSG_FS && !f->lie_on_open &&
	    (cmd == SUPPL_FS_OPEN || cmd == SUPPL_FS_CREATE))
		f->lie = LIE_NONE;
	answer_lie(f, s, m, type, id, fd);
	f->lie = saved;
}

static void answer_lie(struct fake *f, int s, const struct ipc_msg *m,
		       uint32_t type, uint32_t id, int fd)
{
	uint8_t out[SUPPL_ANSWER_MAX + 64];
	struct wire_wr w = wire_wr_init(out, sizeof(out));

	if (f->lie == LIE_SILENCE)
		return;
	if (m->hdr.type == SUPPL_MSG_RPMB) {
		wire_put_u32(&w, TEE_SUCCESS);
		wire_put_bytes(&w, "0123456789abcdefghi",
			       f->lie == LIE_RPMB_SHORT_INFO ? 10 : 19);
	} else if (f->lie != LIE_EMPTY_ANSWER) {
		answer_fs(f, m->payload, m->hdr.len, &w);
	}
	if (f->lie == LIE_WRONG_ID)
		id += 7;
	if (f->lie == LIE_WRONG_TYPE)
		type = SUPPL_MSG_FS;
	if (f->lie == LIE_ANSWER_WITH_FD)
		fd = f->shm.fd;
	ipc_send(s, type, id, out, w.len, fd >= 0 ? &fd : NULL, fd >= 0);
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	uint8_t buf[IPC_MAX_PAYLOAD];
	struct ipc_msg m;
	int s = fake_connect(f->path);

	if (s < 0 || ipc_send_hello(s, SUPPL_MAGIC, SUPPL_VERSION) ||
	    ipc_expect_hello(s, SUPPL_MAGIC, SUPPL_VERSION))
		goto out;
	if (ipc_recv(s, &m, buf, sizeof(buf)) || m.nfds != 1 ||
	    shm_map_fd(&f->shm, m.fds[0], SUPPL_SHM_MIN, SUPPL_SHM_MAX))
		goto out;
	put_le32(buf, TEE_SUCCESS);
	ipc_send(s, SUPPL_MSG_ANSWER, m.hdr.id, buf, 4, NULL, 0);
	/* Serve (or lie) until teed cuts us off. */
	while (ipc_recv(s, &m, buf, sizeof(buf)) == 0) {
		ipc_msg_close_fds(&m);
		answer(f, s, &m);
	}
out:
	shm_destroy(&f->shm);
	if (s >= 0)
		close(s);
	return NULL;
}

static struct suppl_link *the_link;
static char the_path[300];

static bool fake_start(struct fake *f, enum lie lie, bool on_open)
{
	memset(f, 0, sizeof(*f));
	f->lie_on_open = on_open;
	f->shm.fd = -1;
	f->path = the_path;
	f->lie = lie;
	if (pthread_create(&f->thread, NULL, fake_main, f))
		return false;
	return suppl_link_wait(the_link, 5000) == 0;
}

/* The link cut the liar off, and the fake's thread has ended. */
static void fake_finish(struct fake *f)
{
	CHECK_EQ(suppl_link_wait(the_link, 0), -ETIMEDOUT);
	suppl_link_detach(the_link);
	pthread_join(f->thread, NULL);
}

/* Opens "1" through the fake (which answers OPEN honestly). */
static uint32_t open_one(struct backend *be)
{
	uint32_t fh = 0;

	CHECK_EQ(backend_open(be, "1", &fh), TEE_SUCCESS);
	return fh;
}

static void test_read_answer_larger_than_asked_rejected(void)
{
	struct backend *be = suppl_link_backend(the_link);
	uint8_t buf[48];
	struct fake f;
	size_t got = 99;
	uint32_t fh;

	REQUIRE(fake_start(&f, LIE_READ_TOO_LONG, false));
	fh = open_one(be);
	memset(buf, 0x5A, sizeof(buf));
	CHECK_EQ(backend_pread(be, fh, 0, buf, 16, &got),
		 TEE_ERROR_COMMUNICATION);
	CHECK_EQ(got, 0);
	/* Not a byte written, inside or beyond the buffer. */
	for (size_t i = 0; i < sizeof(buf); i++)
		CHECK_EQ(buf[i], 0x5A);
	backend_close(be, fh);
	fake_finish(&f);
}

/* One lie on a submit, one expected result. */
static void submit_lie(enum lie lie, uint32_t type, TEE_Result want)
{
	struct backend *be = suppl_link_backend(the_link);
	uint8_t buf[16] = {0};
	struct backend_op op = {.type = type, .buf = buf, .len = 16};
	struct fake f;

	REQUIRE(fake_start(&f, lie, false));
	op.fh = open_one(be);
	CHECK_EQ(backend_submit(be, &op, 1), want);
	backend_close(be, op.fh);
	fake_finish(&f);
}

static void test_batch_answer_lies_rejected(void)
{
	submit_lie(LIE_WRONG_ID, BACKEND_OP_WRITE, TEE_ERROR_COMMUNICATION);
	submit_lie(LIE_UNKNOWN_RESULT, BACKEND_OP_WRITE,
		   TEE_ERROR_COMMUNICATION);
	submit_lie(LIE_CLAIMS_CORRUPT, BACKEND_OP_READ,
		   TEE_ERROR_COMMUNICATION);
	submit_lie(LIE_COMPLETED_TOO_MANY, BACKEND_OP_WRITE,
		   TEE_ERROR_COMMUNICATION);
	submit_lie(LIE_SUCCESS_INCOMPLETE, BACKEND_OP_WRITE,
		   TEE_ERROR_COMMUNICATION);
	submit_lie(LIE_DONE_ON_WRITE, BACKEND_OP_WRITE,
		   TEE_ERROR_COMMUNICATION);
	submit_lie(LIE_WRONG_TYPE, BACKEND_OP_READ, TEE_ERROR_COMMUNICATION);
	submit_lie(LIE_ANSWER_WITH_FD, BACKEND_OP_READ,
		   TEE_ERROR_COMMUNICATION);
	submit_lie(LIE_EMPTY_ANSWER, BACKEND_OP_READ, TEE_ERROR_COMMUNICATION);
	submit_lie(LIE_SUBMIT_SHORT, BACKEND_OP_READ, TEE_ERROR_COMMUNICATION);
}

static void test_open_answer_lies_rejected(void)
{
	static const enum lie lies[] = {LIE_OPEN_EXTRA_BYTES, LIE_HANDLE_RANGE,
					LIE_EMPTY_ANSWER};
	struct backend *be = suppl_link_backend(the_link);
	struct fake f;
	uint32_t fh;
	size_t i;

	for (i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		REQUIRE(fake_start(&f, lies[i], true));
		CHECK_EQ(backend_open(be, "1", &fh), TEE_ERROR_COMMUNICATION);
		fake_finish(&f);
	}
	REQUIRE(fake_start(&f, LIE_ERROR_WITH_PAYLOAD, false));
	CHECK_EQ(backend_remove(be, "1"), TEE_ERROR_COMMUNICATION);
	fake_finish(&f);
}

static int count_names(void *arg, const char *name)
{
	(void)name;
	++*(int *)arg;
	return 0;
}

static void test_directory_chunk_lies_rejected(void)
{
	static const enum lie lies[] = {LIE_NAME_NO_NUL, LIE_NAME_TRAVERSAL,
					LIE_USED_TOO_BIG};
	struct backend *be = suppl_link_backend(the_link);
	struct fake f;
	size_t i;
	int n;

	for (i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		n = 0;
		REQUIRE(fake_start(&f, lies[i], true));
		CHECK_EQ(backend_list(be, count_names, &n),
			 TEE_ERROR_COMMUNICATION);
		CHECK_EQ(n, 0); /* no name of a bad chunk is delivered */
		fake_finish(&f);
	}
}

static void test_rpmb_answer_lies_rejected(void)
{
	uint8_t info[SUPPL_RPMB_INFO_LEN];
	struct fake f;

	REQUIRE(fake_start(&f, LIE_RPMB_SHORT_INFO, false));
	CHECK_EQ(suppl_link_rpmb(the_link, SUPPL_RPMB_CMD_INFO, 0, NULL, 0,
				 info, sizeof(info)),
		 TEE_ERROR_COMMUNICATION);
	fake_finish(&f);
}

/* A silent supplicant costs one timeout, not a hang. */
static void test_silent_supplicant_times_out(void)
{
	struct backend *be = suppl_link_backend(the_link);
	struct timespec a, b;
	struct fake f;
	uint32_t fh;
	double s;

	REQUIRE(fake_start(&f, LIE_SILENCE, true));
	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK_EQ(backend_open(be, "1", &fh), TEE_ERROR_STORAGE_NOT_AVAILABLE);
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	CHECK(s >= 0.2 && s < 5);
	fake_finish(&f);
}

/* After all those liars, an honest one is served normally. */
static void test_honest_supplicant_after_liars(void)
{
	struct backend *be = suppl_link_backend(the_link);
	uint8_t buf[16];
	struct fake f;
	size_t got;
	uint32_t fh;

	REQUIRE(fake_start(&f, LIE_NONE, false));
	fh = open_one(be);
	CHECK_EQ(backend_pread(be, fh, 0, buf, 16, &got), TEE_SUCCESS);
	CHECK_EQ(got, 16);
	CHECK_EQ(buf[0], 0xAB);
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	CHECK_EQ(suppl_link_wait(the_link, 0), 0);
	suppl_link_detach(the_link);
	pthread_join(f.thread, NULL);
}

int main(void)
{
	struct suppl_link_opts o = {.timeout_ms = 300};
	const char *dir = test_tmpdir("suppl-hostile");

	signal(SIGPIPE, SIG_IGN);
	snprintf(the_path, sizeof(the_path), "%s/s.sock", dir);
	if (suppl_link_start_opts(the_path, &o, &the_link)) {
		fprintf(stderr, "cannot start the link\n");
		return 1;
	}
	RUN(test_read_answer_larger_than_asked_rejected);
	RUN(test_batch_answer_lies_rejected);
	RUN(test_open_answer_lies_rejected);
	RUN(test_directory_chunk_lies_rejected);
	RUN(test_rpmb_answer_lies_rejected);
	RUN(test_silent_supplicant_times_out);
	RUN(test_honest_supplicant_after_liars);
	suppl_link_stop(the_link);
	test_rmtree(dir);
	return test_report();
}
