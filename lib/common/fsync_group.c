#include "fsync_group.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

struct fsync_job {
	int fd;
	bool full;
	int err;
};

static void fsync_job_run(struct fsync_job *j)
{
	int r;

	do
		r = j->full ? fsync(j->fd) : fdatasync(j->fd);
	while (r < 0 && errno == EINTR);
	j->err = r < 0 ? errno : 0;
}

static void *fsync_job_thread(void *arg)
{
	fsync_job_run(arg);
	return NULL;
}

/* One group with a thread per extra job (when the helpers are busy). */
static int fsync_group_spawn(struct fsync_job *jobs, size_t n)
{
	pthread_t tid[FSYNC_GROUP_MAX];
	bool started[FSYNC_GROUP_MAX] = {false};
	size_t i;

	for (i = 1; i < n; i++)
		started[i] = pthread_create(&tid[i], NULL, fsync_job_thread,
					    &jobs[i]) == 0;
	fsync_job_run(&jobs[0]);
	for (i = 1; i < n; i++) {
		if (started[i])
			pthread_join(tid[i], NULL);
		else
			fsync_job_run(&jobs[i]); /* no thread: do it here */
	}
	return 0;
}

/*
 * Helper threads, started on first use and kept: starting and ending a
 * thread per barrier cost about 30 us here, a tenth of a small commit.
 * One group at a time uses them (`busy`); a concurrent caller spawns
 * threads as before. Jobs are claimed under `lock` (next), the caller
 * claiming too, so a group completes even with no helper awake.
 */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake; /* a group was posted */
	pthread_cond_t done; /* pending reached 0 */
	struct fsync_job *jobs;
	size_t n, next, pending;
	bool busy;
	size_t helpers;
} fg = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
    .done = PTHREAD_COND_INITIALIZER,
};

static void *fsync_helper(void *arg)
{
	struct fsync_job *j;

	(void)arg;
	pthread_mutex_lock(&fg.lock);
	for (;;) {
		while (!fg.busy || fg.next >= fg.n)
			pthread_cond_wait(&fg.wake, &fg.lock);
		j = &fg.jobs[fg.next++];
		pthread_mutex_unlock(&fg.lock);
		fsync_job_run(j);
		pthread_mutex_lock(&fg.lock);
		if (--fg.pending == 0)
			pthread_cond_signal(&fg.done);
	}
	return NULL;
}

/* A forked child has no helpers (and the lock may have been held at the
 * fork): it starts afresh and makes its own. */
static void fsync_atfork_child(void)
{
	pthread_mutex_init(&fg.lock, NULL);
	pthread_cond_init(&fg.wake, NULL);
	pthread_cond_init(&fg.done, NULL);
	fg.jobs = NULL;
	fg.n = fg.next = fg.pending = 0;
	fg.busy = false;
	fg.helpers = 0;
}

static pthread_once_t fg_once = PTHREAD_ONCE_INIT;
static bool fg_atfork_ok;

static void fsync_atfork_register(void)
{
	fg_atfork_ok = pthread_atfork(NULL, NULL, fsync_atfork_child) == 0;
}

/* Starts helpers up to want (under fg.lock). */
static void fsync_helpers_start(size_t want)
{
	pthread_attr_t attr;
	pthread_t tid;

	pthread_once(&fg_once, fsync_atfork_register);
	if (!fg_atfork_ok || fg.helpers >= want || pthread_attr_init(&attr))
		return;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	while (fg.helpers < want &&
	       pthread_create(&tid, &attr, fsync_helper, NULL) == 0)
		fg.helpers++;
	pthread_attr_destroy(&attr);
}

/* One group: the caller's thread takes job 0, helpers the rest. */
static int fsync_group_run(struct fsync_job *jobs, size_t n)
{
	struct fsync_job *j;
	size_t i;
	int err = 0;

	pthread_mutex_lock(&fg.lock);
	if (n > 1 && !fg.busy) {
		fsync_helpers_start(n - 1);
		fg.busy = true;
		fg.jobs = jobs;
		fg.n = n;
		fg.next = 1;
		fg.pending = n - 1;
		pthread_cond_broadcast(&fg.wake);
		pthread_mutex_unlock(&fg.lock);
		fsync_job_run(&jobs[0]);
		pthread_mutex_lock(&fg.lock);
		while (fg.next < fg.n) { /* not claimed yet: do it here */
			j = &fg.jobs[fg.next++];
			pthread_mutex_unlock(&fg.lock);
			fsync_job_run(j);
			pthread_mutex_lock(&fg.lock);
			fg.pending--;
		}
		while (fg.pending)
			pthread_cond_wait(&fg.done, &fg.lock);
		fg.busy = false;
		fg.jobs = NULL;
		pthread_mutex_unlock(&fg.lock);
	} else {
		pthread_mutex_unlock(&fg.lock);
		fsync_group_spawn(jobs, n);
	}
	for (i = 0; i < n; i++)
		if (jobs[i].err && !err)
			err = jobs[i].err;
	return -err;
}

/*
 * Starts the write-back of every file's dirty data at once, without
 * waiting (a hint: the fdatasync() that follows does all that durability
 * needs, data, metadata and the device flush, whatever this did). The
 * flushes then find the data of both files of a commit already written or
 * in flight: two files took 126 us this way against 155 us one after the
 * other and 150-185 us on two threads (docs/benchmarks.md, "1 KiB
 * commit").
 */
static void start_writeback(const int *fds, const bool *full, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!full || !full[i])
			(void)sync_file_range(fds[i], 0, 0,
					      SYNC_FILE_RANGE_WRITE);
}

int fsync_group(const int *fds, const bool *full, size_t n)
{
	struct fsync_job jobs[FSYNC_GROUP_MAX];
	size_t done = 0, i, k;
	int rc = 0, r;

	start_writeback(fds, full, n);
	/* Two files (a commit's first barrier): one thread, no wake-up. */
	if (n <= 2) {
		for (i = 0; i < n; i++) {
			jobs[i].fd = fds[i];
			jobs[i].full = full ? full[i] : false;
			fsync_job_run(&jobs[i]);
			if (jobs[i].err && !rc)
				rc = -jobs[i].err;
		}
		return rc;
	}
	while (done < n) {
		k = n - done < FSYNC_GROUP_MAX ? n - done : FSYNC_GROUP_MAX;
		for (i = 0; i < k; i++) {
			jobs[i].fd = fds[done + i];
			jobs[i].full = full ? full[done + i] : false;
			jobs[i].err = 0;
		}
		r = fsync_group_run(jobs, k);
		if (r && !rc)
			rc = r;
		done += k;
	}
	return rc;
}
