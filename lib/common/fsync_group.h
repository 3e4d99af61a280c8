/*
 * A durability barrier over several files at once. Every file's
 * write-back is started first (sync_file_range WRITE, a hint), then each
 * is made durable with fdatasync() (fsync() for a directory): two files,
 * a commit's first barrier, one after the other on the calling thread
 * (their data already in flight, no thread to wake); more, on helper
 * threads at the same time, so that the file system can fold their
 * flushes. Used by the POSIX backend and by tee-supplicant for a run of
 * SYNC/SYNC_DIR ops.
 */
#ifndef TEESTORE_FSYNC_GROUP_H
#define TEESTORE_FSYNC_GROUP_H

#include <stdbool.h>
#include <stddef.h>

#define FSYNC_GROUP_MAX 16

/*
 * Makes fds[i] durable: fsync() where full[i] (a directory), else
 * fdatasync(). All n at once (n <= FSYNC_GROUP_MAX; more are done in
 * groups). Returns 0 or the first failure's -errno; every fd is synced
 * whatever the others' outcome.
 */
int fsync_group(const int *fds, const bool *full, size_t n);

#endif
