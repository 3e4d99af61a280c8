/*
 * The RPMB anchor of the REE FS store (core/teed_rpmb_anchor.c,
 * docs/rollback.md "RPMB anchor") over the emulated RPMB device: the
 * anchor file holds exactly dirf.db's committed root hash (what OP-TEE's
 * CFG_REE_FS_INTEGRITY_RPMB reads), every rollback of the REE directory
 * is refused (whole snapshot, dirf.db alone, dirf.db deleted), a cut of
 * the RPMB link at every write of the anchor update leaves a store that
 * opens at the old or the new generation (the old one when nothing
 * reached the device: one unacknowledged commit rolled back, as OP-TEE),
 * the marker keeps an RPMB-anchored store from starting afresh on an
 * empty partition, a store moving from teed's counter to RPMB is checked
 * against the counter first, and only a reset accepts a rolled-back
 * directory.
 *
 * The REE directory and teed's state directory are fake backends; the
 * RPMB device is a file in a temporary directory (tests/rpmbfs support).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_fake.h"
#include "bytes.h"
#include "dirf.h"
#include "rfs_support.h"
#include "teed_anchor.h"
#include "teed_rpmb_anchor.h"
#include "rollback_util.h"
#include "test.h"
#include "tstore.h"

static const char *tmp;
static unsigned dev_seq;

/* A store anchored in RPMB (optionally over teed's counter). */
struct rig {
	struct rpmb_dev *dev;
	struct rfs_link l;
	struct rpmbfs *fs;
	struct backend *ree, *st;
	bool with_counter;
	struct teed_anchor *counter;
	struct teed_rpmb_anchor *a;
	struct tstore *s;
};

static struct rpmb_dev *new_dev(void)
{
	char name[32];

	snprintf(name, sizeof(name), "dev%u.img", dev_seq++);
	return rfs_dev_open(tmp, name, 0);
}

static void rig_new(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	r->dev = new_dev();
	REQUIRE(r->dev);
	rfs_link_init(&r->l, r->dev);
	REQUIRE(rfs_mount(&r->l, true, &r->fs) == TEE_SUCCESS);
	REQUIRE(backend_fake_new(&r->ree) == TEE_SUCCESS);
	REQUIRE(backend_fake_new(&r->st) == TEE_SUCCESS);
}

static void rig_close(struct rig *r)
{
	tstore_close(r->s);
	teed_rpmb_anchor_free(r->a);
	teed_anchor_free(r->counter);
	r->s = NULL;
	r->a = NULL;
	r->counter = NULL;
}

/* A reboot of the RPMB side: a new link (faults cleared), a new mount. */
static void rig_remount(struct rig *r)
{
	rpmbfs_close(r->fs);
	rfs_link_free(&r->l);
	rfs_link_init(&r->l, r->dev);
	REQUIRE(rfs_mount(&r->l, false, &r->fs) == TEE_SUCCESS);
}

/* The same REE directory and state against another (fresh) device. */
static void rig_swap_dev(struct rig *r)
{
	rpmbfs_close(r->fs);
	rfs_link_free(&r->l);
	rpmb_dev_close(r->dev);
	r->dev = new_dev();
	REQUIRE(r->dev);
	rfs_link_init(&r->l, r->dev);
	REQUIRE(rfs_mount(&r->l, true, &r->fs) == TEE_SUCCESS);
}

static void rig_free(struct rig *r)
{
	rig_close(r);
	rpmbfs_close(r->fs);
	rfs_link_free(&r->l);
	rpmb_dev_close(r->dev);
	backend_destroy(r->ree);
	backend_destroy(r->st);
}

/* Opens with the counter only (mode 0), RPMB (1), or RPMB after reset. */
static TEE_Result rig_open_mode(struct rig *r, int mode)
{
	const struct tstore_anchor *fallback = NULL;
	struct tstore_config cfg;
	TEE_Result res;

	tstore_config_init(&cfg, rb_huk, sizeof(rb_huk));
	if (r->with_counter || !mode) {
		res =
		    teed_anchor_new(r->st, rb_huk, sizeof(rb_huk), &r->counter);
		if (res)
			return res;
		fallback = teed_anchor_hook(r->counter);
		cfg.anchor = fallback;
	}
	if (mode) {
		res = teed_rpmb_anchor_new(r->fs, r->st, fallback, mode == 2,
					   &r->a);
		if (res)
			return res;
		cfg.anchor = teed_rpmb_anchor_hook(r->a);
		cfg.anchor_reset = mode == 2;
	}
	res = tstore_open(r->ree, &cfg, &r->s);
	if (res) {
		r->s = NULL;
		rig_close(r);
	}
	return res;
}

