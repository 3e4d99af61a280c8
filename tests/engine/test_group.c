/*
 * Group commit on the fake backend (docs/engine.md, "Group commit"),
 * driven deterministically with the test hooks of tstore_test.h: the
 * commits of a group start one after the other, each writing its object
 * and queueing before the next starts, and then commit together (one
 * dirf.db commit, one pair of barriers). Four groups of 3-4 concurrent
 * operations on distinct objects (writes; create, replace, remove,
 * rename; shrink, grow, usage change, create; and a group where one
 * member fails at admission and one before joining) run in sequence.
 *
 * For every group:
 *   - a clean run shows one dirf.db commit for the whole group, 2
 *     barriers, and the results the model gives;
 *   - crash at every backend event of the group (store open included),
 *     DROP, KEEP and TEAR with 4 seeds: after reboot the store opens, no
 *     CORRUPT_OBJECT, every member shows its old or its new state and
 *     every acknowledged member its new state (the store equals the state
 *     before plus some subset of the members, a superset of the
 *     acknowledged ones);
 *   - an error (STORAGE_NO_SPACE, STORAGE_NOT_AVAILABLE) at every event,
 *     power on: the same, on the running store, after a reopen too, and
 *     the store stays usable.
 * Prints how many states were checked (docs/engine.md quotes it).
 *
 * And, with a group's barrier 1 held in the backend: an unrelated
 * object opens, enumeration runs, and another writer writes, syncs and
 * queues its commit meanwhile (no lock over unrelated objects is held
 * across a group's barriers).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend_fake.h"
#include "engine_util.h"
#include "tee_error.h"
#include "test.h"
#include "test_backend.h"
#include "tstore_test.h"

#define TEAR_SEEDS 4
#define GROUP_MAX  4

#define W(k, t, i, i2, p, l, sd, al)                                           \
	{                                                                      \
		.kind = (k), .ta = (t), .id = i, .id_len = sizeof(i) - 1,      \
		.id2 = i2, .id2_len = sizeof(i2) - 1, .pos = (p), .len = (l),  \
		.seed = (sd), .attr_len = (al)                                 \
	}

static const struct eng_op setup[] = {
    W(OP_CREATE, 0, "w0", "", 0, 5000, 1, 0),
    W(OP_CREATE, 1, "w1", "", 0, 20000, 2, 0),
    W(OP_CREATE, 2, "w2", "", 0, 100, 3, 40),
    W(OP_CREATE, 0, "sh", "", 0, 20000, 4, 0),
    W(OP_CREATE, 1, "rm", "", 0, 3000, 5, 0),
    W(OP_CREATE, 2, "rn", "", 0, 3000, 6, 0),
    W(OP_CREATE, 0, "rep", "", 0, 4000, 7, 8),
    W(OP_CREATE, 1, "tr", "", 0, 9000, 8, 0),
    W(OP_CREATE, 2, "us", "", 0, 100, 9, 0),
};

struct group {
	const char *name;
	size_t n;
	struct eng_op ops[GROUP_MAX];
};

static const struct group groups[] = {
    {"writes",
     4,
     {
	 W(OP_WRITE, 0, "w0", "", 3000, 6000, 11, 0), /* spans, extends */
	 W(OP_WRITE, 1, "w1", "", 30000, 100, 12, 0), /* gap */
	 W(OP_WRITE, 2, "w2", "", 0, 1, 13, 0),
	 W(OP_WRITE, 0, "sh", "", 8000, 4096, 14, 0),
     }},
    {"create, replace, remove, rename",
     4,
     {
	 W(OP_CREATE, 0, "new", "", 0, 7000, 21, 16),
	 W(OP_CREATE_OW, 0, "rep", "", 0, 3000, 22, 0),
	 W(OP_REMOVE, 1, "rm", "", 0, 0, 0, 0),
	 W(OP_RENAME, 2, "rn", "rn2", 0, 0, 0, 0),
     }},
    {"shrink, grow, usage, create",
     4,
     {
	 W(OP_TRUNC, 0, "sh", "", 0, 5000, 0, 0),
	 W(OP_TRUNC, 1, "tr", "", 0, 15000, 0, 0),
	 W(OP_SET_USAGE, 2, "us", "", 0, 0, 0x13, 0),
	 W(OP_CREATE_OW, 1, "fresh", "", 0, 100, 31, 0),
     }},
    {"members failing alone",
     4,
     {
	 W(OP_WRITE, 0, "w0", "", 0, 10, 41, 0),
	 W(OP_RENAME, 2, "w2", "us", 0, 0, 0, 0), /* target exists */
	 W(OP_CREATE, 1, "w1", "", 0, 10, 42, 0), /* exists: never joins */
	 W(OP_WRITE, 1, "w1", "", 100, 5000, 43, 0),
     }},
};

