/*
 * The commit protocol of the object layer (docs/engine.md, "Commit
 * protocol"): one change of one object, atomic and durable on return.
 *
 *   1. object file: its data blocks are already queued (uncommitted
 *      slots); queue its dirty nodes and header (uncommitted slot);
 *      dirf.db: queue the changed entry's block and its nodes;
 *      barrier 1: SYNC of each touched file (+ SYNC_DIR for a new file).
 *   2. dirf.db header (the commit record); barrier 2: SYNC of dirf.db.
 *   3. only then the caller removes obsolete files and truncates shrunk
 *      ones.
 * Everything before the commit record goes to uncommitted slots: a crash
 * or an error up to step 2 leaves the committed state untouched.
 *
 * Group commit: the dirf lock is taken only for the dirf.db part (steps
 * 1b-2); several objects' entries could share one dirf.db commit and
 * one pair of barriers by letting the first waiter on dirf_lock commit
 * the queued entries of the others. Not done yet (docs/engine.md).
 */
#include <string.h>

#include "log.h"
#include "tstore_internal.h"
#include "uuid.h"

static bool shell_conflict(struct tstore *s, struct tstore_obj *o,
			   const void *id, size_t len)
{
	struct tstore_obj *p;

	for (p = s->open_list; p; p = p->next)
		if (p != o && p->attached && p->id_len == len &&
		    uuid_equal(&p->uuid, &o->uuid) && !memcmp(p->id, id, len))
			return true;
	return false;
}

/*
 * A rename takes the new ID in the open-object list at once, so that no
 * other struct for that ID can appear before the commit settles; a
 * caller looking the new ID up waits on o->lock and re-checks the ID.
 */
static TEE_Result rename_shell(struct tstore *s, struct commit *c,
			       struct batch *b)
{
	struct tstore_obj *o = c->o;
	TEE_Result res;

	pthread_mutex_lock(&s->lock);
	if (shell_conflict(s, o, c->new_id, c->new_len)) {
		pthread_mutex_unlock(&s->lock);
		return TEE_ERROR_ACCESS_CONFLICT;
	}
	pthread_mutex_unlock(&s->lock);
	res = dirf_rename(s->dirf, b, &o->uuid, o->id, o->id_len, c->new_id,
			  c->new_len);
	if (res)
		return res;
	pthread_mutex_lock(&s->lock);
	memcpy(o->id, c->new_id, c->new_len);
	o->id_len = c->new_len;
	pthread_mutex_unlock(&s->lock);
	return TEE_SUCCESS;
}

static TEE_Result apply_dirf_change(struct tstore *s, struct batch *b,
				    struct commit *c, const uint8_t *hash)
{
	struct tstore_obj *o = c->o;
	struct dirf_entry e;

	switch (c->kind) {
	case COMMIT_INSERT:
		if (c->no_replace &&
		    !dirf_find(s->dirf, &o->uuid, o->id, o->id_len, NULL))
			return TEE_ERROR_ACCESS_CONFLICT;
		memset(&e, 0, sizeof(e));
		e.uuid = o->uuid;
		memcpy(e.oid, o->id, o->id_len);
		e.oid_len = (uint32_t)o->id_len;
		memcpy(e.hash, hash, HTREE_HASH_SIZE);
		e.file_number = c->fnum;
		return dirf_insert(s->dirf, b, &e, &c->obsolete_fnum);
	case COMMIT_SET_HASH:
		return dirf_set_hash(s->dirf, b, &o->uuid, o->id, o->id_len,
				     hash);
	case COMMIT_RENAME:
		return rename_shell(s, c, b);
	case COMMIT_REMOVE:
		return dirf_remove(s->dirf, b, &o->uuid, o->id, o->id_len,
				   &c->obsolete_fnum);
	}
	return TEE_ERROR_BAD_PARAMETERS;
}

static TEE_Result barrier_one(struct tstore *s, struct batch *b,
			      struct commit *c)
{
	TEE_Result res = TEE_SUCCESS;

