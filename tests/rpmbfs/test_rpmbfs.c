/*
 * rpmbfs against the emulated device: object round trips, OP-TEE's
 * on-partition layout (header, FAT entry bytes, names, ESSIV checked with
 * the openssl command line), keys (not provisioned, wrong key), a full
 * partition and replayed answers.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crash_io.h"
#include "keys.h"
#include "rpmb_dev_test.h"
#include "rfs_support.h"
#include "rpmb_host.h"
#include "rpmbfs_int.h"
#include "test.h"

static const char *dir;
static unsigned dev_seq;

static struct rpmb_dev *new_dev(uint32_t size_mult)
{
	char name[32];

	snprintf(name, sizeof(name), "dev%u.img", dev_seq++);
	return rfs_dev_open(dir, name, size_mult);
}

static const struct tstore_head data_head = {0,		  0,	       0,
					     0xffffffffu, 0xa00000bfu, 0};

/*
 * What most tests start from: a fresh device on a well-behaved link,
 * usually provisioned and mounted. fs is NULL while nothing is mounted,
 * so that fx_down can let go of whatever is still held.
 */
struct fx {
	struct rpmb_dev *d;
	struct rfs_link l;
	struct rpmbfs *fs;
};

/* A new device (size_mult 0: the default) on a link, not mounted. */
static bool fx_open(struct fx *f, uint32_t size_mult)
{
	f->fs = NULL;
	f->d = new_dev(size_mult);
	CHECK(f->d != NULL);
	if (!f->d)
		return false;
	rfs_link_init(&f->l, f->d);
	return true;
}

static void fx_unmount(struct fx *f)
{
	rpmbfs_close(f->fs);
	f->fs = NULL;
}

static void fx_down(struct fx *f)
{
	fx_unmount(f);
	rfs_link_free(&f->l);
	rpmb_dev_close(f->d);
}

/* fx_open, then provisioned and mounted; false (all let go) on failure. */
static bool fx_up(struct fx *f, uint32_t size_mult)
{
	TEE_Result res;

	if (!fx_open(f, size_mult))
		return false;
	res = rfs_mount(&f->l, true, &f->fs);
	CHECK_EQ(res, TEE_SUCCESS);
	if (res) {
		fx_down(f);
		return false;
	}
	return true;
}

/* Unmounts and mounts again (without provisioning). */
static TEE_Result fx_remount(struct fx *f)
{
	fx_unmount(f);
	return rfs_mount(&f->l, false, &f->fs);
}

/* Creates id (a string) holding buf, no attributes, on the mount. */
static TEE_Result fx_create(struct fx *f, const char *id, const void *buf,
			    size_t len, struct rpmbfs_obj **o)
{
	return rpmbfs_create(f->fs, &rfs_ta, id, strlen(id), &data_head, NULL,
			     0, buf, len, false, o);
}

static void check_data(struct rpmbfs_obj *o, const uint8_t *want, size_t len)
{
	uint8_t *buf = malloc(len + 16);
	struct tstore_info info;
	size_t got = 0;

	REQUIRE(buf);
	CHECK_EQ(rpmbfs_info(o, &info), TEE_SUCCESS);
	CHECK_EQ(info.data_size, len);
	CHECK_EQ(rpmbfs_read(o, 0, buf, len + 16, &got), TEE_SUCCESS);
	CHECK_EQ(got, len);
	CHECK(got != len || memcmp(buf, want, len) == 0);
	free(buf);
}

