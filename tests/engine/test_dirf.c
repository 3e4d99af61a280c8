/* dirf.db: entries, file-number allocation, index, slot reuse, duplicates. */
#include <stdlib.h>
#include <string.h>

#include "dirf.h"
#include "engine_util.h"
#include "test.h"
#include "test_backend.h"

static const char *kind;

struct fixture {
	struct backend *be;
	struct keys *keys;
	struct batch b;
	struct htree_config cfg;
	struct dirf *d;
};

static bool fx_open(struct fixture *fx, bool fresh)
{
	if (fresh) {
		memset(fx, 0, sizeof(*fx));
		fx->be = test_backend_new(kind, test_tmpdir("dirf"));
		if (!fx->be || keys_create(eng_huk, 16, true, &fx->keys) ||
		    batch_init(&fx->b, fx->be, 1 << 20, 1024))
			return false;
		fx->cfg.hash_size_compat = true;
	}
	return dirf_open(fx->be, fx->keys, &fx->cfg, &fx->b, &fx->d) == 0;
}

static void fx_close(struct fixture *fx, bool all)
{
	dirf_close(fx->d);
	fx->d = NULL;
	if (!all)
		return;
	batch_free(&fx->b);
	keys_destroy(fx->keys);
	backend_destroy(fx->be);
}

static TEE_Result commit(struct fixture *fx)
{
	TEE_Result res = dirf_commit_prepare(fx->d, &fx->b);

	if (!res)
		res = batch_sync(&fx->b, dirf_fh(fx->d));
	if (!res)
		res = batch_flush(&fx->b);
	if (!res)
		res = dirf_commit_header(fx->d, &fx->b);
	if (!res)
		res = batch_sync(&fx->b, dirf_fh(fx->d));
	if (!res)
		res = batch_flush(&fx->b);
	if (!res)
		dirf_commit_done(fx->d);
	return res;
}

static void make_entry(struct dirf_entry *e, int ta, const char *id,
		       uint32_t fnum)
{
	memset(e, 0, sizeof(*e));
	e->uuid = eng_ta[ta];
	e->oid_len = (uint32_t)strlen(id);
	memcpy(e->oid, id, e->oid_len);
	memset(e->hash, (int)fnum + 1, sizeof(e->hash));
	e->file_number = fnum;
}

/* Reserves the lowest number and inserts (ta, id) with it. */
static uint32_t add(struct fixture *fx, int ta, const char *id)
{
	struct dirf_entry e;
	uint32_t fnum = 0, old = 0;

	CHECK_EQ(dirf_reserve_fnum(fx->d, &fnum), 0);
	make_entry(&e, ta, id, fnum);
	CHECK_EQ(dirf_insert(fx->d, &fx->b, &e, &old), 0);
	CHECK_EQ(old, UINT32_MAX);
	return fnum;
}

static void test_entry_layout_matches_optee(void)
{
	struct dirf_entry e, d;
	uint8_t raw[DIRF_ENTRY_SIZE];

	make_entry(&e, 0, "abc", 0x1f);
	dirf_entry_encode(&e, raw);
	/* uuid as TEE_UUID memory layout, oid zero padded, LE fields. */
	CHECK_EQ(raw[0], 0x00);
	CHECK_EQ(raw[3], 0x8a);
	CHECK_EQ(raw[4], 0x50);
	CHECK_EQ(raw[8], 0xab);
	CHECK_MEM(raw + 16, "abc", 3);
	CHECK_EQ(raw[19], 0);
	CHECK_EQ(raw[80], 3);
	CHECK_EQ(raw[84], 0x20);
	CHECK_EQ(raw[116], 0x1f);
	CHECK(dirf_entry_decode(raw, &d));
	CHECK(!memcmp(&d, &e, sizeof(e)));

	/* The empty ID: oidlen 0, oid[0] = 1; a zero entry is free. */
	make_entry(&e, 1, "", 7);
	dirf_entry_encode(&e, raw);
	CHECK_EQ(raw[16], 1);
	CHECK(dirf_entry_decode(raw, &d));
	CHECK_EQ(d.oid_len, 0);
	memset(raw, 0, sizeof(raw));
	CHECK(!dirf_entry_decode(raw, &d));
	/* An impossible length is never an entry. */
	raw[80] = 65;
	CHECK(!dirf_entry_decode(raw, &d));
}

