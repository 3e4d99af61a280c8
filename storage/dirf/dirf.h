/*
 * dirf.db: the directory of an OP-TEE REE FS store (docs/engine.md,
 * "dirf.db"; facts in shared/reference/optee-storage-format.md §3).
 *
 * dirf.db is a hash-tree file keyed by the dirf TSK, holding an array of
 * 120-byte entries, one per object: the TA UUID, the object ID, the root
 * hash of the object's file (the object's commit record) and the file
 * number that names the object's file ("%x").
 *
 * This module keeps an in-memory index of the committed entries (hash
 * tables on (TA UUID, object ID) and on file number), built by streaming
 * dirf.db once at open, so that a lookup never decrypts dirf.db. Changes
 * (dirf_insert / dirf_set_hash / dirf_rename / dirf_remove) update the
 * index and queue the entry writes; dirf_commit_* then commits dirf.db
 * (its header is the commit record of every change). dirf_commit_abort
 * reloads the committed state from disk.
 *
 * File numbers: the lowest number neither used by an entry nor reserved.
 * A number stays reserved from dirf_reserve_fnum() until
 * dirf_release_fnum(): the object layer holds a new file's number while
 * it writes the file, and an obsolete file's number until the file is
 * removed, so that no number is handed out while a file of that name may
 * still be referenced on disk.
 *
 * Not thread-safe: the object layer serialises every call with its dirf
 * commit lock.
 */
#ifndef TEESTORE_DIRF_H
#define TEESTORE_DIRF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "batch.h"
#include "htree.h"
#include "keys.h"
#include "tee_api_types.h"

#define DIRF_FILE_NAME	"dirf.db"
#define DIRF_ENTRY_SIZE 120
#define DIRF_OID_MAX	64
/* A file name of an object: lowercase unpadded hex of its number. */
#define DIRF_FNAME_SIZE 9

/* One dirf.db entry, decoded. */
struct dirf_entry {
	TEE_UUID uuid;
	uint8_t oid[DIRF_OID_MAX];
	uint32_t oid_len;
	uint8_t hash[HTREE_HASH_SIZE];
	uint32_t file_number;
};

/* Encodes e into OP-TEE's 120-byte layout (empty ID: oid[0] = 1). */
void dirf_entry_encode(const struct dirf_entry *e,
		       uint8_t raw[DIRF_ENTRY_SIZE]);
/*
 * Decodes a raw entry. Returns false for a free slot (oidlen 0, oid[0] 0)
 * and for an entry that cannot be valid (oidlen > 64), which dirf.db
 * treats as free as well.
 */
bool dirf_entry_decode(const uint8_t raw[DIRF_ENTRY_SIZE],
		       struct dirf_entry *e);

/* "%x" of a file number into buf (DIRF_FNAME_SIZE bytes). */
void dirf_fname(uint32_t fnum, char buf[DIRF_FNAME_SIZE]);
/* Parses an object file name (lowercase unpadded hex, as OP-TEE names). */
bool dirf_parse_fname(const char *name, uint32_t *fnum);

struct dirf;

/*
 * Opens dirf.db in be, creating it if it does not exist or if its create
 * never committed (htree_open: TEE_ERROR_NO_DATA), and builds the index.
 * If the newest generation fails verification, the previous one is
 * opened instead (the crash fallback, see dirf_fell_back()).
 * Duplicate file numbers: the later entry is zeroed (as OP-TEE does),
 * committed with the next commit. b is used for I/O during open.
 */
TEE_Result dirf_open(struct backend *be, const struct keys *keys,
		     const struct htree_config *cfg, struct batch *b,
		     struct dirf **out);
void dirf_close(struct dirf *d);

/*
 * The rules an anchored store opens (and reloads) dirf.db by
 * (docs/rollback.md); all zero: OP-TEE without an anchor.
 */
struct dirf_open_opts {
	uint32_t min_counter; /* a header counter below: TEE_ERROR_SECURITY */
	/* Open by this root hash (an RPMB anchor); none: counter parity. */
	bool by_hash;
	uint8_t hash[HTREE_HASH_SIZE];
	/* Missing or never committed: TEE_ERROR_SECURITY, not a new file. */
	bool must_exist;
	/*
	 * min_counter is an anchored counter: the crash fallback to the
	 * previous generation is taken only if that generation's counter is
	 * min_counter itself (docs/rollback.md).
	 */
	bool counter_anchored;
};

/* dirf_open() under opts (NULL: all zero). */
TEE_Result dirf_open_opts(struct backend *be, const struct keys *keys,
			  const struct htree_config *cfg,
			  const struct dirf_open_opts *opts, struct batch *b,
			  struct dirf **out);
