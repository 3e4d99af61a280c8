/*
 * The parallel block-crypto path (htree_pool.h): large writes encrypted
 * and large reads read and decrypted by several threads. The pool is
 * forced to HTREE_POOL_MAX threads, so this runs the parallel path on any
 * machine. Checks: round trips of large and unaligned ranges, a batch
 * small enough to flush in the middle of a run, fresh IVs per block, a
 * bad tag anywhere in a large read (CORRUPT_OBJECT and a zeroed buffer,
 * never partial plaintext), and three threads reading three trees at
 * once, many short jobs each (callers finding the pool busy, posting a job
 * while workers still leave the last one).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "htree_layout.h"
#include "htree_pool.h"
#include "htree_testutil.h"
#include "test.h"

#define BLOCKS 1000
#define LEN    ((size_t)BLOCKS * 4096 + 123)

static uint8_t *data;

/* A tree "name" holding data[0..LEN), written in one call through b. */
static struct htree *make_tree(struct backend *be, struct batch *b,
			       const char *name, uint8_t hash[HTREE_HASH_SIZE])
{
	struct htree *ht = NULL;

	if (tu_create(be, b, name, &ht) != TEE_SUCCESS)
		abort();
	CHECK(htree_write(ht, b, 0, data, LEN) == TEE_SUCCESS);
	CHECK(tu_commit(ht, b, hash) == TEE_SUCCESS);
	return ht;
}

static void test_round_trip(void)
{
	struct backend *be = mem_backend_new();
	uint8_t hash[HTREE_HASH_SIZE];
	uint8_t *buf = malloc(LEN);
	struct htree *ht;
	struct batch b;
	size_t got = 0;

	REQUIRE(buf);
	REQUIRE(htree_pool_slots() > 1);
	/* 64 KiB and 16 ops: reservations flush in the middle of a run of
	 * blocks waiting for the pool. */
	REQUIRE(batch_init(&b, be, 64 * 1024, 16) == TEE_SUCCESS);
	ht = make_tree(be, &b, "r", hash);
	CHECK(tu_same(ht, &b, data, LEN) == 0);
	htree_close(ht);

	REQUIRE(tu_open(be, "r", hash, 0, &ht) == TEE_SUCCESS);
	CHECK(htree_read(ht, &b, 0, buf, LEN, &got) == TEE_SUCCESS);
	CHECK_EQ(got, LEN);
	CHECK_MEM(buf, data, LEN);
	/* Unaligned, partial first and last blocks, several chunks. */
	CHECK(htree_read(ht, &b, 4096 * 3 + 77, buf, 600 * 4096, &got) ==
	      TEE_SUCCESS);
	CHECK_EQ(got, 600 * 4096);
	CHECK_MEM(buf, data + 4096 * 3 + 77, 600 * 4096);
	/* Overwrite the middle with a large unaligned write and read back. */
	test_fill_pattern(buf, 300 * 4096, 77);
	CHECK(htree_write(ht, &b, 4096 * 100 + 9, buf, 300 * 4096) ==
	      TEE_SUCCESS);
	memcpy(data + 4096 * 100 + 9, buf, 300 * 4096);
	CHECK(tu_commit(ht, &b, hash) == TEE_SUCCESS);
	CHECK(tu_same(ht, &b, data, LEN) == 0);
	htree_close(ht);
	REQUIRE(tu_open(be, "r", hash, 0, &ht) == TEE_SUCCESS);
	CHECK(tu_same(ht, &b, data, LEN) == 0);
	htree_close(ht);
	batch_free(&b);
	backend_destroy(be);
	free(buf);
}

