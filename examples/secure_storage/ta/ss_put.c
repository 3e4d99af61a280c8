/*
 * Writes: the streaming transfer (PUT_BEGIN/CHUNK/FINAL/ABORT/STATUS) and
 * OP-TEE's WRITE_RAW with its chunked extension, all through one
 * transfer object: data goes to ".part/<ID>" as it arrives, straight from
 * the client's shared memory (no heap copy), its SHA-256 is computed as
 * it arrives, and the finished object replaces <ID> by rename.
 * docs/secure-storage-app.md describes the protocol.
 */
#include <string.h>

#include "ss_ta.h"

#define SS_PART_FLAGS                                                          \
	(TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE |              \
	 TEE_DATA_FLAG_ACCESS_WRITE_META)

/* The largest file an object can hold after our header. */
#define SS_FILE_MAX ((uint64_t)TEE_DATA_MAX_POSITION - SS_HDR_SIZE)

/* Closes what the transfer holds; a partial object stays durable. */
void ss_xfer_reset(struct ss_xfer *x)
{
	if (x->digest)
		TEE_FreeOperation(x->digest);
	TEE_CloseObject(x->obj);
	memset(x, 0, sizeof(*x));
}

/* Opens an existing partial object of the same expected size and hashes
 * what it holds; *found false when there is none to continue. */
static TEE_Result xfer_reopen(struct ss_xfer *x, const struct ss_id *part,
			      bool *found)
{
	struct ss_hdr h;
	bool legacy;
	TEE_Result res;

	*found = false;
	res = TEE_OpenPersistentObject(x->storage, part->id, part->len,
				       SS_PART_FLAGS, &x->obj);
	if (res == TEE_ERROR_ITEM_NOT_FOUND)
		return TEE_SUCCESS;
	if (res != TEE_SUCCESS)
		return res;
	res = ss_obj_read_hdr(x->obj, &h, &legacy);
	if (res != TEE_SUCCESS || legacy || h.size != x->size)
		goto discard;
	res = ss_obj_read_all(x->obj, SS_HDR_SIZE, x->digest, &x->done);
	if (res != TEE_SUCCESS)
		return res;
	if (x->done > x->size)
		goto discard;
	*found = true;
	return TEE_SUCCESS;
discard:
	/* Another transfer's leftovers: start over (the digest is reset by
	 * allocating a new one). */
	res = TEE_CloseAndDeletePersistentObject1(x->obj);
	x->obj = TEE_HANDLE_NULL;
	x->done = 0;
	TEE_FreeOperation(x->digest);
	x->digest = TEE_HANDLE_NULL;
	if (res != TEE_SUCCESS)
		return res;
	return ss_digest_new(&x->digest);
}

/*
 * Starts a transfer of size bytes (SS_SIZE_UNKNOWN: until FINAL) to id;
 * with resume, continues its durable partial object when it has the
 * same expected size. x must be reset.
 */
static TEE_Result xfer_start(struct ss_xfer *x, enum ss_xfer_kind kind,
			     uint32_t storage, const struct ss_id *id,
			     uint64_t size, bool resume)
{
	uint8_t raw[SS_HDR_SIZE];
	struct ss_hdr h = {.flags = 0, .size = size};
	struct ss_id part;
	bool found = false;
	TEE_Result res;

	if (size != SS_SIZE_UNKNOWN && size > SS_FILE_MAX)
		return TEE_ERROR_OVERFLOW;
	/* A commit a crash interrupted is finished first: its data is the
	 * only copy left of the last complete version. */
	res = ss_obj_recover(storage, id);
	if (res != TEE_SUCCESS)
		return res;
	x->kind = kind;
	x->storage = storage;
	x->id = *id;
	x->size = size;
	res = ss_digest_new(&x->digest);
	if (res != TEE_SUCCESS)
		goto fail;
	ss_id_part(id, &part);
	if (resume) {
		res = xfer_reopen(x, &part, &found);
		if (res != TEE_SUCCESS)
			goto fail;
	}
	if (!found) {
		/* OVERWRITE: a stale partial object of an earlier transfer
		 * goes; one that a live session holds gives
		 * ACCESS_CONFLICT. */
		ss_hdr_encode(&h, raw);
		res = TEE_CreatePersistentObject(
		    storage, part.id, part.len,
		    SS_PART_FLAGS | TEE_DATA_FLAG_OVERWRITE, TEE_HANDLE_NULL,
		    raw, sizeof(raw), &x->obj);
		if (res != TEE_SUCCESS)
			goto fail;
		/* A new object's position is 0, not after initialData. */
		res =
		    TEE_SeekObjectData(x->obj, SS_HDR_SIZE, TEE_DATA_SEEK_SET);
		if (res != TEE_SUCCESS)
			goto fail;
		x->done = 0;
	}
	return TEE_SUCCESS;
fail:
	ss_xfer_reset(x);
	return res;
}