/* The rules later reloads use (the anchor moved on). */
void dirf_set_open_opts(struct dirf *d, const struct dirf_open_opts *opts);

/*
 * True if dirf_open() found no committed dirf.db and made a new one: any
 * object file in the directory then belongs to a directory file that was
 * lost or removed, not to a crashed create.
 */
bool dirf_was_created(const struct dirf *d);

/*
 * True if the last open or reload found the newest generation failing
 * verification and opened the previous one (docs/engine.md, "Commit
 * protocol": a crash inside a commit's last barrier).
 */
bool dirf_fell_back(const struct dirf *d);

/* Re-reads dirf.db from disk and rebuilds the index (unknown outcome). */
TEE_Result dirf_reload(struct dirf *d, struct batch *b);

/* The backend file handle of dirf.db (for barrier syncs). */
uint32_t dirf_fh(const struct dirf *d);

/* Number of objects in the index. */
size_t dirf_count(const struct dirf *d);

/* TEE_ERROR_ITEM_NOT_FOUND if there is no such entry. */
TEE_Result dirf_find(const struct dirf *d, const TEE_UUID *uuid,
		     const void *oid, size_t oid_len, struct dirf_entry *e);
/* True if fnum is referenced by an entry or reserved. */
bool dirf_fnum_in_use(const struct dirf *d, uint32_t fnum);

TEE_Result dirf_reserve_fnum(struct dirf *d, uint32_t *fnum);
void dirf_release_fnum(struct dirf *d, uint32_t fnum);
/*
 * Reserves fnum itself: the number of an insert whose commit was aborted
 * (dirf_insert made it "used"; the abort forgot the entry) while its new
 * file still exists, until the caller has removed the file.
 */
TEE_Result dirf_reserve_this_fnum(struct dirf *d, uint32_t fnum);

/*
 * Inserts e, or replaces the entry with the same (uuid, oid) in place
 * (OP-TEE reuses the old slot when replacing). *old_fnum gets the
 * replaced entry's file number, or UINT32_MAX if there was none; that
 * number stays reserved until the caller releases it. e->file_number
 * must be a number the caller reserved; it stops being "reserved" and
 * becomes "used" here.
 */
TEE_Result dirf_insert(struct dirf *d, struct batch *b,
		       const struct dirf_entry *e, uint32_t *old_fnum);
/* Sets the root hash of an existing entry. */
TEE_Result dirf_set_hash(struct dirf *d, struct batch *b, const TEE_UUID *uuid,
			 const void *oid, size_t oid_len,
			 const uint8_t hash[HTREE_HASH_SIZE]);
/* Renames in place; TEE_ERROR_ACCESS_CONFLICT if the target exists. */
TEE_Result dirf_rename(struct dirf *d, struct batch *b, const TEE_UUID *uuid,
		       const void *oid, size_t oid_len, const void *new_oid,
		       size_t new_len);
/*
 * Zeroes the entry; its file number becomes reserved (*fnum) until the
 * caller has removed the file and releases it.
 */
TEE_Result dirf_remove(struct dirf *d, struct batch *b, const TEE_UUID *uuid,
		       const void *oid, size_t oid_len, uint32_t *fnum);

/*
 * Enumeration in slot order: the next entry of uuid (every TA if NULL)
 * at or after *cursor; *cursor is advanced past it. ITEM_NOT_FOUND at
 * the end.
 */
TEE_Result dirf_next(const struct dirf *d, const TEE_UUID *uuid,
		     uint64_t *cursor, struct dirf_entry *e);

/*
 * Commit (docs/engine.md, "Commit protocol"). The changes above already
 * queued dirf.db's blocks; prepare queues the dirty nodes (uncommitted
 * slots, no header); after the caller's first barrier (the object files
 * only), header queues the commit record; one SYNC of dirf.db then makes
 * blocks, nodes and header durable together; after it, done. abort forgets the
 * changes and reloads the committed state (and the index) from disk.
 */
bool dirf_is_dirty(const struct dirf *d);
TEE_Result dirf_commit_prepare(struct dirf *d, struct batch *b);
TEE_Result dirf_commit_header(struct dirf *d, struct batch *b);
void dirf_commit_done(struct dirf *d);
TEE_Result dirf_commit_abort(struct dirf *d, struct batch *b);

/* Committed header counter and root hash (the anchor, tests, tools). */
uint32_t dirf_committed_counter(const struct dirf *d);
void dirf_committed_hash(const struct dirf *d, uint8_t hash[HTREE_HASH_SIZE]);

#endif
