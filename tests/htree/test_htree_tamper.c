/*
 * Tampering with hash-tree files: every byte of both headers and of every
 * node image, bytes of every data block, swapped blocks, files swapped
 * between trees, an older file under a newer hash, truncated and random
 * files. Each open or read must fail with CORRUPT_OBJECT or SECURITY, or
 * (when the byte belongs to a version nothing uses) succeed with exactly
 * the right plaintext: never wrong plaintext, never a crash.
 */
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "htree_layout.h"
#include "htree_priv.h"
#include "htree_testutil.h"
#include "test.h"

/* 40 blocks: nodes 1..40 span two node blocks. */
#define LEN (40 * 4096 - 100)

struct fixture {
	struct backend *be;
	struct batch b;
	uint8_t *data; /* committed plaintext (generation 2) */
	uint8_t *old;  /* file bytes of generation 1 */
	size_t old_len;
	uint8_t *good; /* file bytes of generation 2 */
	size_t good_len;
	uint8_t hash[HTREE_HASH_SIZE];
	uint32_t counter;
	unsigned tried, detected, harmless;
};

static struct fixture fx;

/* Builds file "t" with two committed generations, both header slots and
 * both versions of many nodes in use. */
static void fixture_setup(void)
{
	struct htree *ht = NULL;
	uint8_t *f;

	fx.be = mem_backend_new();
	fx.data = malloc(LEN);
	if (!fx.data || batch_init(&fx.b, fx.be, BATCH_DEFAULT_DATA_CAP,
				   BATCH_DEFAULT_OPS_CAP) != TEE_SUCCESS)
		abort();
	test_fill_pattern(fx.data, LEN, 5);
	if (tu_create(fx.be, &fx.b, "t", &ht) ||
	    htree_write(ht, &fx.b, 0, fx.data, LEN) ||
	    tu_commit(ht, &fx.b, fx.hash))
		abort();
	f = mem_file(fx.be, "t", &fx.old_len);
	fx.old = malloc(fx.old_len);
	memcpy(fx.old, f, fx.old_len);
	/* Generation 2 rewrites every other block. */
	test_fill_pattern(fx.data, 4096, 6);
	test_fill_pattern(fx.data + 8 * 4096, 3 * 4096, 7);
	if (htree_write(ht, &fx.b, 0, fx.data, 4096) ||
	    htree_write(ht, &fx.b, 8 * 4096, fx.data + 8 * 4096, 3 * 4096) ||
	    tu_commit(ht, &fx.b, fx.hash))
		abort();
	fx.counter = htree_committed_counter(ht);
	htree_close(ht);
	f = mem_file(fx.be, "t", &fx.good_len);
	fx.good = malloc(fx.good_len);
	memcpy(fx.good, f, fx.good_len);
}

static void fixture_restore(void)
{
	mem_file_set(fx.be, "t", fx.good, fx.good_len);
}

/* Opens "t" (by hash or by counter) and reads it all: returns 0 when the
 * outcome is allowed. */
static int outcome_ok(bool by_hash)
{
	struct htree *ht = NULL;
	TEE_Result res;
	uint8_t *buf;
	size_t got = 0;
	int rc = 0;

	fx.tried++;
	res = tu_open(fx.be, "t", by_hash ? fx.hash : NULL, fx.counter, &ht);
	if (res == TEE_ERROR_CORRUPT_OBJECT || res == TEE_ERROR_SECURITY) {
		fx.detected++;
		return 0;
	}
	if (res != TEE_SUCCESS) {
		fprintf(stderr, "open: unexpected %#x\n", res);
		return -1;
	}
	buf = malloc(LEN + 1);
	res = htree_read(ht, NULL, 0, buf, LEN + 1, &got);
	if (res == TEE_ERROR_CORRUPT_OBJECT) {
		fx.detected++;
	} else if (res != TEE_SUCCESS || got != LEN ||
		   memcmp(buf, fx.data, LEN)) {
		fprintf(stderr, "read: res %#x got %zu: WRONG PLAINTEXT\n", res,
			got);
		rc = -1;
	} else {
		fx.harmless++;
	}
	free(buf);
	htree_close(ht);
	return rc;
}

/* Flips byte off of "t" (all patterns, or one chosen by the offset) and
 * checks both open modes. */
