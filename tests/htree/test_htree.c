/*
 * Behaviour of the hash-tree file (storage/htree): layout, create, round
 * trips, grow and shrink, version selection on reopen, abort, phases,
 * round trips per operation. Tampering is in test_htree_tamper.c, the
 * independent reader in test_htree_oracle.c.
 */
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "htree_layout.h"
#include "htree_testutil.h"
#include "test.h"

/*
 * A default batch on be and file name created in it, empty (two checks,
 * as the REQUIREs they stand for); false, the test to stop, if one failed.
 */
static bool setup(struct backend *be, struct batch *b, const char *name,
		  struct htree **ht)
{
	unsigned before = test_failures;

	CHECK(batch_init(b, be, BATCH_DEFAULT_DATA_CAP,
			 BATCH_DEFAULT_OPS_CAP) == TEE_SUCCESS);
	if (test_failures != before)
		return false;
	CHECK(tu_create(be, b, name, ht) == TEE_SUCCESS);
	return test_failures == before;
}

/* Closes the tree, frees the batch and the backend (after setup). */
static void teardown(struct backend *be, struct batch *b, struct htree *ht)
{
	htree_close(ht);
	batch_free(b);
	backend_destroy(be);
}

static void test_layout_offsets(void)
{
	/* Computed by hand from bidx = 2 * idx + vers,
	 * pbn = 2 + bidx + bidx / 61, off = pbn * 4096. */
	static const struct {
		uint64_t idx, off0, off1;
	} blocks[] = {
	    {0, 8192, 12288},	      /* pbn 2, 3 */
	    {1, 16384, 20480},	      /* pbn 4, 5 */
	    {29, 245760, 249856},     /* pbn 60, 61 */
	    {30, 253952, 262144},     /* pbn 62, 64 (63: nodes) */
	    {31, 266240, 270336},     /* pbn 65, 66 */
	    {60, 503808, 507904},     /* pbn 123, 124 */
	    {61, 516096, 520192},     /* pbn 126, 127 (125: nodes) */
	    {62, 524288, 528384},     /* pbn 128, 129 */
	    {1000, 8331264, 8335360}, /* pbn 2034, 2035 */
	};
	/* pbn = 1 + (idx / 31) * 62, off = pbn * 4096 + 132 * (idx % 31)
	 * + 66 * vers, idx = node_id - 1. */
	static const struct {
		uint32_t id;
		uint64_t off0, off1;
	} nodes[] = {
	    {1, 4096, 4162},	  {31, 8056, 8122}, /* 4096 + 132 * 30 */
	    {32, 258048, 258114},		    /* pbn 63 */
	    {62, 262008, 262074},		    /* 258048 + 3960 */
	    {63, 512000, 512066},		    /* pbn 125 */
	};
	size_t i;

	for (i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
		CHECK_EQ(htree_layout_block_off(blocks[i].idx, 0),
			 blocks[i].off0);
		CHECK_EQ(htree_layout_block_off(blocks[i].idx, 1),
			 blocks[i].off1);
	}
	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		CHECK_EQ(htree_layout_node_off(nodes[i].id, 0), nodes[i].off0);
		CHECK_EQ(htree_layout_node_off(nodes[i].id, 1), nodes[i].off1);
	}
	CHECK_EQ(htree_layout_head_off(0), 0);
	CHECK_EQ(htree_layout_head_off(1), 68);
	CHECK_EQ(htree_layout_file_size(0, 0), 4228);
	CHECK_EQ(htree_layout_file_size(1, 0), 16384);
	CHECK_EQ(htree_layout_file_size(4096, 0), 16384);
	/* 70000 bytes: blocks 0..17, block 17 v1 at pbn 2 + 35 = 37. */
	CHECK_EQ(htree_layout_file_size(70000, 18), 38 * 4096);
}

