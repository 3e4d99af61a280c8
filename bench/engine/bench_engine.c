/*
 * bench_engine: figures of the storage engine (tstore over the POSIX
 * backend) beside the raw baseline measured in the same run on the same
 * file system, and the targets as PASS/MISS.
 *	bench_engine [--dir DIR] [--quick] [--repeat N] [--only LIST]
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "backend_posix.h"
#include "htree_layout.h"
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
#define MAX_REPEAT 99
static int repeat = 5;

static void subdir(const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", root, name);
	bench_rm_dir(out);
	if (mkdir(out, 0700))
		bench_die_errno(out);
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
static void settle(void)
{
	bench_settle(root);
}

/*
 * Raw: pwrite + fdatasync per call, same sizes, into a new file (as the
 * engine's create with overwrite makes a new file). Seconds.
 */
static double raw_write(const char *path, uint64_t size, size_t call)
{
	uint64_t off;
	double t;
	int fd;

	if (unlink(path) && errno != ENOENT)
		bench_die_errno(path);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		bench_die_errno(path);
	settle();
	t = bench_now();
	for (off = 0; off < size; off += call) {
		size_t n = size - off < call ? (size_t)(size - off) : call;

		if (pwrite(fd, chunk, n, (off_t)off) != (ssize_t)n ||
		    fdatasync(fd))
			bench_die_errno("raw write");
	}
	t = bench_now() - t;
	close(fd);
	return t;
}

/*
 * The same writes in the hash-tree format's layout as the engine lays out
 * a growing file, without any crypto or metadata: each 4 KiB block at
 * both of its versions' places (they are side by side; htree_rw.c), so
 * the file stays dense at twice the bytes; contiguous runs in one
 * pwritev, fdatasync per call. What the layout alone costs on this file
 * system: the bound for the engine's writes.
 */
static double raw_layout_write(const char *path, uint64_t size, size_t call)
{
	struct iovec iov[IOV_MAX];
	uint64_t off, b, start = 0, end = 0, o;
	double t;
	int fd, n = 0, v;

	if (unlink(path) && errno != ENOENT)
		bench_die_errno(path);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		bench_die_errno(path);
	settle();
	t = bench_now();
	for (off = 0; off < size; off += call) {
		for (b = off; b < off + call && b < size; b += 4096) {
			for (v = 0; v < 2; v++) {
				o = htree_layout_block_off(b / 4096, v);
				if (n && (o != end || n == IOV_MAX)) {
					if (pwritev(fd, iov, n, (off_t)start) !=
					    (ssize_t)(end - start))
						bench_die_errno("raw layout");
					n = 0;
				}
				if (!n)
					start = end = o;
				iov[n].iov_base = chunk + (b - off);
				iov[n++].iov_len = 4096;
				end += 4096;
			}
		}
		if (n &&
		    pwritev(fd, iov, n, (off_t)start) != (ssize_t)(end - start))
			bench_die_errno("raw layout");
		n = 0;
		if (fdatasync(fd))
			bench_die_errno("raw layout");
	}
	t = bench_now() - t;
	close(fd);
	return t;
}

static double raw_read(const char *path, uint64_t size, size_t call)
{
	int fd = open(path, O_RDONLY);
	uint64_t off;
	double t;

	if (fd < 0)
		bench_die_errno(path);
	t = bench_now();
	for (off = 0; off < size; off += call)
		if (pread(fd, chunk, call, (off_t)off) < 0)
			bench_die_errno("raw read");
	t = bench_now() - t;
	close(fd);
	return t;
}

/*
 * --anchor: a counter anchor shaped like teed's (one record write and one
 * fdatasync per commit, in a file beside the store), so that the figures
 * show the anchored commit protocol (docs/engine.md, "Commit protocol").
 */
struct bench_anchor {
	struct tstore_anchor_state st;
	int fd;
};

static struct bench_anchor anchor_state = {.fd = -1};
static bool use_anchor;

static TEE_Result anchor_load(void *arg, struct tstore_anchor_state *st)
{
	struct bench_anchor *a = arg;

	*st = a->st;
	return TEE_SUCCESS;
}

static TEE_Result anchor_commit(void *arg, uint32_t counter,
				const uint8_t root_hash[32])
{
	struct bench_anchor *a = arg;
	uint8_t rec[64] = {0};

	memcpy(rec, &counter, sizeof(counter));
	memcpy(rec + 32, root_hash, 32);
	if (pwrite(a->fd, rec, sizeof(rec), 0) != (ssize_t)sizeof(rec) ||
	    fdatasync(a->fd))
		return TEE_ERROR_STORAGE_NOT_AVAILABLE;
	a->st.present = true;
	a->st.has_counter = true;
	a->st.has_hash = true;
	a->st.min_counter = counter;
	memcpy(a->st.root_hash, root_hash, 32);
	return TEE_SUCCESS;
}

