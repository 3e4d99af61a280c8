/*
 * One background job at a time beside the TEE calls: put reads and
 * hashes chunk k + 1 while the TA stores chunk k; get hashes and writes
 * chunk k while the TA reads chunk k + 1. Each job works on its own
 * shared memory buffer, so the two never touch the same bytes, and jobs
 * run one after the other, so the SHA-256 sees the chunks in order.
 */
#ifndef SS_BG_H
#define SS_BG_H

#include <pthread.h>
#include <stdbool.h>

struct ss_bg {
	pthread_t thread;
	bool running; /* a thread to join */
	int (*fn)(void *arg);
	void *arg;
	int rc; /* the last job's result */
};

/* Runs fn(arg) on a thread, or at once (inline, or if no thread can be
 * started). A previous job must have been joined. */
void ss_bg_start(struct ss_bg *b, int (*fn)(void *arg), void *arg,
		 bool inline_run);
/* Waits for the job (if any) and returns its result (0 without one). */
int ss_bg_join(struct ss_bg *b);

#endif /* SS_BG_H */
