/*
 * Whole-stack crash test (docs/gp-storage.md, "Whole-stack tests"): a
 * libteec client runs a deterministic GP storage workload (stack_model.h)
 * against the storage test TA through teed and tee-supplicant, and
 * reports every acknowledged step on a pipe. At a random moment (seeded:
 * after 0-12 acknowledged steps plus a 0-6 ms delay; 0 steps also hits
 * teed's store bring-up and the session opening) the
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
#define MAX_CLIENTS    2 /* workloads in parallel: TA a, TA b */

static struct {
	const char *teed, *suppl, *ta_dir;
	unsigned rounds;
	uint64_t seed;
	int clients;
	const char *tmpfs; /* size of a tmpfs under the supplicant */
	int hang_ms;	   /* V_HANG rounds with this answer timeout */
} opt = {.rounds = 30, .seed = 1, .clients = 1};

/* V_HANG: the supplicant is stopped until teed's answer timeout cuts it
 * off, then woken (it may still carry out what it had received). */
enum victim { V_TEED, V_SUPPL, V_BOTH, V_HANG };
static const char *victim_name[] = {"teed", "supplicant", "both", "hang"};

struct round_result {
	uint32_t last_ack; /* 0 if none in this round (see have_ack) */
	bool have_ack;
	bool have_error, open_error;
	uint32_t error;
	int client_status;
};

static uint64_t rng_state;
static bool skipped; /* no tmpfs allowed */

static uint32_t rnd(uint32_t n)
{
	return (uint32_t)(test_rand(&rng_state) % n);
}

static pid_t fork_client(uint64_t seed, uint32_t from, int ta,
			 struct sm_skip *skip, int *rfd)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		signal(SIGPIPE, SIG_IGN);
		stack_client_run(seed, from, ta, skip, p[1]);
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

static struct sm_skip skips[MAX_CLIENTS]; /* steps that hit NO_SPACE */
static unsigned nospace_steps;

static struct sm_skip *skip_of(int c)
{
	return opt.tmpfs ? &skips[c] : NULL;
}

static void note(struct round_result *rr, const struct stack_rec *r, int c)
{
	if (r->type == STACK_REC_ACK || r->type == STACK_REC_NOSPACE) {
		rr->last_ack = r->value;
		rr->have_ack = true;
		if (r->type == STACK_REC_NOSPACE && skip_of(c)) {
			sm_skip_set(skip_of(c), r->value);
			nospace_steps++;
		}
	} else {
		rr->have_error = true;
		rr->open_error = r->type == STACK_REC_OPEN_ERROR;
		rr->error = r->value;
	}
}

