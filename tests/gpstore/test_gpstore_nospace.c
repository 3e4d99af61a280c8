/*
 * A full disk (the fake backend's capacity): STORAGE_NO_SPACE surfaces
 * from write, truncate and create, and the store stays as it was: same
 * content, same size, same position, no stray file; once space is back
 * everything works, also after a restart. Rename and close-and-delete
 * answer it too (GP lists it for neither; the TA runtime passes it on
 * rather than panic, docs/gp-storage-ta.md) and change nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "backend_fake.h"
#include "gps_test.h"
#include "test.h"

#define RW (TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE)

static struct gt_env env;

struct total {
	struct backend *be;
	uint64_t bytes;
	size_t files;
};

static int add_file(void *arg, const char *name)
{
	struct total *t = arg;
	uint8_t *p;
	size_t len;

	if (!backend_fake_file_data(t->be, name, &p, &len))
		t->bytes += len;
	t->files++;
	return 0;
}

static struct total usage(void)
{
	struct total t = {env.be, 0, 0};

	backend_list(env.be, add_file, &t);
	return t;
}

static bool content_is(struct gpstore_client *c, uint32_t h,
		       const uint8_t *want, size_t len)
{
	static uint8_t buf[70000];
	size_t n = 0;

	return !gpstore_seek(c, h, 0, TEE_DATA_SEEK_SET) &&
	       !gpstore_read(c, h, buf, sizeof(buf), &n) && n == len &&
	       !memcmp(buf, want, len);
}

static void test_disk_full_leaves_store_consistent(void)
{
	static uint8_t orig[4096], big[65536];
	struct gpstore_client *c;
	struct gpstore_info info;
	struct total before, after;
	uint32_t h = 0, h2 = 0;

	REQUIRE(gt_env_open(&env, "gps-nospace", GPSTORE_CORRUPT_KEEP));
	c = gt_client(&env, &gt_ta_a, false);
	test_fill_pattern(orig, sizeof(orig), 1);
	test_fill_pattern(big, sizeof(big), 2);
	REQUIRE(gpstore_create(c, GT_PRIV, "obj", 3, RW, NULL, orig,
			       sizeof(orig), &h) == TEE_SUCCESS);
	REQUIRE(gpstore_seek(c, h, 100, TEE_DATA_SEEK_SET) == TEE_SUCCESS);
	before = usage();
	backend_fake_set_capacity(env.be, before.bytes + 100);

	CHECK_EQ(gpstore_write(c, h, big, sizeof(big)),
		 TEE_ERROR_STORAGE_NO_SPACE);
	CHECK_EQ(gpstore_truncate(c, h, 1 << 20), TEE_ERROR_STORAGE_NO_SPACE);
	CHECK_EQ(gpstore_create(c, GT_PRIV, "new", 3, RW, NULL, big,
				sizeof(big), &h2),
		 TEE_ERROR_STORAGE_NO_SPACE);
	CHECK_EQ(h2, 0);
	REQUIRE(gpstore_get_info(c, h, &info) == TEE_SUCCESS);
	CHECK_EQ(info.data_position, 100);
	CHECK_EQ(info.data_size, sizeof(orig));
	CHECK(content_is(c, h, orig, sizeof(orig)));
	CHECK_EQ(gpstore_open(c, GT_PRIV, "new", 3, RW, &h2),
		 TEE_ERROR_ITEM_NOT_FOUND);
	after = usage();
	CHECK_EQ(after.files, before.files);

	/* Space again: the same calls succeed. */
	backend_fake_set_capacity(env.be, 0);
	REQUIRE(gpstore_seek(c, h, 0, TEE_DATA_SEEK_SET) == TEE_SUCCESS);
	CHECK_EQ(gpstore_write(c, h, big, sizeof(big)), TEE_SUCCESS);
	CHECK_EQ(gpstore_create(c, GT_PRIV, "new", 3, RW, NULL, orig,
				sizeof(orig), NULL),
		 TEE_SUCCESS);
	gpstore_client_destroy(c);
	REQUIRE(gt_env_restart(&env));
	c = gt_client(&env, &gt_ta_a, false);
	REQUIRE(gpstore_open(c, GT_PRIV, "obj", 3, RW, &h) == TEE_SUCCESS);
	CHECK(content_is(c, h, big, sizeof(big)));
	REQUIRE(gpstore_open(c, GT_PRIV, "new", 3, RW, &h2) == TEE_SUCCESS);
	CHECK(content_is(c, h2, orig, sizeof(orig)));
	gpstore_client_destroy(c);
	gt_env_close(&env);
}

/* The next backend event of a call fails as on a full disk. */
static void fail_next_as_full(void)
{
	backend_fake_set_fail_at(env.be, backend_fake_event_count(env.be) + 1,
				 TEE_ERROR_STORAGE_NO_SPACE);
}

static void test_rename_and_delete_on_full_disk(void)
{
	const uint32_t meta = RW | TEE_DATA_FLAG_ACCESS_WRITE_META;
	static uint8_t data[3000];
	struct gpstore_client *c;
	uint32_t h = 0;

	REQUIRE(gt_env_open(&env, "gps-nospace-meta", GPSTORE_CORRUPT_KEEP));
	c = gt_client(&env, &gt_ta_a, false);
	test_fill_pattern(data, sizeof(data), 3);
	REQUIRE(gpstore_create(c, GT_PRIV, "a", 1, meta, NULL, data,
			       sizeof(data), &h) == TEE_SUCCESS);
	fail_next_as_full();
	CHECK_EQ(gpstore_rename(c, h, "b", 1), TEE_ERROR_STORAGE_NO_SPACE);
	fail_next_as_full();
	CHECK_EQ(gpstore_close_and_delete(c, h), TEE_ERROR_STORAGE_NO_SPACE);
	/* Nothing changed: "a" is there with its data, "b" is not. */
	REQUIRE(gpstore_open(c, GT_PRIV, "a", 1, meta, &h) == TEE_SUCCESS);
	CHECK(content_is(c, h, data, sizeof(data)));
	CHECK_EQ(gpstore_rename(c, h, "b", 1), TEE_SUCCESS);
	CHECK_EQ(gpstore_close_and_delete(c, h), TEE_SUCCESS);
	CHECK_EQ(gpstore_open(c, GT_PRIV, "b", 1, meta, &h),
		 TEE_ERROR_ITEM_NOT_FOUND);
	gpstore_client_destroy(c);
	gt_env_close(&env);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: %s [--backend fake]\n"
		       "Tests gpstore on a full disk (fake backend only).\n",
		       argv[0]);
		return 0;
	}
	gt_set_kind(argc, argv);
	if (strcmp(gt_kind(), "fake")) {
		fprintf(stderr, "needs --backend fake\n");
		return 1;
	}
	RUN(test_disk_full_leaves_store_consistent);
	RUN(test_rename_and_delete_on_full_disk);
	return test_report();
}
