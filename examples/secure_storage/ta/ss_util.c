/*
 * Parameters, object IDs and the object header of the secure storage TA
 * (docs/secure-storage-app.md). Everything here only checks and converts:
 * no storage access.
 */
#include <string.h>

#include "ss_ta.h"

static bool ss_storage_valid(uint32_t storage)
{
	return storage == TEE_STORAGE_PRIVATE ||
	       storage == TEE_STORAGE_PRIVATE_REE ||
	       storage == TEE_STORAGE_PRIVATE_RPMB;
}

/*
 * The storage ID in params[idx].value.a, or TEE_STORAGE_PRIVATE when that
 * parameter is NONE (OP-TEE's client never sends it).
 */
TEE_Result ss_param_storage(uint32_t types, TEE_Param params[4], int idx,
			    uint32_t *storage)
{
	switch (TEE_PARAM_TYPE_GET(types, idx)) {
	case TEE_PARAM_TYPE_NONE:
		*storage = TEE_STORAGE_PRIVATE;
		return TEE_SUCCESS;
	case TEE_PARAM_TYPE_VALUE_INPUT:
		if (!ss_storage_valid(params[idx].value.a))
			return TEE_ERROR_BAD_PARAMETERS;
		*storage = params[idx].value.a;
		return TEE_SUCCESS;
	default:
		return TEE_ERROR_BAD_PARAMETERS;
	}
}

uint64_t ss_param_u64(const TEE_Param *p)
{
	return (uint64_t)p->value.b << 32 | p->value.a;
}

void ss_param_set_u64(TEE_Param *p, uint64_t v)
{
	p->value.a = (uint32_t)v;
	p->value.b = (uint32_t)(v >> 32);
}

static bool ss_id_char_ok(char c)
{
	return c != '\0' && strchr(SS_ID_CHARS, c) != NULL;
}

/*
 * Copies the ID out of the client's shared memory (GP forbids passing
 * shared memory as an object ID, and the client could change it under
 * us) and checks it: 1..SS_ID_MAX allowed characters, no leading '.'.
 */
TEE_Result ss_id_from_param(const TEE_Param *p, struct ss_id *id)
{
	const char *src = p->memref.buffer;
	size_t i, n = p->memref.size;

	if (!src || n == 0 || n > SS_ID_MAX)
		return TEE_ERROR_BAD_PARAMETERS;
	TEE_MemMove(id->id, src, n);
	id->len = n;
	if (id->id[0] == '.')
		return TEE_ERROR_BAD_PARAMETERS;
	for (i = 0; i < n; i++)
		if (!ss_id_char_ok(id->id[i]))
			return TEE_ERROR_BAD_PARAMETERS;
	return TEE_SUCCESS;
}

/* The ID of the partial object of a transfer to id: ".part/<id>". */
void ss_id_part(const struct ss_id *id, struct ss_id *part)
{
	TEE_MemMove(part->id, SS_PART_PREFIX, SS_PART_PREFIX_LEN);
	TEE_MemMove(part->id + SS_PART_PREFIX_LEN, id->id, id->len);
	part->len = SS_PART_PREFIX_LEN + id->len;
}

/* Compares hashes in constant time. */
bool ss_equal_ct(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;

	for (size_t i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

void ss_hdr_encode(const struct ss_hdr *h, uint8_t out[SS_HDR_SIZE])
{
	memset(out, 0, SS_HDR_SIZE);
	put_le32(out, SS_HDR_MAGIC);
	put_le32(out + 4, SS_HDR_SIZE);
	put_le32(out + 8, h->flags);
	put_le64(out + 16, h->size);
	memcpy(out + 24, h->sha256, SS_SHA256_LEN);
}

/* False when in is not our header (an object someone else wrote). */
bool ss_hdr_decode(const uint8_t in[SS_HDR_SIZE], struct ss_hdr *h)
{
	if (get_le32(in) != SS_HDR_MAGIC || get_le32(in + 4) != SS_HDR_SIZE)
		return false;
	h->flags = get_le32(in + 8);
	h->size = get_le64(in + 16);
	memcpy(h->sha256, in + 24, SS_SHA256_LEN);
	return true;
}
