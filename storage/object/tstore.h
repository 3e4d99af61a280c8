/*
 * tstore: the storage engine's object layer, GP persistent objects kept in
 * an OP-TEE REE FS store (docs/engine.md). A store is a backend (a flat
 * directory of REE files), the keys derived from a HUK, and dirf.db; an
 * object is named by (TA UUID, object ID of 0..64 bytes, the empty ID
 * valid) and holds OP-TEE's 24-byte object head, the attribute blob and
 * the data stream (data position 0 at 24 + attr_size).
 *
 * Every change (create, write, truncate, rename, remove, set_head) is one
 * atomic commit, durable when the call returns (docs/engine.md, "Commit
 * protocol"): after a crash the store shows exactly the old or the new
 * state. On an error before the commit record is durable the store stays
 * at the old state and usable; an error on the commit record itself
 * leaves the outcome unknown (the caller sees the error; the engine
 * reloads dirf.db before its next operation).
 *
 * GP handle rules (access flags, sharing, positions) belong to the layer
 * above (teed). What this layer gives it:
 *   - an open object is ONE shared struct tstore_obj per (TA, ID) with a
 *     reference count: tstore_open of an object already open returns the
 *     same struct, so every handle sees every other handle's writes;
 *   - positions are the caller's (every read/write takes one);
 *   - locking is per object plus one dirf commit lock; no lock covering
 *     unrelated objects is held across a backend round trip but the
 *     dirf.db commit itself, which concurrent commits share (group
 *     commit: one dirf.db commit and one pair of barriers for every
 *     commit waiting; docs/engine.md "Group commit").
 * After tstore_remove the struct is detached: later calls on it return
 * TEE_ERROR_BAD_STATE and a new object of the same ID is a new struct.
 * A create with overwrite over an open object swaps the new content into
 * the same shared struct.
 *
 * Errors are GP codes: ITEM_NOT_FOUND, ACCESS_CONFLICT, BAD_PARAMETERS
 * (ID longer than 64 bytes: the GP layer panics the TA before that),
 * OVERFLOW (beyond TEE_DATA_MAX_POSITION), STORAGE_NO_SPACE,
 * STORAGE_NOT_AVAILABLE, OUT_OF_MEMORY, CORRUPT_OBJECT for anything that
 * fails verification (a tampered, swapped, stale or missing file) and
 * SECURITY for counter violations. Never wrong plaintext.
 *
 * Memory is independent of object sizes: data streams through bounded
 * write-behind batches; a tree of node hashes (~70 bytes per 4 KiB) is
 * held per open object.
 */
#ifndef TEESTORE_TSTORE_H
#define TEESTORE_TSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "tee_api_types.h"

#define TSTORE_ID_MAX	 64 /* TEE_OBJECT_ID_MAX_LEN */
#define TSTORE_HEAD_SIZE 24

struct tstore;
struct tstore_obj;

/*
 * The anti-rollback anchor (docs/rollback.md): state kept outside the REE
 * directory that the normal world cannot roll back, updated as the last
 * step of every dirf.db commit (after its second barrier: a third one).
 * Two kinds plug in here: teed's monotonic minimum counter in its private
 * state (core/teed_anchor.c, OP-TEE's NV-counter hook) and the dirf.db
 * root hash in RPMB (OP-TEE's CFG_REE_FS_INTEGRITY_RPMB).
 */
struct tstore_anchor_state {
	/* An anchored store exists: a missing dirf.db is an attack. */
	bool present;
	/*
	 * What this anchor keeps (set by load() even when !present):
	 * has_counter: min_counter is dirf.db's last anchored header
	 * counter; has_hash: root_hash is its last anchored root hash.
	 */
	bool has_counter;
	uint32_t min_counter;
	bool has_hash;
	uint8_t root_hash[32];
};

struct tstore_anchor {
	/* The anchored state; present = false on the very first start. */
	TEE_Result (*load)(void *arg, struct tstore_anchor_state *st);
	/*
	 * Durably records dirf.db's committed header counter and root hash
	 * (an anchor may keep either or both). Values only grow, but after
	 * an administrator reset (tstore_config.anchor_reset).
	 */
	TEE_Result (*commit)(void *arg, uint32_t counter,
			     const uint8_t root_hash[32]);
	void *arg;
};

struct tstore_config {
	const uint8_t *huk; /* 1..32 bytes (16 on OP-TEE) */
	size_t huk_len;
	/* OP-TEE defaults: CFG_CORE_HUK_SUBKEY_COMPAT=y and
	 * CFG_REE_FS_HTREE_HASH_SIZE_COMPAT=y. */
	bool subkey_compat;
	bool hash_size_compat;
	/* Payload bytes of each write-behind batch; 0: 1 MiB; at least one
	 * block (4 KiB), else tstore_open fails with BAD_PARAMETERS. */
	size_t batch_size;
	/* Rollback protection (docs/rollback.md); NULL: none (OP-TEE's
	 * default: a restored old directory is accepted). Must outlive the
	 * store. */
	const struct tstore_anchor *anchor;
	/*
	 * Administrator reset: ignore the anchored state, accept the REE
	 * directory as it is (a missing dirf.db makes a fresh store) and
	 * anchor it as the new baseline. Logged; never automatic.
	 */
	bool anchor_reset;
};

