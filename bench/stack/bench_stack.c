/*
 * bench_stack: trusted storage through the whole stack (client -> libteec
 * -> teed -> sandboxed TA -> gpstore -> engine -> RPC -> tee-supplicant),
 * in the style of OP-TEE's xtest 1001-1003 storage benchmark, each figure
 * beside a raw baseline measured in the same run on the file system given
 * by --dir (put it where tee-supplicant stores: tools/bench.sh does).
 * Run it under tee-run:
 *	tee-run --state-dir S --ta-dir TA -- bench_stack --dir S/raw [--quick]
 * Figures and targets: docs/benchmarks.md, "Whole stack".
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

#include "bench_stack_ta.h"
#include "tee_client_api.h"

#define KIB	    1024u
#define MIB	    (1024u * 1024u)
#define MAX_REPEAT  15
#define MAX_WRITERS 16

static const TEEC_UUID ta_uuid = BENCH_STACK_TA_UUID;

struct opts {
	const char *dir;
	bool quick;
	int repeat;
	const char *only; /* comma-separated parts, NULL: all */
};

static struct opts o = {.dir = "bench-stack-raw", .repeat = 3};

static bool part(const char *name)
{
	char list[256], *save = NULL, *t;

	if (!o.only)
		return true;
	snprintf(list, sizeof(list), "%s", o.only);
	for (t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!strcmp(t, name))
			return true;
	return false;
}
static int misses;

static void die(const char *what, const char *why)
{
	fprintf(stderr, "bench_stack: %s: %s\n", what, why);
	exit(1);
}

static void die_tee(const char *what, TEEC_Result res)
{
	char why[32];

	snprintf(why, sizeof(why), "TEE error 0x%08x", res);
	die(what, why);
}

/* ---- the TEE side ---- */

struct tee {
	TEEC_Context ctx;
	TEEC_Session sess;
	TEEC_SharedMemory shm; /* one 1 MiB chunk for memref writes */
};

/* teed answers once storage is up under tee-run: retry for 10 s. */
static void tee_open(struct tee *t, bool with_shm)
{
	TEEC_Result res = TEEC_ERROR_GENERIC;
	uint32_t origin;
	int i;

	for (i = 0; i < 100; i++) {
		res = TEEC_InitializeContext(NULL, &t->ctx);
		if (res == TEEC_SUCCESS) {
			res = TEEC_OpenSession(&t->ctx, &t->sess, &ta_uuid,
					       TEEC_LOGIN_PUBLIC, NULL, NULL,
					       &origin);
			if (res == TEEC_SUCCESS)
				break;
			TEEC_FinalizeContext(&t->ctx);
		}
		usleep(100000);
	}
	if (res)
		die_tee("cannot open a session with the benchmark TA", res);
	memset(&t->shm, 0, sizeof(t->shm));
	if (!with_shm)
		return;
	t->shm.size = BENCH_MAX_SHM_CHUNK;
	t->shm.flags = TEEC_MEM_INPUT;
	res = TEEC_AllocateSharedMemory(&t->ctx, &t->shm);
	if (res)
		die_tee("shared memory", res);
	memset(t->shm.buffer, 0x3c, t->shm.size);
}

static void tee_close(struct tee *t)
{
	if (t->shm.buffer)
		TEEC_ReleaseSharedMemory(&t->shm);
	TEEC_CloseSession(&t->sess);
	TEEC_FinalizeContext(&t->ctx);
}

/* One command; returns its wall time in seconds (the invoke included). */
static double tee_cmd(struct tee *t, uint32_t cmd, uint32_t a0, uint32_t b0,
		      uint32_t a1, uint32_t b1, bool memref)
{
	TEEC_Operation op;
	TEEC_Result res;
	uint32_t origin;
	double t0;

	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(
	    TEEC_VALUE_INPUT, TEEC_VALUE_INPUT,
	    memref ? TEEC_MEMREF_PARTIAL_INPUT : TEEC_NONE, TEEC_NONE);
	op.params[0].value.a = a0;
	op.params[0].value.b = b0;
	op.params[1].value.a = a1;
	op.params[1].value.b = b1;
	if (memref) {
		op.params[2].memref.parent = &t->shm;
		op.params[2].memref.size = t->shm.size;
	}
	t0 = bench_now();
	res = TEEC_InvokeCommand(&t->sess, cmd, &op, &origin);
	if (res)
		die_tee("benchmark TA command", res);
	return bench_now() - t0;
}

