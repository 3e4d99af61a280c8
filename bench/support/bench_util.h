/*
 * What every benchmark program needs and nothing else: a monotonic clock,
 * fatal errors with the program's name, and scratch directories.
 * Benchmarks are not tests: they print figures beside raw baselines
 * (docs/benchmarks.md).
 */
#ifndef TEESTORE_BENCH_UTIL_H
#define TEESTORE_BENCH_UTIL_H

#include "tee_api_types.h"

/* Names the program in error messages; call first in main(). */
void bench_init(const char *progname);

/* Seconds on CLOCK_MONOTONIC. */
double bench_now(void);

/* "prog: what: TEE_ERROR_…", exit 1. */
void bench_die(const char *what, TEE_Result res) __attribute__((noreturn));
/* "prog: what: strerror(errno)", exit 1. */
void bench_die_errno(const char *what) __attribute__((noreturn));

/*
 * Settles the file system holding dir before a timed run (syncfs): the
 * previous run's dirty data, and the freeing of its files (this machine
 * mounts with discard), would otherwise land in whichever run comes next.
 */
void bench_settle(const char *dir);

/* Removes the files in path (one level) and path itself, if it exists. */
void bench_rm_dir(const char *path);

/* Sorts v[0..n) in ascending order. */
void bench_sort(double *v, int n);

/*
 * The median of v[0..n) (n >= 1; the mean of the middle two when n is
 * even), sorting v in place: robust against a burst of load in either
 * direction.
 */
double bench_median(double *v, int n);

/*
 * The decimal value of option opt's argument arg, which must lie in
 * [min, max]; otherwise prints "prog: opt wants min..max" and exits 2.
 */
long bench_opt_long(const char *opt, const char *arg, long min, long max);

#endif
