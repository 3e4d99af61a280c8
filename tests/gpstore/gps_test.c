/* Helpers of the gpstore tests (gps_test.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_fake.h"
#include "crash_io.h"
#include "gps_test.h"
#include "rpmb_dev_test.h"
#include "rpmbfs_dev_transport.h"
#include "test.h"
#include "test_backend.h"

const TEE_UUID gt_ta_a = {0x11111111,
			  0x2222,
			  0x3333,
			  {0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55}};
const TEE_UUID gt_ta_b = {0xaaaaaaaa,
			  0xbbbb,
			  0xcccc,
			  {0xdd, 0xdd, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee}};

static const uint8_t gt_huk[16] = {1, 2,  3,  4,  5,  6,  7,  8,
				   9, 10, 11, 12, 13, 14, 15, 16};
static const char *gt_kind_name = "fake";
uint32_t gt_storage = TEE_STORAGE_PRIVATE;

void gt_set_kind(int argc, char **argv)
{
	int i;

	gt_kind_name = test_backend_kind(argc, argv, "fake");
	for (i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--storage") &&
		    !strcmp(argv[i + 1], "rpmb"))
			gt_storage = TEE_STORAGE_PRIVATE_RPMB;
}

bool gt_rpmb(void)
{
	return gt_storage == TEE_STORAGE_PRIVATE_RPMB;
}

/* Mounts the RPMB FS (creating and provisioning the device first). */
static bool open_rpmb(struct gt_env *e)
{
	struct rpmb_dev_config dc = {.size_mult = 8, .create = true};
	struct rpmbfs_config cfg;
	struct rpmb_transport t;

	if (!e->dev) {
		e->disk = crash_disk_new();
		if (!e->disk ||
		    rpmb_dev_open_io(crash_disk_io(e->disk), &dc, &e->dev))
			return false;
	}
	rpmbfs_dev_transport(e->dev, &t);
	rpmbfs_config_init(&cfg, gt_huk, sizeof(gt_huk));
	return rpmbfs_provision(&t, &cfg) == TEE_SUCCESS &&
	       rpmbfs_open(&t, &cfg, &e->rpmb) == TEE_SUCCESS;
}

const char *gt_kind(void)
{
	return gt_kind_name;
}

static bool open_store(struct gt_env *e)
{
	struct gpstore_config cfg;
	TEE_Result res;

	if (gt_rpmb() && !e->rpmb && !open_rpmb(e))
		return false;
	gpstore_config_init(&cfg, e->be, gt_huk, sizeof(gt_huk));
	cfg.corrupt_policy = e->policy;
	cfg.rpmb = e->rpmb;
	res = gpstore_new(&cfg, &e->g);
	if (res)
		fprintf(stderr, "gpstore_new: 0x%08x\n", res);
	return !res;
}

bool gt_env_open(struct gt_env *e, const char *tag,
		 enum gpstore_corrupt_policy policy)
{
	memset(e, 0, sizeof(*e));
	e->kind = gt_kind_name;
	e->policy = policy;
	if (!test_backend_is_fake(e->kind))
		snprintf(e->dir, sizeof(e->dir), "%s", test_tmpdir(tag));
	e->be = test_backend_new(e->kind, e->dir[0] ? e->dir : NULL);
	if (!e->be)
		return false;
	return open_store(e);
}

bool gt_env_restart(struct gt_env *e)
{
	gpstore_destroy(e->g);
	e->g = NULL;
	rpmbfs_close(e->rpmb);
	e->rpmb = NULL;
	return open_store(e);
}

void gt_env_close(struct gt_env *e)
{
	gpstore_destroy(e->g);
	rpmbfs_close(e->rpmb);
	if (e->dev)
		rpmb_dev_close(e->dev);
	if (e->disk)
		crash_disk_free(e->disk);
	backend_destroy(e->be);
	if (e->dir[0])
		test_rmtree(e->dir);
	memset(e, 0, sizeof(*e));
}

struct gpstore_client *gt_client(struct gt_env *e, const TEE_UUID *ta,
				 bool dont_close)
{
	struct gpstore_client *c = NULL;

	if (gpstore_client_new(e->g, ta, dont_close, &c)) {
		fprintf(stderr, "gpstore_client_new failed\n");
		exit(1);
	}
	return c;
}

TEE_Result gt_put(struct gpstore_client *c, const char *id, const void *data,
		  size_t len)
{
	return gpstore_create(c, GT_PRIV, id, strlen(id),
			      GT_RW | TEE_DATA_FLAG_OVERWRITE, NULL, data, len,
			      NULL);
}

TEE_Result gt_get(struct gpstore_client *c, const char *id, void *buf,
		  size_t cap, size_t *len)
{
	uint32_t h = 0;
	TEE_Result res;

	*len = 0;
	res = gpstore_open(c, GT_PRIV, id, strlen(id),
			   TEE_DATA_FLAG_ACCESS_READ, &h);
	if (res)
		return res;
	res = gpstore_read(c, h, buf, cap, len);
	gpstore_close(c, h);
	return res;
}

bool gt_file_of(struct gt_env *e, const TEE_UUID *ta, const char *id,
		char name[16])
{
	struct tstore *ts = gpstore_tstore(e->g, GT_PRIV);
	struct tstore_obj *o = NULL;
	struct tstore_info info;
	bool ok;

	if (tstore_open_obj(ts, ta, id, strlen(id), &o))
		return false;
	ok = !tstore_info(o, &info);
	tstore_release(o);
	if (ok)
		snprintf(name, 16, "%x", info.file_number);
	return ok;
}

bool gt_flip(struct gt_env *e, const char *name, uint64_t off, size_t len)
{
	uint8_t buf[8192];
	uint32_t fh;
	size_t got = 0, i;
	bool ok;

	if (len > sizeof(buf) || backend_open(e->be, name, &fh))
		return false;
	ok = !backend_pread(e->be, fh, off, buf, len, &got) && got == len;
	for (i = 0; ok && i < len; i++)
		buf[i] ^= 0xff;
	ok = ok && !backend_pwrite(e->be, fh, off, buf, len) &&
	     !backend_sync(e->be, fh);
	backend_close(e->be, fh);
	return ok;
}

bool gt_has_file(struct gt_env *e, const char *name)
{
	uint32_t fh;

	if (backend_open(e->be, name, &fh))
		return false;
	backend_close(e->be, fh);
	return true;
}

struct count_arg {
	const char *prefix;
	size_t n;
};

static int count_one(void *arg, const char *name)
{
	struct count_arg *a = arg;

	if (!strncmp(name, a->prefix, strlen(a->prefix)))
		a->n++;
	return 0;
}

size_t gt_count_files(struct gt_env *e, const char *prefix)
{
	struct count_arg a = {prefix, 0};

	if (backend_list(e->be, count_one, &a))
		return (size_t)-1;
	return a.n;
}

void gt_env_must_open(struct gt_env *e, const char *tag,
		      enum gpstore_corrupt_policy policy)
{
	if (!gt_env_open(e, tag, policy)) {
		fprintf(stderr, "cannot open the store\n");
		exit(1);
	}
}
