/*
 * Reads: the chunked read (GET_BEGIN/GET_CHUNK), OP-TEE's READ_RAW and
 * VERIFY. Every read of a whole object re-computes its SHA-256 and
 * compares it with the one stored in its header: a mismatch is
 * TEE_ERROR_CORRUPT_OBJECT (docs/secure-storage-app.md).
 */
#include <string.h>

#include "ss_ta.h"

/*
 * Opens id for reading (finishing an interrupted commit first) and reads
 * its header into x; the position is at the first data byte.
 */
static TEE_Result get_open(struct ss_xfer *x, uint32_t storage,
			   const struct ss_id *id)
{
	struct ss_hdr h;
	TEE_Result res;

	res = ss_obj_recover(storage, id);
	if (res != TEE_SUCCESS)
		return res;
	x->kind = SS_XFER_GET;
	x->storage = storage;
	x->id = *id;
	res = TEE_OpenPersistentObject(
	    storage, id->id, id->len,
	    TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_SHARE_READ, &x->obj);
	if (res == TEE_SUCCESS)
		res = ss_obj_read_hdr(x->obj, &h, &x->legacy);
	if (res == TEE_SUCCESS && !(h.flags & SS_HDR_COMPLETE))
		res = TEE_ERROR_CORRUPT_OBJECT; /* never renamed unfinished */
	if (res == TEE_SUCCESS)
		res = ss_digest_new(&x->digest);
	if (res != TEE_SUCCESS) {
		ss_xfer_reset(x);
		return res;
	}
	x->size = h.size;
	x->done = 0;
	memcpy(x->sha256, h.sha256, SS_SHA256_LEN);
	return TEE_SUCCESS;
}

/* The read reached the end: compares the hashes, then closes. */
static TEE_Result get_check(struct ss_xfer *x)
{
	uint8_t sum[SS_SHA256_LEN];
	TEE_Result res;

	res = ss_digest_final(x->digest, sum);
	if (res == TEE_SUCCESS && !x->legacy &&
	    !ss_equal_ct(sum, x->sha256, SS_SHA256_LEN)) {
		EMSG("%.*s: SHA-256 of the data differs from the stored one",
		     (int)x->id.len, x->id.id);
		res = TEE_ERROR_CORRUPT_OBJECT;
	}
	ss_xfer_reset(x);
	return res;
}

TEE_Result ss_get_begin(struct ss_session *s, uint32_t types,
			TEE_Param params[4])
{
	const uint32_t exp = TEE_PARAM_TYPES(
	    TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_VALUE_INPUT,
	    TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT);
	struct ss_id id;
	uint32_t storage;
	TEE_Result res;

	if (types != exp)
		return TEE_ERROR_BAD_PARAMETERS;
	if (params[3].memref.size < SS_SHA256_LEN) {
		params[3].memref.size = SS_SHA256_LEN;
		return TEE_ERROR_SHORT_BUFFER;
	}
	res = ss_id_from_param(&params[0], &id);
	if (res == TEE_SUCCESS)
		res = ss_param_storage(types, params, 1, &storage);
	if (res != TEE_SUCCESS)
		return res;
	if (s->x.kind == SS_XFER_PUT || s->x.kind == SS_XFER_RAW)
		return TEE_ERROR_BAD_STATE;
	ss_xfer_reset(&s->x); /* an unfinished read is dropped */
	res = get_open(&s->x, storage, &id);
	if (res != TEE_SUCCESS)
		return res;
	ss_param_set_u64(&params[2], s->x.size);
	TEE_MemMove(params[3].memref.buffer, s->x.sha256, SS_SHA256_LEN);
	params[3].memref.size = SS_SHA256_LEN;
	return TEE_SUCCESS;
}

