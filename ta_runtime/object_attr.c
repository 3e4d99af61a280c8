/*
 * Object types and OP-TEE's attribute blob (reference §6; OP-TEE's
 * tee_svc_cryp.c type tables): per attribute of the type, in the type's
 * table order, a u32 big-endian length then the bytes (secrets, big
 * numbers), or a u32 big-endian holding `a` (value attributes). Every
 * attribute of the type is serialised, present or not; have_attrs says
 * which are present (bit n = table entry n).
 */
#include <string.h>

#include "bytes.h"
#include "storage_int.h"

static const uint32_t secret_attrs[] = {TEE_ATTR_SECRET_VALUE};
static const uint32_t rsa_pub_attrs[] = {TEE_ATTR_RSA_MODULUS,
					 TEE_ATTR_RSA_PUBLIC_EXPONENT};
static const uint32_t ecc_pub_attrs[] = {TEE_ATTR_ECC_PUBLIC_VALUE_X,
					 TEE_ATTR_ECC_PUBLIC_VALUE_Y,
					 TEE_ATTR_ECC_CURVE};
static const uint32_t ecc_pair_attrs[] = {
    TEE_ATTR_ECC_PRIVATE_VALUE, TEE_ATTR_ECC_PUBLIC_VALUE_X,
    TEE_ATTR_ECC_PUBLIC_VALUE_Y, TEE_ATTR_ECC_CURVE};

#define SECRET(t, lo, hi, q)                                                   \
	{                                                                      \
		(t), (lo), (hi), (q), 1, secret_attrs, true                    \
	}
#define READ_ONLY(t, a)                                                        \
	{                                                                      \
		(t), 0, 0, 0, sizeof(a) / sizeof(a[0]), (a), false             \
	}

/*
 * Key sizes from GP 1.3.1 (TEE_AllocateTransientObject) as OP-TEE has
 * them. The public-key types are only read back from persistent objects
 * (TEE_GetObject*Attribute), not created here.
 */
static const struct st_type types[] = {
    SECRET(TEE_TYPE_AES, 128, 256, 64),
    SECRET(TEE_TYPE_HMAC_MD5, 64, 512, 8),
    SECRET(TEE_TYPE_HMAC_SHA1, 80, 512, 8),
    SECRET(TEE_TYPE_HMAC_SHA224, 112, 512, 8),
    SECRET(TEE_TYPE_HMAC_SHA256, 192, 1024, 8),
    SECRET(TEE_TYPE_HMAC_SHA384, 256, 1024, 8),
    SECRET(TEE_TYPE_HMAC_SHA512, 256, 1024, 8),
    SECRET(TEE_TYPE_GENERIC_SECRET, 8, 4096, 8),
    READ_ONLY(TEE_TYPE_RSA_PUBLIC_KEY, rsa_pub_attrs),
    READ_ONLY(TEE_TYPE_ECDSA_PUBLIC_KEY, ecc_pub_attrs),
    READ_ONLY(TEE_TYPE_ECDSA_KEYPAIR, ecc_pair_attrs),
};

const struct st_type *st_type_find(uint32_t type)
{
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == type)
			return &types[i];
	return NULL;
}

bool st_type_size_ok(const struct st_type *t, uint32_t bits)
{
	return t->quantum && bits >= t->min_bits && bits <= t->max_bits &&
	       bits % t->quantum == 0;
}

static enum st_attr_kind attr_kind(uint32_t id)
{
	if (id & TEE_ATTR_FLAG_VALUE)
		return ST_ATTR_VALUE;
	return id == TEE_ATTR_SECRET_VALUE ? ST_ATTR_SECRET : ST_ATTR_BIGNUM;
}

TEE_Result st_blob_find(uint32_t type, uint32_t have_attrs, const uint8_t *blob,
			size_t blob_len, uint32_t id, const uint8_t **buf,
			size_t *len, uint32_t *a)
{
	const struct st_type *t = st_type_find(type);
	size_t n, off = 0;
	uint32_t l;

	if (!t)
		return TEE_ERROR_ITEM_NOT_FOUND;
	for (n = 0; n < t->nattrs; n++) {
		if (blob_len - off < 4)
			return TEE_ERROR_ITEM_NOT_FOUND; /* malformed */
		l = get_be32(blob + off);
		off += 4;
		if (attr_kind(t->attrs[n]) == ST_ATTR_VALUE) {
			if (t->attrs[n] == id && (have_attrs & (1U << n))) {
				*a = l;
				return TEE_SUCCESS;
			}
			continue;
		}
		if (l > blob_len - off)
			return TEE_ERROR_ITEM_NOT_FOUND;
		if (t->attrs[n] == id && (have_attrs & (1U << n))) {
			*buf = blob + off;
			*len = l;
			return TEE_SUCCESS;
		}
		off += l;
	}
	return TEE_ERROR_ITEM_NOT_FOUND;
}

size_t st_blob_secret(uint8_t *blob, size_t cap, const void *key,
		      size_t key_len)
{
	if (cap < 4 || key_len > cap - 4)
		return 0;
	put_be32(blob, (uint32_t)key_len);
	memcpy(blob + 4, key, key_len);
	return 4 + key_len;
}
