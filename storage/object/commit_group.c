/*
 * The leader's part of a group commit (docs/engine.md, "Group commit"):
 * the entry changes of every member in one dirf.db commit, one pair of
 * barriers for all of them (with an anchor, barrier 1: the object files;
 * barrier 2: dirf.db, blocks, nodes and header together).
 *
 * Each member's change is first admitted: the checks that can fail
 * without touching anything (an existing ID for a create without
 * overwrite or a rename target, a missing entry) run against dirf.db as
 * the earlier members left it, and such a member fails alone. After that
 * any failure (I/O, memory) fails the whole group: dirf.db rolls back
 * once and every member gets the error and rolls its own object back.
 * An error on the commit record leaves every applied member's outcome
 * unknown (the same for all: one header).
 */
#include <string.h>

#include "tstore_internal.h"
#include "uuid.h"

/* s->lock held: another open struct already carries (o's TA, id)? */
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
 * A rename takes the new ID in the open-object list at once (check and
 * switch under one hold of s->lock), so that no other struct for that
 * ID can appear before the commit settles; a caller looking the new ID
 * up waits on o->lock and re-checks the ID.
 */
static TEE_Result rename_shell(struct tstore *s, struct commit *c)
{
	struct tstore_obj *o = c->o;
	TEE_Result res = TEE_ERROR_ACCESS_CONFLICT;

	pthread_mutex_lock(&s->lock);
	if (!shell_conflict(s, o, c->new_id, c->new_len)) {
		memcpy(o->id, c->new_id, c->new_len);
		o->id_len = c->new_len;
		res = TEE_SUCCESS;
	}
	pthread_mutex_unlock(&s->lock);
	return res;
}

static void rename_shell_undo(struct tstore *s, struct commit *c)
{
	pthread_mutex_lock(&s->lock);
	memcpy(c->o->id, c->old_id, c->old_len);
	c->o->id_len = c->old_len;
	pthread_mutex_unlock(&s->lock);
}

/* The checks that fail without side effects (dirf_lock held). */
static TEE_Result admit(struct tstore *s, struct commit *c)
{
	const TEE_UUID *ta = &c->o->uuid;
	bool found = !dirf_find(s->dirf, ta, c->old_id, c->old_len, NULL);

	switch (c->kind) {
	case COMMIT_INSERT:
		return c->no_replace && found ? TEE_ERROR_ACCESS_CONFLICT
					      : TEE_SUCCESS;
	case COMMIT_SET_HASH:
	case COMMIT_REMOVE:
		return found ? TEE_SUCCESS : TEE_ERROR_ITEM_NOT_FOUND;
	case COMMIT_RENAME:
		if (!found)
			return TEE_ERROR_ITEM_NOT_FOUND;
		if (!dirf_find(s->dirf, ta, c->new_id, c->new_len, NULL))
			return TEE_ERROR_ACCESS_CONFLICT;
		return rename_shell(s, c);
	}
	return TEE_ERROR_BAD_PARAMETERS;
}

/* An admitted change into dirf.db (index + queued blocks). */
static TEE_Result apply(struct tstore *s, struct batch *b, struct commit *c)
{
	const TEE_UUID *ta = &c->o->uuid;
	struct dirf_entry e;

	switch (c->kind) {
	case COMMIT_INSERT:
		memset(&e, 0, sizeof(e));
		e.uuid = *ta;
		memcpy(e.oid, c->old_id, c->old_len);
		e.oid_len = (uint32_t)c->old_len;
		memcpy(e.hash, c->hash, HTREE_HASH_SIZE);
		e.file_number = c->fnum;
		return dirf_insert(s->dirf, b, &e, &c->obsolete_fnum);
	case COMMIT_SET_HASH:
		return dirf_set_hash(s->dirf, b, ta, c->old_id, c->old_len,
				     c->hash);
	case COMMIT_RENAME:
		return dirf_rename(s->dirf, b, ta, c->old_id, c->old_len,
				   c->new_id, c->new_len);
	case COMMIT_REMOVE:
		return dirf_remove(s->dirf, b, ta, c->old_id, c->old_len,
				   &c->obsolete_fnum);
	}
	return TEE_ERROR_BAD_PARAMETERS;
}

/*
 * Barrier 1: the member files not synced yet (the leader's own: followers
 * sync theirs while they wait) and the directory if a member's file is
 * new. With a rollback anchor, dirf.db's queued blocks and nodes are
 * written in the same submit but not synced here: barrier 2 makes them
 * durable together with the header, and a crash inside barrier 2 opens
 * the anchored generation (dirf.c's fallback, docs/engine.md and
 * docs/rollback.md). Without an anchor nothing could tell that crash from
 * a damaged newest generation, so dirf.db is synced here as well (the
 * two-barrier protocol OP-TEE's format relies on). *synced: the submit
 * carried a SYNC (an anchored remove or rename has nothing to sync).
 */
static TEE_Result barrier_one(struct tstore *s, struct batch *b,
			      struct commit *members, bool *synced)
{
	TEE_Result res = TEE_SUCCESS;
	bool created = false;
	struct commit *c;

