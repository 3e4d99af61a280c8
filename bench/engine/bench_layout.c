/*
 * bench_layout: what the machine and the hash-tree layout cost, without
 * the engine: the figures docs/benchmarks.md uses to explain the engine's
 * (AES-GCM per 4 KiB block, page-cache reads and writes in the layout's
 * 8 KiB stride, fdatasync of one and of two files). Each figure is the
 * median of --repeat runs.
 *	bench_layout [--dir DIR] [--repeat N]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "bench_util.h"

#define MIB    (1024 * 1024)
#define BS     4096
#define BLOCKS (100 * 256) /* 100 MiB */
#define MAXREP 99

static char dir[4096] = "build/bench-layout";
static int repeat = 5;
static uint8_t *buf;

/* Median of repeat runs of fn(arg), in seconds. */
static double median_of(double (*fn)(int), int arg)
{
	double v[MAXREP];
	int i;

	for (i = 0; i < repeat; i++)
		v[i] = fn(arg);
	/* The upper middle one when repeat is even (not bench_median). */
	bench_sort(v, repeat);
	return v[repeat / 2];
}

static void path_of(const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", dir, name);
}

static void settle(void)
{
	bench_settle(dir);
}

/* The layout's data block offset: (2 + x + x/61) * 4096, x = 2b + v. */
static off_t block_off(uint64_t b, unsigned v)
{
	uint64_t x = 2 * b + v;

	return (off_t)((2 + x + x / 61) * BS);
}

/* AES-128-GCM of 25600 blocks, one context: the engine's per-block
 * sequence (IV, AAD, text, tag) when full, else the text update only. */
static double gcm_run(int full)
{
	static const uint8_t key[16], aad[32];
	uint8_t iv[16] = {0}, tag[16];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int i, l;
	double t;

	if (!c || !EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, NULL, NULL) ||
	    !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 16, NULL) ||
	    !EVP_EncryptInit_ex(c, NULL, NULL, key, iv))
		bench_die_errno("EVP");
	t = bench_now();
	for (i = 0; i < BLOCKS; i++) {
		iv[0] = (uint8_t)i;
		if (full && (!EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv) ||
			     !EVP_EncryptUpdate(c, NULL, &l, aad, 32)))
			bench_die_errno("EVP");
		if (!EVP_EncryptUpdate(c, buf + BS * (i % 256), &l,
				       buf + BS * (i % 256), BS))
			bench_die_errno("EVP");
		if (full &&
		    (!EVP_EncryptFinal_ex(c, tag, &l) ||
		     !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag)))
			bench_die_errno("EVP");
	}
	t = bench_now() - t;
	EVP_CIPHER_CTX_free(c);
	return t;
}

/* A 204 MiB file covering both versions of 25600 blocks, cached. */
static void make_read_file(void)
{
	char p[4200];
	int fd, i;

	path_of("layout-read", p, sizeof(p));
	fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		bench_die_errno(p);
	for (i = 0; i < 204; i++)
		if (pwrite(fd, buf, MIB, (off_t)i * MIB) != MIB)
			bench_die_errno("write");
	close(fd);
}

/* mode 0: 1 MiB preads; 1: one pread per block of version 1; 2: preadv
 * of the whole span, the other version's blocks into scratch. */
static double read_run(int mode)
{
	struct iovec iov[2 * 256 + 2];
	static uint8_t gap[2 * BS];
	char p[4200];
	uint64_t b, c;
	double t;
	int fd;

	path_of("layout-read", p, sizeof(p));
	fd = open(p, O_RDONLY);
	if (fd < 0)
		bench_die_errno(p);
	t = bench_now();
	for (c = 0; c < BLOCKS; c += 256) {
		if (mode == 0 &&
		    pread(fd, buf, MIB, (off_t)(c * BS)) != (ssize_t)MIB)
			bench_die_errno("pread");
		for (b = c; mode == 1 && b < c + 256; b++)
			if (pread(fd, buf + (b - c) * BS, BS,
				  block_off(b, 1)) != BS)
				bench_die_errno("pread");
		if (mode == 2) {
			int n = 0;
			off_t start = block_off(c, 1), end = start;

			for (b = c; b < c + 256; b++) {
				off_t o = block_off(b, 1);

				if (o > end) {
					iov[n].iov_base = gap;
					iov[n++].iov_len = (size_t)(o - end);
				}
				iov[n].iov_base = buf + (b - c) * BS;
				iov[n++].iov_len = BS;
				end = o + BS;
			}
			if (preadv(fd, iov, n, start) != end - start)
				bench_die_errno("preadv");
		}
	}
	t = bench_now() - t;
	close(fd);
	return t;
}

/* 100 calls into a new file, each fdatasync'ed: mode 0 one 1 MiB pwrite,
 * mode 1 256 pwrites of 4 KiB at version-1 offsets (the layout), mode 2
 * the layout kept dense: each block written to both versions' places
 * (2 MiB contiguous per call). */
static double write_run(int mode)
{
	char p[4200];
	uint64_t c, b;
	double t;
	int fd;

	path_of("layout-write", p, sizeof(p));
	if (unlink(p) && errno != ENOENT)
		bench_die_errno(p);
	fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		bench_die_errno(p);
	settle();
	t = bench_now();
	for (c = 0; c < BLOCKS; c += 256) {
		if (mode == 0 &&
		    pwrite(fd, buf, MIB, (off_t)(c * BS)) != (ssize_t)MIB)
			bench_die_errno("pwrite");
		for (b = c; mode == 1 && b < c + 256; b++)
			if (pwrite(fd, buf + (b - c) * BS, BS,
				   block_off(b, 1)) != BS)
				bench_die_errno("pwrite");
		if (mode == 2 &&
		    (pwrite(fd, buf, MIB, (off_t)(2 * c * BS)) !=
			 (ssize_t)MIB ||
		     pwrite(fd, buf, MIB, (off_t)(2 * c * BS) + MIB) !=
			 (ssize_t)MIB))
			bench_die_errno("pwrite");
		if (fdatasync(fd))
			bench_die_errno("fdatasync");
	}
	t = bench_now() - t;
	close(fd);
	return t;
}

