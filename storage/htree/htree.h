/*
 * A hash-tree file: OP-TEE's REE FS file format (docs/format.md; facts in
 * shared/reference/optee-storage-format.md §1). Every REE FS file, dirf.db
 * included, is one of these: a plaintext byte stream of `size` bytes kept
 * as 4 KiB AES-GCM blocks, each block and each tree node in two versions,
 * and two header slots, so that a new version is written beside the
 * committed one and a single small write (the commit record) switches.
 *
 * Who commits: for object files the commit record is the object's entry
 * (root hash) in dirf.db; for dirf.db it is its own header (or, with
 * rollback protection, the anchor). So committing is split in phases the
 * caller sequences (see docs/architecture.md, "Commit protocol"):
 *
 *	htree_commit_prepare(ht, b, with_header, hash)  queue nodes (+header)
 *	... barrier ...
 *	htree_commit_header(ht, b)       dirf.db only: queue the header
 *	... barrier ...
 *	htree_commit_done(ht)            the new state is the committed one
 * or, if anything failed before the commit record was durable:
 *	htree_commit_abort(ht)           back to the committed state on disk
 *
 * All writes go to uncommitted slots only; until the commit record lands
 * the committed state on disk is untouched, whatever was written.
 *
 * Memory: the node tree is held (about 70 bytes per 4 KiB block, in
 * fixed-size chunks); data is never held beyond one batch.
 *
 * Errors: TEE_ERROR_CORRUPT_OBJECT for anything that fails verification
 * (bad tag, hash mismatch, short read, impossible values),
 * TEE_ERROR_SECURITY for counter rules (odd/even rule, below
 * min_counter), backend errors as the backend reports them.
 *
 * Not thread-safe: the caller serialises calls on one htree.
 *
 * States (added by the implementation, docs/format.md "Commit"): between
 * htree_commit_prepare() and htree_commit_done()/htree_commit_abort(),
 * write and truncate return TEE_ERROR_BAD_STATE. An error from write,
 * truncate or commit_prepare can leave the in-memory tree half-updated:
 * every later call but htree_commit_abort() and htree_close() then
 * returns TEE_ERROR_BAD_STATE, and abort reloads the committed state.
 *
 * Offsets of every element are in htree_layout.h (tests, offline tools).
 */
#ifndef TEESTORE_HTREE_H
#define TEESTORE_HTREE_H

#include <stdbool.h>
#include <stdint.h>

#include "batch.h"
#include "keys.h"
#include "tee_api_types.h"

#define HTREE_BLOCK_SIZE 4096
#define HTREE_HASH_SIZE	 32
/*
 * Largest plaintext length accepted (write/truncate beyond it:
 * TEE_ERROR_BAD_PARAMETERS; a file claiming more: CORRUPT_OBJECT). GP
 * data positions end at 4 GiB; the object head and attributes come on
 * top, so 8 GiB.
 */
#define HTREE_MAX_LENGTH (1ULL << 33)

struct htree;

struct htree_config {
	/*
	 * OP-TEE's CFG_REE_FS_HTREE_HASH_SIZE_COMPAT=y (the default): the
	 * header's AAD holds only the first 16 bytes of the root hash.
	 */
	bool hash_size_compat;
};

/*
 * Creates a new, empty hash-tree file in the open (empty) file fh, with a
 * fresh random FEK wrapped by tsk, exactly as OP-TEE does (root version 1,
 * header slot 1 counter 1, a zero header with counter min_counter in slot
 * 0). The writes are queued in b; the caller flushes and syncs.
 */
TEE_Result htree_create(struct backend *be, uint32_t fh,
			const uint8_t tsk[KEYS_TSK_SIZE],
			const struct htree_config *cfg, uint32_t min_counter,
			struct batch *b, struct htree **out);

/*
 * Opens and fully verifies fh. expected_hash (32 bytes) selects the
 * version by root hash (object files, from their dirf.db entry); NULL
 * selects the header by counter parity (dirf.db without anchor).
 * Returns TEE_ERROR_NO_DATA for a file whose create never committed
 * (both headers zero or a zero counter-0 header: OP-TEE re-creates it).
 */
TEE_Result htree_open(struct backend *be, uint32_t fh,
		      const uint8_t tsk[KEYS_TSK_SIZE],
		      const uint8_t *expected_hash, uint32_t min_counter,
		      const struct htree_config *cfg, struct htree **out);

/*
 * Opens and fully verifies the generation before the newest one: the
 * other header slot, only if its counter is exactly one below the newest
 * header's (chosen by counter parity as htree_open does);
 * TEE_ERROR_CORRUPT_OBJECT otherwise. For dirf.db's crash fallback only
 * (docs/engine.md, "Commit protocol"; added for the one-flush commit):
 * its header is made durable in the same barrier as its nodes, so after a
 * crash the newest header may name nodes that never reached the disk.
 */
TEE_Result htree_open_previous(struct backend *be, uint32_t fh,
			       const uint8_t tsk[KEYS_TSK_SIZE],
			       uint32_t min_counter,
			       const struct htree_config *cfg,
			       struct htree **out);

/* Frees everything and wipes the FEK. NULL is a no-op. */
void htree_close(struct htree *ht);

/* Current plaintext length, including uncommitted changes. */
uint64_t htree_size(const struct htree *ht);

/*
 * Reads up to len bytes at pos into buf; *got < len only at the end.
 * Flushes b first if it holds writes for this file (b may be NULL when
 * the caller knows it holds none).
 */
TEE_Result htree_read(struct htree *ht, struct batch *b, uint64_t pos,
		      void *buf, size_t len, size_t *got);

/* Writes len bytes at pos; a gap between size and pos is zero-filled. */
TEE_Result htree_write(struct htree *ht, struct batch *b, uint64_t pos,
		       const void *buf, size_t len);

/* Shrinks (dropping nodes, marking their parents dirty) or grows. */
TEE_Result htree_truncate(struct htree *ht, struct batch *b, uint64_t len);

/* True if anything changed since the last commit. */
bool htree_is_dirty(const struct htree *ht);

/*
 * Phase 1 of a commit: queues every dirty node into b (post-order, new
 * versions) and, if with_header, the new header; returns the new root
 * hash. A clean tree queues nothing and returns the committed hash.
 */
TEE_Result htree_commit_prepare(struct htree *ht, struct batch *b,
				bool with_header,
				uint8_t root_hash[HTREE_HASH_SIZE]);
/* Phase 2 (dirf.db): queues the header prepared by phase 1. */
TEE_Result htree_commit_header(struct htree *ht, struct batch *b);
/* The prepared state is now the committed one. */
void htree_commit_done(struct htree *ht);
/* Forget uncommitted changes and reload the committed state from disk. */
TEE_Result htree_commit_abort(struct htree *ht);

/* Root hash and header counter of the committed state. */
void htree_committed_hash(const struct htree *ht,
			  uint8_t root_hash[HTREE_HASH_SIZE]);
uint32_t htree_committed_counter(const struct htree *ht);

/*
 * Bytes of the REE file the committed state needs: after a shrink has
 * committed, the caller may truncate the file to this length (never
 * before: OP-TEE's crash window).
 */
uint64_t htree_committed_file_size(const struct htree *ht);

#endif
