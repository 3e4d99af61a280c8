/*
 * Power loss during a hash-tree commit, on the crash-simulating fake
 * backend: crash at every event of a transaction (writes, shrink, grow,
 * commit), with pending writes dropped, kept or torn, then reopen.
 *
 *   object style (nodes + header in one batch, then a barrier; the commit
 *   record is the caller's): the old state always opens by its hash with
 *   its exact content, since nothing committed is ever overwritten; when
 *   the workload finished, the new state opens by the new hash;
 *   dirf.db style (nodes, barrier, header, barrier): opening by counter
 *   gives exactly the old or the new state, never an error.
 */
#include <stdlib.h>
#include <string.h>

#include "backend_fake.h"
#include "htree_testutil.h"
#include "test.h"

#define OLD_LEN 150000
#define NEW_LEN 100000

static uint8_t old_data[OLD_LEN], new_data[NEW_LEN];
static uint8_t old_hash[HTREE_HASH_SIZE];
static unsigned states_checked;

static TEE_Result barrier(struct batch *b, uint32_t fh)
{
	TEE_Result res = batch_sync(b, fh);

	return res ? res : batch_flush(b);
}

/* The base disk: file "o" holding old_data, committed and durable. */
static struct backend *make_base(void)
{
	struct backend *be = NULL;
	struct htree *ht = NULL;
	struct batch b;
	uint32_t fh;

	if (backend_fake_new(&be) || batch_init(&b, be, 64 * 1024, 64) ||
	    backend_create(be, "o", &fh) ||
	    htree_create(be, fh, test_tsk, &test_cfg, 0, &b, &ht) ||
	    htree_write(ht, &b, 0, old_data, OLD_LEN) ||
	    htree_commit_prepare(ht, &b, true, old_hash) ||
	    batch_sync(&b, fh) || batch_sync_dir(&b) || batch_flush(&b))
		abort();
	htree_commit_done(ht);
	htree_close(ht);
	batch_free(&b);
	backend_close(be, fh);
	return be;
}

/*
 * The transaction: the OP-TEE shrink case (150000 -> 70000), a partial
 * overwrite, a grow to NEW_LEN; then the commit. A small batch, so that
 * there are many events. Returns the result of the first failure.
 */
static TEE_Result workload(struct backend *be, bool dirf_style,
			   uint8_t new_hash[HTREE_HASH_SIZE])
{
	struct htree *ht = NULL;
	struct batch b;
	TEE_Result res;
	uint32_t fh;

	if (batch_init(&b, be, 16 * 1024, 16))
		abort();
	res = backend_open(be, "o", &fh);
	if (!res)
		res = htree_open(be, fh, test_tsk, old_hash, 0, &test_cfg, &ht);
	if (!res)
		res = htree_truncate(ht, &b, 70000);
	if (!res)
		res = htree_write(ht, &b, 5000, new_data + 5000, 20000);
	if (!res)
		res = htree_write(ht, &b, 70000, new_data + 70000,
				  NEW_LEN - 70000);
	if (!res)
		res = htree_commit_prepare(ht, &b, !dirf_style, new_hash);
	if (!res)
		res = barrier(&b, fh);
	if (!res && dirf_style) {
		res = htree_commit_header(ht, &b);
		if (!res)
			res = barrier(&b, fh);
	}
	if (!res)
		htree_commit_done(ht);
	batch_discard(&b);
	batch_free(&b);
	htree_close(ht);
	return res;
}

/* Opens "o" and returns 0 if it holds exactly want[0..len). */
static int holds(struct backend *be, const uint8_t *hash, const uint8_t *want,
		 size_t len)
{
	struct htree *ht = NULL;
	uint32_t fh;
	int rc;

	if (backend_open(be, "o", &fh) ||
	    htree_open(be, fh, test_tsk, hash, 0, &test_cfg, &ht))
		return -1;
	rc = -1;
	if (htree_size(ht) == len) {
		uint8_t *buf = malloc(len);
		size_t got = 0;

		if (buf && !htree_read(ht, NULL, 0, buf, len, &got) &&
		    got == len && !memcmp(buf, want, len))
			rc = 0;
		free(buf);
	}
	htree_close(ht);
	backend_close(be, fh);
	return rc;
}

static void crash_all_points(bool dirf_style)
{
	struct backend *base = make_base(), *be = NULL;
	uint8_t new_hash[HTREE_HASH_SIZE];
	uint64_t events, n;
	unsigned mode, seed;

	/* A dry run counts the workload's events. */
	REQUIRE(backend_fake_clone(base, &be) == TEE_SUCCESS);
	REQUIRE(workload(be, dirf_style, new_hash) == TEE_SUCCESS);
	events = backend_fake_event_count(be);
	CHECK(holds(be, new_hash, new_data, NEW_LEN) == 0);
	backend_destroy(be);
	CHECK(events > 20);

	for (n = 1; n <= events + 1; n++) {
		for (mode = 0; mode < 3; mode++) {
			for (seed = 0; seed < (mode == 2 ? 3u : 1u); seed++) {
				uint8_t h[HTREE_HASH_SIZE];
				TEE_Result res;
				int old_ok, new_ok;

				REQUIRE(backend_fake_clone(base, &be) ==
					TEE_SUCCESS);
				backend_fake_set_crash_at(be, n, mode, seed);
				res = workload(be, dirf_style, h);
				REQUIRE(backend_fake_reboot(be) == TEE_SUCCESS);
				states_checked++;
				/* The old state is never damaged. */
				old_ok =
				    holds(be, old_hash, old_data, OLD_LEN) == 0;
				CHECK(old_ok);
				/* Finished: everything was synced. */
				if (res == TEE_SUCCESS)
					CHECK(holds(be, h, new_data, NEW_LEN) ==
					      0);
				if (dirf_style) {
					old_ok = holds(be, NULL, old_data,
						       OLD_LEN) == 0;
					new_ok = holds(be, NULL, new_data,
						       NEW_LEN) == 0;
					CHECK(old_ok || new_ok);
				}
				if (test_failures) {
					fprintf(stderr,
						"  crash at %llu/%llu "
						"mode %u seed %u\n",
						(unsigned long long)n,
						(unsigned long long)events,
						mode, seed);
					backend_destroy(be);
					backend_destroy(base);
					return;
				}
				backend_destroy(be);
			}
		}
	}
	backend_destroy(base);
}

static void test_crash_object_style(void)
{
	crash_all_points(false);
}

static void test_crash_dirf_style(void)
{
	crash_all_points(true);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr,
			"usage: %s\nPower loss at every event of a "
			"hash-tree commit (no options).\n",
			argv[0]);
		return strcmp(argv[1], "--help") ? 2 : 0;
	}
	test_fill_pattern(old_data, OLD_LEN, 1);
	memcpy(new_data, old_data, 70000);
	test_fill_pattern(new_data + 5000, 20000, 2);
	test_fill_pattern(new_data + 70000, NEW_LEN - 70000, 3);
	RUN(test_crash_object_style);
	RUN(test_crash_dirf_style);
	fprintf(stderr, "%u crash states checked\n", states_checked);
	return test_report();
}
