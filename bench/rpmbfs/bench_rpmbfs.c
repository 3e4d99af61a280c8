/*
 * bench_rpmbfs: the RPMB FS over the emulated eMMC RPMB device (a file,
 * durable writes), in the same run: the raw device (authenticated
 * multi-block writes and reads, no FS), rpmbfs, and rpmbfs in OP-TEE's
 * write pattern (one frame per authenticated write, in place only inside
 * one block). Figures: write and read throughput of one object, and the
 * commit latency of small-object creates and updates (docs/rpmbfs.md).
 *	bench_rpmbfs [--dir DIR] [--quick]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "log.h"
#include "rpmb_dev.h"
#include "rpmbfs_dev_transport.h"
#include "rpmbfs_int.h"
#include "tee_error.h"

static const uint8_t huk[16] = {1, 2,  3,  4,  5,  6,  7,  8,
				9, 10, 11, 12, 13, 14, 15, 16};
static const TEE_UUID ta = {0xb0b0b0b0, 1, 2, {3, 4, 5, 6, 7, 8, 9, 10}};
static const struct tstore_head head = {.object_type = 0xA00000BF,
					.object_usage = 0xFFFFFFFF};
static char dir[3800];
static size_t obj_size = 128 * 1024;
static int small_n = 100;

static void check(const char *what, TEE_Result res)
{
	if (res)
		bench_die(what, res);
}

/* The device files live only for one measurement. */
static void drop_dev(struct rpmb_dev *d, const char *name)
{
	char path[4000];

	rpmb_dev_close(d);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static struct rpmb_dev *fresh_dev(const char *name)
{
	struct rpmb_dev_config cfg;
	struct rpmb_dev *d;
	char path[4000];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	memset(&cfg, 0, sizeof(cfg));
	cfg.path = path;
	cfg.create = true;
	if (rpmb_dev_open(&cfg, &d)) {
		fprintf(stderr, "bench_rpmbfs: cannot create %s\n", path);
		exit(1);
	}
	return d;
}

static double mibs(size_t bytes, double secs)
{
	return (double)bytes / (1024.0 * 1024.0) / secs;
}

struct row {
	const char *name;
	double wr, rd;	   /* MiB/s */
	double create_ms;  /* small object create */
	double update_ms;  /* small object in-place update */
	uint64_t frames;   /* frames written for the big write */
	uint64_t requests; /* device requests for the big write */
};

/* The device alone: signed multi-block writes and reads, no FS. */
static void bench_raw(struct row *r)
{
	struct rpmb_dev *d = fresh_dev("raw.img");
	struct rpmbfs_stats st;
	struct rpmbfs_config cfg;
	struct rpmbfs_link l;
	uint8_t *buf = calloc(1, obj_size);
	uint32_t nblk = (uint32_t)(obj_size / RPMB_BLOCK_SIZE), done;
	double t;
	int i;

	memset(&st, 0, sizeof(st));
	rpmbfs_config_init(&cfg, huk, sizeof(huk));
	memset(&l, 0, sizeof(l));
	l.stats = &st;
	rpmbfs_dev_transport(d, &l.t);
	check("provision", rpmbfs_provision(&l.t, &cfg));
	check("info", rpmbfs_link_info(&l));
	check("key",
	      keys_derive_rpmb_key(huk, sizeof(huk), l.cid, true, l.key));
	check("counter", rpmbfs_link_read_counter(&l));
	t = bench_now();
	for (done = 0; done < nblk;) {
		uint32_t n =
		    nblk - done < l.max_write ? nblk - done : l.max_write;

		check("write", rpmbfs_link_write(&l, 1000 + done, n,
						 buf + done * RPMB_BLOCK_SIZE));
		done += n;
	}
	r->wr = mibs(obj_size, bench_now() - t);
	r->frames = st.frames_written;
	r->requests = st.requests;
	t = bench_now();
	for (done = 0; done < nblk;) {
		uint32_t n = nblk - done < RPMBFS_READ_MAX_BLOCKS
				 ? nblk - done
				 : RPMBFS_READ_MAX_BLOCKS;

		check("read", rpmbfs_link_read(&l, 1000 + done, n,
					       buf + done * RPMB_BLOCK_SIZE));
		done += n;
	}
	r->rd = mibs(obj_size, bench_now() - t);
	/* A small commit on the raw device: one single-frame write. */
	t = bench_now();
	for (i = 0; i < small_n; i++)
		check("write", rpmbfs_link_write(&l, 10, 1, buf));
	r->create_ms = r->update_ms = (bench_now() - t) * 1000 / small_n;
	free(buf);
	drop_dev(d, "raw.img");
}

static void bench_fs(struct row *r, bool optee_like)
{
	struct rpmb_dev *d = fresh_dev(optee_like ? "optee.img" : "fs.img");
	struct rpmbfs_stats s0, s1;
	struct rpmbfs_config cfg;
	struct rpmb_transport t;
	struct rpmbfs_obj *o;
	struct rpmbfs *fs;
	uint8_t *buf = calloc(1, obj_size), small[100];
	size_t got, chunk = 16 * 1024, off;
	double t0;
	char id[32];
	int i;

	memset(small, 0x5a, sizeof(small));
	rpmbfs_dev_transport(d, &t);
	rpmbfs_config_init(&cfg, huk, sizeof(huk));
	cfg.one_block_writes = optee_like;
	check("provision", rpmbfs_provision(&t, &cfg));
	check("mount", rpmbfs_open(&t, &cfg, &fs));
	check("create", rpmbfs_create(fs, &ta, "big", 3, &head, NULL, 0, buf,
				      obj_size, false, &o));
	/* Overwrite the object in 16 KiB writes inside its size. */
	rpmbfs_get_stats(fs, &s0);
	t0 = bench_now();
	for (off = 0; off < obj_size; off += chunk)
		check("write", rpmbfs_write(o, off, buf + off, chunk));
	r->wr = mibs(obj_size, bench_now() - t0);
	rpmbfs_get_stats(fs, &s1);
	r->frames = s1.frames_written - s0.frames_written;
	r->requests = s1.requests - s0.requests;
	t0 = bench_now();
	check("read", rpmbfs_read(o, 0, buf, obj_size, &got));
	r->rd = mibs(obj_size, bench_now() - t0);
	rpmbfs_release(o);
	t0 = bench_now();
	for (i = 0; i < small_n; i++) {
		snprintf(id, sizeof(id), "small-%d", i);
		check("create",
		      rpmbfs_create(fs, &ta, id, strlen(id), &head, NULL, 0,
				    small, sizeof(small), false, NULL));
	}
	r->create_ms = (bench_now() - t0) * 1000 / small_n;
	check("open", rpmbfs_open_obj(fs, &ta, "small-0", 7, &o));
	t0 = bench_now();
	for (i = 0; i < small_n; i++)
		check("update", rpmbfs_write(o, 0, small, sizeof(small)));
	r->update_ms = (bench_now() - t0) * 1000 / small_n;
	rpmbfs_release(o);
	rpmbfs_close(fs);
	free(buf);
	drop_dev(d, optee_like ? "optee.img" : "fs.img");
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bench_rpmbfs [--dir DIR] [--quick]\n"
		   "  --dir DIR  scratch directory (default: $TMPDIR or "
		   "/tmp)\n"
		   "  --quick    smaller object, fewer small commits\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"quick", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	struct row rows[3] = {{.name = "raw device"},
			      {.name = "rpmbfs"},
			      {.name = "rpmbfs, OP-TEE-like"}};
	int c, i;

	bench_init("bench_rpmbfs");
	snprintf(dir, sizeof(dir), "%s/bench_rpmbfs", base);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			snprintf(dir, sizeof(dir), "%s", optarg);
			break;
		case 'q':
			obj_size = 64 * 1024;
			small_n = 20;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	mkdir(dir, 0700);
	log_set_level(LOG_LEVEL_ERROR); /* provisioning of scratch devices */
	bench_raw(&rows[0]); /* warm-up: the first device file's costs */
	bench_raw(&rows[0]);
	bench_fs(&rows[1], false);
	bench_fs(&rows[2], true);
	printf("object %zu KiB written in 16 KiB writes inside its size, read "
	       "whole; %d small (100 B) objects\n",
	       obj_size / 1024, small_n);
	printf("%-22s %9s %9s %8s %8s %12s %12s\n", "", "write", "read",
	       "frames", "requests", "small create", "small update");
	for (i = 0; i < 3; i++)
		printf("%-22s %6.2f MiB/s %6.2f MiB/s %6llu %8llu %9.3f ms "
		       "%9.3f ms\n",
		       rows[i].name, rows[i].wr, rows[i].rd,
		       (unsigned long long)rows[i].frames,
		       (unsigned long long)rows[i].requests, rows[i].create_ms,
		       rows[i].update_ms);
	printf("rpmbfs vs OP-TEE-like: write %.1fx faster, small update "
	       "%.1fx\n",
	       rows[1].wr / rows[2].wr, rows[2].update_ms / rows[1].update_ms);
	return 0;
}
