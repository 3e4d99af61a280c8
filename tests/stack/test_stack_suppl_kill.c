/*
 * tee-supplicant killed while a TA's storage call is in flight (docs/
 * gp-storage.md, "Whole-stack tests"). The supplicant is stopped
 * (SIGSTOP), the call is started from a thread and is seen to wait, then
 * the supplicant is SIGKILLed: so the call is certainly in flight when it
 * dies. The call must fail with TEE_ERROR_STORAGE_NOT_AVAILABLE, promptly;
 * teed must live on; calls without a supplicant fail the same way (no
 * hang); once a new supplicant attaches, the same session and the handle
 * opened before work again, the object is old or new, and a new session
 * works too. The last case leaves the supplicant stopped instead: teed's
 * answer timeout (TEESTORE_SUPPL_TIMEOUT_MS, 1.5 s here) cuts it off, and
 * after SIGCONT it reconnects by itself.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stack_env.h"
#include "stack_ta.h"
#include "tee_api_defines.h"
#include "test.h"

#define RW		 (TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE)
#define OLD_SIZE	 1000
#define OLD_SEED	 11
#define BIG		 (256 * 1024)
#define SUPPL_TIMEOUT_MS 1500
#define PROMPT_MS	 5000 /* "not a hang" */
#define REATTACH_MS	 15000

static struct stack_env env;
static uint8_t big[BIG], back[BIG + 1];

enum op { OP_WRITE, OP_CREATE, OP_DELETE };
static const char *op_name[] = {"write", "create-overwrite", "delete"};