static struct tstore *store_open(const char *dir, struct backend **be)
{
	static struct tstore_anchor hook = {anchor_load, anchor_commit,
					    &anchor_state};
	struct tstore_config cfg;
	struct tstore *s = NULL;
	char path[600];
	TEE_Result res;

	res = backend_posix_open(dir, be);
	if (res)
		bench_die(dir, res);
	tstore_config_init(&cfg, huk, sizeof(huk));
	if (use_anchor) {
		/* Every store the bench opens is a fresh one. */
		snprintf(path, sizeof(path), "%s.anchor", dir);
		if (anchor_state.fd >= 0)
			close(anchor_state.fd);
		anchor_state.fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (anchor_state.fd < 0)
			bench_die_errno(path);
		memset(&anchor_state.st, 0, sizeof(anchor_state.st));
		cfg.anchor = &hook;
	}
	res = tstore_open(*be, &cfg, &s);
	if (res)
		bench_die("tstore_open", res);
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
		bench_die("create", res);
	settle();
	t = bench_now();
	for (off = 0; off < size; off += call) {
		size_t n = size - off < call ? (size_t)(size - off) : call;

		res = tstore_write(o, off, chunk, n);
		if (res)
			bench_die("write", res);
	}
	t = bench_now() - t;
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
		bench_die("open", res);
	t = bench_now();
	for (off = 0; off < size; off += call) {
		res = tstore_read(o, off, chunk, call, &got);
		if (res)
			bench_die("read", res);
	}
	t = bench_now() - t;
	tstore_release(o);
	return t;
}

static double engine_open(struct tstore *s, const char *id)
{
	struct tstore_obj *o = NULL;
	TEE_Result res;
	double t = bench_now();

	res = tstore_open_obj(s, &ta, id, strlen(id), &o);
	if (res)
		bench_die("open", res);
	t = bench_now() - t;
	tstore_release(o);
	return t;
}

/* The runs of one figure. */
struct samples {
	double v[MAX_REPEAT];
	int n;
};

static void add(struct samples *s, double v)
{
	if (s->n < MAX_REPEAT)
		s->v[s->n++] = v;
}

static double median(struct samples *s)
{
	return bench_median(s->v, s->n);
}

/* Reads the file once so that the timed reads find it in the page cache. */
static void warm_raw(const char *path, uint64_t size)
{
	(void)raw_read(path, size, MIB);
}

/*
 * Sequential write and read of 4 KiB, 1 MiB and the big object. Every
 * figure is the median of `repeat` runs, raw and engine alternating, so
 * that a burst of load from other processes (or of host disk caching)
 * skews neither side alone. Reads come from the page cache on both sides: each
 * file is read once, untimed, before the timed reads.
 */