/* Appends len bytes at the transfer's end (the object's position). */
static TEE_Result xfer_write(struct ss_xfer *x, const void *buf, size_t len)
{
	TEE_Result res;

	if (len == 0)
		return TEE_SUCCESS;
	if (x->done + len >
	    (x->size == SS_SIZE_UNKNOWN ? SS_FILE_MAX : x->size))
		return TEE_ERROR_OVERFLOW;
	res = TEE_WriteObjectData(x->obj, buf, len);
	if (res != TEE_SUCCESS) {
		/* The object is as before the call; the session's state is
		 * dropped and a resume continues from what is durable. */
		ss_xfer_reset(x);
		return res;
	}
	/* Hashed from the client's memory after the write: a client that
	 * changes its buffer meanwhile only gets its own object refused
	 * by the check on read (never a silent wrong answer). */
	TEE_DigestUpdate(x->digest, buf, len);
	x->done += len;
	return TEE_SUCCESS;
}

/*
 * Ends the transfer: all the bytes must be there and, when expect is
 * given, their SHA-256 must be it (else TEE_ERROR_SECURITY and the
 * partial object is deleted). Then the header becomes COMPLETE and the
 * object replaces the old one. x is reset in every case.
 */
static TEE_Result xfer_finish(struct ss_xfer *x, const uint8_t *expect)
{
	uint8_t raw[SS_HDR_SIZE];
	struct ss_hdr h;
	TEE_Result res;

	if (x->size != SS_SIZE_UNKNOWN && x->done != x->size)
		return TEE_ERROR_BAD_STATE; /* the transfer stays open */
	h.flags = SS_HDR_COMPLETE;
	h.size = x->done;
	res = ss_digest_final(x->digest, h.sha256);
	if (res != TEE_SUCCESS)
		goto out;
	if (expect && !ss_equal_ct(expect, h.sha256, SS_SHA256_LEN)) {
		EMSG("SHA-256 mismatch: transfer of %.*s refused",
		     (int)x->id.len, x->id.id);
		res = TEE_CloseAndDeletePersistentObject1(x->obj);
		x->obj = TEE_HANDLE_NULL;
		if (res == TEE_SUCCESS)
			res = TEE_ERROR_SECURITY;
		goto out;
	}
	ss_hdr_encode(&h, raw);
	res = TEE_SeekObjectData(x->obj, 0, TEE_DATA_SEEK_SET);
	if (res == TEE_SUCCESS)
		res = TEE_WriteObjectData(x->obj, raw, sizeof(raw));
	if (res == TEE_SUCCESS)
		res = ss_obj_commit(x->storage, &x->id, x->obj);
out:
	ss_xfer_reset(x);
	return res;
}

TEE_Result ss_put_begin(struct ss_session *s, uint32_t types,
			TEE_Param params[4])
{
	const uint32_t exp = TEE_PARAM_TYPES(
	    TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_VALUE_INPUT,
	    TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_OUTPUT);
	struct ss_id id;
	uint32_t storage;
	TEE_Result res;

	if (types != exp || (params[2].value.b & ~SS_PUT_RESUME))
		return TEE_ERROR_BAD_PARAMETERS;
	res = ss_id_from_param(&params[0], &id);
	if (res == TEE_SUCCESS)
		res = ss_param_storage(types, params, 2, &storage);
	if (res != TEE_SUCCESS)
		return res;
	if (s->x.kind == SS_XFER_PUT || s->x.kind == SS_XFER_RAW)
		return TEE_ERROR_BAD_STATE; /* finish or abort it first */
	ss_xfer_reset(&s->x);
	res = xfer_start(&s->x, SS_XFER_PUT, storage, &id,
			 ss_param_u64(&params[1]),
			 params[2].value.b & SS_PUT_RESUME);
	if (res == TEE_SUCCESS)
		ss_param_set_u64(&params[3], s->x.done);
	return res;
}

TEE_Result ss_put_chunk(struct ss_session *s, uint32_t types,
			TEE_Param params[4])
{
	const uint32_t exp = TEE_PARAM_TYPES(
	    TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_VALUE_INPUT,
	    TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);
	size_t len = params[0].memref.size;

	if (types != exp)
		return TEE_ERROR_BAD_PARAMETERS;
	if (s->x.kind != SS_XFER_PUT)
		return TEE_ERROR_BAD_STATE;
	if (len == 0 || len > SS_MAX_CHUNK || !params[0].memref.buffer)
		return TEE_ERROR_BAD_PARAMETERS;
	if (ss_param_u64(&params[1]) != s->x.done)
		return TEE_ERROR_BAD_PARAMETERS; /* out of order */
	return xfer_write(&s->x, params[0].memref.buffer, len);
}

TEE_Result ss_put_final(struct ss_session *s, uint32_t types,
			TEE_Param params[4])
{
	const uint32_t exp =
	    TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_NONE,
			    TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);
	uint8_t expect[SS_SHA256_LEN];

	if (types != exp || params[0].memref.size != SS_SHA256_LEN ||
	    !params[0].memref.buffer)
		return TEE_ERROR_BAD_PARAMETERS;
	if (s->x.kind != SS_XFER_PUT)
		return TEE_ERROR_BAD_STATE;
	TEE_MemMove(expect, params[0].memref.buffer, sizeof(expect));
	return xfer_finish(&s->x, expect);
}

