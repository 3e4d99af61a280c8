/* tsfs on teed's state directory: see tsfs_teed.h. */
#include "tsfs_teed.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend_posix.h"
#include "tee_error.h"
#include "teed_anchor.h"
#include "teed_lock.h"
#include "teed_rpmb_anchor.h"

struct tsfs_teed {
	int lock_fd;
	struct backend *state; /* the directory: anchor file and marker */
	struct teed_anchor *anchor;
};

struct tsfs_teed *tsfs_teed_open(const char *state_dir)
{
	struct tsfs_teed *t = calloc(1, sizeof(*t));
	bool marked = false;
	TEE_Result res;

	if (!t) {
		fprintf(stderr, "tsfs: out of memory\n");
		return NULL;
	}
	t->lock_fd = teed_state_lock(state_dir);
	if (t->lock_fd < 0) {
		fprintf(stderr, "tsfs: %s: %s\n", state_dir,
			t->lock_fd == -EBUSY
			    ? "in use: stop teed (or the other tsfs) first"
			    : strerror(-t->lock_fd));
		free(t);
		return NULL;
	}
	res = backend_posix_open(state_dir, &t->state);
	if (!res)
		res = teed_rpmb_marker_get(t->state, &marked);
	if (res || marked) {
		/*
		 * Anchored in RPMB, teed may serve the generation before the
		 * newest dirf.db (a crash before the RPMB hash moved): opening
		 * the newest one offline would sweep files teed still needs.
		 */
		fprintf(stderr, "tsfs: %s: %s\n", state_dir,
			res ? tee_error_name(res)
			    : "the store is anchored in RPMB, which tsfs "
			      "cannot follow offline: use teed (e.g. "
			      "secure_storage ls / verify)");
		tsfs_teed_close(t);
		return NULL;
	}
	return t;
}

TEE_Result tsfs_teed_anchor(struct tsfs_teed *t, const uint8_t *huk,
			    size_t huk_len, const struct tstore_anchor **out)
{
	TEE_Result res;

	*out = NULL;
	res = teed_anchor_new(t->state, huk, huk_len, &t->anchor);
	if (!res)
		*out = teed_anchor_hook(t->anchor);
	return res;
}

void tsfs_teed_close(struct tsfs_teed *t)
{
	if (!t)
		return;
	teed_anchor_free(t->anchor);
	backend_destroy(t->state);
	if (t->lock_fd >= 0)
		close(t->lock_fd);
	free(t);
}
