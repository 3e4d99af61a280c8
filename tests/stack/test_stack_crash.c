/*
 * Whole-stack crash test (docs/gp-storage.md, "Whole-stack tests"): a
 * libteec client runs a deterministic GP storage workload (stack_model.h)
 * against the storage test TA through teed and tee-supplicant, and
 * reports every acknowledged step on a pipe. At a random moment (seeded:
 * after a random number of acknowledged steps plus a random delay) the
 * driver SIGKILLs teed, the supplicant or both, restarts what it killed on
 * the same state, and checks through the TA that the whole store is
 * exactly the state after the last acknowledged step k, or after k + 1
 * (the step in flight), and that nothing else is listed. The next round
 * goes on from the state found.
 *
 * When only the supplicant dies, teed must survive and the call in flight
 * must fail with TEE_ERROR_STORAGE_NOT_AVAILABLE (no hang, no other
 * code); the new supplicant then serves the same teed.
 *
 * SIGKILL of processes is not power loss: the page cache survives, so
 * every write(2) the supplicant finished is kept. That is what this test
 * covers (process deaths at any point of the protocol, teed and the
 * supplicant restarting independently). Power loss (un-synced writes lost
 * or torn) is covered by the engine's crash tests over the fake backend
 * (test_engine_crash, docs/engine.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stack_client.h"
#include "stack_env.h"
#include "stack_model.h"
#include "test.h"

#define ACK_WAIT_MS    20000 /* a step slower than this is a hang */
#define CLIENT_EXIT_MS 30000

static struct {
	const char *teed, *suppl, *ta_dir;
	unsigned rounds;
	uint64_t seed;
} opt = {.rounds = 30, .seed = 1};

enum victim { V_TEED, V_SUPPL, V_BOTH };
static const char *victim_name[] = {"teed", "supplicant", "both"};

struct round_result {
	uint32_t last_ack; /* 0 if none in this round (see have_ack) */
	bool have_ack;
	bool have_error;
	uint32_t error;
	int client_status;
};

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	return (uint32_t)(test_rand(&rng_state) % n);
}

static pid_t fork_client(uint64_t seed, uint32_t from, int *rfd)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		signal(SIGPIPE, SIG_IGN);
		stack_client_run(seed, from, p[1]);
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

/* Reads one record; 1 read, 0 EOF or timeout (*timeout set). */
static int read_rec(int fd, struct stack_rec *r, int ms, bool *timeout)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	ssize_t n;

	*timeout = false;
	if (ms >= 0 && poll(&pfd, 1, ms) == 0) {
		*timeout = true;
		return 0;
	}
	n = read(fd, r, sizeof(*r));
	return n == (ssize_t)sizeof(*r);
}

static void note(struct round_result *rr, const struct stack_rec *r)
{
	if (r->type == STACK_REC_ACK) {
		rr->last_ack = r->value;
		rr->have_ack = true;
	} else {
		rr->have_error = true;
		rr->error = r->value;
	}
}

static int kill_victim(struct stack_env *e, enum victim v)
{
	if (v == V_BOTH) { /* both at once, then reap */
		kill(e->suppl, SIGKILL);
		kill(e->teed, SIGKILL);
	}
	if (v != V_TEED)
		stack_kill(&e->suppl, SIGKILL);
	if (v != V_SUPPL)
		stack_kill(&e->teed, SIGKILL);
	return 0;
}

