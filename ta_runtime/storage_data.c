/*
 * The data stream of persistent objects (GP 5.9). A transfer that fits
 * in one message goes as one READ or WRITE. A larger one goes through
 * shared memory (docs/gp-storage-ta.md, "Bulk data"): one WRITE_MEM or
 * READ_MEM naming the client's memref it lies in, or the bulk buffer when
 * it fits there; else it is staged in teed. Either way a
 * TEE_WriteObjectData of any size is one gpstore write, i.e. one atomic
 * commit, and a large TEE_ReadObjectData one consistent read (per
 * TA_ST_STAGE_MAX bytes).
 */
#include <string.h>

#include "bytes.h"
#include "runtime.h"
#include "storage_int.h"

static const TEE_Result ok_storage[] = {TEE_ERROR_CORRUPT_OBJECT,
					TEE_ERROR_STORAGE_NOT_AVAILABLE, 0};
static const TEE_Result ok_write[] = {
    TEE_ERROR_STORAGE_NO_SPACE, TEE_ERROR_OVERFLOW, TEE_ERROR_CORRUPT_OBJECT,
    TEE_ERROR_STORAGE_NOT_AVAILABLE, 0};
static const TEE_Result ok_seek[] = {TEE_ERROR_OVERFLOW,
				     TEE_ERROR_CORRUPT_OBJECT,
				     TEE_ERROR_STORAGE_NOT_AVAILABLE, 0};

static void persistent_or_panic(TEE_ObjectHandle h)
{
	if (h == TEE_HANDLE_NULL || st_is_local(h))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
}

/* Copies teed's staged read (n bytes) into buf, then drops the stage. */
static void stage_fetch(uint8_t *buf, size_t n)
{
	static const TEE_Result ok[] = {TEE_ERROR_STORAGE_NOT_AVAILABLE, 0};
	struct ta_st_args a = {.nr = TA_SYS_ST_STAGE_GET};
	size_t off, len, got;

	for (off = 0; off < n; off += len) {
		a.u64 = off;
		if (rt.bulk) {
			len = n - off < rt.bulk_size ? n - off : rt.bulk_size;
			a.nr = TA_SYS_ST_STAGE_GET_MEM;
			st_mem_bulk(len, &a.mem);
			if (st_call(&a, NULL, 0, NULL, ok))
				rt_die_proto("staged read lost");
			memcpy(buf + off, rt.bulk, len);
			continue;
		}
		len = n - off < TA_ST_CHUNK ? n - off : TA_ST_CHUNK;
		a.value = (uint32_t)len;
		st_call(&a, buf + off, len, &got, NULL);
		if (got != len)
			rt_die_proto("short staged read");
	}
	memset(&a, 0, sizeof(a));
	a.nr = TA_SYS_ST_STAGE_END;
	st_call(&a, NULL, 0, NULL, NULL);
}

/* One staged read of up to len bytes; *got 0 at the end. */
static TEE_Result read_staged(uint32_t h, uint8_t *buf, size_t len, size_t *got)
{
	struct ta_st_args a = {
	    .nr = TA_SYS_ST_READ_STAGED, .handle = h, .u64 = len};
	uint8_t ans[8];
	size_t alen = 0;
	uint64_t n;
	TEE_Result res;

	res = st_call(&a, ans, sizeof(ans), &alen, ok_storage);
	if (res)
		return res;
	n = alen == sizeof(ans) ? get_le64(ans) : UINT64_MAX;
	if (n > len)
		rt_die_proto("malformed staged read answer");
	stage_fetch(buf, (size_t)n);
	*got = (size_t)n;
	return TEE_SUCCESS;
}

/*
 * One READ_MEM of up to len bytes into buf: straight into the client shm
 * buf lies in, or through the bulk buffer. False if neither applies.
 */