static unsigned long states, saw_old, saw_new, saw_partial, crash_partial;

/* One member of a group: a thread running one operation. */
struct member {
	struct tstore *s;
	const struct eng_op *op;
	TEE_Result res;
	bool finished; /* lock */
	pthread_mutex_t lock;
	pthread_t tid;
};

static void *member_main(void *arg)
{
	struct member *m = arg;
	TEE_Result res = eng_op_store(m->s, m->op);

	pthread_mutex_lock(&m->lock);
	m->res = res;
	m->finished = true;
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

static bool member_finished(struct member *m)
{
	bool f;

	pthread_mutex_lock(&m->lock);
	f = m->finished;
	pthread_mutex_unlock(&m->lock);
	return f;
}

/*
 * Runs the group's operations as one commit group: member i starts only
 * when member i-1 has queued its commit (or finished, having failed
 * before), so the backend sees the same events in the same order every
 * time, up to the group's commit record.
 */
static void run_group(struct tstore *s, const struct group *g, TEE_Result *res)
{
	struct member m[GROUP_MAX];
	size_t i;

	tstore_test_hold_groups(s, true);
	for (i = 0; i < g->n; i++) {
		uint64_t joins = tstore_test_group_joins(s);

		m[i].s = s;
		m[i].op = &g->ops[i];
		m[i].res = TEE_ERROR_GENERIC;
		m[i].finished = false;
		pthread_mutex_init(&m[i].lock, NULL);
		if (pthread_create(&m[i].tid, NULL, member_main, &m[i]))
			abort();
		while (tstore_test_group_joins(s) == joins &&
		       !member_finished(&m[i]))
			usleep(20);
	}
	tstore_test_hold_groups(s, false);
	for (i = 0; i < g->n; i++) {
		pthread_join(m[i].tid, NULL);
		res[i] = m[i].res;
		pthread_mutex_destroy(&m[i].lock);
	}
}

/* The state before plus the members in mask, in member order. */
static void subset_model(struct model *out, const struct model *before,
			 const struct group *g, unsigned mask)
{
	size_t i;

	model_copy(out, before);
	for (i = 0; i < g->n; i++)
		if (mask & (1u << i))
			eng_op_model(out, &g->ops[i]);
}

/*
 * Finds a subset of the members that, applied to before, gives the
 * store's state and contains every acknowledged member. Returns its
 * mask, or -1 (with the reason for the "all acknowledged" candidate).
 */
static int match_subset(struct tstore *s, const struct model *before,
			const struct group *g, unsigned acked, char *why,
			size_t why_len)
{
	unsigned mask, all = (1u << g->n) - 1;
	struct model m;
	char w[256];
	int found = -1;

	why[0] = '\0';
	for (mask = 0; mask <= all && found < 0; mask++) {
		if ((mask & acked) != acked)
			continue;
		subset_model(&m, before, g, mask);
		if (!eng_check(s, &m, w, sizeof(w)))
			found = (int)mask;
		else if (mask == acked)
			snprintf(why, why_len, "%s", w);
		model_free(&m);
	}
	return found;
}

/* Members whose operation succeeded (and so must be new). */
static unsigned acked_mask(const struct group *g, const TEE_Result *res)
{
	unsigned mask = 0;
	size_t i;

	for (i = 0; i < g->n; i++)
		if (res[i] == TEE_SUCCESS)
			mask |= 1u << i;
	return mask;
}

/* Members that change something when they succeed. */
static unsigned changing_mask(const struct group *g, const struct model *b)
{
	unsigned mask = 0;
	struct model m;
	size_t i;

	for (i = 0; i < g->n; i++) {
		model_copy(&m, b);
		if (eng_op_model(&m, &g->ops[i]) == TEE_SUCCESS)
			mask |= 1u << i;
		model_free(&m);
	}
	return mask;
}

static void count_outcome(int mask, unsigned changing)
{
	unsigned got = (unsigned)mask & changing;

	if (!got)
		saw_old++;
	else if (got == changing)
		saw_new++;
	else
		saw_partial++;
}

static bool probe_usable(struct tstore *s, char *why, size_t why_len)
{
	struct eng_op probe;
	TEE_Result res;

	memset(&probe, 0, sizeof(probe));
	probe.kind = OP_CREATE_OW;
	probe.ta = 2;
	eng_op_id(&probe, "probe", NULL);
	probe.len = 5000;
	res = eng_op_store(s, &probe);
	if (res)
		snprintf(why, why_len, "unusable: %s", tee_error_name(res));
	return !res;
}

static void report(const struct group *g, const char *what, uint64_t at,
		   const TEE_Result *res, const char *why)
{
	size_t i;

	fprintf(stderr, "group \"%s\" %s at event %llu: results", g->name, what,
		(unsigned long long)at);
	for (i = 0; i < g->n; i++)
		fprintf(stderr, " %s", tee_error_name(res[i]));
	fprintf(stderr, ": %s\n", why);
}

/* Power fails at event `at`; reboot, reopen, check. */
static bool crash_one(struct backend *snap, const struct group *g,
		      const struct model *before, uint64_t at,
		      enum backend_fake_mode mode, uint64_t seed)
{
	static const char *const mode_name[] = {"crash DROP", "crash KEEP",
						"crash TEAR"};
	TEE_Result res[GROUP_MAX];
	struct backend *c = NULL;
	struct tstore *s = NULL;
	char why[512] = "";
	bool ok = false;
	size_t i;
	int mask;

	for (i = 0; i < GROUP_MAX; i++)
		res[i] = TEE_ERROR_GENERIC;
	if (backend_fake_clone(snap, &c))
		return false;
	backend_fake_set_crash_at(c, at, mode, seed);
	if (!eng_open(c, &s)) {
		run_group(s, g, res);
		tstore_close(s);
		s = NULL;
	}
	if (backend_fake_reboot(c) || eng_open(c, &s)) {
		snprintf(why, sizeof(why), "reopen failed");
		goto out;
	}
	mask = match_subset(s, before, g, acked_mask(g, res), why, sizeof(why));
	if (mask < 0)
		goto out;
	count_outcome(mask, changing_mask(g, before));
	crash_partial += ((unsigned)mask & changing_mask(g, before)) &&
			 ((unsigned)mask & changing_mask(g, before)) !=
			     changing_mask(g, before);
	ok = probe_usable(s, why, sizeof(why));
out:
	if (!ok) {
		char what[64];

		snprintf(what, sizeof(what), "%s seed %llu", mode_name[mode],
			 (unsigned long long)seed);
		report(g, what, at, res, why);
	}
	tstore_close(s);
	backend_destroy(c);
	states++;
	return ok;
}

/* Event `at` fails with err, power stays on: check live, then reopened. */
static bool error_one(struct backend *snap, const struct group *g,
		      const struct model *before, uint64_t at, TEE_Result err)
{
	TEE_Result res[GROUP_MAX];
	struct backend *c = NULL;
	struct tstore *s = NULL;
	char why[512] = "";
	bool ok = false;
	struct model m;
	size_t i;
	int mask;

	for (i = 0; i < GROUP_MAX; i++)
		res[i] = TEE_ERROR_GENERIC;
	if (backend_fake_clone(snap, &c))
		return false;
	backend_fake_set_fail_at(c, at, err);
	if (eng_open(c, &s)) {
		/* The store open itself failed: nothing ran. */
		backend_fake_set_fail_at(c, 0, 0);
		if (eng_open(c, &s)) {
			snprintf(why, sizeof(why), "open failed twice");
			goto out;
		}
	} else {
		run_group(s, g, res);
	}
	mask = match_subset(s, before, g, acked_mask(g, res), why, sizeof(why));
	if (mask < 0)
		goto out;
	tstore_close(s);
	s = NULL;
	if (eng_open(c, &s)) {
		snprintf(why, sizeof(why), "reopen failed");
		goto out;
	}
	subset_model(&m, before, g, (unsigned)mask);
	ok = !eng_check(s, &m, why, sizeof(why));
	model_free(&m);
	if (ok)
		ok = probe_usable(s, why, sizeof(why));
	if (ok)
		count_outcome(mask, changing_mask(g, before));
out:
	if (!ok)
		report(g, tee_error_name(err), at, res, why);
	tstore_close(s);
	backend_destroy(c);
	states++;
	return ok;
}

/*
 * The group without a crash on be: results as the model says, one dirf.db
 * commit with two barriers for all members, the store equal to after.
 * Returns the group's events (store open and close included).
 */
static uint64_t golden_group(struct backend *be, const struct group *g,
			     struct model *after)
{
	uint64_t before = backend_fake_event_count(be);
	struct backend_fake_stats f0, f1;
	struct tstore_stats st0, st1;
	TEE_Result res[GROUP_MAX], want;
	struct tstore *s = NULL;
	unsigned applied = 0, synced = 0;
	char why[256];
	size_t i;

	if (eng_open(be, &s)) {
		CHECK(!"open");
		return 0;
	}
	tstore_get_stats(s, &st0);
	backend_fake_get_stats(be, &f0);
	run_group(s, g, res);
	backend_fake_get_stats(be, &f1);
	tstore_get_stats(s, &st1);
	for (i = 0; i < g->n; i++) {
		want = eng_op_model(after, &g->ops[i]);
		if (res[i] != want)
			fprintf(stderr,
				"group \"%s\" member %zu: %s, want %s\n",
				g->name, i, tee_error_name(res[i]),
				tee_error_name(want));
		CHECK_EQ(res[i], want);
		applied += !res[i];
		/* A member with an object file syncs it once. */
		synced += !res[i] && g->ops[i].kind != OP_RENAME &&
			  g->ops[i].kind != OP_REMOVE;
	}
	/* One dirf.db commit for all: the point of the exercise. */
	CHECK_EQ(st1.groups - st0.groups, 1);
	CHECK_EQ(st1.commits - st0.commits, applied);
	CHECK_EQ(st1.barriers - st0.barriers, 2);
	/* Object files + dirf.db twice; not one pair per member. */
	CHECK_EQ(f1.syncs - f0.syncs, synced + 2);
	CHECK(!eng_check(s, after, why, sizeof(why)));
	tstore_close(s);
	return backend_fake_event_count(be) - before;
}

static void test_group_crash_and_errors_at_every_event(void)
{
	struct backend *be = test_backend_new("fake", NULL);
	struct model before, after;
	struct tstore *s = NULL;
	unsigned long failed = 0, error_states = 0;
	size_t i;

	REQUIRE(be);
	REQUIRE(eng_open(be, &s) == 0);
	model_init(&after);
	for (i = 0; i < sizeof(setup) / sizeof(setup[0]); i++) {
		CHECK_EQ(eng_op_model(&after, &setup[i]), 0);
		CHECK_EQ(eng_op_store(s, &setup[i]), 0);
	}
	tstore_close(s);
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]) && !failed; i++) {
		const struct group *g = &groups[i];
		struct backend *snap = NULL;
		uint64_t base, n, events, seed;

		REQUIRE(backend_fake_clone(be, &snap) == 0);
		base = backend_fake_event_count(snap);
		model_copy(&before, &after);
		events = golden_group(be, g, &after);
		for (n = 1; n <= events && failed < 5; n++) {
			failed += !crash_one(snap, g, &before, base + n,
					     BACKEND_FAKE_DROP, 0);
			failed += !crash_one(snap, g, &before, base + n,
					     BACKEND_FAKE_KEEP, 0);
			for (seed = 1; seed <= TEAR_SEEDS; seed++)
				failed += !crash_one(snap, g, &before, base + n,
						     BACKEND_FAKE_TEAR, seed);
			failed += !error_one(snap, g, &before, base + n,
					     TEE_ERROR_STORAGE_NO_SPACE);
			failed += !error_one(snap, g, &before, base + n,
					     TEE_ERROR_STORAGE_NOT_AVAILABLE);
			error_states += 2;
		}
		model_free(&before);
		backend_destroy(snap);
	}
	CHECK_EQ(failed, 0);
	fprintf(stderr,
		"group commit: %lu states checked over %zu groups (%lu crash,"
		" %lu error): %lu old, %lu new, %lu partly new (%lu after a"
		" crash)\n",
		states, sizeof(groups) / sizeof(groups[0]),
		states - error_states, error_states, saw_old, saw_new,
		saw_partial, crash_partial);
	CHECK(saw_old > 0 && saw_new > 0);
	model_free(&after);
	backend_destroy(be);
}