static void bench_sequential(struct tstore *s, const char *rawdir, uint64_t big,
			     double *w_ratio, double *r_ratio,
			     double *open_ratio)
{
	static const char *names[] = {"seq 4 KiB", "seq 1 MiB", "seq big"};
	uint64_t sizes[3] = {4096, MIB, big};
	char path[4400], spath[4400], what[64];
	int i, r;

	for (i = 0; i < 3; i++) {
		uint64_t size = sizes[i];
		size_t call = size < MIB ? (size_t)size : MIB;
		struct samples sew = {0}, srw = {0}, ser = {0}, srr = {0},
			       sop = {0}, ssw = {0};
		double ew, rw, er, rr, mb = (double)size / MIB;

		snprintf(path, sizeof(path), "%s/raw%d", rawdir, i);
		snprintf(spath, sizeof(spath), "%s/strided%d", rawdir, i);
		for (r = 0; r < repeat; r++) {
			add(&srw, raw_write(path, size, call));
			add(&sew, engine_write(s, names[i], size, call));
			if (i == 2)
				add(&ssw, raw_layout_write(spath, size, call));
		}
		if (i == 2)
			unlink(spath);
		warm_raw(path, size);
		(void)engine_read(s, names[i], size, call);
		for (r = 0; r < repeat; r++) {
			add(&srr, raw_read(path, size, call));
			add(&ser, engine_read(s, names[i], size, call));
			if (i == 2)
				add(&sop, engine_open(s, names[i]));
		}
		rw = median(&srw);
		ew = median(&sew);
		rr = median(&srr);
		er = median(&ser);
		snprintf(what, sizeof(what), "write %s (%.0f MiB/s raw)",
			 names[i] + 4, mb / rw);
		row(what, mb / ew, mb / rw, "MiB/s");
		if (i == 2)
			row("write big vs raw in the format's layout", mb / ew,
			    mb / median(&ssw), "MiB/s");
		snprintf(what, sizeof(what), "read %s", names[i] + 4);
		row(what, mb / er, mb / rr, "MiB/s");
		if (i == 2) {
			*w_ratio = rw / ew;
			*r_ratio = rr / er;
			*open_ratio = median(&sop) / ew;
			row("open big object (full verification) / write",
			    median(&sop) * 1e3, ew * 1e3, "ms");
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
		bench_die_errno(path);
	settle();
	t = bench_now();
	for (i = 0; i < n; i++)
		if (pwrite(fd, chunk, len, (off_t)((i * 7919) % 250) * 4096) !=
			(ssize_t)len ||
		    fdatasync(fd))
			bench_die_errno("raw latency");
	t = (bench_now() - t) / n;
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
		bench_die("create", res);
	settle();
	t = bench_now();
	for (i = 0; i < n; i++) {
		res = tstore_write(o, (uint64_t)((i * 7919) % 1000) * 1024,
				   chunk + i, 1024);
		if (res)
			bench_die("overwrite", res);
	}
	t = (bench_now() - t) / n;
	tstore_release(o);
	return t;
}

static double small_objects(struct tstore *s, int n, const char *prefix)
{
	char id[64];
	TEE_Result res;
	double t = bench_now();
	int i;

	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%s-%d", prefix, i);
		res = tstore_create(s, &ta, id, strlen(id), &head, NULL, 0,
				    chunk, 1024, true, NULL);
		if (res)
			bench_die("small create", res);
	}
	return (bench_now() - t) / n;
}

static double raw_small_files(const char *rawdir, int n)
{
	char path[4400];
	int i, fd, dfd = open(rawdir, O_RDONLY | O_DIRECTORY);
	double t = bench_now();

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/small-%d", rawdir, i);
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || write(fd, chunk, 1024) != 1024 || fdatasync(fd) ||
		    fsync(dfd))
			bench_die_errno("raw small");
		close(fd);
	}
	t = (bench_now() - t) / n;
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

	t = bench_now();
	for (i = 0; i < tries; i++) {
		char name[64];
		struct tstore_obj *o = NULL;
		TEE_Result res;

		snprintf(name, sizeof(name), "%s-%d", prefix,
			 (int)((i * 7919L) % n));
		res = tstore_open_obj(s, &ta, name, strlen(name), &o);
		if (res)
			bench_die("lookup", res);
		tstore_release(o);
	}
	*open_t = (bench_now() - t) / tries;
	t = bench_now();
	while (!tstore_enum_next(s, &ta, &cursor, NULL, id, &len))
		count++;
	*enum_t = (bench_now() - t) / (count ? count : 1);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench_engine [--dir DIR] [--quick] [--repeat N] "
		"[--only LIST] [--anchor]\n"
		"  --dir DIR     scratch directory (default build/bench-engine;"
		" emptied)\n"
		"  --quick       small sizes (10 MiB, 10^3 objects)\n"
		"  --repeat N    median of N runs per figure (default 5)\n"
		"  --only LIST   comma-separated parts: seq, commit, small, "
		"lookup\n"
		"                (default all)\n"
		"  --anchor      the store with a counter rollback anchor (one "
		"record\n"
		"                write + fdatasync per commit, as teed's)\n");
}

/* Sections of the run (--only). */
#define PART_SEQ    0x1
#define PART_COMMIT 0x2
#define PART_SMALL  0x4
#define PART_LOOKUP 0x8
#define PART_ALL    0xF

static int parse_parts(const char *list)
{
	static const char *names[] = {"seq", "commit", "small", "lookup"};
	char buf[128], *tok, *save = NULL;
	int parts = 0, i;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < 4 && strcmp(tok, names[i]); i++)
			;
		if (i == 4) {
			fprintf(stderr, "bench_engine: unknown part '%s'\n",
				tok);
			return -1;
		}
		parts |= 1 << i;
	}
	return parts;
}

/* 1 KiB overwrite commits against raw 4 KiB pwrite + fdatasync. */
static void bench_commit(struct tstore *s, const char *rawdir, double *ratio)
{
	struct samples sraw = {0}, sow = {0};
	double raw_lat, ow_lat;
	int r;

	for (r = 0; r < repeat; r++) {
		add(&sraw, raw_small_sync_latency(rawdir, 4096, 200));
		add(&sow, overwrite_latency(s, 200));
	}
	raw_lat = median(&sraw);
	ow_lat = median(&sow);
	row("1 KiB overwrite commit vs raw 4 KiB pwrite+fdatasync",
	    ow_lat * 1e6, raw_lat * 1e6, "us");
	*ratio = ow_lat / raw_lat;
}