static void test_create_layout(void)
{
	struct backend *be = mem_backend_new();
	struct htree *ht = NULL;
	struct batch b;
	uint8_t hash[HTREE_HASH_SIZE], zero[68] = {0};
	uint8_t *f;
	size_t len = 0;

	if (!setup(be, &b, "0", &ht))
		return;
	f = mem_file(be, "0", &len);
	/* An empty new file is 4228 bytes: header slot 1 counter 1, a zero
	 * header in slot 0, root version 1 only. */
	CHECK_EQ(len, 4228);
	CHECK_MEM(f, zero, 68);
	CHECK_EQ(get_le32(f + 68 + 64), 1);
	CHECK_MEM(f + 4096, zero, 66);
	CHECK_EQ(htree_committed_counter(ht), 1);
	CHECK_EQ(htree_committed_file_size(ht), 4228);
	htree_committed_hash(ht, hash);
	CHECK_MEM(f + 4162, hash, 32);
	htree_close(ht);

	/* Reopens both ways: by counter and by root hash. */
	CHECK(tu_open(be, "0", NULL, 0, &ht) == TEE_SUCCESS);
	CHECK(ht && htree_size(ht) == 0);
	htree_close(ht);
	CHECK(tu_open(be, "0", hash, 0, &ht) == TEE_SUCCESS);

	/* A freshly created object: one byte, commits at counter 2, header
	 * slot 0, root version 0, and the file is 16384 bytes. */
	CHECK(htree_write(ht, &b, 0, "x", 1) == TEE_SUCCESS);
	CHECK(tu_commit(ht, &b, hash) == TEE_SUCCESS);
	f = mem_file(be, "0", &len);
	CHECK_EQ(len, 16384);
	CHECK_EQ(htree_committed_counter(ht), 2);
	CHECK_EQ(get_le32(f + 64), 2);
	CHECK_MEM(f + 4096, hash, 32);
	CHECK_EQ(htree_committed_file_size(ht), 16384);
	htree_close(ht);
	CHECK(tu_open(be, "0", NULL, 0, &ht) == TEE_SUCCESS);
	CHECK(ht && tu_same(ht, &b, (const uint8_t *)"x", 1) == 0);
	htree_close(ht);

	/* The dummy header carries min_counter. */
	{
		uint32_t fh;

		REQUIRE(backend_create(be, "1", &fh) == TEE_SUCCESS);
		REQUIRE(htree_create(be, fh, test_tsk, &test_cfg, 6, &b, &ht) ==
			TEE_SUCCESS);
		REQUIRE(batch_flush(&b) == TEE_SUCCESS);
		f = mem_file(be, "1", &len);
		CHECK_EQ(get_le32(f + 64), 6);
		htree_close(ht);
	}
	batch_free(&b);
	backend_destroy(be);
}

/* A file that never got past create: no header at all or zero headers. */
static void test_no_data(void)
{
	struct backend *be = mem_backend_new();
	struct htree *ht = NULL;
	uint8_t zero[200] = {0};

	mem_file_set(be, "e", NULL, 0);
	CHECK(tu_open(be, "e", NULL, 0, &ht) == TEE_ERROR_NO_DATA);
	mem_file_set(be, "e", zero, 100);
	CHECK(tu_open(be, "e", NULL, 0, &ht) == TEE_ERROR_NO_DATA);
	mem_file_set(be, "e", zero, sizeof(zero));
	CHECK(tu_open(be, "e", NULL, 0, &ht) == TEE_ERROR_NO_DATA);
	/* With an expected hash there is no such leniency. */
	CHECK(tu_open(be, "e", zero, 0, &ht) == TEE_ERROR_CORRUPT_OBJECT);
	CHECK(ht == NULL);
	backend_destroy(be);
}

#define MODEL_MAX (320 * 1024)

struct rt {
	struct backend *be;
	struct batch b;
	struct htree *ht;
	uint8_t *model, *committed;
	size_t len, committed_len;
	uint8_t hash[HTREE_HASH_SIZE];
	uint64_t seed;
};

static void rt_commit(struct rt *t)
{
	CHECK(tu_commit(t->ht, &t->b, t->hash) == TEE_SUCCESS);
	memcpy(t->committed, t->model, t->len);
	t->committed_len = t->len;
}