static void flip_and_check_with(size_t off, bool all_masks)
{
	static const uint8_t masks[] = {0x01, 0x80, 0xff};
	size_t len;
	uint8_t *f;
	size_t i;

	for (i = all_masks ? 0 : off % 3; i < sizeof(masks); i++) {
		fixture_restore();
		f = mem_file(fx.be, "t", &len);
		if (off >= len)
			return;
		f[off] ^= masks[i];
		if (outcome_ok(true) || outcome_ok(false)) {
			fprintf(stderr, "  at byte %zu mask %#x\n", off,
				masks[i]);
			CHECK(0);
			return;
		}
		if (!all_masks)
			return;
	}
}

static void flip_and_check(size_t off)
{
	flip_and_check_with(off, false);
}

static void test_tamper_headers(void)
{
	size_t off;
	unsigned detected = fx.detected;

	for (off = 0; off < 2 * HTREE_LAYOUT_HEAD_SIZE; off++)
		flip_and_check_with(off, true);
	/* The committed header's every byte matters. */
	CHECK(fx.detected - detected >= 68 * 3);
	fixture_restore();
}

static void test_tamper_nodes(void)
{
	uint32_t id;
	unsigned v;
	size_t i;

	for (id = 1; id <= 40; id++)
		for (v = 0; v < 2; v++)
			for (i = 0; i < HTREE_LAYOUT_NODE_SIZE; i++)
				flip_and_check(htree_layout_node_off(id, v) +
					       i);
	fixture_restore();
}

static void test_tamper_blocks(void)
{
	static const size_t where[] = {0, 1, 2047, 4095};
	uint64_t idx;
	unsigned v;
	size_t i;

	for (idx = 0; idx < 40; idx++)
		for (v = 0; v < 2; v++)
			for (i = 0; i < sizeof(where) / sizeof(where[0]); i++)
				flip_and_check(htree_layout_block_off(idx, v) +
					       where[i]);
	fixture_restore();
}

static void swap_bytes(uint8_t *f, size_t a, size_t b, size_t n)
{
	uint8_t tmp[4096];

	memcpy(tmp, f + a, n);
	memcpy(f + a, f + b, n);
	memcpy(f + b, tmp, n);
}

static void test_tamper_swaps(void)
{
	size_t len;
	uint8_t *f;

	/* Two data blocks (both versions). */
	f = mem_file(fx.be, "t", &len);
	swap_bytes(f, htree_layout_block_off(3, 0),
		   htree_layout_block_off(5, 0), 4096);
	swap_bytes(f, htree_layout_block_off(3, 1),
		   htree_layout_block_off(5, 1), 4096);
	CHECK(outcome_ok(true) == 0 && outcome_ok(false) == 0);
	fixture_restore();
	/* Two node images. */
	f = mem_file(fx.be, "t", &len);
	swap_bytes(f, htree_layout_node_off(4, 0), htree_layout_node_off(5, 0),
		   132);
	CHECK(outcome_ok(true) == 0 && outcome_ok(false) == 0);
	fixture_restore();
	/* The two header slots. */
	f = mem_file(fx.be, "t", &len);
	swap_bytes(f, 0, 68, 68);
	CHECK(outcome_ok(true) == 0 && outcome_ok(false) == 0);
	fixture_restore();
}

/* An older generation of the file given with the newer expected hash;
 * by counter, min_counter catches it. */
static void test_tamper_rollback(void)
{
	unsigned detected = fx.detected;

	mem_file_set(fx.be, "t", fx.old, fx.old_len);
	CHECK(outcome_ok(true) == 0 && outcome_ok(false) == 0);
	CHECK_EQ(fx.detected - detected, 2);
	fixture_restore();
}

/* Another tree's file with the same TSK under this tree's hash. */
static void test_tamper_other_file(void)
{
	struct htree *ht = NULL;
	uint8_t hash[HTREE_HASH_SIZE];
	unsigned detected = fx.detected;
	size_t len;
	uint8_t *f;

	if (tu_create(fx.be, &fx.b, "u", &ht) ||
	    htree_write(ht, &fx.b, 0, fx.data, LEN) ||
	    tu_commit(ht, &fx.b, hash) ||
	    htree_write(ht, &fx.b, 0, fx.data, 4096) ||
	    tu_commit(ht, &fx.b, hash))
		abort();
	htree_close(ht);
	f = mem_file(fx.be, "u", &len);
	mem_file_set(fx.be, "t", f, len);
	CHECK(outcome_ok(true) == 0);
	CHECK_EQ(fx.detected - detected, 1);
	fixture_restore();
}

