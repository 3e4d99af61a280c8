/*
 * tsfs on a teestore store (--teed-state DIR: teed's state directory,
 * tee-run's <state>/teed): the offline tool then works as teed would, so
 * the store stays usable by teed afterwards:
 *   - teed's state lock is taken (teed_lock.h): refused while teed runs;
 *   - the HUK is teed's (<DIR>/huk), unless --huk-file/--huk-zero say
 *     otherwise;
 *   - the store is opened with teed's minimum-counter rollback anchor
 *     (teed_anchor.h): a rolled-back directory is refused as teed refuses
 *     it, and each write moves the anchor with dirf.db.
 * A store anchored in RPMB (teed's marker file) is refused: teed may
 * serve the generation before the newest dirf.db there (a crash before
 * the RPMB hash moved), and opening the newest one offline would sweep
 * files teed still needs.
 */
#ifndef TEESTORE_TSFS_TEED_H
#define TEESTORE_TSFS_TEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tstore.h"

struct tsfs_teed;

/* teed's HUK file in state_dir (tsfs loads it as a --huk-file). */
#define TSFS_TEED_HUK_FILE "huk"

/*
 * Opens state_dir: takes the lock, refuses an RPMB-anchored store (or one
 * whose marker cannot be read). Reports its errors; NULL on failure.
 */
struct tsfs_teed *tsfs_teed_open(const char *state_dir);
/* teed's counter anchor, for tstore_config.anchor. Needs the HUK the store
 * is opened with. */
TEE_Result tsfs_teed_anchor(struct tsfs_teed *t, const uint8_t *huk,
			    size_t huk_len, const struct tstore_anchor **out);
/* Releases the lock; after tstore_close. NULL: no-op. */
void tsfs_teed_close(struct tsfs_teed *t);

#endif
