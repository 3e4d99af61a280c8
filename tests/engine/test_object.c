/* The object layer's operations and their exact GP return codes. */
#include <stdlib.h>
#include <string.h>

#include "backend_fake.h"
#include "dirf.h"
#include "engine_util.h"
#include "test.h"
#include "test_backend.h"

static const char *kind;
static char dir[512];

static const struct tstore_head data_head = {
    .object_type = 0xA00000BF,
    .object_usage = 0xFFFFFFFF,
};

static struct backend *new_backend(void)
{
	snprintf(dir, sizeof(dir), "%s", test_tmpdir("object"));
	return test_backend_new(kind, dir);
}

static void done(struct backend *be, struct tstore *s)
{
	tstore_close(s);
	backend_destroy(be);
	if (!test_backend_is_fake(kind))
		test_rmtree(dir);
}

static TEE_Result create(struct tstore *s, int ta, const void *id, size_t len,
			 const char *data, bool ow, struct tstore_obj **o)
{
	return tstore_create(s, &eng_ta[ta], id, len, &data_head, NULL, 0, data,
			     data ? strlen(data) : 0, ow, o);
}

static bool reads(struct tstore_obj *o, const char *want)
{
	char buf[256];
	size_t got = 0;

	if (tstore_read(o, 0, buf, sizeof(buf), &got))
		return false;
	return got == strlen(want) && !memcmp(buf, want, got);
}

static bool file_exists(struct backend *be, uint32_t fnum)
{
	char name[DIRF_FNAME_SIZE];
	uint32_t fh;

	dirf_fname(fnum, name);
	if (backend_open(be, name, &fh))
		return false;
	backend_close(be, fh);
	return true;
}