/* ---- raw baselines on the same file system ---- */

static int raw_open(const char *name, bool trunc)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", o.dir, name);
	fd = open(path, O_RDWR | O_CREAT | (trunc ? O_TRUNC : 0), 0600);
	if (fd < 0)
		die(path, strerror(errno));
	return fd;
}

static void xwrite(int fd, const void *buf, size_t len, off_t off)
{
	if (pwrite(fd, buf, len, off) != (ssize_t)len)
		die("raw write", strerror(errno));
}

/* size bytes in chunk-sized pwrites, each followed by fdatasync. */
static double raw_sync_each(const char *name, size_t size, size_t chunk,
			    bool trunc)
{
	static uint8_t buf[MIB];
	int fd = raw_open(name, trunc);
	size_t off;
	double t0 = bench_now();

	for (off = 0; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;

		xwrite(fd, buf, n, (off_t)off);
		if (fdatasync(fd) < 0)
			die("fdatasync", strerror(errno));
	}
	t0 = bench_now() - t0;
	close(fd);
	return t0;
}

/* size bytes in 1 MiB writes, then one fsync (dd conv=fsync). */
static double raw_write_fsync(const char *name, size_t size)
{
	static uint8_t buf[MIB];
	char path[4096];
	size_t off;
	double t0;
	int fd;

	/* A new file, as the TA's create makes one; the old one's freeing
	 * settled before the clock starts. */
	snprintf(path, sizeof(path), "%s/%s", o.dir, name);
	if (unlink(path) < 0 && errno != ENOENT)
		die(path, strerror(errno));
	bench_settle(o.dir);
	fd = raw_open(name, true);
	t0 = bench_now();

	for (off = 0; off < size; off += MIB)
		xwrite(fd, buf, size - off < MIB ? size - off : MIB,
		       (off_t)off);
	if (fsync(fd) < 0)
		die("fsync", strerror(errno));
	t0 = bench_now() - t0;
	close(fd);
	return t0;
}

/* Reads the file in chunk-sized preads (from the page cache: read twice). */
static double raw_read(const char *name, size_t size, size_t chunk)
{
	static uint8_t buf[MIB];
	int fd = raw_open(name, false);
	size_t off;
	double t0 = 0;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		t0 = bench_now();
		for (off = 0; off < size; off += chunk)
			if (pread(fd, buf, chunk, (off_t)off) < 0)
				die("raw read", strerror(errno));
		t0 = bench_now() - t0;
	}
	close(fd);
	return t0;
}

/* ---- figures ---- */

struct samples {
	double v[MAX_REPEAT];
	int n;
};

static double median(struct samples *s)
{
	return bench_median(s->v, s->n);
}

static void add(struct samples *s, double v)
{
	if (s->n < MAX_REPEAT)
		s->v[s->n++] = v;
}

/* A row: throughput (bytes / time) of the stack and of raw, ratio. */
static double row_rate(const char *what, double bytes, double t_stack,
		       double t_raw)
{
	double unit = bytes >= 4 * MIB ? MIB : KIB;

	printf("%-44s %10.1f %10.1f %7.3f  %s\n", what, bytes / unit / t_stack,
	       bytes / unit / t_raw, t_raw / t_stack,
	       unit == MIB ? "MiB/s" : "KiB/s");
	return t_raw / t_stack;
}

static void target(const char *what, double v, double want)
{
	bool ok = v >= want;

	if (!ok)
		misses++;
	printf("%s %-58s %6.3f (>= %.2f)\n", ok ? "PASS" : "MISS", what, v,
	       want);
}

static void size_name(size_t size, char *buf, size_t cap)
{
	if (size >= MIB)
		snprintf(buf, cap, "%zu MiB", size / MIB);
	else if (size >= KIB)
		snprintf(buf, cap, "%zu KiB", size / KIB);
	else
		snprintf(buf, cap, "%zu B", size);
}

