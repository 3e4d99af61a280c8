/*
 * What is stored: STAT, PUT_STATUS, LIST, DELETE and INFO of the secure
 * storage TA (docs/secure-storage-app.md).
 */
#include <string.h>

#include "ss_ta.h"

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

struct ss_status {
	uint32_t flags;
	uint64_t size;
	uint8_t sha256[SS_SHA256_LEN];
	uint64_t part_done, part_size;
};

static void status_encode(const struct ss_status *st, uint8_t *out)
{
	memset(out, 0, SS_WIRE_STATUS_SIZE);
	put_le64(out, st->size);
	put_le32(out + 8, st->flags);
	memcpy(out + 16, st->sha256, SS_SHA256_LEN);
	put_le64(out + 48, st->part_done);
	put_le64(out + 56, st->part_size);
}

/* Fills the object part of st; ITEM_NOT_FOUND when there is none. */
static TEE_Result probe_object(uint32_t storage, const struct ss_id *id,
			       struct ss_status *st)
{
	TEE_ObjectHandle obj = TEE_HANDLE_NULL;
	struct ss_hdr h;
	bool legacy;
	TEE_Result res;

	res = TEE_OpenPersistentObject(
	    storage, id->id, id->len,
	    TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_SHARE_READ, &obj);
	if (res != TEE_SUCCESS)
		return res;
	res = ss_obj_read_hdr(obj, &h, &legacy);
	TEE_CloseObject(obj);
	if (res != TEE_SUCCESS)
		return res;
	st->flags |= SS_STAT_OBJECT | (legacy ? SS_STAT_LEGACY : 0);
	st->size = h.size;
	memcpy(st->sha256, h.sha256, SS_SHA256_LEN);
	return TEE_SUCCESS;
}

/*
 * Fills the partial-object part of st; ITEM_NOT_FOUND when there is
 * none, ACCESS_CONFLICT while a session is writing it.
 */
static TEE_Result probe_part(uint32_t storage, const struct ss_id *id,
			     struct ss_status *st)
{
	TEE_ObjectHandle obj = TEE_HANDLE_NULL;
	TEE_ObjectInfo info;
	struct ss_id part;
	struct ss_hdr h;
	bool legacy;
	TEE_Result res;

	ss_id_part(id, &part);
	res = TEE_OpenPersistentObject(
	    storage, part.id, part.len,
	    TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_SHARE_READ, &obj);
	if (res != TEE_SUCCESS)
		return res;
	res = ss_obj_read_hdr(obj, &h, &legacy);
	if (res == TEE_SUCCESS)
		res = TEE_GetObjectInfo1(obj, &info);
	TEE_CloseObject(obj);
	if (res != TEE_SUCCESS)
		return res;
	if (legacy)
		return TEE_ERROR_CORRUPT_OBJECT; /* only we write .part/ */
	st->flags |= SS_STAT_PARTIAL;
	/* Every write is atomic and durable: what the object holds past
	 * the header is what a resume continues from. */
	st->part_done = info.dataSize - SS_HDR_SIZE;
	st->part_size = h.size;
	return TEE_SUCCESS;
}

static TEE_Result id_and_storage(uint32_t types, TEE_Param params[4],
				 struct ss_id *id, uint32_t *storage)
{
	TEE_Result res = ss_id_from_param(&params[0], id);

	if (res != TEE_SUCCESS)
		return res;
	return ss_param_storage(types, params, 1, storage);
}