static void rt_reopen(struct rt *t, bool by_hash)
{
	batch_discard(&t->b);
	htree_close(t->ht);
	t->ht = NULL;
	CHECK(tu_open(t->be, "f", by_hash ? t->hash : NULL, 0, &t->ht) ==
	      TEE_SUCCESS);
	if (!t->ht)
		abort();
	CHECK(tu_same(t->ht, &t->b, t->committed, t->committed_len) == 0);
	/* Uncommitted changes are gone with the closed tree. */
	batch_discard(&t->b);
	memcpy(t->model, t->committed, t->committed_len);
	t->len = t->committed_len;
}

static void rt_write(struct rt *t)
{
	size_t pos = test_rand(&t->seed) % (MODEL_MAX / 2);
	size_t len = test_rand(&t->seed) % 3 == 0 ? test_rand(&t->seed) % 64
						  : test_rand(&t->seed) % 20000;
	uint8_t *src = malloc(len + 1);

	if (!src)
		abort();
	test_fill_pattern(src, len, test_rand(&t->seed));
	CHECK(htree_write(t->ht, &t->b, pos, src, len) == TEE_SUCCESS);
	if (len) {
		if (pos > t->len)
			memset(t->model + t->len, 0, pos - t->len);
		memcpy(t->model + pos, src, len);
		if (pos + len > t->len)
			t->len = pos + len;
	}
	free(src);
}

static void rt_truncate(struct rt *t)
{
	size_t len = test_rand(&t->seed) % (MODEL_MAX / 2);

	CHECK(htree_truncate(t->ht, &t->b, len) == TEE_SUCCESS);
	if (len > t->len)
		memset(t->model + t->len, 0, len - t->len);
	t->len = len;
}

/* Random writes, truncates, reads, commits, aborts and reopens against
 * a model. */
static void test_roundtrip_random(void)
{
	struct rt t = {.seed = 42};
	int i;

	t.be = mem_backend_new();
	t.model = calloc(1, MODEL_MAX);
	t.committed = calloc(1, MODEL_MAX);
	REQUIRE(t.model && t.committed);
	REQUIRE(batch_init(&t.b, t.be, 256 * 1024, 256) == TEE_SUCCESS);
	REQUIRE(tu_create(t.be, &t.b, "f", &t.ht) == TEE_SUCCESS);
	t.committed_len = 0;
	htree_committed_hash(t.ht, t.hash);
	for (i = 0; i < 400 && !test_failures; i++) {
		unsigned op = test_rand(&t.seed) % 16;

		if (op < 7)
			rt_write(&t);
		else if (op < 9)
			rt_truncate(&t);
		else if (op < 11)
			CHECK(tu_same(t.ht, &t.b, t.model, t.len) == 0);
		else if (op < 13)
			rt_commit(&t);
		else if (op == 13)
			rt_reopen(&t, true);
		else if (op == 14)
			rt_reopen(&t, false);
		else {
			/* Everything since the commit is forgotten. */
			batch_discard(&t.b);
			CHECK(htree_commit_abort(t.ht) == TEE_SUCCESS);
			memcpy(t.model, t.committed, t.committed_len);
			t.len = t.committed_len;
			CHECK(tu_same(t.ht, &t.b, t.model, t.len) == 0);
		}
	}
	rt_commit(&t);
	rt_reopen(&t, true);
	rt_reopen(&t, false);
	htree_close(t.ht);
	batch_free(&t.b);
	backend_destroy(t.be);
	free(t.model);
	free(t.committed);
}

/*
 * OP-TEE's shrink bug: 150000 -> 70000 bytes removes nodes whose parents
 * stay; the parents must be rewritten or the next open fails. Also: the
 * REE file is not truncated by the shrink, and may be cut to
 * htree_committed_file_size() after the commit.
 */
