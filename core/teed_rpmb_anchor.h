/*
 * teed's rollback anchor with RPMB: the dirf.db root hash kept in the RPMB
 * FS raw file "dirfile.db.hash" (FAT name "/dirfile.db.hash"), exactly as
 * OP-TEE's CFG_REE_FS_INTEGRITY_RPMB keeps it: 32 bytes, the committed
 * root hash, FEK under the nil-UUID TSK. A partition anchored by teestore
 * is what OP-TEE expects and the reverse. Protection level 1000.
 * Rules (marker, fallback to teed's counter, reset): docs/rollback.md,
 * "RPMB anchor".
 *
 * It plugs into the engine as a hash-only struct tstore_anchor (dirf.db
 * opened by the anchored hash). Two additions around OP-TEE's scheme:
 *   - a marker file in teed's state directory (TEED_RPMB_MARKER_FILE),
 *     written after the first hash reached RPMB, says the REE store is
 *     RPMB-anchored: teed then never falls back to the weaker counter
 *     when the RPMB device is missing or refuses, and a partition that
 *     lost the hash is refused;
 *   - while RPMB holds no hash yet (the move from teed's counter to RPMB)
 *     load() answers with the fallback anchor's state, so the existing
 *     store is checked against the counter before RPMB anchors it.
 */
#ifndef TEESTORE_TEED_RPMB_ANCHOR_H
#define TEESTORE_TEED_RPMB_ANCHOR_H

#include <stdbool.h>

#include "backend.h"
#include "rpmbfs.h"
#include "tstore.h"

/* The RPMB raw file (OP-TEE's name, without the FAT's leading '/'). */
#define TEED_RPMB_ANCHOR_FILE "dirfile.db.hash"
/* In teed's state directory: the REE store is anchored in RPMB. */
#define TEED_RPMB_MARKER_FILE "rollback-rpmb"

struct teed_rpmb_anchor;

/*
 * An anchor in fs. state: teed's state directory for the marker (NULL:
 * no marker kept). fallback: the anchor to answer load() with while RPMB
 * holds no hash (NULL: none; then it is a first start). reset: an
 * administrator reset is in force (load() checks nothing). fs, state and
 * fallback stay the caller's and must outlive the anchor.
 */
TEE_Result teed_rpmb_anchor_new(struct rpmbfs *fs, struct backend *state,
				const struct tstore_anchor *fallback,
				bool reset, struct teed_rpmb_anchor **out);
/* NULL: no-op. */
void teed_rpmb_anchor_free(struct teed_rpmb_anchor *a);

/* The engine hook (tstore_config.anchor); valid until the anchor's free. */
const struct tstore_anchor *teed_rpmb_anchor_hook(struct teed_rpmb_anchor *a);

/*
 * The marker in state: SUCCESS and *marked set, or the backend's error
 * (the caller must then fail closed).
 */
TEE_Result teed_rpmb_marker_get(struct backend *state, bool *marked);
/* Removes the marker (administrator reset to the counter); durable. */
TEE_Result teed_rpmb_marker_clear(struct backend *state);

#endif
