/* The whole-stack workload and its model (stack_model.h). */
#include "stack_model.h"

#include <stdio.h>
#include <string.h>

#include "stack_ta.h"

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint32_t rnd(uint64_t *r, uint32_t n)
{
	*r = mix(*r);
	return n ? (uint32_t)(*r % n) : 0;
}

void sm_init(struct sm_state *s, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->seed = seed;
}

const char *sm_id(int obj)
{
	static const char *ids[SM_NOBJ] = {"stack-obj-0", "stack-obj-1",
					   "stack-obj-2", "stack-obj-3",
					   "stack-obj-4"};

	return ids[obj];
}

int sm_index(const char *id)
{
	int i;

	for (i = 0; i < SM_NOBJ; i++)
		if (!strcmp(id, sm_id(i)))
			return i;
	return -1;
}

const char *sm_kind_name(enum sm_kind k)
{
	static const char *n[] = {"create", "write", "truncate", "rename",
				  "delete"};

	return n[k];
}

/* A size: mostly small, sometimes above the 60 KiB inline limit. */
static uint32_t pick_len(uint64_t *r, uint32_t max)
{
	uint32_t n = rnd(r, 8) == 0 ? rnd(r, SM_MAX) : rnd(r, 12 * 1024);

	return n > max ? max : n;
}

static int pick(uint64_t *r, const struct sm_state *s, bool present)
{
	int i, n = 0, k;

	for (i = 0; i < SM_NOBJ; i++)
		n += s->o[i].present == present;
	if (!n)
		return -1;
	k = (int)rnd(r, (uint32_t)n);
	for (i = 0; i < SM_NOBJ; i++)
		if (s->o[i].present == present && k-- == 0)
			return i;
	return -1;
}

void sm_next_op(const struct sm_state *s, struct sm_op *op)
{
	uint64_t r = mix(s->seed ^ mix(s->step + 1));
	uint32_t k = rnd(&r, 100);
	int any = pick(&r, s, true), freei = pick(&r, s, false);
	const struct sm_obj *o;

	memset(op, 0, sizeof(*op));
	op->seed = (uint32_t)mix(r);
	if (any < 0 || k < 20) {
		op->kind = SM_CREATE;
		op->obj = (int)rnd(&r, SM_NOBJ);
		op->len = pick_len(&r, SM_MAX);
		return;
	}
	op->obj = any;
	o = &s->o[any];
	if (k < 60) {
		op->kind = SM_WRITE;
		op->off = rnd(&r, o->size + 2048);
		if (op->off > SM_MAX - 1)
			op->off = SM_MAX - 1;
		op->len = 1 + pick_len(&r, SM_MAX - op->off - 1);
	} else if (k < 75) {
		op->kind = SM_TRUNCATE;
		op->len = rnd(&r, o->size + 8192);
		if (op->len > SM_MAX)
			op->len = SM_MAX;
	} else if (k < 88 && freei >= 0) {
		op->kind = SM_RENAME;
		op->to = freei;
	} else {
		op->kind = SM_DELETE;
	}
}

void sm_write_data(const struct sm_op *op, uint8_t *buf)
{
	uint64_t r = op->seed;
	uint32_t i;

	for (i = 0; i < op->len; i++)
		buf[i] = (uint8_t)rnd(&r, 256);
}

void sm_apply(struct sm_state *s, const struct sm_op *op)
{
	struct sm_obj *o = &s->o[op->obj];
	uint32_t i;

	switch (op->kind) {
	case SM_CREATE:
		o->present = true;
		o->size = op->len;
		for (i = 0; i < op->len; i++)
			o->data[i] = st_pattern(i, op->seed);
		break;
	case SM_WRITE:
		if (op->off > o->size)
			memset(o->data + o->size, 0, op->off - o->size);
		sm_write_data(op, o->data + op->off);
		if (op->off + op->len > o->size)
			o->size = op->off + op->len;
		break;
	case SM_TRUNCATE:
		if (op->len > o->size)
			memset(o->data + o->size, 0, op->len - o->size);
		o->size = op->len;
		break;
	case SM_RENAME:
		s->o[op->to].present = true;
		s->o[op->to].size = o->size;
		memcpy(s->o[op->to].data, o->data, o->size);
		o->present = false;
		o->size = 0;
		break;
	case SM_DELETE:
		o->present = false;
		o->size = 0;
		break;
	}
	s->step++;
}

void sm_skip_set(struct sm_skip *k, uint32_t step)
{
	if (step < SM_SKIP_MAX)
		k->bits[step / 8] |= (uint8_t)(1u << (step % 8));
}

bool sm_skip_has(const struct sm_skip *k, uint32_t step)
{
	return k && step < SM_SKIP_MAX &&
	       (k->bits[step / 8] & (1u << (step % 8)));
}

void sm_skip_step(struct sm_state *s)
{
	s->step++;
}

void sm_advance(struct sm_state *s, uint32_t n)
{
	struct sm_op op;

	while (s->step < n) {
		if (sm_skip_has(s->skip, s->step + 1)) {
			sm_skip_step(s);
			continue;
		}
		sm_next_op(s, &op);
		sm_apply(s, &op);
	}
}

bool sm_equal(const struct sm_state *want, const struct sm_state *got,
	      char *why, size_t cap)
{
	int i;
	uint32_t j;

	for (i = 0; i < SM_NOBJ; i++) {
		const struct sm_obj *w = &want->o[i], *g = &got->o[i];

		if (w->present != g->present) {
			snprintf(why, cap, "%s: %s, expected %s", sm_id(i),
				 g->present ? "present" : "absent",
				 w->present ? "present" : "absent");
			return false;
		}
		if (w->size != g->size) {
			snprintf(why, cap, "%s: size %u, expected %u", sm_id(i),
				 g->size, w->size);
			return false;
		}
		for (j = 0; j < w->size; j++)
			if (w->data[j] != g->data[j]) {
				snprintf(why, cap,
					 "%s: byte %u is 0x%02x, expected "
					 "0x%02x",
					 sm_id(i), j, g->data[j], w->data[j]);
				return false;
			}
	}
	return true;
}
