/* The POSIX backend (storage/backend/backend_posix.h): the backend.h
 * contract plus what only real files have (modes, symlinks, fds, errno
 * mapping, threads). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend_posix.h"
#include "batch.h"
#include "conformance.h"
#include "tee_api_defines.h"
#include "test.h"

static char dirs[64][512];
static size_t ndirs;

/* A backend on a fresh directory, removed at exit. */
static struct backend *posix_new(void)
{
	struct backend *be = NULL;

	if (ndirs == sizeof(dirs) / sizeof(dirs[0])) {
		fprintf(stderr, "too many test directories\n");
		exit(2);
	}
	snprintf(dirs[ndirs], sizeof(dirs[0]), "%s", test_tmpdir("backend"));
	if (backend_posix_open(dirs[ndirs], &be) != TEE_SUCCESS) {
		fprintf(stderr, "backend_posix_open(%s) failed\n", dirs[ndirs]);
		exit(2);
	}
	ndirs++;
	return be;
}

static const char *last_dir(void)
{
	return dirs[ndirs - 1];
}

static void path_in(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", last_dir(), name);
}

static void test_posix_creates_dir_0700_and_files_0600(void)
{
	struct backend *be;
	char dir[600], path[700];
	struct stat st;
	uint32_t fh;

	snprintf(dir, sizeof(dir), "%s/a/b", test_tmpdir("backend"));
	snprintf(dirs[ndirs++], sizeof(dirs[0]), "%.*s", (int)(strlen(dir) - 4),
		 dir);
	REQUIRE(backend_posix_open(dir, &be) == TEE_SUCCESS);
	REQUIRE(stat(dir, &st) == 0);
	CHECK_EQ(st.st_mode & 07777, 0700);
	CHECK_EQ(backend_create(be, "f", &fh), TEE_SUCCESS);
	snprintf(path, sizeof(path), "%s/f", dir);
	REQUIRE(stat(path, &st) == 0);
	CHECK_EQ(st.st_mode & 07777, 0600);
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	backend_destroy(be);
	/* Opening an existing directory is fine. */
	REQUIRE(backend_posix_open(dir, &be) == TEE_SUCCESS);
	CHECK_EQ(conf_count(be), 1);
	backend_destroy(be);
	/* A file where the directory should be is an error, not a crash. */
	CHECK(backend_posix_open(path, &be) != TEE_SUCCESS);
	CHECK(be == NULL);
}

static void test_posix_refuses_symlinks_fifos_and_dirs(void)
{
	struct backend *be = posix_new();
	char path[700];
	uint32_t fh;

	CHECK_EQ(backend_close(be, conf_create_with(be, "real", "x", 1)),
		 TEE_SUCCESS);
	path_in(path, sizeof(path), "link");
	REQUIRE(symlink("real", path) == 0);
	path_in(path, sizeof(path), "fifo");
	REQUIRE(mkfifo(path, 0600) == 0);
	path_in(path, sizeof(path), "sub");
	REQUIRE(mkdir(path, 0700) == 0);
	CHECK_EQ(backend_open(be, "link", &fh), TEE_ERROR_ACCESS_DENIED);
	CHECK_EQ(backend_create(be, "link", &fh), TEE_ERROR_ACCESS_DENIED);
	/* Must not hang waiting for a writer. */
	CHECK_EQ(backend_open(be, "fifo", &fh), TEE_ERROR_ACCESS_DENIED);
	CHECK(backend_open(be, "sub", &fh) != TEE_SUCCESS);
	/* Only the regular file is listed. */
	CHECK_EQ(conf_count(be), 1);
	backend_destroy(be);
}