/* Every length the file could be cut to (at element boundaries). */
static void test_tamper_truncated(void)
{
	size_t cut;

	struct htree *ht = NULL;

	/* Empty: a create that never happened (by counter), else corrupt. */
	mem_file_set(fx.be, "t", fx.good, 0);
	CHECK(tu_open(fx.be, "t", NULL, 0, &ht) == TEE_ERROR_NO_DATA);
	CHECK(outcome_ok(true) == 0);
	for (cut = 1; cut < fx.good_len; cut += cut < 4500 ? 33 : 2048) {
		mem_file_set(fx.be, "t", fx.good, cut);
		CHECK(outcome_ok(true) == 0);
		CHECK(outcome_ok(false) == 0);
	}
	fixture_restore();
}

/* Random bytes of many lengths: errors, never a crash or a success. */
static void test_random_files(void)
{
	static const size_t lens[] = {1,    67,	  68,	 135,  136,
				      4228, 8192, 16384, 70000};
	uint8_t *buf = malloc(70000);
	struct htree *ht = NULL;
	size_t i, j;

	REQUIRE(buf);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (j = 0; j < 20; j++) {
			test_fill_pattern(buf, lens[i], i * 100 + j);
			mem_file_set(fx.be, "r", buf, lens[i]);
			CHECK(tu_open(fx.be, "r", NULL, 0, &ht) != TEE_SUCCESS);
			CHECK(tu_open(fx.be, "r", fx.hash, 0, &ht) !=
			      TEE_SUCCESS);
			CHECK(ht == NULL);
		}
	}
	free(buf);
}

/*
 * Headers that authenticate (sealed with the real FEK) but claim what no
 * writer produces: the length/max_node_id checks must refuse them, and
 * memory stays bounded.
 */
static void seal_header(struct htree *ht, uint64_t length, uint32_t max)
{
	uint8_t imeta[16] = {0}, img[HTREE_LAYOUT_HEAD_SIZE];
	struct htree_head h = ht->head;
	size_t len;
	uint8_t *f;

	put_le64(imeta, length);
	put_le32(imeta + 8, max);
	if (htree_head_encrypt(ht, &h, ht->committed_hash, imeta))
		abort();
	htree_head_pack(&h, img);
	fixture_restore();
	f = mem_file(fx.be, "t", &len);
	memcpy(f + htree_layout_head_off(h.counter & 1), img, sizeof(img));
}

static void test_hostile_imeta(void)
{
	static const struct {
		uint64_t length;
		uint32_t max;
	} bad[] = {
	    {HTREE_MAX_LENGTH + 1, 0},		/* too long */
	    {LEN, 39},				/* a block without a node */
	    {LEN, 41},				/* two nodes past the end */
	    {LEN, 0xffffffffu},			/* absurd */
	    {0, 0xffffffffu},			/* absurd */
	    {HTREE_MAX_LENGTH, (1u << 21) + 1}, /* allowed, file short */
	    {LEN - 1, 40},			/* root hash binds the length */
	    {4096, 0},				/* likewise */
	};
	struct htree *ht = NULL, *t = NULL;
	size_t i;

	fixture_restore();
	REQUIRE(tu_open(fx.be, "t", fx.hash, 0, &ht) == TEE_SUCCESS);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		seal_header(ht, bad[i].length, bad[i].max);
		CHECK(tu_open(fx.be, "t", fx.hash, 0, &t) ==
		      TEE_ERROR_CORRUPT_OBJECT);
		CHECK(tu_open(fx.be, "t", NULL, 0, &t) ==
		      TEE_ERROR_CORRUPT_OBJECT);
		CHECK(t == NULL);
	}
	/* The sealing itself is right: the true values open. */
	seal_header(ht, LEN, 40);
	CHECK(outcome_ok(true) == 0 && outcome_ok(false) == 0);
	CHECK(tu_open(fx.be, "t", fx.hash, 0, &t) == TEE_SUCCESS);
	htree_close(t);
	htree_close(ht);
	fixture_restore();
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr,
			"usage: %s\nTamper tests of the hash-tree "
			"file (no options).\n",
			argv[0]);
		return strcmp(argv[1], "--help") ? 2 : 0;
	}
	fixture_setup();
	RUN(test_tamper_headers);
	RUN(test_tamper_nodes);
	RUN(test_tamper_blocks);
	RUN(test_tamper_swaps);
	RUN(test_tamper_rollback);
	RUN(test_tamper_other_file);
	RUN(test_tamper_truncated);
	RUN(test_random_files);
	RUN(test_hostile_imeta);
	fprintf(stderr,
		"%u tampered opens: %u detected, %u harmless "
		"(unused version), 0 wrong\n",
		fx.tried, fx.detected, fx.harmless);
	batch_free(&fx.b);
	backend_destroy(fx.be);
	free(fx.data);
	free(fx.old);
	free(fx.good);
	return test_report();
}