static void test_shrink_150000_to_70000(void)
{
	struct backend *be = mem_backend_new();
	struct htree *ht = NULL;
	uint8_t hash[HTREE_HASH_SIZE];
	uint8_t *data = malloc(150000);
	struct batch b;
	size_t len_before = 0, len = 0;
	uint32_t fh;

	REQUIRE(data);
	test_fill_pattern(data, 150000, 7);
	if (!setup(be, &b, "s", &ht))
		return;
	CHECK(htree_write(ht, &b, 0, data, 150000) == TEE_SUCCESS);
	CHECK(tu_commit(ht, &b, hash) == TEE_SUCCESS);
	mem_file(be, "s", &len_before);
	CHECK(htree_truncate(ht, &b, 70000) == TEE_SUCCESS);
	CHECK(tu_commit(ht, &b, hash) == TEE_SUCCESS);
	mem_file(be, "s", &len);
	CHECK_EQ(len, len_before); /* nothing truncated before the commit */
	CHECK_EQ(htree_committed_file_size(ht),
		 htree_layout_file_size(70000, 18));
	htree_close(ht);

	CHECK(tu_open(be, "s", hash, 0, &ht) == TEE_SUCCESS);
	REQUIRE(ht);
	CHECK(tu_same(ht, &b, data, 70000) == 0);
	/* Cut the file as the caller may after the commit; still fine. */
	REQUIRE(backend_open(be, "s", &fh) == TEE_SUCCESS);
	CHECK(backend_truncate(be, fh, htree_committed_file_size(ht)) ==
	      TEE_SUCCESS);
	htree_close(ht);
	CHECK(tu_open(be, "s", NULL, 0, &ht) == TEE_SUCCESS);
	REQUIRE(ht);
	CHECK(tu_same(ht, &b, data, 70000) == 0);
	/* Growing again zero-fills from the old end. */
	CHECK(htree_truncate(ht, &b, 100000) == TEE_SUCCESS);
	memset(data + 70000, 0, 30000);
	CHECK(tu_commit(ht, &b, hash) == TEE_SUCCESS);
	htree_close(ht);
	CHECK(tu_open(be, "s", hash, 0, &ht) == TEE_SUCCESS);
	REQUIRE(ht);
	CHECK(tu_same(ht, &b, data, 100000) == 0);
	teardown(be, &b, ht);
	free(data);
}

/* Shrink then regrow in one transaction, then abort: the committed
 * blocks of the removed nodes must not have been overwritten. */
static void test_shrink_regrow_abort(void)
{
	struct backend *be = mem_backend_new();
	struct htree *ht = NULL;
	uint8_t hash[HTREE_HASH_SIZE];
	uint8_t *data = malloc(100000), *junk = malloc(100000);
	struct batch b;

	REQUIRE(data && junk);
	test_fill_pattern(data, 100000, 1);
	test_fill_pattern(junk, 100000, 2);
	if (!setup(be, &b, "g", &ht))
		return;
	CHECK(htree_write(ht, &b, 0, data, 100000) == TEE_SUCCESS);
	CHECK(tu_commit(ht, &b, hash) == TEE_SUCCESS);
	CHECK(htree_truncate(ht, &b, 10) == TEE_SUCCESS);
	CHECK(htree_write(ht, &b, 0, junk, 100000) == TEE_SUCCESS);
	CHECK(batch_flush(&b) == TEE_SUCCESS);
	CHECK(htree_commit_abort(ht) == TEE_SUCCESS);
	CHECK(tu_same(ht, &b, data, 100000) == 0);
	htree_close(ht);
	CHECK(tu_open(be, "g", hash, 0, &ht) == TEE_SUCCESS);
	REQUIRE(ht);
	CHECK(tu_same(ht, &b, data, 100000) == 0);
	teardown(be, &b, ht);
	free(data);
	free(junk);
}

