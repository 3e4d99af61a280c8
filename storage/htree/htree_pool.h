/*
 * A small process-wide worker pool for block crypto (docs/format.md,
 * "Parallel block crypto"). AES-GCM of a 4 KiB block costs about as much
 * as copying it from the page cache several times over, so one core
 * cannot keep up with a large read; the blocks of one large transfer are
 * split between the calling thread and up to HTREE_POOL_MAX - 1 workers.
 *
 * Participants are numbered by slot: 0 is the calling thread, 1.. the
 * workers. A job's function gets its slot, so per-slot state (a tree's
 * cipher contexts for that slot) is never shared between two threads.
 *
 * The pool runs one job at a time. A caller that finds it busy (another
 * thread's transfer) runs its job alone in slot 0: no thread ever waits
 * for another caller's job, and the result is the same either way.
 *
 * Workers start at the first job (min(online CPUs, HTREE_POOL_MAX) - 1 of
 * them; TEESTORE_CRYPTO_THREADS=N in the environment overrides the total,
 * 1 = no workers) and live until the process exits.
 */
#ifndef TEESTORE_HTREE_POOL_H
#define TEESTORE_HTREE_POOL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "tee_api_types.h"

#define HTREE_POOL_MAX 4

/* Runs items [begin, end) as participant slot; returns a TEE_Result. */
typedef TEE_Result (*htree_pool_fn)(void *arg, unsigned slot, size_t begin,
				    size_t end);

struct htree_pool_job {
	htree_pool_fn fn;
	void *arg;
	size_t n;     /* items */
	size_t grain; /* items claimed at a time */
	/* Private to htree_pool.c. */
	atomic_size_t next;
	atomic_uint err;  /* the first failure (0: none) */
	atomic_uint busy; /* workers inside this job (written under lock) */
	bool shared;	  /* posted to the workers */
};

/* Participants a job may have (slots 0 .. n-1); starts the workers. */
unsigned htree_pool_slots(void);

/*
 * Posts job to the workers if the pool is free; they start on it at
 * once. The caller must then call htree_pool_finish(job), and may do
 * other work (I/O for the next job) in between. Everything job->fn
 * touches must stay valid until htree_pool_finish returns.
 */
void htree_pool_start(struct htree_pool_job *job, htree_pool_fn fn, void *arg,
		      size_t n, size_t grain);

/*
 * Runs the items no worker has claimed in slot 0, then waits until every
 * worker has left the job. Returns the first failure, or TEE_SUCCESS.
 */
TEE_Result htree_pool_finish(struct htree_pool_job *job);

#endif
