/* The whole-stack crash test's client side (stack_client.h). */
#include "stack_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stack_env.h"
#include "stack_model.h"
#include "tee_api_defines.h"

#define RW	    (TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE)
#define RETRY_MS    100
#define RETRY_COUNT 150 /* 15 s for a supplicant to (re)attach */

static void report(int fd, uint32_t type, uint32_t value)
{
	struct stack_rec r = {type, value};

	if (write(fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(5);
}

TEEC_Result stack_client_step(struct st_sess *s, const struct sm_op *op,
			      uint8_t *buf)
{
	uint32_t h = 0, flags;
	TEEC_Result res;

	if (op->kind == SM_CREATE)
		return st_create(s, sm_id(op->obj),
				 RW | TEE_DATA_FLAG_OVERWRITE, op->len,
				 op->seed);
	flags = op->kind == SM_WRITE	  ? RW
		: op->kind == SM_TRUNCATE ? TEE_DATA_FLAG_ACCESS_WRITE
					  : TEE_DATA_FLAG_ACCESS_WRITE_META;
	res = st_open_obj(s, sm_id(op->obj), flags, &h);
	if (res)
		return res;
	switch (op->kind) {
	case SM_WRITE:
		sm_write_data(op, buf);
		res = st_seek(s, h, op->off);
		if (!res)
			res = st_write(s, h, buf, op->len);
		break;
	case SM_TRUNCATE:
		res = st_truncate(s, h, op->len);
		break;
	case SM_RENAME:
		res = st_rename(s, h, sm_id(op->to));
		break;
	default: /* SM_DELETE closes the handle itself */
		return st_delete(s, h);
	}
	st_close_obj(s, h);
	return res;
}

void stack_client_run(uint64_t seed, uint32_t from, int ta,
		      struct sm_skip *skip, int fd)
{
	struct sm_state *m = malloc(sizeof(*m));
	uint8_t *buf = malloc(SM_MAX);
	struct st_sess s;
	struct sm_op op;
	TEEC_Result res;

	if (!m || !buf)
		_exit(5);
	sm_init(m, seed);
	m->skip = skip;
	sm_advance(m, from);
	res = st_open_ta(&s, ta);
	if (res) {
		report(fd, STACK_REC_OPEN_ERROR, res);
		_exit(2);
	}
	for (;;) {
		if (sm_skip_has(skip, m->step + 1)) { /* failed before */
			sm_skip_step(m);
			continue;
		}
		sm_next_op(m, &op);
		res = stack_client_step(&s, &op, buf);
		if (res == TEEC_ERROR_STORAGE_NO_SPACE && skip) {
			sm_skip_step(m);
			sm_skip_set(skip, m->step);
			report(fd, STACK_REC_NOSPACE, m->step);
			continue;
		}
		if (res) {
			report(fd, STACK_REC_ERROR, res);
			_exit(2);
		}
		sm_apply(m, &op);
		report(fd, STACK_REC_ACK, m->step);
	}
}

struct enum_ctx {
	const struct sm_state *got;
	int seen, bad;
};

static void on_id(const char *id, void *arg)
{
	struct enum_ctx *c = arg;
	int i = sm_index(id);

	if (i < 0 || !c->got->o[i].present) {
		fprintf(stderr,
			"check: enumeration lists '%s', which the "
			"reads did not find\n",
			id);
		c->bad++;
		return;
	}
	c->seen++;
}

/* Reads every object of the workload into got. */
static TEEC_Result snapshot(struct st_sess *s, struct sm_state *got,
			    uint8_t *buf)
{
	struct enum_ctx c = {got, 0, 0};
	int i, present = 0;

	for (i = 0; i < SM_NOBJ; i++) {
		struct sm_obj *o = &got->o[i];
		uint32_t h;
		size_t n = 0;
		TEEC_Result res =
		    st_open_obj(s, sm_id(i), TEE_DATA_FLAG_ACCESS_READ, &h);

		o->present = res == TEEC_SUCCESS;
		o->size = 0;
		if (res == TEEC_ERROR_ITEM_NOT_FOUND)
			continue;
		if (res)
			return res;
		res = st_read(s, h, buf, SM_MAX + 1, &n);
		st_close_obj(s, h);
		if (res)
			return res;
		if (n > SM_MAX) {
			fprintf(stderr, "check: %s has more than %u bytes\n",
				sm_id(i), SM_MAX);
			return TEEC_ERROR_GENERIC;
		}
		o->size = (uint32_t)n;
		memcpy(o->data, buf, n);
		present++;
	}
	i = (int)st_enum(s, on_id, &c);
	if (i)
		return (TEEC_Result)i;
	if (c.bad || c.seen != present) {
		fprintf(stderr, "check: enumeration saw %d of %d objects\n",
			c.seen, present);
		return TEEC_ERROR_GENERIC;
	}
	return TEEC_SUCCESS;
}

void stack_client_check(uint64_t seed, uint32_t k, int ta,
			const struct sm_skip *skip)
{
	struct sm_state *old = malloc(sizeof(*old)),
			*new = malloc(sizeof(*new));
	struct sm_state *got = calloc(1, sizeof(*got));
	uint8_t *buf = malloc(SM_MAX + 1);
	char why_old[200], why_new[200];
	TEEC_Result res = TEEC_ERROR_STORAGE_NOT_AVAILABLE;
	struct st_sess s;
	int tries;

	if (!old || !new || !got || !buf)
		_exit(5);
	sm_init(old, seed);
	old->skip = skip;
	sm_advance(old, k);
	memcpy(new, old, sizeof(*new));
	sm_advance(new, k + 1);
	for (tries = 0; tries < RETRY_COUNT; tries++) {
		res = st_open_ta(&s, ta);
		if (!res) {
			res = snapshot(&s, got, buf);
			st_close(&s);
		}
		if (res != TEEC_ERROR_STORAGE_NOT_AVAILABLE)
			break;
		stack_sleep_ms(RETRY_MS);
	}
	if (res) {
		fprintf(stderr, "check: reading the store: 0x%08x\n", res);
		_exit(STACK_CHECK_ERR);
	}
	if (sm_equal(old, got, why_old, sizeof(why_old)))
		_exit(STACK_CHECK_OLD);
	if (sm_equal(new, got, why_new, sizeof(why_new)))
		_exit(STACK_CHECK_NEW);
	fprintf(stderr,
		"check: the store is neither state(%u) (%s) nor state(%u) "
		"(%s)\n",
		k, why_old, k + 1, why_new);
	_exit(STACK_CHECK_BAD);
}
