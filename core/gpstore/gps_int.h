/*
 * Internals of gpstore (core/gpstore only): the store, the sharing
 * registry, the client's handle tables and the corrupt-object policy.
 *
 * Locks, in the only order they are taken:
 *	c->lock     one client: its tables and positions; held for a whole
 *	            call, I/O included (one TA instance is one thread)
 *	g->lock     leaf: the sharing registry and the counters; never held
 *	            across an engine call
 * The engine has its own (per object, dirf) below all of these.
 */
#ifndef TEESTORE_GPS_INT_H
#define TEESTORE_GPS_INT_H

#include <pthread.h>

#include "gpstore.h"

/*
 * A storage's object operations (gps_ops.c): tstore's contract for the
 * REE FS engine and the RPMB FS alike; objects are opaque pointers.
 */
struct gps_ops {
	TEE_Result (*create)(void *store, const TEE_UUID *ta, const void *id,
			     size_t id_len, const struct tstore_head *head,
			     const void *attrs, size_t attr_len,
			     const void *data, size_t data_len, bool overwrite,
			     void **out);
	TEE_Result (*open)(void *store, const TEE_UUID *ta, const void *id,
			   size_t id_len, void **out);
	void (*release)(void *o);
	TEE_Result (*read)(void *o, uint64_t pos, void *buf, size_t len,
			   size_t *got);
	TEE_Result (*write)(void *o, uint64_t pos, const void *buf, size_t len);
	TEE_Result (*truncate)(void *o, uint64_t len);
	TEE_Result (*rename)(void *o, const void *id, size_t len);
	TEE_Result (*remove)(void *o);
	TEE_Result (*remove_id)(void *store, const TEE_UUID *ta, const void *id,
				size_t len);
	TEE_Result (*info)(void *o, struct tstore_info *info);
	TEE_Result (*read_attrs)(void *o, void *buf, size_t len,
				 size_t *attr_len);
	TEE_Result (*set_head)(void *o, const struct tstore_head *head);
	TEE_Result (*enum_next)(void *store, const TEE_UUID *ta,
				uint64_t *cursor, uint8_t *id, size_t *id_len);
};
extern const struct gps_ops gps_tstore_ops;
extern const struct gps_ops gps_rpmbfs_ops;

/* Storage slots: one engine each. */
enum gps_slot {
	GPS_SLOT_REE = 0,
	GPS_SLOT_RPMB = 1, /* TEE_STORAGE_PRIVATE_RPMB: the RPMB FS */
	GPS_NSLOTS
};

#define GPS_SHARE_BUCKETS 256

/*
 * One registry entry per (slot, TA, ID) with open handles: what the
 * sharing rules look at (gp-api.md "Sharing"). Handles point at their
 * entry; an entry lives while it has handles or reservations (refs).
 * An entry is unlinked (no longer found by its key) when its object is
 * removed for corruption, so that the ID can be created again while
 * stale handles still point at the old entry.
 */
struct gps_share {
	struct gps_share *next; /* bucket chain, g->lock */
	bool linked;		/* g->lock */
	unsigned slot;
	TEE_UUID ta;
	uint8_t id[GPSTORE_ID_MAX];
	size_t id_len;
	unsigned refs;	  /* holders + holds, g->lock */
	unsigned holders; /* handles and reservations (flags count) */
	unsigned n_read;  /* holders with ACCESS_READ */
	unsigned n_write; /* ... ACCESS_WRITE */
	unsigned n_meta;  /* ... ACCESS_WRITE_META */
	uint32_t share;	  /* SHARE_* bits, identical for every holder */
	bool busy;	  /* a rename's target placeholder */
	bool gone;	  /* being removed for corruption (then unlinked) */
	/*
	 * The object is known to exist (an open or create through this entry
	 * succeeded, or an enumeration found it); until then the entry may
	 * stand for an open of an ID that does not exist. g->lock.
	 */
	bool settled;
	/*
	 * Serialises what must not interleave on one object: a create and
	 * an open that finds the object corrupt and removes it (else the
	 * removal could hit the freshly created object), two read-modify-
	 * writes of the head. Never held across a wait on another entry.
	 */
	pthread_mutex_t lock;
};

struct gpstore {
	struct tstore *ts[GPS_NSLOTS]; /* the REE FS engine (gpstore_tstore) */
	const struct gps_ops *ops[GPS_NSLOTS];
	void *store[GPS_NSLOTS]; /* NULL: no such storage */
	struct backend *qbe; /* the REE backend wrapper (gps_quarantine.c) */
	enum gpstore_corrupt_policy policy;
	uint32_t anti_rollback_level;

	pthread_mutex_t lock;
	pthread_cond_t share_cv; /* an entry settled or went away (lock) */
	struct gps_share *buckets[GPS_SHARE_BUCKETS]; /* lock */
	struct gpstore_stats stats;		      /* lock */
	uint32_t gen;				      /* lock */
};

/* An object handle; slot free when !obj && !corrupt. */
struct gps_handle {
	uint32_t value; /* what the TA holds; 0: free */
	unsigned slot;
	void *obj; /* referenced (g->ops[slot]); NULL once corrupt */
	struct gps_share *share;
	uint32_t flags; /* as opened or created */
	uint64_t pos;
	bool corrupt; /* kept open after CORRUPT_OBJECT (TA property) */
};

