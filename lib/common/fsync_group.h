/*
 * A durability barrier over several files at once. fdatasync() of two
 * files one after the other costs two device flushes; issued at the same
 * time, the file system (ext4's jbd2, xfs's log) usually folds them into
 * one journal commit. A commit's first barrier touches the object file and
 * dirf.db, so this halves its cost. Used by the POSIX backend and by
 * tee-supplicant for a run of SYNC/SYNC_DIR ops.
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
