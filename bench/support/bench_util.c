#include "bench_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tee_error.h"

static const char *bench_progname = "bench";

void bench_init(const char *progname)
{
	bench_progname = progname;
}

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bench_die(const char *what, TEE_Result res)
{
	fprintf(stderr, "%s: %s: %s\n", bench_progname, what,
		tee_error_name(res));
	exit(1);
}

void bench_die_errno(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", bench_progname, what, strerror(errno));
	exit(1);
}

void bench_settle(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	if (fd < 0 || syncfs(fd))
		bench_die_errno("syncfs");
	close(fd);
}

void bench_rm_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char p[PATH_MAX];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", path, e->d_name) <
		    (int)sizeof(p))
			unlink(p);
	}
	closedir(d);
	rmdir(path);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void bench_sort(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
}

double bench_median(double *v, int n)
{
	bench_sort(v, n);
	if (n % 2)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2;
}

long bench_opt_long(const char *opt, const char *arg, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max) {
		fprintf(stderr, "%s: %s wants %ld..%ld\n", bench_progname, opt,
			min, max);
		exit(2);
	}
	return v;
}
