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

#endif
