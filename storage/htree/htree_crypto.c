/*
 * AES-128-GCM of data blocks and headers (docs/format.md, "Crypto"). One
 * encryption and one decryption context per tree, keyed once with the FEK
 * at open; each block only sets its IV. IVs are 16 bytes (GCM hashes
 * them into J0, as OP-TEE does).
 *
 *   block:  AAD = enc_fek || iv,                               text 4096
 *   header: AAD = root_hash[0..16 or 32] || counter LE32 || enc_fek || iv,
 *           text = imeta (16)
 */
#include <string.h>

#include <openssl/rand.h>

#include "bytes.h"
#include "htree_priv.h"
#include "secmem.h"
#include "tee_api_defines.h"

static const uint8_t zero_block[HTREE_BS];

static EVP_CIPHER_CTX *gcm_ctx_new(EVP_CIPHER *gcm, const uint8_t *key, int enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	if (!ctx)
		return NULL;
	if (!EVP_CipherInit_ex(ctx, gcm, NULL, NULL, NULL, enc) ||
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, HTREE_IV_SIZE,
				 NULL) ||
	    !EVP_CipherInit_ex(ctx, NULL, NULL, key, NULL, enc)) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

TEE_Result htree_crypto_init(struct htree *ht)
{
	ht->gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	ht->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	ht->md = EVP_MD_CTX_new();
	if (!ht->gcm || !ht->sha256 || !ht->md)
		return TEE_ERROR_OUT_OF_MEMORY;
	ht->enc = gcm_ctx_new(ht->gcm, ht->fek, 1);
	ht->dec = gcm_ctx_new(ht->gcm, ht->fek, 0);
	if (!ht->enc || !ht->dec)
		return TEE_ERROR_GENERIC;
	return TEE_SUCCESS;
}

void htree_crypto_free(struct htree *ht)
{
	/* Freeing a cipher context cleanses its key schedule. */
	EVP_CIPHER_CTX_free(ht->enc);
	EVP_CIPHER_CTX_free(ht->dec);
	EVP_MD_CTX_free(ht->md);
	EVP_MD_free(ht->sha256);
	EVP_CIPHER_free(ht->gcm);
	ht->enc = ht->dec = NULL;
	ht->md = NULL;
	ht->sha256 = NULL;
	ht->gcm = NULL;
}

/* One GCM operation: AAD parts, then len bytes in -> out, tag. */
static TEE_Result gcm_run(EVP_CIPHER_CTX *ctx, int enc, const uint8_t *iv,
			  const uint8_t *const *aad, const size_t *aad_len,
			  size_t naad, const void *in, void *out, size_t len,
			  uint8_t tag[HTREE_TAG_SIZE])
{
	int l = 0;
	size_t i;

	if (!EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, enc))
		return TEE_ERROR_GENERIC;
	for (i = 0; i < naad; i++)
		if (!EVP_CipherUpdate(ctx, NULL, &l, aad[i], (int)aad_len[i]))
			return TEE_ERROR_GENERIC;
	if (!EVP_CipherUpdate(ctx, out, &l, in, (int)len) || (size_t)l != len)
		return TEE_ERROR_GENERIC;
	if (enc) {
		if (!EVP_CipherFinal_ex(ctx, (uint8_t *)out + len, &l) ||
		    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
					 HTREE_TAG_SIZE, tag))
			return TEE_ERROR_GENERIC;
		return TEE_SUCCESS;
	}
	if (!EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, HTREE_TAG_SIZE,
				 tag))
		return TEE_ERROR_GENERIC;
	if (EVP_CipherFinal_ex(ctx, (uint8_t *)out + len, &l) <= 0)
		return TEE_ERROR_CORRUPT_OBJECT;
	return TEE_SUCCESS;
}

