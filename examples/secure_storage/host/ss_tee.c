/* Session, INFO and the chunk buffer of the secure storage client. */
#include <string.h>

#include "ss_tee.h"

int ss_tee_open(struct ss_tee *t)
{
	static const TEEC_UUID uuid = TA_SECURE_STORAGE_UUID;
	TEEC_Operation op;
	TEEC_Result res;

	memset(t, 0, sizeof(*t));
	res = TEEC_InitializeContext(NULL, &t->ctx);
	if (res != TEEC_SUCCESS)
		return ss_err_report("cannot connect to the TEE", res,
				     TEEC_ORIGIN_API);
	t->have_ctx = true;
	res = TEEC_OpenSession(&t->ctx, &t->sess, &uuid, TEEC_LOGIN_PUBLIC,
			       NULL, NULL, &t->origin);
	if (res != TEEC_SUCCESS) {
		int rc = ss_err_report("cannot open a session with the secure "
				       "storage TA",
				       res, t->origin);
		ss_tee_close(t);
		/* Whatever the reason, the TEE side is not usable. */
		return rc == SS_EXIT_BUSY ? rc : SS_EXIT_TEE;
	}
	t->have_sess = true;
	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_VALUE_OUTPUT,
					 TEEC_NONE, TEEC_NONE);
	res = ss_tee_invoke(t, TA_SECURE_STORAGE_CMD_INFO, &op);
	if (res != TEEC_SUCCESS) {
		int rc = ss_err_report("the TA does not answer INFO (not the "
				       "streaming secure storage TA?)",
				       res, t->origin);
		ss_tee_close(t);
		return rc;
	}
	t->ta_max = op.params[0].value.a;
	t->ta_min = op.params[1].value.b;
	if (t->ta_min < SS_MIN_CHUNK)
		t->ta_min = SS_MIN_CHUNK;
	if (t->ta_max < t->ta_min)
		t->ta_max = t->ta_min;
	return SS_EXIT_OK;
}

void ss_tee_close(struct ss_tee *t)
{
	while (t->nshm)
		TEEC_ReleaseSharedMemory(&t->shm[--t->nshm]);
	if (t->have_sess)
		TEEC_CloseSession(&t->sess);
	if (t->have_ctx)
		TEEC_FinalizeContext(&t->ctx);
	t->have_sess = t->have_ctx = false;
}

static TEEC_Result alloc_one(struct ss_tee *t, size_t sz)
{
	TEEC_SharedMemory *m = &t->shm[t->nshm];
	TEEC_Result res;

	memset(m, 0, sizeof(*m));
	m->size = sz;
	m->flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
	res = TEEC_AllocateSharedMemory(&t->ctx, m);
	if (res == TEEC_SUCCESS)
		t->nshm++;
	return res;
}

int ss_tee_alloc_chunk(struct ss_tee *t, size_t requested, uint64_t file_size,
		       bool serial)
{
	size_t sz = ss_chunk_first(requested, t->ta_max, t->ta_min, file_size);
	TEEC_Result res = TEEC_ERROR_OUT_OF_MEMORY;

	for (; sz; sz = ss_chunk_next(sz, t->ta_min)) {
		res = alloc_one(t, sz);
		if (res == TEEC_SUCCESS) {
			/* Without a second buffer the transfer is serial. */
			if (!serial)
				(void)alloc_one(t, sz);
			return SS_EXIT_OK;
		}
	}
	return ss_err_report("cannot get shared memory for one chunk", res,
			     TEEC_ORIGIN_API);
}

TEEC_Result ss_tee_invoke(struct ss_tee *t, uint32_t cmd, TEEC_Operation *op)
{
	t->origin = TEEC_ORIGIN_API;
	return TEEC_InvokeCommand(&t->sess, cmd, op, &t->origin);
}

void ss_tee_storage_param(TEEC_Operation *op, int idx, uint32_t storage)
{
	uint32_t shift = 4 * (uint32_t)idx;

	op->paramTypes =
	    (op->paramTypes & ~(0xfu << shift)) | (TEEC_VALUE_INPUT << shift);
	op->params[idx].value.a = storage;
	op->params[idx].value.b = 0;
}
