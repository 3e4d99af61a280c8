/*
 * tee-supplicant killed (SIGKILL) in the middle of the engine's work, over
 * the real RPC: teed's side survives and reports STORAGE_NOT_AVAILABLE (or
 * COMMUNICATION), and after a new supplicant attaches the store reopens
 * with no CORRUPT_OBJECT and holds exactly the state before or after the
 * interrupted operation (every acknowledged one included).
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "engine_util.h"
#include "suppl_harness.h"
#include "tee_error.h"
#include "test.h"

#define ROUNDS 12

struct killer {
	struct harness *h;
	int delay_us;
	pthread_t thread;
};

static void *killer_main(void *arg)
{
	struct killer *k = arg;

	usleep((useconds_t)k->delay_us);
	kill(k->h->pid, SIGKILL);
	return NULL;
}

/* model_copy() over a model that may hold data. */
static void model_set(struct model *dst, const struct model *src)
{
	model_free(dst);
	model_copy(dst, src);
}

static bool interrupted(TEE_Result res)
{
	return res == TEE_ERROR_STORAGE_NOT_AVAILABLE ||
	       res == TEE_ERROR_COMMUNICATION;
}

/*
 * Runs workload steps from *step on until the supplicant dies; the model
 * follows every acknowledged step. Returns the interrupted step's index.
 */
static size_t run_until_killed(struct tstore *s, struct model *m, size_t *step,
			       struct model *after)
{
	const struct eng_op *ops;
	size_t n = eng_workload(&ops), i;

	for (i = 0; i < 100000; i++) {
		const struct eng_op *op = &ops[(*step)++ % n];
		TEE_Result want, res;

		model_set(after, m);
		want = eng_op_model(after, op);
		res = eng_op_store(s, op);
		if (interrupted(res))
			return i;
		CHECK_EQ(res, want);
		model_set(m, after);
	}
	return i;
}

static void test_kill_mid_operation_consistent(void)
{
	struct model before, after;
	struct harness h;
	struct backend *be;
	struct tstore *s = NULL;
	uint64_t rng = 42;
	size_t step = 0, r;
	unsigned saw_old = 0, saw_new = 0;
	char why[256], why2[256];

	model_init(&before);
	model_init(&after);
	REQUIRE(harness_start(&h, "suppl-kill", NULL) == 0);
	be = suppl_link_backend(h.link);
	for (r = 0; r < ROUNDS; r++) {
		struct killer k = {.h = &h};

		REQUIRE(eng_open(be, &s) == TEE_SUCCESS);
		k.delay_us = 1000 + (int)(test_rand(&rng) % 30000);
		REQUIRE(pthread_create(&k.thread, NULL, killer_main, &k) == 0);
		run_until_killed(s, &before, &step, &after);
		pthread_join(k.thread, NULL);
		harness_kill(&h, SIGKILL); /* reap it */
		/* teed's side goes on, reporting the missing supplicant. */
		CHECK_EQ(eng_check(s, &before, why, sizeof(why)),
			 TEE_ERROR_STORAGE_NOT_AVAILABLE);
		tstore_close(s);
		REQUIRE(harness_spawn(&h) == 0);
		REQUIRE(eng_open(be, &s) == TEE_SUCCESS);
		if (eng_check(s, &before, why, sizeof(why)) == TEE_SUCCESS) {
			saw_old++;
		} else if (eng_check(s, &after, why2, sizeof(why2)) ==
			   TEE_SUCCESS) {
			saw_new++;
			model_set(&before, &after);
		} else {
			CHECK(!"neither the old nor the new state");
			fprintf(stderr, "round %zu: old: %s; new: %s\n", r, why,
				why2);
		}
		tstore_close(s);
		s = NULL;
	}
	fprintf(stderr, "%d rounds: %u old state, %u new state\n", ROUNDS,
		saw_old, saw_new);
	harness_stop(&h);
	model_free(&before);
	model_free(&after);
}

int main(void)
{
	RUN(test_kill_mid_operation_consistent);
	return test_report();
}
