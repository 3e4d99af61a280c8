/*
 * Internals of the object layer (storage/object only): the store, the
 * shared open-object struct, and the commit sequence.
 *
 * Locks, in the only order they are taken:
 *	o->lock      one object: its tree, file, head; held across its I/O
 *	s->dirf_lock the dirf commit lock: dirf.db and its index; held
 *	             across a dirf.db commit (the two barriers), not while an
 *	             object's data is being written
 *	s->lock      leaf: the open-object list, the batch pool, stats;
 *	             never held across I/O
 */
#ifndef TEESTORE_TSTORE_INTERNAL_H
#define TEESTORE_TSTORE_INTERNAL_H

#include <pthread.h>

#include "dirf.h"
#include "htree.h"
#include "keys.h"
#include "tstore.h"

#define TSTORE_BATCH_POOL 4

struct tstore {
	struct backend *be;
	struct keys *keys;
	struct htree_config cfg;
	size_t batch_size;

	pthread_mutex_t dirf_lock;
	struct dirf *dirf; /* dirf_lock */
	bool dirf_stale;   /* dirf_lock: reload before use */

	pthread_mutex_t lock;
	struct tstore_obj *open_list; /* lock */
	struct batch *pool[TSTORE_BATCH_POOL];
	size_t npool;
	struct tstore_stats stats;
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
};

TEE_Result tstore_commit(struct tstore *s, struct batch *b, struct commit *c);
/* Removes an obsolete file after its commit and frees its number. */
void tstore_drop_file(struct tstore *s, uint32_t fnum);

struct batch *tstore_batch_get(struct tstore *s);
void tstore_batch_put(struct tstore *s, struct batch *b);

/* Reloads dirf.db if an earlier error left it unknown (dirf_lock held). */
TEE_Result tstore_dirf_ready(struct tstore *s, struct batch *b);

/* Object head encoding (objhead.c). */
void tstore_head_encode(const struct tstore_head *h,
			uint8_t raw[TSTORE_HEAD_SIZE]);
void tstore_head_decode(const uint8_t raw[TSTORE_HEAD_SIZE],
			struct tstore_head *h);

#endif