/*
 * xtest 1001-1003: write (create + write), read, rewrite of objects of
 * 256 B ... 1 MiB in 1 KiB chunks; every write call is a durable commit,
 * so the raw baseline is 1 KiB pwrite + fdatasync per chunk. Returns the
 * write ratio of the largest size.
 */
static double bench_small(struct tee *t)
{
	static const size_t sizes[] = {256,	 KIB,	    4 * KIB, 16 * KIB,
				       64 * KIB, 256 * KIB, MIB};
	size_t nsizes = sizeof(sizes) / sizeof(sizes[0]) - (o.quick ? 2 : 0);
	double ratio = 0;
	size_t i;
	int r;

	printf("%-44s %10s %10s %7s\n", "figure (1 KiB chunks)", "stack", "raw",
	       "ratio");
	for (i = 0; i < nsizes; i++) {
		struct samples sw = {0}, rw = {0}, sr = {0}, rr = {0}, sx = {0},
			       rx = {0};
		size_t size = sizes[i], chunk = size < KIB ? size : KIB;
		char name[32], what[64];
		int reps = size >= 256 * KIB ? 1 : o.repeat;

		size_name(size, name, sizeof(name));
		for (r = 0; r < reps; r++) {
			add(&rw, raw_sync_each("small", size, chunk, true));
			add(&sw, tee_cmd(t, BENCH_CMD_WRITE, (uint32_t)size,
					 (uint32_t)chunk, 1, 0, false));
			add(&rr, raw_read("small", size, chunk));
			add(&sr, tee_cmd(t, BENCH_CMD_READ, (uint32_t)size,
					 (uint32_t)chunk, 1, 0, false));
			add(&rx, raw_sync_each("small", size, chunk, false));
			add(&sx, tee_cmd(t, BENCH_CMD_WRITE, (uint32_t)size,
					 (uint32_t)chunk, 1, 1, false));
		}
		snprintf(what, sizeof(what), "write %s", name);
		ratio = row_rate(what, (double)size, median(&sw), median(&rw));
		snprintf(what, sizeof(what), "read %s", name);
		row_rate(what, (double)size, median(&sr), median(&rr));
		snprintf(what, sizeof(what), "rewrite %s", name);
		row_rate(what, (double)size, median(&sx), median(&rx));
	}
	tee_cmd(t, BENCH_CMD_DELETE, 0, 0, 1, 0, false);
	return ratio;
}

/*
 * Big objects in 1 MiB chunks (each a commit), from the TA's heap and
 * from the client's memref, against raw write + one fsync and a cached
 * read. Returns the write ratio (heap) and the read ratio.
 */