static void bench_small(struct tstore *s, const char *rawdir)
{
	struct samples sraw = {0}, ssmall = {0};
	double raw_small, small;
	int r;

	for (r = 0; r < repeat; r++) {
		settle();
		add(&sraw, raw_small_files(rawdir, 200));
		settle();
		add(&ssmall, small_objects(s, 200, "small"));
	}
	raw_small = median(&sraw);
	small = median(&ssmall);
	row("create+write 1 KiB+close vs raw create+write+fsyncs", small * 1e6,
	    raw_small * 1e6, "us");
}

/* Lookups among 10 and among nbig objects (fresh stores). */
static void bench_lookup(int nbig, double *ratio)
{
	char sdir[4200];
	struct backend *be = NULL;
	struct tstore *s;
	double l10, e10, lbig, ebig;

	subdir("s10", sdir, sizeof(sdir));
	s = store_open(sdir, &be);
	(void)small_objects(s, 10, "o");
	lookups(s, "o", 10, &l10, &e10);
	tstore_close(s);
	backend_destroy(be);
	bench_rm_dir(sdir);
	subdir("sbig", sdir, sizeof(sdir));
	s = store_open(sdir, &be);
	(void)small_objects(s, nbig, "o");
	lookups(s, "o", nbig, &lbig, &ebig);
	row("open (lookup+verify) among 10^4 vs among 10", lbig * 1e6,
	    l10 * 1e6, "us");
	row("enumeration per object, 10^4 vs 10", ebig * 1e6, e10 * 1e6, "us");
	tstore_close(s);
	backend_destroy(be);
	bench_rm_dir(sdir);
	*ratio = lbig / l10;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"quick", no_argument, NULL, 'q'},
	    {"repeat", required_argument, NULL, 'r'},
	    {"only", required_argument, NULL, 'o'},
	    {"anchor", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *dir = "build/bench-engine";
	char sdir[4200], rawdir[4200];
	bool quick = false;
	struct backend *be = NULL;
	struct tstore *s;
	double wr = 0, rr = 0, opr = 0, owr = 0, lkr = 0;
	int c, parts = PART_ALL;

	bench_init("bench_engine");
	while ((c = getopt_long(argc, argv, "d:qr:o:ah", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			use_anchor = true;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'q':
			quick = true;
			break;
		case 'r':
			repeat = (int)bench_opt_long("--repeat", optarg, 1,
						     MAX_REPEAT);
			break;
		case 'o':
			parts = parse_parts(optarg);
			if (parts <= 0)
				return 2;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	snprintf(root, sizeof(root), "%s", dir);
	if (mkdir(root, 0700) && errno != EEXIST)
		bench_die_errno(root);
	subdir("store", sdir, sizeof(sdir));
	subdir("raw", rawdir, sizeof(rawdir));
	chunk = malloc(MIB + 4096);
	if (!chunk)
		bench_die("malloc", TEE_ERROR_OUT_OF_MEMORY);
	for (c = 0; c < MIB + 4096; c++)
		chunk[c] = (uint8_t)(c * 131 + 7);

	printf("median of %d runs per figure\n", repeat);
	printf("%-44s %12s %12s %8s\n", "figure", "engine", "raw", "ratio");
	s = store_open(sdir, &be);
	if (parts & PART_SEQ)
		bench_sequential(s, rawdir,
				 quick ? 10 * MIB : 100 * (uint64_t)MIB, &wr,
				 &rr, &opr);
	if (parts & PART_COMMIT)
		bench_commit(s, rawdir, &owr);
	if (parts & PART_SMALL)
		bench_small(s, rawdir);
	tstore_close(s);
	backend_destroy(be);
	bench_rm_dir(sdir);
	if (parts & PART_LOOKUP)
		bench_lookup(quick ? 1000 : 10000, &lkr);

	printf("\ntargets (%s run):\n", quick ? "quick" : "full");
	if (parts & PART_SEQ) {
		target("sequential write, big object, vs raw write+fsync", wr,
		       0.7, true);
		target("sequential read, big object, vs raw page-cache read",
		       rr, 0.3, true);
	}
	if (parts & PART_COMMIT)
		target("1 KiB overwrite commit / raw 4 KiB pwrite+fdatasync",
		       owr, 3.0, false);
	if (parts & PART_SEQ)
		target("open big object / time to write it", opr, 0.05, false);
	if (parts & PART_LOOKUP)
		target("lookup among many / among 10", lkr, 10.0, false);
	bench_rm_dir(rawdir);
	free(chunk);
	return 0;
}
