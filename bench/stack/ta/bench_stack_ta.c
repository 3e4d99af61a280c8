/*
 * The storage benchmark TA: writes, reads and rewrites objects in chunks
 * from its own heap (or from the client's memref), and runs streams of
 * small durable commits (bench_stack_ta.h). The client times each command.
 */
#include <string.h>
#include <tee_internal_api.h>

#include "bench_stack_ta.h"

#define FLAGS                                                                  \
	(TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE |              \
	 TEE_DATA_FLAG_ACCESS_WRITE_META)

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

static size_t make_id(uint32_t n, char id[16])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	memcpy(id, "bench-", 6);
	for (i = 0; i < 8; i++)
		id[6 + i] = hex[(n >> (28 - 4 * i)) & 0xf];
	return 14;
}

static TEE_Result open_obj(uint32_t n, bool create, TEE_ObjectHandle *h)
{
	char id[16];
	size_t len = make_id(n, id);

	if (create)
		return TEE_CreatePersistentObject(TEE_STORAGE_PRIVATE, id, len,
						  FLAGS |
						      TEE_DATA_FLAG_OVERWRITE,
						  TEE_HANDLE_NULL, NULL, 0, h);
	return TEE_OpenPersistentObject(TEE_STORAGE_PRIVATE, id, len, FLAGS, h);
}

/* The chunk buffer: the client's memref if given, else the TA's heap. */
static uint8_t *chunk_buf(uint32_t types, TEE_Param p[4], size_t chunk,
			  bool *heap)
{
	uint8_t *b;

	*heap = false;
	if (TEE_PARAM_TYPE_GET(types, 2) == TEE_PARAM_TYPE_MEMREF_INPUT) {
		if (p[2].memref.size < chunk)
			return NULL;
		return p[2].memref.buffer;
	}
	if (chunk > BENCH_MAX_CHUNK)
		return NULL;
	b = TEE_Malloc(chunk, TEE_MALLOC_FILL_ZERO);
	if (b) {
		memset(b, 0x5a, chunk);
		*heap = true;
	}
	return b;
}

static TEE_Result cmd_write(uint32_t types, TEE_Param p[4])
{
	size_t size = p[0].value.a, chunk = p[0].value.b, off, n;
	TEE_ObjectHandle h = TEE_HANDLE_NULL;
	TEE_Result res;
	uint8_t *buf;
	bool heap;

	if (!chunk || chunk > BENCH_MAX_SHM_CHUNK)
		return TEE_ERROR_BAD_PARAMETERS;
	buf = chunk_buf(types, p, chunk, &heap);
	if (!buf)
		return TEE_ERROR_OUT_OF_MEMORY;
	res = open_obj(p[1].value.a, p[1].value.b == 0, &h);
	for (off = 0; !res && off < size; off += n) {
		n = size - off < chunk ? size - off : chunk;
		res = TEE_WriteObjectData(h, buf, n);
	}
	if (h != TEE_HANDLE_NULL)
		TEE_CloseObject(h);
	if (heap)
		TEE_Free(buf);
	return res;
}

static TEE_Result cmd_read(TEE_Param p[4])
{
	size_t size = p[0].value.a, chunk = p[0].value.b, total = 0, got = 1;
	TEE_ObjectHandle h = TEE_HANDLE_NULL;
	TEE_Result res;
	uint8_t *buf;

	if (!chunk || chunk > BENCH_MAX_CHUNK)
		return TEE_ERROR_BAD_PARAMETERS;
	buf = TEE_Malloc(chunk, TEE_MALLOC_FILL_ZERO);
	if (!buf)
		return TEE_ERROR_OUT_OF_MEMORY;
	res = open_obj(p[1].value.a, false, &h);
	while (!res && got && total < size) {
		res = TEE_ReadObjectData(h, buf, chunk, &got);
		total += got;
	}
	if (!res && total != size)
		res = TEE_ERROR_CORRUPT_OBJECT;
	if (h != TEE_HANDLE_NULL)
		TEE_CloseObject(h);
	TEE_Free(buf);
	return res;
}

static TEE_Result cmd_commits(TEE_Param p[4])
{
	TEE_ObjectHandle h = TEE_HANDLE_NULL;
	uint8_t buf[1024];
	TEE_Result res;
	uint32_t i;

	memset(buf, 0xa5, sizeof(buf));
	res = open_obj(p[1].value.a, false, &h);
	if (res == TEE_ERROR_ITEM_NOT_FOUND)
		res = open_obj(p[1].value.a, true, &h);
	for (i = 0; !res && i < p[0].value.a; i++) {
		res = TEE_SeekObjectData(h, 0, TEE_DATA_SEEK_SET);
		if (!res)
			res = TEE_WriteObjectData(h, buf, sizeof(buf));
	}
	if (h != TEE_HANDLE_NULL)
		TEE_CloseObject(h);
	return res;
}

static TEE_Result cmd_delete(TEE_Param p[4])
{
	TEE_ObjectHandle h = TEE_HANDLE_NULL;
	TEE_Result res;

	res = open_obj(p[1].value.a, false, &h);
	if (res == TEE_ERROR_ITEM_NOT_FOUND)
		return TEE_SUCCESS;
	if (res)
		return res;
	return TEE_CloseAndDeletePersistentObject1(h);
}

TEE_Result TA_InvokeCommandEntryPoint(void *ctx, uint32_t cmd, uint32_t types,
				      TEE_Param p[4])
{
	(void)ctx;
	if (TEE_PARAM_TYPE_GET(types, 0) != TEE_PARAM_TYPE_VALUE_INPUT ||
	    TEE_PARAM_TYPE_GET(types, 1) != TEE_PARAM_TYPE_VALUE_INPUT)
		return TEE_ERROR_BAD_PARAMETERS;
	switch (cmd) {
	case BENCH_CMD_WRITE:
		return cmd_write(types, p);
	case BENCH_CMD_READ:
		return cmd_read(p);
	case BENCH_CMD_COMMITS:
		return cmd_commits(p);
	case BENCH_CMD_DELETE:
		return cmd_delete(p);
	default:
		return TEE_ERROR_NOT_SUPPORTED;
	}
}
