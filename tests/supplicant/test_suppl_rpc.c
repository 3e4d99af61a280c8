/*
 * The RPC backend against a real tee-supplicant: every backend call, data
 * through the shared window (also larger than the window), lazy reopen
 * after a supplicant restart, one supplicant at a time, clean SIGTERM.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suppl_harness.h"
#include "suppl_msg.h"
#include "test.h"

static int collect(void *arg, const char *name)
{
	char *out = arg;

	strcat(out, name);
	strcat(out, ",");
	return 0;
}

static bool list_has(struct backend *be, const char *name)
{
	char all[4096] = "", pat[80];

	if (backend_list(be, collect, all) != TEE_SUCCESS)
		return false;
	snprintf(pat, sizeof(pat), "%s,", name);
	return strstr(all, pat) == all ||
	       (strstr(all, pat) && strstr(all, pat)[-1] == ',');
}

static void test_rpc_basic_file_ops(void)
{
	struct harness h;
	struct backend *be;
	uint8_t out[5000], in[5000];
	uint32_t fh, fh2;
	size_t got;
	struct stat st;

	REQUIRE(harness_start(&h, "suppl-basic", NULL) == 0);
	be = suppl_link_backend(h.link);
	CHECK(!strcmp(be->ops->kind, "rpc"));
	test_fill_pattern(out, sizeof(out), 1);
	CHECK_EQ(backend_create(be, "1f", &fh), TEE_SUCCESS);
	CHECK_EQ(backend_pwrite(be, fh, 100, out, sizeof(out)), TEE_SUCCESS);
	CHECK_EQ(backend_sync(be, fh), TEE_SUCCESS);
	CHECK_EQ(backend_sync_dir(be), TEE_SUCCESS);
	CHECK_EQ(backend_pread(be, fh, 100, in, sizeof(in), &got), TEE_SUCCESS);
	CHECK_EQ(got, sizeof(in));
	CHECK_MEM(in, out, sizeof(in));
	/* A read across the end of the file is short, not an error. */
	CHECK_EQ(backend_pread(be, fh, 5000, in, 1000, &got), TEE_SUCCESS);
	CHECK_EQ(got, 100);
	CHECK_EQ(backend_truncate(be, fh, 10), TEE_SUCCESS);
	CHECK_EQ(backend_pread(be, fh, 0, in, 100, &got), TEE_SUCCESS);
	CHECK_EQ(got, 10);
	/* Files are 0600 in a 0700 directory. */
	CHECK(stat(h.fs, &st) == 0 && (st.st_mode & 0777) == 0700);
	{
		char p[PATH_MAX + 8];

		snprintf(p, sizeof(p), "%s/1f", h.fs);
		CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600);
	}
	CHECK_EQ(backend_open(be, "2", &fh2), TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(backend_create(be, "dirf.db", &fh2), TEE_SUCCESS);
	CHECK(list_has(be, "1f") && list_has(be, "dirf.db"));
	CHECK_EQ(backend_rename(be, "1f", "dirf.db", false),
		 TEE_ERROR_ACCESS_CONFLICT);
	CHECK_EQ(backend_rename(be, "1f", "2a", false), TEE_SUCCESS);
	CHECK(!list_has(be, "1f") && list_has(be, "2a"));
	/* The handle follows its file through the rename. */
	CHECK_EQ(backend_pread(be, fh, 0, in, 10, &got), TEE_SUCCESS);
	CHECK_EQ(got, 10);
	CHECK_EQ(backend_remove(be, "2a"), TEE_SUCCESS);
	CHECK_EQ(backend_remove(be, "2a"), TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	CHECK_EQ(backend_close(be, fh), TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(backend_close(be, fh2), TEE_SUCCESS);
	harness_stop(&h);
}

static void test_rpc_names_refused(void)
{
	static const char *bad[] = {
	    "../x",  "a/b", "",	      ".",	   "..",
	    "UPPER", "1f.", "1f.TMP", "dirf.db/x", "0123456789abcdef0",
	    "x",
	};
	struct harness h;
	struct backend *be;
	uint32_t fh;
	size_t i;

	REQUIRE(harness_start(&h, "suppl-names", NULL) == 0);
	be = suppl_link_backend(h.link);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(backend_create(be, bad[i], &fh),
			 TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(backend_create(be, "1f.tmp", &fh), TEE_SUCCESS);
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	/* Refusals do not cost the connection. */
	CHECK_EQ(suppl_link_wait(h.link, 0), 0);
	harness_stop(&h);
}

/* A submit with more data than the window and more ops than a request. */
static void test_rpc_batch_split(void)
{
	struct suppl_link_opts o = {.shm_size = SUPPL_SHM_MIN};
	static struct backend_op ops[SUPPL_MAX_OPS + 500];
	struct suppl_link_stats before, after;
	size_t big = 3 * SUPPL_SHM_MIN + 1234, i, n = 0, got;
	uint8_t *src = malloc(big), *dst = malloc(big), small[8];
	struct harness h;
	struct backend *be;
	uint32_t fh;

	REQUIRE(src && dst);
	REQUIRE(harness_start(&h, "suppl-split", &o) == 0);
	be = suppl_link_backend(h.link);
	test_fill_pattern(src, big, 7);
	REQUIRE(backend_create(be, "a", &fh) == TEE_SUCCESS);
	ops[n++] = (struct backend_op){
	    .type = BACKEND_OP_WRITE, .fh = fh, .buf = src, .len = big};
	for (i = 0; i < SUPPL_MAX_OPS + 400; i++)
		ops[n++] = (struct backend_op){.type = BACKEND_OP_WRITE,
					       .fh = fh,
					       .off = big + i,
					       .buf = &src[i],
					       .len = 1};
	ops[n++] = (struct backend_op){.type = BACKEND_OP_SYNC, .fh = fh};
	suppl_link_get_stats(h.link, &before);
	CHECK_EQ(backend_submit(be, ops, n), TEE_SUCCESS);
	suppl_link_get_stats(h.link, &after);
	/* 4 windows for the big write, then the ops in 2 requests. */
	CHECK(after.round_trips - before.round_trips <= 6);
	CHECK_EQ(backend_pread(be, fh, 0, dst, big, &got), TEE_SUCCESS);
	CHECK_EQ(got, big);
	CHECK_MEM(dst, src, big);
	CHECK_EQ(
	    backend_pread(be, fh, big + SUPPL_MAX_OPS + 396, small, 8, &got),
	    TEE_SUCCESS);
	CHECK_EQ(got, 4);
	CHECK_MEM(small, &src[SUPPL_MAX_OPS + 396], 4);
	/* A read larger than the window that ends early, at end of file. */
	memset(dst, 0, big);
	CHECK_EQ(backend_pread(be, fh, SUPPL_SHM_MIN - 10, dst, big, &got),
		 TEE_SUCCESS);
	CHECK_EQ(got, big + SUPPL_MAX_OPS + 400 - (SUPPL_SHM_MIN - 10));
	backend_close(be, fh);
	harness_stop(&h);
	free(src);
	free(dst);
}

/* Many small ops of a commit travel in one round trip. */
static void test_rpc_commit_is_one_round_trip(void)
{
	struct suppl_link_stats before, after;
	struct backend_op ops[66];
	uint8_t blk[64][512];
	struct harness h;
	struct backend *be;
	uint32_t fh;
	size_t i;

	REQUIRE(harness_start(&h, "suppl-rt", NULL) == 0);
	be = suppl_link_backend(h.link);
	REQUIRE(backend_create(be, "5", &fh) == TEE_SUCCESS);
	for (i = 0; i < 64; i++) {
		memset(blk[i], (int)i, sizeof(blk[i]));
		ops[i] = (struct backend_op){.type = BACKEND_OP_WRITE,
					     .fh = fh,
					     .off = i * 4096,
					     .buf = blk[i],
					     .len = 512};
	}
	ops[64] = (struct backend_op){.type = BACKEND_OP_SYNC, .fh = fh};
	ops[65] = (struct backend_op){.type = BACKEND_OP_SYNC_DIR};
	suppl_link_get_stats(h.link, &before);
	CHECK_EQ(backend_submit(be, ops, 66), TEE_SUCCESS);
	suppl_link_get_stats(h.link, &after);
	CHECK_EQ(after.round_trips - before.round_trips, 1);
	backend_close(be, fh);
	harness_stop(&h);
}

/* A batch stops at its first failing op; the ops before took effect. */
static void test_rpc_batch_stops_at_failure(void)
{
	struct harness h;
	struct backend *be;
	struct backend_op ops[3];
	uint8_t a[4] = "abc", r[8];
	uint32_t fh, fh2;
	size_t got;

	REQUIRE(harness_start(&h, "suppl-fail", NULL) == 0);
	be = suppl_link_backend(h.link);
	REQUIRE(backend_create(be, "1", &fh) == TEE_SUCCESS);
	REQUIRE(backend_create(be, "2", &fh2) == TEE_SUCCESS);
	ops[0] = (struct backend_op){
	    .type = BACKEND_OP_WRITE, .fh = fh, .buf = a, .len = 3};
	/* Beyond any file size limit: the supplicant's pwrite fails. */
	ops[1] = (struct backend_op){.type = BACKEND_OP_WRITE,
				     .fh = fh,
				     .off = (uint64_t)INT64_MAX - 3,
				     .buf = a,
				     .len = 3};
	/* Another file: not in ops 0-1's run of writes (backend.h). */
	ops[2] = (struct backend_op){
	    .type = BACKEND_OP_WRITE, .fh = fh2, .off = 0, .buf = a, .len = 3};
	CHECK_EQ(backend_submit(be, ops, 3), TEE_ERROR_STORAGE_NO_SPACE);
	CHECK_EQ(backend_pread(be, fh, 0, r, 8, &got), TEE_SUCCESS);
	CHECK_EQ(got, 3); /* op 0 took effect */
	CHECK_MEM(r, "abc", 3);
	CHECK_EQ(backend_pread(be, fh2, 0, r, 8, &got), TEE_SUCCESS);
	CHECK_EQ(got, 0); /* op 2 did not run */
	/* Refused by teed before anything is sent: bad handle, bad type. */
	ops[1] = (struct backend_op){
	    .type = BACKEND_OP_READ, .fh = 999, .buf = r, .len = 4};
	CHECK_EQ(backend_submit(be, ops, 3), TEE_ERROR_BAD_PARAMETERS);
	ops[1] = (struct backend_op){.type = 77, .fh = fh};
	CHECK_EQ(backend_submit(be, ops, 3), TEE_ERROR_BAD_PARAMETERS);
	ops[1] = (struct backend_op){.type = BACKEND_OP_TRUNCATE,
				     .fh = fh,
				     .off = (uint64_t)INT64_MAX + 1};
	CHECK_EQ(backend_submit(be, ops, 3), TEE_ERROR_BAD_PARAMETERS);
	/* None of those cost the connection. */
	CHECK_EQ(suppl_link_wait(h.link, 0), 0);
	backend_close(be, fh);
	harness_stop(&h);
}

/* Handles are bounded per connection and come back when closed. */
static void test_rpc_handle_limit(void)
{
	static uint32_t fh[SUPPL_MAX_HANDLES];
	struct harness h;
	struct backend *be;
	uint32_t extra;
	size_t i;

	REQUIRE(harness_start(&h, "suppl-limit", NULL) == 0);
	be = suppl_link_backend(h.link);
	REQUIRE(backend_create(be, "7", &extra) == TEE_SUCCESS);
	REQUIRE(backend_close(be, extra) == TEE_SUCCESS);
	for (i = 0; i < SUPPL_MAX_HANDLES; i++)
		CHECK_EQ(backend_open(be, "7", &fh[i]), TEE_SUCCESS);
	CHECK_EQ(backend_open(be, "7", &extra), TEE_ERROR_OUT_OF_MEMORY);
	CHECK_EQ(backend_close(be, fh[5]), TEE_SUCCESS);
	CHECK_EQ(backend_open(be, "7", &fh[5]), TEE_SUCCESS);
	for (i = 0; i < SUPPL_MAX_HANDLES; i++)
		CHECK_EQ(backend_close(be, fh[i]), TEE_SUCCESS);
	harness_stop(&h);
}

static void test_rpc_second_supplicant_refused(void)
{
	struct suppl_link_stats st;
	struct harness h;
	pid_t second;
	int status, i;

	REQUIRE(harness_start(&h, "suppl-second", NULL) == 0);
	second = harness_spawn_nowait(&h);
	REQUIRE(second > 0);
	for (i = 0; i < 200; i++) {
		suppl_link_get_stats(h.link, &st);
		if (st.refused)
			break;
		usleep(10000);
	}
	CHECK(st.refused >= 1);
	CHECK_EQ(st.attaches, 1);
	kill(second, SIGTERM);
	waitpid(second, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The first one still serves. */
	{
		uint32_t fh;
		struct backend *be = suppl_link_backend(h.link);

		CHECK_EQ(backend_create(be, "3", &fh), TEE_SUCCESS);
		backend_close(be, fh);
	}
	harness_stop(&h);
}

/* Dead supplicant: errors, then a new one and everything works again. */
static void test_rpc_survives_supplicant_death(void)
{
	struct harness h;
	struct backend *be;
	uint8_t buf[16];
	uint32_t fh, fh2;
	size_t got;
	int status;

	REQUIRE(harness_start(&h, "suppl-death", NULL) == 0);
	be = suppl_link_backend(h.link);
	REQUIRE(backend_create(be, "a", &fh) == TEE_SUCCESS);
	REQUIRE(backend_pwrite(be, fh, 0, "hello", 5) == TEE_SUCCESS);
	status = harness_kill(&h, SIGKILL);
	CHECK(WIFSIGNALED(status));
	CHECK_EQ(backend_pread(be, fh, 0, buf, 5, &got),
		 TEE_ERROR_STORAGE_NOT_AVAILABLE);
	CHECK_EQ(backend_create(be, "b", &fh2),
		 TEE_ERROR_STORAGE_NOT_AVAILABLE);
	CHECK_EQ(backend_sync_dir(be), TEE_ERROR_STORAGE_NOT_AVAILABLE);
	REQUIRE(harness_spawn(&h) == 0);
	/* The old handle is reopened by name on the new connection. */
	CHECK_EQ(backend_pread(be, fh, 0, buf, 16, &got), TEE_SUCCESS);
	CHECK_EQ(got, 5);
	CHECK_MEM(buf, "hello", 5);
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	/* A handle whose file was removed meanwhile cannot come back. */
	REQUIRE(backend_create(be, "b", &fh2) == TEE_SUCCESS);
	CHECK_EQ(backend_remove(be, "b"), TEE_SUCCESS);
	suppl_link_detach(h.link);
	harness_kill(&h, SIGKILL);
	REQUIRE(harness_spawn(&h) == 0);
	CHECK_EQ(backend_pread(be, fh2, 0, buf, 1, &got),
		 TEE_ERROR_STORAGE_NOT_AVAILABLE);
	CHECK_EQ(backend_close(be, fh2), TEE_SUCCESS);
	harness_stop(&h);
}

/* SIGTERM ends the supplicant cleanly; teed carries on without it. */
static void test_rpc_sigterm_clean_exit(void)
{
	struct harness h;
	int status;
	uint32_t fh;

	REQUIRE(harness_start(&h, "suppl-term", NULL) == 0);
	status = harness_kill(&h, SIGTERM);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(backend_create(suppl_link_backend(h.link), "1", &fh),
		 TEE_ERROR_STORAGE_NOT_AVAILABLE);
	harness_stop(&h);
}

struct worker {
	struct backend *be;
	int n;
	int errors;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint8_t out[3000], in[3000];
	char name[8];
	uint32_t fh;
	size_t got;
	int i;

	snprintf(name, sizeof(name), "%x", 0xa0 + w->n);
	for (i = 0; i < 100; i++) {
		test_fill_pattern(out, sizeof(out),
				  (uint64_t)(w->n * 1000 + i));
		if (backend_create(w->be, name, &fh) ||
		    backend_pwrite(w->be, fh, 0, out, sizeof(out)) ||
		    backend_pread(w->be, fh, 0, in, sizeof(in), &got) ||
		    got != sizeof(in) || memcmp(in, out, sizeof(in)) ||
		    backend_close(w->be, fh))
			w->errors++;
	}
	return NULL;
}

/* Several engine threads at once: each sees only its own data. */
static void test_rpc_concurrent_callers(void)
{
	struct worker w[4];
	pthread_t t[4];
	struct harness h;
	int i;

	REQUIRE(harness_start(&h, "suppl-conc", NULL) == 0);
	for (i = 0; i < 4; i++) {
		w[i] = (struct worker){suppl_link_backend(h.link), i, 0};
		REQUIRE(pthread_create(&t[i], NULL, worker_main, &w[i]) == 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK_EQ(w[i].errors, 0);
	}
	harness_stop(&h);
}

/*
 * Concurrent submits are combined into shared requests (backend_rpc.c):
 * every batch keeps its own result and data, also when another batch of
 * the same request fails (thread 0's second write always does: its
 * batches fail alone, the others' are rerun by themselves if needed).
 */
struct combiner {
	struct backend *be;
	int n;
	int errors;
};

static void *combiner_main(void *arg)
{
	struct combiner *c = arg;
	uint8_t out[1024], in[1024];
	struct backend_op ops[3];
	char name[8];
	uint32_t fh;
	size_t got;
	int i;

	snprintf(name, sizeof(name), "%x", 0xc0 + c->n);
	if (backend_create(c->be, name, &fh)) {
		c->errors++;
		return NULL;
	}
	for (i = 0; i < 60; i++) {
		test_fill_pattern(out, sizeof(out),
				  (uint64_t)(c->n * 1000 + i));
		ops[0] = (struct backend_op){.type = BACKEND_OP_WRITE,
					     .fh = fh,
					     .buf = out,
					     .len = sizeof(out)};
		ops[1] = (struct backend_op){
		    .type = BACKEND_OP_WRITE,
		    .fh = fh,
		    .off = c->n ? 1024 : (uint64_t)INT64_MAX - 3,
		    .buf = out,
		    .len = 3};
		ops[2] = (struct backend_op){.type = BACKEND_OP_SYNC, .fh = fh};
		if (backend_submit(c->be, ops, 3) !=
		    (c->n ? TEE_SUCCESS : TEE_ERROR_STORAGE_NO_SPACE))
			c->errors++;
		if (backend_pread(c->be, fh, 0, in, sizeof(in), &got) ||
		    got != sizeof(in) || memcmp(in, out, sizeof(in)))
			c->errors++;
	}
	backend_close(c->be, fh);
	return NULL;
}

static void test_rpc_combined_submits(void)
{
	struct suppl_link_stats st;
	struct combiner c[12];
	pthread_t t[12];
	struct harness h;
	int i;

	REQUIRE(harness_start(&h, "suppl-comb", NULL) == 0);
	for (i = 0; i < 12; i++) {
		c[i] = (struct combiner){suppl_link_backend(h.link), i, 0};
		REQUIRE(pthread_create(&t[i], NULL, combiner_main, &c[i]) == 0);
	}
	for (i = 0; i < 12; i++) {
		pthread_join(t[i], NULL);
		CHECK_EQ(c[i].errors, 0);
	}
	suppl_link_get_stats(h.link, &st);
	CHECK(st.combined > 0);
	CHECK_EQ(suppl_link_wait(h.link, 0), 0); /* the link is intact */
	harness_stop(&h);
}

int main(void)
{
	RUN(test_rpc_basic_file_ops);
	RUN(test_rpc_names_refused);
	RUN(test_rpc_batch_split);
	RUN(test_rpc_commit_is_one_round_trip);
	RUN(test_rpc_batch_stops_at_failure);
	RUN(test_rpc_handle_limit);
	RUN(test_rpc_concurrent_callers);
	RUN(test_rpc_combined_submits);
	RUN(test_rpc_second_supplicant_refused);
	RUN(test_rpc_survives_supplicant_death);
	RUN(test_rpc_sigterm_clean_exit);
	return test_report();
}
