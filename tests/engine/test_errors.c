/*
 * Error injection (fake backend): for every step of the mixed workload
 * and every backend event N of the step, event N fails with
 * STORAGE_NO_SPACE, then with STORAGE_NOT_AVAILABLE (the failing event
 * has no effect; later ones run). Then:
 *   - the step returns that error, or succeeds if the event came after
 *     its commit (removing an obsolete file);
 *   - the same store, without reopening, shows the old state (or the new
 *     one if the failure hit the commit record's barrier: outcome
 *     unknown), with no CORRUPT_OBJECT;
 *   - it stays usable: retrying the step gives the new state, which
 *     survives a reopen.
 * A full disk (capacity) is checked the same way at a few sizes.
 */
#include <stdlib.h>
#include <string.h>

#include "backend_fake.h"
#include "engine_util.h"
#include "tee_error.h"
#include "test.h"
#include "test_backend.h"

static unsigned long runs, errors_seen, unknown_new;

static bool settle(struct tstore *s, const struct eng_op *op, TEE_Result op_res,
		   TEE_Result err, const struct model *before,
		   const struct model *after, char *why, size_t why_len)
{
	char tmp[256];
	TEE_Result res;

	if (op_res == TEE_SUCCESS)
		return !eng_check(s, after, why, why_len);
	if (op_res != err) {
		snprintf(why, why_len, "op returned %s",
			 tee_error_name(op_res));
		return false;
	}
	errors_seen++;
	if (!eng_check(s, before, tmp, sizeof(tmp))) {
		/* Usable: the retry goes through. */
		res = eng_op_store(s, op);
		if (res) {
			snprintf(why, why_len, "retry: %s",
				 tee_error_name(res));
			return false;
		}
	} else if (!eng_check(s, after, why, why_len)) {
		unknown_new++;
	} else {
		snprintf(why + strlen(why), why_len - strlen(why), " (old: %s)",
			 tmp);
		return false;
	}
	return !eng_check(s, after, why, why_len);
}

static bool fail_one(struct backend *snap, const struct eng_op *op, uint64_t n,
		     TEE_Result err, const struct model *before,
		     const struct model *after, size_t step)
{
	struct backend *c = NULL;
	struct tstore *s = NULL;
	TEE_Result op_res = TEE_ERROR_GENERIC;
	char why[512] = "";
	bool ok;

	if (backend_fake_clone(snap, &c))
		return false;
	ok = !eng_open(c, &s);
	if (ok) {
		backend_fake_set_fail_at(c, backend_fake_event_count(c) + n,
					 err);
		op_res = eng_op_store(s, op);
		backend_fake_set_fail_at(c, 0, 0);
		ok =
		    settle(s, op, op_res, err, before, after, why, sizeof(why));
		tstore_close(s);
		s = NULL;
	}
	/* And after a restart. */
	if (ok && (eng_open(c, &s) || eng_check(s, after, why, sizeof(why))))
		ok = false;
	if (!ok)
		fprintf(stderr, "step %zu (%s) fail event %llu with %s: %s\n",
			step, eng_op_name(op->kind), (unsigned long long)n,
			tee_error_name(err), why);
	tstore_close(s);
	backend_destroy(c);
	runs++;
	return ok;
}

static uint64_t step_events(struct backend *be, const struct eng_op *op,
			    struct model *m)
{
	struct tstore *s = NULL;
	uint64_t before;
	TEE_Result want = eng_op_model(m, op), got = TEE_ERROR_GENERIC;

	if (eng_open(be, &s))
		return 0;
	before = backend_fake_event_count(be);
	got = eng_op_store(s, op);
	CHECK_EQ(got, want);
	tstore_close(s);
	return backend_fake_event_count(be) - before;
}

static void test_fail_every_event(void)
{
	const struct eng_op *ops;
	size_t nsteps = eng_workload(&ops), i;
	struct backend *be = test_backend_new("fake", NULL);
	struct model before, after;
	unsigned long failed = 0;

	REQUIRE(be);
	model_init(&after);
	for (i = 0; i < nsteps && !failed; i++) {
		struct backend *snap = NULL;
		uint64_t n, events;

		REQUIRE(backend_fake_clone(be, &snap) == 0);
		model_copy(&before, &after);
		events = step_events(be, &ops[i], &after);
		CHECK(events > 0);
		for (n = 1; n <= events && failed < 5; n++) {
			failed += !fail_one(snap, &ops[i], n,
					    TEE_ERROR_STORAGE_NO_SPACE, &before,
					    &after, i);
			failed += !fail_one(snap, &ops[i], n,
					    TEE_ERROR_STORAGE_NOT_AVAILABLE,
					    &before, &after, i);
		}
		model_free(&before);
		backend_destroy(snap);
	}
	CHECK_EQ(failed, 0);
	CHECK(errors_seen > 0);
	fprintf(stderr,
		"errors: %lu injected failures (%lu returned the error, %lu "
		"unknown outcomes that had committed)\n",
		runs, errors_seen, unknown_new);
	model_free(&after);
	backend_destroy(be);
}

/* A full disk: creates fail cleanly, the store stays usable. */
static void test_full_disk(void)
{
	struct backend *be = test_backend_new("fake", NULL);
	struct tstore *s = NULL;
	struct model m;
	struct eng_op op;
	char why[256];
	int i, full = 0;

	REQUIRE(be && eng_open(be, &s) == 0);
	model_init(&m);
	backend_fake_set_capacity(be, 400000);
	memset(&op, 0, sizeof(op));
	op.kind = OP_CREATE;
	op.ta = 1;
	op.len = 30000;
	for (i = 0; i < 40; i++) {
		char id[8];
		TEE_Result res;

		snprintf(id, sizeof(id), "f%d", i);
		eng_op_id(&op, id, NULL);
		op.seed = (uint64_t)i;
		res = eng_op_store(s, &op);
		if (res == TEE_ERROR_STORAGE_NO_SPACE) {
			full++;
			continue;
		}
		CHECK_EQ(res, 0);
		if (!res)
			eng_op_model(&m, &op);
	}
	CHECK(full > 0);
	CHECK(!eng_check(s, &m, why, sizeof(why)));
	/* Room again: the store goes on. */
	backend_fake_set_capacity(be, 0);
	eng_op_id(&op, "after", NULL);
	CHECK_EQ(eng_op_store(s, &op), 0);
	eng_op_model(&m, &op);
	tstore_close(s);
	REQUIRE(eng_open(be, &s) == 0);
	CHECK(!eng_check(s, &m, why, sizeof(why)));
	tstore_close(s);
	model_free(&m);
	backend_destroy(be);
}

int main(int argc, char **argv)
{
	const char *kind = test_backend_kind(argc, argv, "fake");

	if (!test_backend_is_fake(kind)) {
		fprintf(stderr, "error injection needs --backend fake\n");
		return 77;
	}
	RUN(test_fail_every_event);
	RUN(test_full_disk);
	return test_report();
}
