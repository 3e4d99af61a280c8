/*
 * bench_invoke: what a client pays to reach a TA, beside the raw cost of
 * the same transport measured in the same run.
 *   - an empty TEEC_InvokeCommand round trip vs a raw AF_UNIX
 *     SOCK_SEQPACKET round trip to another process (target <= 4x);
 *   - a 1 MiB allocated-shared-memory memref invoke (the TA reads every
 *     byte in place) vs memcpy of 1 MiB (target >= 0.5 of memcpy's rate).
 * It starts its own teed (--teed, with --ta-dir) unless TEESTORE_SOCKET
 * is set (e.g. under tee-run). Defaults talk to teed_double's echo TA.
 */
#include <getopt.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tee_client_api.h"
#include "teed_proc.h"
#include "uuid.h"

struct bench_opts {
	const char *teed;
	const char *ta_dir;
	TEEC_UUID uuid;
	uint32_t empty_cmd, sum_cmd;
	bool fill; /* the shm command fills (TEST_CMD_FILL layout) */
	unsigned iters;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Round trips of a 16-byte message to a forked echo process. */
static double raw_rtt_us(unsigned n)
{
	int sv[2];
	char buf[64] = {0};
	pid_t pid;
	double t0, t;
	unsigned i;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		while (recv(sv[1], buf, sizeof(buf), 0) > 0)
			if (send(sv[1], buf, 16, 0) != 16)
				break;
		_exit(0);
	}
	close(sv[1]);
	for (i = 0; i < n / 10; i++) /* warm up */
		if (send(sv[0], buf, 16, 0) != 16 ||
		    recv(sv[0], buf, sizeof(buf), 0) != 16)
			return -1;
	t0 = now_s();
	for (i = 0; i < n; i++)
		if (send(sv[0], buf, 16, 0) != 16 ||
		    recv(sv[0], buf, sizeof(buf), 0) != 16)
			return -1;
	t = now_s() - t0;
	close(sv[0]);
	waitpid(pid, NULL, 0);
	return t / n * 1e6;
}

/*
 * The cheapest call: one VALUE_INOUT parameter (a TA's "increment" or an
 * empty command that ignores it).
 */
static double invoke_empty_us(TEEC_Session *s, uint32_t cmd, unsigned n)
{
	TEEC_Operation op;
	uint32_t origin;
	double t0;
	unsigned i;

	memset(&op, 0, sizeof(op));
	op.paramTypes =
	    TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
	for (i = 0; i < n / 10; i++)
		if (TEEC_InvokeCommand(s, cmd, &op, &origin))
			return -1;
	t0 = now_s();
	for (i = 0; i < n; i++)
		if (TEEC_InvokeCommand(s, cmd, &op, &origin))
			return -1;
	return (now_s() - t0) / n * 1e6;
}

#define MIB    (1u << 20)
#define ROUNDS 5

static double memcpy_gbps(unsigned n)
{
	char *a = malloc(MIB), *b = malloc(MIB);
	volatile char sink;
	double t0, t;
	unsigned i;

	memset(a, 1, MIB);
	memset(b, 2, MIB);
	memcpy(b, a, MIB);
	t0 = now_s();
	for (i = 0; i < n; i++) {
		a[i % MIB] = (char)i;
		memcpy(b, a, MIB);
	}
	t = now_s() - t0;
	sink = b[n % MIB];
	(void)sink;
	free(a);
	free(b);
	return (double)MIB * n / t / 1e9;
}

static double shm_gbps(TEEC_Context *ctx, TEEC_Session *s, uint32_t cmd,
		       bool fill, unsigned n)
{
	TEEC_SharedMemory shm;
	TEEC_Operation op;
	uint32_t origin;
	double t0, t;
	unsigned i;

	memset(&shm, 0, sizeof(shm));
	shm.size = MIB;
	shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
	if (TEEC_AllocateSharedMemory(ctx, &shm))
		return -1;
	memset(shm.buffer, 3, MIB);
	memset(&op, 0, sizeof(op));
	/* sum: MEMREF_INPUT, VALUE_OUTPUT; fill: INOUT, VALUE_IN, VALUE_OUT */
	shm.flags = fill ? TEEC_MEM_INPUT | TEEC_MEM_OUTPUT : TEEC_MEM_INPUT;
	op.paramTypes =
	    fill ? TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE, TEEC_VALUE_INPUT,
				    TEEC_VALUE_OUTPUT, TEEC_NONE)
		 : TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE, TEEC_VALUE_OUTPUT,
				    TEEC_NONE, TEEC_NONE);
	op.params[0].memref.parent = &shm;
	if (TEEC_InvokeCommand(s, cmd, &op, &origin))
		return -1;
	t0 = now_s();
	for (i = 0; i < n; i++)
		if (TEEC_InvokeCommand(s, cmd, &op, &origin))
			return -1;
	t = now_s() - t0;
	TEEC_ReleaseSharedMemory(&shm);
	return (double)MIB * n / t / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench_invoke [--teed PATH [--ta-dir DIR]] "
		"[--uuid UUID]\n"
		"       [--empty-cmd N] [--sum-cmd N | --fill-cmd N] [--quick]"
		" [--help]\n"
		"Without --teed, uses the teed at $TEESTORE_SOCKET. The empty"
		" command gets one\nVALUE_INOUT; a sum command takes "
		"(MEMREF_INPUT, VALUE_OUTPUT) and reads every\nbyte, a fill "
		"command (MEMREF_INOUT, VALUE_INPUT byte, VALUE_OUTPUT) "
		"writes every\nbyte. Defaults: teed_double's echo TA.\n");
}

