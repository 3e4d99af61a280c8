/*
 * Crash safety of rpmbfs: every operation is cut at every request (the
 * request lost, or executed with its answer lost, then nothing gets
 * through: teed died) and at every write and sync of the device's disk
 * (power lost, pending writes dropped, kept or torn); after a remount
 * each object is exactly old or new. Then the ambiguous writes that
 * teed survives: one answer lost (resolved as written, no remount) and
 * one request held back (fenced: released later it is refused).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crash_io.h"
#include "rfs_support.h"
#include "rpmb_dev_test.h"
#include "test.h"

#define NIDS 3
static const char *const ids[NIDS] = {"A", "B", "C"};

struct state {
	bool present[NIDS];
	const uint8_t *buf[NIDS];
	size_t len[NIDS];
};

static const struct tstore_head data_head = {0,		  0,	       0,
					     0xffffffffu, 0xa00000bfu, 0};
static uint8_t pat1[3000], pat2[5000], pat3[4000], grown[5500];
static uint8_t inplace[3000], shrunk[1000], zgrown[5000];

/* 1: matches s, 0: does not, -1: could not look. */
static int matches(struct rpmbfs *fs, const struct state *s)
{
	static uint8_t buf[8192];
	struct rpmbfs_obj *o;
	size_t got, i;
	int ok = 1;

	for (i = 0; i < NIDS && ok == 1; i++) {
		TEE_Result res = rpmbfs_open_obj(fs, &rfs_ta, ids[i], 1, &o);

		if (res == TEE_ERROR_ITEM_NOT_FOUND) {
			ok = !s->present[i];
			continue;
		}
		if (res)
			return -1;
		if (!s->present[i] ||
		    rpmbfs_read(o, 0, buf, sizeof(buf), &got) ||
		    got != s->len[i] || memcmp(buf, s->buf[i], got))
			ok = 0;
		rpmbfs_release(o);
	}
	return ok;
}

enum op_kind {
	OP_CREATE,
	OP_OVERWRITE,
	OP_INPLACE,
	OP_GROW,
	OP_SHRINK,
	OP_TRUNC_GROW,
	OP_RENAME,
	OP_REMOVE,
	NOPS
};
static const char *const op_names[NOPS] = {"create", "overwrite", "in-place",
					   "grow",   "shrink",	  "trunc-grow",
					   "rename", "remove"};

static void set(struct state *s, int i, const uint8_t *buf, size_t len)
{
	s->present[i] = true;
	s->buf[i] = buf;
	s->len[i] = len;
}

static void old_state(struct state *s)
{
	memset(s, 0, sizeof(*s));
	set(s, 0, pat1, sizeof(pat1));
}

/*
 * What each op leaves behind when it commits: object `slot` holds `buf`,
 * and A is gone when the op moves or removes it. A table rather than a
 * switch so that the expected states read side by side.
 */
struct op_effect {
	bool drops_a;
	int slot; /* -1: nothing written */
	const uint8_t *buf;
	size_t len;
};
static const struct op_effect effects[NOPS] = {
    [OP_CREATE] = {false, 2, pat2, sizeof(pat2)},
    [OP_OVERWRITE] = {false, 0, pat3, sizeof(pat3)},
    [OP_INPLACE] = {false, 0, inplace, sizeof(inplace)},
    [OP_GROW] = {false, 0, grown, sizeof(grown)},
    [OP_SHRINK] = {false, 0, shrunk, sizeof(shrunk)},
    [OP_TRUNC_GROW] = {false, 0, zgrown, sizeof(zgrown)},
    [OP_RENAME] = {true, 1, pat1, sizeof(pat1)},
    [OP_REMOVE] = {true, -1, NULL, 0},
};

static void new_state(enum op_kind k, struct state *s)
{
	const struct op_effect *e = &effects[k];

	old_state(s);
	if (e->drops_a)
		s->present[0] = false;
	if (e->slot >= 0)
		set(s, e->slot, e->buf, e->len);
}

