/*
 * TEE_STORAGE_PRIVATE_RPMB through gpstore (the GP rules of the storage
 * issue on the RPMB FS), beside the REE FS on a fake backend: separate
 * namespaces per storage ID, sharing, positions, rename, delete, usage,
 * attributes, restart, and a hostile supplicant that never gets an
 * object deleted as corrupt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_fake.h"
#include "gpstore.h"
#include "rfs_support.h"
#include "test.h"

#define R    TEE_DATA_FLAG_ACCESS_READ
#define W    TEE_DATA_FLAG_ACCESS_WRITE
#define META TEE_DATA_FLAG_ACCESS_WRITE_META
#define SR   TEE_DATA_FLAG_SHARE_READ
#define SW   TEE_DATA_FLAG_SHARE_WRITE
#define OVW  TEE_DATA_FLAG_OVERWRITE
#define RPMB TEE_STORAGE_PRIVATE_RPMB
#define REE  TEE_STORAGE_PRIVATE_REE

static const char *dir;
static struct rpmb_dev *dev;
static struct rfs_link link_;
static struct backend *be;
static struct rpmbfs *fs;
static struct gpstore *g;
static struct gpstore_client *c;

static bool start(bool provision)
{
	struct gpstore_config cfg;

	rfs_link_init(&link_, dev);
	if (rfs_mount(&link_, provision, &fs))
		return false;
	gpstore_config_init(&cfg, be, rfs_huk, sizeof(rfs_huk));
	cfg.rpmb = fs;
	cfg.anti_rollback_level = 1000;
	if (gpstore_new(&cfg, &g))
		return false;
	return gpstore_client_new(g, &rfs_ta, false, &c) == TEE_SUCCESS;
}

static void stop(void)
{
	gpstore_client_destroy(c);
	gpstore_destroy(g);
	rpmbfs_close(fs);
	rfs_link_free(&link_);
	c = NULL;
	g = NULL;
	fs = NULL;
}

static TEE_Result put(uint32_t sid, const char *id, const char *data)
{
	return gpstore_create(c, sid, id, strlen(id), R | W | META | OVW, NULL,
			      data, strlen(data), NULL);
}

static bool has(uint32_t sid, const char *id, const char *data)
{
	char buf[256];
	uint32_t h;
	size_t n = 0;
	bool ok;

	if (gpstore_open(c, sid, id, strlen(id), R, &h))
		return false;
	ok = !gpstore_read(c, h, buf, sizeof(buf), &n) && n == strlen(data) &&
	     !memcmp(buf, data, n);
	gpstore_close(c, h);
	return ok;
}

static void test_storage_ids_separate(void)
{
	uint32_t e;
	uint8_t id[64];
	size_t len;
	int n = 0;

	CHECK_EQ(put(RPMB, "same", "in rpmb"), TEE_SUCCESS);
	CHECK_EQ(put(REE, "same", "in ree"), TEE_SUCCESS);
	CHECK_EQ(put(RPMB, "only-rpmb", "x"), TEE_SUCCESS);
	CHECK(has(RPMB, "same", "in rpmb"));
	CHECK(has(REE, "same", "in ree"));
	CHECK(has(TEE_STORAGE_PRIVATE, "same", "in ree"));
	CHECK(!has(REE, "only-rpmb", "x"));
	REQUIRE(gpstore_enum_alloc(c, &e) == 0);
	REQUIRE(gpstore_enum_start(c, e, RPMB) == 0);
	while (gpstore_enum_next(c, e, NULL, id, &len) == TEE_SUCCESS)
		n++;
	CHECK_EQ(n, 2);
	gpstore_enum_free(c, e);
}

static void test_gp_rules_on_rpmb(void)
{
	uint32_t h1, h2;
	uint8_t buf[600];
	struct gpstore_info info;
	size_t n;

	CHECK_EQ(gpstore_create(c, RPMB, "rules", 5, R | W | META, NULL,
				"0123456789", 10, &h1),
		 TEE_SUCCESS);
	CHECK_EQ(gpstore_create(c, RPMB, "rules", 5, R, NULL, NULL, 0, NULL),
		 TEE_ERROR_ACCESS_CONFLICT);
	/* Sharing: no SHARE_READ on the first handle. */
	CHECK_EQ(gpstore_open(c, RPMB, "rules", 5, R | SR, &h2),
		 TEE_ERROR_ACCESS_CONFLICT);
	/* Positions: a write past the end zero-fills the gap. */
	CHECK_EQ(gpstore_seek(c, h1, 500, TEE_DATA_SEEK_SET), TEE_SUCCESS);
	CHECK_EQ(gpstore_write(c, h1, "end", 3), TEE_SUCCESS);
	CHECK_EQ(gpstore_get_info(c, h1, &info), TEE_SUCCESS);
	CHECK_EQ(info.data_size, 503);
	CHECK_EQ(info.data_position, 503);
	CHECK_EQ(gpstore_seek(c, h1, 0, TEE_DATA_SEEK_SET), TEE_SUCCESS);
	CHECK_EQ(gpstore_read(c, h1, buf, sizeof(buf), &n), TEE_SUCCESS);
	CHECK_EQ(n, 503);
	CHECK(!memcmp(buf, "0123456789", 10) && buf[10] == 0 && buf[499] == 0 &&
	      !memcmp(buf + 500, "end", 3));
	CHECK_EQ(gpstore_read(c, h1, buf, sizeof(buf), &n), TEE_SUCCESS);
	CHECK_EQ(n, 0);
	CHECK_EQ(gpstore_truncate(c, h1, 4), TEE_SUCCESS);
	CHECK_EQ(gpstore_restrict_usage(c, h1, 0x3), TEE_SUCCESS);
	CHECK_EQ(gpstore_get_info(c, h1, &info), TEE_SUCCESS);
	CHECK_EQ(info.data_size, 4);
	CHECK_EQ(info.object_usage, 0x3);
	/* Rename onto an existing ID; then to a free one. */
	CHECK_EQ(put(RPMB, "taken", "t"), TEE_SUCCESS);
	CHECK_EQ(gpstore_rename(c, h1, "taken", 5), TEE_ERROR_ACCESS_CONFLICT);
	CHECK_EQ(gpstore_rename(c, h1, "renamed", 7), TEE_SUCCESS);
	/* Still open without sharing: others are refused. */
	CHECK(!has(RPMB, "renamed", "0123"));
	gpstore_close(c, h1);
	CHECK(has(RPMB, "renamed", "0123"));
	CHECK_EQ(gpstore_open(c, RPMB, "rules", 5, R, &h2),
		 TEE_ERROR_ITEM_NOT_FOUND);
	/* A write without ACCESS_WRITE panics. */
	REQUIRE(gpstore_open(c, RPMB, "taken", 5, R | META, &h2) == 0);
	CHECK_EQ(gpstore_write(c, h2, "x", 1), GPSTORE_PANIC);
	CHECK_EQ(gpstore_close_and_delete(c, h2), TEE_SUCCESS);
	CHECK_EQ(gpstore_open(c, RPMB, "taken", 5, R, &h2),
		 TEE_ERROR_ITEM_NOT_FOUND);
}