struct inflight {
	struct st_sess *s;
	enum op op;
	uint32_t h;
	TEEC_Result res;
	atomic_bool done;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *do_op(void *arg)
{
	struct inflight *f = arg;

	switch (f->op) {
	case OP_WRITE:
		f->res = st_write(f->s, f->h, big, BIG);
		break;
	case OP_CREATE:
		f->res = st_create(f->s, "victim", RW | TEE_DATA_FLAG_OVERWRITE,
				   BIG, 99);
		break;
	case OP_DELETE:
		f->res = st_delete(f->s, f->h);
		break;
	}
	atomic_store(&f->done, true);
	return NULL;
}

/* Waits for the thread; false if it is still in the call after ms. */
static bool join_within(pthread_t t, struct inflight *f, unsigned ms)
{
	uint64_t until = now_ms() + ms;

	while (!atomic_load(&f->done) && now_ms() < until)
		stack_sleep_ms(5);
	if (!atomic_load(&f->done))
		return false;
	pthread_join(t, NULL);
	return true;
}

/* The object is `victim` as before the call (old) or as after it. */
static int victim_state(struct st_sess *s, uint32_t h)
{
	size_t n = 0, i;
	bool old = true, new = true;

	if (st_seek(s, h, 0) || st_read(s, h, back, sizeof(back), &n))
		return -1;
	for (i = 0; i < n; i++) {
		old = old && i < OLD_SIZE && back[i] == st_pattern(i, OLD_SEED);
		new = new &&back[i] == st_pattern(i, 99);
	}
	if (n == OLD_SIZE && old)
		return 0;
	if (n == BIG && new)
		return 1;
	return -1;
}

/* Opens victim again once a supplicant serves; its result. */
static TEEC_Result reopen_victim(struct st_sess *s, uint32_t *h)
{
	uint64_t t0 = now_ms();
	TEEC_Result res;

	for (;;) {
		res = st_open_obj(s, "victim", RW, h);
		if (res != TEEC_ERROR_STORAGE_NOT_AVAILABLE ||
		    now_ms() - t0 > REATTACH_MS)
			return res;
		stack_sleep_ms(50);
	}
}

/* After the new supplicant: the same session works, victim is old or new
 * (or, for a delete, old or gone). */
static void check_recovered(struct st_sess *s, enum op op, uint32_t h)
{
	uint64_t t0 = now_ms();
	TEEC_Result res;
	int st = -1;

	if (op == OP_WRITE) { /* through the handle opened before */
		do {
			st = victim_state(s, h);
			if (st < 0)
				stack_sleep_ms(50);
		} while (st < 0 && now_ms() - t0 < REATTACH_MS);
	} else {
		res = reopen_victim(s, &h);
		if (op == OP_DELETE && res == TEEC_ERROR_ITEM_NOT_FOUND) {
			fprintf(stderr, "after the new supplicant: victim "
					"deleted\n");
			CHECK_EQ(st_create(s, "victim", RW, OLD_SIZE, OLD_SEED),
				 TEEC_SUCCESS);
			res = reopen_victim(s, &h);
			CHECK_EQ(res, TEEC_SUCCESS);
			st = 0;
		} else {
			CHECK_EQ(res, TEEC_SUCCESS);
			st = res ? -1 : victim_state(s, h);
		}
	}
	fprintf(stderr, "after the new supplicant: victim is %s\n",
		st == 0	  ? "old"
		: st == 1 ? "new"
			  : "WRONG");
	CHECK(st == 0 || (st == 1 && op != OP_DELETE));
	/* and writing through the handle works */
	CHECK_EQ(st_seek(s, h, 0), TEEC_SUCCESS);
	CHECK_EQ(st_write(s, h, big, BIG), TEEC_SUCCESS);
	CHECK_EQ(victim_state(s, h), 1);
	st_close_obj(s, h);
}

static void run_case(enum op op, bool hang)
{
	struct st_sess s, s2;
	struct inflight f = {.s = &s, .op = op};
	TEEC_Result res;
	pthread_t t;
	uint64_t t0;
	size_t n;
	uint32_t h = 0, h2 = 0;
	char other[32];

	/* a fresh ID: its creation needs the supplicant */
	snprintf(other, sizeof(other), "other-%d-%d", (int)op, (int)hang);
	fprintf(stderr, "-- %s in flight, supplicant %s\n", op_name[op],
		hang ? "hung" : "killed");
	REQUIRE(stack_start(&env) == 0);
	REQUIRE(st_open(&s) == TEEC_SUCCESS);
	REQUIRE(st_create(&s, "victim", RW | TEE_DATA_FLAG_OVERWRITE, OLD_SIZE,
			  OLD_SEED) == TEEC_SUCCESS);
	if (op != OP_CREATE)
		REQUIRE(st_open_obj(&s, "victim",
				    RW | TEE_DATA_FLAG_ACCESS_WRITE_META,
				    &h) == TEEC_SUCCESS);
	f.h = h;
	for (n = 0; n < BIG; n++)
		big[n] = st_pattern(n, 99);

	/* the call waits on the stopped supplicant ... */
	REQUIRE(kill(env.suppl, SIGSTOP) == 0);
	REQUIRE(pthread_create(&t, NULL, do_op, &f) == 0);
	stack_sleep_ms(300);
	CHECK(!atomic_load(&f.done));
	/* ... when it dies (or teed gives up on it) */
	t0 = now_ms();
	if (!hang)
		stack_kill(&env.suppl, SIGKILL);
	if (!join_within(t, &f,
			 hang ? SUPPL_TIMEOUT_MS + PROMPT_MS : PROMPT_MS)) {
		fprintf(stderr, "the call hangs\n");
		CHECK(!"the call returns");
		if (hang)
			kill(env.suppl, SIGCONT);
		stack_kill(&env.suppl, SIGKILL);
		REQUIRE(join_within(t, &f, 60000));
	}
	fprintf(stderr, "the call returned 0x%08x after %u ms\n", f.res,
		(unsigned)(now_ms() - t0));
	CHECK_EQ(f.res, TEEC_ERROR_STORAGE_NOT_AVAILABLE);
	CHECK(stack_alive(&env.teed));

	if (hang) {
		/* cut off: the woken supplicant reconnects by itself */
		kill(env.suppl, SIGCONT);
	} else {
		/* no supplicant: calls fail promptly, the same way */
		t0 = now_ms();
		if (op == OP_WRITE) {
			CHECK_EQ(st_seek(&s, h, 0), TEEC_SUCCESS);
			CHECK_EQ(st_write(&s, h, big, 100),
				 TEEC_ERROR_STORAGE_NOT_AVAILABLE);
		}
		CHECK_EQ(st_create(&s, other, RW, 10, 1),
			 TEEC_ERROR_STORAGE_NOT_AVAILABLE);
		CHECK(now_ms() - t0 < PROMPT_MS);
		REQUIRE(stack_start_suppl(&env) == 0);
	}
	check_recovered(&s, op, h);
	CHECK_EQ(st_create(&s, other, RW, 10, 1), TEEC_SUCCESS);
	/* a new session sees the same */
	REQUIRE(st_open(&s2) == TEEC_SUCCESS);
	res = st_open_obj(&s2, "victim", TEE_DATA_FLAG_ACCESS_READ, &h2);
	CHECK_EQ(res, TEEC_SUCCESS);
	if (!res) {
		CHECK_EQ(victim_state(&s2, h2), 1);
		st_close_obj(&s2, h2);
	}
	st_close(&s2);
	st_close(&s);
	CHECK(stack_alive(&env.teed));
}

static void test_write_killed(void)
{
	run_case(OP_WRITE, false);
}

static void test_create_killed(void)
{
	run_case(OP_CREATE, false);
}

static void test_delete_killed(void)
{
	run_case(OP_DELETE, false);
}

static void test_write_hung(void)
{
	run_case(OP_WRITE, true);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: test_stack_suppl_kill TEED TEE-SUPPLICANT TA_DIR\n"
		   "Kills (or hangs) tee-supplicant while a TA storage call "
		   "is in flight and\nchecks the call fails with "
		   "STORAGE_NOT_AVAILABLE, teed survives and storage\nworks "
		   "again through the same session with a new supplicant.\n");
}

int main(int argc, char **argv)
{
	char ms[16];
	int rc;

	if (argc == 2 && !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (argc != 4) {
		usage(stderr);
		return 2;
	}
	snprintf(ms, sizeof(ms), "%d", SUPPL_TIMEOUT_MS);
	setenv("TEESTORE_SUPPL_TIMEOUT_MS", ms, 1); /* for teed */
	if (stack_env_init(&env, argv[1], argv[2], argv[3], "stack-suppl")) {
		fprintf(stderr, "cannot make the test's directories\n");
		return 2;
	}
	RUN(test_write_killed);
	RUN(test_create_killed);
	RUN(test_delete_killed);
	RUN(test_write_hung);
	rc = test_report();
	CHECK(stack_stop(&env));
	stack_env_fini(&env);
	return rc || test_failures;
}
