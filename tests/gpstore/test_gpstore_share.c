/*
 * gpstore sharing rules (docs/gp-storage.md, "Sharing"): the whole
 * matrix of access x share flags for a second handle, within one
 * instance and across two instances of the same TA, for open and for
 * create-with-OVERWRITE over an open object; handles sharing an object
 * see each other's writes and keep their own positions.
 */
#include <stdlib.h>
#include <string.h>

#include "gps_test.h"
#include "test.h"

static struct gt_env env;
static struct gpstore_client *c1, *c2;

static void setup(const char *tag)
{
	gt_env_must_open(&env, tag, GPSTORE_CORRUPT_KEEP);
	c1 = gt_client(&env, &gt_ta_a, false);
	c2 = gt_client(&env, &gt_ta_a, false);
}

static void teardown(void)
{
	gpstore_client_destroy(c1);
	gpstore_client_destroy(c2);
	gt_env_close(&env);
}

/* The rule, written from gp-api.md "Sharing" (OP-TEE's reading). */
static bool may_share(uint32_t a, uint32_t b)
{
	uint32_t any = a | b;

	if (any & META)
		return false;
	if ((any & R) && !((a & SR) && (b & SR)))
		return false;
	if ((any & W) && !((a & SW) && (b & SW)))
		return false;
	return (a & (SR | SW)) == (b & (SR | SW));
}

static uint32_t flags_of(unsigned i)
{
	return (i & 7) | ((i >> 3) & 3) << 4; /* 3 access bits, 2 share */
}

