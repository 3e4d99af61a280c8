/*
 * The client side of the whole-stack crash test, run in forked children
 * (libteec is only ever used in a child, so the driver can kill and
 * restart the stack freely):
 *   stack_client_run    executes the workload (stack_model.h) from a
 *                       given step and reports each acknowledged step
 *   stack_client_check  reads the whole store through the TA and compares
 *                       it with the model
 */
#ifndef TEESTORE_STACK_CLIENT_H
#define TEESTORE_STACK_CLIENT_H

#include <stdint.h>

#include "stack_model.h"
#include "stack_ta.h"

/* Records on the report pipe. */
enum {
	STACK_REC_ACK = 1,
	STACK_REC_ERROR = 2,
	STACK_REC_OPEN_ERROR = 3,
	STACK_REC_NOSPACE = 4, /* the step failed with STORAGE_NO_SPACE */
};
struct stack_rec {
	uint32_t type;
	uint32_t value; /* ACK: step number; ERROR: the TEEC_Result of a
			   step; OPEN_ERROR: of context or session opening */
};

/* Runs steps from + 1 ... (without end) of workload seed on storage test
 * TA ta (1: a, 2: b: another UUID, so another private storage). With
 * skip (a small disk), a step failing with STORAGE_NO_SPACE is reported
 * (NOSPACE), added to skip and the workload goes on; after each
 * acknowledged one writes an ACK record to fd; on the first error an
 * ERROR record, and exits 2. Never returns. */
void stack_client_run(uint64_t seed, uint32_t from, int ta,
		      struct sm_skip *skip, int fd) __attribute__((noreturn));

/* Exit codes of stack_client_check. */
enum {
	STACK_CHECK_OLD = 0, /* the store is state(k) */
	STACK_CHECK_NEW = 1, /* the store is state(k + 1) */
	STACK_CHECK_BAD = 3, /* neither (details on stderr) */
	STACK_CHECK_ERR = 4, /* a TA call failed */
};

/* Compares the store with state(k) and state(k + 1) of workload seed
 * (skip: the steps that failed with NO_SPACE, or NULL);
 * retries while storage is not available (supplicant reattaching).
 * Never returns: exits with one of the codes above. */
void stack_client_check(uint64_t seed, uint32_t k, int ta,
			const struct sm_skip *skip) __attribute__((noreturn));

/* Execution of one workload step through the TA (buf: SM_MAX bytes). */
struct sm_op;
TEEC_Result stack_client_step(struct st_sess *s, const struct sm_op *op,
			      uint8_t *buf);

#endif