static void test_file_names(void)
{
	char buf[DIRF_FNAME_SIZE];
	uint32_t n = 0;

	dirf_fname(0, buf);
	CHECK(!strcmp(buf, "0"));
	dirf_fname(0x1f, buf);
	CHECK(!strcmp(buf, "1f"));
	dirf_fname(UINT32_MAX, buf);
	CHECK(!strcmp(buf, "ffffffff"));
	CHECK(dirf_parse_fname("a", &n) && n == 10);
	CHECK(dirf_parse_fname("ffffffff", &n) && n == UINT32_MAX);
	CHECK(!dirf_parse_fname("", &n));
	CHECK(!dirf_parse_fname("01", &n));
	CHECK(!dirf_parse_fname("1F", &n));
	CHECK(!dirf_parse_fname("dirf.db", &n));
	CHECK(!dirf_parse_fname("100000000", &n));
}

static void test_allocation_lowest_free_and_reuse(void)
{
	struct fixture fx;
	struct dirf_entry e;
	uint64_t cursor = 0;
	uint32_t fnum = 0;

	REQUIRE(fx_open(&fx, true));
	CHECK_EQ(add(&fx, 0, "a"), 0);
	CHECK_EQ(add(&fx, 0, "b"), 1);
	CHECK_EQ(add(&fx, 1, "a"), 2);
	CHECK_EQ(commit(&fx), 0);
	/* Removing b frees slot 1 and, once released, number 1. */
	CHECK_EQ(dirf_remove(fx.d, &fx.b, &eng_ta[0], "b", 1, &fnum), 0);
	CHECK_EQ(fnum, 1);
	CHECK_EQ(commit(&fx), 0);
	CHECK(dirf_fnum_in_use(fx.d, 1)); /* reserved until released */
	CHECK_EQ(dirf_reserve_fnum(fx.d, &fnum), 0);
	CHECK_EQ(fnum, 3);
	dirf_release_fnum(fx.d, 3);
	dirf_release_fnum(fx.d, 1);
	CHECK_EQ(add(&fx, 2, "c"), 1);
	CHECK_EQ(commit(&fx), 0);
	/* c took the free slot 1: enumeration in slot order. */
	CHECK_EQ(dirf_next(fx.d, NULL, &cursor, &e), 0);
	CHECK_EQ(e.file_number, 0);
	CHECK_EQ(dirf_next(fx.d, NULL, &cursor, &e), 0);
	CHECK_EQ(e.file_number, 1);
	CHECK(!memcmp(&e.uuid, &eng_ta[2], sizeof(TEE_UUID)));
	CHECK_EQ(cursor, 2);
	CHECK_EQ(dirf_count(fx.d), 3);
	fx_close(&fx, true);
}

