/*
 * Handle tables, object ID checks and the storage syscall helper shared
 * by the runtime's storage and crypto functions (storage_int.h).
 */
#include <string.h>

#include "bytes.h"
#include "runtime.h"
#include "storage_int.h"

uint32_t st_slot_new(struct st_slots *t, uint32_t tag, void *p)
{
	uint32_t i;

	for (i = 0; i < ST_MAX_SLOTS; i++)
		if (!t->p[i]) {
			t->p[i] = p;
			t->gen[i] = (uint16_t)((t->gen[i] + 1) & 0x3FFF);
			return tag | (uint32_t)t->gen[i] << 16 | i;
		}
	return 0;
}

void *st_slot_get(struct st_slots *t, uint32_t tag, uint32_t v)
{
	uint32_t i = v & 0xFFFF;

	if ((v & ST_TAG_MASK) != tag || i >= ST_MAX_SLOTS || !t->p[i] ||
	    ((v >> 16) & 0x3FFF) != t->gen[i])
		return NULL;
	return t->p[i];
}

void st_slot_free(struct st_slots *t, uint32_t v)
{
	uint32_t i = v & 0xFFFF;

	if (i < ST_MAX_SLOTS)
		t->p[i] = NULL;
}

void st_check_id(const void *id, size_t len)
{
	uintptr_t s = (uintptr_t)id;

	if (len > TEE_OBJECT_ID_MAX_LEN || (!id && len)) {
		rt_log("object ID of %zu bytes", len);
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	}
	/* GP: an ID in the client's shared memory could change under us. */
	if (len && (s + len < s || rt_shm_check(s, s + len))) {
		rt_log("object ID in shared memory");
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	}
}

static bool result_ok(TEE_Result res, const TEE_Result *ok)
{
	if (!res)
		return true;
	for (; ok && *ok; ok++)
		if (*ok == res)
			return true;
	return false;
}

TEE_Result st_call(const struct ta_st_args *a, void *out, size_t cap,
		   size_t *out_len, const TEE_Result *ok)
{
	static uint8_t args[IPC_MAX_PAYLOAD];
	TEE_Result res;
	int n;

	n = ta_msg_encode_st(args, sizeof(args), a);
	if (n < 0) {
		rt_log("storage syscall 0x%x: bad arguments", a->nr);
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	}
	/* rt_syscall copies the answer with memcpy: never a NULL buffer. */
	res = rt_syscall(a->nr, args, (size_t)n, out ? out : args,
			 out ? cap : 0, out_len);
	if (!result_ok(res, ok)) {
		rt_log("storage syscall 0x%x failed: 0x%08x", a->nr, res);
		TEE_Panic(res);
	}
	return res;
}

TEE_Result st_call_u32(const struct ta_st_args *a, uint32_t *v,
		       const TEE_Result *ok)
{
	uint8_t buf[4];
	size_t len = 0;
	TEE_Result res = st_call(a, buf, sizeof(buf), &len, ok);

	*v = 0;
	if (res)
		return res;
	if (len != sizeof(buf))
		rt_die_proto("malformed storage answer");
	*v = get_le32(buf);
	return TEE_SUCCESS;
}
