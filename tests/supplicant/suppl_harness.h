/*
 * Test harness: a supplicant link on a temporary socket with a real
 * tee-supplicant process (the binary of this build tree) attached to it.
 */
#ifndef TEESTORE_SUPPL_HARNESS_H
#define TEESTORE_SUPPL_HARNESS_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "suppl_link.h"

struct harness {
	char root[256]; /* temp dir holding the socket and fs/ */
	char sock[PATH_MAX];
	char fs[PATH_MAX];
	char rpmb[PATH_MAX]; /* --rpmb-file when not empty */
	struct suppl_link *link;
	pid_t pid; /* the supplicant, or 0 */
};

/*
 * Starts the link (opts may be NULL) and a supplicant serving fs_dir, or
 * <temp dir>/fs if fs_dir is NULL; with rpmb, also an RPMB device in
 * <temp dir>/rpmb. Does not touch test_tmpdir()'s buffer. 0 or -errno.
 */
int harness_start_ex(struct harness *h, const char *tag,
		     const struct suppl_link_opts *opts, const char *fs_dir,
		     bool rpmb);
int harness_start(struct harness *h, const char *tag,
		  const struct suppl_link_opts *opts);
/* Starts a (new) supplicant and waits until it is attached. */
int harness_spawn(struct harness *h);
/* Spawns a supplicant without waiting; returns its pid or -errno. */
pid_t harness_spawn_nowait(struct harness *h);
/* Kills the supplicant with sig and reaps it; returns its wait status. */
int harness_kill(struct harness *h, int sig);
/* Kills the supplicant, stops the link, removes the temp dir. */
void harness_stop(struct harness *h);

#endif
