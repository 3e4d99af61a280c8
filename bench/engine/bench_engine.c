/*
 * bench_engine: figures of the storage engine (tstore over the POSIX
 * backend) beside the raw baseline measured in the same run on the same
 * file system, and the targets as PASS/MISS.
 *	bench_engine [--dir DIR] [--quick]
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend_posix.h"
#include "tee_error.h"
#include "tstore.h"

#define MIB (1024 * 1024)

static const uint8_t huk[16] = {1, 2,  3,  4,  5,  6,  7,  8,
				9, 10, 11, 12, 13, 14, 15, 16};
static const TEE_UUID ta = {0xb0b0b0b0, 1, 2, {3, 4, 5, 6, 7, 8, 9, 10}};
static const struct tstore_head head = {.object_type = 0xA00000BF,
					.object_usage = 0xFFFFFFFF};
static char root[4096];
static uint8_t *chunk;
static int misses;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, TEE_Result res)
{
	fprintf(stderr, "bench_engine: %s: %s\n", what, tee_error_name(res));
	exit(1);
}

static void die_errno(const char *what)
{
	fprintf(stderr, "bench_engine: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void rm_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char p[4400];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(path);
}

static void subdir(const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", root, name);
	rm_dir(out);
	if (mkdir(out, 0700))
		die_errno(out);
}

static void row(const char *what, double engine, double raw, const char *unit)
{
	printf("%-44s %12.2f %12.2f %8.3f  %s\n", what, engine, raw,
	       raw > 0 ? engine / raw : 0.0, unit);
}

static void target(const char *what, double value, double limit, bool ge)
{
	bool ok = ge ? value >= limit : value <= limit;

	printf("%-4s %-52s %.3f (%s %.2f)\n", ok ? "PASS" : "MISS", what, value,
	       ge ? ">=" : "<=", limit);
	misses += !ok;
}

/* Raw: pwrite + fdatasync per call, same sizes. Seconds. */
static double raw_write(const char *path, uint64_t size, size_t call)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	uint64_t off;
	double t;

	if (fd < 0)
		die_errno(path);
	t = now();
	for (off = 0; off < size; off += call) {
		size_t n = size - off < call ? (size_t)(size - off) : call;

		if (pwrite(fd, chunk, n, (off_t)off) != (ssize_t)n ||
		    fdatasync(fd))
			die_errno("raw write");
	}
	t = now() - t;
	close(fd);
	return t;
}

static double raw_read(const char *path, uint64_t size, size_t call)
{
	int fd = open(path, O_RDONLY);
	uint64_t off;
	double t;

	if (fd < 0)
		die_errno(path);
	t = now();
	for (off = 0; off < size; off += call)
		if (pread(fd, chunk, call, (off_t)off) < 0)
			die_errno("raw read");
	t = now() - t;
	close(fd);
	return t;
}

static struct tstore *store_open(const char *dir, struct backend **be)
{
	struct tstore_config cfg;
	struct tstore *s = NULL;
	TEE_Result res;

	res = backend_posix_open(dir, be);
	if (res)
		die(dir, res);
	tstore_config_init(&cfg, huk, sizeof(huk));
	res = tstore_open(*be, &cfg, &s);
	if (res)
		die("tstore_open", res);
	return s;
}

static double engine_write(struct tstore *s, const char *id, uint64_t size,
			   size_t call)
{
	struct tstore_obj *o = NULL;
	TEE_Result res;
	uint64_t off;
	double t;

	res = tstore_create(s, &ta, id, strlen(id), &head, NULL, 0, NULL, 0,
			    true, &o);
	if (res)
		die("create", res);
	t = now();
	for (off = 0; off < size; off += call) {
		size_t n = size - off < call ? (size_t)(size - off) : call;

		res = tstore_write(o, off, chunk, n);
		if (res)
			die("write", res);
	}
	t = now() - t;
	tstore_release(o);
	return t;
}

static double engine_read(struct tstore *s, const char *id, uint64_t size,
			  size_t call)
{
	struct tstore_obj *o = NULL;
	TEE_Result res;
	uint64_t off;
	size_t got;
	double t;

	res = tstore_open_obj(s, &ta, id, strlen(id), &o);
	if (res)
		die("open", res);
	t = now();
	for (off = 0; off < size; off += call) {
		res = tstore_read(o, off, chunk, call, &got);
		if (res)
			die("read", res);
	}
	t = now() - t;
	tstore_release(o);
	return t;
}