static void build_patterns(void)
{
	test_fill_pattern(pat1, sizeof(pat1), 1);
	test_fill_pattern(pat2, sizeof(pat2), 2);
	test_fill_pattern(pat3, sizeof(pat3), 3);
	memcpy(inplace, pat1, sizeof(pat1));
	memcpy(inplace + 500, pat2, 1500); /* 7 blocks: one write */
	memcpy(grown, pat1, sizeof(pat1));
	memcpy(grown + 2500, pat2, 3000);
	memcpy(shrunk, pat1, sizeof(shrunk));
	memset(zgrown, 0, sizeof(zgrown));
	memcpy(zgrown, pat1, sizeof(pat1));
}

static TEE_Result run_op(struct rpmbfs *fs, enum op_kind k)
{
	struct rpmbfs_obj *o = NULL;
	TEE_Result res;

	if (k == OP_CREATE)
		return rpmbfs_create(fs, &rfs_ta, "C", 1, &data_head, NULL, 0,
				     pat2, sizeof(pat2), false, NULL);
	if (k == OP_OVERWRITE)
		return rpmbfs_create(fs, &rfs_ta, "A", 1, &data_head, NULL, 0,
				     pat3, sizeof(pat3), true, NULL);
	res = rpmbfs_open_obj(fs, &rfs_ta, "A", 1, &o);
	if (res)
		return res;
	switch (k) {
	case OP_INPLACE:
		res = rpmbfs_write(o, 500, pat2, 1500);
		break;
	case OP_GROW:
		res = rpmbfs_write(o, 2500, pat2, 3000);
		break;
	case OP_SHRINK:
		res = rpmbfs_truncate(o, sizeof(shrunk));
		break;
	case OP_TRUNC_GROW:
		res = rpmbfs_truncate(o, sizeof(zgrown));
		break;
	case OP_RENAME:
		res = rpmbfs_rename(o, "B", 1);
		break;
	default:
		res = rpmbfs_remove(o);
		break;
	}
	rpmbfs_release(o);
	return res;
}

static struct rpmb_dev *mem_dev(struct crash_disk *disk)
{
	struct rpmb_dev_config cfg;
	struct rpmb_dev *d = NULL;

	memset(&cfg, 0, sizeof(cfg));
	cfg.size_mult = 1;
	cfg.rel_wr_sec_c = 4; /* 8 frames per write: fills take several */
	cfg.create = true;
	if (rpmb_dev_open_io(crash_disk_io(disk), &cfg, &d))
		return NULL;
	return d;
}

/* A device holding the old state; NULL on failure. */
static struct rpmb_dev *prepared(struct crash_disk *disk)
{
	struct rpmb_dev *d = mem_dev(disk);
	struct rpmbfs *fs;
	struct rfs_link l;
	TEE_Result res;

	if (!d)
		return NULL;
	rfs_link_init(&l, d);
	res = rfs_mount(&l, true, &fs);
	if (!res) {
		res = rpmbfs_create(fs, &rfs_ta, "A", 1, &data_head, NULL, 0,
				    pat1, sizeof(pat1), false, NULL);
		rpmbfs_close(fs);
	}
	rfs_link_free(&l);
	if (res) {
		rpmb_dev_close(d);
		return NULL;
	}
	return d;
}

/* Remounts on d and says which state it shows (0 old, 1 new, -1). */
static int remount_state(struct rpmb_dev *d, enum op_kind k)
{
	struct state olds, news;
	struct rpmbfs *fs;
	struct rfs_link l;
	int r = -1;

	old_state(&olds);
	new_state(k, &news);
	rfs_link_init(&l, d);
	if (rfs_mount(&l, false, &fs) == TEE_SUCCESS) {
		if (matches(fs, &olds) == 1)
			r = 0;
		else if (matches(fs, &news) == 1)
			r = 1;
		rpmbfs_close(fs);
	}
	rfs_link_free(&l);
	return r;
}

