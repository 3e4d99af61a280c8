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
	const char *dir;
	int lock_fd;
	bool rpmb_anchored;
	struct backend *state; /* the directory, for the anchor file */
	struct teed_anchor *anchor;
};

static bool rpmb_marker(const char *dir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, TEED_RPMB_MARKER_FILE);
	return access(path, F_OK) == 0;
}

struct tsfs_teed *tsfs_teed_open(const char *state_dir, bool writes)
{
	struct tsfs_teed *t = calloc(1, sizeof(*t));

	if (!t) {
		fprintf(stderr, "tsfs: out of memory\n");
		return NULL;
	}
	t->dir = state_dir;
	t->lock_fd = teed_state_lock(state_dir);
	if (t->lock_fd < 0) {
		fprintf(stderr, "tsfs: %s: %s\n", state_dir,
			t->lock_fd == -EBUSY
			    ? "in use: stop teed (or the other tsfs) first"
			    : strerror(-t->lock_fd));
		free(t);
		return NULL;
	}
	t->rpmb_anchored = rpmb_marker(state_dir);
	if (t->rpmb_anchored && writes) {
		fprintf(stderr,
			"tsfs: %s: the store is anchored in RPMB, which "
			"tsfs cannot update offline; write with teed, or "
			"start teed once with --reset-storage afterwards\n",
			state_dir);
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
	if (t->rpmb_anchored)
		return TEE_SUCCESS; /* reads only: unanchored */
	res = backend_posix_open(t->dir, &t->state);
	if (!res)
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
