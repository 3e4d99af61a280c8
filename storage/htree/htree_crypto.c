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
	unsigned i;

	/* Freeing a cipher context cleanses its key schedule. */
	EVP_CIPHER_CTX_free(ht->enc);
	EVP_CIPHER_CTX_free(ht->dec);
	for (i = 0; i < HTREE_POOL_MAX; i++) {
		EVP_CIPHER_CTX_free(ht->slot_enc[i]);
		EVP_CIPHER_CTX_free(ht->slot_dec[i]);
		ht->slot_enc[i] = ht->slot_dec[i] = NULL;
	}
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

/* Block AAD = enc_fek || iv, in one piece (one update call). */
static void block_aad(const struct htree *ht, const struct htree_node *n,
		      uint8_t aad[HTREE_FEK_SIZE + HTREE_IV_SIZE])
{
	memcpy(aad, ht->enc_fek, HTREE_FEK_SIZE);
	memcpy(aad + HTREE_FEK_SIZE, n->iv, HTREE_IV_SIZE);
}

/* Encrypts with the IV already in n. */
static TEE_Result block_seal(struct htree *ht, EVP_CIPHER_CTX *ctx,
			     struct htree_node *n, const void *plain, void *out)
{
	uint8_t aad_buf[HTREE_FEK_SIZE + HTREE_IV_SIZE];
	const uint8_t *aad = aad_buf;
	const size_t aad_len = sizeof(aad_buf);

	block_aad(ht, n, aad_buf);
	return gcm_run(ctx, 1, n->iv, &aad, &aad_len, 1,
		       plain ? plain : zero_block, out, HTREE_BS, n->tag);
}

static TEE_Result block_open(struct htree *ht, EVP_CIPHER_CTX *ctx,
			     const struct htree_node *n, const void *in,
			     void *out)
{
	uint8_t aad_buf[HTREE_FEK_SIZE + HTREE_IV_SIZE];
	const uint8_t *aad = aad_buf;
	const size_t aad_len = sizeof(aad_buf);
	uint8_t tag[HTREE_TAG_SIZE];
	TEE_Result res;

	block_aad(ht, n, aad_buf);
	memcpy(tag, n->tag, sizeof(tag));
	res = gcm_run(ctx, 0, n->iv, &aad, &aad_len, 1, in, out, HTREE_BS, tag);
	if (res != TEE_SUCCESS)
		memset(out, 0, HTREE_BS); /* never hand out unverified text */
	return res;
}

TEE_Result htree_block_encrypt(struct htree *ht, struct htree_node *n,
			       const void *plain, void *out)
{
	if (RAND_bytes(n->iv, HTREE_IV_SIZE) != 1)
		return TEE_ERROR_GENERIC;
	return block_seal(ht, ht->enc, n, plain, out);
}

TEE_Result htree_block_decrypt(struct htree *ht, const struct htree_node *n,
			       const void *in, void *out)
{
	return block_open(ht, ht->dec, n, in, out);
}

/* The contexts of pool slots 1 .. slots-1 for one direction. */
static TEE_Result slot_ctxs(struct htree *ht, bool enc, unsigned slots)
{
	EVP_CIPHER_CTX **ctx = enc ? ht->slot_enc : ht->slot_dec;
	unsigned i;

	for (i = 1; i < slots && i < HTREE_POOL_MAX; i++) {
		if (ctx[i])
			continue;
		ctx[i] = gcm_ctx_new(ht->gcm, ht->fek, enc);
		if (!ctx[i])
			return TEE_ERROR_OUT_OF_MEMORY;
	}
	return TEE_SUCCESS;
}

static EVP_CIPHER_CTX *ctx_of(struct htree *ht, bool enc, unsigned slot)
{
	if (slot == 0)
		return enc ? ht->enc : ht->dec;
	return enc ? ht->slot_enc[slot] : ht->slot_dec[slot];
}

/* Pool job: blocks [begin, end) of a run, with this slot's context. */
static TEE_Result crypt_items(void *arg, unsigned slot, size_t begin,
			      size_t end)
{
	struct htree_crypt_run *r = arg;
	EVP_CIPHER_CTX *ctx = ctx_of(r->ht, r->enc, slot);
	TEE_Result res = TEE_SUCCESS, one;
	size_t i;

	for (i = begin; i < end; i++) {
		struct htree_crypt *c = &r->blk[i];

		if (r->enc) {
			one = block_seal(r->ht, ctx, c->node, c->in, c->out);
			if (c->dup)
				memcpy(c->dup, c->out, HTREE_BS);
		} else
			one = block_open(r->ht, ctx, c->node, c->in, c->out);
		/* A bad tag does not stop the others: the caller zeroes
		 * the whole output anyway. */
		if (one != TEE_SUCCESS && res == TEE_SUCCESS)
			res = one;
	}
	return res;
}

/* Fresh IVs for every block, 64 per RAND_bytes call. */
static TEE_Result fresh_ivs(struct htree_crypt *blk, size_t n)
{
	uint8_t ivs[64 * HTREE_IV_SIZE];
	size_t i, k, j;

	for (i = 0; i < n; i += k) {
		k = n - i < 64 ? n - i : 64;
		if (RAND_bytes(ivs, (int)(k * HTREE_IV_SIZE)) != 1)
			return TEE_ERROR_GENERIC;
		for (j = 0; j < k; j++)
			memcpy(blk[i + j].node->iv, ivs + j * HTREE_IV_SIZE,
			       HTREE_IV_SIZE);
	}
	return TEE_SUCCESS;
}

/* The thread slots a run of n blocks uses (1: the calling thread alone),
 * with the tree's contexts for them made. */
static unsigned crypto_slots(struct htree *ht, bool enc, size_t n)
{
	unsigned slots;

	if (n < HTREE_PAR_MIN_BLOCKS)
		return 1;
	slots = htree_pool_slots();
	if (slots > 1 && slot_ctxs(ht, enc, slots) != TEE_SUCCESS)
		return 1; /* no memory for contexts: run alone */
	return slots;
}

void htree_crypt_start(struct htree *ht, struct htree_crypt_run *r, bool enc,
		       struct htree_crypt *blk, size_t n)
{
	unsigned slots = 1;

	r->ht = ht;
	r->blk = blk;
	r->enc = enc;
	r->res = enc ? fresh_ivs(blk, n) : TEE_SUCCESS;
	if (r->res == TEE_SUCCESS)
		slots = crypto_slots(ht, enc, n);
	/* A failure so far: an empty job, finish reports it. */
	if (r->res != TEE_SUCCESS)
		n = 0;
	htree_pool_start(&r->job, crypt_items, r, n,
			 slots > 1 ? HTREE_PAR_GRAIN : n);
}

TEE_Result htree_crypt_finish(struct htree_crypt_run *r)
{
	TEE_Result res = htree_pool_finish(&r->job);

	return r->res != TEE_SUCCESS ? r->res : res;
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
