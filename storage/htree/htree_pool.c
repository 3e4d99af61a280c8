/*
 * The block-crypto worker pool (htree_pool.h).
 *
 * Synchronisation: `lock` protects `job`, `gen` and each job's `busy`. A
 * worker joins the posted job under the lock (job->busy++), claims items
 * with an atomic counter, and leaves under the lock (job->busy--).
 * htree_pool_finish takes the job down under the lock, so no worker can
 * join it afterwards, and waits for its busy == 0: after that no worker
 * touches the job or its data, and the mutex orders the workers' writes
 * before the caller's reads. The count is per job, and `idle` is
 * broadcast, because several callers may be finishing jobs at once: a
 * global count with a single wake-up once left a caller asleep forever
 * while another caller's job kept the workers busy.
 *
 * Spinning: a worker that blocks on the condition variable takes tens of
 * microseconds to wake up on a virtual machine, about as long as a whole
 * job takes. So a worker spins for POOL_SPIN_NS after each job watching
 * `gen` (the next chunk of a streaming caller comes within microseconds),
 * and the caller spins while workers finish their last items, before
 * either sleeps; both yield the CPU while they spin.
 *
 * Backing off: on a machine busy with other processes a worker can be
 * preempted while it holds a claim, and the caller then waits a time
 * slice for it: slower than doing the job alone. A caller that waited
 * longer than POOL_STRAGGLER_NS stops sharing for POOL_BACKOFF_NS.
 */
#include "htree_pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "tee_api_defines.h"

#define POOL_SPIN_NS 50000
/* A caller that waited this long for workers to finish their last items
 * (a worker preempted by another process while holding a claim) stops
 * sharing jobs for POOL_BACKOFF_NS: on a busy machine the pool is slower
 * than one thread, and waits of a whole time slice are what it costs. */
#define POOL_STRAGGLER_NS 200000
#define POOL_BACKOFF_NS	  50000000

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#else
#define cpu_relax() ((void)0)
#endif