/* The generation (1..max) object id holds; 0 if unreadable or none. */
static uint64_t gen_of(struct tstore *s, const char *id, uint64_t max)
{
	uint64_t g = 0;

	rb_get(s, id, max, &g);
	return g;
}

static TEE_Result rig_open(struct rig *r)
{
	return rig_open_mode(r, 1);
}

/*
 * dirf.db's committed root hash read from its bytes as OP-TEE lays them
 * out (reference §1): the header slot with the larger counter (u32 at 64
 * of each 68-byte slot) is committed, and the root node image of that
 * version (at 4096 + 66 * slot) starts with the root hash.
 */
static void committed_root_hash(struct backend *ree, uint8_t hash[32])
{
	uint8_t *data;
	size_t len;
	int slot;

	REQUIRE(backend_fake_file_data(ree, DIRF_FILE_NAME, &data, &len) ==
		TEE_SUCCESS);
	REQUIRE(len >= 4096 + 132);
	slot = get_le32(data + 68 + 64) > get_le32(data + 64);
	memcpy(hash, data + 4096 + 66 * slot, 32);
}

static void check_anchor_bytes(struct rig *r)
{
	uint8_t want[32], got[64];
	size_t len = 0;

	committed_root_hash(r->ree, want);
	CHECK_EQ(rpmbfs_raw_read(r->fs, TEED_RPMB_ANCHOR_FILE, got, sizeof(got),
				 &len),
		 TEE_SUCCESS);
	CHECK_EQ(len, 32u);
	CHECK_MEM(got, want, 32);
}

/* Opens the store anchored, makes the commits gens[0..n), closes it. */
static void rig_commits(void *rig, const struct rb_gen *gens, size_t n)
{
	struct rig *r = rig;

	REQUIRE(rig_open(r) == TEE_SUCCESS);
	rb_put_each(r->s, gens, n);
	rig_close(r);
}

/* rb_snapshot_then through rig r (snap: where the clone goes). */
#define SNAPSHOT_THEN(r, snap, ...)                                            \
	rb_snapshot_then(rig_commits, (r), (r)->ree, (snap),                   \
			 RB_GENS(__VA_ARGS__))

