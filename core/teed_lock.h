/*
 * One user of a teed state directory at a time: teed holds an exclusive
 * flock(2) on <state-dir>/lock for as long as it runs, and so does the
 * offline tool (tsfs --teed-state). A second teed on the same state, or
 * tsfs while teed runs, would each commit dirf.db and the rollback anchor
 * behind the other's back.
 */
#ifndef TEESTORE_TEED_LOCK_H
#define TEESTORE_TEED_LOCK_H

#define TEED_LOCK_FILE "lock"

/*
 * Takes the lock of state_dir (creating the lock file, 0600): returns its
 * fd (close-on-exec; keep it open to hold the lock), -EBUSY if another
 * process holds it, or -errno.
 */
int teed_state_lock(const char *state_dir);

#endif