static void bench_big(struct tee *t, double *w_ratio, double *r_ratio)
{
	size_t size = (o.quick ? 10 : 100) * (size_t)MIB;
	struct samples sw = {0}, sm = {0}, s4 = {0}, rw = {0}, sr = {0},
		       rr = {0}, sx = {0};
	char what[64];
	int r;

	printf("\n%-44s %10s %10s %7s\n", "figure (1 MiB chunks)", "stack",
	       "raw", "ratio");
	for (r = 0; r < o.repeat; r++) {
		/* Fresh objects each time: no removal of an old version
		 * inside the timed write. */
		tee_cmd(t, BENCH_CMD_DELETE, 0, 0, 2, 0, false);
		tee_cmd(t, BENCH_CMD_DELETE, 0, 0, 3, 0, false);
		tee_cmd(t, BENCH_CMD_DELETE, 0, 0, 4, 0, false);
		/* Each timed write starts on a settled file system: the
		 * previous one's write-back would land in it otherwise. */
		add(&rw, raw_write_fsync("big", size));
		bench_settle(o.dir);
		add(&sw, tee_cmd(t, BENCH_CMD_WRITE, (uint32_t)size, MIB, 2, 0,
				 false));
		bench_settle(o.dir);
		add(&sm, tee_cmd(t, BENCH_CMD_WRITE, (uint32_t)size, MIB, 3, 0,
				 true));
		bench_settle(o.dir);
		add(&s4, tee_cmd(t, BENCH_CMD_WRITE, (uint32_t)size,
				 BENCH_MAX_SHM_CHUNK, 4, 0, true));
		add(&rr, raw_read("big", size, MIB));
		add(&sr, tee_cmd(t, BENCH_CMD_READ, (uint32_t)size, MIB, 2, 0,
				 false));
		add(&sx, tee_cmd(t, BENCH_CMD_WRITE, (uint32_t)size, MIB, 2, 1,
				 false));
	}
	snprintf(what, sizeof(what), "write %zu MiB (TA heap)", size / MIB);
	*w_ratio = row_rate(what, (double)size, median(&sw), median(&rw));
	snprintf(what, sizeof(what), "write %zu MiB (client memref)",
		 size / MIB);
	row_rate(what, (double)size, median(&sm), median(&rw));
	snprintf(what, sizeof(what), "write %zu MiB (memref, 4 MiB chunks)",
		 size / MIB);
	row_rate(what, (double)size, median(&s4), median(&rw));
	snprintf(what, sizeof(what), "read %zu MiB", size / MIB);
	*r_ratio = row_rate(what, (double)size, median(&sr), median(&rr));
	snprintf(what, sizeof(what), "rewrite %zu MiB", size / MIB);
	row_rate(what, (double)size, median(&sx), median(&rw));
	tee_cmd(t, BENCH_CMD_DELETE, 0, 0, 2, 0, false);
	tee_cmd(t, BENCH_CMD_DELETE, 0, 0, 3, 0, false);
	tee_cmd(t, BENCH_CMD_DELETE, 0, 0, 4, 0, false);
}

/* Reads of the big object only (--only read): for profiling the read path. */
static double bench_read(struct tee *t)
{
	size_t size = (o.quick ? 10 : 100) * (size_t)MIB;
	struct samples sr = {0}, rr = {0};
	int r;

	printf("\n%-44s %10s %10s %7s\n", "figure (1 MiB chunks)", "stack",
	       "raw", "ratio");
	(void)raw_write_fsync("big", size);
	tee_cmd(t, BENCH_CMD_WRITE, (uint32_t)size, MIB, 2, 0, false);
	for (r = 0; r < o.repeat; r++) {
		add(&rr, raw_read("big", size, MIB));
		add(&sr, tee_cmd(t, BENCH_CMD_READ, (uint32_t)size, MIB, 2, 0,
				 false));
	}
	tee_cmd(t, BENCH_CMD_DELETE, 0, 0, 2, 0, false);
	return row_rate("read (only)", (double)size, median(&sr), median(&rr));
}

struct writer {
	pthread_t th;
	unsigned n;	  /* writer number: its object / raw file */
	unsigned commits; /* to run */
	bool raw;
	pthread_barrier_t *start;
	struct tee t;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	static uint8_t buf[KIB];
	char name[32];
	unsigned i;
	int fd = -1;

	if (w->raw) {
		snprintf(name, sizeof(name), "w%u", w->n);
		fd = raw_open(name, true);
	} else {
		tee_open(&w->t, false);
		tee_cmd(&w->t, BENCH_CMD_COMMITS, 1, 0, 100 + w->n, 0, false);
	}
	pthread_barrier_wait(w->start);
	if (w->raw) {
		for (i = 0; i < w->commits; i++) {
			xwrite(fd, buf, sizeof(buf), 0);
			if (fdatasync(fd) < 0)
				die("fdatasync", strerror(errno));
		}
	} else {
		tee_cmd(&w->t, BENCH_CMD_COMMITS, w->commits, 0, 100 + w->n, 0,
			false);
	}
	pthread_barrier_wait(w->start);
	if (w->raw)
		close(fd);
	else
		tee_close(&w->t);
	return NULL;
}