/*
 * A backend in front of the fake that holds the first submit carrying a
 * SYNC of dirf.db (a group's barrier 1) once armed, until opened: a test
 * can look at what other threads manage to do while a group syncs.
 */
struct gate {
	struct backend be; /* first: the struct backend of this wrapper */
	struct backend *inner;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint32_t dirf_fh;
	bool have_dirf, armed, blocked, open;
};

static struct gate *to_gate(struct backend *be)
{
	return (struct gate *)be;
}

/* Notes dirf.db's handle when it is opened or created. */
static TEE_Result gate_note(struct gate *g, const char *name, uint32_t *fh,
			    TEE_Result res)
{
	if (!res && !strcmp(name, "dirf.db")) {
		pthread_mutex_lock(&g->lock);
		g->dirf_fh = *fh;
		g->have_dirf = true;
		pthread_mutex_unlock(&g->lock);
	}
	return res;
}

static TEE_Result gate_open(struct backend *be, const char *name, uint32_t *fh)
{
	return gate_note(to_gate(be), name, fh,
			 backend_open(to_gate(be)->inner, name, fh));
}

static TEE_Result gate_create(struct backend *be, const char *name,
			      uint32_t *fh)
{
	return gate_note(to_gate(be), name, fh,
			 backend_create(to_gate(be)->inner, name, fh));
}