static void test_create_open_read_info(void)
{
	struct backend *be = new_backend();
	struct tstore *s = NULL;
	struct tstore_obj *o = NULL, *o2 = NULL;
	struct tstore_info info;
	struct tstore_head h = {.object_size = 256,
				.max_object_size = 256,
				.object_usage = 0x7,
				.object_type = 0xA0000010,
				.have_attrs = 1};
	uint8_t attrs[20] = {0, 0, 0, 16}, buf[64];
	size_t got = 0, alen = 0;

	REQUIRE(be && eng_open(be, &s) == 0);
	CHECK_EQ(tstore_create(s, &eng_ta[0], "key", 3, &h, attrs, 20, "secret",
			       6, false, &o),
		 0);
	CHECK_EQ(tstore_info(o, &info), 0);
	CHECK_EQ(info.head.attr_size, 20);
	CHECK_EQ(info.head.object_type, 0xA0000010);
	CHECK_EQ(info.head.object_usage, 7);
	CHECK_EQ(info.head.have_attrs, 1);
	CHECK_EQ(info.data_size, 6);
	CHECK_EQ(tstore_read_attrs(o, buf, 10, &alen), TEE_ERROR_SHORT_BUFFER);
	CHECK_EQ(alen, 20);
	CHECK_EQ(tstore_read_attrs(o, buf, sizeof(buf), &alen), 0);
	CHECK_MEM(buf, attrs, 20);
	/* Data position 0 is after head and attributes. */
	CHECK_EQ(tstore_read(o, 2, buf, sizeof(buf), &got), 0);
	CHECK_EQ(got, 4);
	CHECK_MEM(buf, "cret", 4);
	CHECK_EQ(tstore_read(o, 6, buf, 1, &got), 0);
	CHECK_EQ(got, 0);
	CHECK_EQ(tstore_read(o, 1000, buf, 1, &got), 0);
	CHECK_EQ(got, 0);
	/* Opening an open object gives the same shared struct. */
	CHECK_EQ(tstore_open_obj(s, &eng_ta[0], "key", 3, &o2), 0);
	CHECK(o2 == o);
	tstore_release(o2);
	tstore_release(o);
	tstore_close(s);
	/* Everything is on disk. */
	REQUIRE(eng_open(be, &s) == 0);
	CHECK_EQ(tstore_open_obj(s, &eng_ta[0], "key", 3, &o), 0);
	CHECK(o && reads(o, "secret"));
	tstore_release(o);
	CHECK_EQ(tstore_open_obj(s, &eng_ta[0], "nokey", 5, &o),
		 TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(tstore_open_obj(s, &eng_ta[1], "key", 3, &o),
		 TEE_ERROR_ITEM_NOT_FOUND);
	done(be, s);
}

static void test_object_id_lengths(void)
{
	struct backend *be = new_backend();
	struct tstore *s = NULL;
	struct tstore_obj *o = NULL, *z = NULL;
	uint8_t id[65];

	REQUIRE(be && eng_open(be, &s) == 0);
	memset(id, 'i', sizeof(id));
	/* The empty ID is valid and distinct from "\0". */
	CHECK_EQ(create(s, 0, NULL, 0, "empty", false, NULL), 0);
	CHECK_EQ(create(s, 0, "", 1, "nul", false, NULL), 0);
	CHECK_EQ(tstore_open_obj(s, &eng_ta[0], "", 0, &o), 0);
	CHECK_EQ(tstore_open_obj(s, &eng_ta[0], "", 1, &z), 0);
	CHECK(o && z && o != z && reads(o, "empty") && reads(z, "nul"));
	tstore_release(o);
	tstore_release(z);
	CHECK_EQ(create(s, 0, id, 64, "max", false, NULL), 0);
	CHECK_EQ(create(s, 0, id, 65, "long", false, NULL),
		 TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(tstore_open_obj(s, &eng_ta[0], id, 65, &o),
		 TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(tstore_open_obj(s, &eng_ta[0], id, 64, &o), 0);
	CHECK_EQ(tstore_rename(o, id, 65), TEE_ERROR_BAD_PARAMETERS);
	CHECK(reads(o, "max"));
	tstore_release(o);
	tstore_close(s);
	REQUIRE(eng_open(be, &s) == 0);
	CHECK_EQ(tstore_open_obj(s, &eng_ta[0], NULL, 0, &o), 0);
	CHECK(o && reads(o, "empty"));
	tstore_release(o);
	done(be, s);
}

static void test_overwrite_rules_and_atomic_replace(void)
{
	struct backend *be = new_backend();
	struct tstore *s = NULL;
	struct tstore_obj *o = NULL;
	struct tstore_info info;
	uint32_t old_fnum;

	REQUIRE(be && eng_open(be, &s) == 0);
	CHECK_EQ(create(s, 1, "obj", 3, "one", false, &o), 0);
	REQUIRE(o);
	CHECK_EQ(tstore_info(o, &info), 0);
	old_fnum = info.file_number;
	CHECK(file_exists(be, old_fnum));
	/* Without OVERWRITE: conflict, content untouched. */
	CHECK_EQ(create(s, 1, "obj", 3, "two", false, NULL),
		 TEE_ERROR_ACCESS_CONFLICT);
	CHECK(reads(o, "one"));
	/* With OVERWRITE: a new file, the old one removed after commit,
	 * and the open struct shows the new object. */
	CHECK_EQ(create(s, 1, "obj", 3, "three", true, NULL), 0);
	CHECK(reads(o, "three"));
	CHECK_EQ(tstore_info(o, &info), 0);
	CHECK(info.file_number != old_fnum);
	CHECK(!file_exists(be, old_fnum));
	CHECK(file_exists(be, info.file_number));
	tstore_release(o);
	/* OVERWRITE of a missing object just creates it. */
	CHECK_EQ(create(s, 1, "fresh", 5, "x", true, NULL), 0);
	tstore_close(s);
	REQUIRE(eng_open(be, &s) == 0);
	CHECK_EQ(tstore_open_obj(s, &eng_ta[1], "obj", 3, &o), 0);
	CHECK(o && reads(o, "three"));
	tstore_release(o);
	done(be, s);
}

static void test_write_gaps_truncate_overflow(void)
{
	struct backend *be = new_backend();
	struct tstore *s = NULL;
	struct tstore_obj *o = NULL, *o2 = NULL;
	uint8_t buf[20000], want[20000];
	struct tstore_info info;
	size_t got = 0;

	REQUIRE(be && eng_open(be, &s) == 0);
	CHECK_EQ(create(s, 0, "w", 1, "abc", false, &o), 0);
	REQUIRE(o);
	CHECK_EQ(tstore_open_obj(s, &eng_ta[0], "w", 1, &o2), 0);
	/* A gap after the end reads as zeros; spans blocks. */
	CHECK_EQ(tstore_write(o, 10000, "xyz", 3), 0);
	memset(want, 0, sizeof(want));
	memcpy(want, "abc", 3);
	memcpy(want + 10000, "xyz", 3);
	CHECK_EQ(tstore_read(o2, 0, buf, sizeof(buf), &got), 0);
	CHECK_EQ(got, 10003);
	CHECK_MEM(buf, want, 10003);
	/* Shrink then grow: the regrown part is zero. */
	CHECK_EQ(tstore_truncate(o2, 2), 0);
	CHECK_EQ(tstore_truncate(o, 9000), 0);
	CHECK_EQ(tstore_info(o, &info), 0);
	CHECK_EQ(info.data_size, 9000);
	memset(want + 2, 0, sizeof(want) - 2);
	CHECK_EQ(tstore_read(o, 0, buf, sizeof(buf), &got), 0);
	CHECK_EQ(got, 9000);
	CHECK_MEM(buf, want, 9000);
	CHECK_EQ(tstore_write(o, TEE_DATA_MAX_POSITION, "x", 1),
		 TEE_ERROR_OVERFLOW);
	CHECK_EQ(tstore_write(o, TEE_DATA_MAX_POSITION - 1, "xy", 2),
		 TEE_ERROR_OVERFLOW);
	CHECK_EQ(tstore_truncate(o, (uint64_t)TEE_DATA_MAX_POSITION + 1),
		 TEE_ERROR_OVERFLOW);
	CHECK_EQ(tstore_write(o, 5, NULL, 0), 0);
	tstore_release(o2);
	tstore_release(o);
	tstore_close(s);
	REQUIRE(eng_open(be, &s) == 0);
	CHECK_EQ(tstore_open_obj(s, &eng_ta[0], "w", 1, &o), 0);
	CHECK_EQ(tstore_read(o, 0, buf, sizeof(buf), &got), 0);
	CHECK_EQ(got, 9000);
	CHECK_MEM(buf, want, 9000);
	tstore_release(o);
	done(be, s);
}

static void test_rename_rules(void)
{
	struct backend *be = new_backend();
	struct tstore *s = NULL;
	struct tstore_obj *a = NULL, *b = NULL;

	REQUIRE(be && eng_open(be, &s) == 0);
	CHECK_EQ(create(s, 0, "a", 1, "A", false, &a), 0);
	CHECK_EQ(create(s, 0, "b", 1, "B", false, &b), 0);
	CHECK_EQ(create(s, 1, "c", 1, "C", false, NULL), 0);
	REQUIRE(a && b);
	CHECK_EQ(tstore_rename(a, "b", 1), TEE_ERROR_ACCESS_CONFLICT);
	CHECK_EQ(tstore_rename(a, "a", 1), TEE_ERROR_ACCESS_CONFLICT);
	/* Another TA's "c" is no conflict. */
	CHECK_EQ(tstore_rename(a, "c", 1), 0);
	CHECK(reads(a, "A"));
	tstore_release(a);
	CHECK_EQ(tstore_open_obj(s, &eng_ta[0], "a", 1, &a),
		 TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(tstore_open_obj(s, &eng_ta[0], "c", 1, &a), 0);
	CHECK(a && reads(a, "A"));
	tstore_release(a);
	/* Renamed to an ID nobody uses, then the old ID is free. */
	CHECK_EQ(tstore_rename(b, "", 0), 0);
	CHECK_EQ(create(s, 0, "b", 1, "new b", false, NULL), 0);
	tstore_release(b);
	tstore_close(s);
	REQUIRE(eng_open(be, &s) == 0);
	CHECK_EQ(tstore_open_obj(s, &eng_ta[0], "", 0, &b), 0);
	CHECK(b && reads(b, "B"));
	tstore_release(b);
	CHECK_EQ(tstore_open_obj(s, &eng_ta[0], "b", 1, &b), 0);
	CHECK(b && reads(b, "new b"));
	tstore_release(b);
	done(be, s);
}

static void test_remove_and_removed_handle(void)
{
	struct backend *be = new_backend();
	struct tstore *s = NULL;
	struct tstore_obj *o = NULL, *o2 = NULL;
	struct tstore_info info;
	size_t got;
	char buf[8];

	REQUIRE(be && eng_open(be, &s) == 0);
	CHECK_EQ(create(s, 2, "r", 1, "data", false, &o), 0);
	REQUIRE(o);
	CHECK_EQ(tstore_info(o, &info), 0);
	CHECK_EQ(tstore_open_obj(s, &eng_ta[2], "r", 1, &o2), 0);
	CHECK_EQ(tstore_remove(o), 0);
	tstore_release(o);
	CHECK(!file_exists(be, info.file_number));
	/* The other reference sees a removed object. */
	CHECK_EQ(tstore_read(o2, 0, buf, sizeof(buf), &got),
		 TEE_ERROR_BAD_STATE);
	CHECK_EQ(tstore_write(o2, 0, "x", 1), TEE_ERROR_BAD_STATE);
	CHECK_EQ(tstore_remove(o2), TEE_ERROR_BAD_STATE);
	CHECK_EQ(tstore_open_obj(s, &eng_ta[2], "r", 1, &o),
		 TEE_ERROR_ITEM_NOT_FOUND);
	/* The ID is free for a new object, a different struct. */
	CHECK_EQ(create(s, 2, "r", 1, "again", false, &o), 0);
	CHECK(o && o != o2 && reads(o, "again"));
	tstore_release(o2);
	tstore_release(o);
	done(be, s);
}

static void test_enumeration_per_ta(void)
{
	struct backend *be = new_backend();
	struct tstore *s = NULL;
	uint8_t id[TSTORE_ID_MAX];
	size_t len = 0, n;
	uint64_t cursor = 0;
	TEE_UUID ta;
	int i;

	REQUIRE(be && eng_open(be, &s) == 0);
	CHECK_EQ(tstore_enum_next(s, &eng_ta[0], &cursor, NULL, id, &len),
		 TEE_ERROR_ITEM_NOT_FOUND);
	for (i = 0; i < 5; i++) {
		char name[8];

		snprintf(name, sizeof(name), "o%d", i);
		CHECK_EQ(create(s, i % 2, name, 2, name, false, NULL), 0);
	}
	/* Same ID in another TA: distinct objects. */
	CHECK_EQ(create(s, 1, "o0", 2, "other", false, NULL), 0);
	for (n = 0, cursor = 0;
	     !tstore_enum_next(s, &eng_ta[0], &cursor, &ta, id, &len); n++)
		CHECK(len == 2 && id[0] == 'o' && (id[1] - '0') % 2 == 0 &&
		      !memcmp(&ta, &eng_ta[0], sizeof(ta)));
	CHECK_EQ(n, 3);
	for (n = 0, cursor = 0;
	     !tstore_enum_next(s, &eng_ta[1], &cursor, NULL, id, &len); n++)
		;
	CHECK_EQ(n, 3);
	for (n = 0, cursor = 0;
	     !tstore_enum_next(s, NULL, &cursor, NULL, id, &len); n++)
		;
	CHECK_EQ(n, 6);
	done(be, s);
}

static void test_set_head_persists(void)
{
	struct backend *be = new_backend();
	struct tstore *s = NULL;
	struct tstore_obj *o = NULL;
	struct tstore_info info;

	REQUIRE(be && eng_open(be, &s) == 0);
	CHECK_EQ(create(s, 0, "h", 1, "hd", false, &o), 0);
	REQUIRE(o);
	CHECK_EQ(tstore_info(o, &info), 0);
	info.head.object_usage = 0x3;
	CHECK_EQ(tstore_set_head(o, &info.head), 0);
	info.head.attr_size = 5;
	CHECK_EQ(tstore_set_head(o, &info.head), TEE_ERROR_BAD_PARAMETERS);
	tstore_release(o);
	tstore_close(s);
	REQUIRE(eng_open(be, &s) == 0);
	CHECK_EQ(tstore_open_obj(s, &eng_ta[0], "h", 1, &o), 0);
	CHECK_EQ(tstore_info(o, &info), 0);
	CHECK_EQ(info.head.object_usage, 3);
	CHECK(reads(o, "hd"));
	tstore_release(o);
	done(be, s);
}

/* Each commit: at most 2 barriers; SYNC_DIR only when a file is new. */
static void test_barriers_per_commit(void)
{
	struct backend *be = new_backend();
	struct backend_fake_stats a, b;
	struct tstore_stats st0, st1;
	struct tstore *s = NULL;
	struct tstore_obj *o = NULL;
	uint8_t big[300000];

	if (!test_backend_is_fake(kind)) {
		backend_destroy(be);
		return;
	}
	REQUIRE(be && eng_open(be, &s) == 0);
	test_fill_pattern(big, sizeof(big), 1);
	backend_fake_get_stats(be, &a);
	tstore_get_stats(s, &st0);
	CHECK_EQ(create(s, 0, "b", 1, NULL, false, &o), 0);
	backend_fake_get_stats(be, &b);
	CHECK_EQ(b.syncs - a.syncs, 3); /* object + dirf.db, then dirf.db */
	CHECK_EQ(b.sync_dirs - a.sync_dirs, 1);
	a = b;
	CHECK_EQ(tstore_write(o, 0, big, sizeof(big)), 0);
	backend_fake_get_stats(be, &b);
	CHECK_EQ(b.syncs - a.syncs, 3);
	CHECK_EQ(b.sync_dirs - a.sync_dirs, 0);
	a = b;
	CHECK_EQ(tstore_write(o, 1000, big, 1024), 0);
	backend_fake_get_stats(be, &b);
	CHECK_EQ(b.syncs - a.syncs, 3);
	/* Small commit: the read of the block it changes, two barriers. */
	CHECK(b.submits - a.submits <= 3);
	tstore_get_stats(s, &st1);
	CHECK_EQ(st1.commits - st0.commits, 3);
	CHECK_EQ(st1.barriers - st0.barriers, 6);
	tstore_release(o);
	done(be, s);
}

/* A batch must hold one block: anything smaller is refused at open, and
 * the smallest accepted one stores and reads back a multi-block object. */
static void test_batch_size_bounds(void)
{
	struct backend *be = new_backend();
	struct tstore_config cfg;
	struct tstore_obj *o = NULL;
	struct tstore *s = NULL;
	static char data[20000];
	char back[sizeof(data)];
	size_t got = 0;

	REQUIRE(be);
	memset(data, 'q', sizeof(data) - 1);
	tstore_config_init(&cfg, eng_huk, sizeof(eng_huk));
	cfg.batch_size = 4095;
	CHECK_EQ(tstore_open(be, &cfg, &s), TEE_ERROR_BAD_PARAMETERS);
	CHECK(s == NULL);
	cfg.batch_size = 4096;
	REQUIRE(tstore_open(be, &cfg, &s) == TEE_SUCCESS);
	CHECK_EQ(create(s, 0, "b", 1, data, false, &o), TEE_SUCCESS);
	REQUIRE(o);
	CHECK_EQ(tstore_read(o, 0, back, sizeof(back), &got), TEE_SUCCESS);
	CHECK_EQ(got, strlen(data));
	CHECK(!memcmp(back, data, got));
	tstore_release(o);
	done(be, s);
}

int main(int argc, char **argv)
{
	kind = test_backend_kind(argc, argv, "fake");
	RUN(test_create_open_read_info);
	RUN(test_object_id_lengths);
	RUN(test_overwrite_rules_and_atomic_replace);
	RUN(test_write_gaps_truncate_overflow);
	RUN(test_rename_rules);
	RUN(test_remove_and_removed_handle);
	RUN(test_enumeration_per_ta);
	RUN(test_set_head_persists);
	RUN(test_barriers_per_commit);
	RUN(test_batch_size_bounds);
	return test_report();
}
