/*
 * gpstore API: every function and rule with GP's exact return codes and
 * panics, over `--backend posix|fake` (docs/gp-storage.md).
 */
#include <stdlib.h>
#include <string.h>

#include "gps_test.h"
#include "test.h"

static struct gt_env env;
static struct gpstore_client *ca, *cb;

static void setup(const char *tag)
{
	gt_env_must_open(&env, tag, GPSTORE_CORRUPT_KEEP);
	ca = gt_client(&env, &gt_ta_a, false);
	cb = gt_client(&env, &gt_ta_b, false);
}

static void teardown(void)
{
	gpstore_client_destroy(ca);
	gpstore_client_destroy(cb);
	gt_env_close(&env);
}

static TEE_Result open_id(struct gpstore_client *c, const char *id,
			  uint32_t flags, uint32_t *h)
{
	return gpstore_open(c, GT_PRIV, id, strlen(id), flags, h);
}

static TEE_Result create_id(struct gpstore_client *c, const char *id,
			    uint32_t flags, const char *data, uint32_t *h)
{
	return gpstore_create(c, GT_PRIV, id, strlen(id), flags, NULL, data,
			      data ? strlen(data) : 0, h);
}

static void test_open_missing_object(void)
{
	uint32_t h = 123;

	setup("gps-missing");
	CHECK_EQ(open_id(ca, "nope", R, &h), TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(h, 0);
	teardown();
}

static void test_storage_ids(void)
{
	static const uint32_t bad[] = {TEE_STORAGE_PERSO,
				       TEE_STORAGE_PROTECTED,
				       TEE_STORAGE_ILLEGAL_VALUE,
				       TEE_STORAGE_PRIVATE_RPMB,
				       0,
				       0x12345678};
	uint32_t h = 0, e = 0;
	uint8_t buf[8];
	size_t i, n = 0;

	if (gt_rpmb())
		return; /* the ID mapping: test_rpmbfs_gp (tests/rpmbfs) */
	setup("gps-storage");
	/* PRIVATE and PRIVATE_REE are one store. */
	CHECK_EQ(gpstore_create(ca, GT_REE, "x", 1, R, NULL, "abc", 3, NULL),
		 TEE_SUCCESS);
	REQUIRE(gpstore_open(ca, GT_PRIV, "x", 1, R, &h) == TEE_SUCCESS);
	CHECK_EQ(gpstore_read(ca, h, buf, sizeof(buf), &n), TEE_SUCCESS);
	CHECK_EQ(n, 3);
	gpstore_close(ca, h);
	REQUIRE(gpstore_enum_alloc(ca, &e) == TEE_SUCCESS);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(gpstore_open(ca, bad[i], "x", 1, R, &h),
			 TEE_ERROR_ITEM_NOT_FOUND);
		CHECK_EQ(
		    gpstore_create(ca, bad[i], "y", 1, R, NULL, NULL, 0, NULL),
		    TEE_ERROR_ITEM_NOT_FOUND);
		CHECK_EQ(gpstore_enum_start(ca, e, bad[i]),
			 TEE_ERROR_ITEM_NOT_FOUND);
	}
	CHECK_EQ(gpstore_enum_start(ca, e, GT_REE), TEE_SUCCESS);
	teardown();
}

static void test_invalid_flags_and_ids_panic(void)
{
	uint8_t id[65] = {0};
	uint32_t h = 0;

	setup("gps-flags");
	CHECK_EQ(open_id(ca, "x", OVW, &h), GPSTORE_PANIC);
	CHECK_EQ(open_id(ca, "x", 0x8, &h), GPSTORE_PANIC);
	CHECK_EQ(open_id(ca, "x", 0x40, &h), GPSTORE_PANIC);
	CHECK_EQ(open_id(ca, "x", 0x80000000U, &h), GPSTORE_PANIC);
	CHECK_EQ(create_id(ca, "x", 0x800, NULL, &h), GPSTORE_PANIC);
	CHECK_EQ(create_id(ca, "x", 0x100, NULL, NULL), GPSTORE_PANIC);
	CHECK_EQ(gpstore_open(ca, GT_PRIV, id, 65, R, &h), GPSTORE_PANIC);
	CHECK_EQ(gpstore_open(ca, GT_PRIV, NULL, 3, R, &h), GPSTORE_PANIC);
	CHECK_EQ(gpstore_create(ca, GT_PRIV, id, 65, R, NULL, NULL, 0, &h),
		 GPSTORE_PANIC);
	CHECK_EQ(gpstore_create(ca, GT_PRIV, "x", 1, R, NULL, NULL, 5, &h),
		 GPSTORE_PANIC);
	/* Flag validation comes before the storage ID. */
	CHECK_EQ(gpstore_open(ca, 77, "x", 1, 0x1000, &h), GPSTORE_PANIC);
	/* Nothing was created by the panicking calls. */
	CHECK_EQ(open_id(ca, "x", 0, &h), TEE_ERROR_ITEM_NOT_FOUND);
	/* The 64-byte ID is the longest valid one. */
	CHECK_EQ(gpstore_create(ca, GT_PRIV, id, 64, R, NULL, NULL, 0, &h),
		 TEE_SUCCESS);
	CHECK_EQ(gpstore_close(ca, h), TEE_SUCCESS);
	CHECK_EQ(gpstore_open(ca, GT_PRIV, id, 64, 0, &h), TEE_SUCCESS);
	teardown();
}