TEE_Result ss_stat(struct ss_session *s, uint32_t types, TEE_Param params[4])
{
	const uint32_t exp = TEE_PARAM_TYPES(
	    TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_VALUE_INPUT,
	    TEE_PARAM_TYPE_MEMREF_OUTPUT, TEE_PARAM_TYPE_NONE);
	struct ss_status st = {.flags = 0};
	struct ss_id id;
	uint32_t storage;
	TEE_Result res, res2;

	(void)s;
	if (types != exp)
		return TEE_ERROR_BAD_PARAMETERS;
	if (params[2].memref.size < SS_WIRE_STATUS_SIZE) {
		params[2].memref.size = SS_WIRE_STATUS_SIZE;
		return TEE_ERROR_SHORT_BUFFER;
	}
	res = id_and_storage(types, params, &id, &storage);
	if (res == TEE_SUCCESS)
		res = ss_obj_recover(storage, &id);
	if (res != TEE_SUCCESS)
		return res;
	res = probe_object(storage, &id, &st);
	if (res != TEE_SUCCESS && res != TEE_ERROR_ITEM_NOT_FOUND)
		return res;
	res2 = probe_part(storage, &id, &st);
	if (res2 == TEE_ERROR_ACCESS_CONFLICT)
		st.flags |= SS_STAT_PARTIAL; /* being written right now */
	else if (res2 != TEE_SUCCESS && res2 != TEE_ERROR_ITEM_NOT_FOUND)
		return res2;
	if (!st.flags)
		return TEE_ERROR_ITEM_NOT_FOUND;
	status_encode(&st, params[2].memref.buffer);
	params[2].memref.size = SS_WIRE_STATUS_SIZE;
	return TEE_SUCCESS;
}

TEE_Result ss_put_status(struct ss_session *s, uint32_t types,
			 TEE_Param params[4])
{
	const uint32_t exp = TEE_PARAM_TYPES(
	    TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_VALUE_INPUT,
	    TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT);
	struct ss_status st = {.flags = 0};
	struct ss_id id;
	uint32_t storage;
	TEE_Result res;

	(void)s;
	if (types != exp)
		return TEE_ERROR_BAD_PARAMETERS;
	if (params[3].memref.size < SS_WIRE_STATUS_SIZE) {
		params[3].memref.size = SS_WIRE_STATUS_SIZE;
		return TEE_ERROR_SHORT_BUFFER;
	}
	res = id_and_storage(types, params, &id, &storage);
	if (res == TEE_SUCCESS)
		res = probe_part(storage, &id, &st);
	if (res != TEE_SUCCESS)
		return res;
	ss_param_set_u64(&params[2], st.part_done);
	status_encode(&st, params[3].memref.buffer);
	params[3].memref.size = SS_WIRE_STATUS_SIZE;
	return TEE_SUCCESS;
}

TEE_Result ss_delete(struct ss_session *s, uint32_t types, TEE_Param params[4])
{
	struct ss_id id;
	uint32_t storage;
	TEE_Result res;

	if (TEE_PARAM_TYPE_GET(types, 0) != TEE_PARAM_TYPE_MEMREF_INPUT ||
	    TEE_PARAM_TYPE_GET(types, 2) != TEE_PARAM_TYPE_NONE ||
	    TEE_PARAM_TYPE_GET(types, 3) != TEE_PARAM_TYPE_NONE)
		return TEE_ERROR_BAD_PARAMETERS;
	res = id_and_storage(types, params, &id, &storage);
	if (res != TEE_SUCCESS)
		return res;
	/* This session's own transfer to id would hold the partial
	 * object: let it go first. */
	if (s->x.kind != SS_XFER_NONE && s->x.storage == storage &&
	    s->x.id.len == id.len && !memcmp(s->x.id.id, id.id, id.len))
		ss_xfer_reset(&s->x);
	return ss_obj_delete(storage, &id);
}

TEE_Result ss_info(uint32_t types, TEE_Param params[4])
{
	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT,
				     TEE_PARAM_TYPE_VALUE_OUTPUT,
				     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	params[0].value.a = SS_MAX_CHUNK;
	params[0].value.b = SS_PROTOCOL_VERSION;
	params[1].value.a = SS_ID_MAX;
	params[1].value.b = SS_MIN_CHUNK;
	return TEE_SUCCESS;
}