	*synced = false;
	for (c = members; !res && c; c = c->next) {
		if (!c->applied)
			continue;
		created |= c->created;
		if (c->ht && !c->synced) {
			res = batch_sync(b, c->fh);
			*synced = true;
		}
	}
	if (!res && !s->anchor) {
		res = batch_sync(b, dirf_fh(s->dirf));
		*synced = true;
	}
	if (!res && created) {
		res = batch_sync_dir(b);
		*synced = true;
	}
	if (!res)
		res = batch_flush(b);
	return res;
}

/* Barrier 2: dirf.db's blocks, nodes and commit record, for every member. */
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

/* Before the commit record: dirf.db back to its committed state, once. */
static void abort_group(struct tstore *s, struct batch *b,
			struct commit *members, bool touched, TEE_Result err)
{
	struct commit *c;

	batch_discard(b);
	if (touched && dirf_commit_abort(s->dirf, b))
		s->dirf_stale = true;
	batch_discard(b);
	for (c = members; c; c = c->next) {
		if (c->applied) {
			/* The replaced or removed entry is back. */
			if (c->obsolete_fnum != UINT32_MAX)
				dirf_release_fnum(s->dirf, c->obsolete_fnum);
			c->obsolete_fnum = UINT32_MAX;
			if (c->kind == COMMIT_RENAME)
				rename_shell_undo(s, c);
			/*
			 * The insert made the new file's number "used"; the
			 * reload forgot it. Reserved again until the caller
			 * removes the file; failing that, the file is left to
			 * the orphan sweep (unknown: never dropped).
			 */
			if (c->kind == COMMIT_INSERT &&
			    dirf_reserve_this_fnum(s->dirf, c->fnum))
				c->unknown = true;
			c->applied = false;
		}
		c->res = err;
	}
}

/* An error on the commit record: on disk or not, nobody knows. */
static void unknown_group(struct tstore *s, struct batch *b,
			  struct commit *members, TEE_Result err)
{
	struct commit *c;

	batch_discard(b);
	s->dirf_stale = true; /* reload before the next use */
	for (c = members; c; c = c->next) {
		if (!c->applied)
			continue;
		c->res = err;
		c->unknown = true;
	}
}

/* Admits and applies every member; returns a group-wide failure. */
static TEE_Result apply_all(struct tstore *s, struct batch *b,
			    struct commit *members, size_t *applied)
{
	struct commit *c;
	TEE_Result res;

	for (c = members; c; c = c->next) {
		c->res = admit(s, c);
		if (c->res)
			continue; /* fails alone, nothing touched */
		c->applied = true;
		(*applied)++;
		res = apply(s, b, c);
		if (res)
			return res;
	}
	return TEE_SUCCESS;
}

/*
 * dirf_lock covers dirf.db's index and the entry changes, not the
 * barriers: once the changes are queued only this leader touches dirf.db's
 * tree until the group is settled (group_leading makes it the only
 * leader; other threads use the index alone, and reload the tree only when
 * dirf_stale, which only a leader sets, at the end of its group). So
 * lookups, file-number reservations and enumerations go on while a
 * group's barriers run; they may see the group's entries before its
 * commit record (an object in flight is locked by its committing thread,
 * and enumeration may or may not show objects created meanwhile).
 */
void tstore_group_commit(struct tstore *s, struct batch *b,
			 struct commit *members)
{
	size_t applied = 0;
	bool synced = false;
	TEE_Result res;

	pthread_mutex_lock(&s->dirf_lock);
	res = tstore_dirf_ready(s, b);
	if (!res)
		res = apply_all(s, b, members, &applied);
	if (!res && !applied) {
		/* Every member failed alone: nothing to commit. */
		batch_discard(b);
		pthread_mutex_unlock(&s->dirf_lock);
		return;
	}
	if (!res)
		res = dirf_commit_prepare(s->dirf, b);
	pthread_mutex_unlock(&s->dirf_lock);
	if (!res)
		res = barrier_one(s, b, members, &synced);
	if (res) {
		pthread_mutex_lock(&s->dirf_lock);
		abort_group(s, b, members, applied != 0, res);
		pthread_mutex_unlock(&s->dirf_lock);
		return;
	}
	res = commit_record(s, b);
	pthread_mutex_lock(&s->dirf_lock);
	if (res)
		unknown_group(s, b, members, res);
	else
		dirf_commit_done(s->dirf);
	pthread_mutex_unlock(&s->dirf_lock);
	if (res)
		return;
	/*
	 * The anchor last (docs/rollback.md): until it is durable the
	 * commit may yet be rolled back by one generation at the next open
	 * (a hash anchor) or kept (a counter anchor), so a failure here is
	 * an unknown outcome; dirf.db is reloaded and re-anchored before
	 * the next commit.
	 */
	res = tstore_anchor_commit(s);
	if (res) {
		pthread_mutex_lock(&s->dirf_lock);
		unknown_group(s, b, members, res);
		pthread_mutex_unlock(&s->dirf_lock);
		return;
	}

	pthread_mutex_lock(&s->lock);
	s->stats.commits += applied;
	s->stats.groups++;
	/* Barrier 1 only when it synced something, barrier 2, the anchor. */
	s->stats.barriers += (synced ? 1 : 0) + 1 + (s->anchor ? 1 : 0);
	pthread_mutex_unlock(&s->lock);
}
