/* The RPMB frame MAC (layout in rpmb_frame.h, docs/rpmb-device.md). */
#include "rpmb_frame.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <string.h>

#include "secmem.h"

int rpmb_frame_mac(const uint8_t key[RPMB_KEY_SIZE], const uint8_t *frames,
		   size_t n, uint8_t mac[RPMB_MAC_SIZE])
{
	OSSL_PARAM params[2];
	EVP_MAC *alg = NULL;
	EVP_MAC_CTX *ctx = NULL;
	size_t i, len = 0;
	int rc = -EIO;

	if (!n)
		return -EINVAL;
	alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!alg)
		return -ENOMEM;
	ctx = EVP_MAC_CTX_new(alg);
	if (!ctx) {
		rc = -ENOMEM;
		goto out;
	}
	params[0] = OSSL_PARAM_construct_utf8_string("digest", "SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(ctx, key, RPMB_KEY_SIZE, params))
		goto out;
	for (i = 0; i < n; i++) {
		const uint8_t *f = frames + i * RPMB_FRAME_SIZE;

		if (!EVP_MAC_update(ctx, f + RPMB_MAC_START, RPMB_MAC_LEN))
			goto out;
	}
	if (!EVP_MAC_final(ctx, mac, &len, RPMB_MAC_SIZE) ||
	    len != RPMB_MAC_SIZE)
		goto out;
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(alg);
	return rc;
}

int rpmb_frame_sign(const uint8_t key[RPMB_KEY_SIZE], uint8_t *frames, size_t n)
{
	uint8_t mac[RPMB_MAC_SIZE];
	int rc;

	rc = rpmb_frame_mac(key, frames, n, mac);
	if (rc == 0)
		memcpy(frames + (n - 1) * RPMB_FRAME_SIZE + RPMB_OFF_KEY_MAC,
		       mac, RPMB_MAC_SIZE);
	return rc;
}

bool rpmb_frame_mac_ok(const uint8_t key[RPMB_KEY_SIZE], const uint8_t *frames,
		       size_t n)
{
	uint8_t mac[RPMB_MAC_SIZE];
	const uint8_t *last;

	if (rpmb_frame_mac(key, frames, n, mac) != 0)
		return false;
	last = frames + (n - 1) * RPMB_FRAME_SIZE;
	return secmem_equal(mac, last + RPMB_OFF_KEY_MAC, RPMB_MAC_SIZE);
}