/* OP-TEE's defaults (both compat flags set) for the given HUK. */
void tstore_config_init(struct tstore_config *cfg, const uint8_t *huk,
			size_t huk_len);

/*
 * OP-TEE's object head (reference §6): the first 24 bytes of an
 * object's plaintext, six u32 LE.
 */
struct tstore_head {
	uint32_t attr_size; /* bytes of the attribute blob after the head */
	uint32_t object_size;
	uint32_t max_object_size;
	uint32_t object_usage;
	uint32_t object_type;
	uint32_t have_attrs;
};

/* What GetObjectInfo needs: the head plus the data stream's length. */
struct tstore_info {
	struct tstore_head head;
	uint64_t data_size;
	uint32_t file_number; /* the REE file "%x" (tools, tests) */
};

/* Counters for tests and the benchmark. */
struct tstore_stats {
	uint64_t commits;
	uint64_t barriers; /* batches ending in SYNC ops */
	uint64_t orphans_removed;
	uint64_t groups; /* dirf.db commits: commits / groups = group size */
};

/*
 * Opens the store on be (which stays the caller's; destroy it after
 * tstore_close): opens or creates dirf.db, builds its index and removes
 * orphan object files (not referenced by dirf.db: a create or replace
 * interrupted by a crash). With an anchor (cfg->anchor): dirf.db older
 * than the anchor, or missing while the anchor says a store exists, gives
 * TEE_ERROR_SECURITY; a dirf.db whose root hash differs from the anchored
 * one gives TEE_ERROR_CORRUPT_OBJECT (docs/rollback.md).
 */
TEE_Result tstore_open(struct backend *be, const struct tstore_config *cfg,
		       struct tstore **out);
/* Closes the store; every object must have been released. */
void tstore_close(struct tstore *s);

/*
 * Creates an object: head (attr_size is taken from attr_len), the
 * attribute blob and initial data, in one commit. Without overwrite an
 * existing object gives ACCESS_CONFLICT; with overwrite the old object is
 * replaced atomically (the new one gets a new file; the old file is
 * removed after the commit). out may be NULL (created and released).
 */
TEE_Result tstore_create(struct tstore *s, const TEE_UUID *ta, const void *id,
			 size_t id_len, const struct tstore_head *head,
			 const void *attrs, size_t attr_len, const void *data,
			 size_t data_len, bool overwrite,
			 struct tstore_obj **out);

/* Opens (fully verifying) an existing object; ITEM_NOT_FOUND if none. */
TEE_Result tstore_open_obj(struct tstore *s, const TEE_UUID *ta, const void *id,
			   size_t id_len, struct tstore_obj **out);
/* Drops one reference; the last one frees the struct. NULL: no-op. */
void tstore_release(struct tstore_obj *o);

/* Reads up to len data bytes at pos; *got < len only at the end. */
TEE_Result tstore_read(struct tstore_obj *o, uint64_t pos, void *buf,
		       size_t len, size_t *got);
/* Writes at pos (a gap after the end is zero-filled); one commit. */
TEE_Result tstore_write(struct tstore_obj *o, uint64_t pos, const void *buf,
			size_t len);
/* Sets the data size (grows with zeros); one commit. */
TEE_Result tstore_truncate(struct tstore_obj *o, uint64_t len);
/* ACCESS_CONFLICT if new_id exists (itself included); one commit. */
TEE_Result tstore_rename(struct tstore_obj *o, const void *new_id,
			 size_t new_len);
/* Removes the object (the caller still releases its reference). */
TEE_Result tstore_remove(struct tstore_obj *o);
/*
 * Removes an object by ID without opening it: the way to delete an object
 * that fails verification (OP-TEE deletes an object on CORRUPT_OBJECT).
 * Open structs of it become detached (BAD_STATE). ITEM_NOT_FOUND if none.
 */
TEE_Result tstore_remove_id(struct tstore *s, const TEE_UUID *ta,
			    const void *id, size_t id_len);

TEE_Result tstore_info(struct tstore_obj *o, struct tstore_info *info);
/* Copies the attribute blob (len must be >= attr_size: SHORT_BUFFER). */
TEE_Result tstore_read_attrs(struct tstore_obj *o, void *buf, size_t len,
			     size_t *attr_len);
/*
 * Rewrites the head's object_size, max_object_size, object_usage,
 * object_type and have_attrs (RestrictObjectUsage1); attr_size must be
 * unchanged (BAD_PARAMETERS). One commit.
 */
TEE_Result tstore_set_head(struct tstore_obj *o,
			   const struct tstore_head *head);
/* The object's ID (id must hold TSTORE_ID_MAX bytes). */
void tstore_obj_id(struct tstore_obj *o, TEE_UUID *ta, uint8_t *id,
		   size_t *id_len);

/*
 * Enumeration of one TA's objects (every TA's if ta is NULL) in dirf.db
 * slot order. Start with *cursor = 0; each call returns the next ID and
 * advances the cursor; ITEM_NOT_FOUND at the end. Objects created or
 * removed meanwhile may or may not be seen, never twice.
 */
TEE_Result tstore_enum_next(struct tstore *s, const TEE_UUID *ta,
			    uint64_t *cursor, TEE_UUID *ta_out, uint8_t *id,
			    size_t *id_len);

void tstore_get_stats(struct tstore *s, struct tstore_stats *st);

#endif
