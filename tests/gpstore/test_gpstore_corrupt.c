/*
 * Corrupt objects (docs/gp-storage.md, "Corrupt objects"): found at open,
 * on read and write, in enumeration; kept aside (KEEP: the file renamed,
 * the ID free) or deleted (DELETE); the handle closed unless the TA has
 * gpd.ta.doesNotCloseHandleOnCorruptObject.
 */
#include <stdlib.h>
#include <string.h>

#include "gps_test.h"
#include "test.h"
#include "uuid.h"

#define DATA_LEN 10000 /* three data blocks */

static struct gt_env env;
static uint8_t data[DATA_LEN];

static void setup(const char *tag, enum gpstore_corrupt_policy policy)
{
	gt_env_must_open(&env, tag, policy);
	test_fill_pattern(data, sizeof(data), 42);
}

/* Both header slots: the object no longer opens. */
static bool break_header(const char *file)
{
	return gt_flip(&env, file, 0, 136);
}

/* Both versions of data block 0 (docs/format.md, physical layout). */
static bool break_block0(const char *file)
{
	return gt_flip(&env, file, 8192, 8192);
}

static bool read_file(const char *name, uint8_t *buf, size_t cap, size_t *n)
{
	uint32_t fh;
	bool ok;

	if (backend_open(env.be, name, &fh))
		return false;
	ok = !backend_pread(env.be, fh, 0, buf, cap, n);
	backend_close(env.be, fh);
	return ok;
}

