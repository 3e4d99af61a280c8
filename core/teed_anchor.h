/*
 * teed's rollback anchor without RPMB: a monotonic minimum counter for
 * dirf.db kept in teed's private state directory (OP-TEE's NV-counter
 * hook, which OP-TEE itself leaves stubbed). It plugs into the engine as
 * a struct tstore_anchor; format, crash safety and what it protects
 * against: docs/rollback.md.
 *
 * The file TEED_ANCHOR_FILE holds two 512-byte slots, each {magic,
 * version, sequence, dirf.db counter, dirf.db root hash, HMAC-SHA256
 * under a key derived from the HUK}: an update writes the older slot and
 * syncs it (one fdatasync); load takes the valid slot of the highest
 * sequence. The normal world can neither forge a slot (no HUK) nor
 * replay an older state it has not seen in this directory.
 */
#ifndef TEESTORE_TEED_ANCHOR_H
#define TEESTORE_TEED_ANCHOR_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "tstore.h"

#define TEED_ANCHOR_FILE "rollback-anchor"

struct teed_anchor;

/*
 * An anchor kept in be (teed's state directory; it stays the caller's
 * and must outlive the anchor), its records authenticated with a key
 * derived from huk (huk is not kept). Nothing is read before the engine
 * calls load().
 */
TEE_Result teed_anchor_new(struct backend *be, const uint8_t *huk,
			   size_t huk_len, struct teed_anchor **out);
/* NULL: no-op. */
void teed_anchor_free(struct teed_anchor *a);

/* The engine hook (tstore_config.anchor); valid until teed_anchor_free. */
const struct tstore_anchor *teed_anchor_hook(struct teed_anchor *a);

#endif
