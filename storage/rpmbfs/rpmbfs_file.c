/*
 * File contents: AES-128-CBC with ESSIV per 256-byte block, the IV
 * derived from the block's absolute RPMB address (docs/rpmbfs.md
 * "Encryption"), and the reads and writes of whole or partial files.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "rpmbfs_int.h"
#include "secmem.h"

/*
 * Encrypts or decrypts n consecutive blocks in place, the first at the
 * absolute RPMB block blk. ESSIV: IV = AES-128-ECB(SHA-256(FEK)[0..16],
 * u16le(block) || 14 zero bytes); the ESSIV key and both cipher contexts
 * are set up once per call, not per block.
 */
TEE_Result rpmbfs_crypt_blocks(const uint8_t fek[KEYS_FEK_SIZE], uint32_t blk,
			       uint32_t n, uint8_t *buf, bool enc)
{
	EVP_CIPHER_CTX *ecb = EVP_CIPHER_CTX_new();
	EVP_CIPHER_CTX *cbc = EVP_CIPHER_CTX_new();
	TEE_Result res = TEE_ERROR_GENERIC;
	uint8_t digest[32], iv[16], ivin[16];
	unsigned int dlen = 0;
	uint32_t i;
	int len;

	if (!ecb || !cbc) {
		res = TEE_ERROR_OUT_OF_MEMORY;
		goto out;
	}
	if (EVP_Digest(fek, KEYS_FEK_SIZE, digest, &dlen, EVP_sha256(), NULL) !=
		1 ||
	    EVP_EncryptInit_ex(ecb, EVP_aes_128_ecb(), NULL, digest, NULL) !=
		1 ||
	    EVP_CIPHER_CTX_set_padding(ecb, 0) != 1 ||
	    EVP_CipherInit_ex(cbc, EVP_aes_128_cbc(), NULL, fek, NULL,
			      enc ? 1 : 0) != 1 ||
	    EVP_CIPHER_CTX_set_padding(cbc, 0) != 1)
		goto out;
	for (i = 0; i < n; i++) {
		uint8_t *b = buf + (size_t)i * RPMB_BLOCK_SIZE;

		memset(ivin, 0, sizeof(ivin));
		ivin[0] = (uint8_t)(blk + i);
		ivin[1] = (uint8_t)((blk + i) >> 8);
		if (EVP_EncryptUpdate(ecb, iv, &len, ivin, 16) != 1 ||
		    len != 16 ||
		    EVP_CipherInit_ex(cbc, NULL, NULL, NULL, iv, -1) != 1 ||
		    EVP_CipherUpdate(cbc, b, &len, b, RPMB_BLOCK_SIZE) != 1 ||
		    len != RPMB_BLOCK_SIZE)
			goto out;
	}
	res = TEE_SUCCESS;
out:
	secmem_wipe(digest, sizeof(digest));
	EVP_CIPHER_CTX_free(ecb);
	EVP_CIPHER_CTX_free(cbc);
	return res;
}

uint32_t rpmbfs_span_blocks(uint64_t off, size_t len)
{
	if (!len)
		return 0;
	return (uint32_t)((off + len - 1) / RPMB_BLOCK_SIZE -
			  off / RPMB_BLOCK_SIZE + 1);
}

/* Reads and decrypts n blocks from the absolute block blk. */
static TEE_Result read_plain(struct rpmbfs *fs, uint32_t blk, uint32_t n,
			     const uint8_t *fek, uint8_t *out)
{
	TEE_Result res = rpmbfs_link_read(&fs->link, blk, n, out);

	return res ? res : rpmbfs_crypt_blocks(fek, blk, n, out, false);
}