	if (c->ht)
		res = batch_sync(b, c->fh);
	if (!res)
		res = batch_sync(b, dirf_fh(s->dirf));
	if (!res && c->created)
		res = batch_sync_dir(b);
	if (!res)
		res = batch_flush(b);
	return res;
}

static TEE_Result commit_record(struct tstore *s, struct batch *b)
{
	TEE_Result res;

	res = dirf_commit_header(s->dirf, b);
	if (!res)
		res = batch_sync(b, dirf_fh(s->dirf));
	if (!res)
		res = batch_flush(b);
	return res;
}

/* Undo everything of a failed commit; the committed state stays. */
static void abort_commit(struct tstore *s, struct batch *b, struct commit *c,
			 bool dirf_touched)
{
	batch_discard(b);
	if (dirf_touched && dirf_commit_abort(s->dirf, b))
		s->dirf_stale = true;
	batch_discard(b);
	/* The replaced or removed entry is back: its number is not obsolete. */
	if (c->obsolete_fnum != UINT32_MAX)
		dirf_release_fnum(s->dirf, c->obsolete_fnum);
	c->obsolete_fnum = UINT32_MAX;
	/* A new file is the caller's to drop; an old one rolls back. */
	if (c->ht && !c->created && htree_commit_abort(c->ht))
		c->ht_stale = true;
}

TEE_Result tstore_commit(struct tstore *s, struct batch *b, struct commit *c)
{
	uint8_t hash[HTREE_HASH_SIZE] = {0};
	TEE_Result res = TEE_SUCCESS;
	uint8_t old_id[TSTORE_ID_MAX];
	size_t old_len = c->o->id_len;

	c->obsolete_fnum = UINT32_MAX;
	c->unknown = false;
	c->ht_stale = false;
	memcpy(old_id, c->o->id, old_len);
	if (c->ht)
		res = htree_commit_prepare(c->ht, b, true, hash);
	if (res) {
		abort_commit(s, b, c, false);
		return res;
	}
	pthread_mutex_lock(&s->dirf_lock);
	res = tstore_dirf_ready(s, b);
	if (res) {
		pthread_mutex_unlock(&s->dirf_lock);
		abort_commit(s, b, c, false);
		return res;
	}
	res = apply_dirf_change(s, b, c, hash);
	if (!res)
		res = dirf_commit_prepare(s->dirf, b);
	if (!res)
		res = barrier_one(s, b, c);
	if (res) {
		abort_commit(s, b, c, true);
		if (c->kind == COMMIT_RENAME) {
			pthread_mutex_lock(&s->lock);
			memcpy(c->o->id, old_id, old_len);
			c->o->id_len = old_len;
			pthread_mutex_unlock(&s->lock);
		}
		pthread_mutex_unlock(&s->dirf_lock);
		return res;
	}
	res = commit_record(s, b);
	if (res) {
		/* The record may or may not be on disk: reload both. */
		batch_discard(b);
		s->dirf_stale = true;
		c->unknown = true;
		c->ht_stale = c->ht != NULL;
		pthread_mutex_unlock(&s->dirf_lock);
		return res;
	}
	dirf_commit_done(s->dirf);
	if (c->ht)
		htree_commit_done(c->ht);
	pthread_mutex_unlock(&s->dirf_lock);

	pthread_mutex_lock(&s->lock);
	s->stats.commits++;
	s->stats.barriers += 2;
	pthread_mutex_unlock(&s->lock);
	return TEE_SUCCESS;
}

void tstore_drop_file(struct tstore *s, uint32_t fnum)
{
	char name[DIRF_FNAME_SIZE];
	TEE_Result res;

	if (fnum == UINT32_MAX)
		return;
	dirf_fname(fnum, name);
	res = backend_remove(s->be, name);
	if (res && res != TEE_ERROR_ITEM_NOT_FOUND) {
		/* Left for the orphan sweep at the next open; keep the
		 * number reserved meanwhile. */
		log_warnx("cannot remove obsolete file %s: 0x%08x", name, res);
		return;
	}
	pthread_mutex_lock(&s->dirf_lock);
	dirf_release_fnum(s->dirf, fnum);
	pthread_mutex_unlock(&s->dirf_lock);
}