/* Cut at every request; returns how many cut points there were. */
static long cut_every_request(enum op_kind k, enum rfs_fault mode,
			      unsigned *olds, unsigned *news)
{
	long n;

	for (n = 0;; n++) {
		struct crash_disk *disk = crash_disk_new();
		struct rpmb_dev *d = prepared(disk);
		struct rpmbfs *fs = NULL;
		struct rfs_link l;
		TEE_Result res;
		int st;

		if (!d) {
			CHECK(d != NULL);
			crash_disk_free(disk);
			return n;
		}
		rfs_link_init(&l, d);
		res = rfs_mount(&l, false, &fs);
		CHECK_EQ(res, TEE_SUCCESS);
		l.fault = mode;
		l.fault_at = n;
		l.requests = 0;
		if (!res) {
			res = run_op(fs, k);
			rpmbfs_close(fs);
		}
		rfs_link_free(&l);
		st = remount_state(d, k);
		if (st < 0)
			fprintf(stderr, "%s: cut %d at %ld: neither state\n",
				op_names[k], (int)mode, n);
		CHECK(st >= 0);
		if (st == 0)
			++*olds;
		if (st == 1)
			++*news;
		if (!l.fired) {
			/* Ran to the end: it must have committed. */
			CHECK_EQ(res, TEE_SUCCESS);
			CHECK_EQ(st, 1);
		} else if (res == TEE_SUCCESS) {
			CHECK_EQ(st, 1); /* acknowledged means durable */
		}
		rpmb_dev_close(d);
		crash_disk_free(disk);
		if (!l.fired)
			return n;
	}
}

static void test_cut_every_request(void)
{
	unsigned olds = 0, news = 0;
	long cuts = 0;
	int k;

	for (k = 0; k < NOPS; k++) {
		cuts += cut_every_request(k, RFS_CUT_BEFORE, &olds, &news);
		cuts += cut_every_request(k, RFS_CUT_AFTER, &olds, &news);
	}
	fprintf(stderr, "  %ld cuts: %u old, %u new\n", cuts, olds, news);
	CHECK(olds > 0 && news > 0);
}

/* Power lost at every disk write/sync of the device during the op. */
static void test_power_loss_every_disk_event(void)
{
	static const enum crash_mode modes[] = {CRASH_DROP, CRASH_KEEP,
						CRASH_TEAR};
	unsigned olds = 0, news = 0, runs = 0;
	int k;

	for (k = 0; k < NOPS; k++) {
		long n, events = -1;
		size_t m;

		for (n = 0; events < 0 || n < events; n++) {
			for (m = 0; m < 3; m++) {
				struct crash_disk *disk = crash_disk_new(), *r;
				struct rpmb_dev *d = prepared(disk), *d2;
				struct rpmbfs *fs = NULL;
				struct rfs_link l;
				long base;
				int st;

				if (!d) {
					CHECK(d != NULL);
					crash_disk_free(disk);
					return;
				}
				rfs_link_init(&l, d);
				CHECK_EQ(rfs_mount(&l, false, &fs), 0);
				base = crash_disk_events(disk);
				if (events < 0) {
					/* A clean run counts the events. */
					if (fs)
						CHECK_EQ(run_op(fs, k), 0);
					events = crash_disk_events(disk) - base;
					m = 3;
				} else {
					crash_disk_arm(disk, n, modes[m],
						       (uint64_t)(n * 3 + m));
					if (fs)
						run_op(fs, k);
				}
				rpmbfs_close(fs);
				rfs_link_free(&l);
				rpmb_dev_close(d);
				r = crash_disk_reboot(disk);
				d2 = mem_dev(r);
				CHECK(d2 != NULL);
				if (d2) {
					st = remount_state(d2, k);
					CHECK(st >= 0);
					olds += st == 0;
					news += st == 1;
					runs++;
					rpmb_dev_close(d2);
				}
				crash_disk_free(r);
				crash_disk_free(disk);
				if (m == 3)
					break;
			}
		}
	}
	fprintf(stderr, "  %u power cuts: %u old, %u new\n", runs, olds, news);
	CHECK(olds > 0 && news > 0);
}

