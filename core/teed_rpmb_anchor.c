/* The RPMB rollback anchor: see teed_rpmb_anchor.h, docs/rollback.md. */
#include "teed_rpmb_anchor.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "secmem.h"
#include "tee_error.h"

#define HASH_SIZE  32
#define MARKER_TMP TEED_RPMB_MARKER_FILE ".new"

static const char marker_text[] =
    "teestore: the REE FS store is anchored in RPMB (dirfile.db.hash); "
    "see docs/rollback.md\n";

struct teed_rpmb_anchor {
	struct tstore_anchor hook;
	struct rpmbfs *fs;
	struct backend *state;
	const struct tstore_anchor *fallback;
	bool reset;
	bool marked; /* the marker is known to be durable */
	pthread_mutex_t lock;
};

TEE_Result teed_rpmb_marker_get(struct backend *state, bool *marked)
{
	TEE_Result res;
	uint32_t fh;

	*marked = false;
	res = backend_open(state, TEED_RPMB_MARKER_FILE, &fh);
	if (res == TEE_ERROR_ITEM_NOT_FOUND)
		return TEE_SUCCESS;
	if (res)
		return res;
	backend_close(state, fh);
	*marked = true;
	return TEE_SUCCESS;
}

/* Written to a new file, synced, renamed in place, directory synced. */
static TEE_Result marker_set(struct backend *state)
{
	TEE_Result res;
	uint32_t fh;

	res = backend_create(state, MARKER_TMP, &fh);
	if (res)
		return res;
	res =
	    backend_pwrite(state, fh, 0, marker_text, sizeof(marker_text) - 1);
	if (!res)
		res = backend_sync(state, fh);
	backend_close(state, fh);
	if (!res)
		res = backend_rename(state, MARKER_TMP, TEED_RPMB_MARKER_FILE,
				     true);
	if (!res)
		res = backend_sync_dir(state);
	return res;
}

TEE_Result teed_rpmb_marker_clear(struct backend *state)
{
	TEE_Result res = backend_remove(state, TEED_RPMB_MARKER_FILE);

	if (res == TEE_ERROR_ITEM_NOT_FOUND)
		return TEE_SUCCESS;
	if (!res)
		res = backend_sync_dir(state);
	return res;
}

/* Marks the store RPMB-anchored once; the caller holds a->lock. */
static TEE_Result ensure_marked(struct teed_rpmb_anchor *a)
{
	TEE_Result res;

	if (!a->state || a->marked)
		return TEE_SUCCESS;
	res = teed_rpmb_marker_get(a->state, &a->marked);
	if (!res && !a->marked) {
		res = marker_set(a->state);
		if (!res) {
			a->marked = true;
			log_info("REE storage is now anchored in RPMB (marker "
				 "%s in the state directory)",
				 TEED_RPMB_MARKER_FILE);
		}
	}
	if (res)
		log_warnx("cannot write the RPMB anchor marker %s: %s",
			  TEED_RPMB_MARKER_FILE, tee_error_name(res));
	return res;
}

/*
 * The hash as OP-TEE reads it: a missing or empty file (OP-TEE creates
 * it empty, CFG_REE_FS_ALLOW_RESET truncates it) holds none. Any other
 * size was never written by OP-TEE or teestore: refused, not guessed at.
 */
static TEE_Result read_hash(struct teed_rpmb_anchor *a, uint8_t hash[32],
			    bool *found)
{
	size_t len = 0;
	TEE_Result res = rpmbfs_raw_read(a->fs, TEED_RPMB_ANCHOR_FILE, hash,
					 HASH_SIZE, &len);

	*found = false;
	if (res == TEE_ERROR_ITEM_NOT_FOUND || (!res && !len))
		return TEE_SUCCESS;
	if (res == TEE_ERROR_SHORT_BUFFER || (!res && len != HASH_SIZE)) {
		log_warnx("RPMB %s holds %zu bytes, not a %d-byte hash: "
			  "refused",
			  TEED_RPMB_ANCHOR_FILE, len, HASH_SIZE);
		return TEE_ERROR_CORRUPT_OBJECT;
	}
	if (res) {
		log_warnx("cannot read the RPMB anchor %s: %s",
			  TEED_RPMB_ANCHOR_FILE, tee_error_name(res));
		/* Nothing is served either way; retried, not final. */
		return TEE_ERROR_STORAGE_NOT_AVAILABLE;
	}
	*found = true;
	return TEE_SUCCESS;
}

