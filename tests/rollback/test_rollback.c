/*
 * Rollback protection of the REE FS store (docs/rollback.md): with teed's
 * minimum-counter anchor every rollback attack on the REE directory is
 * detected (whole-directory snapshot, dirf.db alone, one object file,
 * deletion, a flipped dirf.db header counter bit), a power cut anywhere
 * between the dirf.db commit and the anchor update leaves a store that
 * opens without a false alarm, and only an explicit reset accepts a
 * rolled-back directory. Without an anchor, the flipped counter bit
 * serves the previous generation (OP-TEE's behaviour, asserted here as
 * the documented weakness).
 *
 * The REE directory and teed's state directory are two fake backends
 * (backend_fake.h): a snapshot is a clone, a power cut is a crash of both.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_fake.h"
#include "dirf.h"
#include "teed_anchor.h"
#include "rollback_util.h"
#include "test.h"
#include "tstore.h"
#include "tstore_test.h"

/* A store opened with (or without) the counter anchor kept in st. */
struct rig {
	struct backend *ree, *st;
	struct teed_anchor *anchor;
	struct tstore *s;
};

static TEE_Result rig_open_with(struct rig *r, bool anchored, bool reset,
				const uint8_t *key, size_t key_len)
{
	struct tstore_config cfg;
	TEE_Result res;

	tstore_config_init(&cfg, rb_huk, sizeof(rb_huk));
	r->anchor = NULL;
	r->s = NULL;
	if (anchored) {
		res = teed_anchor_new(r->st, key, key_len, &r->anchor);
		if (res)
			return res;
		cfg.anchor = teed_anchor_hook(r->anchor);
		cfg.anchor_reset = reset;
	}
	res = tstore_open(r->ree, &cfg, &r->s);
	if (res) {
		teed_anchor_free(r->anchor);
		r->anchor = NULL;
		r->s = NULL;
	}
	return res;
}

static TEE_Result rig_open(struct rig *r, bool anchored)
{
	return rig_open_with(r, anchored, false, rb_huk, sizeof(rb_huk));
}

static void rig_close(struct rig *r)
{
	tstore_close(r->s);
	teed_anchor_free(r->anchor);
	r->s = NULL;
	r->anchor = NULL;
}

static void rig_new(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	REQUIRE(backend_fake_new(&r->ree) == TEE_SUCCESS);
	REQUIRE(backend_fake_new(&r->st) == TEE_SUCCESS);
}

static void rig_free(struct rig *r)
{
	rig_close(r);
	backend_destroy(r->ree);
	backend_destroy(r->st);
}

static uint64_t gen_of(struct tstore *s, const char *id, uint64_t max_gen)
{
	uint64_t g = 0;

	CHECK_EQ(rb_get(s, id, max_gen, &g), TEE_SUCCESS);
	return g;
}

/* Opens the store anchored, makes the commits gens[0..n), closes it. */
static void rig_commits(void *rig, const struct rb_gen *gens, size_t n)
{
	struct rig *r = rig;

	REQUIRE(rig_open(r, true) == TEE_SUCCESS);
	rb_put_each(r->s, gens, n);
	rig_close(r);
}

/* rb_snapshot_then through rig r (snap: where the clone goes). */
#define SNAPSHOT_THEN(r, snap, ...)                                            \
	rb_snapshot_then(rig_commits, (r), (r)->ree, (snap),                   \
			 RB_GENS(__VA_ARGS__))