TEE_Result rpmbfs_file_read(struct rpmbfs *fs, uint32_t start,
			    const uint8_t fek[KEYS_FEK_SIZE], uint64_t off,
			    void *buf, size_t len)
{
	uint8_t *tmp, *dst = buf;
	TEE_Result res = TEE_SUCCESS;

	if (!len)
		return TEE_SUCCESS;
	tmp = malloc(RPMBFS_READ_MAX_BLOCKS * RPMB_BLOCK_SIZE);
	if (!tmp)
		return TEE_ERROR_OUT_OF_MEMORY;
	while (len) {
		uint32_t first = (uint32_t)(off / RPMB_BLOCK_SIZE);
		size_t skip = off % RPMB_BLOCK_SIZE, k;
		uint32_t n = rpmbfs_span_blocks(off, len);

		if (n > RPMBFS_READ_MAX_BLOCKS)
			n = RPMBFS_READ_MAX_BLOCKS;
		res = read_plain(fs, start / RPMB_BLOCK_SIZE + first, n, fek,
				 tmp);
		if (res)
			break;
		k = (size_t)n * RPMB_BLOCK_SIZE - skip;
		if (k > len)
			k = len;
		memcpy(dst, tmp + skip, k);
		dst += k;
		off += k;
		len -= k;
	}
	secmem_wipe(tmp, RPMBFS_READ_MAX_BLOCKS * RPMB_BLOCK_SIZE);
	free(tmp);
	return res;
}

TEE_Result rpmbfs_file_fill(struct rpmbfs *fs, uint32_t start_blk,
			    uint32_t size, const uint8_t fek[KEYS_FEK_SIZE],
			    const struct rpmbfs_src *src)
{
	uint32_t nblk = rpmbfs_blocks(size), done = 0;
	size_t cap = (size_t)fs->link.max_write * RPMB_BLOCK_SIZE;
	TEE_Result res = TEE_SUCCESS;
	uint8_t *buf = malloc(cap);

	if (!buf)
		return TEE_ERROR_OUT_OF_MEMORY;
	while (done < nblk) {
		uint32_t n = nblk - done;
		uint64_t off = (uint64_t)done * RPMB_BLOCK_SIZE;
		size_t want;

		if (n > fs->link.max_write)
			n = fs->link.max_write;
		want = (size_t)n * RPMB_BLOCK_SIZE;
		memset(buf, 0, want);
		if (off + want > size)
			want = size - off;
		res = src->get(src->arg, off, buf, want);
		if (!res)
			res = rpmbfs_crypt_blocks(fek, start_blk + done, n, buf,
						  true);
		if (!res)
			res = rpmbfs_link_write(&fs->link, start_blk + done, n,
						buf);
		if (res)
			break;
		done += n;
	}
	secmem_wipe(buf, cap);
	free(buf);
	return res;
}

TEE_Result rpmbfs_file_patch(struct rpmbfs *fs, uint32_t start, uint32_t size,
			     const uint8_t fek[KEYS_FEK_SIZE], uint64_t off,
			     const void *buf, size_t len)
{
	uint32_t n = rpmbfs_span_blocks(off, len);
	uint32_t first = (uint32_t)(off / RPMB_BLOCK_SIZE);
	uint32_t blk = start / RPMB_BLOCK_SIZE + first;
	size_t skip = off % RPMB_BLOCK_SIZE, cap;
	TEE_Result res = TEE_SUCCESS;
	uint8_t *tmp;

	if (!n)
		return TEE_SUCCESS;
	if (n > fs->link.max_write || off + len > size)
		return TEE_ERROR_BAD_STATE;
	cap = (size_t)n * RPMB_BLOCK_SIZE;
	tmp = malloc(cap);
	if (!tmp)
		return TEE_ERROR_OUT_OF_MEMORY;
	/* Partial edge blocks keep their other bytes. */
	if (skip)
		res = read_plain(fs, blk, 1, fek, tmp);
	if (!res && (skip + len) % RPMB_BLOCK_SIZE && (n > 1 || !skip))
		res = read_plain(fs, blk + n - 1, 1, fek,
				 tmp + cap - RPMB_BLOCK_SIZE);
	if (!res) {
		memcpy(tmp + skip, buf, len);
		res = rpmbfs_crypt_blocks(fek, blk, n, tmp, true);
	}
	if (!res)
		res = rpmbfs_link_write(&fs->link, blk, n, tmp);
	secmem_wipe(tmp, cap);
	free(tmp);
	return res;
}
