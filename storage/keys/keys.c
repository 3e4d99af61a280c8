/*
 * The key manager (keys.h). Derivations follow OP-TEE's huk_subkey.c and
 * tee_fs_key_manager.c; docs/format.md, "Keys", has the formulas.
 */
#include "keys.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "bytes.h"
#include "secmem.h"
#include "tee_api_defines.h"
#include "uuid.h"

/* HUK subkey usages (OP-TEE's enum huk_subkey_usage). */
#define SUBKEY_USAGE_RPMB 0
#define SUBKEY_USAGE_SSK  1

/* OP-TEE's compat SSK message: chip id "BEEF" x 8, then the string. */
#define CHIP_ID_SIZE 32
static const char ssk_string[] = "ONLY_FOR_tee_fs_ssk"; /* + its NUL */

struct keys {
	uint8_t ssk[KEYS_SSK_SIZE];
};

struct hmac_part {
	const void *p;
	size_t len;
};

/* out = HMAC-SHA256(key, parts[0] || parts[1] || ...). */
static TEE_Result hmac_sha256(const uint8_t *key, size_t key_len,
			      const struct hmac_part *parts, size_t nparts,
			      uint8_t out[32])
{
	TEE_Result res = TEE_ERROR_GENERIC;
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	size_t out_len = 0;
	size_t i;

	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!mac)
		goto out;
	ctx = EVP_MAC_CTX_new(mac);
	if (!ctx)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(ctx, key, key_len, params))
		goto out;
	for (i = 0; i < nparts; i++)
		if (!EVP_MAC_update(ctx, parts[i].p, parts[i].len))
			goto out;
	if (!EVP_MAC_final(ctx, out, &out_len, 32) || out_len != 32)
		goto out;
	res = TEE_SUCCESS;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return res;
}

TEE_Result keys_create(const uint8_t *huk, size_t huk_len, bool subkey_compat,
		       struct keys **out)
{
	uint8_t chip_id[CHIP_ID_SIZE];
	uint8_t usage[4];
	struct hmac_part parts[2];
	struct keys *k;
	TEE_Result res;
	size_t i;

	*out = NULL;
	if (!huk || !huk_len || huk_len > KEYS_HUK_MAX)
		return TEE_ERROR_BAD_PARAMETERS;
	k = calloc(1, sizeof(*k));
	if (!k)
		return TEE_ERROR_OUT_OF_MEMORY;

	if (subkey_compat) {
		for (i = 0; i < CHIP_ID_SIZE; i += 4)
			memcpy(chip_id + i, "BEEF", 4);
		parts[0] = (struct hmac_part){chip_id, sizeof(chip_id)};
		parts[1] = (struct hmac_part){ssk_string, sizeof(ssk_string)};
		res = hmac_sha256(huk, huk_len, parts, 2, k->ssk);
	} else {
		put_le32(usage, SUBKEY_USAGE_SSK);
		parts[0] = (struct hmac_part){usage, sizeof(usage)};
		res = hmac_sha256(huk, huk_len, parts, 1, k->ssk);
	}
	if (res != TEE_SUCCESS) {
		keys_destroy(k);
		return res;
	}
	*out = k;
	return TEE_SUCCESS;
}

void keys_destroy(struct keys *k)
{
	if (!k)
		return;
	secmem_wipe(k, sizeof(*k));
	free(k);
}

static TEE_Result derive_tsk(const struct keys *k, const void *m, size_t len,
			     uint8_t tsk[KEYS_TSK_SIZE])
{
	struct hmac_part part = {m, len};

	if (!k)
		return TEE_ERROR_BAD_PARAMETERS;
	return hmac_sha256(k->ssk, sizeof(k->ssk), &part, 1, tsk);
}

TEE_Result keys_derive_ta_tsk(const struct keys *k, const TEE_UUID *ta,
			      uint8_t tsk[KEYS_TSK_SIZE])
{
	uint8_t octets[16];

	if (!ta)
		return TEE_ERROR_BAD_PARAMETERS;
	uuid_to_octets(ta, octets);
	return derive_tsk(k, octets, sizeof(octets), tsk);
}

TEE_Result keys_derive_dirf_tsk(const struct keys *k,
				uint8_t tsk[KEYS_TSK_SIZE])
{
	static const uint8_t dirf_m[1] = {0};

	return derive_tsk(k, dirf_m, sizeof(dirf_m), tsk);
}

TEE_Result keys_derive_rpmb_hash_tsk(const struct keys *k,
				     uint8_t tsk[KEYS_TSK_SIZE])
{
	static const uint8_t zero_uuid[16];

	return derive_tsk(k, zero_uuid, sizeof(zero_uuid), tsk);
}

/* One AES-256-ECB block, no padding: OP-TEE's tee_fs_fek_crypt(). */
static TEE_Result fek_crypt(const uint8_t tsk[KEYS_TSK_SIZE],
			    const uint8_t in[KEYS_FEK_SIZE],
			    uint8_t out[KEYS_FEK_SIZE], int enc)
{
	TEE_Result res = TEE_ERROR_GENERIC;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t tmp[KEYS_FEK_SIZE * 2];
	int len = 0;

	if (!ctx)
		return TEE_ERROR_OUT_OF_MEMORY;
	if (!EVP_CipherInit_ex(ctx, EVP_aes_256_ecb(), NULL, tsk, NULL, enc) ||
	    !EVP_CIPHER_CTX_set_padding(ctx, 0) ||
	    !EVP_CipherUpdate(ctx, tmp, &len, in, KEYS_FEK_SIZE) ||
	    len != KEYS_FEK_SIZE)
		goto out;
	memcpy(out, tmp, KEYS_FEK_SIZE);
	res = TEE_SUCCESS;
out:
	secmem_wipe(tmp, sizeof(tmp));
	EVP_CIPHER_CTX_free(ctx);
	return res;
}

TEE_Result keys_wrap_fek(const uint8_t tsk[KEYS_TSK_SIZE],
			 const uint8_t fek[KEYS_FEK_SIZE],
			 uint8_t enc[KEYS_FEK_SIZE])
{
	return fek_crypt(tsk, fek, enc, 1);
}

TEE_Result keys_unwrap_fek(const uint8_t tsk[KEYS_TSK_SIZE],
			   const uint8_t enc[KEYS_FEK_SIZE],
			   uint8_t fek[KEYS_FEK_SIZE])
{
	return fek_crypt(tsk, enc, fek, 0);
}

TEE_Result keys_derive_rpmb_key(const uint8_t *huk, size_t huk_len,
				const uint8_t cid[16], bool subkey_compat,
				uint8_t key[32])
{
	uint8_t masked[16];
	uint8_t usage[4];
	struct hmac_part parts[2];
	TEE_Result res;

	if (!huk || !huk_len || huk_len > KEYS_HUK_MAX || !cid)
		return TEE_ERROR_BAD_PARAMETERS;
	/* CID byte 9 (product revision, changed by firmware updates) and 15
	 * (CRC). */
	memcpy(masked, cid, sizeof(masked));
	masked[9] = 0;
	masked[15] = 0;
	if (subkey_compat) {
		parts[0] = (struct hmac_part){masked, sizeof(masked)};
		res = hmac_sha256(huk, huk_len, parts, 1, key);
	} else {
		put_le32(usage, SUBKEY_USAGE_RPMB);
		parts[0] = (struct hmac_part){usage, sizeof(usage)};
		parts[1] = (struct hmac_part){masked, sizeof(masked)};
		res = hmac_sha256(huk, huk_len, parts, 2, key);
	}
	return res;
}
