/* Backend contract tests (conformance.h). */
#include <stdlib.h>

#include "conformance.h"
#include "tee_api_defines.h"
#include "test.h"

static conformance_new_fn conf_new;

uint32_t conf_create_with(struct backend *be, const char *name,
			  const void *data, size_t len)
{
	uint32_t fh = 0;

	CHECK_EQ(backend_create(be, name, &fh), TEE_SUCCESS);
	if (len)
		CHECK_EQ(backend_pwrite(be, fh, 0, data, len), TEE_SUCCESS);
	return fh;
}

long conf_read_all(struct backend *be, const char *name, void *buf, size_t cap)
{
	uint32_t fh;
	size_t got = 0;

	if (backend_open(be, name, &fh) != TEE_SUCCESS)
		return -1;
	CHECK_EQ(backend_pread(be, fh, 0, buf, cap, &got), TEE_SUCCESS);
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	return (long)got;
}

static int conf_count_cb(void *arg, const char *name)
{
	(void)name;
	(*(size_t *)arg)++;
	return 0;
}

size_t conf_count(struct backend *be)
{
	size_t n = 0;

	CHECK_EQ(backend_list(be, conf_count_cb, &n), TEE_SUCCESS);
	return n;
}

static void test_open_missing_is_item_not_found(void)
{
	struct backend *be = conf_new();
	uint32_t fh = 7;

	CHECK_EQ(backend_open(be, "nothere", &fh), TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(backend_remove(be, "nothere"), TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(backend_rename(be, "nothere", "x", true),
		 TEE_ERROR_ITEM_NOT_FOUND);
	backend_destroy(be);
}

static void test_write_read_and_short_read_at_eof(void)
{
	struct backend *be = conf_new();
	uint8_t out[100], in[200];
	uint32_t fh;
	size_t got = 99;

	test_fill_pattern(out, sizeof(out), 1);
	fh = conf_create_with(be, "f", out, sizeof(out));
	/* More than there is: done says how much. */
	CHECK_EQ(backend_pread(be, fh, 0, in, sizeof(in), &got), TEE_SUCCESS);
	CHECK_EQ(got, 100);
	CHECK_MEM(in, out, 100);
	CHECK_EQ(backend_pread(be, fh, 60, in, 50, &got), TEE_SUCCESS);
	CHECK_EQ(got, 40);
	CHECK_MEM(in, out + 60, 40);
	/* At and past the end: nothing, no error. */
	CHECK_EQ(backend_pread(be, fh, 100, in, 10, &got), TEE_SUCCESS);
	CHECK_EQ(got, 0);
	CHECK_EQ(backend_pread(be, fh, 5000, in, 10, &got), TEE_SUCCESS);
	CHECK_EQ(got, 0);
	/* A zero-length write succeeds and does not extend the file. */
	CHECK_EQ(backend_pwrite(be, fh, 500, "", 0), TEE_SUCCESS);
	CHECK_EQ(backend_pread(be, fh, 0, in, sizeof(in), &got), TEE_SUCCESS);
	CHECK_EQ(got, 100);
	/* A write past the end leaves zeros in the gap. */
	CHECK_EQ(backend_pwrite(be, fh, 150, "z", 1), TEE_SUCCESS);
	CHECK_EQ(backend_pread(be, fh, 0, in, sizeof(in), &got), TEE_SUCCESS);
	CHECK_EQ(got, 151);
	CHECK_EQ(in[120], 0);
	CHECK_EQ(in[150], 'z');
	CHECK_EQ(backend_sync(be, fh), TEE_SUCCESS);
	CHECK_EQ(backend_sync_dir(be), TEE_SUCCESS);
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	backend_destroy(be);
}

static void test_create_truncates_existing(void)
{
	struct backend *be = conf_new();
	uint8_t buf[16];
	uint32_t fh, fh2;

	fh = conf_create_with(be, "f", "hello", 5);
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	CHECK_EQ(conf_read_all(be, "f", buf, sizeof(buf)), 5);
	CHECK_EQ(backend_create(be, "f", &fh2), TEE_SUCCESS);
	CHECK_EQ(conf_read_all(be, "f", buf, sizeof(buf)), 0);
	CHECK_EQ(backend_close(be, fh2), TEE_SUCCESS);
	CHECK_EQ(conf_count(be), 1);
	backend_destroy(be);
}

static void test_truncate_shrinks_and_grows_with_zeros(void)
{
	struct backend *be = conf_new();
	uint8_t buf[16];
	uint32_t fh;

	fh = conf_create_with(be, "f", "abcdefgh", 8);
	CHECK_EQ(backend_truncate(be, fh, 3), TEE_SUCCESS);
	CHECK_EQ(backend_truncate(be, fh, 6), TEE_SUCCESS);
	CHECK_EQ(conf_read_all(be, "f", buf, sizeof(buf)), 6);
	CHECK_MEM(buf, "abc\0\0\0", 6);
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	backend_destroy(be);
}

static void test_rename_overwrite_rules(void)
{
	struct backend *be = conf_new();
	uint8_t buf[16];

	CHECK_EQ(backend_close(be, conf_create_with(be, "a", "AAA", 3)),
		 TEE_SUCCESS);
	CHECK_EQ(backend_close(be, conf_create_with(be, "b", "BB", 2)),
		 TEE_SUCCESS);
	/* No overwrite: refused, both files untouched. */
	CHECK_EQ(backend_rename(be, "a", "b", false),
		 TEE_ERROR_ACCESS_CONFLICT);
	CHECK_EQ(conf_read_all(be, "a", buf, sizeof(buf)), 3);
	CHECK_EQ(conf_read_all(be, "b", buf, sizeof(buf)), 2);
	CHECK_MEM(buf, "BB", 2);
	/* No overwrite, free target: moves. */
	CHECK_EQ(backend_rename(be, "a", "c", false), TEE_SUCCESS);
	CHECK_EQ(conf_read_all(be, "a", buf, sizeof(buf)), -1);
	CHECK_EQ(conf_read_all(be, "c", buf, sizeof(buf)), 3);
	/* Overwrite: replaces. */
	CHECK_EQ(backend_rename(be, "c", "b", true), TEE_SUCCESS);
	CHECK_EQ(conf_read_all(be, "b", buf, sizeof(buf)), 3);
	CHECK_MEM(buf, "AAA", 3);
	CHECK_EQ(conf_read_all(be, "c", buf, sizeof(buf)), -1);
	CHECK_EQ(conf_count(be), 1);
	backend_destroy(be);
}

struct conf_names {
	char seen[8][BACKEND_NAME_MAX + 1];
	size_t n;
};

static int conf_names_cb(void *arg, const char *name)
{
	struct conf_names *c = arg;

	if (c->n < 8)
		snprintf(c->seen[c->n], sizeof(c->seen[0]), "%s", name);
	c->n++;
	return 0;
}

static int conf_stop_cb(void *arg, const char *name)
{
	(void)name;
	(*(size_t *)arg)++;
	return 1;
}

static void test_list_reports_every_file(void)
{
	struct backend *be = conf_new();
	struct conf_names c = {.n = 0};
	bool x = false, y = false, z = false;
	size_t i, stops = 0;

	CHECK_EQ(conf_count(be), 0);
	CHECK_EQ(backend_close(be, conf_create_with(be, "x", "", 0)),
		 TEE_SUCCESS);
	CHECK_EQ(backend_close(be, conf_create_with(be, "y", "1", 1)),
		 TEE_SUCCESS);
	CHECK_EQ(backend_close(be, conf_create_with(be, "z", "2", 1)),
		 TEE_SUCCESS);
	CHECK_EQ(backend_remove(be, "y"), TEE_SUCCESS);
	CHECK_EQ(backend_list(be, conf_names_cb, &c), TEE_SUCCESS);
	CHECK_EQ(c.n, 2);
	for (i = 0; i < c.n && i < 8; i++) {
		x |= !strcmp(c.seen[i], "x");
		y |= !strcmp(c.seen[i], "y");
		z |= !strcmp(c.seen[i], "z");
	}
	CHECK(x && !y && z);
	/* A non-zero return stops the walk. */
	CHECK_EQ(backend_list(be, conf_stop_cb, &stops), TEE_SUCCESS);
	CHECK_EQ(stops, 1);
	backend_destroy(be);
}

static void test_invalid_names_are_refused(void)
{
	static const char *bad[] = {"",	 "/",  "a/b",  "/abs",
				    ".", "..", "../x", "x/"};
	struct backend *be = conf_new();
	char longest[BACKEND_NAME_MAX + 2];
	uint32_t fh;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(!backend_name_valid(bad[i]));
		CHECK_EQ(backend_create(be, bad[i], &fh),
			 TEE_ERROR_BAD_PARAMETERS);
		CHECK_EQ(backend_open(be, bad[i], &fh),
			 TEE_ERROR_BAD_PARAMETERS);
		CHECK_EQ(backend_remove(be, bad[i]), TEE_ERROR_BAD_PARAMETERS);
		CHECK_EQ(backend_rename(be, bad[i], "ok", true),
			 TEE_ERROR_BAD_PARAMETERS);
		CHECK_EQ(backend_rename(be, "ok", bad[i], true),
			 TEE_ERROR_BAD_PARAMETERS);
	}
	CHECK(!backend_name_valid(NULL));
	/* BACKEND_NAME_MAX bytes is fine, one more is not. */
	memset(longest, 'n', sizeof(longest));
	longest[BACKEND_NAME_MAX] = '\0';
	CHECK(backend_name_valid(longest));
	CHECK_EQ(backend_create(be, longest, &fh), TEE_SUCCESS);
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	longest[BACKEND_NAME_MAX] = 'n';
	longest[BACKEND_NAME_MAX + 1] = '\0';
	CHECK(!backend_name_valid(longest));
	CHECK_EQ(backend_create(be, longest, &fh), TEE_ERROR_BAD_PARAMETERS);
	/* Dots inside a name are ordinary characters. */
	CHECK(backend_name_valid("dirf.db"));
	CHECK(backend_name_valid("..."));
	CHECK_EQ(conf_count(be), 1);
	backend_destroy(be);
}

static void test_handle_misuse(void)
{
	struct backend *be = conf_new();
	struct backend_op op = {.type = BACKEND_OP_SYNC};
	uint8_t b[4];
	uint32_t fh;

	CHECK_EQ(backend_close(be, 0), TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(backend_close(be, 12345), TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(backend_pwrite(be, 0, 0, "x", 1), TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(backend_pread(be, 99, 0, b, 1, NULL),
		 TEE_ERROR_BAD_PARAMETERS);
	fh = conf_create_with(be, "f", "x", 1);
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	CHECK_EQ(backend_close(be, fh), TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(backend_sync(be, fh), TEE_ERROR_BAD_PARAMETERS);
	/* An unknown op type. */
	CHECK_EQ(backend_open(be, "f", &fh), TEE_SUCCESS);
	op.type = 99;
	op.fh = fh;
	CHECK_EQ(backend_submit(be, &op, 1), TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	backend_destroy(be);
}

static void test_submit_stops_at_first_failure(void)
{
	struct backend *be = conf_new();
	uint8_t buf[8];
	uint32_t fh = conf_create_with(be, "f", "", 0);
	struct backend_op ops[3] = {
	    {.type = BACKEND_OP_WRITE, .fh = fh, .buf = "aaaa", .len = 4},
	    {.type = BACKEND_OP_WRITE, .fh = 777, .buf = "bbbb", .len = 4},
	    {.type = BACKEND_OP_WRITE,
	     .fh = fh,
	     .off = 4,
	     .buf = "cccc",
	     .len = 4},
	};

	CHECK_EQ(backend_submit(be, ops, 3), TEE_ERROR_BAD_PARAMETERS);
	/* The op before the failure took effect, the one after did not. */
	CHECK_EQ(conf_read_all(be, "f", buf, sizeof(buf)), 4);
	CHECK_MEM(buf, "aaaa", 4);
	CHECK_EQ(backend_submit(be, ops, 0), TEE_SUCCESS);
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	backend_destroy(be);
}

/* Many contiguous writes from separate buffers in one submit (the POSIX
 * backend joins them into one pwritev), mixed with reads that must see
 * the writes before them. */
static void test_submit_contiguous_writes_and_reads(void)
{
	struct backend *be = conf_new();
	static uint8_t src[100][512], all[100 * 512], back[100 * 512];
	struct backend_op ops[102];
	uint32_t fh = conf_create_with(be, "f", "", 0);
	size_t i;

	for (i = 0; i < 100; i++) {
		test_fill_pattern(src[i], 512, 100 + i);
		memcpy(all + i * 512, src[i], 512);
		ops[i] = (struct backend_op){.type = BACKEND_OP_WRITE,
					     .fh = fh,
					     .off = i * 512,
					     .buf = src[i],
					     .len = 512};
	}
	/* Swap two ops so the run breaks and restarts. */
	ops[50].off = 51 * 512;
	ops[50].buf = src[51];
	ops[51].off = 50 * 512;
	ops[51].buf = src[50];
	ops[100] = (struct backend_op){.type = BACKEND_OP_READ,
				       .fh = fh,
				       .buf = back,
				       .len = sizeof(back)};
	ops[101] = (struct backend_op){.type = BACKEND_OP_SYNC, .fh = fh};
	CHECK_EQ(backend_submit(be, ops, 102), TEE_SUCCESS);
	CHECK_EQ(ops[100].done, sizeof(back));
	CHECK_MEM(back, all, sizeof(all));
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	backend_destroy(be);
}

/* Contiguous reads in one submit (the POSIX backend and tee-supplicant
 * join them into one preadv) across the end of the file: each op's done
 * is what a read of its own would give; a gap or another file breaks the
 * run. */
static void test_submit_contiguous_reads_across_eof(void)
{
	struct backend *be = conf_new();
	static uint8_t data[10000], back[8][2048];
	struct backend_op ops[8];
	uint32_t fh, fh2;
	size_t i;

	test_fill_pattern(data, sizeof(data), 7);
	fh = conf_create_with(be, "f", data, sizeof(data));
	fh2 = conf_create_with(be, "g", data + 100, 3000);
	for (i = 0; i < 6; i++)
		ops[i] = (struct backend_op){.type = BACKEND_OP_READ,
					     .fh = fh,
					     .off = 2048 * i,
					     .buf = back[i],
					     .len = 2048,
					     .done = 99};
	ops[4].off = 2048 * 4 + 1000; /* a gap: a new run, short at EOF */
	ops[5].off = 2048 * 4 + 3048; /* past the end */
	ops[6] = (struct backend_op){.type = BACKEND_OP_READ,
				     .fh = fh2,
				     .off = 2048,
				     .buf = back[6],
				     .len = 2048,
				     .done = 99};
	ops[7] = ops[6];
	ops[7].off = 4096;
	ops[7].buf = back[7];
	CHECK_EQ(backend_submit(be, ops, 8), TEE_SUCCESS);
	for (i = 0; i < 4; i++) {
		CHECK_EQ(ops[i].done, 2048);
		CHECK_MEM(back[i], data + 2048 * i, 2048);
	}
	CHECK_EQ(ops[4].done, 10000 - (2048 * 4 + 1000));
	CHECK_MEM(back[4], data + 2048 * 4 + 1000, ops[4].done);
	CHECK_EQ(ops[5].done, 0);
	CHECK_EQ(ops[6].done, 3000 - 2048);
	CHECK_MEM(back[6], data + 100 + 2048, ops[6].done);
	CHECK_EQ(ops[7].done, 0);
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	CHECK_EQ(backend_close(be, fh2), TEE_SUCCESS);
	backend_destroy(be);
}

static void test_open_file_survives_remove(void)
{
	struct backend *be = conf_new();
	uint8_t buf[4];
	size_t got;
	uint32_t fh = conf_create_with(be, "f", "data", 4);

	CHECK_EQ(backend_remove(be, "f"), TEE_SUCCESS);
	CHECK_EQ(backend_pread(be, fh, 0, buf, 4, &got), TEE_SUCCESS);
	CHECK_EQ(got, 4);
	CHECK_MEM(buf, "data", 4);
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	CHECK_EQ(conf_count(be), 0);
	backend_destroy(be);
}

void conformance_run(conformance_new_fn new_backend)
{
	conf_new = new_backend;
	RUN(test_open_missing_is_item_not_found);
	RUN(test_write_read_and_short_read_at_eof);
	RUN(test_create_truncates_existing);
	RUN(test_truncate_shrinks_and_grows_with_zeros);
	RUN(test_rename_overwrite_rules);
	RUN(test_list_reports_every_file);
	RUN(test_invalid_names_are_refused);
	RUN(test_handle_misuse);
	RUN(test_submit_stops_at_first_failure);
	RUN(test_submit_contiguous_writes_and_reads);
	RUN(test_submit_contiguous_reads_across_eof);
	RUN(test_open_file_survives_remove);
}