static double engine_open(struct tstore *s, const char *id)
{
	struct tstore_obj *o = NULL;
	TEE_Result res;
	double t = now();

	res = tstore_open_obj(s, &ta, id, strlen(id), &o);
	if (res)
		die("open", res);
	t = now() - t;
	tstore_release(o);
	return t;
}

static void bench_sequential(struct tstore *s, const char *rawdir, uint64_t big,
			     double *w_ratio, double *r_ratio,
			     double *open_ratio)
{
	static const char *names[] = {"seq 4 KiB", "seq 1 MiB", "seq big"};
	uint64_t sizes[3] = {4096, MIB, big};
	char path[4400], what[64];
	int i;

	for (i = 0; i < 3; i++) {
		uint64_t size = sizes[i];
		size_t call = size < MIB ? (size_t)size : MIB;
		double ew, rw, er, rr, mb = (double)size / MIB;

		snprintf(path, sizeof(path), "%s/raw%d", rawdir, i);
		rw = raw_write(path, size, call);
		ew = engine_write(s, names[i], size, call);
		rr = raw_read(path, size, call);
		er = engine_read(s, names[i], size, call);
		snprintf(what, sizeof(what), "write %s (%.0f MiB/s raw)",
			 names[i] + 4, mb / rw);
		row(what, mb / ew, mb / rw, "MiB/s");
		snprintf(what, sizeof(what), "read %s", names[i] + 4);
		row(what, mb / er, mb / rr, "MiB/s");
		if (i == 2) {
			double op = engine_open(s, names[i]);

			*w_ratio = rw / ew;
			*r_ratio = rr / er;
			*open_ratio = op / ew;
			row("open big object (full verification) / write",
			    op * 1e3, ew * 1e3, "ms");
		}
	}
}

static double raw_small_sync_latency(const char *rawdir, size_t len, int n)
{
	char path[4400];
	int fd, i;
	double t;

	snprintf(path, sizeof(path), "%s/lat", rawdir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || pwrite(fd, chunk, MIB, 0) != MIB || fsync(fd))
		die_errno(path);
	t = now();
	for (i = 0; i < n; i++)
		if (pwrite(fd, chunk, len, (off_t)((i * 7919) % 250) * 4096) !=
			(ssize_t)len ||
		    fdatasync(fd))
			die_errno("raw latency");
	t = (now() - t) / n;
	close(fd);
	return t;
}

static double overwrite_latency(struct tstore *s, int n)
{
	struct tstore_obj *o = NULL;
	TEE_Result res;
	double t;
	int i;

	res = tstore_create(s, &ta, "ow", 2, &head, NULL, 0, chunk, MIB, true,
			    &o);
	if (res)
		die("create", res);
	t = now();
	for (i = 0; i < n; i++) {
		res = tstore_write(o, (uint64_t)((i * 7919) % 1000) * 1024,
				   chunk + i, 1024);
		if (res)
			die("overwrite", res);
	}
	t = (now() - t) / n;
	tstore_release(o);
	return t;
}

static double small_objects(struct tstore *s, int n, const char *prefix)
{
	char id[64];
	TEE_Result res;
	double t = now();
	int i;

	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%s-%d", prefix, i);
		res = tstore_create(s, &ta, id, strlen(id), &head, NULL, 0,
				    chunk, 1024, true, NULL);
		if (res)
			die("small create", res);
	}
	return (now() - t) / n;
}

static double raw_small_files(const char *rawdir, int n)
{
	char path[4400];
	int i, fd, dfd = open(rawdir, O_RDONLY | O_DIRECTORY);
	double t = now();

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/small-%d", rawdir, i);
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || write(fd, chunk, 1024) != 1024 || fdatasync(fd) ||
		    fsync(dfd))
			die_errno("raw small");
		close(fd);
	}
	t = (now() - t) / n;
	close(dfd);
	return t;
}

