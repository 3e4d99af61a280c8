/*
 * Test hooks of the object layer (tests only, not for teed): they make
 * commit groups deterministic so that a crash test can enumerate every
 * event of a group commit (docs/engine.md, "Group commit").
 *
 *	tstore_test_hold_groups(s, true);
 *	start commit 1; wait until tstore_test_group_joins(s) counts it
 *	start commit 2; wait likewise ... (each has written its object)
 *	tstore_test_hold_groups(s, false);   commit 1 leads all of them
 */
#ifndef TEESTORE_TSTORE_TEST_H
#define TEESTORE_TSTORE_TEST_H

#include <stdbool.h>
#include <stdint.h>

#include "tstore.h"

/*
 * While held, a commit that is to lead a group waits (before it takes
 * any lock but its object's), and every later commit writes its object
 * and queues behind it. Releasing lets the leader take every queued
 * commit (up to the group limit) into one group.
 */
void tstore_test_hold_groups(struct tstore *s, bool hold);

/*
 * Commits that have reached the commit queue so far (a leader counts when
 * it starts leading, a follower after it has written its object).
 */
uint64_t tstore_test_group_joins(struct tstore *s);

/*
 * True if dirf.db's last open or reload took the crash fallback to the
 * previous generation (docs/engine.md, "Commit protocol"), so that a crash
 * test can assert that it exercises that path.
 */
bool tstore_test_dirf_fell_back(struct tstore *s);

#endif