static struct {
	pthread_once_t once;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* a job was posted */
	pthread_cond_t idle; /* some job's busy dropped to 0 */
	struct htree_pool_job *job;
	atomic_ulong gen;	     /* posts so far (written under lock) */
	_Atomic uint64_t solo_until; /* mono_ns(): no sharing before this */
	unsigned slots;		     /* 1 + running workers */
} pool = {
    .once = PTHREAD_ONCE_INIT,
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
    .idle = PTHREAD_COND_INITIALIZER,
    .slots = 1,
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Spins until *v != old or POOL_SPIN_NS pass; true if it changed. Yields
 * now and then: with more runnable threads than CPUs, a spinning worker
 * must not hold the CPU the caller needs. */
static bool spin_while_ulong(atomic_ulong *v, unsigned long old)
{
	uint64_t end = mono_ns() + POOL_SPIN_NS;
	unsigned i;

	for (;;) {
		for (i = 0; i < 64; i++) {
			if (atomic_load_explicit(v, memory_order_relaxed) !=
			    old)
				return true;
			cpu_relax();
		}
		if (mono_ns() > end)
			return false;
		sched_yield();
	}
}

static bool spin_while_busy(struct htree_pool_job *j)
{
	uint64_t end = mono_ns() + POOL_SPIN_NS;
	unsigned i;

	for (;;) {
		for (i = 0; i < 64; i++) {
			if (!atomic_load_explicit(&j->busy,
						  memory_order_relaxed))
				return true;
			cpu_relax();
		}
		if (mono_ns() > end)
			return false;
		sched_yield(); /* the worker may be waiting for this CPU */
	}
}

/* Claims and runs items until none is left. */
static void pool_work(struct htree_pool_job *j, unsigned slot)
{
	size_t i, end;
	TEE_Result res;
	unsigned expected;

	for (;;) {
		i = atomic_fetch_add(&j->next, j->grain);
		if (i >= j->n)
			return;
		end = j->n - i < j->grain ? j->n : i + j->grain;
		res = j->fn(j->arg, slot, i, end);
		expected = 0;
		if (res != TEE_SUCCESS)
			atomic_compare_exchange_strong(&j->err, &expected,
						       (unsigned)res);
	}
}

static void *pool_worker(void *arg)
{
	unsigned slot = (unsigned)(uintptr_t)arg;
	unsigned long seen = 0;
	struct htree_pool_job *j;

	for (;;) {
		/* The lock, not the spin, orders the job's data. */
		spin_while_ulong(&pool.gen, seen);
		pthread_mutex_lock(&pool.lock);
		while (!pool.job || atomic_load(&pool.gen) == seen)
			pthread_cond_wait(&pool.wake, &pool.lock);
		j = pool.job;
		seen = atomic_load(&pool.gen);
		atomic_fetch_add(&j->busy, 1);
		pthread_mutex_unlock(&pool.lock);
		pool_work(j, slot);
		pthread_mutex_lock(&pool.lock);
		if (atomic_fetch_sub(&j->busy, 1) == 1)
			pthread_cond_broadcast(&pool.idle);
		pthread_mutex_unlock(&pool.lock);
	}
	return NULL;
}

/* Participants wanted: TEESTORE_CRYPTO_THREADS, else the online CPUs. */
static unsigned pool_wanted(void)
{
	const char *env = getenv("TEESTORE_CRYPTO_THREADS");
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	char *end;

	if (env && *env) {
		n = strtol(env, &end, 10);
		if (*end)
			n = 1;
	}
	if (n < 1)
		n = 1;
	return n > HTREE_POOL_MAX ? HTREE_POOL_MAX : (unsigned)n;
}

/*
 * A forked child has none of the workers: it runs every job alone. The
 * lock may have been held by a worker at the fork, so it starts afresh.
 */
static void pool_atfork_child(void)
{
	pthread_mutex_init(&pool.lock, NULL);
	pthread_cond_init(&pool.wake, NULL);
	pthread_cond_init(&pool.idle, NULL);
	pool.job = NULL;
	pool.slots = 1;
}

static void pool_init(void)
{
	unsigned want = pool_wanted(), i;
	pthread_attr_t attr;
	pthread_t tid;

	if (want < 2 || pthread_atfork(NULL, NULL, pool_atfork_child) ||
	    pthread_attr_init(&attr))
		return;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (i = 1; i < want; i++) {
		if (pthread_create(&tid, &attr, pool_worker,
				   (void *)(uintptr_t)i))
			break;
	}
	pthread_attr_destroy(&attr);
	pthread_mutex_lock(&pool.lock);
	pool.slots = i;
	pthread_mutex_unlock(&pool.lock);
}

unsigned htree_pool_slots(void)
{
	unsigned n;

	pthread_once(&pool.once, pool_init);
	pthread_mutex_lock(&pool.lock);
	n = pool.slots;
	pthread_mutex_unlock(&pool.lock);
	return n;
}

void htree_pool_start(struct htree_pool_job *job, htree_pool_fn fn, void *arg,
		      size_t n, size_t grain)
{
	job->fn = fn;
	job->arg = arg;
	job->n = n;
	job->grain = grain ? grain : 1;
	atomic_init(&job->next, 0);
	atomic_init(&job->err, 0);
	atomic_init(&job->busy, 0);
	job->shared = false;
	if (htree_pool_slots() < 2 || n <= job->grain)
		return; /* nothing to share */
	if (mono_ns() < atomic_load(&pool.solo_until))
		return; /* backing off: workers were late recently */
	pthread_mutex_lock(&pool.lock);
	if (!pool.job) {
		pool.job = job;
		atomic_fetch_add(&pool.gen, 1);
		job->shared = true;
		pthread_cond_broadcast(&pool.wake);
	}
	pthread_mutex_unlock(&pool.lock);
}

TEE_Result htree_pool_finish(struct htree_pool_job *job)
{
	uint64_t t0;

	pool_work(job, 0);
	if (job->shared) {
		t0 = mono_ns();
		pthread_mutex_lock(&pool.lock);
		if (pool.job == job)
			pool.job = NULL; /* no worker joins from now on */
		while (atomic_load(&job->busy)) {
			pthread_mutex_unlock(&pool.lock);
			if (spin_while_busy(job)) {
				pthread_mutex_lock(&pool.lock);
				continue; /* re-checked under the lock */
			}
			pthread_mutex_lock(&pool.lock);
			if (atomic_load(&job->busy))
				pthread_cond_wait(&pool.idle, &pool.lock);
		}
		pthread_mutex_unlock(&pool.lock);
		job->shared = false;
		if (mono_ns() - t0 > POOL_STRAGGLER_NS)
			atomic_store(&pool.solo_until,
				     mono_ns() + POOL_BACKOFF_NS);
	}
	return (TEE_Result)atomic_load(&job->err);
}