static void test_replace_rename_and_per_ta_ids(void)
{
	struct fixture fx;
	struct dirf_entry e;
	uint32_t old = 0, fnum = 0;
	uint64_t cursor = 0;

	REQUIRE(fx_open(&fx, true));
	add(&fx, 0, "x");
	add(&fx, 1, "x"); /* same ID, other TA: a different object */
	CHECK_EQ(commit(&fx), 0);
	CHECK_EQ(dirf_find(fx.d, &eng_ta[1], "x", 1, &e), 0);
	CHECK_EQ(e.file_number, 1);
	/* Replace keeps the slot, changes the number, reserves the old. */
	CHECK_EQ(dirf_reserve_fnum(fx.d, &fnum), 0);
	CHECK_EQ(fnum, 2);
	make_entry(&e, 0, "x", fnum);
	CHECK_EQ(dirf_insert(fx.d, &fx.b, &e, &old), 0);
	CHECK_EQ(old, 0);
	CHECK(dirf_fnum_in_use(fx.d, 0));
	CHECK_EQ(commit(&fx), 0);
	CHECK_EQ(dirf_next(fx.d, &eng_ta[0], &cursor, &e), 0);
	CHECK_EQ(e.file_number, 2);
	CHECK_EQ(cursor, 1);
	CHECK_EQ(dirf_next(fx.d, &eng_ta[0], &cursor, &e),
		 TEE_ERROR_ITEM_NOT_FOUND);
	/* Rename: conflict on an existing target, in place otherwise. */
	CHECK_EQ(dirf_rename(fx.d, &fx.b, &eng_ta[0], "x", 1, "x", 1),
		 TEE_ERROR_ACCESS_CONFLICT);
	CHECK_EQ(dirf_rename(fx.d, &fx.b, &eng_ta[0], "x", 1, "y", 1), 0);
	CHECK_EQ(commit(&fx), 0);
	CHECK_EQ(dirf_find(fx.d, &eng_ta[0], "x", 1, NULL),
		 TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(dirf_find(fx.d, &eng_ta[0], "y", 1, &e), 0);
	CHECK_EQ(e.file_number, 2);
	fx_close(&fx, false);
	/* All of it is on disk. */
	REQUIRE(fx_open(&fx, false));
	CHECK_EQ(dirf_find(fx.d, &eng_ta[0], "y", 1, &e), 0);
	CHECK_EQ(e.file_number, 2);
	CHECK_EQ(dirf_find(fx.d, &eng_ta[1], "x", 1, &e), 0);
	CHECK_EQ(dirf_count(fx.d), 2);
	fx_close(&fx, true);
}

/* 1000 entries span several scan chunks and dirf.db blocks. */
static void test_index_built_from_disk(void)
{
	struct fixture fx;
	struct dirf_entry e;
	char id[32];
	int i;

	REQUIRE(fx_open(&fx, true));
	for (i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "object-%d", i);
		add(&fx, i % ENG_TAS, id);
	}
	CHECK_EQ(commit(&fx), 0);
	fx_close(&fx, false);
	REQUIRE(fx_open(&fx, false));
	CHECK_EQ(dirf_count(fx.d), 1000);
	for (i = 0; i < 1000; i += 37) {
		snprintf(id, sizeof(id), "object-%d", i);
		CHECK_EQ(
		    dirf_find(fx.d, &eng_ta[i % ENG_TAS], id, strlen(id), &e),
		    0);
		CHECK_EQ(e.file_number, (uint32_t)i);
		CHECK_EQ(e.hash[0], (uint8_t)(i + 1));
	}
	CHECK_EQ(dirf_find(fx.d, &eng_ta[1], "object-0", 8, NULL),
		 TEE_ERROR_ITEM_NOT_FOUND);
	fx_close(&fx, true);
}

static void test_abort_restores_committed_index(void)
{
	struct fixture fx;
	uint32_t fnum = 0;

	REQUIRE(fx_open(&fx, true));
	add(&fx, 0, "keep");
	CHECK_EQ(commit(&fx), 0);
	add(&fx, 0, "lost");
	CHECK_EQ(dirf_remove(fx.d, &fx.b, &eng_ta[0], "keep", 4, &fnum), 0);
	CHECK_EQ(dirf_commit_abort(fx.d, &fx.b), 0);
	CHECK_EQ(dirf_find(fx.d, &eng_ta[0], "keep", 4, NULL), 0);
	CHECK_EQ(dirf_find(fx.d, &eng_ta[0], "lost", 4, NULL),
		 TEE_ERROR_ITEM_NOT_FOUND);
	CHECK(!dirf_is_dirty(fx.d));
	fx_close(&fx, true);
}

