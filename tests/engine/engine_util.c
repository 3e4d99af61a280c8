/* Shared by the engine tests: see engine_util.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_util.h"
#include "tee_error.h"
#include "test.h"

const uint8_t eng_huk[16] = {0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
			     0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};

const TEE_UUID eng_ta[ENG_TAS] = {
    {0x8aaaf200, 0x2450, 0x11e4, {0xab, 0xe2, 0, 0x02, 0xa5, 0xd5, 0xc5, 0x1b}},
    {0x5b9e0e40, 0x2636, 0x11e1, {0xad, 0x9e, 0, 0x02, 0xa5, 0xd5, 0xc5, 0x1b}},
    {0x00000001, 0x0002, 0x0003, {4, 5, 6, 7, 8, 9, 10, 11}},
};

TEE_Result eng_open(struct backend *be, struct tstore **s)
{
	struct tstore_config cfg;

	tstore_config_init(&cfg, eng_huk, sizeof(eng_huk));
	return tstore_open(be, &cfg, s);
}

void model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
}

void model_free(struct model *m)
{
	size_t i;

	for (i = 0; i < MODEL_MAX_OBJ; i++)
		free(m->o[i].data);
	memset(m, 0, sizeof(*m));
}

void model_copy(struct model *dst, const struct model *src)
{
	size_t i;

	*dst = *src;
	for (i = 0; i < MODEL_MAX_OBJ; i++) {
		dst->o[i].data = NULL;
		if (src->o[i].used && src->o[i].len) {
			dst->o[i].data = malloc(src->o[i].len);
			if (!dst->o[i].data)
				abort();
			memcpy(dst->o[i].data, src->o[i].data, src->o[i].len);
		}
	}
}

struct mobj *model_find(struct model *m, int ta, const void *id, size_t len)
{
	size_t i;

	for (i = 0; i < MODEL_MAX_OBJ; i++)
		if (m->o[i].used && m->o[i].ta == ta && m->o[i].id_len == len &&
		    !memcmp(m->o[i].id, id, len))
			return &m->o[i];
	return NULL;
}

size_t model_count(const struct model *m)
{
	size_t i, n = 0;

	for (i = 0; i < MODEL_MAX_OBJ; i++)
		n += m->o[i].used;
	return n;
}

void eng_op_id(struct eng_op *op, const char *id, const char *id2)
{
	op->id_len = strlen(id);
	memcpy(op->id, id, op->id_len);
	op->id2_len = id2 ? strlen(id2) : 0;
	if (id2)
		memcpy(op->id2, id2, op->id2_len);
}

const char *eng_op_name(enum eng_op_kind k)
{
	static const char *const names[] = {"create",	"create_ow", "write",
					    "truncate", "rename",    "remove",
					    "set_usage"};

	return k <= OP_SET_USAGE ? names[k] : "?";
}

static uint64_t attr_seed(const struct eng_op *op)
{
	return op->seed ^ 0xa77a77;
}

static TEE_Result op_create(struct tstore *s, const struct eng_op *op)
{
	struct tstore_head h = {.object_type = 0xA00000BF,
				.object_usage = 0xFFFFFFFF,
				.have_attrs = op->attr_len ? 1 : 0};
	uint8_t attrs[256];
	uint8_t *data = malloc(op->len ? op->len : 1);
	TEE_Result res;

	if (!data)
		return TEE_ERROR_OUT_OF_MEMORY;
	test_fill_pattern(attrs, op->attr_len, attr_seed(op));
	test_fill_pattern(data, op->len, op->seed);
	res = tstore_create(s, &eng_ta[op->ta], op->id, op->id_len, &h, attrs,
			    op->attr_len, data, op->len,
			    op->kind == OP_CREATE_OW, NULL);
	free(data);
	return res;
}

static TEE_Result op_change(struct tstore_obj *o, const struct eng_op *op)
{
	struct tstore_info info;
	uint8_t *data;
	TEE_Result res;

	switch (op->kind) {
	case OP_WRITE:
		data = malloc(op->len ? op->len : 1);
		if (!data)
			return TEE_ERROR_OUT_OF_MEMORY;
		test_fill_pattern(data, op->len, op->seed);
		res = tstore_write(o, op->pos, data, op->len);
		free(data);
		return res;
	case OP_TRUNC:
		return tstore_truncate(o, op->len);
	case OP_RENAME:
		return tstore_rename(o, op->id2, op->id2_len);
	case OP_REMOVE:
		return tstore_remove(o);
	case OP_SET_USAGE:
		res = tstore_info(o, &info);
		if (res)
			return res;
		info.head.object_usage = (uint32_t)op->seed;
		return tstore_set_head(o, &info.head);
	default:
		return TEE_ERROR_BAD_PARAMETERS;
	}
}

TEE_Result eng_op_store(struct tstore *s, const struct eng_op *op)
{
	struct tstore_obj *o = NULL;
	TEE_Result res;

	if (op->kind == OP_CREATE || op->kind == OP_CREATE_OW)
		return op_create(s, op);
	res = tstore_open_obj(s, &eng_ta[op->ta], op->id, op->id_len, &o);
	if (res)
		return res;
	res = op_change(o, op);
	tstore_release(o);
	return res;
}

static TEE_Result model_create(struct model *m, const struct eng_op *op)
{
	struct mobj *mo = model_find(m, op->ta, op->id, op->id_len);
	size_t i;

	if (mo && op->kind == OP_CREATE)
		return TEE_ERROR_ACCESS_CONFLICT;
	for (i = 0; !mo && i < MODEL_MAX_OBJ; i++)
		if (!m->o[i].used)
			mo = &m->o[i];
	if (!mo)
		abort(); /* the generators stay below MODEL_MAX_OBJ */
	free(mo->data);
	memset(mo, 0, sizeof(*mo));
	mo->used = true;
	mo->ta = op->ta;
	memcpy(mo->id, op->id, op->id_len);
	mo->id_len = op->id_len;
	mo->usage = 0xFFFFFFFF;
	mo->attr_len = op->attr_len;
	mo->attr_seed = attr_seed(op);
	mo->len = op->len;
	mo->data = malloc(op->len ? op->len : 1);
	if (!mo->data)
		abort();
	test_fill_pattern(mo->data, op->len, op->seed);
	return TEE_SUCCESS;
}

