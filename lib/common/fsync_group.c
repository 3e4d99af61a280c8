#include "fsync_group.h"

#include <errno.h>
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

/* One group: the caller's thread takes job 0, helpers the rest. */
static int fsync_group_run(struct fsync_job *jobs, size_t n)
{
	pthread_t tid[FSYNC_GROUP_MAX];
	bool started[FSYNC_GROUP_MAX] = {false};
	size_t i;
	int err = 0;

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
	for (i = 0; i < n; i++)
		if (jobs[i].err && !err)
			err = jobs[i].err;
	return -err;
}

int fsync_group(const int *fds, const bool *full, size_t n)
{
	struct fsync_job jobs[FSYNC_GROUP_MAX];
	size_t done = 0, i, k;
	int rc = 0, r;

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