/* One entry for LIST, from an enumerated object ID and its info. */
static void list_entry(uint32_t storage, const char *raw, size_t raw_len,
		       const TEE_ObjectInfo *info, uint8_t *flags,
		       uint64_t *size, struct ss_id *id)
{
	struct ss_status st = {.flags = 0};
	bool part = raw_len > SS_PART_PREFIX_LEN &&
		    !memcmp(raw, SS_PART_PREFIX, SS_PART_PREFIX_LEN);
	size_t skip = part ? SS_PART_PREFIX_LEN : 0;
	TEE_Result res;

	id->len = raw_len - skip;
	memcpy(id->id, raw + skip, id->len);
	if (part) {
		*flags = SS_STAT_PARTIAL;
		*size = info->dataSize >= SS_HDR_SIZE
			    ? info->dataSize - SS_HDR_SIZE
			    : 0;
		return;
	}
	/* The header says whether it is ours; one that cannot be opened
	 * now (being replaced) is shown by its raw size. */
	res = probe_object(storage, id, &st);
	if (res == TEE_SUCCESS) {
		*flags = (uint8_t)st.flags;
		*size = st.size;
	} else if (res == TEE_ERROR_CORRUPT_OBJECT) {
		/* Reported once: the TEE takes a corrupt object away. */
		*flags = SS_STAT_CORRUPT;
		*size = info->dataSize;
	} else {
		*flags = SS_STAT_OBJECT;
		*size = info->dataSize;
	}
}

static TEE_Result list_start(struct ss_session *s, uint32_t storage)
{
	TEE_Result res;

	if (!s->list) {
		res = TEE_AllocatePersistentObjectEnumerator(&s->list);
		if (res != TEE_SUCCESS)
			return res;
	}
	s->list_storage = storage;
	s->list_started = true;
	res = TEE_StartPersistentObjectEnumerator(s->list, storage);
	if (res == TEE_ERROR_ITEM_NOT_FOUND)
		s->list_started = false; /* an empty storage */
	return res;
}

TEE_Result ss_list(struct ss_session *s, uint32_t types, TEE_Param params[4])
{
	const uint32_t exp = TEE_PARAM_TYPES(
	    TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT,
	    TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE);
	uint8_t *out = params[1].memref.buffer;
	size_t cap = params[1].memref.size, used = 0;
	char raw[TEE_OBJECT_ID_MAX_LEN];
	TEE_ObjectInfo info;
	struct ss_id id;
	uint64_t size;
	uint8_t flags;
	size_t raw_len;
	uint32_t count = 0, storage;
	TEE_Result res;

	if (types != exp || (cap && !out))
		return TEE_ERROR_BAD_PARAMETERS;
	res = ss_param_storage(types, params, 0, &storage);
	if (res != TEE_SUCCESS)
		return res;
	if (cap < SS_WIRE_ENTRY_HEAD + TEE_OBJECT_ID_MAX_LEN) {
		params[1].memref.size =
		    SS_WIRE_ENTRY_HEAD + TEE_OBJECT_ID_MAX_LEN;
		return TEE_ERROR_SHORT_BUFFER;
	}
	params[2].value.a = 0;
	params[2].value.b = 0;
	if (params[0].value.b == 1 || !s->list_started ||
	    s->list_storage != storage) {
		res = list_start(s, storage);
		if (res == TEE_ERROR_ITEM_NOT_FOUND) {
			params[1].memref.size = 0;
			return TEE_SUCCESS;
		}
		if (res != TEE_SUCCESS)
			return res;
	}
	/* Stops while an entry of the longest ID still fits, so no entry
	 * ever has to wait for the next call. */
	while (cap - used >= SS_WIRE_ENTRY_HEAD + TEE_OBJECT_ID_MAX_LEN) {
		raw_len = sizeof(raw);
		res =
		    TEE_GetNextPersistentObject(s->list, &info, raw, &raw_len);
		if (res == TEE_ERROR_ITEM_NOT_FOUND) {
			s->list_started = false;
			break;
		}
		if (res != TEE_SUCCESS)
			return res;
		if (raw_len > sizeof(raw))
			return TEE_ERROR_BAD_FORMAT;
		list_entry(storage, raw, raw_len, &info, &flags, &size, &id);
		out[used] = (uint8_t)id.len;
		out[used + 1] = flags;
		put_le64(out + used + 2, size);
		memcpy(out + used + SS_WIRE_ENTRY_HEAD, id.id, id.len);
		used += SS_WIRE_ENTRY_HEAD + id.len;
		count++;
	}
	params[1].memref.size = used;
	params[2].value.a = count;
	params[2].value.b = s->list_started;
	return TEE_SUCCESS;
}