static void test_round_trip(void)
{
	struct fx f;
	uint8_t data[3000], big[40000], attrs[40], id2[64], idbuf[64];
	struct rpmbfs_obj *o = NULL, *o2 = NULL;
	struct rpmbfs_stats st;
	struct tstore_head h = data_head;
	uint64_t cursor = 0;
	size_t idlen, alen;
	TEE_UUID ta;

	if (!fx_up(&f, 0))
		return;
	test_fill_pattern(data, sizeof(data), 1);
	test_fill_pattern(attrs, sizeof(attrs), 2);
	h.object_type = 0xa0000010u;
	REQUIRE(rpmbfs_create(f.fs, &rfs_ta, "obj", 3, &h, attrs, sizeof(attrs),
			      data, sizeof(data), false, &o) == TEE_SUCCESS);
	check_data(o, data, sizeof(data));
	CHECK_EQ(rpmbfs_read_attrs(o, idbuf, 10, &alen),
		 TEE_ERROR_SHORT_BUFFER);
	CHECK_EQ(alen, sizeof(attrs));
	CHECK_EQ(rpmbfs_read_attrs(o, idbuf, sizeof(idbuf), &alen), 0);
	CHECK_MEM(idbuf, attrs, sizeof(attrs));
	CHECK_EQ(rpmbfs_create(f.fs, &rfs_ta, "obj", 3, &h, NULL, 0, NULL, 0,
			       false, NULL),
		 TEE_ERROR_ACCESS_CONFLICT);

	/* In place across blocks: one multi-block write, no relocation. */
	rpmbfs_get_stats(f.fs, &st);
	memset(data + 100, 0x5a, 2000);
	CHECK_EQ(rpmbfs_write(o, 100, data + 100, 2000), TEE_SUCCESS);
	{
		struct rpmbfs_stats st2;

		rpmbfs_get_stats(f.fs, &st2);
		CHECK_EQ(st2.relocations, st.relocations);
		CHECK_EQ(st2.writes, st.writes + 1);
	}
	check_data(o, data, sizeof(data));
	/* Growth with a gap: relocation, the gap reads as zeros. */
	test_fill_pattern(big, sizeof(big), 3);
	memcpy(big, data, sizeof(data));
	memset(big + sizeof(data), 0, 1000);
	CHECK_EQ(rpmbfs_write(o, sizeof(data) + 1000, big + sizeof(data) + 1000,
			      sizeof(big) - sizeof(data) - 1000),
		 TEE_SUCCESS);
	check_data(o, big, sizeof(big));
	rpmbfs_get_stats(f.fs, &st);
	CHECK(st.relocations >= 1);
	/* A second handle shares the object. */
	CHECK_EQ(rpmbfs_open_obj(f.fs, &rfs_ta, "obj", 3, &o2), TEE_SUCCESS);
	CHECK(o2 == o);
	rpmbfs_release(o2);
	CHECK_EQ(rpmbfs_truncate(o, 5000), TEE_SUCCESS);
	check_data(o, big, 5000);
	CHECK_EQ(rpmbfs_truncate(o, 6000), TEE_SUCCESS);
	memset(big + 5000, 0, 1000);
	check_data(o, big, 6000);
	h.object_usage = 0x1;
	CHECK_EQ(rpmbfs_set_head(o, &h), TEE_ERROR_BAD_PARAMETERS);
	h.attr_size = sizeof(attrs);
	CHECK_EQ(rpmbfs_set_head(o, &h), TEE_SUCCESS);
	memset(id2, 0xee, sizeof(id2));
	CHECK_EQ(rpmbfs_rename(o, id2, sizeof(id2)), TEE_SUCCESS);
	CHECK_EQ(rpmbfs_create(f.fs, &rfs_ta, "other", 5, &data_head, NULL, 0,
			       "x", 1, false, NULL),
		 TEE_SUCCESS);
	CHECK_EQ(rpmbfs_rename(o, "other", 5), TEE_ERROR_ACCESS_CONFLICT);
	rpmbfs_release(o);
	o = NULL;

	/* Remount: everything from the device. */
	REQUIRE(fx_remount(&f) == TEE_SUCCESS);
	CHECK_EQ(rpmbfs_open_obj(f.fs, &rfs_ta, "obj", 3, &o),
		 TEE_ERROR_ITEM_NOT_FOUND);
	REQUIRE(rpmbfs_open_obj(f.fs, &rfs_ta, id2, sizeof(id2), &o) == 0);
	check_data(o, big, 6000);
	{
		struct tstore_info info;

		CHECK_EQ(rpmbfs_info(o, &info), 0);
		CHECK_EQ(info.head.object_usage, 1);
		CHECK_EQ(info.head.attr_size, sizeof(attrs));
		CHECK_EQ(info.head.object_type, 0xa0000010u);
	}
	CHECK_EQ(rpmbfs_enum_next(f.fs, &rfs_ta, &cursor, &ta, idbuf, &idlen),
		 0);
	CHECK_EQ(idlen, sizeof(id2));
	CHECK_EQ(rpmbfs_enum_next(f.fs, &rfs_ta, &cursor, &ta, idbuf, &idlen),
		 0);
	CHECK_EQ(idlen, 5);
	CHECK_EQ(rpmbfs_enum_next(f.fs, &rfs_ta, &cursor, &ta, idbuf, &idlen),
		 TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(rpmbfs_remove(o), TEE_SUCCESS);
	CHECK_EQ(rpmbfs_read(o, 0, idbuf, 1, &alen), TEE_ERROR_BAD_STATE);
	rpmbfs_release(o);
	CHECK_EQ(rpmbfs_remove_id(f.fs, &rfs_ta, "other", 5), TEE_SUCCESS);
	cursor = 0;
	CHECK_EQ(rpmbfs_enum_next(f.fs, NULL, &cursor, &ta, idbuf, &idlen),
		 TEE_ERROR_ITEM_NOT_FOUND);
	/* Empty ID and an empty data stream. */
	CHECK_EQ(rpmbfs_create(f.fs, &rfs_ta, "", 0, &data_head, NULL, 0, NULL,
			       0, false, &o),
		 TEE_SUCCESS);
	check_data(o, data, 0);
	rpmbfs_release(o);
	fx_down(&f);
}

/* Runs the openssl command line; returns its hex output (static). */
static const char *openssl_hex(const char *args, const uint8_t *in, size_t len)
{
	static char out[1200];
	char cmd[512], path[300];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/ossl.in", dir);
	f = fopen(path, "wb");
	if (!f || fwrite(in, 1, len, f) != len) {
		if (f)
			fclose(f);
		return "";
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "openssl %s < %s 2>/dev/null | od -An -v -tx1 | tr -d ' \\n'",
		 args, path);
	f = popen(cmd, "r");
	if (!f)
		return "";
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	pclose(f);
	return out;
}

static void to_hex(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static void test_optee_layout(void)
{
	struct fx f;
	uint8_t key[32], blk[RPMB_BLOCK_SIZE], cid[16],
	    info[RPMB_DEV_INFO_SIZE];
	uint8_t data[300], tsk[32], fek[16], iv[16], plain[256];
	uint8_t zero16[16] = {0};
	char hexfek[40], args[300], want[600], essiv[40];
	struct rpmbfs_fat_entry e;
	struct keys *k;
	uint32_t blkno;
	size_t i;

	if (!fx_up(&f, 0))
		return;
	test_fill_pattern(data, sizeof(data), 9);
	REQUIRE(fx_create(&f, "\x01\xab", data, sizeof(data), NULL) == 0);
	fx_unmount(&f);

	rpmb_dev_get_info(f.d, info);
	memcpy(cid, info, 16);
	REQUIRE(keys_derive_rpmb_key(rfs_huk, 16, cid, true, key) == 0);
	/* Header. */
	REQUIRE(host_read(f.d, key, 0, blk, 1) == 0);
	CHECK_EQ(get_le32(blk), 0x52504D42u);
	CHECK_EQ(get_le32(blk + 4), 2);
	CHECK_EQ(get_le32(blk + 12), 512);
	/* FAT entry 0 (byte 512 = block 2) and the LAST entry after it. */
	REQUIRE(host_read(f.d, key, 2, blk, 1) == 0);
	rpmbfs_fat_decode(blk, &e);
	CHECK_EQ(e.flags, 1);
	CHECK_EQ(e.size, 24 + sizeof(data));
	CHECK(strcmp(e.name, "/00F2AA8A5024E411ABE20002A5D5C51B/01AB") == 0);
	for (i = 32 + strlen(e.name); i < 256; i++)
		CHECK_EQ(blk[i], 0);
	/* Allocated at the top: the last two blocks of 4 MiB. */
	CHECK_EQ(e.start, 4u * 1024 * 1024 - 2 * 256);
	REQUIRE(host_read(f.d, key, 3, blk, 1) == 0);
	CHECK_EQ(get_le32(blk + 8), 2); /* LAST, not active */

	/* The FEK unwrapped with the TA's TSK, then block 1 with openssl. */
	REQUIRE(keys_create(rfs_huk, 16, true, &k) == 0);
	REQUIRE(keys_derive_ta_tsk(k, &rfs_ta, tsk) == 0);
	REQUIRE(keys_unwrap_fek(tsk, e.fek, fek) == 0);
	keys_destroy(k);
	blkno = e.start / 256 + 1;
	REQUIRE(host_read(f.d, key, (uint16_t)blkno, blk, 1) == 0);
	to_hex(fek, 16, hexfek);
	{
		const char *dg = openssl_hex("dgst -sha256 -binary", fek, 16);

		REQUIRE(strlen(dg) == 64);
		memcpy(essiv, dg, 32);
		essiv[32] = '\0';
	}
	zero16[0] = (uint8_t)blkno;
	zero16[1] = (uint8_t)(blkno >> 8);
	snprintf(args, sizeof(args), "enc -aes-128-ecb -nopad -K %s", essiv);
	{
		const char *ivh = openssl_hex(args, zero16, 16);

		REQUIRE(strlen(ivh) == 32);
		for (i = 0; i < 16; i++) {
			unsigned v;

			sscanf(ivh + 2 * i, "%2x", &v);
			iv[i] = (uint8_t)v;
		}
	}
	{
		char ivhex[40];

		to_hex(iv, 16, ivhex);
		snprintf(args, sizeof(args),
			 "enc -d -aes-128-cbc -nopad -K %s -iv %s", hexfek,
			 ivhex);
	}
	/* Block 1 of the file = stream bytes 256..511 = data[232..]. */
	memset(plain, 0, sizeof(plain));
	memcpy(plain, data + 232, sizeof(data) - 232);
	to_hex(plain, 256, want);
	CHECK(strncmp(openssl_hex(args, blk, 256), want, 2 * (300 - 232)) == 0);
	fx_down(&f);
}

static void test_keys(void)
{
	struct fx f;
	struct rpmbfs_config cfg;
	uint8_t other[16];

	if (!fx_open(&f, 0))
		return;
	CHECK_EQ(rfs_mount(&f.l, false, &f.fs), TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(rfs_mount(&f.l, true, &f.fs), TEE_SUCCESS);
	fx_unmount(&f);
	/* Provisioning again is harmless. */
	CHECK_EQ(rfs_mount(&f.l, true, &f.fs), TEE_SUCCESS);
	fx_unmount(&f);
	/* Another HUK: another key, refused without touching the device. */
	memset(other, 7, sizeof(other));
	rpmbfs_config_init(&cfg, other, sizeof(other));
	CHECK_EQ(rpmbfs_open(&f.l.t, &cfg, &f.fs), TEE_ERROR_SECURITY);
	CHECK_EQ(rpmbfs_provision(&f.l.t, &cfg), TEE_ERROR_SECURITY);
	/* Non-compat subkeys derive another key too. */
	rpmbfs_config_init(&cfg, rfs_huk, sizeof(rfs_huk));
	cfg.subkey_compat = false;
	CHECK_EQ(rpmbfs_open(&f.l.t, &cfg, &f.fs), TEE_ERROR_SECURITY);
	CHECK_EQ(rfs_mount(&f.l, false, &f.fs), TEE_SUCCESS);
	fx_down(&f);
}

static void test_full_partition(void)
{
	struct fx f;
	uint8_t data[10000], got[10000];
	struct rpmbfs_obj *o;
	uint64_t free0, free1;
	size_t n = 0, i, rd;
	TEE_Result res;
	char id[16];

	if (!fx_up(&f, 1)) /* 128 KiB: 512 blocks */
		return;
	for (;;) {
		snprintf(id, sizeof(id), "f%zu", n);
		test_fill_pattern(data, sizeof(data), n);
		res = fx_create(&f, id, data, sizeof(data), NULL);
		if (res)
			break;
		n++;
		REQUIRE(n < 100);
	}
	CHECK_EQ(res, TEE_ERROR_STORAGE_NO_SPACE);
	CHECK(n >= 10);
	/* A growth that does not fit changes nothing. */
	REQUIRE(rpmbfs_open_obj(f.fs, &rfs_ta, "f0", 2, &o) == 0);
	REQUIRE(rpmbfs_free_space(f.fs, &free0) == 0);
	CHECK_EQ(rpmbfs_write(o, sizeof(data), data, sizeof(data)),
		 TEE_ERROR_STORAGE_NO_SPACE);
	REQUIRE(rpmbfs_free_space(f.fs, &free1) == 0);
	CHECK_EQ(free0, free1);
	/* In place still works on a full partition. */
	memset(data, 0x11, 100);
	CHECK_EQ(rpmbfs_write(o, 0, data, 100), TEE_SUCCESS);
	rpmbfs_release(o);
	/* Space comes back after removals. */
	CHECK_EQ(rpmbfs_remove_id(f.fs, &rfs_ta, "f1", 2), 0);
	snprintf(id, sizeof(id), "f%zu", n);
	CHECK_EQ(fx_create(&f, id, data, sizeof(data), NULL), TEE_SUCCESS);
	/* Consistent after a remount. */
	REQUIRE(fx_remount(&f) == TEE_SUCCESS);
	for (i = 0; i <= n; i++) {
		if (i == 1)
			continue;
		snprintf(id, sizeof(id), "f%zu", i);
		REQUIRE(rpmbfs_open_obj(f.fs, &rfs_ta, id, strlen(id), &o) ==
			0);
		test_fill_pattern(data, sizeof(data), i);
		if (i == 0)
			memset(data, 0x11, 100);
		if (i == n)
			memset(data, 0x11, 100); /* created from f<n>'s data */
		CHECK_EQ(rpmbfs_read(o, 0, got, sizeof(got), &rd), 0);
		CHECK(rd == sizeof(got) && !memcmp(got, data, sizeof(got)));
		rpmbfs_release(o);
	}
	fx_down(&f);
}

static void test_replayed_read_answers(void)
{
	struct fx f;
	uint8_t buf[600];
	struct rpmbfs_obj *o;
	long before;
	size_t got;

	if (!fx_up(&f, 0))
		return;
	test_fill_pattern(buf, sizeof(buf), 4);
	REQUIRE(fx_create(&f, "r", buf, sizeof(buf), &o) == 0);
	CHECK_EQ(rpmbfs_read(o, 0, buf, 100, &got), 0); /* recorded */
	f.l.replay_reads = true;
	CHECK_EQ(rpmbfs_read(o, 0, buf, 100, &got), 0); /* recorded */
	before = f.l.requests;
	CHECK_EQ(rpmbfs_read(o, 0, buf, 100, &got), TEE_ERROR_SECURITY);
	CHECK(f.l.requests - before < 5); /* reported, not retried forever */
	f.l.replay_reads = false;
	CHECK_EQ(rpmbfs_read(o, 0, buf, 100, &got), 0);
	rpmbfs_release(o);
	fx_down(&f);
}

/*
 * The normal world swallows writes and answers each with the last real
 * write answer (authentic, but for another counter): the FS reports an
 * error after a bounded number of requests, nothing changes, and it works
 * again once the link behaves.
 */
static void test_replayed_write_answers(void)
{
	struct fx f;
	uint8_t buf[600], back[600];
	struct rpmbfs_obj *o;
	long before;
	size_t got;

	if (!fx_up(&f, 0))
		return;
	test_fill_pattern(buf, sizeof(buf), 5);
	REQUIRE(fx_create(&f, "w", buf, sizeof(buf), &o) == 0);
	f.l.replay_writes = true;
	before = f.l.requests;
	CHECK(rpmbfs_write(o, 0, "changed", 7) != TEE_SUCCESS);
	CHECK(f.l.requests - before < 10);
	CHECK(rpmbfs_create(f.fs, &rfs_ta, "new", 3, &data_head, NULL, 0, buf,
			    10, false, NULL) != TEE_SUCCESS);
	f.l.replay_writes = false;
	CHECK_EQ(rpmbfs_read(o, 0, back, sizeof(back), &got), 0);
	CHECK(got == sizeof(buf) && !memcmp(back, buf, sizeof(buf)));
	CHECK_EQ(rpmbfs_write(o, 0, "changed", 7), TEE_SUCCESS);
	CHECK_EQ(rpmbfs_read(o, 0, back, 7, &got), 0);
	CHECK(!memcmp(back, "changed", 7));
	rpmbfs_release(o);
	fx_down(&f);
}

/*
 * Raw files (OP-TEE's dirfile.db.hash): named as given, FEK under the
 * nil-UUID TSK, replaced atomically, kept across a remount, invisible to
 * object enumeration.
 */
static void test_raw_files(void)
{
	const char *name = "dirfile.db.hash";
	struct fx f;
	uint8_t h1[32], h2[32], got[64], tsk[32], fek[16];
	struct rpmbfs_fat_entry e;
	uint64_t cursor = 0;
	struct keys *k;
	uint8_t id[64];
	size_t len;
	TEE_UUID ta;

	if (!fx_up(&f, 0))
		return;
	test_fill_pattern(h1, sizeof(h1), 11);
	test_fill_pattern(h2, sizeof(h2), 12);
	CHECK_EQ(rpmbfs_raw_read(f.fs, name, got, sizeof(got), &len),
		 TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(rpmbfs_raw_write(f.fs, "/bad", h1, sizeof(h1)),
		 TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(rpmbfs_raw_write(f.fs, name, h1, sizeof(h1)), 0);
	CHECK_EQ(rpmbfs_raw_write(f.fs, name, h2, sizeof(h2)), 0);
	CHECK_EQ(rpmbfs_raw_read(f.fs, name, got, 8, &len),
		 TEE_ERROR_SHORT_BUFFER);
	CHECK_EQ(len, 32);
	CHECK_EQ(rpmbfs_enum_next(f.fs, NULL, &cursor, &ta, id, &len),
		 TEE_ERROR_ITEM_NOT_FOUND);
	REQUIRE(fx_remount(&f) == TEE_SUCCESS);
	CHECK_EQ(rpmbfs_raw_read(f.fs, name, got, sizeof(got), &len), 0);
	CHECK(len == sizeof(h2) && !memcmp(got, h2, sizeof(h2)));
	fx_unmount(&f);
	/* One FAT entry (replaced in place), FEK under TSK(16 zero bytes). */
	{
		uint8_t info[RPMB_DEV_INFO_SIZE], key[32], blk[256];

		rpmb_dev_get_info(f.d, info);
		REQUIRE(keys_derive_rpmb_key(rfs_huk, 16, info, true, key) ==
			0);
		REQUIRE(host_read(f.d, key, 2, blk, 1) == 0);
		rpmbfs_fat_decode(blk, &e);
		/* tee_rpmb_fs_raw_open's FAT name: "/" + name. */
		CHECK(!strcmp(e.name, "/dirfile.db.hash"));
		CHECK_EQ(e.flags, 1);
		CHECK_EQ(e.size, 32);
		REQUIRE(keys_create(rfs_huk, 16, true, &k) == 0);
		memset(&ta, 0, sizeof(ta));
		REQUIRE(keys_derive_ta_tsk(k, &ta, tsk) == 0);
		keys_destroy(k);
		REQUIRE(keys_unwrap_fek(tsk, e.fek, fek) == 0);
		REQUIRE(host_read(f.d, key, (uint16_t)(e.start / 256), blk,
				  1) == 0);
		REQUIRE(rpmbfs_crypt_blocks(fek, e.start / 256, 1, blk,
					    false) == 0);
		CHECK(!memcmp(blk, h2, sizeof(h2)));
	}
	fx_down(&f);
}

/* The model of test_random_ops: each ID's content, or absent. */
#define MODEL_IDS 10
#define MODEL_MAX 16000
struct model {
	bool present[MODEL_IDS];
	size_t len[MODEL_IDS];
	uint8_t data[MODEL_IDS][MODEL_MAX];
};

static void model_id(int i, char id[3])
{
	id[0] = 'm';
	id[1] = (char)('0' + i);
	id[2] = '\0';
}

/* 0 when the FS shows exactly the model's object i. */
static int model_check(struct rpmbfs *fs, const struct model *m, int i)
{
	static uint8_t buf[MODEL_MAX + 16];
	struct rpmbfs_obj *o;
	TEE_Result res;
	size_t got = 0;
	char id[3];
	int bad;

	model_id(i, id);
	res = rpmbfs_open_obj(fs, &rfs_ta, id, 2, &o);
	if (!m->present[i])
		return res != TEE_ERROR_ITEM_NOT_FOUND;
	if (res)
		return 1;
	bad = rpmbfs_read(o, 0, buf, sizeof(buf), &got) || got != m->len[i] ||
	      memcmp(buf, m->data[i], got);
	rpmbfs_release(o);
	return bad;
}

static TEE_Result model_op(struct rpmbfs *fs, struct model *m, uint64_t *rs,
			   int *touched)
{
	static uint8_t buf[MODEL_MAX];
	int i = (int)(test_rand(rs) % MODEL_IDS), k = (int)(test_rand(rs) % 6);
	size_t pos = test_rand(rs) % 14000, len = test_rand(rs) % 4000;
	struct rpmbfs_obj *o = NULL;
	TEE_Result res;
	char id[3], id2[3];
	int j;

	*touched = i;
	model_id(i, id);
	test_fill_pattern(buf, sizeof(buf), test_rand(rs));
	if (k == 0) { /* create, sometimes over an existing object */
		bool ovw = test_rand(rs) % 2;

		len = test_rand(rs) % 12000;
		res = rpmbfs_create(fs, &rfs_ta, id, 2, &data_head, NULL, 0,
				    buf, len, ovw, NULL);
		if (m->present[i] && !ovw) {
			CHECK_EQ(res, TEE_ERROR_ACCESS_CONFLICT);
			return res;
		}
		if (!res) {
			m->present[i] = true;
			m->len[i] = len;
			memcpy(m->data[i], buf, len);
		}
		return res;
	}
	res = rpmbfs_open_obj(fs, &rfs_ta, id, 2, &o);
	if (!m->present[i]) {
		CHECK_EQ(res, TEE_ERROR_ITEM_NOT_FOUND);
		return res;
	}
	if (res)
		return res;
	switch (k) {
	case 1: /* write (growing or not, a gap zero-filled) */
	case 2:
		if (pos + len > MODEL_MAX)
			len = MODEL_MAX - pos;
		res = rpmbfs_write(o, pos, buf, len);
		if (!res && len) {
			if (pos > m->len[i])
				memset(m->data[i] + m->len[i], 0,
				       pos - m->len[i]);
			memcpy(m->data[i] + pos, buf, len);
			if (pos + len > m->len[i])
				m->len[i] = pos + len;
		}
		break;
	case 3:
		res = rpmbfs_truncate(o, pos);
		if (!res) {
			if (pos > m->len[i])
				memset(m->data[i] + m->len[i], 0,
				       pos - m->len[i]);
			m->len[i] = pos;
		}
		break;
	case 4:
		j = (int)(test_rand(rs) % MODEL_IDS);
		model_id(j, id2);
		res = rpmbfs_rename(o, id2, 2);
		if (m->present[j]) {
			CHECK_EQ(res, TEE_ERROR_ACCESS_CONFLICT);
		} else if (!res) {
			m->present[j] = true;
			m->len[j] = m->len[i];
			memcpy(m->data[j], m->data[i], m->len[i]);
			m->present[i] = false;
		}
		break;
	default:
		res = rpmbfs_remove(o);
		if (!res)
			m->present[i] = false;
		break;
	}
	rpmbfs_release(o);
	return res;
}

/*
 * Random creates, writes, truncates, renames and removes against a
 * model on a small partition with 4-frame reliable writes (in place,
 * relocation, fragmentation, NO_SPACE), with remounts.
 */
static void test_random_ops(void)
{
	struct rpmb_dev_config cfg = {
	    .size_mult = 1, .rel_wr_sec_c = 2, .create = true};
	static struct model m;
	struct crash_disk *disk = crash_disk_new();
	struct rpmb_dev *d = NULL;
	unsigned nospace = 0, ok_ops = 0;
	struct rpmbfs *fs = NULL;
	uint64_t rs = getenv("RPMBFS_SEED")
			  ? strtoull(getenv("RPMBFS_SEED"), NULL, 0)
			  : 42;
	struct rfs_link l;
	int n, i, touched;

	REQUIRE(disk);
	REQUIRE(rpmb_dev_open_io(crash_disk_io(disk), &cfg, &d) == 0);
	memset(&m, 0, sizeof(m));
	rfs_link_init(&l, d);
	REQUIRE(rfs_mount(&l, true, &fs) == TEE_SUCCESS);
	for (n = 0; n < 3000; n++) {
		TEE_Result res = model_op(fs, &m, &rs, &touched);

		nospace += res == TEE_ERROR_STORAGE_NO_SPACE;
		ok_ops += res == TEE_SUCCESS;
		CHECK(res == TEE_SUCCESS || res == TEE_ERROR_STORAGE_NO_SPACE ||
		      res == TEE_ERROR_ACCESS_CONFLICT ||
		      res == TEE_ERROR_ITEM_NOT_FOUND);
		if (model_check(fs, &m, touched)) {
			fprintf(stderr, "op %d: object %d differs\n", n,
				touched);
			CHECK(false);
			break;
		}
		if (n % 300 == 299) {
			rpmbfs_close(fs);
			REQUIRE(rfs_mount(&l, false, &fs) == TEE_SUCCESS);
			for (i = 0; i < MODEL_IDS; i++)
				CHECK_EQ(model_check(fs, &m, i), 0);
		}
	}
	fprintf(stderr, "  %u ops done, %u NO_SPACE\n", ok_ops, nospace);
	CHECK(nospace > 0 && ok_ops > 1000);
	rpmbfs_close(fs);
	rfs_link_free(&l);
	rpmb_dev_close(d);
	crash_disk_free(disk);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		printf("usage: %s\nrpmbfs against the emulated RPMB device "
		       "(docs/rpmbfs.md)\n",
		       argv[0]);
		return 0;
	}
	dir = test_tmpdir("rpmbfs");
	RUN(test_round_trip);
	RUN(test_optee_layout);
	RUN(test_keys);
	RUN(test_full_partition);
	RUN(test_replayed_read_answers);
	RUN(test_replayed_write_answers);
	RUN(test_raw_files);
	RUN(test_random_ops);
	test_rmtree(dir);
	return test_report();
}
