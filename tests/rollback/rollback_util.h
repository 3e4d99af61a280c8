/*
 * What the rollback tests share: one TA, one HUK, objects whose content
 * is a numbered generation (so a test can tell which commit a store
 * shows), and an offline file copy between fake backends (the attacker
 * putting an old file back).
 */
#ifndef TEESTORE_ROLLBACK_UTIL_H
#define TEESTORE_ROLLBACK_UTIL_H

#include <stdint.h>

#include "backend.h"
#include "tstore.h"

#define RB_DATA_LEN 100

extern const uint8_t rb_huk[16];
extern const TEE_UUID rb_ta;
extern const struct tstore_head rb_data_head;

/* Object id := RB_DATA_LEN bytes of generation gen (create or write). */
TEE_Result rb_put(struct tstore *s, const char *id, uint64_t gen);

/*
 * The generation (1..max_gen) object id holds, in *gen (0 if its bytes
 * match none); the open or read error, if any.
 */
TEE_Result rb_get(struct tstore *s, const char *id, uint64_t max_gen,
		  uint64_t *gen);

/* Copies file name of fake backend src into fake backend dst, durably. */
TEE_Result rb_copy_file(struct backend *dst, struct backend *src,
			const char *name);

#endif