static void test_create_data_object(void)
{
	struct gpstore_info info;
	uint32_t h = 0, fl = R | W | SR;
	char buf[32] = {0};
	size_t n = 0;

	setup("gps-create");
	REQUIRE(create_id(ca, "obj", fl, "hello world", &h) == TEE_SUCCESS);
	CHECK(h != 0 && h <= 0x7FFFFFFFU);
	REQUIRE(gpstore_get_info(ca, h, &info) == TEE_SUCCESS);
	CHECK_EQ(info.object_type, TEE_TYPE_DATA);
	CHECK_EQ(info.object_size, 0);
	CHECK_EQ(info.max_object_size, 0);
	CHECK_EQ(info.object_usage, 0xFFFFFFFFU);
	CHECK_EQ(info.data_size, 11);
	CHECK_EQ(info.data_position, 0);
	CHECK_EQ(info.handle_flags,
		 TEE_HANDLE_FLAG_PERSISTENT | TEE_HANDLE_FLAG_INITIALIZED | fl);
	CHECK_EQ(gpstore_read(ca, h, buf, sizeof(buf), &n), TEE_SUCCESS);
	CHECK_EQ(n, 11);
	CHECK_MEM(buf, "hello world", 11);
	CHECK_EQ(gpstore_close(ca, h), TEE_SUCCESS);
	teardown();
}

static void test_create_existing_needs_overwrite(void)
{
	char buf[16] = {0};
	uint32_t h = 0;
	size_t n = 0;

	setup("gps-overwrite");
	CHECK_EQ(create_id(ca, "o", R, "first", NULL), TEE_SUCCESS);
	CHECK_EQ(create_id(ca, "o", R, "second", &h),
		 TEE_ERROR_ACCESS_CONFLICT);
	CHECK_EQ(h, 0);
	CHECK_EQ(gt_get(ca, "o", buf, sizeof(buf), &n), TEE_SUCCESS);
	CHECK(n == 5 && !memcmp(buf, "first", 5));
	CHECK_EQ(create_id(ca, "o", R | OVW, "second", NULL), TEE_SUCCESS);
	CHECK_EQ(gt_get(ca, "o", buf, sizeof(buf), &n), TEE_SUCCESS);
	CHECK(n == 6 && !memcmp(buf, "second", 6));
	/* OVERWRITE on a new ID just creates. */
	CHECK_EQ(create_id(ca, "p", R | OVW, "new", NULL), TEE_SUCCESS);
	teardown();
}