static void test_open_corrupt_kept_aside(void)
{
	static uint8_t before[65536], after[65536];
	char file[16], kept[80], u[UUID_STR_LEN + 1];
	struct gpstore_client *c;
	struct gpstore_stats st;
	size_t n1 = 0, n2 = 0, n = 0;
	uint8_t buf[16], id[GPSTORE_ID_MAX];
	uint32_t h = 7, e = 0;

	setup("gps-keep", GPSTORE_CORRUPT_KEEP);
	c = gt_client(&env, &gt_ta_a, false);
	REQUIRE(gt_put(c, "c", data, sizeof(data)) == TEE_SUCCESS);
	REQUIRE(gt_put(c, "ok", "fine", 4) == TEE_SUCCESS);
	REQUIRE(gt_file_of(&env, &gt_ta_a, "c", file));
	REQUIRE(break_header(file));
	REQUIRE(read_file(file, before, sizeof(before), &n1));
	CHECK_EQ(gpstore_open(c, GT_PRIV, "c", 1, R, &h),
		 TEE_ERROR_CORRUPT_OBJECT);
	CHECK_EQ(h, 0);
	gpstore_get_stats(env.g, &st);
	CHECK_EQ(st.corrupt_found, 1);
	CHECK_EQ(st.kept, 1);
	CHECK_EQ(st.deleted, 0);
	/* The file is kept, byte for byte, under a name saying whose. */
	uuid_format(&gt_ta_a, u);
	snprintf(kept, sizeof(kept), "corrupt-%s-%s", u, file);
	CHECK(!gt_has_file(&env, file));
	CHECK(gt_has_file(&env, kept));
	CHECK(read_file(kept, after, sizeof(after), &n2));
	CHECK(n1 == n2 && !memcmp(before, after, n1));
	/* The ID is free; other objects untouched. */
	CHECK_EQ(gpstore_open(c, GT_PRIV, "c", 1, R, &h),
		 TEE_ERROR_ITEM_NOT_FOUND);
	REQUIRE(gpstore_enum_alloc(c, &e) == TEE_SUCCESS);
	REQUIRE(gpstore_enum_start(c, e, GT_PRIV) == TEE_SUCCESS);
	CHECK_EQ(gpstore_enum_next(c, e, NULL, id, &n), TEE_SUCCESS);
	CHECK(n == 2 && !memcmp(id, "ok", 2));
	CHECK_EQ(gpstore_enum_next(c, e, NULL, id, &n),
		 TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(gpstore_create(c, GT_PRIV, "c", 1, R, NULL, "new", 3, NULL),
		 TEE_SUCCESS);
	/* A restart keeps the evidence (the orphan sweep leaves it). */
	gpstore_client_destroy(c);
	REQUIRE(gt_env_restart(&env));
	c = gt_client(&env, &gt_ta_a, false);
	CHECK(gt_has_file(&env, kept));
	CHECK_EQ(gt_count_files(&env, "corrupt-"), 1);
	CHECK_EQ(gt_get(c, "c", buf, sizeof(buf), &n), TEE_SUCCESS);
	CHECK(n == 3 && !memcmp(buf, "new", 3));
	CHECK_EQ(gt_get(c, "ok", buf, sizeof(buf), &n), TEE_SUCCESS);
	/* A second corrupt object of the same file number: a new name. */
	REQUIRE(gt_file_of(&env, &gt_ta_a, "c", file));
	REQUIRE(break_block0(file));
	CHECK_EQ(gt_get(c, "c", buf, sizeof(buf), &n),
		 TEE_ERROR_CORRUPT_OBJECT);
	CHECK_EQ(gt_count_files(&env, "corrupt-"), 2);
	gpstore_client_destroy(c);
	gt_env_close(&env);
}

static void test_open_corrupt_deleted(void)
{
	struct gpstore_client *c;
	struct gpstore_stats st;
	uint32_t h = 0;
	char file[16];

	setup("gps-delete-policy", GPSTORE_CORRUPT_DELETE);
	c = gt_client(&env, &gt_ta_a, false);
	REQUIRE(gt_put(c, "c", data, sizeof(data)) == TEE_SUCCESS);
	REQUIRE(gt_file_of(&env, &gt_ta_a, "c", file));
	REQUIRE(break_block0(file));
	CHECK_EQ(gpstore_open(c, GT_PRIV, "c", 1, R, &h),
		 TEE_ERROR_CORRUPT_OBJECT);
	gpstore_get_stats(env.g, &st);
	CHECK_EQ(st.corrupt_found, 1);
	CHECK_EQ(st.deleted, 1);
	CHECK_EQ(st.kept, 0);
	CHECK(!gt_has_file(&env, file));
	CHECK_EQ(gt_count_files(&env, "corrupt-"), 0);
	CHECK_EQ(gpstore_open(c, GT_PRIV, "c", 1, R, &h),
		 TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(gpstore_create(c, GT_PRIV, "c", 1, R, NULL, NULL, 0, NULL),
		 TEE_SUCCESS);
	gpstore_client_destroy(c);
	gt_env_close(&env);
}

static void test_read_corrupt_closes_handles(void)
{
	struct gpstore_client *c1, *c2;
	struct gpstore_stats st;
	uint32_t h1 = 0, h2 = 0;
	uint8_t buf[64];
	size_t n = 0;
	char file[16];

	setup("gps-readc", GPSTORE_CORRUPT_KEEP);
	c1 = gt_client(&env, &gt_ta_a, false);
	c2 = gt_client(&env, &gt_ta_a, false);
	REQUIRE(gpstore_create(c1, GT_PRIV, "r", 1, R | SR, NULL, data,
			       sizeof(data), &h1) == TEE_SUCCESS);
	REQUIRE(gpstore_open(c2, GT_PRIV, "r", 1, R | SR, &h2) == TEE_SUCCESS);
	/* Damage below open handles: found on the next read. */
	REQUIRE(gt_file_of(&env, &gt_ta_a, "r", file));
	REQUIRE(break_block0(file));
	CHECK_EQ(gpstore_read(c1, h1, buf, sizeof(buf), &n),
		 TEE_ERROR_CORRUPT_OBJECT);
	CHECK_EQ(n, 0);
	CHECK_EQ(gpstore_read(c1, h1, buf, sizeof(buf), &n), GPSTORE_PANIC);
	/* The other instance's handle: its object is gone, CORRUPT too. */
	CHECK_EQ(gpstore_read(c2, h2, buf, sizeof(buf), &n),
		 TEE_ERROR_CORRUPT_OBJECT);
	CHECK_EQ(gpstore_close(c2, h2), GPSTORE_PANIC);
	gpstore_get_stats(env.g, &st);
	CHECK_EQ(st.corrupt_found, 1);
	CHECK_EQ(st.kept, 1);
	CHECK_EQ(st.handles, 0);
	CHECK_EQ(st.shared_objects, 0);
	CHECK_EQ(gpstore_create(c2, GT_PRIV, "r", 1, R | W | META, NULL, "x", 1,
				&h2),
		 TEE_SUCCESS);
	gpstore_client_destroy(c1);
	gpstore_client_destroy(c2);
	gt_env_close(&env);
}

static void test_corrupt_handle_kept_when_ta_asks(void)
{
	struct gpstore_client *c, *c2;
	struct gpstore_info info;
	uint32_t h = 0, h2 = 0;
	uint8_t buf[64];
	size_t n = 0;
	char file[16];

	setup("gps-dontclose", GPSTORE_CORRUPT_DELETE);
	c = gt_client(&env, &gt_ta_a, true);
	c2 = gt_client(&env, &gt_ta_a, true);
	REQUIRE(gpstore_create(c, GT_PRIV, "k", 1, R | W | META, NULL, data,
			       sizeof(data), &h) == TEE_SUCCESS);
	REQUIRE(gpstore_create(c2, GT_PRIV, "k2", 2, R | W | META, NULL, data,
			       sizeof(data), &h2) == TEE_SUCCESS);
	REQUIRE(gt_file_of(&env, &gt_ta_a, "k", file));
	REQUIRE(break_block0(file));
	/* A write of part of a block reads it first: found there. */
	CHECK_EQ(gpstore_write(c, h, "abc", 3), TEE_ERROR_CORRUPT_OBJECT);
	CHECK_EQ(gpstore_read(c, h, buf, sizeof(buf), &n),
		 TEE_ERROR_CORRUPT_OBJECT);
	CHECK_EQ(gpstore_get_info(c, h, &info), TEE_ERROR_CORRUPT_OBJECT);
	CHECK_EQ(gpstore_seek(c, h, 0, TEE_DATA_SEEK_SET),
		 TEE_ERROR_CORRUPT_OBJECT);
	CHECK_EQ(gpstore_rename(c, h, "z", 1), TEE_ERROR_CORRUPT_OBJECT);
	/* Rights are still checked first. */
	CHECK_EQ(gpstore_read(c, h + 1, buf, 1, &n), GPSTORE_PANIC);
	CHECK_EQ(gpstore_close(c, h), TEE_SUCCESS);
	CHECK_EQ(gpstore_close(c, h), GPSTORE_PANIC);
	/* Close-and-delete of a corrupt handle: it is gone already. */
	REQUIRE(gt_file_of(&env, &gt_ta_a, "k2", file));
	REQUIRE(break_block0(file));
	CHECK_EQ(gpstore_read(c2, h2, buf, sizeof(buf), &n),
		 TEE_ERROR_CORRUPT_OBJECT);
	CHECK_EQ(gpstore_close_and_delete(c2, h2), TEE_SUCCESS);
	CHECK_EQ(gpstore_open(c2, GT_PRIV, "k2", 2, R, &h2),
		 TEE_ERROR_ITEM_NOT_FOUND);
	CHECK(!gt_has_file(&env, file));
	gpstore_client_destroy(c);
	gpstore_client_destroy(c2);
	gt_env_close(&env);
}

static void test_enumeration_reports_corrupt_and_goes_on(void)
{
	struct gpstore_client *c;
	struct gpstore_info info;
	uint8_t id[GPSTORE_ID_MAX];
	int good = 0, corrupt = 0, calls = 0;
	TEE_Result res;
	uint32_t e = 0;
	size_t n = 0;
	char file[16];

	setup("gps-enumc", GPSTORE_CORRUPT_KEEP);
	c = gt_client(&env, &gt_ta_a, false);
	REQUIRE(gt_put(c, "e1", "1", 1) == TEE_SUCCESS);
	REQUIRE(gt_put(c, "e2", "2", 1) == TEE_SUCCESS);
	REQUIRE(gt_put(c, "e3", "3", 1) == TEE_SUCCESS);
	REQUIRE(gt_file_of(&env, &gt_ta_a, "e2", file));
	REQUIRE(break_header(file));
	REQUIRE(gpstore_enum_alloc(c, &e) == TEE_SUCCESS);
	REQUIRE(gpstore_enum_start(c, e, GT_PRIV) == TEE_SUCCESS);
	while ((res = gpstore_enum_next(c, e, &info, id, &n)) !=
		   TEE_ERROR_ITEM_NOT_FOUND &&
	       calls++ < 10) {
		if (res == TEE_SUCCESS && info.data_size == 1)
			good++;
		else if (res == TEE_ERROR_CORRUPT_OBJECT)
			corrupt++;
	}
	CHECK_EQ(good, 2);
	CHECK_EQ(corrupt, 1);
	CHECK_EQ(calls, 3);
	CHECK_EQ(gt_count_files(&env, "corrupt-"), 1);
	REQUIRE(gpstore_enum_start(c, e, GT_PRIV) == TEE_SUCCESS);
	for (calls = 0; !gpstore_enum_next(c, e, &info, id, &n); calls++)
		;
	CHECK_EQ(calls, 2);
	gpstore_client_destroy(c);
	gt_env_close(&env);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: %s [--backend posix|fake]\n"
		       "Tests gpstore's handling of corrupt objects.\n",
		       argv[0]);
		return 0;
	}
	gt_set_kind(argc, argv);
	RUN(test_open_corrupt_kept_aside);
	RUN(test_open_corrupt_deleted);
	RUN(test_read_corrupt_closes_handles);
	RUN(test_corrupt_handle_kept_when_ta_asks);
	RUN(test_enumeration_reports_corrupt_and_goes_on);
	return test_report();
}
