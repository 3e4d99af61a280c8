/*
 * Steps the client tests share: test_client_api (against teed_double)
 * and test_client_ta (against the real TA side) start and stop their teed,
 * open sessions, cancel a call and kill a client in the middle of one the
 * same way; only the TA and its commands differ.
 */
#ifndef TEESTORE_CLIENT_FIXTURE_H
#define TEESTORE_CLIENT_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tee_client_api.h"
#include "teed_proc.h"

/*
 * Starts teed (teed_proc_start; extra may be NULL) with SIGPIPE ignored
 * and points libteec at it (TEESTORE_SOCKET). Returns 0, or -1 after
 * saying on stderr that teed could not start.
 */
int client_teed_start(struct teed_proc *t, const char *teed, const char *tag,
		      const char *const *extra);

/* CHECKs that teed is still running and that SIGTERM stops it cleanly. */
void client_teed_stop(struct teed_proc *t);

/*
 * A context and a public-login session on uuid; false, with nothing left
 * open, if either fails.
 */
bool client_open(TEEC_Context *ctx, TEEC_Session *s, const TEEC_UUID *uuid);

void client_close(TEEC_Context *ctx, TEEC_Session *s);

/* op zeroed, then one VALUE_INPUT (a): what the waiting commands take. */
void client_value_op(TEEC_Operation *op, uint32_t a);

/*
 * Runs call(arg) on a new thread (a TEEC call made with op) and requests
 * cancellation of op after delay_us; returns the seconds from the start
 * until the thread ended, or -1 if it could not start.
 */
double client_cancel_after(void *(*call)(void *), void *arg, TEEC_Operation *op,
			   unsigned delay_us);

/*
 * Kills the client pid (SIGKILL) after delay_us, while it is in a call,
 * and reaps it; true if it died of the signal (not of its own accord).
 */
bool client_kill_after(pid_t pid, unsigned delay_us);

#endif