static int run_check(uint64_t seed, uint32_t k)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		stack_client_check(seed, k);
	st = stack_wait_child(pid, 60000);
	if (st == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static unsigned stats[3][2]; /* [victim][old/new] */
static unsigned steps_total;

/* One round; false stops the test. *n: the state's step, updated. */
static bool one_round(struct stack_env *e, unsigned round, uint32_t *n)
{
	struct round_result rr = {0};
	enum victim v = (enum victim)rnd(3);
	unsigned target = 1 + rnd(12), delay_us = rnd(6000), acks = 0;
	struct stack_rec r;
	bool timeout;
	int fd, st, res;
	pid_t cl;

	if (stack_start(e)) {
		CHECK(!"stack starts");
		return false;
	}
	cl = fork_client(opt.seed, *n, &fd);
	if (cl < 0) {
		CHECK(cl > 0);
		return false;
	}
	while (acks < target && read_rec(fd, &r, ACK_WAIT_MS, &timeout)) {
		note(&rr, &r);
		acks += r.type == STACK_REC_ACK;
	}
	CHECK(!timeout);
	usleep(delay_us);
	kill_victim(e, v);
	st = stack_wait_child(cl, CLIENT_EXIT_MS);
	if (st == -1) {
		fprintf(stderr, "round %u: the client hangs after %s died\n",
			round, victim_name[v]);
		CHECK(st != -1);
		kill(cl, SIGKILL);
		waitpid(cl, &st, 0);
	}
	while (read_rec(fd, &r, -1, &timeout))
		note(&rr, &r);
	close(fd);
	if (v == V_SUPPL) {
		/* teed lives on; the call in flight fails cleanly */
		CHECK(stack_alive(&e->teed));
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 2);
		CHECK(rr.have_error);
		if (rr.error != TEEC_ERROR_STORAGE_NOT_AVAILABLE)
			fprintf(stderr,
				"round %u: supplicant killed: the call got "
				"0x%08x\n",
				round, rr.error);
		CHECK_EQ(rr.error, TEEC_ERROR_STORAGE_NOT_AVAILABLE);
	}
	if (stack_start(e)) {
		CHECK(!"stack restarts");
		return false;
	}
	if (!rr.have_ack)
		rr.last_ack = *n;
	res = run_check(opt.seed, rr.last_ack);
	fprintf(stderr,
		"round %2u: killed %-10s after %u acks + %4u us: steps "
		"%u..%u acked, store is %s\n",
		round, victim_name[v], acks, delay_us, *n, rr.last_ack,
		res == STACK_CHECK_OLD	 ? "old (last acked)"
		: res == STACK_CHECK_NEW ? "new (step in flight done)"
					 : "WRONG");
	CHECK(res == STACK_CHECK_OLD || res == STACK_CHECK_NEW);
	if (res != STACK_CHECK_OLD && res != STACK_CHECK_NEW)
		return false;
	stats[v][res]++;
	steps_total += rr.last_ack - *n;
	*n = rr.last_ack + (res == STACK_CHECK_NEW);
	return true;
}

static void test_crash_rounds(void)
{
	struct stack_env e;
	uint32_t n = 0;
	unsigned i;
	int res;

	rng_state = opt.seed;
	REQUIRE(stack_env_init(&e, opt.teed, opt.suppl, opt.ta_dir,
			       "stack-crash") == 0);
	for (i = 0; i < opt.rounds; i++)
		if (!one_round(&e, i, &n))
			break;
	/* a clean restart still shows the last state */
	if (i == opt.rounds) {
		CHECK(stack_stop(&e));
		REQUIRE(stack_start(&e) == 0);
		res = run_check(opt.seed, n);
		CHECK_EQ(res, STACK_CHECK_OLD);
	}
	fprintf(stderr,
		"%u rounds, %u steps acknowledged (state %u); old/new: teed "
		"%u/%u, supplicant %u/%u, both %u/%u\n",
		i, steps_total, n, stats[0][0], stats[0][1], stats[1][0],
		stats[1][1], stats[2][0], stats[2][1]);
	/* the rounds must have made progress to mean anything */
	CHECK(steps_total >= opt.rounds);
	stack_env_fini(&e);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: test_stack_crash TEED TEE-SUPPLICANT TA_DIR "
		"[--rounds N] [--seed S]\n"
		"Kills teed and/or tee-supplicant at random moments of a GP "
		"storage workload\nrun through the storage test TA, restarts "
		"them and checks old-or-new and\nacknowledged durability "
		"(docs/gp-storage.md, \"Whole-stack tests\").\n"
		"  --rounds N  kill/restart rounds (default 30)\n"
		"  --seed S    workload and kill schedule (default 1)\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {{"rounds", 1, NULL, 'r'},
					   {"seed", 1, NULL, 's'},
					   {"help", 0, NULL, 'h'},
					   {NULL, 0, NULL, 0}};
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'r':
			opt.rounds = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 's':
			opt.seed = strtoull(optarg, NULL, 0);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 3 || !opt.rounds) {
		usage(stderr);
		return 2;
	}
	opt.teed = argv[optind];
	opt.suppl = argv[optind + 1];
	opt.ta_dir = argv[optind + 2];
	signal(SIGPIPE, SIG_IGN);
	RUN(test_crash_rounds);
	return test_report();
}