static void test_anchored_basics(void)
{
	struct backend_fake_stats f0, f1, a0, a1;
	struct rig r;
	struct tstore_stats st;
	uint8_t *data;
	size_t len;

	rig_new(&r);
	REQUIRE(rig_open(&r, true) == TEE_SUCCESS);
	/* The fresh store is anchored at once. */
	CHECK_EQ(backend_fake_file_data(r.st, TEED_ANCHOR_FILE, &data, &len),
		 TEE_SUCCESS);
	CHECK_EQ(len, 1024u);
	CHECK_EQ(rb_put(r.s, "a", 1), TEE_SUCCESS);
	backend_fake_get_stats(r.ree, &f0);
	backend_fake_get_stats(r.st, &a0);
	CHECK_EQ(rb_put(r.s, "a", 2), TEE_SUCCESS);
	backend_fake_get_stats(r.ree, &f1);
	backend_fake_get_stats(r.st, &a1);
	/*
	 * An overwrite with an anchor: one SYNC of the object file, one of
	 * dirf.db (blocks, nodes and header together: docs/engine.md), one
	 * of the anchor; dirf.db is not synced in barrier 1.
	 */
	CHECK_EQ(f1.syncs - f0.syncs, 2u);
	CHECK_EQ(a1.syncs - a0.syncs, 1u);
	tstore_get_stats(r.s, &st);
	CHECK_EQ(st.commits, 2u);
	CHECK_EQ(st.barriers, 6u); /* three per commit with an anchor */
	rig_close(&r);
	REQUIRE(rig_open(&r, true) == TEE_SUCCESS);
	CHECK_EQ(gen_of(r.s, "a", 5), 2u);
	rig_free(&r);
}

/*
 * The crash fallback is no rollback: with every commit acknowledged (the
 * anchor at dirf.db's newest counter), bytes flipped anywhere past
 * dirf.db's headers leave the store refused or intact, never opened at
 * the previous generation.
 */
static void test_damaged_newest_refused(void)
{
	struct backend *base, *c;
	uint8_t *data, *copy;
	size_t len, off;
	unsigned refused = 0;
	struct rig r;

	rig_new(&r);
	rig_commits(&r, RB_HISTORY);
	base = r.ree;
	REQUIRE(backend_fake_file_data(base, DIRF_FILE_NAME, &data, &len) ==
		TEE_SUCCESS);
	copy = malloc(len);
	REQUIRE(copy);
	memcpy(copy, data, len);
	for (off = 2 * 68; off < len; off += 61) {
		TEE_Result res;

		REQUIRE(backend_fake_clone(base, &c) == TEE_SUCCESS);
		copy[off] ^= 0x01;
		REQUIRE(backend_fake_file_set(c, DIRF_FILE_NAME, copy, len) ==
			TEE_SUCCESS);
		copy[off] ^= 0x01;
		r.ree = c;
		res = rig_open(&r, true);
		if (res) {
			CHECK(res == TEE_ERROR_CORRUPT_OBJECT ||
			      res == TEE_ERROR_SECURITY);
			refused++;
		} else {
			CHECK(!tstore_test_dirf_fell_back(r.s));
			CHECK_EQ(gen_of(r.s, "a", 5), 2u);
			CHECK_EQ(gen_of(r.s, "b", 20), 10u);
		}
		rig_close(&r);
		backend_destroy(c);
	}
	CHECK(refused > 0);
	free(copy);
	r.ree = base;
	rig_free(&r);
}

/* A snapshot of the whole REE directory, restored later: refused. */
static void test_directory_snapshot(void)
{
	struct backend *snap, *live;
	struct rig r;

	rig_new(&r);
	REQUIRE(SNAPSHOT_THEN(&r, &snap, {"a", 3}, {"b", 11}) == TEE_SUCCESS);

	live = r.ree;
	r.ree = snap;
	CHECK_EQ(rig_open(&r, true), TEE_ERROR_SECURITY);
	/* Without the anchor the old directory is served (the weakness). */
	REQUIRE(rig_open(&r, false) == TEE_SUCCESS);
	CHECK_EQ(gen_of(r.s, "a", 5), 2u);
	rig_close(&r);
	/* The live directory still opens. */
	r.ree = live;
	REQUIRE(rig_open(&r, true) == TEE_SUCCESS);
	CHECK_EQ(gen_of(r.s, "a", 5), 3u);
	CHECK_EQ(gen_of(r.s, "b", 20), 11u);
	rig_close(&r);
	backend_destroy(snap);
	rig_free(&r);
}

/* dirf.db alone put back to an older copy: refused. */
static void test_dirf_alone(void)
{
	struct backend *snap;
	struct rig r;

	rig_new(&r);
	REQUIRE(SNAPSHOT_THEN(&r, &snap, {"b", 11}) == TEE_SUCCESS);
	REQUIRE(rb_copy_file(r.ree, snap, DIRF_FILE_NAME) == TEE_SUCCESS);
	CHECK_EQ(rig_open(&r, true), TEE_ERROR_SECURITY);
	backend_destroy(snap);
	rig_free(&r);
}