/* A commit with nothing dirty writes nothing, not even the counter. */
static void test_clean_commit_changes_nothing(void)
{
	struct backend *be = mem_backend_new();
	struct htree *ht = NULL;
	uint8_t hash[HTREE_HASH_SIZE], hash2[HTREE_HASH_SIZE];
	struct batch b;
	uint8_t *copy, *f;
	size_t len = 0, len2 = 0;

	if (!setup(be, &b, "c", &ht))
		return;
	CHECK(htree_write(ht, &b, 0, "hello", 5) == TEE_SUCCESS);
	CHECK(tu_commit(ht, &b, hash) == TEE_SUCCESS);
	f = mem_file(be, "c", &len);
	copy = malloc(len);
	REQUIRE(copy);
	memcpy(copy, f, len);
	CHECK(!htree_is_dirty(ht));
	CHECK(htree_commit_prepare(ht, &b, true, hash2) == TEE_SUCCESS);
	CHECK(b.nops == 0);
	CHECK(htree_commit_header(ht, &b) == TEE_SUCCESS);
	CHECK(b.nops == 0);
	htree_commit_done(ht);
	CHECK_MEM(hash, hash2, sizeof(hash));
	CHECK_EQ(htree_committed_counter(ht), 2);
	f = mem_file(be, "c", &len2);
	CHECK(len2 == len && !memcmp(f, copy, len));
	/* A zero-length write changes nothing either. */
	CHECK(htree_write(ht, &b, 1000, "", 0) == TEE_SUCCESS);
	CHECK(!htree_is_dirty(ht));
	CHECK_EQ(htree_size(ht), 5);
	free(copy);
	teardown(be, &b, ht);
}

/* The dirf.db sequence: nodes, then the header in a second phase; the
 * phases refuse what does not belong. */
static void test_phases(void)
{
	struct backend *be = mem_backend_new();
	struct htree *ht = NULL;
	uint8_t hash[HTREE_HASH_SIZE];
	struct batch b;
	size_t got;
	char buf[8];

	if (!setup(be, &b, "d", &ht))
		return;
	CHECK(htree_write(ht, &b, 0, "abc", 3) == TEE_SUCCESS);
	CHECK(htree_commit_prepare(ht, &b, false, hash) == TEE_SUCCESS);
	CHECK(htree_write(ht, &b, 0, "x", 1) == TEE_ERROR_BAD_STATE);
	CHECK(htree_truncate(ht, &b, 0) == TEE_ERROR_BAD_STATE);
	CHECK(htree_commit_prepare(ht, &b, false, hash) == TEE_ERROR_BAD_STATE);
	CHECK(batch_flush(&b) == TEE_SUCCESS);
	/* Before the header lands, the old state is what opens. */
	{
		struct htree *old = NULL;

		CHECK(tu_open(be, "d", NULL, 0, &old) == TEE_SUCCESS);
		CHECK(old && htree_size(old) == 0);
		htree_close(old);
	}
	CHECK(htree_commit_header(ht, &b) == TEE_SUCCESS);
	CHECK(batch_flush(&b) == TEE_SUCCESS);
	htree_commit_done(ht);
	CHECK(htree_read(ht, &b, 0, buf, sizeof(buf), &got) == TEE_SUCCESS);
	CHECK(got == 3 && !memcmp(buf, "abc", 3));
	htree_close(ht);
	CHECK(tu_open(be, "d", NULL, 0, &ht) == TEE_SUCCESS);
	CHECK(ht && tu_same(ht, &b, (const uint8_t *)"abc", 3) == 0);
	CHECK(htree_committed_counter(ht) == 2);
	htree_close(ht);
	CHECK(tu_open(be, "d", hash, 0, &ht) == TEE_SUCCESS);
	htree_close(ht);
	/* min_counter above the committed counter: rollback. */
	CHECK(tu_open(be, "d", NULL, 3, &ht) == TEE_ERROR_SECURITY);
	CHECK(tu_open(be, "d", hash, 3, &ht) == TEE_ERROR_SECURITY);
	batch_free(&b);
	backend_destroy(be);
}