TEE_Result ss_get_chunk(struct ss_session *s, uint32_t types,
			TEE_Param params[4])
{
	const uint32_t exp = TEE_PARAM_TYPES(
	    TEE_PARAM_TYPE_MEMREF_OUTPUT, TEE_PARAM_TYPE_VALUE_INPUT,
	    TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE);
	struct ss_xfer *x = &s->x;
	size_t want, got = 0;
	TEE_Result res;

	if (types != exp)
		return TEE_ERROR_BAD_PARAMETERS;
	if (x->kind != SS_XFER_GET)
		return TEE_ERROR_BAD_STATE;
	if (ss_param_u64(&params[1]) != x->done)
		return TEE_ERROR_BAD_PARAMETERS; /* reads are in order */
	want = params[0].memref.size;
	if (want > x->size - x->done)
		want = x->size - x->done;
	if (want && !params[0].memref.buffer)
		return TEE_ERROR_BAD_PARAMETERS;
	params[2].value.a = 0;
	params[2].value.b = 0;
	if (want) {
		/* Straight into the client's shared memory. */
		res = TEE_ReadObjectData(x->obj, params[0].memref.buffer, want,
					 &got);
		if (res == TEE_SUCCESS && got != want)
			res = TEE_ERROR_CORRUPT_OBJECT; /* shorter than said */
		if (res != TEE_SUCCESS) {
			ss_xfer_reset(x);
			return res;
		}
		TEE_DigestUpdate(x->digest, params[0].memref.buffer, got);
		x->done += got;
	}
	params[0].memref.size = got;
	if (x->done < x->size)
		return TEE_SUCCESS;
	params[2].value.a = !x->legacy;
	res = get_check(x);
	if (res != TEE_SUCCESS)
		params[2].value.a = 0;
	return res;
}

TEE_Result ss_read_raw(struct ss_session *s, uint32_t types,
		       TEE_Param params[4])
{
	struct ss_xfer x = {.kind = SS_XFER_NONE};
	size_t got = 0;
	struct ss_id id;
	uint32_t storage;
	TEE_Result res;

	(void)s;
	if (TEE_PARAM_TYPE_GET(types, 0) != TEE_PARAM_TYPE_MEMREF_INPUT ||
	    TEE_PARAM_TYPE_GET(types, 1) != TEE_PARAM_TYPE_MEMREF_OUTPUT ||
	    TEE_PARAM_TYPE_GET(types, 3) != TEE_PARAM_TYPE_NONE)
		return TEE_ERROR_BAD_PARAMETERS;
	res = ss_id_from_param(&params[0], &id);
	if (res == TEE_SUCCESS)
		res = ss_param_storage(types, params, 2, &storage);
	if (res == TEE_SUCCESS)
		res = get_open(&x, storage, &id);
	if (res != TEE_SUCCESS)
		return res;
	if (x.size > params[1].memref.size ||
	    (x.size && !params[1].memref.buffer)) {
		params[1].memref.size = x.size;
		ss_xfer_reset(&x);
		return TEE_ERROR_SHORT_BUFFER;
	}
	if (x.size) {
		res = TEE_ReadObjectData(x.obj, params[1].memref.buffer, x.size,
					 &got);
		if (res == TEE_SUCCESS && got != x.size)
			res = TEE_ERROR_CORRUPT_OBJECT;
		if (res != TEE_SUCCESS) {
			ss_xfer_reset(&x);
			return res;
		}
		TEE_DigestUpdate(x.digest, params[1].memref.buffer, got);
	}
	params[1].memref.size = got;
	return get_check(&x);
}

TEE_Result ss_verify(struct ss_session *s, uint32_t types, TEE_Param params[4])
{
	const uint32_t exp = TEE_PARAM_TYPES(
	    TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_VALUE_INPUT,
	    TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE);
	struct ss_xfer x = {.kind = SS_XFER_NONE};
	uint64_t n = 0;
	struct ss_id id;
	uint32_t storage;
	TEE_Result res;

	(void)s;
	if (types != exp)
		return TEE_ERROR_BAD_PARAMETERS;
	res = ss_id_from_param(&params[0], &id);
	if (res == TEE_SUCCESS)
		res = ss_param_storage(types, params, 1, &storage);
	if (res == TEE_SUCCESS)
		res = get_open(&x, storage, &id);
	if (res != TEE_SUCCESS)
		return res;
	res = ss_obj_read_all(x.obj, x.legacy ? 0 : SS_HDR_SIZE, x.digest, &n);
	if (res == TEE_SUCCESS && n != x.size)
		res = TEE_ERROR_CORRUPT_OBJECT;
	if (res != TEE_SUCCESS) {
		ss_xfer_reset(&x);
		return res;
	}
	ss_param_set_u64(&params[2], x.size);
	return get_check(&x);
}