struct gps_enum {
	uint32_t value; /* 0: free */
	bool started;
	unsigned slot;
	uint64_t cursor;
};

struct gpstore_client {
	struct gpstore *g;
	TEE_UUID ta;
	bool dont_close_on_corrupt;
	pthread_mutex_t lock;
	struct gps_handle *h; /* lock; nh slots, grows to MAX_HANDLES */
	size_t nh;
	struct gps_enum e[GPSTORE_MAX_ENUMS];
};

/* Handle values (gps_client.c): slot+1 | kind | generation. */
#define GPS_KIND_ENUM 0x800U
uint32_t gps_handle_value(struct gpstore *g, size_t index, uint32_t kind);
bool gps_handle_index(uint32_t value, uint32_t kind, size_t *index);

/* Storage ID -> slot with an engine; false if none (gpstore.c). */
bool gps_slot_of(struct gpstore *g, uint32_t storage_id, unsigned *slot);

/* Panics with a reason in the log (gps_client.c). */
TEE_Result gps_panic(struct gpstore_client *c, const char *why);

/* Handle table (gps_client.c); c->lock held. */
TEE_Result gps_handle_alloc(struct gpstore_client *c, struct gps_handle **h);
struct gps_handle *gps_handle_get(struct gpstore_client *c, uint32_t value);
/* Releases the object and the registry entry; frees the slot. */
void gps_handle_free(struct gpstore_client *c, struct gps_handle *h);

/*
 * After an engine error on a handle's object (gps_object.c): a
 * verification failure (or the object taken away by another handle that
 * found it corrupt) gives CORRUPT_OBJECT, the policy applied and the
 * handle closed unless the TA keeps it (doesNotCloseHandleOnCorruptObject).
 * Other errors are returned as they are.
 */
TEE_Result gps_handle_failed(struct gpstore_client *c, struct gps_handle *h,
			     TEE_Result res);

/* An object's description, position 0, PERSISTENT|INITIALIZED. */
TEE_Result gps_obj_info(struct gpstore *g, unsigned slot, void *o,
			struct gpstore_info *info);

/* Sharing registry (gps_share.c). flags: the access and share bits. */
TEE_Result gps_share_reserve(struct gpstore *g, unsigned slot,
			     const TEE_UUID *ta, const void *id, size_t len,
			     uint32_t flags, bool create, bool overwrite,
			     struct gps_share **out);
void gps_share_unreserve(struct gpstore *g, struct gps_share *sh,
			 uint32_t flags);
/* After a successful open or create through sh: the object exists. */
void gps_share_settle(struct gpstore *g, struct gps_share *sh);
/* Rename: takes the new key (busy placeholder) or ACCESS_CONFLICT; waits
 * first for an open or create of the new key in flight to settle. */
TEE_Result gps_share_rename_begin(struct gpstore *g, struct gps_share *sh,
				  const void *id, size_t len,
				  struct gps_share **placeholder);
void gps_share_rename_end(struct gpstore *g, struct gps_share *sh,
			  struct gps_share *placeholder, bool renamed);
/* A hold on the key's entry that is not a handle (no sharing check). */
TEE_Result gps_share_hold(struct gpstore *g, unsigned slot, const TEE_UUID *ta,
			  const void *id, size_t len, struct gps_share **out);
void gps_share_drop(struct gpstore *g, struct gps_share *sh);
/*
 * Corruption: mark_gone before the object is removed (new opens and
 * creates of the key get ACCESS_CONFLICT meanwhile; a handle of the entry
 * that meets the detached object knows why), unlink after (the key is
 * free for new objects).
 */
void gps_share_mark_gone(struct gpstore *g, struct gps_share *sh);
bool gps_share_is_gone(struct gpstore *g, struct gps_share *sh);
void gps_share_unlink(struct gpstore *g, struct gps_share *sh);

/*
 * Corrupt objects (gps_corrupt.c): maps the engine's verification
 * failures to CORRUPT_OBJECT.
 */
bool gps_is_corrupt(TEE_Result res);
/* Applies the policy to an open object found corrupt (sh: its entry). */
void gps_corrupt_obj(struct gpstore *g, struct gps_share *sh, void *o);
/*
 * ... to one that could not even be opened, by ID: sh is the key's
 * entry, its lock held since the failed open (so that no create came
 * in between).
 */
void gps_corrupt_id(struct gpstore *g, struct gps_share *sh);

/* The quarantine backend wrapper (gps_quarantine.c). */
TEE_Result gps_qbackend_new(struct backend *inner, struct backend **out);
/*
 * Runs remove_fn with every object file the engine removes on this
 * thread, through qbe, renamed to "corrupt-<ta>-<fnum>" instead; *kept
 * receives the new name ("" if none).
 */
TEE_Result gps_quarantine_run(struct backend *qbe, const TEE_UUID *ta,
			      TEE_Result (*remove_fn)(void *arg), void *arg,
			      char *kept, size_t kept_len);

#endif