/* Equal plaintext in every block: every ciphertext differs (fresh IV). */
static void test_fresh_ivs(void)
{
	struct backend *be = mem_backend_new();
	uint8_t hash[HTREE_HASH_SIZE];
	uint8_t *zeros = calloc(256, 4096);
	struct htree *ht = NULL;
	struct batch b;
	size_t len, i, j;
	uint8_t *f;
	int same = 0;

	REQUIRE(zeros);
	REQUIRE(batch_init(&b, be, BATCH_DEFAULT_DATA_CAP,
			   BATCH_DEFAULT_OPS_CAP) == TEE_SUCCESS);
	REQUIRE(tu_create(be, &b, "z", &ht) == TEE_SUCCESS);
	CHECK(htree_write(ht, &b, 0, zeros, 256 * 4096) == TEE_SUCCESS);
	CHECK(tu_commit(ht, &b, hash) == TEE_SUCCESS);
	f = mem_file(be, "z", &len);
	REQUIRE(f);
	/* A fresh file's first write goes to version 1 of each block. */
	for (i = 0; i < 256; i++)
		for (j = i + 1; j < 256; j += 37)
			same += !memcmp(f + htree_layout_block_off(i, 1),
					f + htree_layout_block_off(j, 1), 64);
	CHECK_EQ(same, 0);
	htree_close(ht);
	batch_free(&b);
	backend_destroy(be);
	free(zeros);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * Flips a byte of block idx (both versions) and reads blocks
 * [first, first + count): CORRUPT_OBJECT, nothing counted as read, and
 * the whole buffer zeroed.
 */
static void tamper_read(size_t idx, size_t first, size_t count)
{
	struct backend *be = mem_backend_new();
	uint8_t hash[HTREE_HASH_SIZE];
	uint8_t *buf = malloc(count * 4096);
	struct htree *ht;
	struct batch b;
	size_t len, got = 1;
	uint8_t *f;

	REQUIRE(buf);
	REQUIRE(batch_init(&b, be, BATCH_DEFAULT_DATA_CAP,
			   BATCH_DEFAULT_OPS_CAP) == TEE_SUCCESS);
	ht = make_tree(be, &b, "t", hash);
	htree_close(ht);
	REQUIRE(tu_open(be, "t", hash, 0, &ht) == TEE_SUCCESS);
	f = mem_file(be, "t", &len);
	REQUIRE(f);
	f[htree_layout_block_off(idx, 0) + 1000] ^= 0x20;
	f[htree_layout_block_off(idx, 1) + 1000] ^= 0x20;
	memset(buf, 0xAA, count * 4096);
	CHECK_EQ(htree_read(ht, &b, first * 4096, buf, count * 4096, &got),
		 TEE_ERROR_CORRUPT_OBJECT);
	CHECK_EQ(got, 0);
	CHECK(all_zero(buf, count * 4096));
	/* The tree is still usable: a range without the block reads. */
	CHECK(htree_read(ht, &b, (idx + 1) * 4096, buf, 4096, &got) ==
	      TEE_SUCCESS);
	CHECK_MEM(buf, data + (idx + 1) * 4096, 4096);
	htree_close(ht);
	batch_free(&b);
	backend_destroy(be);
	free(buf);
}

static void test_tamper_in_large_read(void)
{
	/* The middle of a 1 MiB read, its first and its last block, the
	 * second chunk of a larger read, and the slot a worker takes. */
	tamper_read(300, 200, 256);
	tamper_read(200, 200, 256);
	tamper_read(455, 200, 256);
	tamper_read(700, 100, 800);
	tamper_read(230, 100, 256);
}

struct reader {
	struct htree *ht;
	struct batch *b;
	unsigned seed;
	int errors;
};

/*
 * Many short parallel reads (40..100 blocks, each a pool job) and a few
 * whole ones: callers post jobs right after others finish, while workers
 * are still leaving the previous job.
 */
static void *reader_main(void *arg)
{
	struct reader *r = arg;
	uint8_t *buf = malloc(LEN);
	size_t got, pos, len;
	int i;

	if (!buf)
		abort();
	for (i = 0; i < 300; i++) {
		r->seed = r->seed * 1103515245u + 12345u;
		len = (40 + (r->seed >> 8) % 60) * 4096;
		pos = (r->seed >> 16) % (LEN - len);
		if (i % 50 == 0) {
			pos = 0;
			len = LEN;
		}
		if (htree_read(r->ht, r->b, pos, buf, len, &got) !=
			TEE_SUCCESS ||
		    got != len || memcmp(buf, data + pos, len))
			r->errors++;
	}
	free(buf);
	return NULL;
}

/* Readers of separate trees at once: one holds the pool, the others find
 * it busy and run alone, or take it over as soon as it is free. */
static void test_concurrent_readers(void)
{
	enum { N = 3 };
	struct backend *be = mem_backend_new();
	uint8_t hash[HTREE_HASH_SIZE];
	struct batch b[N];
	struct reader r[N];
	pthread_t t[N];
	char name[2] = "a";
	int i;

	for (i = 0; i < N; i++) {
		REQUIRE(batch_init(&b[i], be, BATCH_DEFAULT_DATA_CAP,
				   BATCH_DEFAULT_OPS_CAP) == TEE_SUCCESS);
		name[0] = (char)('a' + i);
		r[i] = (struct reader){.ht = make_tree(be, &b[i], name, hash),
				       .b = &b[i],
				       .seed = (unsigned)i + 1};
	}
	for (i = 1; i < N; i++)
		REQUIRE(pthread_create(&t[i], NULL, reader_main, &r[i]) == 0);
	reader_main(&r[0]);
	for (i = 1; i < N; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < N; i++) {
		CHECK_EQ(r[i].errors, 0);
		htree_close(r[i].ht);
		batch_free(&b[i]);
	}
	backend_destroy(be);
}

/* A child forked after the pool started has no workers: its large reads
 * run alone, and finish. */
static void test_forked_child_reads(void)
{
	struct backend *be = mem_backend_new();
	uint8_t hash[HTREE_HASH_SIZE];
	struct htree *ht;
	struct batch b;
	int status = -1;
	pid_t pid;

	REQUIRE(batch_init(&b, be, BATCH_DEFAULT_DATA_CAP,
			   BATCH_DEFAULT_OPS_CAP) == TEE_SUCCESS);
	ht = make_tree(be, &b, "k", hash);
	REQUIRE(htree_pool_slots() > 1);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		alarm(20); /* a hang fails the test instead of blocking it */
		_exit(tu_same(ht, &b, data, LEN) == 0 &&
			      tu_same(ht, &b, data, LEN) == 0
			  ? 0
			  : 1);
	}
	REQUIRE(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	htree_close(ht);
	batch_free(&b);
	backend_destroy(be);
}

/* The pool alone: jobs whose items sleep, so that workers are still
 * inside one caller's job while others post and finish theirs. */
struct pool_caller {
	int runs[64];
	unsigned seed;
	int errors;
};

static TEE_Result slow_items(void *arg, unsigned slot, size_t begin, size_t end)
{
	struct pool_caller *c = arg;
	size_t i;

	(void)slot;
	for (i = begin; i < end; i++) {
		c->runs[i]++;
		usleep(i % 8 ? 0 : 300); /* past the pool's spinning */
	}
	return i == 64 ? TEE_ERROR_CORRUPT_OBJECT : TEE_SUCCESS;
}

static void *pool_caller_main(void *arg)
{
	struct pool_caller *c = arg;
	struct htree_pool_job job;
	size_t n, i;
	int k;

	for (k = 0; k < 60; k++) {
		c->seed = c->seed * 1103515245u + 12345u;
		n = 8 + (c->seed >> 8) % 57;
		memset(c->runs, 0, sizeof(c->runs));
		htree_pool_start(&job, slow_items, c, n, 4);
		if (htree_pool_finish(&job) !=
		    (n == 64 ? TEE_ERROR_CORRUPT_OBJECT : TEE_SUCCESS))
			c->errors++;
		for (i = 0; i < n; i++)
			c->errors += c->runs[i] != 1;
	}
	return NULL;
}

static void test_pool_callers(void)
{
	enum { N = 4 };
	struct pool_caller c[N];
	pthread_t t[N];
	int i;

	memset(c, 0, sizeof(c));
	for (i = 0; i < N; i++)
		c[i].seed = (unsigned)i * 7 + 1;
	for (i = 1; i < N; i++)
		REQUIRE(pthread_create(&t[i], NULL, pool_caller_main, &c[i]) ==
			0);
	pool_caller_main(&c[0]);
	for (i = 1; i < N; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < N; i++)
		CHECK_EQ(c[i].errors, 0);
}

int main(void)
{
	/* Before the pool's first use: as many threads as it takes. */
	setenv("TEESTORE_CRYPTO_THREADS", "4", 1);
	data = malloc(LEN);
	if (!data)
		abort();
	test_fill_pattern(data, LEN, 5);
	RUN(test_round_trip);
	RUN(test_fresh_ivs);
	RUN(test_tamper_in_large_read);
	RUN(test_concurrent_readers);
	RUN(test_forked_child_reads);
	RUN(test_pool_callers);
	free(data);
	return test_report();
}
