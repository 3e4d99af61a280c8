/* Starting and stopping a teed (or teed_double) process for client tests. */
#ifndef TEESTORE_TEED_PROC_H
#define TEESTORE_TEED_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct teed_proc {
	pid_t pid;
	char dir[256]; /* its state dir and socket live here */
	char socket[300];
};

/*
 * Starts `teed --foreground --socket DIR/teed.sock --ta-dir DIR
 * --state-dir DIR/state --huk-zero EXTRA...` (extra: NULL-terminated, may
 * be NULL) in a fresh temp dir and waits until the socket accepts.
 * Returns 0 or -1.
 */
int teed_proc_start(struct teed_proc *t, const char *teed, const char *tag,
		    const char *const *extra);

/* True if the process is still running. */
bool teed_proc_alive(const struct teed_proc *t);

/* SIGTERM, wait; returns the exit status (or 128 + signal), -1 on error. */
int teed_proc_stop(struct teed_proc *t);

/* Polls connect() on path for up to ms milliseconds. */
bool teed_proc_wait_socket(const char *path, unsigned ms);

#endif