static TEE_Result gate_close(struct backend *be, uint32_t fh)
{
	return backend_close(to_gate(be)->inner, fh);
}

static TEE_Result gate_submit(struct backend *be, struct backend_op *ops,
			      size_t n)
{
	struct gate *g = to_gate(be);
	bool hold = false;
	size_t i;

	pthread_mutex_lock(&g->lock);
	for (i = 0; g->armed && g->have_dirf && i < n; i++)
		hold |=
		    ops[i].type == BACKEND_OP_SYNC && ops[i].fh == g->dirf_fh;
	if (hold) {
		g->armed = false;
		g->blocked = true;
		pthread_cond_broadcast(&g->cond);
		while (!g->open)
			pthread_cond_wait(&g->cond, &g->lock);
	}
	pthread_mutex_unlock(&g->lock);
	return backend_submit(g->inner, ops, n);
}

static TEE_Result gate_remove(struct backend *be, const char *name)
{
	return backend_remove(to_gate(be)->inner, name);
}

static TEE_Result gate_rename(struct backend *be, const char *from,
			      const char *to, bool overwrite)
{
	return backend_rename(to_gate(be)->inner, from, to, overwrite);
}

static TEE_Result gate_list(struct backend *be, backend_list_fn fn, void *arg)
{
	return backend_list(to_gate(be)->inner, fn, arg);
}

