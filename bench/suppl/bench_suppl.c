/*
 * bench_suppl: the cost of the supplicant RPC. The same storage-engine
 * workloads run over the POSIX backend and over the RPC backend (teed's
 * suppl_link with a real tee-supplicant process serving a directory on the
 * same file system), in the same run; the ratio rpc/posix is the RPC's
 * overhead (docs/protocol-supplicant.md, "Performance").
 *	bench_suppl [--dir DIR] [--supplicant PATH] [--quick]
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "backend_posix.h"
#include "suppl_link.h"
#include "tee_error.h"
#include "tstore.h"

#define MIB   (1024 * 1024)
#define KINDS 2

static const uint8_t huk[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1};
static const TEE_UUID ta = {0xbeefcafe, 1, 2, {3, 4, 5, 6, 7, 8, 9, 10}};
static const struct tstore_head head = {.object_type = 0xA00000BF,
					.object_usage = 0xFFFFFFFF};
static uint8_t *chunk;

/* One backend under test. */
struct target {
	const char *kind;
	char dir[4096];
	struct backend *be;
	struct suppl_link *link;
	pid_t pid;
};

static void start_rpc(struct target *t, const char *root,
		      const char *supplicant)
{
	char sock[4200];
	int rc;

	snprintf(sock, sizeof(sock), "%s/suppl.sock", root);
	rc = suppl_link_start(sock, &t->link);
	if (rc) {
		fprintf(stderr, "bench_suppl: %s: %s\n", sock, strerror(-rc));
		exit(1);
	}
	t->pid = fork();
	if (t->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* no orphan if we die */
		execl(supplicant, "tee-supplicant", "--fs-parent-path", t->dir,
		      "--socket", sock, (char *)NULL);
		perror(supplicant);
		_exit(127);
	}
	if (t->pid < 0 || suppl_link_wait(t->link, 10000)) {
		fprintf(stderr, "bench_suppl: %s did not attach\n", supplicant);
		exit(1);
	}
	t->be = suppl_link_backend(t->link);
}

static void target_start(struct target *t, const char *kind, const char *root,
			 const char *supplicant)
{
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	snprintf(t->dir, sizeof(t->dir), "%s/%s", root, kind);
	bench_rm_dir(t->dir);
	if (mkdir(t->dir, 0700) < 0) {
		perror(t->dir);
		exit(1);
	}
	if (!strcmp(kind, "posix")) {
		TEE_Result res = backend_posix_open(t->dir, &t->be);

		if (res)
			bench_die(t->dir, res);
	} else {
		start_rpc(t, root, supplicant);
	}
}

static void target_stop(struct target *t)
{
	if (t->link) {
		kill(t->pid, SIGTERM);
		waitpid(t->pid, NULL, 0);
		suppl_link_stop(t->link);
	} else {
		backend_destroy(t->be);
	}
	bench_rm_dir(t->dir);
}

static struct tstore *store_open(struct backend *be)
{
	struct tstore_config cfg;
	struct tstore *s;
	TEE_Result res;

	tstore_config_init(&cfg, huk, sizeof(huk));
	res = tstore_open(be, &cfg, &s);
	if (res)
		bench_die("tstore_open", res);
	return s;
}

/* Writes size bytes in 1 MiB calls, then reads them back. MiB/s each. */
static void sequential(struct tstore *s, uint64_t size, double *wr, double *rd)
{
	struct tstore_obj *o;
	uint64_t off;
	size_t got;
	TEE_Result res;
	double t;

	res =
	    tstore_create(s, &ta, "big", 3, &head, NULL, 0, NULL, 0, true, &o);
	if (res)
		bench_die("create big", res);
	t = bench_now();
	for (off = 0; off < size; off += MIB)
		if ((res = tstore_write(o, off, chunk, MIB)))
			bench_die("write big", res);
	*wr = (double)size / MIB / (bench_now() - t);
	t = bench_now();
	for (off = 0; off < size; off += MIB)
		if ((res = tstore_read(o, off, chunk, MIB, &got)))
			bench_die("read big", res);
	*rd = (double)size / MIB / (bench_now() - t);
	tstore_release(o);
}

