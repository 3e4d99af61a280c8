/*
 * The storage test TA: one command per GP storage function (and digests),
 * so that the conformance test (test_tastore.c) checks every return code
 * from outside. Commands and parameters: include/storage_ta_ids.h.
 */
#include <string.h>
#include <tee_internal_api.h>

#include "storage_ta_ids.h"

#define H(v)  ((TEE_ObjectHandle)(uintptr_t)(v))
#define E(v)  ((TEE_ObjectEnumHandle)(uintptr_t)(v))
#define HV(h) ((uint32_t)(uintptr_t)(h))

TEE_Result TA_CreateEntryPoint(void)
{
	return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void)
{
}

TEE_Result TA_OpenSessionEntryPoint(uint32_t types, TEE_Param params[4],
				    void **ctx)
{
	(void)types;
	(void)params;
	(void)ctx;
	return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *ctx)
{
	(void)ctx;
}

static bool is_memref(uint32_t types, int i)
{
	return TEE_PARAM_TYPE_GET(types, i) >= TEE_PARAM_TYPE_MEMREF_INPUT;
}

static uint8_t pattern_byte(size_t i, uint32_t seed)
{
	return (uint8_t)(i * 7 + seed + (i >> 11));
}

/* The object ID as ST_ID_* asks; *buf is freed by the caller. */
static void get_id(uint32_t types, TEE_Param p[4], void **buf, const void **id,
		   size_t *len)
{
	uint32_t mode = p[2].value.a & 0xff;
	size_t n = is_memref(types, 1) ? p[1].memref.size : 0;

	*buf = NULL;
	*id = NULL;
	*len = 0;
	switch (mode) {
	case ST_ID_SHM:
		*id = p[1].memref.buffer;
		*len = n;
		break;
	case ST_ID_NULL:
		break;
	case ST_ID_LONG:
		*buf = TEE_Malloc(65, 0);
		*id = *buf;
		*len = 65;
		break;
	default:
		*buf = TEE_Malloc(n, 0);
		if (n)
			memcpy(*buf, p[1].memref.buffer, n);
		*id = *buf;
		*len = n;
	}
}

static TEE_Result cmd_open_create(uint32_t cmd, uint32_t types, TEE_Param p[4])
{
	TEE_ObjectHandle obj = TEE_HANDLE_NULL;
	void *buf = NULL, *data = NULL;
	const void *id;
	size_t len, i, dlen = 0;
	TEE_Result res;

	get_id(types, p, &buf, &id, &len);
	if (cmd == ST_CMD_OPEN) {
		res = TEE_OpenPersistentObject(p[0].value.a, id, len,
					       p[0].value.b, &obj);
	} else {
		dlen = p[3].value.a;
		data = dlen ? TEE_Malloc(dlen, TEE_MALLOC_FILL_ZERO) : NULL;
		if (dlen && !data)
			return TEE_ERROR_OUT_OF_MEMORY;
		for (i = 0; i < dlen; i++)
			((uint8_t *)data)[i] = pattern_byte(i, p[3].value.b);
		res = TEE_CreatePersistentObject(
		    p[0].value.a, id, len, p[0].value.b, H(p[2].value.b), data,
		    dlen, (p[2].value.a & ST_NO_HANDLE) ? NULL : &obj);
		TEE_Free(data);
	}
	TEE_Free(buf);
	p[3].value.a = HV(obj);
	return res;
}

static TEE_Result cmd_rename(uint32_t types, TEE_Param p[4])
{
	void *buf;
	const void *id;
	size_t len;
	TEE_Result res;

	get_id(types, p, &buf, &id, &len);
	res = TEE_RenamePersistentObject(H(p[0].value.a), id, len);
	TEE_Free(buf);
	return res;
}