static void gate_destroy(struct backend *be)
{
	(void)be; /* the test owns both */
}

static const struct backend_ops gate_ops = {
    .kind = "gate",
    .open = gate_open,
    .create = gate_create,
    .close = gate_close,
    .submit = gate_submit,
    .remove = gate_remove,
    .rename = gate_rename,
    .list = gate_list,
    .destroy = gate_destroy,
};

/* One call in a thread of its own, so that the test can time it out. */
struct job {
	pthread_t tid;
	struct tstore *s;
	struct tstore_obj *o;
	int what; /* 0: write o, 1: open "y", 2: enumerate */
	TEE_Result res;
	bool done; /* lock */
	pthread_mutex_t lock;
};

static void *job_main(void *arg)
{
	struct job *j = arg;
	struct tstore_obj *o = NULL;
	uint8_t id[TSTORE_ID_MAX];
	uint64_t cursor = 0;
	size_t id_len;
	TEE_Result res;

	if (j->what == 0) {
		res = tstore_write(j->o, 0, "new bytes", 9);
	} else if (j->what == 1) {
		res = tstore_open_obj(j->s, &eng_ta[1], "y", 1, &o);
		tstore_release(o);
	} else {
		res = tstore_enum_next(j->s, NULL, &cursor, NULL, id, &id_len);
	}
	pthread_mutex_lock(&j->lock);
	j->res = res;
	j->done = true;
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

static void job_start(struct job *j, struct tstore *s, struct tstore_obj *o,
		      int what)
{
	memset(j, 0, sizeof(*j));
	j->s = s;
	j->o = o;
	j->what = what;
	pthread_mutex_init(&j->lock, NULL);
	if (pthread_create(&j->tid, NULL, job_main, j))
		abort();
}

static bool job_done(struct job *j)
{
	bool d;

	pthread_mutex_lock(&j->lock);
	d = j->done;
	pthread_mutex_unlock(&j->lock);
	return d;
}

/* Polls cond() for up to 5 s. */
static bool within_5s(bool (*cond)(void *), void *arg)
{
	int i;

	for (i = 0; i < 5000 && !cond(arg); i++)
		usleep(1000);
	return cond(arg);
}

static bool job_done_cb(void *arg)
{
	return job_done(arg);
}

static bool gate_blocked_cb(void *arg)
{
	struct gate *g = arg;
	bool b;

	pthread_mutex_lock(&g->lock);
	b = g->blocked;
	pthread_mutex_unlock(&g->lock);
	return b;
}

struct joins_arg {
	struct tstore *s;
	uint64_t want;
};

static bool joins_cb(void *arg)
{
	struct joins_arg *a = arg;

	return tstore_test_group_joins(a->s) >= a->want;
}

/*
 * While a group's barrier 1 is held in the backend: an unrelated object
 * opens (dirf.db lookup + full verification), enumeration runs, and
 * another writer writes and syncs its object and queues; then all of it
 * commits.
 */
static void test_no_wait_behind_a_group_barrier(void)
{
	struct gate g = {.be = {.ops = &gate_ops}};
	struct tstore_obj *x = NULL, *w = NULL;
	struct job jx, jy, je, jw;
	struct joins_arg ja;
	struct tstore *s = NULL;
	uint8_t buf[9];
	size_t got = 0;
	static const struct tstore_head h = {.object_usage = 0xFFFFFFFF};

	g.inner = test_backend_new("fake", NULL);
	REQUIRE(g.inner);
	pthread_mutex_init(&g.lock, NULL);
	pthread_cond_init(&g.cond, NULL);
	REQUIRE(eng_open(&g.be, &s) == 0);
	REQUIRE(tstore_create(s, &eng_ta[0], "x", 1, &h, NULL, 0, "old", 3,
			      false, &x) == 0);
	REQUIRE(tstore_create(s, &eng_ta[1], "y", 1, &h, NULL, 0, "why", 3,
			      false, NULL) == 0);
	REQUIRE(tstore_create(s, &eng_ta[2], "w", 1, &h, NULL, 0, "old", 3,
			      false, &w) == 0);

	pthread_mutex_lock(&g.lock);
	g.armed = true;
	pthread_mutex_unlock(&g.lock);
	job_start(&jx, s, x, 0);
	CHECK(within_5s(gate_blocked_cb, &g));
	ja.s = s;
	ja.want = tstore_test_group_joins(s) + 1;
	job_start(&jy, s, NULL, 1);
	job_start(&je, s, NULL, 2);
	job_start(&jw, s, w, 0);
	CHECK(within_5s(job_done_cb, &jy)); /* open of y */
	CHECK(within_5s(job_done_cb, &je)); /* enumeration */
	CHECK(within_5s(joins_cb, &ja));    /* w written, synced, queued */
	CHECK(!job_done(&jx));		    /* x's group is still held */
	CHECK(!job_done(&jw));		    /* w waits for the next group */

	pthread_mutex_lock(&g.lock);
	g.open = true;
	pthread_cond_broadcast(&g.cond);
	pthread_mutex_unlock(&g.lock);
	pthread_join(jx.tid, NULL);
	pthread_join(jy.tid, NULL);
	pthread_join(je.tid, NULL);
	pthread_join(jw.tid, NULL);
	CHECK_EQ(jx.res, 0);
	CHECK_EQ(jy.res, 0);
	CHECK_EQ(je.res, 0);
	CHECK_EQ(jw.res, 0);
	CHECK(!tstore_read(w, 0, buf, sizeof(buf), &got));
	CHECK(got == 9 && !memcmp(buf, "new bytes", 9));
	tstore_release(x);
	tstore_release(w);
	tstore_close(s);
	backend_destroy(g.inner);
	pthread_mutex_destroy(&g.lock);
	pthread_cond_destroy(&g.cond);
}

int main(int argc, char **argv)
{
	const char *kind = test_backend_kind(argc, argv, "fake");

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: test_engine_group [--backend fake]\n");
		return 0;
	}
	if (!test_backend_is_fake(kind)) {
		fprintf(stderr, "group commit test needs --backend fake\n");
		return 77;
	}
	RUN(test_group_crash_and_errors_at_every_event);
	RUN(test_no_wait_behind_a_group_barrier);
	return test_report();
}
