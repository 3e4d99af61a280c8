/* Memory functions, access rights, instance data and panics (GP 4.5, 4.11). */
#include <string.h>
#include <unistd.h>

#include "runtime.h"
#include "tee_api.h"
#include "tee_internal_api_extensions.h"

void TEE_Panic(TEE_Result panicCode)
{
	uint8_t buf[8];
	int n;

	rt_log("TA panicked with code 0x%08x", panicCode);
	n = ta_msg_encode_u32(buf, sizeof(buf), panicCode);
	if (n > 0)
		(void)ipc_send(rt.sock, TA_MSG_PANIC, 0, buf, (size_t)n, NULL,
			       0);
	_exit(RT_EXIT_PANIC);
}

void *TEE_MemMove(void *dest, const void *src, size_t size)
{
	return memmove(dest, src, size);
}

int32_t TEE_MemCompare(const void *buffer1, const void *buffer2, size_t size)
{
	int r = memcmp(buffer1, buffer2, size);

	return r < 0 ? -1 : r > 0;
}

void TEE_MemFill(void *buff, uint32_t x, size_t size)
{
	memset(buff, (int)(uint8_t)x, size);
}

void TEE_SetInstanceData(const void *instanceData)
{
	rt.instance_data = instanceData;
}

const void *TEE_GetInstanceData(void)
{
	return rt.instance_data;
}

/* Inside the TA's own loaded image: 1 writable, 0 read-only, -1 no. */
static int image_access(uintptr_t s, uintptr_t e)
{
	size_t i;

	for (i = 0; i < rt.nsegs; i++)
		if (s >= rt.segs[i].start && e <= rt.segs[i].end)
			return rt.segs[i].writable ? 1 : 0;
	return -1;
}

/*
 * What the runtime knows to be the TA's: its heap, its stack, its image
 * and the shared memory of the current call. Anything else (memory the
 * TA got from libc's malloc, for one) is refused: better a clear
 * ACCESS_DENIED than a wrong yes (docs/ta-devkit.md).
 */
TEE_Result TEE_CheckMemoryAccessRights(uint32_t accessFlags, void *buffer,
				       size_t size)
{
	const uint32_t known = TEE_MEMORY_ACCESS_READ |
			       TEE_MEMORY_ACCESS_WRITE |
			       TEE_MEMORY_ACCESS_ANY_OWNER;
	uintptr_t s = (uintptr_t)buffer, e = s + size;
	int shm, img;

	if (accessFlags & ~known)
		return TEE_ERROR_ACCESS_DENIED;
	if (!size)
		return TEE_SUCCESS;
	if (e < s)
		return TEE_ERROR_ACCESS_DENIED;
	shm = rt_shm_check(s, e);
	if (shm)
		return shm > 0 && (accessFlags & TEE_MEMORY_ACCESS_ANY_OWNER)
			   ? TEE_SUCCESS
			   : TEE_ERROR_ACCESS_DENIED;
	if (rt_heap_contains(s, e) || rt_stack_contains(s, e))
		return TEE_SUCCESS;
	img = image_access(s, e);
	if (img < 0 || (img == 0 && (accessFlags & TEE_MEMORY_ACCESS_WRITE)))
		return TEE_ERROR_ACCESS_DENIED;
	return TEE_SUCCESS;
}

TEE_Result TEE_CacheClean(char *buf, size_t len)
{
	(void)buf;
	(void)len;
	return TEE_SUCCESS;
}

TEE_Result TEE_CacheFlush(char *buf, size_t len)
{
	(void)buf;
	(void)len;
	return TEE_SUCCESS;
}

TEE_Result TEE_CacheInvalidate(char *buf, size_t len)
{
	(void)buf;
	(void)len;
	return TEE_SUCCESS;
}