/* Writes a raw entry into dirf.db behind the index's back, committed. */
static void poke_entry(struct fixture *fx, uint32_t slot,
		       const struct dirf_entry *e)
{
	uint8_t tsk[KEYS_TSK_SIZE], raw[DIRF_ENTRY_SIZE], hash[32];
	struct htree *ht = NULL;
	uint32_t fh = 0;

	dirf_entry_encode(e, raw);
	REQUIRE(backend_open(fx->be, DIRF_FILE_NAME, &fh) == 0);
	REQUIRE(keys_derive_dirf_tsk(fx->keys, tsk) == 0);
	REQUIRE(htree_open(fx->be, fh, tsk, NULL, 0, &fx->cfg, &ht) == 0);
	CHECK_EQ(
	    htree_write(ht, &fx->b, slot * DIRF_ENTRY_SIZE, raw, sizeof(raw)),
	    0);
	CHECK_EQ(htree_commit_prepare(ht, &fx->b, false, hash), 0);
	CHECK_EQ(batch_flush(&fx->b), 0);
	CHECK_EQ(htree_commit_header(ht, &fx->b), 0);
	CHECK_EQ(batch_sync(&fx->b, fh), 0);
	CHECK_EQ(batch_flush(&fx->b), 0);
	htree_commit_done(ht);
	htree_close(ht);
	backend_close(fx->be, fh);
}

static void test_duplicate_file_number_zeroes_later_entry(void)
{
	struct fixture fx;
	struct dirf_entry e;
	uint32_t fnum = 0;

	REQUIRE(fx_open(&fx, true));
	add(&fx, 0, "first");
	add(&fx, 0, "second");
	CHECK_EQ(commit(&fx), 0);
	fx_close(&fx, false);
	make_entry(&e, 1, "dup", 0); /* slot 2, number 0 again */
	poke_entry(&fx, 2, &e);
	REQUIRE(fx_open(&fx, false));
	CHECK_EQ(dirf_find(fx.d, &eng_ta[0], "first", 5, &e), 0);
	CHECK_EQ(e.file_number, 0);
	CHECK_EQ(dirf_find(fx.d, &eng_ta[1], "dup", 3, NULL),
		 TEE_ERROR_ITEM_NOT_FOUND);
	CHECK(dirf_is_dirty(fx.d));
	/* Slot 2 is free again and the zeroing commits with the next change. */
	CHECK_EQ(dirf_reserve_fnum(fx.d, &fnum), 0);
	CHECK_EQ(fnum, 2);
	dirf_release_fnum(fx.d, fnum);
	add(&fx, 2, "new");
	CHECK_EQ(commit(&fx), 0);
	fx_close(&fx, false);
	REQUIRE(fx_open(&fx, false));
	CHECK(!dirf_is_dirty(fx.d));
	CHECK_EQ(dirf_count(fx.d), 3);
	CHECK_EQ(dirf_find(fx.d, &eng_ta[2], "new", 3, &e), 0);
	fx_close(&fx, true);
}

/* A dirf.db whose create never committed is created again. */
static void test_interrupted_create_is_recreated(void)
{
	struct fixture fx;
	uint32_t fh = 0;
	uint8_t zero[4228];

	REQUIRE(fx_open(&fx, true));
	add(&fx, 0, "gone");
	CHECK_EQ(commit(&fx), 0);
	fx_close(&fx, false);
	memset(zero, 0, sizeof(zero));
	REQUIRE(backend_create(fx.be, DIRF_FILE_NAME, &fh) == 0);
	CHECK_EQ(backend_pwrite(fx.be, fh, 0, zero, sizeof(zero)), 0);
	backend_close(fx.be, fh);
	REQUIRE(fx_open(&fx, false));
	CHECK_EQ(dirf_count(fx.d), 0);
	add(&fx, 0, "again");
	CHECK_EQ(commit(&fx), 0);
	fx_close(&fx, true);
}

int main(int argc, char **argv)
{
	kind = test_backend_kind(argc, argv, "fake");
	RUN(test_entry_layout_matches_optee);
	RUN(test_file_names);
	RUN(test_allocation_lowest_free_and_reuse);
	RUN(test_replace_rename_and_per_ta_ids);
	RUN(test_index_built_from_disk);
	RUN(test_abort_restores_committed_index);
	RUN(test_duplicate_file_number_zeroes_later_entry);
	RUN(test_interrupted_create_is_recreated);
	return test_report();
}