static int kill_victim(struct stack_env *e, enum victim v)
{
	if (v == V_HANG)
		return kill(e->suppl, SIGSTOP);
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

static int run_check(uint64_t seed, uint32_t k, int ta,
		     const struct sm_skip *skip)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		stack_client_check(seed, k, ta, skip);
	st = stack_wait_child(pid, 60000);
	if (st == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static unsigned stats[4][2]; /* [victim][old/new] */
static unsigned steps_total;

struct client {
	pid_t pid;
	int fd;
	bool eof;
	int status;
	struct round_result rr;
};

static uint64_t client_seed(int c)
{
	return opt.seed + (uint64_t)c * 1000003;
}

/* Reads the records that are there, waiting up to ms for one; the number
 * of acks read, -1 on timeout. */
static int read_some(struct client *cl, int ms)
{
	struct pollfd pfd[MAX_CLIENTS];
	struct stack_rec r;
	int i, k = 0, acks = 0;

	for (i = 0; i < opt.clients; i++)
		if (!cl[i].eof)
			pfd[k++] =
			    (struct pollfd){.fd = cl[i].fd, .events = POLLIN};
	if (!k)
		return 0;
	if (poll(pfd, (nfds_t)k, ms) <= 0)
		return -1;
	for (i = 0; i < opt.clients; i++) {
		int j;

		for (j = 0; j < k && pfd[j].fd != cl[i].fd; j++)
			;
		if (cl[i].eof || j == k || !pfd[j].revents)
			continue;
		if (read(cl[i].fd, &r, sizeof(r)) != (ssize_t)sizeof(r)) {
			cl[i].eof = true;
			continue;
		}
		note(&cl[i].rr, &r, i);
		acks +=
		    r.type != STACK_REC_ERROR && r.type != STACK_REC_OPEN_ERROR;
	}
	return acks;
}

static bool all_eof(const struct client *cl)
{
	int i;

	for (i = 0; i < opt.clients; i++)
		if (!cl[i].eof)
			return false;
	return true;
}

/* Waits for the clients after the kill: a hang is a failure. */
static void reap_clients(struct client *cl, unsigned round, enum victim v)
{
	struct stack_rec r;
	int i;

	for (i = 0; i < opt.clients; i++) {
		cl[i].status = stack_wait_child(cl[i].pid, CLIENT_EXIT_MS);
		if (cl[i].status == -1) {
			fprintf(stderr,
				"round %u: client %d hangs after %s died\n",
				round, i, victim_name[v]);
			CHECK(!"the client returns");
			kill(cl[i].pid, SIGKILL);
			waitpid(cl[i].pid, &cl[i].status, 0);
		}
		while (read(cl[i].fd, &r, sizeof(r)) == (ssize_t)sizeof(r))
			note(&cl[i].rr, &r, i);
		close(cl[i].fd);
	}
}

/* When only the supplicant died: teed lives on and every client's call
 * in flight failed cleanly with STORAGE_NOT_AVAILABLE. */
static void check_suppl_only(struct stack_env *e, struct client *cl,
			     unsigned round)
{
	int i;

	CHECK(stack_alive(&e->teed));
	for (i = 0; i < opt.clients; i++) {
		int st = cl[i].status;

		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 2);
		CHECK(cl[i].rr.have_error && !cl[i].rr.open_error);
		if (cl[i].rr.error != TEEC_ERROR_STORAGE_NOT_AVAILABLE)
			fprintf(stderr,
				"round %u: supplicant killed: client %d's "
				"call got 0x%08x\n",
				round, i, cl[i].rr.error);
		CHECK_EQ(cl[i].rr.error, TEEC_ERROR_STORAGE_NOT_AVAILABLE);
	}
}

/* When teed died: a step in flight failed with COMMUNICATION, or, when
 * the supplicant died too (its SIGKILL goes first), perhaps with
 * STORAGE_NOT_AVAILABLE from teed before it died. Opening the context or
 * session may fail otherwise (no socket). */
static void check_teed_killed(struct client *cl, unsigned round, enum victim v)
{
	int i;

	for (i = 0; i < opt.clients; i++) {
		struct round_result *rr = &cl[i].rr;
		bool ok = rr->error == TEEC_ERROR_COMMUNICATION ||
			  (v == V_BOTH &&
			   rr->error == TEEC_ERROR_STORAGE_NOT_AVAILABLE);

		if (!rr->have_error || rr->open_error || ok)
			continue;
		fprintf(stderr,
			"round %u: %s killed: client %d's call got 0x%08x\n",
			round, victim_name[v], i, rr->error);
		CHECK(ok);
	}
}

/* After a supplicant-only kill the checker read through the teed that
 * lived on (its caches): a new teed, reading only the disk, must see
 * exactly the same state. */
static bool recheck_from_disk(struct stack_env *e, unsigned round,
			      const uint32_t *n)
{
	int i, res;

	stack_kill(&e->teed, SIGKILL);
	if (stack_start(e)) {
		CHECK(!"teed restarts");
		return false;
	}
	for (i = 0; i < opt.clients; i++) {
		res = run_check(client_seed(i), n[i], i + 1, skip_of(i));
		if (res != STACK_CHECK_OLD)
			fprintf(stderr,
				"round %u: client %d: a new teed does not see "
				"state %u (%d)\n",
				round, i, n[i], res);
		CHECK_EQ(res, STACK_CHECK_OLD);
		if (res != STACK_CHECK_OLD)
			return false;
	}
	return true;
}

/* One round; false stops the test. n[c]: client c's state, updated. */
static bool one_round(struct stack_env *e, unsigned round, uint32_t *n)
{
	struct client cl[MAX_CLIENTS];
	enum victim v = (enum victim)rnd(opt.hang_ms > 0 ? 4 : 3);
	unsigned target = rnd(13), delay_us = rnd(6000), acks = 0;
	int i, got, res;

	memset(cl, 0, sizeof(cl));
	if (stack_start(e)) {
		CHECK(!"stack starts");
		return false;
	}
	for (i = 0; i < opt.clients; i++) {
		cl[i].pid = fork_client(client_seed(i), n[i], i + 1, skip_of(i),
					&cl[i].fd);
		if (cl[i].pid < 0) {
			CHECK(cl[i].pid > 0);
			return false;
		}
	}
	while (acks < target && !all_eof(cl)) {
		got = read_some(cl, ACK_WAIT_MS);
		if (got < 0) {
			fprintf(stderr, "round %u: no step for %d ms\n", round,
				ACK_WAIT_MS);
			CHECK(!"the workload goes on");
			break;
		}
		acks += (unsigned)got;
	}
	for (i = 0; i < opt.clients; i++)
		if (cl[i].rr.have_error) {
			fprintf(stderr,
				"round %u: client %d failed before the kill: "
				"0x%08x\n",
				round, i, cl[i].rr.error);
			CHECK(!cl[i].rr.have_error);
		}
	usleep(delay_us);
	kill_victim(e, v);
	reap_clients(cl, round, v);
	if (v == V_HANG)
		kill(e->suppl, SIGCONT);
	if (v == V_SUPPL || v == V_HANG)
		check_suppl_only(e, cl, round);
	else
		check_teed_killed(cl, round, v);
	if (stack_start(e)) {
		CHECK(!"stack restarts");
		return false;
	}
	for (i = 0; i < opt.clients; i++) {
		struct round_result *rr = &cl[i].rr;

		if (!rr->have_ack)
			rr->last_ack = n[i];
		res =
		    run_check(client_seed(i), rr->last_ack, i + 1, skip_of(i));
		fprintf(stderr,
			"round %2u: killed %-10s after %2u acks + %4u us: "
			"client %d: steps %u..%u acked (then 0x%08x), store "
			"is %s\n",
			round, victim_name[v], acks, delay_us, i, n[i],
			rr->last_ack, rr->error,
			res == STACK_CHECK_OLD	 ? "old (last acked)"
			: res == STACK_CHECK_NEW ? "new (step in flight done)"
						 : "WRONG");
		CHECK(res == STACK_CHECK_OLD || res == STACK_CHECK_NEW);
		if (res != STACK_CHECK_OLD && res != STACK_CHECK_NEW)
			return false;
		stats[v][res]++;
		steps_total += rr->last_ack - n[i];
		n[i] = rr->last_ack + (res == STACK_CHECK_NEW);
	}
	return (v != V_SUPPL && v != V_HANG) || recheck_from_disk(e, round, n);
}

static void test_crash_rounds(void)
{
	struct stack_env e;
	uint32_t n[MAX_CLIENTS] = {0};
	unsigned i;
	int c;

	rng_state = opt.seed;
	REQUIRE(stack_env_init(&e, opt.teed, opt.suppl, opt.ta_dir,
			       "stack-crash") == 0);
	if (opt.tmpfs) {
		char mo[64];

		snprintf(mo, sizeof(mo), "size=%s,mode=0700", opt.tmpfs);
		if (!stack_env_mount_ree(&e, mo)) {
			skipped = true;
			stack_env_fini(&e);
			return;
		}
	}
	for (i = 0; i < opt.rounds; i++)
		if (!one_round(&e, i, n))
			break;
	/* a clean restart still shows the last state */
	if (i == opt.rounds) {
		CHECK(stack_stop(&e));
		REQUIRE(stack_start(&e) == 0);
		for (c = 0; c < opt.clients; c++)
			CHECK_EQ(
			    run_check(client_seed(c), n[c], c + 1, skip_of(c)),
			    STACK_CHECK_OLD);
	}
	fprintf(stderr,
		"%u rounds, %d client(s), %u steps acknowledged (%u of them "
		"NO_SPACE); old/new: teed %u/%u, supplicant %u/%u, both "
		"%u/%u\n",
		i, opt.clients, steps_total, nospace_steps, stats[0][0],
		stats[0][1], stats[1][0], stats[1][1], stats[2][0],
		stats[2][1]);
	if (opt.hang_ms)
		fprintf(stderr, "hung supplicant: old/new %u/%u\n", stats[3][0],
			stats[3][1]);
	/* on a small disk, some steps must have hit NO_SPACE */
	if (opt.tmpfs)
		CHECK(nospace_steps > 0);
	/* the rounds must have made progress to mean anything */
	CHECK(steps_total >= opt.rounds);
	stack_env_fini(&e);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: test_stack_crash TEED TEE-SUPPLICANT TA_DIR "
		"[--rounds N] [--seed S] [--clients 1|2]\n"
		"       [--tmpfs SIZE]\n"
		"Kills teed and/or tee-supplicant at random moments of a GP "
		"storage workload\nrun through the storage test TA, restarts "
		"them and checks old-or-new and\nacknowledged durability "
		"(docs/gp-storage.md, \"Whole-stack tests\").\n"
		"  --rounds N  kill/restart rounds (default 30)\n"
		"  --seed S    workload and kill schedule (default 1)\n"
		"  --clients N workloads in parallel, on TAs a and b (default "
		"1)\n"
		"  --tmpfs SIZE the supplicant's directory on a tmpfs of SIZE "
		"(e.g. 320k) in a\n"
		"              private mount namespace: steps may fail with "
		"STORAGE_NO_SPACE\n"
		"              and must then change nothing (exit 77 if it "
		"cannot mount)\n"
		"  --hang MS   also rounds where the supplicant is stopped "
		"until teed's answer\n"
		"              timeout (MS, TEESTORE_SUPPL_TIMEOUT_MS) cuts it "
		"off, then woken\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"rounds", 1, NULL, 'r'},  {"seed", 1, NULL, 's'},
	    {"clients", 1, NULL, 'c'}, {"tmpfs", 1, NULL, 't'},
	    {"hang", 1, NULL, 'H'},    {"help", 0, NULL, 'h'},
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
		case 'c':
			opt.clients = atoi(optarg);
			break;
		case 't':
			opt.tmpfs = optarg;
			break;
		case 'H':
			opt.hang_ms = atoi(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 3 || !opt.rounds || opt.clients < 1 ||
	    opt.clients > MAX_CLIENTS) {
		usage(stderr);
		return 2;
	}
	opt.teed = argv[optind];
	opt.suppl = argv[optind + 1];
	opt.ta_dir = argv[optind + 2];
	signal(SIGPIPE, SIG_IGN);
	if (opt.hang_ms > 0) {
		char ms[16];

		snprintf(ms, sizeof(ms), "%d", opt.hang_ms);
		setenv("TEESTORE_SUPPL_TIMEOUT_MS", ms, 1); /* for teed */
	}
	RUN(test_crash_rounds);
	if (skipped)
		return 77;
	return test_report();
}
