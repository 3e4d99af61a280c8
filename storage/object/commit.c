/*
 * The commit protocol of the object layer, a committing thread's side
 * (docs/engine.md, "Commit protocol" and "Group commit"): one change of
 * one object, atomic and durable on return.
 *
 *   1. object file: its data blocks are already queued (uncommitted
 *      slots); queue its dirty nodes and header (uncommitted slot);
 *      dirf.db: queue the changed entries' blocks and nodes;
 *      barrier 1: SYNC of each object file (+ SYNC_DIR for new files);
 *      dirf.db is written but not synced.
 *   2. dirf.db header (the commit record); barrier 2: SYNC of dirf.db,
 *      its blocks, nodes and header durable together.
 *   3. only then the caller removes obsolete files and truncates shrunk
 *      ones.
 * Everything but dirf.db's header goes to uncommitted slots, and dirf.db's
 * header to the slot of the generation before the committed one: a crash
 * or an error before barrier 2 leaves the committed state untouched, and a
 * crash inside barrier 2 leaves either the new generation or a newest
 * header whose tree fails verification, which opens the committed one
 * (dirf.c's fallback; docs/engine.md).
 *
 * Group commit. Steps 1b-2 (the dirf.db part) are shared: a commit that
 * finds no group at work leads one at once, with its object's blocks
 * still in its batch (a lone writer costs what it always did: two
 * submits). A commit that finds a group at work writes its object's
 * blocks, nodes and header now (its own submit, while the other group
 * syncs: nothing shared is locked) and queues itself; when the group at
 * work is done, one of the queued commits leads all of them
 * (commit_group.c): their entry changes in one dirf.db commit, one pair
 * of barriers for all. The object stays locked by its own thread
 * throughout; the leader never touches a member's tree, only the entry
 * change the member described.
 */
#include <string.h>

#include "log.h"
#include "tstore_internal.h"
#include "tstore_test.h"

/* A commit that failed before it joined a group: back to the old state. */
static TEE_Result fail_alone(struct batch *b, struct commit *c, TEE_Result res)
{
	batch_discard(b);
	/* A new file is the caller's to drop; an old one rolls back. */
	if (c->ht && !c->created && htree_commit_abort(c->ht))
		c->ht_stale = true;
	return res;
}

/* The member's own epilogue, once the group has decided. */
static TEE_Result finish(struct commit *c)
{
	if (c->res == TEE_SUCCESS) {
		if (c->ht)
			htree_commit_done(c->ht);
		return TEE_SUCCESS;
	}
	if (c->unknown)
		c->ht_stale = c->ht != NULL; /* reopen from dirf.db's hash */
	else if (c->ht && !c->created && htree_commit_abort(c->ht))
		c->ht_stale = true;
	return c->res;
}

static void queue_locked(struct tstore *s, struct commit *c)
{
	c->next = NULL;
	*s->group_tail = c;
	s->group_tail = &c->next;
	s->group_joins++;
}

static void unqueue_locked(struct tstore *s, struct commit *c)
{
	struct commit **pp = &s->group_head;

	while (*pp != c)
		pp = &(*pp)->next;
	*pp = c->next;
	if (s->group_tail == &c->next)
		s->group_tail = pp;
	c->next = NULL;
}

/*
 * Leads one group: self first, then the oldest queued commits, at most
 * TSTORE_GROUP_MAX. Called and returns with group_lock held and
 * group_leading set by the caller; the lock is dropped for the I/O.
 */
static void lead_locked(struct tstore *s, struct batch *b, struct commit *self)
{
	struct commit *last = self, *c, *next;
	size_t n = 1;

	while (s->group_hold)
		pthread_cond_wait(&s->group_cond, &s->group_lock);
	while (s->group_head && n < TSTORE_GROUP_MAX) {
		c = s->group_head;
		s->group_head = c->next;
		last->next = c;
		last = c;
		n++;
	}
	if (!s->group_head)
		s->group_tail = &s->group_head;
	last->next = NULL;
	pthread_mutex_unlock(&s->group_lock);

	tstore_group_commit(s, b, self);

	pthread_mutex_lock(&s->group_lock);
	/* A member may return (its c is on its stack) once done is set and
	 * group_lock is free: read next first. */
	for (c = self; c; c = next) {
		next = c->next;
		c->done = true;
	}
	s->group_leading = false;
	pthread_cond_broadcast(&s->group_cond);
}

/* Queued behind a group at work: wait to be committed, or to lead. */
static void wait_or_lead_locked(struct tstore *s, struct batch *b,
				struct commit *c)
{
	queue_locked(s, c);
	while (!c->done) {
		if (s->group_leading) {
			pthread_cond_wait(&s->group_cond, &s->group_lock);
			continue;
		}
		unqueue_locked(s, c);
		s->group_leading = true;
		lead_locked(s, b, c);
	}
}

TEE_Result tstore_commit(struct tstore *s, struct batch *b, struct commit *c)
{
	TEE_Result res = TEE_SUCCESS;

	c->obsolete_fnum = UINT32_MAX;
	c->unknown = false;
	c->ht_stale = false;
	c->applied = false;
	c->synced = false;
	c->done = false;
	c->res = TEE_SUCCESS;
	c->next = NULL;
	c->old_len = c->o->id_len;
	memcpy(c->old_id, c->o->id, c->old_len);
	memset(c->hash, 0, sizeof(c->hash));
	if (c->ht)
		res = htree_commit_prepare(c->ht, b, true, c->hash);
	if (res)
		return fail_alone(b, c, res);

	pthread_mutex_lock(&s->group_lock);
	if (!s->group_leading) {
		s->group_leading = true;
		s->group_joins++;
		lead_locked(s, b, c);
		pthread_mutex_unlock(&s->group_lock);
		return finish(c);
	}
	pthread_mutex_unlock(&s->group_lock);
	/*
	 * A group is at work: write and SYNC this object's part now, while
	 * that group's barriers run (nothing shared is locked); the group
	 * that takes this commit then syncs only dirf.db.
	 */
	if (c->ht)
		res = batch_sync(b, c->fh);
	if (!res)
		res = batch_flush(b);
	if (res)
		return fail_alone(b, c, res);
	c->synced = c->ht != NULL;
	pthread_mutex_lock(&s->group_lock);
	wait_or_lead_locked(s, b, c);
	pthread_mutex_unlock(&s->group_lock);
	return finish(c);
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

void tstore_test_hold_groups(struct tstore *s, bool hold)
{
	pthread_mutex_lock(&s->group_lock);
	s->group_hold = hold;
	pthread_cond_broadcast(&s->group_cond);
	pthread_mutex_unlock(&s->group_lock);
}

uint64_t tstore_test_group_joins(struct tstore *s)
{
	uint64_t n;

	pthread_mutex_lock(&s->group_lock);
	n = s->group_joins;
	pthread_mutex_unlock(&s->group_lock);
	return n;
}
