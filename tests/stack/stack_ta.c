/* libteec calls to the storage test TA (stack_ta.h). */
#include "stack_ta.h"

#include <string.h>

#include "storage_ta_ids.h"
#include "tee_api_defines.h"

static const TEEC_UUID tas[] = {STORAGE_TA_A_UUID, STORAGE_TA_B_UUID};

uint8_t st_pattern(size_t i, uint32_t seed)
{
	return (uint8_t)(i * 7 + seed + (i >> 11));
}

TEEC_Result st_open(struct st_sess *s)
{
	return st_open_ta(s, 1);
}

TEEC_Result st_open_ta(struct st_sess *s, int n)
{
	TEEC_Result res;

	memset(s, 0, sizeof(*s));
	res = TEEC_InitializeContext(NULL, &s->ctx);
	if (res)
		return res;
	res = TEEC_OpenSession(&s->ctx, &s->sess, &tas[n == 2],
			       TEEC_LOGIN_PUBLIC, NULL, NULL, &s->origin);
	if (res)
		TEEC_FinalizeContext(&s->ctx);
	return res;
}

void st_close(struct st_sess *s)
{
	TEEC_CloseSession(&s->sess);
	TEEC_FinalizeContext(&s->ctx);
}

struct st_args {
	uint32_t a0, b0, a2, b2, a3, b3;
	void *buf; /* p1; a dummy byte when NULL */
	size_t len;
};

static TEEC_Result call(struct st_sess *s, uint32_t cmd, struct st_args *a)
{
	TEEC_Operation op;
	uint8_t dummy = 0;
	TEEC_Result res;

	memset(&op, 0, sizeof(op));
	op.paramTypes =
	    TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_MEMREF_TEMP_INOUT,
			     TEEC_VALUE_INPUT, TEEC_VALUE_INOUT);
	op.params[0].value.a = a->a0;
	op.params[0].value.b = a->b0;
	op.params[1].tmpref.buffer = a->buf ? a->buf : &dummy;
	op.params[1].tmpref.size = a->buf ? a->len : 0;
	op.params[2].value.a = a->a2;
	op.params[2].value.b = a->b2;
	op.params[3].value.a = a->a3;
	op.params[3].value.b = a->b3;
	res = TEEC_InvokeCommand(&s->sess, cmd, &op, &s->origin);
	a->len = op.params[1].tmpref.size;
	a->a3 = op.params[3].value.a;
	a->b3 = op.params[3].value.b;
	return res;
}

TEEC_Result st_create(struct st_sess *s, const char *id, uint32_t flags,
		      uint32_t dlen, uint32_t seed)
{
	struct st_args a = {.a0 = TEE_STORAGE_PRIVATE,
			    .b0 = flags,
			    .a2 = ST_ID_COPY | ST_NO_HANDLE,
			    .a3 = dlen,
			    .b3 = seed,
			    .buf = (void *)id,
			    .len = strlen(id)};

	return call(s, ST_CMD_CREATE, &a);
}

TEEC_Result st_open_obj(struct st_sess *s, const char *id, uint32_t flags,
			uint32_t *h)
{
	struct st_args a = {.a0 = TEE_STORAGE_PRIVATE,
			    .b0 = flags,
			    .a2 = ST_ID_COPY,
			    .buf = (void *)id,
			    .len = strlen(id)};
	TEEC_Result res = call(s, ST_CMD_OPEN, &a);

	*h = a.a3;
	return res;
}

TEEC_Result st_close_obj(struct st_sess *s, uint32_t h)
{
	struct st_args a = {.a0 = h};

	return call(s, ST_CMD_CLOSE, &a);
}

TEEC_Result st_seek(struct st_sess *s, uint32_t h, uint32_t off)
{
	struct st_args a = {
	    .a0 = h, .b0 = 0 /* TEE_DATA_SEEK_SET */, .a2 = off};

	return call(s, ST_CMD_SEEK, &a);
}

TEEC_Result st_write(struct st_sess *s, uint32_t h, const void *buf, size_t len)
{
	struct st_args a = {.a0 = h, .buf = (void *)buf, .len = len};

	return call(s, ST_CMD_WRITE, &a);
}

TEEC_Result st_truncate(struct st_sess *s, uint32_t h, uint32_t size)
{
	struct st_args a = {.a0 = h, .a2 = size};

	return call(s, ST_CMD_TRUNCATE, &a);
}

TEEC_Result st_rename(struct st_sess *s, uint32_t h, const char *new_id)
{
	struct st_args a = {.a0 = h,
			    .a2 = ST_ID_COPY,
			    .buf = (void *)new_id,
			    .len = strlen(new_id)};

	return call(s, ST_CMD_RENAME, &a);
}

TEEC_Result st_delete(struct st_sess *s, uint32_t h)
{
	struct st_args a = {.a0 = h};

	return call(s, ST_CMD_CLOSE_DELETE, &a);
}

TEEC_Result st_read(struct st_sess *s, uint32_t h, void *buf, size_t cap,
		    size_t *n)
{
	struct st_args a = {.a0 = h, .buf = buf, .len = cap};
	TEEC_Result res = call(s, ST_CMD_READ, &a);

	*n = a.a3;
	return res;
}

TEEC_Result st_enum(struct st_sess *s, void (*fn)(const char *id, void *arg),
		    void *arg)
{
	struct st_args a = {0};
	char id[TEE_OBJECT_ID_MAX_LEN + 1];
	uint32_t e;
	TEEC_Result res = call(s, ST_CMD_ENUM_ALLOC, &a);

	if (res)
		return res;
	e = a.a3;
	a = (struct st_args){.a0 = e, .b0 = TEE_STORAGE_PRIVATE};
	res = call(s, ST_CMD_ENUM_START, &a);
	while (!res) {
		a = (struct st_args){
		    .a0 = e, .buf = id, .len = TEE_OBJECT_ID_MAX_LEN};
		res = call(s, ST_CMD_ENUM_NEXT, &a);
		if (res)
			break;
		id[a.len < TEE_OBJECT_ID_MAX_LEN ? a.len
						 : TEE_OBJECT_ID_MAX_LEN] = 0;
		fn(id, arg);
	}
	if (res == TEEC_ERROR_ITEM_NOT_FOUND)
		res = TEEC_SUCCESS;
	a = (struct st_args){.a0 = e};
	call(s, ST_CMD_ENUM_FREE, &a);
	return res;
}
