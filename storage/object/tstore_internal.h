/*
 * Internals of the object layer (storage/object only): the store, the
 * shared open-object struct, and the commit sequence.
 *
 * Locks, in the only order they are taken:
 *	o->lock      one object: its tree, file, head; held across its I/O
 *	             and while its commit waits in a commit group
 *	s->dirf_lock dirf.db's index and entries: lookups, reservations,
 *	             a group leader's entry changes; not held across the
 *	             barriers (dirf.db's tree is the one leader's from its
 *	             changes to its commit record: commit_group.c)
 *	s->lock      leaf: the open-object list, the batch pool, stats;
 *	             never held across I/O
 *	s->group_lock leaf: the commit queue (commit.c); never held across
 *	             I/O nor while taking another lock
 */
#ifndef TEESTORE_TSTORE_INTERNAL_H
#define TEESTORE_TSTORE_INTERNAL_H

#include <pthread.h>

#include "dirf.h"
#include "htree.h"
#include "keys.h"
#include "tstore.h"

#define TSTORE_BATCH_POOL 4
/*
 * Most commits in one group: bounds the work a leader does for others
 * (entry changes, dirf.db blocks) before its own commit returns. Barrier
 * 1 stays small whatever the size: followers sync their own files.
 */
#define TSTORE_GROUP_MAX 14

struct commit;

struct tstore {
	struct backend *be;
	struct keys *keys;
	struct htree_config cfg;
	size_t batch_size;

	pthread_mutex_t dirf_lock;
	struct dirf *dirf; /* dirf_lock */
	bool dirf_stale;   /* dirf_lock: reload before use */

	/*
	 * Rollback anchor (anchor.c, docs/rollback.md); NULL: none. The
	 * anchored state changes under dirf_lock; anchor->commit() runs
	 * only in a group leader or under dirf_lock (never both at once).
	 */
	const struct tstore_anchor *anchor;
	struct tstore_anchor_state anchored; /* dirf_lock */

	pthread_mutex_t lock;
	struct tstore_obj *open_list; /* lock */
	struct batch *pool[TSTORE_BATCH_POOL];
	size_t npool;
	struct tstore_stats stats;

	/* Group commit (commit.c, docs/engine.md "Group commit"). */
	pthread_mutex_t group_lock;
	pthread_cond_t group_cond;  /* a group finished; hold lifted */
	bool group_leading;	    /* group_lock: a leader is at work */
	struct commit *group_head;  /* group_lock: waiting commits, FIFO */
	struct commit **group_tail; /* group_lock */
	bool group_hold;	    /* group_lock: test hook (tstore_test.h) */
	uint64_t group_joins;	    /* group_lock: commits queued so far */
};

struct tstore_obj {
	struct tstore *s;
	pthread_mutex_t lock;
	unsigned refs;		 /* s->lock */
	bool attached;		 /* s->lock: in open_list under its ID */
	struct tstore_obj *next; /* s->lock */
	/* The ID changes only with both o->lock and s->lock held. */
	TEE_UUID uuid;
	uint8_t id[TSTORE_ID_MAX];
	size_t id_len;
	/* o->lock: NULL when not loaded (new, stale after an error). */
	struct htree *ht;
	uint32_t fh;
	uint32_t fnum;
	struct tstore_head head;
};

/* What a commit changes in dirf.db. */
enum commit_kind {
	COMMIT_INSERT,	 /* create / replace: entry with the new file */
	COMMIT_SET_HASH, /* write / truncate / set_head */
	COMMIT_RENAME,
	COMMIT_REMOVE,
};

struct commit {
	enum commit_kind kind;
	struct tstore_obj *o;
	struct htree *ht; /* object tree to commit; NULL: dirf.db only */
	uint32_t fh;
	bool created;	    /* ht's file is new: SYNC_DIR in barrier 1 */
	bool no_replace;    /* INSERT: ACCESS_CONFLICT if the ID exists */
	uint32_t fnum;	    /* INSERT: the new file's number */
	const void *new_id; /* RENAME */
	size_t new_len;
	/* Results. */
	uint32_t obsolete_fnum; /* file to remove after commit, or MAX */
	bool unknown;		/* error on the commit record: outcome? */
	bool ht_stale;		/* ht no longer matches the disk: drop it */

	/*
	 * Group commit. The member's thread fills these before it queues
	 * the commit; from then on the group's leader owns the struct (and
	 * acts on o's behalf: the member holds o->lock and waits) until it
	 * sets done under group_lock.
	 */
	uint8_t hash[HTREE_HASH_SIZE]; /* ht's new root hash */
	uint8_t old_id[TSTORE_ID_MAX]; /* RENAME: to restore on failure */
	size_t old_len;
	bool synced;	     /* ht's file is durable already (follower) */
	bool applied;	     /* leader: the entry change is in dirf.db */
	bool done;	     /* group_lock: res is final */
	TEE_Result res;	     /* the commit's outcome */
	struct commit *next; /* group_lock: queue link */
};

/*
 * Commits one change (c->o locked by the caller, b its batch, holding the
 * object's queued data): atomic and durable on success. Concurrent
 * commits share one dirf.db commit and its two barriers (commit.c).
 */
TEE_Result tstore_commit(struct tstore *s, struct batch *b, struct commit *c);
/*
 * The leader's part (commit_group.c): applies every member's entry
 * change in one dirf.db commit; sets each member's res, obsolete_fnum,
 * unknown and ht_stale. dirf_lock is taken here (not across barriers).
 */
void tstore_group_commit(struct tstore *s, struct batch *b,
			 struct commit *members);
/* Removes an obsolete file after its commit and frees its number. */
void tstore_drop_file(struct tstore *s, uint32_t fnum);

struct batch *tstore_batch_get(struct tstore *s);
void tstore_batch_put(struct tstore *s, struct batch *b);

/*
 * The anchor (anchor.c). open: opens dirf.db under the anchor's rules
 * (s->dirf), and anchors a new or caught-up state. verify (dirf_lock
 * held): after a reload, checks dirf.db against the anchored state and
 * anchors a commit the anchor missed. commit: anchors dirf.db's committed
 * state (counter, root hash) as the last step of a commit record; takes
 * dirf_lock for the bookkeeping only. No-ops without an anchor.
 */
TEE_Result tstore_anchor_open(struct tstore *s, const struct tstore_config *cfg,
			      struct batch *b);
TEE_Result tstore_anchor_verify(struct tstore *s);
TEE_Result tstore_anchor_commit(struct tstore *s);

/* Reloads dirf.db if an earlier error left it unknown (dirf_lock held). */
TEE_Result tstore_dirf_ready(struct tstore *s, struct batch *b);

/* Object head encoding (objhead.c). */
void tstore_head_encode(const struct tstore_head *h,
			uint8_t raw[TSTORE_HEAD_SIZE]);
void tstore_head_decode(const uint8_t raw[TSTORE_HEAD_SIZE],
			struct tstore_head *h);

#endif