/* Mean latency of a 1 KiB overwrite (one commit), microseconds. */
static double overwrite(struct tstore *s, int n)
{
	struct tstore_obj *o;
	TEE_Result res;
	double t;
	int i;

	res = tstore_create(s, &ta, "ow", 2, &head, NULL, 0, chunk, 8192, true,
			    &o);
	if (res)
		bench_die("create ow", res);
	t = bench_now();
	for (i = 0; i < n; i++)
		if ((res = tstore_write(o, (uint64_t)(i % 8) * 1024, chunk,
					1024)))
			bench_die("overwrite", res);
	t = bench_now() - t;
	tstore_release(o);
	return t / n * 1e6;
}

/* Mean latency of creating a 1 KiB object, microseconds. */
static double small_creates(struct tstore *s, int n)
{
	char id[32];
	TEE_Result res;
	double t = bench_now();
	int i;

	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "small-%d", i);
		res = tstore_create(s, &ta, id, strlen(id), &head, NULL, 0,
				    chunk, 1024, false, NULL);
		if (res)
			bench_die("create small", res);
	}
	return (bench_now() - t) / n * 1e6;
}

/* Mean latency of opening (lookup + verify) a small object, us. */
static double opens(struct tstore *s, int n)
{
	struct tstore_obj *o;
	char id[32];
	TEE_Result res;
	double t = bench_now();
	int i;

	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "small-%d", (i * 7) % n);
		res = tstore_open_obj(s, &ta, id, strlen(id), &o);
		if (res)
			bench_die("open small", res);
		tstore_release(o);
	}
	return (bench_now() - t) / n * 1e6;
}

enum { F_WRITE, F_READ, F_OVERWRITE, F_CREATE, F_OPEN, F_RT, NFIG };

static const char *const fig_name[NFIG] = {
    "sequential write (MiB/s)",	   "sequential read (MiB/s)",
    "1 KiB overwrite commit (us)", "create 1 KiB object (us)",
    "open small object (us)",	   "round trips per overwrite commit",
};

static void run(struct target *t, uint64_t size, int n, double *fig)
{
	struct suppl_link_stats a, b;
	struct tstore *s = store_open(t->be);

	sequential(s, size, &fig[F_WRITE], &fig[F_READ]);
	if (t->link)
		suppl_link_get_stats(t->link, &a);
	fig[F_OVERWRITE] = overwrite(s, n);
	if (t->link) {
		suppl_link_get_stats(t->link, &b);
		fig[F_RT] = (double)(b.round_trips - a.round_trips) / n;
	}
	fig[F_CREATE] = small_creates(s, n);
	fig[F_OPEN] = opens(s, n);
	tstore_close(s);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench_suppl [--dir DIR] [--supplicant PATH] [--quick]\n"
		"  --dir DIR          scratch directory (default "
		"build/bench-suppl; emptied)\n"
		"  --supplicant PATH  tee-supplicant binary (default: this "
		"build's)\n"
		"  --quick            small sizes (8 MiB, 50 commits)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"supplicant", required_argument, NULL, 's'},
	    {"quick", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *dir = "build/bench-suppl",
		   *supplicant = TEE_SUPPLICANT_PATH;
	static const char *const kinds[KINDS] = {"posix", "rpc"};
	double fig[KINDS][NFIG] = {{0}};
	bool quick = false;
	struct target t;
	int c, k, i;

	bench_init("bench_suppl");
	while ((c = getopt_long(argc, argv, "d:s:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 's':
			supplicant = optarg;
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
	signal(SIGPIPE, SIG_IGN);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		perror(dir);
		return 1;
	}
	chunk = malloc(MIB);
	if (!chunk)
		return 1;
	for (i = 0; i < MIB; i++)
		chunk[i] = (uint8_t)(i * 131 + 7);
	for (k = 0; k < KINDS; k++) {
		target_start(&t, kinds[k], dir, supplicant);
		run(&t, quick ? 8 * (uint64_t)MIB : 64 * (uint64_t)MIB,
		    quick ? 50 : 300, fig[k]);
		target_stop(&t);
	}
	printf("%-36s %12s %12s %10s\n", "figure", "posix", "rpc", "rpc/posix");
	for (i = 0; i < NFIG; i++)
		printf("%-36s %12.2f %12.2f %10.3f\n", fig_name[i], fig[0][i],
		       fig[1][i], fig[0][i] > 0 ? fig[1][i] / fig[0][i] : 0);
	free(chunk);
	return 0;
}