static bool read_mem(uint32_t h, uint8_t *buf, size_t len, TEE_Result *res,
		     size_t *got)
{
	struct ta_st_args a = {.nr = TA_SYS_ST_READ_MEM, .handle = h};
	bool bulk = false;
	uint8_t ans[8];
	size_t alen = 0;
	uint64_t n;

	if (!st_mem_client(buf, len, &a.mem)) {
		if (!st_mem_bulk(len, &a.mem))
			return false;
		bulk = true;
	}
	*got = 0;
	*res = st_call(&a, ans, sizeof(ans), &alen, ok_storage);
	if (*res)
		return true;
	n = alen == sizeof(ans) ? get_le64(ans) : UINT64_MAX;
	if (n > len)
		rt_die_proto("malformed read answer");
	if (bulk)
		memcpy(buf, rt.bulk, (size_t)n);
	*got = (size_t)n;
	return true;
}

TEE_Result TEE_ReadObjectData(TEE_ObjectHandle object, void *buffer,
			      size_t size, size_t *count)
{
	struct ta_st_args a = {.nr = TA_SYS_ST_READ,
			       .handle = st_hval(object),
			       .value = (uint32_t)size};
	size_t total = 0, got = 0, ask;
	TEE_Result res;

	persistent_or_panic(object);
	if (!count || (!buffer && size))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	*count = 0;
	if (size <= TA_ST_CHUNK) {
		uint8_t none;

		res = st_call(&a, buffer ? buffer : &none, size, &got,
			      ok_storage);
		if (!res)
			*count = got;
		return res;
	}
	/* teed bounds one read; a larger request takes several. */
	do {
		uint8_t *p = (uint8_t *)buffer + total;

		ask = size - total < TA_ST_STAGE_MAX ? size - total
						     : TA_ST_STAGE_MAX;
		if (!read_mem(a.handle, p, ask, &res, &got))
			res = read_staged(a.handle, p, ask, &got);
		if (res)
			return res;
		total += got;
	} while (got == ask && total < size);
	*count = total;
	return TEE_SUCCESS;
}

TEE_Result TEE_WriteObjectData(TEE_ObjectHandle object, const void *buffer,
			       size_t size)
{
	struct ta_st_args a = {.nr = TA_SYS_ST_WRITE,
			       .handle = st_hval(object)};
	TEE_Result res;

	persistent_or_panic(object);
	if (!buffer && size)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	if (size > TEE_DATA_MAX_POSITION)
		return TEE_ERROR_OVERFLOW;
	if (size <= TA_ST_CHUNK) {
		a.data = buffer;
		a.data_len = size;
		return st_call(&a, NULL, 0, NULL, ok_write);
	}
	if (size > TA_ST_STAGE_MAX)
		return TEE_ERROR_STORAGE_NO_SPACE; /* teed's bound */
	if (st_mem_client(buffer, size, &a.mem) || st_mem_bulk(size, &a.mem)) {
		if (a.mem.key == TA_ST_MEM_BULK)
			memcpy(rt.bulk, buffer, size);
		a.nr = TA_SYS_ST_WRITE_MEM;
		return st_call(&a, NULL, 0, NULL, ok_write);
	}
	res = st_stage_data(buffer, size);
	if (res)
		return res;
	a.nr = TA_SYS_ST_WRITE_STAGED;
	return st_call(&a, NULL, 0, NULL, ok_write);
}

TEE_Result TEE_TruncateObjectData(TEE_ObjectHandle object, size_t size)
{
	struct ta_st_args a = {
	    .nr = TA_SYS_ST_TRUNCATE, .handle = st_hval(object), .u64 = size};

	persistent_or_panic(object);
	return st_call(&a, NULL, 0, NULL, ok_write);
}

TEE_Result TEE_SeekObjectData(TEE_ObjectHandle object, intmax_t offset,
			      TEE_Whence whence)
{
	struct ta_st_args a = {.nr = TA_SYS_ST_SEEK,
			       .handle = st_hval(object),
			       .value = (uint32_t)whence,
			       .u64 = (uint64_t)(int64_t)offset};

	persistent_or_panic(object);
	return st_call(&a, NULL, 0, NULL, ok_seek);
}