/* fdatasync latency: mode 0 one file; 1 two files one after the other;
 * 2 two files at once (a second thread, kept). Mean of 200, seconds. */
static int sync_fd[2];
static pthread_mutex_t sync_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sync_cond = PTHREAD_COND_INITIALIZER;
static int sync_go, sync_done;

static void *sync_helper(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&sync_lock);
		while (!sync_go)
			pthread_cond_wait(&sync_cond, &sync_lock);
		sync_go = 0;
		pthread_mutex_unlock(&sync_lock);
		if (fdatasync(sync_fd[1]))
			bench_die_errno("fdatasync");
		pthread_mutex_lock(&sync_lock);
		sync_done = 1;
		pthread_cond_broadcast(&sync_cond);
		pthread_mutex_unlock(&sync_lock);
	}
	return NULL;
}

static double sync_run(int mode)
{
	double t;
	int i, k;

	t = bench_now();
	for (i = 0; i < 200; i++) {
		for (k = 0; k < (mode ? 2 : 1); k++)
			if (pwrite(sync_fd[k], buf, BS,
				   (off_t)((i * 7919) % 250) * BS) != BS)
				bench_die_errno("pwrite");
		if (mode == 2) {
			pthread_mutex_lock(&sync_lock);
			sync_go = 1;
			sync_done = 0;
			pthread_cond_broadcast(&sync_cond);
			pthread_mutex_unlock(&sync_lock);
		}
		if (fdatasync(sync_fd[0]))
			bench_die_errno("fdatasync");
		if (mode == 1 && fdatasync(sync_fd[1]))
			bench_die_errno("fdatasync");
		if (mode == 2) {
			pthread_mutex_lock(&sync_lock);
			while (!sync_done)
				pthread_cond_wait(&sync_cond, &sync_lock);
			pthread_mutex_unlock(&sync_lock);
		}
	}
	return (bench_now() - t) / 200;
}

static void open_sync_files(void)
{
	char p[4200];
	pthread_t tid;
	int k;

	for (k = 0; k < 2; k++) {
		snprintf(p, sizeof(p), "%s/layout-sync%d", dir, k);
		sync_fd[k] = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (sync_fd[k] < 0 ||
		    pwrite(sync_fd[k], buf, MIB, 0) != (ssize_t)MIB ||
		    fsync(sync_fd[k]))
			bench_die_errno(p);
	}
	if (pthread_create(&tid, NULL, sync_helper, NULL))
		bench_die_errno("pthread_create");
	pthread_detach(tid);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bench_layout [--dir DIR] [--repeat N]\n"
		   "  --dir DIR    scratch directory (default "
		   "build/bench-layout; its files are removed)\n"
		   "  --repeat N   median of N runs per figure (default 5)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"repeat", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *names[] = {"layout-read", "layout-write", "layout-sync0",
			       "layout-sync1"};
	char p[4200];
	double a, b, c;
	int opt, i;

	bench_init("bench_layout");
	while ((opt = getopt_long(argc, argv, "d:r:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			snprintf(dir, sizeof(dir), "%s", optarg);
			break;
		case 'r':
			repeat =
			    (int)bench_opt_long("--repeat", optarg, 1, MAXREP);
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
	if (mkdir(dir, 0700) && errno != EEXIST)
		bench_die_errno(dir);
	buf = malloc(MIB);
	if (!buf)
		bench_die_errno("malloc");
	memset(buf, 0x5a, MIB);
	printf("median of %d runs per figure; 100 MiB = 25600 blocks\n",
	       repeat);

	a = median_of(gcm_run, 1);
	b = median_of(gcm_run, 0);
	printf("AES-128-GCM per 4 KiB block, one thread: %.2f us (text "
	       "update alone %.2f us) = %.1f ms per 100 MiB\n",
	       a * 1e6 / BLOCKS, b * 1e6 / BLOCKS, a * 1e3);

	make_read_file();
	(void)read_run(0); /* warm */
	a = median_of(read_run, 0);
	b = median_of(read_run, 1);
	c = median_of(read_run, 2);
	printf("page-cache read of 100 MiB: 1 MiB preads %.1f ms; 4 KiB "
	       "preads at 8 KiB stride %.1f ms; preadv of the span with the "
	       "gaps into scratch %.1f ms\n",
	       a * 1e3, b * 1e3, c * 1e3);

	a = median_of(write_run, 0);
	b = median_of(write_run, 1);
	c = median_of(write_run, 2);
	printf("100 x (write 1 MiB + fdatasync), new file: contiguous %.0f "
	       "MiB/s; 4 KiB blocks at 8 KiB stride (the layout) %.0f MiB/s "
	       "(%.2f of contiguous); the layout kept dense (2 MiB per call) "
	       "%.0f MiB/s of data\n",
	       100 / a, 100 / b, a / b, 100 / c);

	open_sync_files();
	a = median_of(sync_run, 0);
	b = median_of(sync_run, 1);
	c = median_of(sync_run, 2);
	printf("4 KiB pwrite + fdatasync: one file %.0f us; two files one "
	       "after the other %.0f us; two files at once %.0f us\n",
	       a * 1e6, b * 1e6, c * 1e6);

	for (i = 0; i < 4; i++) {
		path_of(names[i], p, sizeof(p));
		unlink(p);
	}
	free(buf);
	return 0;
}