/* One object file put back: its dirf.db hash catches it. */
static void test_single_object_file(void)
{
	struct backend *snap;
	struct rig r;
	char name[DIRF_FNAME_SIZE];
	uint64_t g;

	rig_new(&r);
	REQUIRE(SNAPSHOT_THEN(&r, &snap, {"a", 3}, {"a", 4}) == TEE_SUCCESS);
	dirf_fname(0, name); /* "a" was created first: file 0 */
	REQUIRE(rb_copy_file(r.ree, snap, name) == TEE_SUCCESS);
	REQUIRE(rig_open(&r, true) == TEE_SUCCESS);
	CHECK_EQ(rb_get(r.s, "a", 5, &g), TEE_ERROR_CORRUPT_OBJECT);
	CHECK_EQ(gen_of(r.s, "b", 20), 10u);
	rig_close(&r);
	backend_destroy(snap);
	rig_free(&r);
}

/* dirf.db deleted: refused, and the object files are left alone. */
static void test_dirf_deleted(void)
{
	uint8_t *data;
	size_t len;
	struct rig r;

	rig_new(&r);
	rig_commits(&r, RB_HISTORY);
	REQUIRE(backend_remove(r.ree, DIRF_FILE_NAME) == TEE_SUCCESS);
	REQUIRE(backend_sync_dir(r.ree) == TEE_SUCCESS);
	CHECK_EQ(rig_open(&r, true), TEE_ERROR_SECURITY);
	CHECK_EQ(backend_fake_file_data(r.ree, "0", &data, &len), TEE_SUCCESS);
	CHECK_EQ(backend_fake_file_data(r.ree, "1", &data, &len), TEE_SUCCESS);
	CHECK_EQ(backend_fake_file_data(r.ree, "0.lost", &data, &len),
		 TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(backend_fake_file_data(r.ree, DIRF_FILE_NAME, &data, &len),
		 TEE_ERROR_ITEM_NOT_FOUND);
	/* An emptied dirf.db (a create that never committed): the same. */
	REQUIRE(backend_fake_file_set(r.ree, DIRF_FILE_NAME, "", 0) ==
		TEE_SUCCESS);
	CHECK_EQ(rig_open(&r, true), TEE_ERROR_SECURITY);
	rig_free(&r);
}

/* The committed header's counter field of dirf.db (volatile image). */
static uint8_t *committed_counter(struct backend *ree, uint32_t *counter)
{
	uint8_t *data, *p;
	size_t len;
	uint32_t c0, c1;

	if (backend_fake_file_data(ree, DIRF_FILE_NAME, &data, &len) ||
	    len < 2 * 68) {
		fprintf(stderr, "no dirf.db headers\n");
		abort();
	}
	c0 = (uint32_t)data[64] | (uint32_t)data[65] << 8 |
	     (uint32_t)data[66] << 16 | (uint32_t)data[67] << 24;
	c1 = (uint32_t)data[68 + 64] | (uint32_t)data[68 + 65] << 8 |
	     (uint32_t)data[68 + 66] << 16 | (uint32_t)data[68 + 67] << 24;
	/* Consecutive counters: the larger one is the committed header. */
	p = c0 > c1 ? data + 64 : data + 68 + 64;
	*counter = c0 > c1 ? c0 : c1;
	return p;
}

/*
 * One flipped bit in the committed dirf.db header counter. Without an
 * anchor, flipping its lowest set bit makes the parity rule choose the
 * previous header: the previous generation is served, no error. With the
 * anchor, no bit flip is ever served.
 */
static void test_flipped_counter_bit(void)
{
	struct backend *base, *orig, *c;
	struct rig r;
	uint32_t counter;
	uint8_t *p;
	int bit;

	rig_new(&r);
	rig_commits(&r, RB_HISTORY);
	REQUIRE(backend_fake_clone(r.ree, &base) == TEE_SUCCESS);
	orig = r.ree;

	/* Without the anchor: "a" is back at generation 1. */
	p = committed_counter(r.ree, &counter);
	bit = __builtin_ctz(counter);
	p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	REQUIRE(rig_open(&r, false) == TEE_SUCCESS);
	CHECK_EQ(gen_of(r.s, "a", 5), 1u);
	rig_close(&r);

	for (bit = 0; bit < 32; bit++) {
		TEE_Result res;

		REQUIRE(backend_fake_clone(base, &c) == TEE_SUCCESS);
		p = committed_counter(c, &counter);
		p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		r.ree = c;
		res = rig_open(&r, true);
		CHECK(res == TEE_ERROR_SECURITY ||
		      res == TEE_ERROR_CORRUPT_OBJECT);
		if (!res)
			fprintf(stderr, "bit %d: flipped counter accepted\n",
				bit);
		rig_close(&r);
		backend_destroy(c);
	}
	/* The untouched directory still opens. */
	r.ree = base;
	REQUIRE(rig_open(&r, true) == TEE_SUCCESS);
	CHECK_EQ(gen_of(r.s, "a", 5), 2u);
	rig_close(&r);
	backend_destroy(orig);
	rig_free(&r);
}

/* A different HUK cannot read (nor have written) the anchor. */
static void test_anchor_wrong_huk(void)
{
	static const uint8_t other[16] = {9};
	struct rig r;

	rig_new(&r);
	rig_commits(&r, RB_HISTORY);
	CHECK_EQ(rig_open_with(&r, true, false, other, sizeof(other)),
		 TEE_ERROR_SECURITY);
	rig_free(&r);
}

/* The explicit reset: a rolled-back directory becomes the baseline. */
static void test_reset(void)
{
	struct backend *snap, *live;
	uint8_t *data;
	size_t len;
	struct rig r;

	rig_new(&r);
	REQUIRE(SNAPSHOT_THEN(&r, &snap, {"a", 3}) == TEE_SUCCESS);
	live = r.ree;
	r.ree = snap;
	CHECK_EQ(rig_open(&r, true), TEE_ERROR_SECURITY);
	REQUIRE(rig_open_with(&r, true, true, rb_huk, sizeof(rb_huk)) ==
		TEE_SUCCESS);
	CHECK_EQ(gen_of(r.s, "a", 5), 2u);
	CHECK_EQ(rb_put(r.s, "a", 4), TEE_SUCCESS);
	rig_close(&r);
	/* The new baseline holds without reset; the newer copy now is a
	 * different history and refused. */
	REQUIRE(rig_open(&r, true) == TEE_SUCCESS);
	CHECK_EQ(gen_of(r.s, "a", 5), 4u);
	rig_close(&r);
	r.ree = live;
	CHECK(rig_open(&r, true) != TEE_SUCCESS);
	r.ree = snap;

	/* Reset over a deleted dirf.db: a fresh store, files kept aside. */
	REQUIRE(backend_remove(r.ree, DIRF_FILE_NAME) == TEE_SUCCESS);
	REQUIRE(backend_sync_dir(r.ree) == TEE_SUCCESS);
	CHECK_EQ(rig_open(&r, true), TEE_ERROR_SECURITY);
	REQUIRE(rig_open_with(&r, true, true, rb_huk, sizeof(rb_huk)) ==
		TEE_SUCCESS);
	CHECK_EQ(backend_fake_file_data(r.ree, "0.lost", &data, &len),
		 TEE_SUCCESS);
	CHECK_EQ(rb_put(r.s, "c", 30), TEE_SUCCESS);
	rig_close(&r);
	REQUIRE(rig_open(&r, true) == TEE_SUCCESS);
	CHECK_EQ(gen_of(r.s, "c", 40), 30u);
	rig_close(&r);
	backend_destroy(live);
	rig_free(&r);
}

/*
 * Power cut at every event of one commit, on the REE side (object file,
 * dirf.db blocks, nodes, header, barriers) and on the anchor's side,
 * then both disks rebooted: the store opens with no false alarm and "a"
 * is at the old or the new generation (the new one once dirf.db's whole
 * new generation was durable). dirf.db's blocks, nodes and header share
 * one barrier with an anchor, so some cuts leave a newest header whose
 * tree fails verification: the store then opens the anchored generation
 * (the fallback, outcomes[2]; docs/engine.md), which must happen.
 */
static void crash_once(struct backend *ree0, struct backend *st0, int side,
		       uint64_t n, enum backend_fake_mode mode, uint64_t seed,
		       uint64_t *outcomes)
{
	struct rig r;
	TEE_Result res;
	uint64_t g;

	memset(&r, 0, sizeof(r));
	REQUIRE(backend_fake_clone(ree0, &r.ree) == TEE_SUCCESS);
	REQUIRE(backend_fake_clone(st0, &r.st) == TEE_SUCCESS);
	REQUIRE(rig_open(&r, true) == TEE_SUCCESS);
	backend_fake_set_crash_at(
	    side ? r.st : r.ree,
	    backend_fake_event_count(side ? r.st : r.ree) + n, mode, seed);
	res = rb_put(r.s, "a", 3);
	/* The power fails for both disks at once. */
	if (!backend_fake_powered_off(r.ree))
		backend_fake_crash_now(r.ree, mode, seed);
	if (!backend_fake_powered_off(r.st))
		backend_fake_crash_now(r.st, mode, seed);
	CHECK(res != TEE_SUCCESS);
	rig_close(&r);
	REQUIRE(backend_fake_reboot(r.ree) == TEE_SUCCESS);
	REQUIRE(backend_fake_reboot(r.st) == TEE_SUCCESS);
	res = rig_open(&r, true);
	CHECK_EQ(res, TEE_SUCCESS);
	if (!res) {
		g = gen_of(r.s, "a", 5);
		CHECK(g == 2 || g == 3);
		outcomes[g == 3]++;
		if (tstore_test_dirf_fell_back(r.s)) {
			CHECK_EQ(g, 2u); /* the anchored generation */
			outcomes[2]++;
		}
		/* And it goes on: a commit, a reopen. */
		CHECK_EQ(rb_put(r.s, "a", 4), TEE_SUCCESS);
		rig_close(&r);
		CHECK_EQ(rig_open(&r, true), TEE_SUCCESS);
		if (r.s)
			CHECK_EQ(gen_of(r.s, "a", 5), 4u);
	}
	rig_free(&r);
}

static void test_crash_between_commit_and_anchor(void)
{
	static const enum backend_fake_mode modes[] = {
	    BACKEND_FAKE_DROP, BACKEND_FAKE_KEEP, BACKEND_FAKE_TEAR};
	uint64_t events[2], n, seed, outcomes[3] = {0, 0, 0};
	struct rig r, probe;
	int side;
	size_t m;

	rig_new(&r);
	rig_commits(&r, RB_HISTORY);
	/* How many events one commit makes on each side. */
	memset(&probe, 0, sizeof(probe));
	REQUIRE(backend_fake_clone(r.ree, &probe.ree) == TEE_SUCCESS);
	REQUIRE(backend_fake_clone(r.st, &probe.st) == TEE_SUCCESS);
	REQUIRE(rig_open(&probe, true) == TEE_SUCCESS);
	events[0] = backend_fake_event_count(probe.ree);
	events[1] = backend_fake_event_count(probe.st);
	CHECK_EQ(rb_put(probe.s, "a", 3), TEE_SUCCESS);
	events[0] = backend_fake_event_count(probe.ree) - events[0];
	events[1] = backend_fake_event_count(probe.st) - events[1];
	rig_free(&probe);
	CHECK(events[0] >= 4);
	CHECK_EQ(events[1], 2u); /* one slot write, one fdatasync */

	/* TEAR with several seeds: which sectors survive decides whether
	 * dirf.db's newest header lands without all of its tree. */
	for (side = 0; side < 2; side++)
		for (n = 1; n <= events[side]; n++)
			for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
				for (seed = 0;
				     seed <
				     (modes[m] == BACKEND_FAKE_TEAR ? 8 : 1);
				     seed++)
					crash_once(
					    r.ree, r.st, side, n, modes[m],
					    n * 7 + m + seed * 101, outcomes);
	/* Both outcomes were reached (the crash points do matter). */
	CHECK(outcomes[0] > 0);
	CHECK(outcomes[1] > 0);
	CHECK(outcomes[2] > 0); /* the crash fallback was taken */
	rig_free(&r);
}

/* The anchor file itself under power cuts: the old or the new record. */
static void test_anchor_file_power_cut(void)
{
	static const uint8_t h1[32] = {1}, h2[32] = {2};
	struct tstore_anchor_state st;
	const struct tstore_anchor *hook;
	struct teed_anchor *a;
	struct backend *base, *be;
	uint64_t n, seed;
	int step;

	/* step 0: the very first record (file creation); 1: an update. */
	for (step = 0; step < 2; step++) {
		REQUIRE(backend_fake_new(&base) == TEE_SUCCESS);
		if (step) {
			REQUIRE(teed_anchor_new(base, rb_huk, sizeof(rb_huk),
						&a) == TEE_SUCCESS);
			hook = teed_anchor_hook(a);
			REQUIRE(hook->load(hook->arg, &st) == TEE_SUCCESS);
			REQUIRE(hook->commit(hook->arg, 5, h1) == TEE_SUCCESS);
			teed_anchor_free(a);
		}
		for (n = 1; n <= 8; n++) {
			for (seed = 0; seed < 12; seed++) {
				bool done;

				REQUIRE(backend_fake_clone(base, &be) ==
					TEE_SUCCESS);
				REQUIRE(teed_anchor_new(be, rb_huk,
							sizeof(rb_huk),
							&a) == TEE_SUCCESS);
				hook = teed_anchor_hook(a);
				REQUIRE(hook->load(hook->arg, &st) ==
					TEE_SUCCESS);
				backend_fake_set_crash_at(
				    be, backend_fake_event_count(be) + n,
				    (enum backend_fake_mode)(seed % 3), seed);
				done = !hook->commit(hook->arg, 6, h2);
				teed_anchor_free(a);
				REQUIRE(backend_fake_reboot(be) == TEE_SUCCESS);
				REQUIRE(teed_anchor_new(be, rb_huk,
							sizeof(rb_huk),
							&a) == TEE_SUCCESS);
				hook = teed_anchor_hook(a);
				CHECK_EQ(hook->load(hook->arg, &st),
					 TEE_SUCCESS);
				if (done) /* synced before the cut: new */
					CHECK(st.present &&
					      st.min_counter == 6);
				if (st.present && st.min_counter == 6)
					CHECK_MEM(st.root_hash, h2, 32);
				else if (st.present)
					CHECK(st.min_counter == 5 &&
					      !memcmp(st.root_hash, h1, 32));
				else
					CHECK_EQ(step, 0);
				teed_anchor_free(a);
				backend_destroy(be);
			}
		}
		backend_destroy(base);
	}
}

/* A failing anchor update: an error, then re-anchored, never a lock-out. */
static void test_anchor_update_fails(void)
{
	struct rig r;

	rig_new(&r);
	rig_commits(&r, RB_HISTORY);
	REQUIRE(rig_open(&r, true) == TEE_SUCCESS);
	backend_fake_set_fail_at(r.st, backend_fake_event_count(r.st) + 2,
				 TEE_ERROR_STORAGE_NOT_AVAILABLE);
	CHECK(rb_put(r.s, "a", 3) != TEE_SUCCESS);
	CHECK_EQ(rb_put(r.s, "b", 11), TEE_SUCCESS);
	CHECK_EQ(gen_of(r.s, "a", 5), 3u);
	rig_close(&r);
	REQUIRE(rig_open(&r, true) == TEE_SUCCESS);
	CHECK_EQ(gen_of(r.s, "a", 5), 3u);
	CHECK_EQ(gen_of(r.s, "b", 20), 11u);
	rig_free(&r);
}

/* Concurrent commits (group commit) with the anchor: every one anchored. */
struct writer {
	struct tstore *s;
	char id[8];
	TEE_Result res;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	uint64_t g;

	for (g = 1; g <= 20 && !w->res; g++)
		w->res = rb_put(w->s, w->id, g);
	return NULL;
}

static void test_concurrent_commits(void)
{
	struct writer w[4];
	pthread_t t[4];
	struct rig r;
	int i;

	rig_new(&r);
	REQUIRE(rig_open(&r, true) == TEE_SUCCESS);
	for (i = 0; i < 4; i++) {
		w[i].s = r.s;
		snprintf(w[i].id, sizeof(w[i].id), "w%d", i);
		w[i].res = TEE_SUCCESS;
		REQUIRE(pthread_create(&t[i], NULL, writer_main, &w[i]) == 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK_EQ(w[i].res, TEE_SUCCESS);
	}
	rig_close(&r);
	/* Reopened against the anchor: the last generation of each. */
	REQUIRE(rig_open(&r, true) == TEE_SUCCESS);
	for (i = 0; i < 4; i++)
		CHECK_EQ(gen_of(r.s, w[i].id, 20), 20u);
	rig_free(&r);
}

/*
 * A hash-only anchor (the shape of OP-TEE's RPMB dirfile.db.hash): dirf.db
 * is opened by the anchored root hash; a crash before the anchor update
 * rolls back that one unacknowledged commit; an old dirf.db is
 * CORRUPT_OBJECT; a deleted one SECURITY.
 */
struct hash_anchor {
	struct tstore_anchor_state st;
	bool fail;
};

static TEE_Result hash_load(void *arg, struct tstore_anchor_state *st)
{
	struct hash_anchor *h = arg;

	*st = h->st;
	st->has_counter = false;
	st->has_hash = true;
	return TEE_SUCCESS;
}

static TEE_Result hash_commit(void *arg, uint32_t counter,
			      const uint8_t root_hash[32])
{
	struct hash_anchor *h = arg;

	(void)counter;
	if (h->fail)
		return TEE_ERROR_STORAGE_NOT_AVAILABLE;
	h->st.present = true;
	memcpy(h->st.root_hash, root_hash, 32);
	return TEE_SUCCESS;
}

static TEE_Result hash_open(struct backend *ree, struct hash_anchor *h,
			    struct tstore **s)
{
	static struct tstore_anchor hook = {hash_load, hash_commit, NULL};
	struct tstore_config cfg;

	hook.arg = h;
	tstore_config_init(&cfg, rb_huk, sizeof(rb_huk));
	cfg.anchor = &hook;
	return tstore_open(ree, &cfg, s);
}

static void test_hash_only_anchor(void)
{
	struct hash_anchor h;
	struct backend *ree, *snap;
	struct tstore *s;

	memset(&h, 0, sizeof(h));
	REQUIRE(backend_fake_new(&ree) == TEE_SUCCESS);
	REQUIRE(hash_open(ree, &h, &s) == TEE_SUCCESS);
	CHECK(h.st.present);
	CHECK_EQ(rb_put(s, "a", 1), TEE_SUCCESS);
	REQUIRE(backend_fake_clone(ree, &snap) == TEE_SUCCESS);
	CHECK_EQ(rb_put(s, "a", 2), TEE_SUCCESS);
	/* The dirf.db header of gen 3 is durable, its anchor is not. */
	h.fail = true;
	CHECK(rb_put(s, "a", 3) != TEE_SUCCESS);
	tstore_close(s);
	h.fail = false;
	REQUIRE(hash_open(ree, &h, &s) == TEE_SUCCESS);
	CHECK_EQ(gen_of(s, "a", 5), 2u);
	CHECK_EQ(rb_put(s, "a", 4), TEE_SUCCESS);
	tstore_close(s);
	REQUIRE(hash_open(ree, &h, &s) == TEE_SUCCESS);
	CHECK_EQ(gen_of(s, "a", 5), 4u);
	tstore_close(s);

	REQUIRE(rb_copy_file(ree, snap, DIRF_FILE_NAME) == TEE_SUCCESS);
	CHECK_EQ(hash_open(ree, &h, &s), TEE_ERROR_CORRUPT_OBJECT);
	REQUIRE(backend_remove(ree, DIRF_FILE_NAME) == TEE_SUCCESS);
	CHECK_EQ(hash_open(ree, &h, &s), TEE_ERROR_SECURITY);
	backend_destroy(snap);
	backend_destroy(ree);
}

/*
 * A hash-only anchor under a power cut at every REE event of one commit
 * (dirf.db's blocks, nodes and header share its last barrier): the
 * anchored generation opens (the anchor moves only after that barrier),
 * and the store goes on.
 */
static void hash_crash_once(struct backend *ree0, const struct hash_anchor *h0,
			    uint64_t n, enum backend_fake_mode mode,
			    uint64_t seed)
{
	struct hash_anchor h = *h0;
	struct backend *ree;
	struct tstore *s;
	TEE_Result res;

	REQUIRE(backend_fake_clone(ree0, &ree) == TEE_SUCCESS);
	REQUIRE(hash_open(ree, &h, &s) == TEE_SUCCESS);
	backend_fake_set_crash_at(ree, backend_fake_event_count(ree) + n, mode,
				  seed);
	res = rb_put(s, "a", 3);
	if (!backend_fake_powered_off(ree))
		backend_fake_crash_now(ree, mode, seed);
	CHECK(res != TEE_SUCCESS);
	tstore_close(s);
	REQUIRE(backend_fake_reboot(ree) == TEE_SUCCESS);
	res = hash_open(ree, &h, &s);
	CHECK_EQ(res, TEE_SUCCESS);
	if (!res) {
		CHECK_EQ(gen_of(s, "a", 5), 2u);
		CHECK_EQ(rb_put(s, "a", 4), TEE_SUCCESS);
		tstore_close(s);
		CHECK_EQ(hash_open(ree, &h, &s), TEE_SUCCESS);
		if (s)
			CHECK_EQ(gen_of(s, "a", 5), 4u);
		tstore_close(s);
	}
	backend_destroy(ree);
}

static void test_hash_anchor_crash(void)
{
	static const enum backend_fake_mode modes[] = {
	    BACKEND_FAKE_DROP, BACKEND_FAKE_KEEP, BACKEND_FAKE_TEAR};
	struct hash_anchor h, hp;
	struct backend *ree, *probe;
	struct tstore *s;
	uint64_t events, n, seed;
	size_t m;

	memset(&h, 0, sizeof(h));
	REQUIRE(backend_fake_new(&ree) == TEE_SUCCESS);
	REQUIRE(hash_open(ree, &h, &s) == TEE_SUCCESS);
	CHECK_EQ(rb_put(s, "a", 1), TEE_SUCCESS);
	CHECK_EQ(rb_put(s, "a", 2), TEE_SUCCESS);
	tstore_close(s);
	hp = h;
	REQUIRE(backend_fake_clone(ree, &probe) == TEE_SUCCESS);
	REQUIRE(hash_open(probe, &hp, &s) == TEE_SUCCESS);
	events = backend_fake_event_count(probe);
	CHECK_EQ(rb_put(s, "a", 3), TEE_SUCCESS);
	events = backend_fake_event_count(probe) - events;
	tstore_close(s);
	backend_destroy(probe);
	CHECK(events >= 4);
	for (n = 1; n <= events; n++)
		for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
			for (seed = 0;
			     seed < (modes[m] == BACKEND_FAKE_TEAR ? 8 : 1);
			     seed++)
				hash_crash_once(ree, &h, n, modes[m],
						n * 7 + m + seed * 101);
	backend_destroy(ree);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		printf("usage: %s\nRollback protection tests "
		       "(docs/rollback.md).\n",
		       argv[0]);
		return strcmp(argv[1], "--help") ? 2 : 0;
	}
	RUN(test_anchored_basics);
	RUN(test_directory_snapshot);
	RUN(test_dirf_alone);
	RUN(test_single_object_file);
	RUN(test_dirf_deleted);
	RUN(test_flipped_counter_bit);
	RUN(test_anchor_wrong_huk);
	RUN(test_reset);
	RUN(test_crash_between_commit_and_anchor);
	RUN(test_damaged_newest_refused);
	RUN(test_anchor_file_power_cut);
	RUN(test_anchor_update_fails);
	RUN(test_concurrent_commits);
	RUN(test_hash_only_anchor);
	RUN(test_hash_anchor_crash);
	return test_report();
}