/* Every pair of open flags; second handle in `second`. */
static void open_matrix(struct gpstore_client *second)
{
	unsigned i, j, bad = 0, allowed = 0;

	for (i = 0; i < 32; i++) {
		for (j = 0; j < 32; j++) {
			uint32_t a = flags_of(i), b = flags_of(j), h1 = 0,
				 h2 = 0;
			TEE_Result want, got;

			if (gpstore_open(c1, GT_PRIV, "m", 1, a, &h1)) {
				bad++;
				continue;
			}
			want = may_share(a, b) ? TEE_SUCCESS
					       : TEE_ERROR_ACCESS_CONFLICT;
			got = gpstore_open(second, GT_PRIV, "m", 1, b, &h2);
			if (got != want) {
				fprintf(stderr, "open 0x%x then 0x%x: 0x%x\n",
					a, b, got);
				bad++;
			}
			allowed += !got;
			gpstore_close(second, h2);
			gpstore_close(c1, h1);
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(allowed > 20 && allowed < 200); /* the matrix is not trivial */
}

static void test_open_matrix_one_instance(void)
{
	setup("gps-share1");
	REQUIRE(gpstore_create(c1, GT_PRIV, "m", 1, 0, NULL, NULL, 0, NULL) ==
		TEE_SUCCESS);
	open_matrix(c1);
	teardown();
}

static void test_open_matrix_two_instances(void)
{
	struct gpstore_stats st;

	setup("gps-share2");
	REQUIRE(gpstore_create(c1, GT_PRIV, "m", 1, 0, NULL, NULL, 0, NULL) ==
		TEE_SUCCESS);
	open_matrix(c2);
	gpstore_get_stats(env.g, &st);
	CHECK_EQ(st.handles, 0);
	CHECK_EQ(st.shared_objects, 0);
	teardown();
}

static void test_create_over_open_matrix(void)
{
	unsigned i, j, bad = 0, ok = 0;
	uint8_t buf[8];
	size_t n;

	setup("gps-sharec");
	REQUIRE(gpstore_create(c1, GT_PRIV, "m", 1, 0, NULL, "0", 1, NULL) ==
		TEE_SUCCESS);
	for (i = 0; i < 32; i++) {
		for (j = 0; j < 32; j++) {
			uint32_t a = flags_of(i), b = flags_of(j), h1 = 0,
				 h2 = 0;
			char data[2] = {(char)('A' + j % 26), 0};
			TEE_Result want, got;

			if (gpstore_open(c1, GT_PRIV, "m", 1, a, &h1)) {
				bad++;
				continue;
			}
			/* Without OVERWRITE: always a conflict. */
			if (gpstore_create(c2, GT_PRIV, "m", 1, b, NULL, data,
					   1,
					   NULL) != TEE_ERROR_ACCESS_CONFLICT)
				bad++;
			want = may_share(a, b) ? TEE_SUCCESS
					       : TEE_ERROR_ACCESS_CONFLICT;
			got = gpstore_create(c2, GT_PRIV, "m", 1, b | OVW, NULL,
					     data, 1, &h2);
			if (got != want)
				bad++;
			/* The open handle sees the new content at once. */
			if (!got &&
			    (gpstore_seek(c1, h1, 0, 0) ||
			     (a & R && (gpstore_read(c1, h1, buf, 8, &n) ||
					n != 1 || buf[0] != data[0]))))
				bad++;
			ok += !got;
			gpstore_close(c2, h2);
			gpstore_close(c1, h1);
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(ok > 20);
	teardown();
}

static void test_three_handles_need_same_share(void)
{
	uint32_t h1 = 0, h2 = 0, h3 = 0;

	setup("gps-share3");
	REQUIRE(gpstore_create(c1, GT_PRIV, "t", 1, 0, NULL, NULL, 0, NULL) ==
		TEE_SUCCESS);
	REQUIRE(gpstore_open(c1, GT_PRIV, "t", 1, R | SR | SW, &h1) ==
		TEE_SUCCESS);
	REQUIRE(gpstore_open(c2, GT_PRIV, "t", 1, W | SR | SW, &h2) ==
		TEE_SUCCESS);
	CHECK_EQ(gpstore_open(c2, GT_PRIV, "t", 1, R | SR, &h3),
		 TEE_ERROR_ACCESS_CONFLICT);
	CHECK_EQ(gpstore_open(c2, GT_PRIV, "t", 1, R | W | SR | SW, &h3),
		 TEE_SUCCESS);
	/* Closing the writers frees write access for non-sharers... no:
	 * the reader h1 still demands identical share bits. */
	gpstore_close(c2, h2);
	gpstore_close(c2, h3);
	CHECK_EQ(gpstore_open(c2, GT_PRIV, "t", 1, R | SR, &h3),
		 TEE_ERROR_ACCESS_CONFLICT);
	gpstore_close(c1, h1);
	CHECK_EQ(gpstore_open(c2, GT_PRIV, "t", 1, R | W | META, &h3),
		 TEE_SUCCESS);
	CHECK_EQ(gpstore_open(c1, GT_PRIV, "t", 1, 0, &h1),
		 TEE_ERROR_ACCESS_CONFLICT);
	teardown();
}

static void test_shared_handles_see_writes(void)
{
	const uint32_t fl = R | W | SR | SW;
	struct gpstore_info info;
	uint32_t h1 = 0, h2 = 0;
	uint8_t buf[16];
	size_t n = 0;

	setup("gps-sharew");
	REQUIRE(gpstore_create(c1, GT_PRIV, "s", 1, fl, NULL, NULL, 0, &h1) ==
		TEE_SUCCESS);
	REQUIRE(gpstore_open(c2, GT_PRIV, "s", 1, fl, &h2) == TEE_SUCCESS);
	CHECK_EQ(gpstore_write(c1, h1, "hello", 5), TEE_SUCCESS);
	/* h2's position is its own (0). */
	CHECK_EQ(gpstore_read(c2, h2, buf, sizeof(buf), &n), TEE_SUCCESS);
	CHECK(n == 5 && !memcmp(buf, "hello", 5));
	CHECK_EQ(gpstore_seek(c2, h2, 1, TEE_DATA_SEEK_SET), TEE_SUCCESS);
	CHECK_EQ(gpstore_write(c2, h2, "ELL", 3), TEE_SUCCESS);
	CHECK_EQ(gpstore_seek(c1, h1, 0, TEE_DATA_SEEK_SET), TEE_SUCCESS);
	CHECK_EQ(gpstore_read(c1, h1, buf, sizeof(buf), &n), TEE_SUCCESS);
	CHECK(n == 5 && !memcmp(buf, "hELLo", 5));
	CHECK_EQ(gpstore_truncate(c2, h2, 2), TEE_SUCCESS);
	CHECK_EQ(gpstore_get_info(c1, h1, &info), TEE_SUCCESS);
	CHECK_EQ(info.data_size, 2);
	CHECK_EQ(info.data_position, 5);
	CHECK_EQ(gpstore_restrict_usage(c2, h2, TEE_USAGE_MAC), TEE_SUCCESS);
	CHECK_EQ(gpstore_get_info(c1, h1, &info), TEE_SUCCESS);
	CHECK_EQ(info.object_usage, TEE_USAGE_MAC);
	/* Via the other storage ID: the same object, the same rules. */
	CHECK_EQ(gpstore_open(c2, GT_ALIAS, "s", 1, fl, &h2), TEE_SUCCESS);
	CHECK_EQ(gpstore_open(c2, GT_ALIAS, "s", 1, R | SR, &h2),
		 TEE_ERROR_ACCESS_CONFLICT);
	teardown();
}

static void test_rename_target_and_source(void)
{
	uint32_t h1 = 0, h2 = 0;

	setup("gps-sharer");
	REQUIRE(gpstore_create(c1, GT_PRIV, "a", 1, META, NULL, NULL, 0, &h1) ==
		TEE_SUCCESS);
	REQUIRE(gpstore_create(c2, GT_PRIV, "b", 1, R | SR, NULL, NULL, 0,
			       &h2) == TEE_SUCCESS);
	CHECK_EQ(gpstore_rename(c1, h1, "b", 1), TEE_ERROR_ACCESS_CONFLICT);
	gpstore_close(c2, h2);
	CHECK_EQ(gpstore_rename(c1, h1, "b", 1), TEE_ERROR_ACCESS_CONFLICT);
	CHECK_EQ(gpstore_rename(c1, h1, "c", 1), TEE_SUCCESS);
	/* The registry follows: "c" is held exclusively, "a" is free. */
	CHECK_EQ(gpstore_open(c2, GT_PRIV, "c", 1, 0, &h2),
		 TEE_ERROR_ACCESS_CONFLICT);
	CHECK_EQ(gpstore_create(c2, GT_PRIV, "a", 1, META, NULL, NULL, 0, &h2),
		 TEE_SUCCESS);
	gpstore_close(c1, h1);
	CHECK_EQ(gpstore_open(c2, GT_PRIV, "c", 1, META, &h1), TEE_SUCCESS);
	teardown();
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: %s [--backend posix|fake] [--storage ree|rpmb]\n"
		       "Tests gpstore's sharing rules.\n",
		       argv[0]);
		return 0;
	}
	gt_set_kind(argc, argv);
	RUN(test_open_matrix_one_instance);
	RUN(test_open_matrix_two_instances);
	RUN(test_create_over_open_matrix);
	RUN(test_three_handles_need_same_share);
	RUN(test_shared_handles_see_writes);
	RUN(test_rename_target_and_source);
	return test_report();
}