/* The anchor file is exactly dirf.db's root hash (OP-TEE compatible). */
static void test_anchor_bytes(void)
{
	bool marked = true;
	struct rig r;
	uint8_t got[32];
	size_t len;

	rig_new(&r);
	CHECK_EQ(rpmbfs_raw_read(r.fs, TEED_RPMB_ANCHOR_FILE, got, sizeof(got),
				 &len),
		 TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(teed_rpmb_marker_get(r.st, &marked), TEE_SUCCESS);
	CHECK(!marked);
	REQUIRE(rig_open(&r) == TEE_SUCCESS);
	/* A fresh store is anchored at once, and marked. */
	check_anchor_bytes(&r);
	CHECK_EQ(teed_rpmb_marker_get(r.st, &marked), TEE_SUCCESS);
	CHECK(marked);
	CHECK_EQ(rb_put(r.s, "a", 1), TEE_SUCCESS);
	check_anchor_bytes(&r);
	CHECK_EQ(rb_put(r.s, "a", 2), TEE_SUCCESS);
	rig_close(&r);
	rig_remount(&r);
	check_anchor_bytes(&r);
	REQUIRE(rig_open(&r) == TEE_SUCCESS);
	CHECK_EQ(gen_of(r.s, "a", 5), 2u);
	rig_free(&r);
}

/* Whole directory restored: refused (OP-TEE: CORRUPT_OBJECT). */
static void test_directory_snapshot(void)
{
	struct backend *snap, *live;
	struct rig r;

	rig_new(&r);
	REQUIRE(SNAPSHOT_THEN(&r, &snap, {"a", 3}) == TEE_SUCCESS);
	live = r.ree;
	r.ree = snap;
	CHECK_EQ(rig_open(&r), TEE_ERROR_CORRUPT_OBJECT);
	r.ree = live;
	REQUIRE(rig_open(&r) == TEE_SUCCESS);
	CHECK_EQ(gen_of(r.s, "a", 5), 3u);
	CHECK_EQ(gen_of(r.s, "b", 20), 10u);
	rig_close(&r);
	backend_destroy(snap);
	rig_free(&r);
}

/* dirf.db alone put back: refused; dirf.db deleted: SECURITY. */
static void test_dirf_alone_and_deleted(void)
{
	struct backend *snap;
	struct rig r;
	uint8_t *data;
	size_t len;

	rig_new(&r);
	REQUIRE(SNAPSHOT_THEN(&r, &snap, {"b", 11}) == TEE_SUCCESS);
	REQUIRE(rb_copy_file(r.ree, snap, DIRF_FILE_NAME) == TEE_SUCCESS);
	CHECK_EQ(rig_open(&r), TEE_ERROR_CORRUPT_OBJECT);
	REQUIRE(backend_remove(r.ree, DIRF_FILE_NAME) == TEE_SUCCESS);
	REQUIRE(backend_sync_dir(r.ree) == TEE_SUCCESS);
	CHECK_EQ(rig_open(&r), TEE_ERROR_SECURITY);
	/* The object files are left alone, no new dirf.db. */
	CHECK_EQ(backend_fake_file_data(r.ree, "0", &data, &len), TEE_SUCCESS);
	CHECK_EQ(backend_fake_file_data(r.ree, DIRF_FILE_NAME, &data, &len),
		 TEE_ERROR_ITEM_NOT_FOUND);
	backend_destroy(snap);
	rig_free(&r);
}

/*
 * A new rig with the history, the store open, the link counting its
 * authenticated writes from here (in r->l.requests); the open's error.
 */
static TEE_Result rig_counting_writes(struct rig *r)
{
	TEE_Result res;

	rig_new(r);
	rig_commits(r, RB_HISTORY);
	res = rig_open(r);
	r->l.only_writes = true;
	r->l.requests = 0;
	return res;
}

/*
 * The RPMB link cut at the n-th authenticated write of one anchor update
 * (before it reaches the device, or after, its answer lost), then a
 * reboot: the store opens at generation 2 or 3 with no false alarm, and
 * goes on. *out: the generation found (0: none).
 */
static void crash_once(enum rfs_fault fault, long n, uint64_t *out)
{
	struct rig r;
	uint64_t g = 0;

	*out = 0;
	REQUIRE(rig_counting_writes(&r) == TEE_SUCCESS);
	r.l.fault = fault;
	r.l.fault_at = n;
	CHECK(rb_put(r.s, "a", 3) != TEE_SUCCESS);
	rig_close(&r);
	rig_remount(&r);
	CHECK_EQ(rig_open(&r), TEE_SUCCESS);
	if (r.s) {
		g = gen_of(r.s, "a", 5);
		CHECK(g == 2 || g == 3);
		CHECK_EQ(rb_put(r.s, "a", 4), TEE_SUCCESS);
		rig_close(&r);
		CHECK_EQ(rig_open(&r), TEE_SUCCESS);
		if (r.s)
			CHECK_EQ(gen_of(r.s, "a", 5), 4u);
		check_anchor_bytes(&r);
	}
	rig_free(&r);
	*out = g;
}

static void test_crash_between_commit_and_anchor(void)
{
	uint64_t outcomes[4] = {0, 0, 0, 0};
	long writes, n;
	uint64_t g;
	struct rig r;

	/* How many authenticated writes one anchor update takes. */
	REQUIRE(rig_counting_writes(&r) == TEE_SUCCESS);
	CHECK_EQ(rb_put(r.s, "a", 3), TEE_SUCCESS);
	writes = r.l.requests;
	rig_free(&r);
	CHECK(writes >= 2); /* the data, then the FAT entry (commit point) */

	/* Nothing reached the device: one commit rolled back, as OP-TEE. */
	crash_once(RFS_CUT_BEFORE, 0, &g);
	CHECK_EQ(g, 2u);
	for (n = 0; n < writes; n++) {
		crash_once(RFS_CUT_BEFORE, n, &g);
		outcomes[g & 3]++;
		crash_once(RFS_CUT_AFTER, n, &g);
		outcomes[g & 3]++;
	}
	/* Both outcomes happen: the last write is the commit point. */
	CHECK(outcomes[2] > 0);
	CHECK(outcomes[3] > 0);
	CHECK_EQ(outcomes[0] + outcomes[1], 0u);
}

/*
 * The marker: an RPMB-anchored store met with a partition that holds no
 * hash (another or reformatted device) is refused, not taken afresh.
 */
static void test_marker_refuses_empty_partition(void)
{
	bool marked = false;
	struct rig r;

	rig_new(&r);
	rig_commits(&r, RB_HISTORY);
	CHECK_EQ(teed_rpmb_marker_get(r.st, &marked), TEE_SUCCESS);
	CHECK(marked);
	rig_swap_dev(&r);
	CHECK_EQ(rig_open(&r), TEE_ERROR_SECURITY);
	/* The administrator resets: anchored on the new device. */
	REQUIRE(rig_open_mode(&r, 2) == TEE_SUCCESS);
	CHECK_EQ(gen_of(r.s, "a", 5), 2u);
	rig_close(&r);
	check_anchor_bytes(&r);
	REQUIRE(rig_open(&r) == TEE_SUCCESS);
	rig_close(&r);
	/* Clearing the marker (reset to the counter) is durable and final. */
	CHECK_EQ(teed_rpmb_marker_clear(r.st), TEE_SUCCESS);
	CHECK_EQ(teed_rpmb_marker_get(r.st, &marked), TEE_SUCCESS);
	CHECK(!marked);
	CHECK_EQ(teed_rpmb_marker_clear(r.st), TEE_SUCCESS);
	rig_free(&r);
}

/*
 * From teed's counter to RPMB: the first start with RPMB checks the store
 * against the counter (a restored directory is refused), then RPMB takes
 * over and the counter is no longer consulted.
 */
static void test_move_from_counter(void)
{
	struct backend *snap, *live;
	struct rig r;

	rig_new(&r);
	r.with_counter = true;
	REQUIRE(rig_open_mode(&r, 0) == TEE_SUCCESS);
	CHECK_EQ(rb_put(r.s, "a", 1), TEE_SUCCESS);
	REQUIRE(backend_fake_clone(r.ree, &snap) == TEE_SUCCESS);
	CHECK_EQ(rb_put(r.s, "a", 2), TEE_SUCCESS);
	rig_close(&r);
	live = r.ree;
	r.ree = snap;
	CHECK_EQ(rig_open(&r), TEE_ERROR_SECURITY); /* by the counter */
	r.ree = live;
	REQUIRE(rig_open(&r) == TEE_SUCCESS);
	CHECK_EQ(gen_of(r.s, "a", 5), 2u);
	CHECK_EQ(rb_put(r.s, "a", 3), TEE_SUCCESS);
	rig_close(&r);
	check_anchor_bytes(&r);
	/* RPMB anchors now: the snapshot is refused by the hash. */
	r.ree = snap;
	CHECK_EQ(rig_open(&r), TEE_ERROR_CORRUPT_OBJECT);
	r.ree = live;
	REQUIRE(rig_open(&r) == TEE_SUCCESS);
	CHECK_EQ(gen_of(r.s, "a", 5), 3u);
	rig_close(&r);
	backend_destroy(snap);
	rig_free(&r);
}

/* --reset-storage: the restored directory becomes the new baseline. */
static void test_reset(void)
{
	struct backend *snap, *live;
	struct rig r;

	rig_new(&r);
	REQUIRE(SNAPSHOT_THEN(&r, &snap, {"a", 3}) == TEE_SUCCESS);
	live = r.ree;
	r.ree = snap;
	CHECK(rig_open(&r) != TEE_SUCCESS);
	REQUIRE(rig_open_mode(&r, 2) == TEE_SUCCESS);
	CHECK_EQ(gen_of(r.s, "a", 5), 2u);
	rig_close(&r);
	check_anchor_bytes(&r);
	REQUIRE(rig_open(&r) == TEE_SUCCESS);
	rig_close(&r);
	/*
	 * The newer copy from before the reset never shows its newer state:
	 * opened by the anchored hash, its previous generation (the one the
	 * reset anchored) is what it serves, as OP-TEE does.
	 */
	r.ree = live;
	if (rig_open(&r) == TEE_SUCCESS) {
		CHECK_EQ(gen_of(r.s, "a", 5), 2u);
		rig_close(&r);
	}
	r.ree = snap;
	backend_destroy(live);
	rig_free(&r);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		printf("usage: %s\nThe RPMB anchor of the REE FS store "
		       "(docs/rollback.md, \"RPMB anchor\").\n",
		       argv[0]);
		return strcmp(argv[1], "--help") ? 2 : 0;
	}
	tmp = test_tmpdir("rollback_rpmb");
	if (!tmp) {
		fprintf(stderr, "no temporary directory\n");
		return 1;
	}
	RUN(test_anchor_bytes);
	RUN(test_directory_snapshot);
	RUN(test_dirf_alone_and_deleted);
	RUN(test_crash_between_commit_and_anchor);
	RUN(test_marker_refuses_empty_partition);
	RUN(test_move_from_counter);
	RUN(test_reset);
	test_rmtree(tmp);
	return test_report();
}