TEE_Result ss_put_abort(struct ss_session *s, uint32_t types)
{
	TEE_Result res = TEE_SUCCESS;

	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
				     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	if (s->x.kind == SS_XFER_PUT || s->x.kind == SS_XFER_RAW) {
		res = TEE_CloseAndDeletePersistentObject1(s->x.obj);
		s->x.obj = TEE_HANDLE_NULL;
	}
	ss_xfer_reset(&s->x);
	return res;
}

TEE_Result ss_write_raw(struct ss_session *s, uint32_t types,
			TEE_Param params[4])
{
	struct ss_xfer x = {.kind = SS_XFER_NONE};
	const uint8_t *data = params[1].memref.buffer;
	size_t len = params[1].memref.size, n;
	struct ss_id id;
	uint32_t storage;
	TEE_Result res;

	(void)s; /* one call: the session's transfer is not involved */
	if (TEE_PARAM_TYPE_GET(types, 0) != TEE_PARAM_TYPE_MEMREF_INPUT ||
	    TEE_PARAM_TYPE_GET(types, 1) != TEE_PARAM_TYPE_MEMREF_INPUT ||
	    TEE_PARAM_TYPE_GET(types, 3) != TEE_PARAM_TYPE_NONE ||
	    (len && !data))
		return TEE_ERROR_BAD_PARAMETERS;
	res = ss_id_from_param(&params[0], &id);
	if (res == TEE_SUCCESS)
		res = ss_param_storage(types, params, 2, &storage);
	if (res == TEE_SUCCESS)
		res = xfer_start(&x, SS_XFER_RAW, storage, &id, len, false);
	/* In pieces: each write is one bounded commit in the TEE. */
	while (res == TEE_SUCCESS && x.done < len) {
		n = len - x.done < SS_MAX_CHUNK ? len - x.done : SS_MAX_CHUNK;
		res = xfer_write(&x, data + x.done, n);
	}
	if (res == TEE_SUCCESS)
		return xfer_finish(&x, NULL);
	if (x.obj) {
		TEE_CloseAndDeletePersistentObject1(x.obj);
		x.obj = TEE_HANDLE_NULL;
	}
	ss_xfer_reset(&x);
	return res;
}

static TEE_Result raw_check_id(struct ss_session *s, const TEE_Param *p,
			       struct ss_id *id)
{
	TEE_Result res = ss_id_from_param(p, id);

	if (res != TEE_SUCCESS)
		return res;
	if (s->x.kind == SS_XFER_RAW &&
	    (id->len != s->x.id.len || memcmp(id->id, s->x.id.id, id->len)))
		return TEE_ERROR_BAD_STATE; /* another ID than the write's */
	return TEE_SUCCESS;
}

TEE_Result ss_write_raw_chunk(struct ss_session *s, uint32_t types,
			      TEE_Param params[4])
{
	const uint8_t *data = params[1].memref.buffer;
	size_t len = params[1].memref.size;
	struct ss_id id;
	uint32_t storage;
	TEE_Result res;

	if (TEE_PARAM_TYPE_GET(types, 0) != TEE_PARAM_TYPE_MEMREF_INPUT ||
	    TEE_PARAM_TYPE_GET(types, 1) != TEE_PARAM_TYPE_MEMREF_INPUT ||
	    TEE_PARAM_TYPE_GET(types, 3) != TEE_PARAM_TYPE_NONE ||
	    (len && !data) || len > SS_MAX_CHUNK)
		return TEE_ERROR_BAD_PARAMETERS;
	res = raw_check_id(s, &params[0], &id);
	if (res == TEE_SUCCESS)
		res = ss_param_storage(types, params, 2, &storage);
	if (res != TEE_SUCCESS)
		return res;
	if (s->x.kind == SS_XFER_PUT)
		return TEE_ERROR_BAD_STATE;
	if (s->x.kind != SS_XFER_RAW) {
		ss_xfer_reset(&s->x);
		res = xfer_start(&s->x, SS_XFER_RAW, storage, &id,
				 SS_SIZE_UNKNOWN, false);
		if (res != TEE_SUCCESS)
			return res;
	}
	return xfer_write(&s->x, data, len);
}

TEE_Result ss_write_raw_final(struct ss_session *s, uint32_t types,
			      TEE_Param params[4])
{
	struct ss_id id;
	TEE_Result res;

	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT,
				     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
				     TEE_PARAM_TYPE_NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	res = raw_check_id(s, &params[0], &id);
	if (res != TEE_SUCCESS)
		return res;
	if (s->x.kind != SS_XFER_RAW)
		return TEE_ERROR_BAD_STATE;
	return xfer_finish(&s->x, NULL);
}