static void test_posix_handle_table_is_bounded(void)
{
	struct backend *be = posix_new();
	static uint32_t fh[BACKEND_POSIX_MAX_HANDLES];
	struct rlimit rl;
	uint32_t extra;
	size_t i, opened = 0;

	/* Needs more fds than the usual soft limit of 1024. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < BACKEND_POSIX_MAX_HANDLES + 64 &&
	    rl.rlim_max >= BACKEND_POSIX_MAX_HANDLES + 64) {
		rl.rlim_cur = BACKEND_POSIX_MAX_HANDLES + 64;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 ||
	    rl.rlim_cur < BACKEND_POSIX_MAX_HANDLES + 64) {
		fprintf(stderr, "skipped: needs %d file descriptors\n",
			BACKEND_POSIX_MAX_HANDLES + 64);
		backend_destroy(be);
		return;
	}
	CHECK_EQ(backend_close(be, conf_create_with(be, "f", "", 0)),
		 TEE_SUCCESS);
	for (i = 0; i < BACKEND_POSIX_MAX_HANDLES; i++)
		if (backend_open(be, "f", &fh[i]) == TEE_SUCCESS)
			opened++;
	CHECK_EQ(opened, BACKEND_POSIX_MAX_HANDLES);
	CHECK_EQ(backend_open(be, "f", &extra), TEE_ERROR_OUT_OF_MEMORY);
	CHECK_EQ(backend_close(be, fh[10]), TEE_SUCCESS);
	CHECK_EQ(backend_open(be, "f", &extra), TEE_SUCCESS);
	CHECK_EQ(extra, fh[10]); /* the freed slot is reused */
	backend_destroy(be);	 /* closes every open handle */
}

/* A file larger than RLIMIT_FSIZE fails with EFBIG: a "disk full" that
 * needs no special file system. */
static void test_posix_efbig_is_no_space(void)
{
	struct backend *be = posix_new();
	struct rlimit old, rl = {8192, 8192};
	static uint8_t buf[16384];
	uint32_t fh = conf_create_with(be, "f", "", 0);

	signal(SIGXFSZ, SIG_IGN);
	REQUIRE(getrlimit(RLIMIT_FSIZE, &old) == 0);
	rl.rlim_max = old.rlim_max;
	REQUIRE(setrlimit(RLIMIT_FSIZE, &rl) == 0);
	CHECK_EQ(backend_pwrite(be, fh, 0, buf, sizeof(buf)),
		 TEE_ERROR_STORAGE_NO_SPACE);
	CHECK_EQ(backend_truncate(be, fh, 1 << 20), TEE_ERROR_STORAGE_NO_SPACE);
	setrlimit(RLIMIT_FSIZE, &old);
	CHECK_EQ(backend_pwrite(be, fh, 0, buf, sizeof(buf)), TEE_SUCCESS);
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	backend_destroy(be);
}

static void test_posix_readonly_dir_is_an_error(void)
{
	struct backend *be = posix_new();
	uint32_t fh;

	if (geteuid() == 0) {
		/* root ignores modes; test_backend_posix_enospc covers a
		 * read-only mount instead. */
		fprintf(stderr, "skipped: running as root\n");
		backend_destroy(be);
		return;
	}
	REQUIRE(chmod(last_dir(), 0500) == 0);
	CHECK_EQ(backend_create(be, "f", &fh), TEE_ERROR_ACCESS_DENIED);
	chmod(last_dir(), 0700);
	backend_destroy(be);
}

struct thread_arg {
	struct backend *be;
	int id;
	int errors;
};

static void *posix_thread(void *p)
{
	struct thread_arg *a = p;
	uint8_t out[4096], in[4096];
	char name[16];
	uint32_t fh;
	size_t got;
	int i;

	snprintf(name, sizeof(name), "t%d", a->id);
	for (i = 0; i < 200; i++) {
		test_fill_pattern(out, sizeof(out),
				  (uint64_t)(a->id * 1000 + i));
		if (backend_create(a->be, name, &fh)) {
			a->errors++;
			continue;
		}
		if (backend_pwrite(a->be, fh, 0, out, sizeof(out)) ||
		    backend_pread(a->be, fh, 0, in, sizeof(in), &got) ||
		    got != sizeof(in) || memcmp(in, out, sizeof(in)))
			a->errors++;
		if (backend_close(a->be, fh))
			a->errors++;
	}
	return NULL;
}

