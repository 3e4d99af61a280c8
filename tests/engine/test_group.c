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
	return test_report();
}