static void test_key_object_attrs(void)
{
	static const uint8_t blob[] = {0, 0, 0, 4, 'k', 'e', 'y', '!'};
	struct gpstore_key key = {0xa0000010u, 32,   256,	  0xffffffffu,
				  1,	       blob, sizeof(blob)};
	struct gpstore_info info;
	uint8_t buf[32];
	size_t alen;
	uint32_t h;

	REQUIRE(gpstore_create(c, RPMB, "key", 3, R | W | META, &key, "data", 4,
			       &h) == 0);
	CHECK_EQ(gpstore_get_attrs(c, h, buf, sizeof(buf), &alen), 0);
	CHECK_EQ(alen, sizeof(blob));
	CHECK_MEM(buf, blob, sizeof(blob));
	CHECK_EQ(gpstore_get_info(c, h, &info), 0);
	CHECK_EQ(info.object_type, 0xa0000010u);
	CHECK_EQ(info.data_size, 4);
	gpstore_close(c, h);
}

static void test_survives_restart(void)
{
	stop();
	REQUIRE(start(false));
	CHECK(has(RPMB, "renamed", "0123"));
	CHECK(has(RPMB, "same", "in rpmb"));
	CHECK(has(REE, "same", "in ree"));
}

static void test_forged_answers_delete_nothing(void)
{
	struct gpstore_stats st;
	uint8_t buf[16];
	uint32_t h;
	size_t n;

	REQUIRE(gpstore_open(c, RPMB, "same", 4, R, &h) == 0);
	CHECK_EQ(gpstore_read(c, h, buf, 4, &n), 0); /* recorded */
	link_.replay_reads = true;
	CHECK_EQ(gpstore_read(c, h, buf, 4, &n), 0); /* recorded */
	CHECK_EQ(gpstore_seek(c, h, 0, TEE_DATA_SEEK_SET), 0);
	CHECK_EQ(gpstore_read(c, h, buf, 4, &n),
		 TEE_ERROR_STORAGE_NOT_AVAILABLE);
	link_.replay_reads = false;
	gpstore_close(c, h);
	gpstore_get_stats(g, &st);
	CHECK_EQ(st.corrupt_found, 0);
	CHECK(has(RPMB, "same", "in rpmb"));
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		printf("usage: %s\nTEE_STORAGE_PRIVATE_RPMB through gpstore "
		       "(docs/rpmbfs.md)\n",
		       argv[0]);
		return 0;
	}
	dir = test_tmpdir("rpmbfs_gp");
	dev = rfs_dev_open(dir, "rpmb.img", 0);
	if (!dev || backend_fake_new(&be) || !start(true)) {
		fprintf(stderr, "cannot set up the stores\n");
		return 1;
	}
	RUN(test_storage_ids_separate);
	RUN(test_gp_rules_on_rpmb);
	RUN(test_key_object_attrs);
	RUN(test_survives_restart);
	RUN(test_forged_answers_delete_nothing);
	stop();
	backend_destroy(be);
	rpmb_dev_close(dev);
	test_rmtree(dir);
	return test_report();
}
