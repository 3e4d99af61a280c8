/*
 * Exhaustive crash test (fake backend, docs/crash-model.md): for every
 * step of the mixed workload, for every backend event N of that step
 * (store open included) and every mode (DROP, KEEP, TEAR with 8 seeds):
 * branch the disk before the step (backend_fake_clone), crash at N,
 * reboot, reopen the store and check that
 *   - the store opens, with no CORRUPT_OBJECT anywhere;
 *   - it equals exactly the state before or after the step (every earlier
 *     acknowledged step is there), and the state after if the step
 *     returned success before the crash;
 *   - it is usable (a new create succeeds).
 * Prints how many crash states were checked (docs/engine.md quotes it).
 */
#include <stdlib.h>
#include <string.h>

#include "backend_fake.h"
#include "engine_util.h"
#include "tee_error.h"
#include "test.h"
#include "test_backend.h"

#define TEAR_SEEDS 8

static unsigned long states, saw_old, saw_new;

static bool crash_one(struct backend *snap, const struct eng_op *op,
		      uint64_t at, enum backend_fake_mode mode, uint64_t seed,
		      const struct model *before, const struct model *after,
		      size_t step)
{
	static const char *const mode_name[] = {"DROP", "KEEP", "TEAR"};
	struct backend *c = NULL;
	struct tstore *s = NULL;
	TEE_Result op_res = TEE_ERROR_GENERIC, res;
	char why_old[512], why_new[256];
	struct eng_op probe;
	bool ok = true;

	if (backend_fake_clone(snap, &c))
		return false;
	backend_fake_set_crash_at(c, at, mode, seed);
	if (!eng_open(c, &s)) {
		op_res = eng_op_store(s, op);
		tstore_close(s);
		s = NULL;
	}
	backend_fake_reboot(c);
	res = eng_open(c, &s);
	if (res) {
		snprintf(why_old, sizeof(why_old), "reopen: %s",
			 tee_error_name(res));
		ok = false;
		goto out;
	}
	if (op_res == TEE_SUCCESS) {
		ok = !eng_check(s, after, why_new, sizeof(why_new));
		snprintf(why_old, sizeof(why_old), "acknowledged, not new: %s",
			 why_new);
		saw_new += ok;
	} else if (!eng_check(s, before, why_old, sizeof(why_old))) {
		saw_old++;
	} else if (!eng_check(s, after, why_new, sizeof(why_new))) {
		saw_new++;
	} else {
		ok = false;
	}
	if (ok) {
		memset(&probe, 0, sizeof(probe));
		probe.kind = OP_CREATE_OW;
		probe.ta = 2;
		eng_op_id(&probe, "probe", NULL);
		probe.len = 5000;
		res = eng_op_store(s, &probe);
		if (res) {
			snprintf(why_old, sizeof(why_old), "unusable: %s",
				 tee_error_name(res));
			ok = false;
		}
	}
out:
	if (!ok)
		fprintf(stderr,
			"step %zu (%s) event %llu %s seed %llu: op %s; old: %s;"
			" new: %s\n",
			step, eng_op_name(op->kind), (unsigned long long)at,
			mode_name[mode], (unsigned long long)seed,
			tee_error_name(op_res), why_old, why_new);
	tstore_close(s);
	backend_destroy(c);
	states++;
	return ok;
}

/* Runs one step on be without a crash; returns its events. */
static uint64_t golden_step(struct backend *be, const struct eng_op *op,
			    struct model *m, size_t step)
{
	uint64_t before = backend_fake_event_count(be);
	struct tstore *s = NULL;
	TEE_Result want = eng_op_model(m, op), got = TEE_ERROR_GENERIC;
	char why[256];

	if (!eng_open(be, &s)) {
		got = eng_op_store(s, op);
		CHECK(!eng_check(s, m, why, sizeof(why)));
		tstore_close(s);
	}
	if (got != want)
		fprintf(stderr, "step %zu: %s, want %s\n", step,
			tee_error_name(got), tee_error_name(want));
	CHECK_EQ(got, want);
	return backend_fake_event_count(be) - before;
}

static void test_crash_at_every_event(void)
{
	const struct eng_op *ops;
	size_t nsteps = eng_workload(&ops), i;
	struct backend *be = test_backend_new("fake", NULL);
	struct model before, after;
	struct tstore *s = NULL;
	unsigned long failed = 0;

	REQUIRE(be);
	REQUIRE(eng_open(be, &s) == 0);
	tstore_close(s);
	model_init(&after);
	for (i = 0; i < nsteps && !failed; i++) {
		struct backend *snap = NULL;
		uint64_t base, n, events;

		REQUIRE(backend_fake_clone(be, &snap) == 0);
		base = backend_fake_event_count(snap);
		model_copy(&before, &after);
		events = golden_step(be, &ops[i], &after, i);
		for (n = 1; n <= events && failed < 5; n++) {
			uint64_t seed;

			failed += !crash_one(snap, &ops[i], base + n,
					     BACKEND_FAKE_DROP, 0, &before,
					     &after, i);
			failed += !crash_one(snap, &ops[i], base + n,
					     BACKEND_FAKE_KEEP, 0, &before,
					     &after, i);
			for (seed = 1; seed <= TEAR_SEEDS; seed++)
				failed += !crash_one(snap, &ops[i], base + n,
						     BACKEND_FAKE_TEAR, seed,
						     &before, &after, i);
		}
		model_free(&before);
		backend_destroy(snap);
	}
	CHECK_EQ(failed, 0);
	fprintf(stderr,
		"crash: %lu crash states checked over %zu steps "
		"(%lu old state, %lu new state)\n",
		states, nsteps, saw_old, saw_new);
	CHECK(saw_old > 0 && saw_new > 0);
	model_free(&after);
	backend_destroy(be);
}

int main(int argc, char **argv)
{
	const char *kind = test_backend_kind(argc, argv, "fake");

	if (!test_backend_is_fake(kind)) {
		fprintf(stderr, "crash test needs --backend fake\n");
		return 77;
	}
	RUN(test_crash_at_every_event);
	return test_report();
}