static TEE_Result cmd_info(TEE_Param p[4])
{
	TEE_ObjectInfo info;
	uint32_t out[7];
	TEE_Result res = TEE_SUCCESS;

	memset(&info, 0xa5, sizeof(info));
	if (p[0].value.b)
		TEE_GetObjectInfo(H(p[0].value.a), &info);
	else
		res = TEE_GetObjectInfo1(H(p[0].value.a), &info);
	if (res)
		return res;
	out[0] = info.objectType;
	out[1] = info.objectSize;
	out[2] = info.maxObjectSize;
	out[3] = info.objectUsage;
	out[4] = (uint32_t)info.dataSize;
	out[5] = (uint32_t)info.dataPosition;
	out[6] = info.handleFlags;
	if (p[1].memref.size < sizeof(out))
		return TEE_ERROR_SHORT_BUFFER;
	memcpy(p[1].memref.buffer, out, sizeof(out));
	p[1].memref.size = sizeof(out);
	return TEE_SUCCESS;
}

static TEE_Result cmd_get_buf_attr(TEE_Param p[4])
{
	size_t size = p[1].memref.size;
	TEE_Result res;

	res = TEE_GetObjectBufferAttribute(H(p[0].value.a), p[0].value.b,
					   p[1].memref.buffer, &size);
	p[1].memref.size = size;
	return res;
}

static TEE_Result cmd_enum_next(TEE_Param p[4])
{
	TEE_ObjectInfo info;
	uint8_t id[TEE_OBJECT_ID_MAX_LEN];
	size_t len = 0;
	TEE_Result res;

	memset(&info, 0, sizeof(info));
	res = TEE_GetNextPersistentObject(
	    E(p[0].value.a), p[2].value.a ? &info : NULL, id, &len);
	if (res)
		return res;
	if (p[1].memref.size < len)
		return TEE_ERROR_SHORT_BUFFER;
	memcpy(p[1].memref.buffer, id, len);
	p[1].memref.size = len;
	p[3].value.a = info.objectType;
	p[3].value.b = (uint32_t)info.dataSize;
	return TEE_SUCCESS;
}

static TEE_Result cmd_populate(TEE_Param p[4])
{
	TEE_Attribute attr;
	uint8_t key[512];
	size_t n = p[1].memref.size;

	if (n > sizeof(key))
		return TEE_ERROR_BAD_PARAMETERS;
	memcpy(key, p[1].memref.buffer, n);
	TEE_InitRefAttribute(&attr, p[0].value.b, key, n);
	return TEE_PopulateTransientObject(H(p[0].value.a), &attr,
					   p[2].value.a);
}

static TEE_Result cmd_digest(TEE_Param p[4])
{
	TEE_OperationHandle op;
	size_t n = p[2].value.a, split = p[0].value.b, hl;
	uint8_t *data, hash[64];
	TEE_Result res;

	if (split > n || n > p[1].memref.size)
		return TEE_ERROR_BAD_PARAMETERS;
	res = TEE_AllocateOperation(&op, p[0].value.a, TEE_MODE_DIGEST, 0);
	if (res)
		return res;
	data = TEE_Malloc(n, 0);
	if (!data)
		return TEE_ERROR_OUT_OF_MEMORY;
	memcpy(data, p[1].memref.buffer, n);
	TEE_DigestUpdate(op, data, split);
	hl = p[3].value.a;
	res = TEE_DigestDoFinal(op, data + split, n - split, hash, &hl);
	p[3].value.a = res;
	p[3].value.b = (uint32_t)hl;
	if (res == TEE_ERROR_SHORT_BUFFER) {
		hl = sizeof(hash);
		res = TEE_DigestDoFinal(op, data + split, n - split, hash, &hl);
	}
	/* The operation is ready again after DoFinal: a second message. */
	if (!res && hl <= p[1].memref.size) {
		memcpy(p[1].memref.buffer, hash, hl);
		p[1].memref.size = hl;
	}
	TEE_Free(data);
	TEE_FreeOperation(op);
	return res;
}

static TEE_Result cmd_digest_info(TEE_Param p[4])
{
	TEE_OperationHandle op;
	TEE_OperationInfo info;
	TEE_Result res;

	res = TEE_AllocateOperation(&op, p[0].value.a, TEE_MODE_DIGEST, 0);
	if (res)
		return res;
	TEE_GetOperationInfo(op, &info);
	if (info.algorithm != p[0].value.a ||
	    info.operationClass != TEE_OPERATION_DIGEST ||
	    info.mode != TEE_MODE_DIGEST)
		res = TEE_ERROR_GENERIC;
	p[3].value.a = info.digestLength;
	p[3].value.b = info.handleState;
	TEE_ResetOperation(op);
	TEE_FreeOperation(op);
	return res;
}