/*
 * One run of the tests that need everything up to the fault to work: a
 * disk holding the old state, its device, a link and a mount (fs NULL
 * once unmounted).
 */
struct rig {
	struct crash_disk *disk;
	struct rpmb_dev *d;
	struct rfs_link l;
	struct rpmbfs *fs;
};

static void rig_unmount(struct rig *r)
{
	rpmbfs_close(r->fs);
	r->fs = NULL;
}

static void rig_down(struct rig *r)
{
	rig_unmount(r);
	rfs_link_free(&r->l);
	rpmb_dev_close(r->d);
	crash_disk_free(r->disk);
}

/* False, after a failed check and with nothing left held, on failure. */
static bool rig_up(struct rig *r)
{
	TEE_Result res;

	r->fs = NULL;
	r->disk = crash_disk_new();
	r->d = prepared(r->disk);
	CHECK(r->d != NULL);
	if (!r->d) {
		crash_disk_free(r->disk);
		return false;
	}
	rfs_link_init(&r->l, r->d);
	res = rfs_mount(&r->l, false, &r->fs);
	CHECK_EQ(res, 0);
	if (res) {
		rig_down(r);
		return false;
	}
	return true;
}

/* The fault strikes data request n, counted from now (not the mount's). */
static void rig_arm(struct rig *r, enum rfs_fault fault, long n)
{
	r->l.fault = fault;
	r->l.fault_at = n;
	r->l.requests = 0;
}

/* Mounts again on a fresh link: a cut leaves the old one dead. */
static TEE_Result rig_remount(struct rig *r)
{
	rig_unmount(r);
	rfs_link_free(&r->l);
	rfs_link_init(&r->l, r->d);
	return rfs_mount(&r->l, false, &r->fs);
}

/*
 * One answer lost on the way back, the link fine afterwards: the write
 * is resolved (counter and read-back) and the FS goes on without a
 * remount; a lost read answer just fails that call.
 */
static void lost_answers(long span, unsigned *resolved)
{
	int k;

	for (k = 0; k < NOPS; k++) {
		long n;

		for (n = 0;; n++) {
			struct state news, olds;
			struct rpmbfs_stats st;
			struct rig r;
			TEE_Result res;
			bool fired;
			int seen;

			if (!rig_up(&r))
				return;
			rig_arm(&r, RFS_LOSE_ONCE, n);
			r.l.fault_span = span;
			res = run_op(r.fs, k);
			fired = r.l.fired;
			r.l.fault = RFS_NONE;
			new_state(k, &news);
			old_state(&olds);
			rpmbfs_get_stats(r.fs, &st);
			*resolved += (unsigned)st.resolved;
			/* Same mount: old or new, and matching the answer. */
			seen = matches(r.fs, &news) == 1   ? 1
			       : matches(r.fs, &olds) == 1 ? 0
							   : -1;
			CHECK(seen >= 0);
			if (res == TEE_SUCCESS)
				CHECK_EQ(seen, 1);
			/* ... and the FS still works. */
			CHECK_EQ(rpmbfs_create(r.fs, &rfs_ta, "Z", 1,
					       &data_head, NULL, 0, "z", 1,
					       true, NULL),
				 TEE_SUCCESS);
			rig_unmount(&r);
			/* A remount shows what the mount showed. */
			CHECK_EQ(remount_state(r.d, k), seen);
			rig_down(&r);
			if (!fired)
				break;
		}
	}
}