TEE_Result htree_block_encrypt(struct htree *ht, struct htree_node *n,
			       const void *plain, void *out)
{
	const uint8_t *aad[2] = {ht->enc_fek, n->iv};
	const size_t aad_len[2] = {HTREE_FEK_SIZE, HTREE_IV_SIZE};

	if (RAND_bytes(n->iv, HTREE_IV_SIZE) != 1)
		return TEE_ERROR_GENERIC;
	return gcm_run(ht->enc, 1, n->iv, aad, aad_len, 2,
		       plain ? plain : zero_block, out, HTREE_BS, n->tag);
}

TEE_Result htree_block_decrypt(struct htree *ht, const struct htree_node *n,
			       const void *in, void *out)
{
	const uint8_t *aad[2] = {ht->enc_fek, n->iv};
	const size_t aad_len[2] = {HTREE_FEK_SIZE, HTREE_IV_SIZE};
	uint8_t tag[HTREE_TAG_SIZE];
	TEE_Result res;

	memcpy(tag, n->tag, sizeof(tag));
	res =
	    gcm_run(ht->dec, 0, n->iv, aad, aad_len, 2, in, out, HTREE_BS, tag);
	if (res != TEE_SUCCESS)
		memset(out, 0, HTREE_BS); /* never hand out unverified text */
	return res;
}

static size_t head_hash_len(const struct htree *ht)
{
	return ht->cfg.hash_size_compat ? 16 : HTREE_HASH_SIZE;
}

TEE_Result htree_head_encrypt(struct htree *ht, struct htree_head *h,
			      const uint8_t root_hash[HTREE_HASH_SIZE],
			      const uint8_t imeta[HTREE_IMETA_SIZE])
{
	uint8_t counter[4];
	const uint8_t *aad[4] = {root_hash, counter, h->enc_fek, h->iv};
	const size_t aad_len[4] = {head_hash_len(ht), 4, HTREE_FEK_SIZE,
				   HTREE_IV_SIZE};

	put_le32(counter, h->counter);
	if (RAND_bytes(h->iv, HTREE_IV_SIZE) != 1)
		return TEE_ERROR_GENERIC;
	return gcm_run(ht->enc, 1, h->iv, aad, aad_len, 4, imeta, h->imeta,
		       HTREE_IMETA_SIZE, h->tag);
}

TEE_Result htree_head_decrypt(struct htree *ht, const struct htree_head *h,
			      const uint8_t root_hash[HTREE_HASH_SIZE],
			      uint8_t imeta[HTREE_IMETA_SIZE])
{
	uint8_t counter[4];
	uint8_t tag[HTREE_TAG_SIZE];
	const uint8_t *aad[4] = {root_hash, counter, h->enc_fek, h->iv};
	const size_t aad_len[4] = {head_hash_len(ht), 4, HTREE_FEK_SIZE,
				   HTREE_IV_SIZE};
	TEE_Result res;

	put_le32(counter, h->counter);
	memcpy(tag, h->tag, sizeof(tag));
	res = gcm_run(ht->dec, 0, h->iv, aad, aad_len, 4, h->imeta, imeta,
		      HTREE_IMETA_SIZE, tag);
	if (res != TEE_SUCCESS)
		secmem_wipe(imeta, HTREE_IMETA_SIZE);
	return res;
}

/* Image: iv 0:16, tag 16:16, enc_fek 32:16, imeta 48:16, counter 64:4. */
void htree_head_pack(const struct htree_head *h, uint8_t img[HTREE_HEAD_SIZE])
{
	memcpy(img, h->iv, 16);
	memcpy(img + 16, h->tag, 16);
	memcpy(img + 32, h->enc_fek, 16);
	memcpy(img + 48, h->imeta, 16);
	put_le32(img + 64, h->counter);
}

void htree_head_unpack(const uint8_t img[HTREE_HEAD_SIZE], struct htree_head *h)
{
	memcpy(h->iv, img, 16);
	memcpy(h->tag, img + 16, 16);
	memcpy(h->enc_fek, img + 32, 16);
	memcpy(h->imeta, img + 48, 16);
	h->counter = get_le32(img + 64);
}