static TEE_Result cmd_big(uint32_t cmd, TEE_Param p[4])
{
	size_t size = p[0].value.b, i, count = 0;
	uint8_t *buf = TEE_Malloc(size, TEE_MALLOC_FILL_ZERO);
	TEE_Result res;
	bool match = true;

	if (!buf)
		return TEE_ERROR_OUT_OF_MEMORY;
	if (cmd == ST_CMD_BIG_WRITE) {
		for (i = 0; i < size; i++)
			buf[i] = pattern_byte(i, p[2].value.a);
		res = TEE_WriteObjectData(H(p[0].value.a), buf, size);
	} else {
		res = TEE_ReadObjectData(H(p[0].value.a), buf, size, &count);
		for (i = 0; i < count; i++)
			match =
			    match && buf[i] == pattern_byte(i, p[2].value.a);
		p[3].value.a = (uint32_t)count;
		p[3].value.b = match;
	}
	TEE_Free(buf);
	return res;
}

static TEE_Result cmd_panic_bogus(TEE_Param p[4])
{
	TEE_ObjectHandle h = H(p[0].value.a);
	TEE_ObjectInfo info;
	uint8_t b[4] = {0};
	size_t n;

	switch (p[0].value.b) {
	case ST_BOGUS_CLOSE:
		TEE_CloseObject(h);
		break;
	case ST_BOGUS_READ:
		TEE_ReadObjectData(h, b, sizeof(b), &n);
		break;
	case ST_BOGUS_INFO:
		TEE_GetObjectInfo1(h, &info);
		break;
	case ST_BOGUS_FREE_TRANSIENT:
		TEE_FreeTransientObject(h);
		break;
	case ST_BOGUS_ENUM_START:
		TEE_StartPersistentObjectEnumerator(E(p[0].value.a),
						    TEE_STORAGE_PRIVATE);
		break;
	case ST_BOGUS_SEEK_TRANSIENT:
		TEE_SeekObjectData(h, 0, TEE_DATA_SEEK_SET);
		break;
	case ST_BOGUS_DIGEST:
		TEE_DigestUpdate((TEE_OperationHandle)(uintptr_t)p[0].value.a,
				 b, sizeof(b));
		break;
	}
	return TEE_ERROR_GENERIC; /* still alive: the test fails */
}

static TEE_Result cmd_prop(TEE_Param p[4])
{
	return TEE_GetPropertyAsU32(
	    TEE_PROPSET_TEE_IMPLEMENTATION,
	    "gpd.tee.trustedStorage.antiRollback.protectionLevel",
	    &p[3].value.a);
}

static TEE_Result cmd_seek(TEE_Param p[4])
{
	uint64_t off = (uint64_t)p[2].value.b << 32 | p[2].value.a;

	return TEE_SeekObjectData(H(p[0].value.a), (intmax_t)(int64_t)off,
				  (TEE_Whence)p[0].value.b);
}