/* max_node_id stays 0 while only block 0 was ever used (OP-TEE). */
static void test_max_node_id_zero(void)
{
	struct backend *be = mem_backend_new();
	struct htree *ht = NULL;
	uint8_t hash[HTREE_HASH_SIZE], data[4097];
	struct batch b;

	test_fill_pattern(data, sizeof(data), 3);
	if (!setup(be, &b, "z", &ht))
		return;
	CHECK(htree_write(ht, &b, 0, data, 4096) == TEE_SUCCESS);
	CHECK(tu_commit(ht, &b, hash) == TEE_SUCCESS);
	htree_close(ht);
	CHECK(tu_open(be, "z", hash, 0, &ht) == TEE_SUCCESS);
	REQUIRE(ht);
	CHECK(tu_same(ht, &b, data, 4096) == 0);
	CHECK(htree_write(ht, &b, 4096, data + 4096, 1) == TEE_SUCCESS);
	CHECK(tu_commit(ht, &b, hash) == TEE_SUCCESS);
	htree_close(ht);
	CHECK(tu_open(be, "z", hash, 0, &ht) == TEE_SUCCESS);
	REQUIRE(ht);
	CHECK(tu_same(ht, &b, data, 4097) == 0);
	teardown(be, &b, ht);
}

/* The header AAD with the full 32-byte root hash: a different format. */
static void test_hash_size_full(void)
{
	struct backend *be = mem_backend_new();
	struct htree_config full = {.hash_size_compat = false};
	struct htree *ht = NULL;
	uint8_t hash[HTREE_HASH_SIZE];
	struct batch b;
	uint32_t fh;

	REQUIRE(batch_init(&b, be, BATCH_DEFAULT_DATA_CAP,
			   BATCH_DEFAULT_OPS_CAP) == TEE_SUCCESS);
	REQUIRE(backend_create(be, "h", &fh) == TEE_SUCCESS);
	REQUIRE(htree_create(be, fh, test_tsk, &full, 0, &b, &ht) ==
		TEE_SUCCESS);
	CHECK(htree_write(ht, &b, 0, "full", 4) == TEE_SUCCESS);
	CHECK(tu_commit(ht, &b, hash) == TEE_SUCCESS);
	htree_close(ht);
	CHECK(htree_open(be, fh, test_tsk, hash, 0, &full, &ht) == TEE_SUCCESS);
	CHECK(ht && tu_same(ht, &b, (const uint8_t *)"full", 4) == 0);
	htree_close(ht);
	CHECK(htree_open(be, fh, test_tsk, hash, 0, &test_cfg, &ht) ==
	      TEE_ERROR_CORRUPT_OBJECT);
	batch_free(&b);
	backend_destroy(be);
}

/* The bytes of block idx's version vers in file name. */
static const uint8_t *slot_bytes(struct backend *be, const char *name,
				 uint64_t idx, unsigned vers)
{
	size_t len = 0;
	uint8_t *f = mem_file(be, name, &len);
	uint64_t off = htree_layout_block_off(idx, vers);

	return f && off + HTREE_BLOCK_SIZE <= len ? f + off : NULL;
}

/*
 * A block past the committed length goes to both of its places (the file
 * stays dense: htree_rw.c); a committed block is rewritten in its other
 * place only, the committed one untouched, and a crash before the commit
 * record still finds the old bytes.
 */
static void test_dense_appends(void)
{
	struct backend *be = mem_backend_new();
	const size_t bs = HTREE_BLOCK_SIZE;
	uint8_t *data = malloc(70 * bs), old[HTREE_BLOCK_SIZE];
	const uint8_t *a, *b0;
	struct htree *ht = NULL;
	uint8_t hash[HTREE_HASH_SIZE];
	struct batch b;
	uint64_t i;

	REQUIRE(data);
	test_fill_pattern(data, 70 * bs, 5);
	if (!setup(be, &b, "d", &ht))
		return;
	/* 65 blocks: block 30's two places have a node block between them. */
	CHECK(htree_write(ht, &b, 0, data, 65 * bs) == TEE_SUCCESS);
	CHECK(tu_commit(ht, &b, hash) == TEE_SUCCESS);
	CHECK(htree_layout_block_off(30, 1) !=
	      htree_layout_block_off(30, 0) + bs);
	for (i = 0; i < 65; i++) {
		a = slot_bytes(be, "d", i, 0);
		b0 = slot_bytes(be, "d", i, 1);
		REQUIRE(a && b0);
		CHECK(memcmp(a, b0, bs) == 0);
	}
	/* Overwrite block 3 and append blocks 65..69 in one transaction. */
	memcpy(old, slot_bytes(be, "d", 3, 0), bs);
	memset(data + 3 * bs, 0xa5, bs);
	CHECK(htree_write(ht, &b, 3 * bs, data + 3 * bs, bs) == TEE_SUCCESS);
	CHECK(htree_write(ht, &b, 65 * bs, data + 65 * bs, 5 * bs) ==
	      TEE_SUCCESS);
	CHECK(batch_flush(&b) == TEE_SUCCESS);
	/* Exactly one of block 3's places changed. */
	CHECK((memcmp(old, slot_bytes(be, "d", 3, 0), bs) == 0) !=
	      (memcmp(old, slot_bytes(be, "d", 3, 1), bs) == 0));
	for (i = 65; i < 70; i++)
		CHECK(memcmp(slot_bytes(be, "d", i, 0),
			     slot_bytes(be, "d", i, 1), bs) == 0);
	/* Abort: the committed state is what it was. */
	CHECK(htree_commit_abort(ht) == TEE_SUCCESS);
	CHECK_EQ(htree_size(ht), 65 * bs);
	htree_close(ht);
	CHECK(tu_open(be, "d", hash, 0, &ht) == TEE_SUCCESS);
	REQUIRE(ht);
	test_fill_pattern(data, 70 * bs, 5);
	CHECK(tu_same(ht, &b, data, 65 * bs) == 0);
	teardown(be, &b, ht);
	free(data);
}