/* Commits per second of n writers on distinct objects (or raw files). */
static double commits_per_s(unsigned n, unsigned each, bool raw)
{
	struct writer w[MAX_WRITERS];
	pthread_barrier_t start;
	double t0 = 0;
	unsigned i;

	pthread_barrier_init(&start, NULL, n + 1);
	for (i = 0; i < n; i++) {
		w[i] = (struct writer){
		    .n = i, .commits = each, .raw = raw, .start = &start};
		if (pthread_create(&w[i].th, NULL, writer_main, &w[i]))
			die("pthread_create", strerror(errno));
	}
	pthread_barrier_wait(&start);
	t0 = bench_now();
	pthread_barrier_wait(&start);
	t0 = bench_now() - t0;
	for (i = 0; i < n; i++)
		pthread_join(w[i].th, NULL);
	pthread_barrier_destroy(&start);
	return (double)n * each / t0;
}

/* 1 writer vs 16 in parallel; returns the stack's 16/1 ratio. */
static double bench_parallel(struct tee *t)
{
	unsigned each = o.quick ? 20 : 60;
	struct samples s1 = {0}, s16 = {0}, r1 = {0}, r16 = {0};
	double a, b;
	int r;

	(void)t;
	printf("\n%-44s %10s %10s %7s\n", "1 KiB commits on distinct objects",
	       "stack", "raw", "ratio");
	for (r = 0; r < o.repeat; r++) {
		add(&r1, commits_per_s(1, each * 4, true));
		add(&s1, commits_per_s(1, each * 4, false));
		add(&r16, commits_per_s(MAX_WRITERS, each, true));
		add(&s16, commits_per_s(MAX_WRITERS, each, false));
	}
	a = median(&s1);
	b = median(&s16);
	printf("%-44s %10.0f %10.0f %7.3f  commits/s\n", "1 writer", a,
	       median(&r1), a / median(&r1));
	printf("%-44s %10.0f %10.0f %7.3f  commits/s\n", "16 writers", b,
	       median(&r16), b / median(&r16));
	printf("%-44s %10.2f %10.2f\n", "16 writers / 1 writer", b / a,
	       median(&r16) / median(&r1));
	return b / a;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench_stack [--dir DIR] [--quick] [--repeat N]\n"
		"Trusted storage through the whole stack, beside raw I/O on "
		"DIR's file system.\n"
		"Run under tee-run (the benchmark TA must be in its TA "
		"directory).\n"
		"  --dir DIR    scratch directory for the raw baselines "
		"(default %s)\n"
		"  --quick      small sizes (10 MiB, objects up to 64 KiB)\n"
		"  --repeat N   median of N runs per figure (default 3, at "
		"most %d)\n"
		"  --only LIST  comma-separated parts: small, big, parallel "
		"(default all), read (big reads alone)\n",
		o.dir, MAX_REPEAT);
}

static void parse(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"quick", no_argument, NULL, 'q'},
	    {"repeat", required_argument, NULL, 'r'},
	    {"only", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.dir = optarg;
			break;
		case 'q':
			o.quick = true;
			break;
		case 'r':
			o.repeat = (int)bench_opt_long("--repeat", optarg, 1,
						       MAX_REPEAT);
			break;
		case 'o':
			o.only = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	double small = 0, big_w = 0, big_r = 0, par = 0;
	struct tee t;

	bench_init("bench_stack");
	parse(argc, argv);
	if (mkdir(o.dir, 0700) < 0 && errno != EEXIST)
		die(o.dir, strerror(errno));
	tee_open(&t, true);
	printf("median of %d runs per figure; ratio = stack / raw "
	       "throughput\n\n",
	       o.repeat);
	if (part("small"))
		small = bench_small(&t);
	if (part("big"))
		bench_big(&t, &big_w, &big_r);
	if (part("parallel"))
		par = bench_parallel(&t);
	if (o.only && part("read"))
		big_r = bench_read(&t);
	tee_close(&t);
	printf("\ntargets (issue 5%s):\n", o.quick ? ", quick sizes" : "");
	if (part("small"))
		target("1 KiB-chunk writes (largest object) / raw "
		       "pwrite+fdatasync",
		       small, 0.4);
	if (part("big"))
		target("1 MiB-chunk writes (big object) / raw write+fsync",
		       big_w, 0.6);
	if (part("parallel"))
		target("16 writers / 1 writer, commits per second", par, 3.0);
	if (part("big") || (o.only && part("read")))
		printf("(read of the big object / raw cached read: %.3f)\n",
		       big_r);
	return 0;
}
