/*
 * A private teed + tee-supplicant for the whole-stack tests
 * (docs/gp-storage.md, "Whole-stack tests"): started and killed one by one
 * so that a test can SIGKILL either at any moment and restart it on the
 * same state. Everything lives in one temp dir (short enough for the
 * sockets' sun_path): teed.sock, suppl.sock, teed/ (HUK), ree/ (the
 * supplicant's files), rpmb.img.
 */
#ifndef TEESTORE_STACK_ENV_H
#define TEESTORE_STACK_ENV_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

struct stack_env {
	const char *teed_bin, *suppl_bin, *ta_dir;
	char dir[PATH_MAX];
	char sock[PATH_MAX], ssock[PATH_MAX];
	char teed_state[PATH_MAX], ree[PATH_MAX], rpmb[PATH_MAX];
	pid_t teed, suppl; /* 0: not running */
	bool mounted;	   /* ree/ is a tmpfs of ours */
};

/*
 * Makes the temp dir (test_tmpdir(tag)) and its ree/ and teed/ folders and
 * sets TEESTORE_SOCKET for libteec. Returns 0 or -1.
 */
int stack_env_init(struct stack_env *e, const char *teed_bin,
		   const char *suppl_bin, const char *ta_dir, const char *tag);

/*
 * Enters a private mount namespace (as root; else a user namespace too)
 * and mounts a tmpfs with opts (e.g. "size=768k,mode=0700") on ree/, for
 * this process and the teed and supplicant it starts. False (with a
 * message) when that is not allowed: the test should exit 77.
 */
bool stack_env_mount_ree(struct stack_env *e, const char *opts);

/* Starts teed (--huk-zero) and waits until its socket accepts (teed
 * listens once a supplicant attached or after its 10 s wait). */
int stack_start_teed(struct stack_env *e);

/* Starts tee-supplicant on ree/ (it connects and reconnects by itself). */
int stack_start_suppl(struct stack_env *e);

/* Starts whatever is not running: supplicant first, then teed. */
int stack_start(struct stack_env *e);

/* Sends sig to *pid, reaps it and sets *pid to 0; returns the wait status
 * (or -1). No-op returning 0 when *pid is 0. */
int stack_kill(pid_t *pid, int sig);

/* True while the process has not exited (reaps it if it has). */
bool stack_alive(pid_t *pid);

/* SIGTERM to both; true if both exited 0. */
bool stack_stop(struct stack_env *e);

/* Stops both and removes the temp dir. */
void stack_env_fini(struct stack_env *e);

/* Waits up to ms for the child to exit; its wait status, or -1 on
 * timeout (the child is left running). */
int stack_wait_child(pid_t pid, unsigned ms);

/* Sleeps ms milliseconds. */
void stack_sleep_ms(unsigned ms);

#endif