/* A batch too small for two blocks (one op, 4 KiB) still stores appends:
 * one place per block then, as before dense appends. */
static void test_tiny_batch(void)
{
	struct backend *be = mem_backend_new();
	const size_t bs = HTREE_BLOCK_SIZE;
	uint8_t *data = malloc(40 * bs);
	struct htree *ht = NULL;
	uint8_t hash[HTREE_HASH_SIZE];
	struct batch b;

	REQUIRE(data);
	test_fill_pattern(data, 40 * bs, 8);
	REQUIRE(batch_init(&b, be, bs, 1) == TEE_SUCCESS);
	REQUIRE(tu_create(be, &b, "t", &ht) == TEE_SUCCESS);
	CHECK(htree_write(ht, &b, 0, data, 40 * bs) == TEE_SUCCESS);
	CHECK(tu_commit(ht, &b, hash) == TEE_SUCCESS);
	htree_close(ht);
	CHECK(tu_open(be, "t", hash, 0, &ht) == TEE_SUCCESS);
	REQUIRE(ht);
	CHECK(tu_same(ht, &b, data, 40 * bs) == 0);
	teardown(be, &b, ht);
	free(data);
}

/*
 * Round trips: opening reads the node blocks a few hundred at a time, and
 * a 1 MiB read is four submits (the decryption of each overlaps the next).
 */
static void test_round_trips(void)
{
	struct backend *be = mem_backend_new();
	struct mem_stats *st = mem_stats(be);
	size_t len = 2000 * 4096;
	uint8_t *data = malloc(len), *buf = malloc(1 << 20);
	struct htree *ht = NULL;
	uint8_t hash[HTREE_HASH_SIZE];
	struct batch b;
	uint64_t before;
	size_t got = 0;

	REQUIRE(data && buf);
	test_fill_pattern(data, len, 9);
	if (!setup(be, &b, "r", &ht))
		return;
	before = st->submits;
	CHECK(htree_write(ht, &b, 0, data, len) == TEE_SUCCESS);
	CHECK(tu_commit(ht, &b, hash) == TEE_SUCCESS);
	/* 8000 KiB of fresh blocks, each written to both of its places
	 * (test_dense_appends), through a 1 MiB batch: about 16 + nodes. */
	CHECK(st->submits - before <= 24);
	htree_close(ht);

	before = st->submits;
	CHECK(tu_open(be, "r", hash, 0, &ht) == TEE_SUCCESS);
	REQUIRE(ht);
	/* 2000 nodes = 65 node blocks: the first with the headers, then
	 * the other 64 in one submit. */
	CHECK_EQ(st->submits - before, 2);

	before = st->submits;
	CHECK(htree_read(ht, &b, 4096 * 100, buf, 1 << 20, &got) ==
	      TEE_SUCCESS);
	CHECK_EQ(got, 1 << 20);
	CHECK_MEM(buf, data + 4096 * 100, 1 << 20);
	/* Chunks of 64 blocks, one submit each (htree_rw.c, READ_CHUNK). */
	CHECK_EQ(st->submits - before, 4);
	/* Unaligned: 257 blocks, two of them partial. */
	before = st->submits;
	CHECK(htree_read(ht, &b, 4096 * 7 + 5, buf, 1 << 20, &got) ==
	      TEE_SUCCESS);
	CHECK_MEM(buf, data + 4096 * 7 + 5, 1 << 20);
	CHECK_EQ(st->submits - before, 5);
	CHECK(tu_same(ht, &b, data, len) == 0);
	teardown(be, &b, ht);
	free(data);
	free(buf);
}

