/*
 * bench_concurrency: commits per second of the storage engine (tstore over
 * the POSIX backend) for 1, 2, 4, 8, 16 writer threads, each overwriting
 * 1 KiB of its own object (every write a commit, durable on return), and
 * the ratio to one writer: what group commit buys (docs/engine.md, "Group
 * commit"). Beside it, the same threads doing raw 1 KiB pwrite + fdatasync
 * on their own files, measured in the same run: how the file system
 * itself scales with concurrent flushes.
 * Every figure is the median of --repeat runs, the runs of all writer
 * counts interleaved (the machine's background load shifts over time).
 *	bench_concurrency --dir DIR [--seconds S] [--repeat R]
 *	                  [--max-threads N] [--quick]
 */
#include <dirent.h>
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
#include "backend_posix.h"
#include "tee_error.h"
#include "tstore.h"

#define MAX_THREADS 64
#define MAX_REPEAT  15
#define MAX_COUNTS  8 /* 1, 2, 4, ... 64 writers */
#define WRITE_LEN   1024
#define OBJ_SPAN    (16 * 1024) /* each object: writes rotate over this */

static const uint8_t huk[16] = {1, 2,  3,  4,  5,  6,  7,  8,
				9, 10, 11, 12, 13, 14, 15, 16};
static const TEE_UUID ta = {0xc0c0c0c0, 1, 2, {3, 4, 5, 6, 7, 8, 9, 10}};
static const struct tstore_head head = {.object_type = 0xA00000BF,
					.object_usage = 0xFFFFFFFF};

/* One run: n threads, each looping over fn until the deadline. */
struct run {
	pthread_barrier_t start;
	double deadline;
	struct tstore_obj *obj[MAX_THREADS];
	int fd[MAX_THREADS];
	uint64_t count[MAX_THREADS];
	const char *error;
	pthread_mutex_t lock;
};

struct worker {
	struct run *r;
	int idx;
};

static void run_fail(struct run *r, const char *what)
{
	pthread_mutex_lock(&r->lock);
	if (!r->error)
		r->error = what;
	pthread_mutex_unlock(&r->lock);
}

static void *engine_worker(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->r;
	uint8_t buf[WRITE_LEN];
	uint64_t i = 0;

	memset(buf, w->idx + 1, sizeof(buf));
	pthread_barrier_wait(&r->start);
	while (bench_now() < r->deadline) {
		uint64_t pos = (i * WRITE_LEN) % OBJ_SPAN;

		buf[0] = (uint8_t)i;
		if (tstore_write(r->obj[w->idx], pos, buf, sizeof(buf))) {
			run_fail(r, "tstore_write");
			break;
		}
		i++;
	}
	r->count[w->idx] = i;
	return NULL;
}

static void *raw_worker(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->r;
	uint8_t buf[WRITE_LEN];
	uint64_t i = 0;

	memset(buf, w->idx + 1, sizeof(buf));
	pthread_barrier_wait(&r->start);
	while (bench_now() < r->deadline) {
		off_t pos = (off_t)((i * WRITE_LEN) % OBJ_SPAN);

		buf[0] = (uint8_t)i;
		if (pwrite(r->fd[w->idx], buf, sizeof(buf), pos) !=
			(ssize_t)sizeof(buf) ||
		    fdatasync(r->fd[w->idx])) {
			run_fail(r, "raw pwrite + fdatasync");
			break;
		}
		i++;
	}
	r->count[w->idx] = i;
	return NULL;
}

/* Runs n workers for `seconds`; returns operations per second. */
static double run_threads(struct run *r, int n, double seconds,
			  void *(*fn)(void *))
{
	pthread_t tid[MAX_THREADS];
	struct worker w[MAX_THREADS];
	uint64_t total = 0;
	double t0;
	int i;

	r->error = NULL;
	pthread_barrier_init(&r->start, NULL, (unsigned)n + 1);
	for (i = 0; i < n; i++) {
		w[i].r = r;
		w[i].idx = i;
		r->count[i] = 0;
		if (pthread_create(&tid[i], NULL, fn, &w[i]))
			bench_die_errno("pthread_create");
	}
	t0 = bench_now();
	r->deadline = t0 + seconds;
	pthread_barrier_wait(&r->start);
	for (i = 0; i < n; i++) {
		pthread_join(tid[i], NULL);
		total += r->count[i];
	}
	t0 = bench_now() - t0;
	pthread_barrier_destroy(&r->start);
	if (r->error) {
		fprintf(stderr, "bench_concurrency: %s failed\n", r->error);
		exit(1);
	}
	return (double)total / t0;
}

/* Engine: a fresh store, one object per thread, then the timed run. */
static double bench_engine(const char *dir, int n, double seconds,
			   double *group_size)
{
	struct backend *be = NULL;
	struct tstore_config cfg;
	struct tstore_stats st0, st1;
	struct tstore *s = NULL;
	static uint8_t init[OBJ_SPAN];
	struct run r;
	double rate;
	char id[32];
	TEE_Result res;
	int i;

	memset(&r, 0, sizeof(r));
	pthread_mutex_init(&r.lock, NULL);
	bench_rm_dir(dir);
	res = backend_posix_open(dir, &be);
	if (res)
		bench_die("backend_posix_open", res);
	tstore_config_init(&cfg, huk, sizeof(huk));
	res = tstore_open(be, &cfg, &s);
	if (res)
		bench_die("tstore_open", res);
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "writer-%d", i);
		res = tstore_create(s, &ta, id, strlen(id), &head, NULL, 0,
				    init, sizeof(init), true, &r.obj[i]);
		if (res)
			bench_die("tstore_create", res);
	}
	tstore_get_stats(s, &st0);
	rate = run_threads(&r, n, seconds, engine_worker);
	tstore_get_stats(s, &st1);
	*group_size = st1.groups > st0.groups
			  ? (double)(st1.commits - st0.commits) /
				(double)(st1.groups - st0.groups)
			  : 0;
	for (i = 0; i < n; i++)
		tstore_release(r.obj[i]);
	tstore_close(s);
	backend_destroy(be);
	bench_rm_dir(dir);
	pthread_mutex_destroy(&r.lock);
	return rate;
}

