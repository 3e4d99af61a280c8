/*
 * The key manager: OP-TEE's hierarchy HUK -> SSK -> TSK -> FEK
 * (docs/format.md, "Keys"; shared/reference/optee-storage-format.md §2).
 *
 *   SSK = HMAC-SHA256(HUK, chip_id "BEEF"x8 || "ONLY_FOR_tee_fs_ssk\0")
 *         (compat, OP-TEE's default) or HMAC-SHA256(HUK, u32le(1));
 *   TSK = HMAC-SHA256(SSK, m), m = the TA's TEE_UUID octets, 0x00 for
 *         dirf.db, 16 zero bytes for the RPMB file dirfile.db.hash;
 *   FEK = 16 random bytes per file, stored as AES-256-ECB(TSK, FEK).
 *
 * Keys live only in struct keys and in the hash-tree file that uses a FEK;
 * every buffer that held one is wiped (secmem_wipe) before it is freed or
 * goes out of scope.
 */
#ifndef TEESTORE_KEYS_H
#define TEESTORE_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tee_api_types.h"

#define KEYS_HUK_MAX  32
#define KEYS_SSK_SIZE 32
#define KEYS_TSK_SIZE 32
#define KEYS_FEK_SIZE 16

struct keys;

/* huk_len 16 or 32 (any 1..32 accepted). subkey_compat: OP-TEE default. */
TEE_Result keys_create(const uint8_t *huk, size_t huk_len, bool subkey_compat,
		       struct keys **out);
/* Wipes and frees. NULL is a no-op. */
void keys_destroy(struct keys *k);

TEE_Result keys_derive_ta_tsk(const struct keys *k, const TEE_UUID *ta,
			      uint8_t tsk[KEYS_TSK_SIZE]);
TEE_Result keys_derive_dirf_tsk(const struct keys *k,
				uint8_t tsk[KEYS_TSK_SIZE]);
TEE_Result keys_derive_rpmb_hash_tsk(const struct keys *k,
				     uint8_t tsk[KEYS_TSK_SIZE]);

/* enc = AES-256-ECB(tsk, fek) and back (one block, no padding). */
TEE_Result keys_wrap_fek(const uint8_t tsk[KEYS_TSK_SIZE],
			 const uint8_t fek[KEYS_FEK_SIZE],
			 uint8_t enc[KEYS_FEK_SIZE]);
TEE_Result keys_unwrap_fek(const uint8_t tsk[KEYS_TSK_SIZE],
			   const uint8_t enc[KEYS_FEK_SIZE],
			   uint8_t fek[KEYS_FEK_SIZE]);

/*
 * The RPMB authentication key from the HUK and the device CID (bytes 9
 * and 15 masked): compat HMAC-SHA256(HUK, CID), else
 * HMAC-SHA256(HUK, u32le(0) || CID).
 */
TEE_Result keys_derive_rpmb_key(const uint8_t *huk, size_t huk_len,
				const uint8_t cid[16], bool subkey_compat,
				uint8_t key[32]);

#endif