/* Mean time to open (and verify) one of the population, and to enumerate. */
static void lookups(struct tstore *s, const char *prefix, int n, double *open_t,
		    double *enum_t)
{
	uint8_t id[TSTORE_ID_MAX];
	uint64_t cursor = 0;
	size_t len;
	int i, count = 0, tries = 2000;
	double t;

	t = now();
	for (i = 0; i < tries; i++) {
		char name[64];
		struct tstore_obj *o = NULL;
		TEE_Result res;

		snprintf(name, sizeof(name), "%s-%d", prefix,
			 (int)((i * 7919L) % n));
		res = tstore_open_obj(s, &ta, name, strlen(name), &o);
		if (res)
			die("lookup", res);
		tstore_release(o);
	}
	*open_t = (now() - t) / tries;
	t = now();
	while (!tstore_enum_next(s, &ta, &cursor, NULL, id, &len))
		count++;
	*enum_t = (now() - t) / (count ? count : 1);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bench_engine [--dir DIR] [--quick]\n"
		   "  --dir DIR  scratch directory (default build/bench-engine;"
		   " emptied)\n"
		   "  --quick    small sizes (10 MiB, 10^3 objects)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"quick", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *dir = "build/bench-engine";
	char sdir[4200], rawdir[4200];
	bool quick = false;
	struct backend *be = NULL;
	struct tstore *s;
	double wr, rr, opr, raw_lat, ow_lat, small, raw_small, l10, e10, lbig,
	    ebig, unused;
	int c, nbig;

	while ((c = getopt_long(argc, argv, "d:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'q':
			quick = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	snprintf(root, sizeof(root), "%s", dir);
	if (mkdir(root, 0700) && errno != EEXIST)
		die_errno(root);
	subdir("store", sdir, sizeof(sdir));
	subdir("raw", rawdir, sizeof(rawdir));
	chunk = malloc(MIB + 4096);
	if (!chunk)
		die("malloc", TEE_ERROR_OUT_OF_MEMORY);
	for (c = 0; c < MIB + 4096; c++)
		chunk[c] = (uint8_t)(c * 131 + 7);
	nbig = quick ? 1000 : 10000;

	s = store_open(sdir, &be);
	printf("%-44s %12s %12s %8s\n", "figure", "engine", "raw", "ratio");
	bench_sequential(s, rawdir, quick ? 10 * MIB : 100 * (uint64_t)MIB, &wr,
			 &rr, &opr);
	raw_lat = raw_small_sync_latency(rawdir, 4096, 200);
	ow_lat = overwrite_latency(s, 200);
	row("1 KiB overwrite commit vs raw 4 KiB pwrite+fdatasync",
	    ow_lat * 1e6, raw_lat * 1e6, "us");
	raw_small = raw_small_files(rawdir, 200);
	small = small_objects(s, 200, "small");
	row("create+write 1 KiB+close vs raw create+write+fsyncs", small * 1e6,
	    raw_small * 1e6, "us");
	tstore_close(s);
	backend_destroy(be);

	/* Lookups among 10 and among nbig objects (fresh stores). */
	subdir("s10", sdir, sizeof(sdir));
	s = store_open(sdir, &be);
	unused = small_objects(s, 10, "o");
	lookups(s, "o", 10, &l10, &e10);
	tstore_close(s);
	backend_destroy(be);
	subdir("sbig", sdir, sizeof(sdir));
	s = store_open(sdir, &be);
	unused = small_objects(s, nbig, "o");
	(void)unused;
	lookups(s, "o", nbig, &lbig, &ebig);
	row("open (lookup+verify) among 10^4 vs among 10", lbig * 1e6,
	    l10 * 1e6, "us");
	row("enumeration per object, 10^4 vs 10", ebig * 1e6, e10 * 1e6, "us");
	tstore_close(s);
	backend_destroy(be);

	printf("\ntargets (%s run):\n", quick ? "quick" : "full");
	target("sequential write, big object, vs raw write+fsync", wr, 0.7,
	       true);
	target("sequential read, big object, vs raw page-cache read", rr, 0.3,
	       true);
	target("1 KiB overwrite commit / raw 4 KiB pwrite+fdatasync",
	       ow_lat / raw_lat, 3.0, false);
	target("open big object / time to write it", opr, 0.05, false);
	target("lookup among many / among 10", lbig / l10, 10.0, false);
	rm_dir(sdir);
	free(chunk);
	return 0;
}
