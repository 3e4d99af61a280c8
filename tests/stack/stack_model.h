/*
 * The deterministic storage workload of the whole-stack crash test and its
 * model: SM_NOBJ object IDs, each absent or holding known bytes. Step n
 * (n >= 1) is one modifying GP call chosen from (seed, n) and the state
 * after step n - 1: create (OVERWRITE, pattern data), write at an offset
 * (random bytes, sometimes past the end or above the 60 KiB inline limit),
 * truncate (shrink or grow), rename to a free ID, or delete.
 * state(n) is the model after steps 1..n.
 */
#ifndef TEESTORE_STACK_MODEL_H
#define TEESTORE_STACK_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SM_NOBJ 5
#define SM_MAX	(96 * 1024) /* largest object the workload makes */

enum sm_kind { SM_CREATE, SM_WRITE, SM_TRUNCATE, SM_RENAME, SM_DELETE };

struct sm_op {
	enum sm_kind kind;
	int obj, to;		 /* to: rename's target */
	uint32_t off, len, seed; /* create: len, seed; write: off, len,
				    seed of the bytes; truncate: len */
};

struct sm_obj {
	bool present;
	uint32_t size;
	uint8_t data[SM_MAX];
};

/* Steps that failed cleanly with STORAGE_NO_SPACE (a small disk): they
 * count as steps but change nothing. A bitmap of SM_SKIP_MAX steps. */
#define SM_SKIP_MAX 65536
struct sm_skip {
	uint8_t bits[SM_SKIP_MAX / 8];
};
void sm_skip_set(struct sm_skip *k, uint32_t step);
bool sm_skip_has(const struct sm_skip *k, uint32_t step);

struct sm_state {
	uint64_t seed;
	uint32_t step;		    /* steps applied */
	const struct sm_skip *skip; /* or NULL */
	struct sm_obj o[SM_NOBJ];
};

void sm_init(struct sm_state *s, uint64_t seed);
/* The op of step s->step + 1. */
void sm_next_op(const struct sm_state *s, struct sm_op *op);
void sm_apply(struct sm_state *s, const struct sm_op *op);
/* Counts a step that failed with NO_SPACE (no change). */
void sm_skip_step(struct sm_state *s);
/* Advances s to state(n) (n >= s->step), skipping s->skip's steps. */
void sm_advance(struct sm_state *s, uint32_t n);
/* A write's bytes (op->len of them). */
void sm_write_data(const struct sm_op *op, uint8_t *buf);
/* "stack-obj-<i>" */
const char *sm_id(int obj);
/* Index of an ID, or -1. */
int sm_index(const char *id);
/* Compares objects and presence; false with a description in why. */
bool sm_equal(const struct sm_state *want, const struct sm_state *got,
	      char *why, size_t cap);
const char *sm_kind_name(enum sm_kind k);

#endif
