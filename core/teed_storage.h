/*
 * teed's trusted storage bring-up (docs/teed.md, "Storage"): listens for
 * tee-supplicant on the supplicant socket, and once one is attached opens
 * the GP object layer (gpstore) over the RPC backend with the HUK and
 * hands it to the TA side. TA instances started before that have no
 * storage (their storage calls fail with ITEM_NOT_FOUND); teed_storage_
 * start() therefore waits up to wait_ms for the supplicant before teed
 * starts serving clients, and keeps trying in the background after that.
 */
#ifndef TEESTORE_TEED_STORAGE_H
#define TEESTORE_TEED_STORAGE_H

#include <stdbool.h>

#include "gpstore.h"

struct teed_storage_opts {
	const char *suppl_socket;
	enum gpstore_corrupt_policy corrupt_policy;
	int wait_ms; /* how long start() waits for storage to come up */
	/*
	 * Rollback protection (docs/rollback.md): the minimum-counter
	 * anchor in state_dir (teed_anchor.h), on by default; reset_storage
	 * accepts the REE directory as it is as the new baseline (the
	 * administrator's explicit, logged reset), once, at bring-up.
	 */
	const char *state_dir;
	bool rollback_counter;
	bool reset_storage;
	/*
	 * RPMB (docs/rpmbfs.md): program the RPMB key derived from the HUK
	 * and the device CID at bring-up (explicit, logged; a device that
	 * already holds it is left alone).
	 */
	bool rpmb_provision;
};

/*
 * Starts the supplicant link and the bring-up thread. Returns 0 (storage
 * ready, or still coming up after wait_ms: a warning is logged) or
 * -errno if the supplicant socket cannot be created.
 */
int teed_storage_start(const struct teed_storage_opts *o);

/* True once TAs have storage. */
bool teed_storage_ready(void);

/*
 * Stops the bring-up thread, closes gpstore and the link. Call after
 * ta_side_shutdown() (every TA instance, hence every gpstore client, is
 * gone by then).
 */
void teed_storage_stop(void);

#endif