/* RPMB holds no hash: the marker says whether it should. */
static TEE_Result load_without_hash(struct teed_rpmb_anchor *a,
				    struct tstore_anchor_state *st)
{
	bool marked = false;
	TEE_Result res;

	if (a->state) {
		res = teed_rpmb_marker_get(a->state, &marked);
		if (res)
			return res;
	}
	if (marked) {
		log_warnx("REE storage is RPMB-anchored (%s) but the RPMB "
			  "partition holds no %s (another or reformatted "
			  "device?): refused",
			  TEED_RPMB_MARKER_FILE, TEED_RPMB_ANCHOR_FILE);
		return TEE_ERROR_SECURITY;
	}
	if (!a->fallback)
		return TEE_SUCCESS; /* a first start */
	res = a->fallback->load(a->fallback->arg, st);
	if (!res && st->present)
		log_info("REE storage moves from teed's rollback counter to "
			 "the RPMB anchor: checked against the counter first");
	return res;
}

static TEE_Result rpmb_load(void *arg, struct tstore_anchor_state *st)
{
	struct teed_rpmb_anchor *a = arg;
	uint8_t hash[HASH_SIZE];
	bool found = false;
	TEE_Result res = TEE_SUCCESS;

	memset(st, 0, sizeof(*st));
	st->has_hash = true;
	if (a->reset)
		return TEE_SUCCESS; /* the engine accepts the directory */
	pthread_mutex_lock(&a->lock);
	res = read_hash(a, hash, &found);
	if (!res && found) {
		st->present = true;
		memcpy(st->root_hash, hash, sizeof(hash));
		/* E.g. a partition anchored by OP-TEE: mark it now. */
		ensure_marked(a);
	} else if (!res) {
		res = load_without_hash(a, st);
	}
	pthread_mutex_unlock(&a->lock);
	secmem_wipe(hash, sizeof(hash));
	return res;
}

/*
 * OP-TEE's commit_dirh_writes: the 32-byte hash written at offset 0 (one
 * atomic FAT-entry replace here). The marker follows the first hash, so
 * a marker never exists without a hash in RPMB.
 */
static TEE_Result rpmb_commit(void *arg, uint32_t counter,
			      const uint8_t hash[32])
{
	struct teed_rpmb_anchor *a = arg;
	TEE_Result res;

	(void)counter; /* OP-TEE keeps the hash only */
	pthread_mutex_lock(&a->lock);
	res = rpmbfs_raw_write(a->fs, TEED_RPMB_ANCHOR_FILE, hash, HASH_SIZE);
	if (!res)
		res = ensure_marked(a);
	pthread_mutex_unlock(&a->lock);
	return res;
}

TEE_Result teed_rpmb_anchor_new(struct rpmbfs *fs, struct backend *state,
				const struct tstore_anchor *fallback,
				bool reset, struct teed_rpmb_anchor **out)
{
	struct teed_rpmb_anchor *a = calloc(1, sizeof(*a));

	if (!a)
		return TEE_ERROR_OUT_OF_MEMORY;
	a->fs = fs;
	a->state = state;
	a->fallback = fallback;
	a->reset = reset;
	a->hook.load = rpmb_load;
	a->hook.commit = rpmb_commit;
	a->hook.arg = a;
	pthread_mutex_init(&a->lock, NULL);
	*out = a;
	return TEE_SUCCESS;
}

void teed_rpmb_anchor_free(struct teed_rpmb_anchor *a)
{
	if (!a)
		return;
	pthread_mutex_destroy(&a->lock);
	free(a);
}

const struct tstore_anchor *teed_rpmb_anchor_hook(struct teed_rpmb_anchor *a)
{
	return &a->hook;
}