static void test_posix_threads(void)
{
	struct backend *be = posix_new();
	struct thread_arg args[4];
	pthread_t t[4];
	int i, r;

	for (i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){be, i, 0};
		/* Not inside REQUIRE(), which evaluates its argument twice. */
		r = pthread_create(&t[i], NULL, posix_thread, &args[i]);
		REQUIRE(r == 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK_EQ(args[i].errors, 0);
	}
	CHECK_EQ(conf_count(be), 4);
	backend_destroy(be);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * --bench: 64 MiB in 4 KiB blocks through the batch (one submit per
 * 1 MiB, one fdatasync at the end) against plain pwrite() calls of the
 * same blocks and one fdatasync. stride 4096 writes contiguous blocks
 * (the batch merges them into one op per submit); stride 8192 writes
 * every other block, as the hash tree's two block versions do (one op
 * and one pwrite per block). Best of 3 runs.
 */
static double bench_batch(struct backend *be, uint32_t fh, size_t stride,
			  const uint8_t *blk, size_t nblk)
{
	struct batch b;
	double t0, t;
	size_t i;

	if (batch_init(&b, be, BATCH_DEFAULT_DATA_CAP, BATCH_DEFAULT_OPS_CAP))
		return -1;
	t0 = now();
	for (i = 0; i < nblk; i++)
		if (batch_write(&b, fh, i * stride, blk, 4096))
			return -1;
	if (batch_sync(&b, fh) || batch_flush(&b))
		return -1;
	t = now() - t0;
	batch_free(&b);
	return t;
}

static double bench_raw(int fd, size_t stride, const uint8_t *blk, size_t nblk)
{
	double t0 = now();
	size_t i;

	for (i = 0; i < nblk; i++)
		if (pwrite(fd, blk, 4096, (off_t)(i * stride)) != 4096)
			return -1;
	if (fdatasync(fd))
		return -1;
	return now() - t0;
}

static int posix_bench(void)
{
	static uint8_t blk[4096];
	const size_t nblk = 64 * 256, strides[2] = {4096, 8192};
	struct backend *be = posix_new();
	double tb, tr, best_b, best_r;
	char path[700];
	uint32_t fh;
	int fd, s, run;

	test_fill_pattern(blk, sizeof(blk), 9);
	path_in(path, sizeof(path), "raw");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || backend_create(be, "bench", &fh))
		return 1;
	for (s = 0; s < 2; s++) {
		best_b = best_r = 1e9;
		for (run = 0; run < 3; run++) {
			if (backend_truncate(be, fh, 0) || ftruncate(fd, 0))
				return 1;
			tb = bench_batch(be, fh, strides[s], blk, nblk);
			tr = bench_raw(fd, strides[s], blk, nblk);
			if (tb < 0 || tr < 0)
				return 1;
			best_b = tb < best_b ? tb : best_b;
			best_r = tr < best_r ? tr : best_r;
		}
		printf("64 MiB in 4 KiB writes, stride %zu: batch %.0f MiB/s, "
		       "raw pwrite %.0f MiB/s, ratio %.2f\n",
		       strides[s], 64 / best_b, 64 / best_r, best_r / best_b);
	}
	close(fd);
	backend_destroy(be);
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;
	int rc;

	if (argc > 1 && !strcmp(argv[1], "--bench")) {
		rc = posix_bench();
		for (i = 0; i < ndirs; i++)
			test_rmtree(dirs[i]);
		return rc;
	}
	if (argc > 1) {
		printf("usage: %s [--bench]\nTests the POSIX backend; "
		       "--bench measures batched writes instead.\n",
		       argv[0]);
		return strcmp(argv[1], "--help") ? 2 : 0;
	}
	conformance_run(posix_new);
	RUN(test_posix_creates_dir_0700_and_files_0600);
	RUN(test_posix_refuses_symlinks_fifos_and_dirs);
	RUN(test_posix_handle_table_is_bounded);
	RUN(test_posix_efbig_is_no_space);
	RUN(test_posix_readonly_dir_is_an_error);
	RUN(test_posix_threads);
	for (i = 0; i < ndirs; i++)
		test_rmtree(dirs[i]);
	return test_report();
}