static void test_create_without_handle_closes(void)
{
	uint32_t h = 0;

	setup("gps-nullobj");
	CHECK_EQ(create_id(ca, "c", R | W | META, "x", NULL), TEE_SUCCESS);
	/* Exclusive open succeeds: nothing holds it. */
	CHECK_EQ(open_id(cb, "c", META, &h), TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(open_id(ca, "c", META, &h), TEE_SUCCESS);
	teardown();
}

static void test_empty_id_is_distinct(void)
{
	char buf[8];
	uint32_t h = 0;
	size_t n = 0;

	setup("gps-emptyid");
	CHECK_EQ(gpstore_create(ca, GT_PRIV, NULL, 0, R, NULL, "E", 1, NULL),
		 TEE_SUCCESS);
	CHECK_EQ(create_id(ca, "a", R, "A", NULL), TEE_SUCCESS);
	REQUIRE(gpstore_open(ca, GT_PRIV, "zzz", 0, R, &h) == TEE_SUCCESS);
	CHECK_EQ(gpstore_read(ca, h, buf, sizeof(buf), &n), TEE_SUCCESS);
	CHECK(n == 1 && buf[0] == 'E');
	gpstore_close(ca, h);
	CHECK_EQ(gt_get(ca, "a", buf, sizeof(buf), &n), TEE_SUCCESS);
	CHECK(n == 1 && buf[0] == 'A');
	teardown();
}

static void test_key_object_attrs_and_usage(void)
{
	uint8_t blob[40], got[64];
	struct gpstore_key key = {
	    .object_type = TEE_TYPE_AES,
	    .object_size = 256,
	    .max_object_size = 256,
	    .object_usage =
		TEE_USAGE_ENCRYPT | TEE_USAGE_DECRYPT | TEE_USAGE_EXTRACTABLE,
	    .have_attrs = 1,
	    .attrs = blob,
	    .attr_len = sizeof(blob),
	};
	struct gpstore_info info;
	uint32_t h = 0;
	size_t n = 0;

	setup("gps-key");
	test_fill_pattern(blob, sizeof(blob), 7);
	REQUIRE(gpstore_create(ca, GT_PRIV, "key", 3, R | W, &key, "data", 4,
			       &h) == TEE_SUCCESS);
	REQUIRE(gpstore_get_info(ca, h, &info) == TEE_SUCCESS);
	CHECK_EQ(info.object_type, TEE_TYPE_AES);
	CHECK_EQ(info.object_size, 256);
	CHECK_EQ(info.max_object_size, 256);
	CHECK_EQ(info.object_usage, key.object_usage);
	CHECK_EQ(info.have_attrs, 1);
	CHECK_EQ(info.data_size, 4);
	CHECK_EQ(gpstore_get_attrs(ca, h, got, 10, &n), TEE_ERROR_SHORT_BUFFER);
	CHECK_EQ(n, sizeof(blob));
	CHECK_EQ(gpstore_get_attrs(ca, h, got, sizeof(got), &n), TEE_SUCCESS);
	CHECK_EQ(n, sizeof(blob));
	CHECK_MEM(got, blob, sizeof(blob));
	/* The data stream starts after the attributes. */
	CHECK_EQ(gpstore_read(ca, h, got, sizeof(got), &n), TEE_SUCCESS);
	CHECK(n == 4 && !memcmp(got, "data", 4));
	/* usage &= arg, persisted. */
	CHECK_EQ(gpstore_restrict_usage(ca, h, TEE_USAGE_DECRYPT | 0x100),
		 TEE_SUCCESS);
	CHECK_EQ(gpstore_close(ca, h), TEE_SUCCESS);
	gpstore_client_destroy(ca);
	gpstore_client_destroy(cb);
	REQUIRE(gt_env_restart(&env));
	ca = gt_client(&env, &gt_ta_a, false);
	cb = gt_client(&env, &gt_ta_b, false);
	REQUIRE(open_id(ca, "key", 0, &h) == TEE_SUCCESS);
	REQUIRE(gpstore_get_info(ca, h, &info) == TEE_SUCCESS);
	CHECK_EQ(info.object_usage, TEE_USAGE_DECRYPT);
	CHECK_EQ(info.handle_flags,
		 TEE_HANDLE_FLAG_PERSISTENT | TEE_HANDLE_FLAG_INITIALIZED);
	/* Restricting needs no access right (as OP-TEE). */
	CHECK_EQ(gpstore_restrict_usage(ca, h, 0), TEE_SUCCESS);
	REQUIRE(gpstore_get_info(ca, h, &info) == TEE_SUCCESS);
	CHECK_EQ(info.object_usage, 0);
	teardown();
}

static void test_read_write_position(void)
{
	struct gpstore_info info;
	uint8_t buf[64], zero[10] = {0};
	uint32_t h = 0;
	size_t n = 0;

	setup("gps-rw");
	REQUIRE(create_id(ca, "d", R | W, NULL, &h) == TEE_SUCCESS);
	CHECK_EQ(gpstore_write(ca, h, "abcdef", 6), TEE_SUCCESS);
	CHECK_EQ(gpstore_get_info(ca, h, &info), TEE_SUCCESS);
	CHECK_EQ(info.data_position, 6);
	CHECK_EQ(info.data_size, 6);
	/* At the end: 0 bytes, SUCCESS. */
	CHECK_EQ(gpstore_read(ca, h, buf, sizeof(buf), &n), TEE_SUCCESS);
	CHECK_EQ(n, 0);
	/* Past the end: 0 bytes; a write there zero-fills the gap. */
	CHECK_EQ(gpstore_seek(ca, h, 16, TEE_DATA_SEEK_SET), TEE_SUCCESS);
	CHECK_EQ(gpstore_read(ca, h, buf, sizeof(buf), &n), TEE_SUCCESS);
	CHECK_EQ(n, 0);
	CHECK_EQ(gpstore_write(ca, h, "XY", 2), TEE_SUCCESS);
	CHECK_EQ(gpstore_seek(ca, h, 0, TEE_DATA_SEEK_SET), TEE_SUCCESS);
	CHECK_EQ(gpstore_read(ca, h, buf, sizeof(buf), &n), TEE_SUCCESS);
	CHECK_EQ(n, 18);
	CHECK_MEM(buf, "abcdef", 6);
	CHECK_MEM(buf + 6, zero, 10);
	CHECK_MEM(buf + 16, "XY", 2);
	/* A short read advances by what was read. */
	CHECK_EQ(gpstore_seek(ca, h, 2, TEE_DATA_SEEK_SET), TEE_SUCCESS);
	CHECK_EQ(gpstore_read(ca, h, buf, 3, &n), TEE_SUCCESS);
	CHECK(n == 3 && !memcmp(buf, "cde", 3));
	CHECK_EQ(gpstore_get_info(ca, h, &info), TEE_SUCCESS);
	CHECK_EQ(info.data_position, 5);
	/* Truncate leaves the position; shrink then grow with zeros. */
	CHECK_EQ(gpstore_truncate(ca, h, 3), TEE_SUCCESS);
	CHECK_EQ(gpstore_get_info(ca, h, &info), TEE_SUCCESS);
	CHECK_EQ(info.data_position, 5);
	CHECK_EQ(info.data_size, 3);
	CHECK_EQ(gpstore_truncate(ca, h, 8), TEE_SUCCESS);
	CHECK_EQ(gpstore_seek(ca, h, 0, TEE_DATA_SEEK_SET), TEE_SUCCESS);
	CHECK_EQ(gpstore_read(ca, h, buf, sizeof(buf), &n), TEE_SUCCESS);
	CHECK_EQ(n, 8);
	CHECK_MEM(buf, "abc", 3);
	CHECK_MEM(buf + 3, zero, 5);
	/* A zero-length write succeeds and changes nothing. */
	CHECK_EQ(gpstore_write(ca, h, NULL, 0), TEE_SUCCESS);
	CHECK_EQ(gpstore_get_info(ca, h, &info), TEE_SUCCESS);
	CHECK_EQ(info.data_size, 8);
	teardown();
}

static uint64_t pos_of(uint32_t h)
{
	struct gpstore_info info;

	if (gpstore_get_info(ca, h, &info))
		return UINT64_MAX;
	return info.data_position;
}

static void test_seek_edges(void)
{
	const uint64_t max = TEE_DATA_MAX_POSITION;
	uint32_t h = 0;

	setup("gps-seek");
	REQUIRE(create_id(ca, "s", R | W, "0123456789", &h) == TEE_SUCCESS);
	CHECK_EQ(gpstore_seek(ca, h, -5, TEE_DATA_SEEK_SET), TEE_SUCCESS);
	CHECK_EQ(pos_of(h), 0);
	CHECK_EQ(gpstore_seek(ca, h, 4, TEE_DATA_SEEK_CUR), TEE_SUCCESS);
	CHECK_EQ(gpstore_seek(ca, h, 3, TEE_DATA_SEEK_CUR), TEE_SUCCESS);
	CHECK_EQ(pos_of(h), 7);
	CHECK_EQ(gpstore_seek(ca, h, -100, TEE_DATA_SEEK_CUR), TEE_SUCCESS);
	CHECK_EQ(pos_of(h), 0);
	CHECK_EQ(gpstore_seek(ca, h, -3, TEE_DATA_SEEK_END), TEE_SUCCESS);
	CHECK_EQ(pos_of(h), 7);
	CHECK_EQ(gpstore_seek(ca, h, 5, TEE_DATA_SEEK_END), TEE_SUCCESS);
	CHECK_EQ(pos_of(h), 15);
	CHECK_EQ(gpstore_seek(ca, h, INT64_MIN, TEE_DATA_SEEK_END),
		 TEE_SUCCESS);
	CHECK_EQ(pos_of(h), 0);
	CHECK_EQ(gpstore_seek(ca, h, (int64_t)max, TEE_DATA_SEEK_SET),
		 TEE_SUCCESS);
	CHECK_EQ(pos_of(h), max);
	/* Past the maximum: OVERFLOW, position unchanged. */
	CHECK_EQ(gpstore_seek(ca, h, 1, TEE_DATA_SEEK_CUR), TEE_ERROR_OVERFLOW);
	CHECK_EQ(pos_of(h), max);
	CHECK_EQ(gpstore_seek(ca, h, (int64_t)max + 1, TEE_DATA_SEEK_SET),
		 TEE_ERROR_OVERFLOW);
	CHECK_EQ(gpstore_seek(ca, h, INT64_MAX, TEE_DATA_SEEK_CUR),
		 TEE_ERROR_OVERFLOW);
	CHECK_EQ(gpstore_seek(ca, h, (int64_t)max - 9, TEE_DATA_SEEK_END),
		 TEE_ERROR_OVERFLOW);
	CHECK_EQ(pos_of(h), max);
	CHECK_EQ(gpstore_seek(ca, h, (int64_t)max - 10, TEE_DATA_SEEK_END),
		 TEE_SUCCESS);
	CHECK_EQ(pos_of(h), max);
	/* At the maximum: a write of 0 is fine, of 1 is OVERFLOW. */
	CHECK_EQ(gpstore_write(ca, h, "", 0), TEE_SUCCESS);
	CHECK_EQ(gpstore_write(ca, h, "a", 1), TEE_ERROR_OVERFLOW);
	CHECK_EQ(gpstore_seek(ca, h, (int64_t)max - 1, TEE_DATA_SEEK_SET),
		 TEE_SUCCESS);
	CHECK_EQ(gpstore_write(ca, h, "ab", 2), TEE_ERROR_OVERFLOW);
	CHECK_EQ(pos_of(h), max - 1);
	CHECK_EQ(gpstore_truncate(ca, h, max + 1), TEE_ERROR_OVERFLOW);
	/* Nothing of the refused calls reached the object. */
	CHECK_EQ(gpstore_seek(ca, h, 0, TEE_DATA_SEEK_END), TEE_SUCCESS);
	CHECK_EQ(pos_of(h), 10);
	CHECK_EQ(gpstore_seek(ca, h, 0, 3), GPSTORE_PANIC);
	teardown();
}

static void test_missing_access_panics(void)
{
	uint32_t hr = 0, hw = 0, h0 = 0;
	struct gpstore_info info;
	uint8_t buf[4];
	size_t n = 0;

	setup("gps-access");
	REQUIRE(create_id(ca, "a", SR | SW, "data", &h0) == TEE_SUCCESS);
	REQUIRE(open_id(ca, "a", R | SR | SW, &hr) == TEE_SUCCESS);
	REQUIRE(open_id(ca, "a", W | SR | SW, &hw) == TEE_SUCCESS);
	CHECK_EQ(gpstore_read(ca, hw, buf, 4, &n), GPSTORE_PANIC);
	CHECK_EQ(gpstore_write(ca, hr, "x", 1), GPSTORE_PANIC);
	CHECK_EQ(gpstore_truncate(ca, hr, 0), GPSTORE_PANIC);
	CHECK_EQ(gpstore_rename(ca, hw, "b", 1), GPSTORE_PANIC);
	CHECK_EQ(gpstore_close_and_delete(ca, hw), GPSTORE_PANIC);
	/* No right needed: seek, info, attributes. */
	CHECK_EQ(gpstore_seek(ca, h0, 1, TEE_DATA_SEEK_SET), TEE_SUCCESS);
	CHECK_EQ(gpstore_get_info(ca, h0, &info), TEE_SUCCESS);
	CHECK_EQ(gpstore_get_attrs(ca, h0, NULL, 0, &n), TEE_SUCCESS);
	CHECK_EQ(n, 0);
	/* The panicking calls changed nothing. */
	CHECK_EQ(gpstore_read(ca, hr, buf, 4, &n), TEE_SUCCESS);
	CHECK(n == 4 && !memcmp(buf, "data", 4));
	teardown();
}

static void test_bogus_handles_panic(void)
{
	uint32_t h = 0, h2 = 0, e = 0, hb = 0;
	struct gpstore_info info;
	uint8_t buf[4], id[64];
	size_t n = 0;

	setup("gps-handles");
	REQUIRE(create_id(ca, "h", R | W | META | SR | SW, "x", &h) ==
		TEE_SUCCESS);
	REQUIRE(create_id(cb, "h", R, "y", &hb) == TEE_SUCCESS);
	REQUIRE(gpstore_enum_alloc(ca, &e) == TEE_SUCCESS);
	CHECK(e != h && e != 0 && e <= 0x7FFFFFFFU);
	CHECK_EQ(gpstore_read(ca, 0, buf, 4, &n), GPSTORE_PANIC);
	CHECK_EQ(gpstore_read(ca, 1, buf, 4, &n), GPSTORE_PANIC);
	CHECK_EQ(gpstore_read(ca, h + 1, buf, 4, &n), GPSTORE_PANIC);
	CHECK_EQ(gpstore_read(ca, h ^ 0x1000, buf, 4, &n), GPSTORE_PANIC);
	CHECK_EQ(gpstore_read(ca, 0xFFFFFFFFU, buf, 4, &n), GPSTORE_PANIC);
	CHECK_EQ(gpstore_read(ca, 0x7FFFFFFFU, buf, 4, &n), GPSTORE_PANIC);
	/* An enumerator is not an object handle, and back. */
	CHECK_EQ(gpstore_get_info(ca, e, &info), GPSTORE_PANIC);
	CHECK_EQ(gpstore_enum_next(ca, h, NULL, id, &n), GPSTORE_PANIC);
	CHECK_EQ(gpstore_enum_start(ca, h, GT_PRIV), GPSTORE_PANIC);
	/* Another instance's handle. */
	CHECK_EQ(gpstore_read(ca, hb, buf, 4, &n), GPSTORE_PANIC);
	CHECK_EQ(gpstore_close(cb, h), GPSTORE_PANIC);
	/* A closed handle, even once its slot is reused. */
	CHECK_EQ(gpstore_close(ca, h), TEE_SUCCESS);
	CHECK_EQ(gpstore_close(ca, h), GPSTORE_PANIC);
	REQUIRE(open_id(ca, "h", R, &h2) == TEE_SUCCESS);
	CHECK(h2 != h);
	CHECK_EQ(gpstore_read(ca, h, buf, 4, &n), GPSTORE_PANIC);
	CHECK_EQ(gpstore_seek(ca, h, 0, TEE_DATA_SEEK_SET), GPSTORE_PANIC);
	CHECK_EQ(gpstore_rename(ca, h, "z", 1), GPSTORE_PANIC);
	CHECK_EQ(gpstore_close_and_delete(ca, h), GPSTORE_PANIC);
	CHECK_EQ(gpstore_restrict_usage(ca, h, 0), GPSTORE_PANIC);
	CHECK_EQ(gpstore_get_attrs(ca, h, buf, 4, &n), GPSTORE_PANIC);
	CHECK_EQ(gpstore_truncate(ca, h, 0), GPSTORE_PANIC);
	CHECK_EQ(gpstore_write(ca, h, "a", 1), GPSTORE_PANIC);
	/* TEE_HANDLE_NULL: no-ops where GP says so. */
	CHECK_EQ(gpstore_close(ca, 0), TEE_SUCCESS);
	CHECK_EQ(gpstore_close_and_delete(ca, 0), TEE_SUCCESS);
	CHECK_EQ(gpstore_enum_free(ca, 0), TEE_SUCCESS);
	CHECK_EQ(gpstore_enum_reset(ca, 0), TEE_SUCCESS);
	/* The live handle still works after all this. */
	CHECK_EQ(gpstore_read(ca, h2, buf, 4, &n), TEE_SUCCESS);
	CHECK(n == 1 && buf[0] == 'x');
	teardown();
}

static void test_close_and_delete(void)
{
	uint32_t h = 0;
	uint8_t buf[4];
	size_t n = 0;

	setup("gps-delete");
	REQUIRE(create_id(ca, "d", R | META, "x", &h) == TEE_SUCCESS);
	CHECK_EQ(gpstore_close_and_delete(ca, h), TEE_SUCCESS);
	CHECK_EQ(gpstore_read(ca, h, buf, 4, &n), GPSTORE_PANIC);
	CHECK_EQ(open_id(ca, "d", R, &h), TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(create_id(ca, "d", R, "again", NULL), TEE_SUCCESS);
	teardown();
}

static void test_rename(void)
{
	uint32_t h = 0, h2 = 0;
	uint8_t buf[16], long_id[65] = {0};
	size_t n = 0;

	setup("gps-rename");
	REQUIRE(create_id(ca, "old", R | W | META, "content", &h) ==
		TEE_SUCCESS);
	CHECK_EQ(create_id(ca, "taken", R, "other", NULL), TEE_SUCCESS);
	CHECK_EQ(gpstore_rename(ca, h, "taken", 5), TEE_ERROR_ACCESS_CONFLICT);
	CHECK_EQ(gpstore_rename(ca, h, "old", 3), TEE_ERROR_ACCESS_CONFLICT);
	CHECK_EQ(gpstore_rename(ca, h, long_id, 65), GPSTORE_PANIC);
	CHECK_EQ(gpstore_rename(ca, h, "new", 3), TEE_SUCCESS);
	CHECK_EQ(open_id(ca, "old", R, &h2), TEE_ERROR_ITEM_NOT_FOUND);
	/* The handle follows the object; others see it under its new ID. */
	CHECK_EQ(gpstore_write(ca, h, "C", 1), TEE_SUCCESS);
	CHECK_EQ(open_id(ca, "new", R, &h2), TEE_ERROR_ACCESS_CONFLICT);
	CHECK_EQ(gpstore_close(ca, h), TEE_SUCCESS);
	CHECK_EQ(gt_get(ca, "new", buf, sizeof(buf), &n), TEE_SUCCESS);
	CHECK(n == 7 && !memcmp(buf, "Content", 7));
	CHECK_EQ(gt_get(ca, "taken", buf, sizeof(buf), &n), TEE_SUCCESS);
	CHECK(n == 5 && !memcmp(buf, "other", 5));
	/* The old ID is free again. */
	CHECK_EQ(create_id(ca, "old", R, "fresh", NULL), TEE_SUCCESS);
	/* Rename to the empty ID. */
	REQUIRE(open_id(ca, "old", META, &h) == TEE_SUCCESS);
	CHECK_EQ(gpstore_rename(ca, h, NULL, 0), TEE_SUCCESS);
	CHECK_EQ(gpstore_close(ca, h), TEE_SUCCESS);
	CHECK_EQ(gpstore_open(ca, GT_PRIV, NULL, 0, R, &h), TEE_SUCCESS);
	teardown();
}

/* Every ID enumerated for c, as a bit mask of "o0".."o9"; -1 on error. */
static int enum_mask(struct gpstore_client *c, uint32_t e, bool with_info)
{
	struct gpstore_info info;
	uint8_t id[GPSTORE_ID_MAX];
	TEE_Result res;
	size_t n = 0;
	int mask = 0;

	while (!(
	    res = gpstore_enum_next(c, e, with_info ? &info : NULL, id, &n))) {
		if (n != 2 || id[0] != 'o' || id[1] < '0' || id[1] > '9')
			return -1;
		if (with_info && (info.data_size != (size_t)(id[1] - '0') ||
				  info.data_position != 0 ||
				  info.object_type != TEE_TYPE_DATA))
			return -1;
		if (mask & (1 << (id[1] - '0')))
			return -1; /* seen twice */
		mask |= 1 << (id[1] - '0');
	}
	return res == TEE_ERROR_ITEM_NOT_FOUND ? mask : -1;
}

static void test_enumeration(void)
{
	uint8_t id[GPSTORE_ID_MAX];
	uint32_t e = 0, e2 = 0, all[GPSTORE_MAX_ENUMS];
	char name[3] = "o0";
	size_t n = 0, i;

	setup("gps-enum");
	REQUIRE(gpstore_enum_alloc(ca, &e) == TEE_SUCCESS);
	CHECK_EQ(gpstore_enum_next(ca, e, NULL, id, &n),
		 TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(gpstore_enum_start(ca, e, GT_PRIV), TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(gpstore_enum_next(ca, e, NULL, id, &n),
		 TEE_ERROR_ITEM_NOT_FOUND);
	for (i = 0; i < 6; i++) {
		name[1] = (char)('0' + i);
		CHECK_EQ(gpstore_create(ca, GT_PRIV, name, 2, R, NULL,
					"123456789", i, NULL),
			 TEE_SUCCESS);
	}
	/* TA B's objects are invisible to A (and the other way round). */
	CHECK_EQ(create_id(cb, "o7", R, "x", NULL), TEE_SUCCESS);
	CHECK_EQ(create_id(cb, "o8", R, "x", NULL), TEE_SUCCESS);
	CHECK_EQ(gpstore_enum_start(ca, e, GT_PRIV), TEE_SUCCESS);
	CHECK_EQ(enum_mask(ca, e, true), 0x3f);
	CHECK_EQ(gpstore_enum_next(ca, e, NULL, id, &n),
		 TEE_ERROR_ITEM_NOT_FOUND);
	/* Start restarts; reset stops. */
	CHECK_EQ(gpstore_enum_start(ca, e, GT_ALIAS), TEE_SUCCESS);
	CHECK_EQ(gpstore_enum_next(ca, e, NULL, id, &n), TEE_SUCCESS);
	CHECK_EQ(gpstore_enum_reset(ca, e), TEE_SUCCESS);
	CHECK_EQ(gpstore_enum_next(ca, e, NULL, id, &n),
		 TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(gpstore_enum_start(ca, e, GT_PRIV), TEE_SUCCESS);
	CHECK_EQ(enum_mask(ca, e, false), 0x3f);
	REQUIRE(gpstore_enum_alloc(cb, &e2) == TEE_SUCCESS);
	CHECK_EQ(gpstore_enum_start(cb, e2, GT_PRIV), TEE_SUCCESS);
	CHECK_EQ(enum_mask(cb, e2, false), 0x180);
	/* A deleted object is no longer listed. */
	CHECK_EQ(gpstore_create(ca, GT_PRIV, "o3", 2, META | OVW, NULL, NULL, 0,
				&all[0]),
		 TEE_SUCCESS);
	CHECK_EQ(gpstore_close_and_delete(ca, all[0]), TEE_SUCCESS);
	CHECK_EQ(gpstore_enum_start(ca, e, GT_PRIV), TEE_SUCCESS);
	CHECK_EQ(enum_mask(ca, e, true), 0x37);
	CHECK_EQ(gpstore_enum_free(ca, e), TEE_SUCCESS);
	CHECK_EQ(gpstore_enum_free(ca, e), GPSTORE_PANIC);
	CHECK_EQ(gpstore_enum_reset(ca, e), GPSTORE_PANIC);
	/* A bounded number per instance. */
	for (i = 0; i < GPSTORE_MAX_ENUMS; i++)
		CHECK_EQ(gpstore_enum_alloc(ca, &all[i]), TEE_SUCCESS);
	CHECK_EQ(gpstore_enum_alloc(ca, &e), TEE_ERROR_OUT_OF_MEMORY);
	CHECK_EQ(gpstore_enum_free(ca, all[3]), TEE_SUCCESS);
	CHECK_EQ(gpstore_enum_alloc(ca, &e), TEE_SUCCESS);
	teardown();
}

static void test_two_tas_same_ids(void)
{
	uint32_t h = 0;
	uint8_t buf[16];
	size_t n = 0;

	setup("gps-twotas");
	CHECK_EQ(create_id(ca, "same", R, "A-data", NULL), TEE_SUCCESS);
	CHECK_EQ(create_id(cb, "same", R, "B-data", NULL), TEE_SUCCESS);
	CHECK_EQ(create_id(ca, "onlyA", R, "secret", NULL), TEE_SUCCESS);
	CHECK_EQ(gt_get(ca, "same", buf, sizeof(buf), &n), TEE_SUCCESS);
	CHECK(n == 6 && !memcmp(buf, "A-data", 6));
	CHECK_EQ(gt_get(cb, "same", buf, sizeof(buf), &n), TEE_SUCCESS);
	CHECK(n == 6 && !memcmp(buf, "B-data", 6));
	/* B can neither open nor overwrite nor delete A's object. */
	CHECK_EQ(open_id(cb, "onlyA", R, &h), TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(create_id(cb, "onlyA", R | OVW, "evil", NULL), TEE_SUCCESS);
	REQUIRE(open_id(cb, "same", META, &h) == TEE_SUCCESS);
	CHECK_EQ(gpstore_close_and_delete(cb, h), TEE_SUCCESS);
	REQUIRE(open_id(cb, "onlyA", META, &h) == TEE_SUCCESS);
	CHECK_EQ(gpstore_rename(cb, h, "renamed", 7), TEE_SUCCESS);
	CHECK_EQ(gpstore_close(cb, h), TEE_SUCCESS);
	CHECK_EQ(gt_get(ca, "onlyA", buf, sizeof(buf), &n), TEE_SUCCESS);
	CHECK(n == 6 && !memcmp(buf, "secret", 6));
	CHECK_EQ(gt_get(ca, "same", buf, sizeof(buf), &n), TEE_SUCCESS);
	CHECK(n == 6 && !memcmp(buf, "A-data", 6));
	CHECK_EQ(open_id(ca, "renamed", R, &h), TEE_ERROR_ITEM_NOT_FOUND);
	/* Exclusive handles of two TAs on "their" same ID coexist. */
	REQUIRE(open_id(ca, "same", R | W | META, &h) == TEE_SUCCESS);
	CHECK_EQ(create_id(cb, "same", R | W | META, "B2", &h), TEE_SUCCESS);
	teardown();
}

static void test_instance_death_releases(void)
{
	struct gpstore_client *c1, *c2;
	struct gpstore_stats st;
	uint32_t h = 0, e = 0;
	int i;

	setup("gps-death");
	c1 = gt_client(&env, &gt_ta_a, false);
	c2 = gt_client(&env, &gt_ta_a, false);
	REQUIRE(create_id(c1, "x", R | W | META, "x", &h) == TEE_SUCCESS);
	for (i = 0; i < 5; i++)
		CHECK_EQ(create_id(c1, "y", R | SR | OVW, "y", &h),
			 TEE_SUCCESS);
	CHECK_EQ(gpstore_enum_alloc(c1, &e), TEE_SUCCESS);
	CHECK_EQ(gpstore_enum_start(c1, e, GT_PRIV), TEE_SUCCESS);
	gpstore_get_stats(env.g, &st);
	CHECK_EQ(st.handles, 6);
	CHECK_EQ(st.shared_objects, 2);
	CHECK_EQ(open_id(c2, "x", R, &h), TEE_ERROR_ACCESS_CONFLICT);
	CHECK_EQ(open_id(c2, "y", R | W | META, &h), TEE_ERROR_ACCESS_CONFLICT);
	gpstore_client_destroy(c1);
	gpstore_get_stats(env.g, &st);
	CHECK_EQ(st.handles, 0);
	CHECK_EQ(st.shared_objects, 0);
	CHECK_EQ(open_id(c2, "x", R | W | META, &h), TEE_SUCCESS);
	CHECK_EQ(open_id(c2, "y", R | W | META, &h), TEE_SUCCESS);
	gpstore_client_destroy(c2);
	gpstore_client_destroy(NULL);
	teardown();
}

static void test_handle_table_bounded(void)
{
	uint32_t h = 0, first = 0;
	TEE_Result res = TEE_SUCCESS;
	int i;

	setup("gps-table");
	REQUIRE(create_id(ca, "t", R | SR, "t", &first) == TEE_SUCCESS);
	for (i = 1; i < GPSTORE_MAX_HANDLES && !res; i++)
		res = open_id(ca, "t", R | SR, &h);
	CHECK_EQ(res, TEE_SUCCESS);
	CHECK_EQ(open_id(ca, "t", R | SR, &h), TEE_ERROR_OUT_OF_MEMORY);
	CHECK_EQ(create_id(ca, "u", R, "u", &h), TEE_ERROR_OUT_OF_MEMORY);
	/* Nothing was created by the refused create. */
	CHECK_EQ(open_id(cb, "u", R, &h), TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(gpstore_close(ca, first), TEE_SUCCESS);
	CHECK_EQ(open_id(ca, "t", R | SR, &h), TEE_SUCCESS);
	teardown();
}

static void test_objects_survive_restart(void)
{
	uint8_t big[10000], got[10000];
	size_t n = 0;

	setup("gps-restart");
	test_fill_pattern(big, sizeof(big), 3);
	CHECK_EQ(gt_put(ca, "big", big, sizeof(big)), TEE_SUCCESS);
	CHECK_EQ(gt_put(cb, "big", "b", 1), TEE_SUCCESS);
	gpstore_client_destroy(ca);
	gpstore_client_destroy(cb);
	REQUIRE(gt_env_restart(&env));
	ca = gt_client(&env, &gt_ta_a, false);
	cb = gt_client(&env, &gt_ta_b, false);
	CHECK_EQ(gt_get(ca, "big", got, sizeof(got), &n), TEE_SUCCESS);
	CHECK(n == sizeof(big) && !memcmp(got, big, n));
	CHECK_EQ(gt_get(cb, "big", got, sizeof(got), &n), TEE_SUCCESS);
	CHECK(n == 1 && got[0] == 'b');
	teardown();
}

static void test_properties(void)
{
	struct gpstore_prop p[GPSTORE_NPROPS];
	struct gpstore_config cfg;
	struct gpstore *g = NULL;
	size_t i;

	setup("gps-props");
	CHECK_EQ(gpstore_properties(env.g, p), GPSTORE_NPROPS);
	CHECK(!strcmp(p[0].name,
		      "gpd.tee.trustedStorage.antiRollback.protectionLevel"));
	for (i = 0; i < GPSTORE_NPROPS; i++)
		CHECK_EQ(p[i].value, 100);
	teardown();
	/* No storage at all: every storage ID is unknown; level 1000. */
	gpstore_config_init(&cfg, NULL, NULL, 0);
	cfg.anti_rollback_level = 1000;
	REQUIRE(gpstore_new(&cfg, &g) == TEE_SUCCESS);
	gpstore_properties(g, p);
	CHECK_EQ(p[2].value, 1000);
	CHECK(gpstore_tstore(g, GT_PRIV) == NULL);
	gpstore_destroy(g);
	cfg.corrupt_policy = 7;
	CHECK_EQ(gpstore_new(&cfg, &g), TEE_ERROR_BAD_PARAMETERS);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: %s [--backend posix|fake] [--storage ree|rpmb]\n"
		       "Tests every gpstore function and GP rule.\n",
		       argv[0]);
		return 0;
	}
	gt_set_kind(argc, argv);
	RUN(test_open_missing_object);
	RUN(test_storage_ids);
	RUN(test_invalid_flags_and_ids_panic);
	RUN(test_create_data_object);
	RUN(test_create_existing_needs_overwrite);
	RUN(test_create_without_handle_closes);
	RUN(test_empty_id_is_distinct);
	RUN(test_key_object_attrs_and_usage);
	RUN(test_read_write_position);
	RUN(test_seek_edges);
	RUN(test_missing_access_panics);
	RUN(test_bogus_handles_panic);
	RUN(test_close_and_delete);
	RUN(test_rename);
	RUN(test_enumeration);
	RUN(test_two_tas_same_ids);
	RUN(test_instance_death_releases);
	RUN(test_handle_table_bounded);
	RUN(test_objects_survive_restart);
	RUN(test_properties);
	return test_report();
}