/* Small sequential writes: a partial block is not read back each time,
 * and reads see writes still queued in the batch. */
static void test_small_writes(void)
{
	struct backend *be = mem_backend_new();
	struct mem_stats *st = mem_stats(be);
	uint8_t data[40000];
	struct htree *ht = NULL;
	uint8_t hash[HTREE_HASH_SIZE];
	struct batch b;
	uint64_t reads;
	size_t pos, got;
	uint8_t buf[100];

	test_fill_pattern(data, sizeof(data), 11);
	if (!setup(be, &b, "w", &ht))
		return;
	reads = st->reads;
	for (pos = 0; pos < sizeof(data); pos += 1000) {
		CHECK(htree_write(ht, &b, pos, data + pos, 1000) ==
		      TEE_SUCCESS);
		CHECK(htree_read(ht, &b, pos + 900, buf, 100, &got) ==
		      TEE_SUCCESS);
		CHECK(got == 100 && !memcmp(buf, data + pos + 900, 100));
	}
	CHECK_EQ(st->reads, reads);
	CHECK(tu_commit(ht, &b, hash) == TEE_SUCCESS);
	CHECK(tu_same(ht, &b, data, sizeof(data)) == 0);
	/* Read-modify-write of a block only on disk. */
	htree_close(ht);
	CHECK(tu_open(be, "w", hash, 0, &ht) == TEE_SUCCESS);
	REQUIRE(ht);
	memset(data + 5000, 0xab, 10);
	CHECK(htree_write(ht, &b, 5000, data + 5000, 10) == TEE_SUCCESS);
	CHECK(tu_commit(ht, &b, hash) == TEE_SUCCESS);
	htree_close(ht);
	CHECK(tu_open(be, "w", hash, 0, &ht) == TEE_SUCCESS);
	REQUIRE(ht);
	CHECK(tu_same(ht, &b, data, sizeof(data)) == 0);
	/* Writing past the end zero-fills the gap. */
	CHECK(htree_write(ht, &b, 50000, "end", 3) == TEE_SUCCESS);
	CHECK(htree_read(ht, &b, 39990, buf, 100, &got) == TEE_SUCCESS);
	CHECK_EQ(got, 100);
	CHECK_MEM(buf, data + 39990, 10);
	CHECK(buf[10] == 0 && buf[99] == 0);
	CHECK(htree_write(ht, &b, HTREE_MAX_LENGTH, "x", 1) ==
	      TEE_ERROR_BAD_PARAMETERS);
	teardown(be, &b, ht);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr,
			"usage: %s\nTests of the hash-tree file on an "
			"in-memory backend (no options).\n",
			argv[0]);
		return strcmp(argv[1], "--help") ? 2 : 0;
	}
	RUN(test_layout_offsets);
	RUN(test_create_layout);
	RUN(test_no_data);
	RUN(test_roundtrip_random);
	RUN(test_shrink_150000_to_70000);
	RUN(test_shrink_regrow_abort);
	RUN(test_clean_commit_changes_nothing);
	RUN(test_phases);
	RUN(test_max_node_id_zero);
	RUN(test_hash_size_full);
	RUN(test_dense_appends);
	RUN(test_tiny_batch);
	RUN(test_round_trips);
	RUN(test_small_writes);
	return test_report();
}