static void parse(int argc, char **argv, struct bench_opts *o)
{
	static const struct option lo[] = {
	    {"teed", required_argument, NULL, 't'},
	    {"ta-dir", required_argument, NULL, 'd'},
	    {"uuid", required_argument, NULL, 'u'},
	    {"empty-cmd", required_argument, NULL, 'e'},
	    {"sum-cmd", required_argument, NULL, 's'},
	    {"fill-cmd", required_argument, NULL, 'f'},
	    {"quick", no_argument, NULL, 'q'},
	    {"dir", required_argument, NULL, 'D'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	/* teed_double's echo TA (tests/client/ta_double.h). */
	TEE_UUID u = {
	    0x6e7a9a1c, 0x0001, 0x4c6a, {0x9e, 0x1c, 0, 0, 0, 0, 0, 0x01}};
	int c;

	memset(o, 0, sizeof(*o));
	o->sum_cmd = 7;
	o->iters = 20000;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 't':
			o->teed = optarg;
			break;
		case 'd':
			o->ta_dir = optarg;
			break;
		case 'u':
			if (!uuid_parse(optarg, &u)) {
				fprintf(stderr, "bad --uuid %s\n", optarg);
				exit(2);
			}
			break;
		case 'e':
			o->empty_cmd = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 's':
			o->sum_cmd = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'f':
			o->sum_cmd = (uint32_t)strtoul(optarg, NULL, 0);
			o->fill = true;
			break;
		case 'q':
			o->iters = 2000;
			break;
		case 'D':
			break; /* tools/bench.sh's scratch dir: unused */
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	memcpy(&o->uuid, &u, sizeof(u));
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct teed_proc teed = {0};
	TEEC_Context ctx;
	TEEC_Session s;
	uint32_t origin;
	double raw, inv, mc, shm;
	int r;
	const char *extra[3] = {NULL, NULL, NULL};

	parse(argc, argv, &o);
	signal(SIGPIPE, SIG_IGN);
	if (o.teed) {
		if (o.ta_dir) {
			extra[0] = "--ta-dir";
			extra[1] = o.ta_dir;
		}
		if (teed_proc_start(&teed, o.teed, "bench-invoke", extra)) {
			fprintf(stderr, "cannot start %s\n", o.teed);
			return 1;
		}
		setenv("TEESTORE_SOCKET", teed.socket, 1);
	}
	if (TEEC_InitializeContext(NULL, &ctx) ||
	    TEEC_OpenSession(&ctx, &s, &o.uuid, TEEC_LOGIN_PUBLIC, NULL, NULL,
			     &origin)) {
		fprintf(stderr, "cannot open a session on the TA\n");
		return 1;
	}
	/*
	 * Interleaved rounds, best of each: on a shared machine the
	 * baseline and the measured path then see the same quiet moments.
	 */
	raw = inv = 1e9;
	mc = shm = 0;
	for (r = 0; r < ROUNDS; r++) {
		double v = raw_rtt_us(o.iters / ROUNDS);

		raw = v >= 0 && v < raw ? v : raw;
		v = invoke_empty_us(&s, o.empty_cmd, o.iters / ROUNDS);
		inv = v < 0 ? -1 : inv < 0 || v > inv ? inv : v;
		v = memcpy_gbps(o.iters / 10 / ROUNDS);
		mc = v > mc ? v : mc;
		v = shm_gbps(&ctx, &s, o.sum_cmd, o.fill,
			     o.iters / 10 / ROUNDS);
		shm = v < 0 ? -1 : shm < 0 || v < shm ? shm : v;
	}
	printf("raw SEQPACKET round trip      %8.2f us\n", raw);
	printf("empty invoke round trip       %8.2f us  (%.2fx raw, target "
	       "<= 4x)\n",
	       inv, inv / raw);
	printf("memcpy 1 MiB                  %8.2f GB/s\n", mc);
	printf("1 MiB allocated-shm memref    %8.2f GB/s  (%.2f of memcpy, "
	       "target >= 0.5)\n",
	       shm, shm / mc);
	TEEC_CloseSession(&s);
	TEEC_FinalizeContext(&ctx);
	if (o.teed)
		teed_proc_stop(&teed);
	return raw < 0 || inv < 0 || shm < 0 ? 1 : 0;
}