/* Raw: one file per thread, 1 KiB pwrite + fdatasync per operation. */
static double bench_raw(const char *dir, int n, double seconds)
{
	static uint8_t init[OBJ_SPAN];
	struct run r;
	char path[4300];
	double rate;
	int i;

	memset(&r, 0, sizeof(r));
	pthread_mutex_init(&r.lock, NULL);
	bench_rm_dir(dir);
	if (mkdir(dir, 0700))
		bench_die_errno(dir);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/raw-%d", dir, i);
		r.fd[i] = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (r.fd[i] < 0 ||
		    pwrite(r.fd[i], init, sizeof(init), 0) !=
			(ssize_t)sizeof(init) ||
		    fsync(r.fd[i]))
			bench_die_errno(path);
	}
	rate = run_threads(&r, n, seconds, raw_worker);
	for (i = 0; i < n; i++)
		close(r.fd[i]);
	bench_rm_dir(dir);
	pthread_mutex_destroy(&r.lock);
	return rate;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench_concurrency --dir DIR [--seconds S] [--repeat R]"
		" [--max-threads N] [--quick]\n"
		"  Commits per second of 1, 2, 4, ... N writer threads"
		" (default 16),\n"
		"  each overwriting 1 KiB of its own object (durable on"
		" return),\n"
		"  over the POSIX backend in DIR (emptied), and the ratio to"
		" one\n"
		"  writer; beside it raw 1 KiB pwrite + fdatasync per thread.\n"
		"  --seconds S  time per run (default 2; --quick: 0.5)\n"
		"  --repeat R   runs per figure, the median printed (default 3;"
		" --quick: 1)\n");
}

/* Figures of one writer count: every run, then the medians. */
struct figure {
	int writers;
	double eng[MAX_REPEAT], raw[MAX_REPEAT], group[MAX_REPEAT];
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"seconds", required_argument, NULL, 's'},
	    {"repeat", required_argument, NULL, 'r'},
	    {"max-threads", required_argument, NULL, 't'},
	    {"quick", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct figure fig[MAX_COUNTS];
	const char *dir = NULL;
	double seconds = 2, base = 0, raw_base = 0, ratio16 = 0;
	int max_threads = 16, repeat = 3, nfig = 0, n, c, i, r;
	char edir[4200], rdir[4200];

	bench_init("bench_concurrency");
	while ((c = getopt_long(argc, argv, "d:s:r:t:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 's':
			seconds = strtod(optarg, NULL);
			break;
		case 'r':
			repeat = (int)bench_opt_long("--repeat", optarg, 1,
						     MAX_REPEAT);
			break;
		case 't':
			max_threads = (int)bench_opt_long(
			    "--max-threads", optarg, 1, MAX_THREADS);
			break;
		case 'q':
			seconds = 0.5;
			repeat = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!dir || optind != argc || seconds <= 0 || seconds > 3600 ||
	    repeat < 1 || repeat > MAX_REPEAT || max_threads < 1 ||
	    max_threads > MAX_THREADS) {
		usage(stderr);
		return 2;
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		bench_die_errno(dir);
	snprintf(edir, sizeof(edir), "%s/engine", dir);
	snprintf(rdir, sizeof(rdir), "%s/raw", dir);
	for (n = 1; n <= max_threads; n *= 2)
		fig[nfig++].writers = n;
	/* Runs interleaved: a burst of background load hits every count. */
	for (r = 0; r < repeat; r++) {
		for (i = 0; i < nfig; i++) {
			fig[i].eng[r] = bench_engine(edir, fig[i].writers,
						     seconds, &fig[i].group[r]);
			fig[i].raw[r] =
			    bench_raw(rdir, fig[i].writers, seconds);
		}
	}
	printf("writers  engine commits/s  ratio to 1  avg group  "
	       "raw syncs/s  raw ratio  engine/raw\n");
	for (i = 0; i < nfig; i++) {
		double eng = bench_median(fig[i].eng, repeat);
		double raw = bench_median(fig[i].raw, repeat);
		double group = bench_median(fig[i].group, repeat);

		if (i == 0) {
			base = eng;
			raw_base = raw;
		}
		printf("%7d  %16.0f  %10.2f  %9.1f  %11.0f  %9.2f  %10.2f\n",
		       fig[i].writers, eng, eng / base, group, raw,
		       raw / raw_base, eng / raw);
		if (fig[i].writers == 16)
			ratio16 = eng / base;
	}
	printf("(median of %d runs of %.1f s each)\n", repeat, seconds);
	if (max_threads >= 16)
		printf("target: 16 writers >= 3x the commits/s of one: %s "
		       "(%.2fx)\n",
		       ratio16 >= 3 ? "PASS" : "MISS", ratio16);
	rmdir(dir);
	return 0;
}