static void model_resize(struct mobj *mo, size_t len)
{
	uint8_t *p = realloc(mo->data, len ? len : 1);

	if (!p)
		abort();
	if (len > mo->len)
		memset(p + mo->len, 0, len - mo->len);
	mo->data = p;
	mo->len = len;
}

TEE_Result eng_op_model(struct model *m, const struct eng_op *op)
{
	struct mobj *mo;

	if (op->kind == OP_CREATE || op->kind == OP_CREATE_OW)
		return model_create(m, op);
	mo = model_find(m, op->ta, op->id, op->id_len);
	if (!mo)
		return TEE_ERROR_ITEM_NOT_FOUND;
	switch (op->kind) {
	case OP_WRITE:
		if (!op->len)
			return TEE_SUCCESS;
		if (op->pos + op->len > mo->len)
			model_resize(mo, op->pos + op->len);
		test_fill_pattern(mo->data + op->pos, op->len, op->seed);
		return TEE_SUCCESS;
	case OP_TRUNC:
		model_resize(mo, op->len);
		return TEE_SUCCESS;
	case OP_RENAME:
		if (model_find(m, op->ta, op->id2, op->id2_len))
			return TEE_ERROR_ACCESS_CONFLICT;
		memcpy(mo->id, op->id2, op->id2_len);
		mo->id_len = op->id2_len;
		return TEE_SUCCESS;
	case OP_REMOVE:
		free(mo->data);
		memset(mo, 0, sizeof(*mo));
		return TEE_SUCCESS;
	case OP_SET_USAGE:
		mo->usage = (uint32_t)op->seed;
		return TEE_SUCCESS;
	default:
		return TEE_ERROR_BAD_PARAMETERS;
	}
}

static TEE_Result check_obj(struct tstore *s, const struct mobj *mo, char *why,
			    size_t why_len)
{
	struct tstore_obj *o = NULL;
	struct tstore_info info;
	uint8_t attrs[256], want[256], *buf = NULL;
	size_t got = 0, alen = 0;
	TEE_Result res;

	res = tstore_open_obj(s, &eng_ta[mo->ta], mo->id, mo->id_len, &o);
	if (res) {
		snprintf(why, why_len, "open: %s", tee_error_name(res));
		return res;
	}
	res = tstore_info(o, &info);
	if (!res &&
	    (info.data_size != mo->len || info.head.object_usage != mo->usage ||
	     info.head.attr_size != mo->attr_len)) {
		snprintf(why, why_len,
			 "info: size %llu usage %x attrs %u, want %zu %x %u",
			 (unsigned long long)info.data_size,
			 info.head.object_usage, info.head.attr_size, mo->len,
			 mo->usage, mo->attr_len);
		res = TEE_ERROR_GENERIC;
		goto out;
	}
	if (!res)
		res = tstore_read_attrs(o, attrs, sizeof(attrs), &alen);
	test_fill_pattern(want, mo->attr_len, mo->attr_seed);
	if (!res && (alen != mo->attr_len || memcmp(attrs, want, alen))) {
		snprintf(why, why_len, "attributes differ");
		res = TEE_ERROR_GENERIC;
		goto out;
	}
	buf = malloc(mo->len + 1);
	if (!res && !buf)
		res = TEE_ERROR_OUT_OF_MEMORY;
	if (!res)
		res = tstore_read(o, 0, buf, mo->len + 1, &got);
	if (!res &&
	    (got != mo->len || (mo->len && memcmp(buf, mo->data, mo->len)))) {
		snprintf(why, why_len, "data differs (got %zu of %zu bytes)",
			 got, mo->len);
		res = TEE_ERROR_GENERIC;
	}
	if (res && !why[0])
		snprintf(why, why_len, "%s", tee_error_name(res));
out:
	free(buf);
	tstore_release(o);
	return res;
}