/* One, two or three answers in a row lost (fences and counter reads too). */
static void test_lost_answer_resolved(void)
{
	unsigned resolved = 0;
	long span;

	for (span = 1; span <= 3; span++)
		lost_answers(span, &resolved);
	fprintf(stderr, "  %u writes resolved as written\n", resolved);
	CHECK(resolved > 0);
}

/*
 * A write request held back by the normal world (not sent, an error
 * answered): the FS fences the counter, so released later the request
 * is refused by the device and the state stays what teed reported.
 */
static void test_held_request_fenced(void)
{
	unsigned refused = 0;
	int k;

	for (k = 0; k < NOPS; k++) {
		long n;

		for (n = 0;; n++) {
			struct state news, olds;
			struct rig r;
			TEE_Result res;
			int before, after;
			bool fired;

			if (!rig_up(&r))
				return;
			rig_arm(&r, RFS_HOLD_ONCE, n);
			r.l.only_writes = true;
			res = run_op(r.fs, k);
			new_state(k, &news);
			old_state(&olds);
			before = matches(r.fs, &news);
			if (res == TEE_SUCCESS)
				CHECK_EQ(before, 1);
			else
				CHECK_EQ(matches(r.fs, &olds), 1);
			rig_unmount(&r);
			if (r.l.held) {
				int rc = rfs_link_release_held(&r.l);

				CHECK(rc != 0); /* refused: counter burnt */
				refused += rc != 0;
			}
			after = remount_state(r.d, k);
			CHECK_EQ(after, before == 1 ? 1 : 0);
			fired = r.l.fired;
			rig_down(&r);
			if (!fired)
				break;
		}
	}
	fprintf(stderr, "  %u held-back requests refused later\n", refused);
	CHECK(refused > 0);
}

/* The raw-file replace (the REE FS anchor's write) cut at every request. */
static void test_raw_replace_cut(void)
{
	static const enum rfs_fault modes[] = {RFS_CUT_BEFORE, RFS_CUT_AFTER};
	uint8_t h1[32], h2[32], got[64];
	unsigned olds = 0, news = 0;
	size_t m;
	long n;

	test_fill_pattern(h1, sizeof(h1), 21);
	test_fill_pattern(h2, sizeof(h2), 22);
	for (m = 0; m < 2; m++) {
		for (n = 0;; n++) {
			struct rig r;
			TEE_Result res = TEE_ERROR_GENERIC;
			size_t len = 0;
			bool fired;

			if (!rig_up(&r))
				return;
			CHECK_EQ(rpmbfs_raw_write(r.fs, "dirfile.db.hash", h1,
						  sizeof(h1)),
				 0);
			rig_arm(&r, modes[m], n);
			res = rpmbfs_raw_write(r.fs, "dirfile.db.hash", h2,
					       sizeof(h2));
			fired = r.l.fired;
			REQUIRE(rig_remount(&r) == 0);
			CHECK_EQ(rpmbfs_raw_read(r.fs, "dirfile.db.hash", got,
						 sizeof(got), &len),
				 0);
			CHECK_EQ(len, 32);
			if (!memcmp(got, h1, 32))
				olds++;
			else if (!memcmp(got, h2, 32))
				news++;
			else
				CHECK(false);
			if (res == TEE_SUCCESS)
				CHECK(!memcmp(got, h2, 32));
			rig_down(&r);
			if (!fired)
				break;
		}
	}
	fprintf(stderr, "  raw replace: %u old, %u new\n", olds, news);
	CHECK(olds > 0 && news > 0);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		printf("usage: %s\nrpmbfs crash safety (docs/rpmbfs.md)\n",
		       argv[0]);
		return 0;
	}
	build_patterns();
	RUN(test_cut_every_request);
	RUN(test_power_loss_every_disk_event);
	RUN(test_lost_answer_resolved);
	RUN(test_held_request_fenced);
	RUN(test_raw_replace_cut);
	return test_report();
}