static TEE_Result cmd_handle_ops(uint32_t cmd, TEE_Param p[4])
{
	size_t count = 0;
	TEE_ObjectHandle h = TEE_HANDLE_NULL;
	TEE_ObjectEnumHandle e = TEE_HANDLE_NULL;
	TEE_Result res = TEE_SUCCESS;

	switch (cmd) {
	case ST_CMD_CLOSE:
		TEE_CloseObject(H(p[0].value.a));
		return TEE_SUCCESS;
	case ST_CMD_CLOSE_DELETE:
		if (!p[0].value.b)
			return TEE_CloseAndDeletePersistentObject1(
			    H(p[0].value.a));
		TEE_CloseAndDeletePersistentObject(H(p[0].value.a));
		return TEE_SUCCESS;
	case ST_CMD_READ:
		res = TEE_ReadObjectData(H(p[0].value.a), p[1].memref.buffer,
					 p[1].memref.size, &count);
		p[3].value.a = (uint32_t)count;
		return res;
	case ST_CMD_WRITE:
		return TEE_WriteObjectData(H(p[0].value.a), p[1].memref.buffer,
					   p[1].memref.size);
	case ST_CMD_TRUNCATE:
		return TEE_TruncateObjectData(H(p[0].value.a), p[2].value.a);
	case ST_CMD_RESTRICT:
		return TEE_RestrictObjectUsage1(H(p[0].value.a), p[0].value.b);
	case ST_CMD_GET_VAL_ATTR:
		return TEE_GetObjectValueAttribute(H(p[0].value.a),
						   p[0].value.b, &p[3].value.a,
						   &p[3].value.b);
	case ST_CMD_ENUM_ALLOC:
		res = TEE_AllocatePersistentObjectEnumerator(&e);
		p[3].value.a = HV(e);
		return res;
	case ST_CMD_ENUM_FREE:
		TEE_FreePersistentObjectEnumerator(E(p[0].value.a));
		return TEE_SUCCESS;
	case ST_CMD_ENUM_RESET:
		TEE_ResetPersistentObjectEnumerator(E(p[0].value.a));
		return TEE_SUCCESS;
	case ST_CMD_ENUM_START:
		return TEE_StartPersistentObjectEnumerator(E(p[0].value.a),
							   p[0].value.b);
	case ST_CMD_ALLOC_TRANSIENT:
		res =
		    TEE_AllocateTransientObject(p[0].value.a, p[0].value.b, &h);
		p[3].value.a = HV(h);
		return res;
	case ST_CMD_FREE_TRANSIENT:
		TEE_FreeTransientObject(H(p[0].value.a));
		return TEE_SUCCESS;
	case ST_CMD_RESET_TRANSIENT:
		TEE_ResetTransientObject(H(p[0].value.a));
		return TEE_SUCCESS;
	case ST_CMD_GENERATE_KEY:
		return TEE_GenerateKey(H(p[0].value.a), p[0].value.b, NULL, 0);
	case ST_CMD_COPY_ATTRS:
		return TEE_CopyObjectAttributes1(H(p[0].value.a),
						 H(p[0].value.b));
	default:
		return TEE_ERROR_NOT_SUPPORTED;
	}
}

TEE_Result TA_InvokeCommandEntryPoint(void *ctx, uint32_t cmd, uint32_t types,
				      TEE_Param p[4])
{
	(void)ctx;
	if (TEE_PARAM_TYPE_GET(types, 0) != TEE_PARAM_TYPE_VALUE_INOUT ||
	    TEE_PARAM_TYPE_GET(types, 2) != TEE_PARAM_TYPE_VALUE_INPUT ||
	    TEE_PARAM_TYPE_GET(types, 3) != TEE_PARAM_TYPE_VALUE_INOUT)
		return TEE_ERROR_BAD_PARAMETERS;
	switch (cmd) {
	case ST_CMD_OPEN:
	case ST_CMD_CREATE:
		return cmd_open_create(cmd, types, p);
	case ST_CMD_RENAME:
		return cmd_rename(types, p);
	case ST_CMD_SEEK:
		return cmd_seek(p);
	case ST_CMD_INFO:
		return cmd_info(p);
	case ST_CMD_GET_BUF_ATTR:
		return cmd_get_buf_attr(p);
	case ST_CMD_ENUM_NEXT:
		return cmd_enum_next(p);
	case ST_CMD_POPULATE:
		return cmd_populate(p);
	case ST_CMD_DIGEST:
		return cmd_digest(p);
	case ST_CMD_DIGEST_INFO:
		return cmd_digest_info(p);
	case ST_CMD_BIG_WRITE:
	case ST_CMD_BIG_READ:
		return cmd_big(cmd, p);
	case ST_CMD_PROP:
		return cmd_prop(p);
	case ST_CMD_PANIC_BOGUS:
		return cmd_panic_bogus(p);
	default:
		return cmd_handle_ops(cmd, p);
	}
}