static TEE_Result check_enum(struct tstore *s, const struct model *m, int ta,
			     char *why, size_t why_len)
{
	uint8_t id[TSTORE_ID_MAX];
	size_t id_len, n = 0, want = 0, i;
	uint64_t cursor = 0;
	TEE_Result res;
	struct model *mm = (struct model *)m;

	for (i = 0; i < MODEL_MAX_OBJ; i++)
		want += m->o[i].used && m->o[i].ta == ta;
	while (!(res = tstore_enum_next(s, &eng_ta[ta], &cursor, NULL, id,
					&id_len))) {
		if (!model_find(mm, ta, id, id_len)) {
			snprintf(why, why_len,
				 "TA %d: unexpected object "
				 "(id_len %zu)",
				 ta, id_len);
			return TEE_ERROR_GENERIC;
		}
		n++;
	}
	if (res != TEE_ERROR_ITEM_NOT_FOUND) {
		snprintf(why, why_len, "enum: %s", tee_error_name(res));
		return res;
	}
	if (n != want) {
		snprintf(why, why_len, "TA %d: %zu objects, want %zu", ta, n,
			 want);
		return TEE_ERROR_GENERIC;
	}
	return TEE_SUCCESS;
}

TEE_Result eng_check(struct tstore *s, const struct model *m, char *why,
		     size_t why_len)
{
	TEE_Result res = TEE_SUCCESS;
	int ta;
	size_t i;

	why[0] = '\0';
	for (ta = 0; !res && ta < ENG_TAS; ta++)
		res = check_enum(s, m, ta, why, why_len);
	for (i = 0; !res && i < MODEL_MAX_OBJ; i++)
		if (m->o[i].used)
			res = check_obj(s, &m->o[i], why, why_len);
	return res;
}

#define W(k, t, i, i2, p, l, sd, al)                                           \
	{                                                                      \
		.kind = (k), .ta = (t), .id = i, .id_len = sizeof(i) - 1,      \
		.id2 = i2, .id2_len = sizeof(i2) - 1, .pos = (p), .len = (l),  \
		.seed = (sd), .attr_len = (al)                                 \
	}

static const struct eng_op workload[] = {
    W(OP_CREATE, 0, "a", "", 0, 5000, 1, 0),
    W(OP_CREATE, 0, "b", "", 0, 20000, 2, 0),
    W(OP_CREATE, 1, "a", "", 0, 100, 3, 40),
    W(OP_WRITE, 0, "a", "", 3000, 6000, 4, 0), /* spans and extends */
    W(OP_WRITE, 0, "b", "", 30000, 100, 5, 0), /* gap */
    W(OP_TRUNC, 0, "b", "", 0, 5000, 0, 0),    /* shrink */
    W(OP_TRUNC, 0, "a", "", 0, 12000, 0, 0),   /* grow */
    W(OP_RENAME, 0, "a", "c", 0, 0, 0, 0),
    W(OP_CREATE_OW, 0, "b", "", 0, 3000, 6, 8), /* replace */
    W(OP_REMOVE, 1, "a", "", 0, 0, 0, 0),
    W(OP_WRITE, 0, "c", "", 0, 1, 7, 0),
    W(OP_SET_USAGE, 0, "c", "", 0, 0, 0x13, 0),
    W(OP_CREATE, 2, "", "", 0, 0, 8, 0),
    W(OP_WRITE, 2, "", "", 0, 150000, 9, 0), /* 37 blocks, 2 levels */
    W(OP_TRUNC, 2, "", "", 0, 70000, 0, 0),  /* OP-TEE's shrink bug */
    W(OP_REMOVE, 0, "b", "", 0, 0, 0, 0),
};

size_t eng_workload(const struct eng_op **ops)
{
	*ops = workload;
	return sizeof(workload) / sizeof(workload[0]);
}
