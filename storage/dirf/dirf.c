/*
 * dirf.db: open/create, the index build, entry changes and the commit
 * phases. Format and protocol: docs/engine.md, "dirf.db".
 */
#include <stdlib.h>
#include <string.h>

#include "dirf.h"
#include "dirf_index.h"
#include "log.h"
#include "secmem.h"
#include "uuid.h"

/* Entries decrypted per read while building the index (bounded memory). */
#define SCAN_ENTRIES 136

struct dirf {
	struct backend *be;
	const struct keys *keys;
	struct htree_config cfg;
	uint32_t fh;
	bool fh_open;
	bool created; /* no committed dirf.db was found: a new one was made */
	/* The last open fell back to the previous generation (a crash
	 * inside a commit's last barrier). */
	bool fell_back;
	struct dirf_open_opts opts; /* the anchor's rules (docs/rollback.md) */
	struct htree *ht;
	struct dirf_index ix;
};

static TEE_Result write_entry(struct dirf *d, struct batch *b, uint32_t slot,
			      const struct dirf_entry *e)
{
	uint8_t raw[DIRF_ENTRY_SIZE];

	if (e)
		dirf_entry_encode(e, raw);
	else
		memset(raw, 0, sizeof(raw));
	return htree_write(d->ht, b, (uint64_t)slot * DIRF_ENTRY_SIZE, raw,
			   sizeof(raw));
}

/*
 * Adds one decoded entry to the index. A file number already used by an
 * earlier entry, or an ID already present, is zeroed on disk as OP-TEE
 * does for duplicate numbers (committed with the next commit).
 */
static TEE_Result index_entry(struct dirf *d, struct batch *b, uint32_t slot,
			      const struct dirf_entry *e)
{
	if (dirf_index_find_fnum(&d->ix, e->file_number) ||
	    dirf_index_find(&d->ix, &e->uuid, e->oid, e->oid_len)) {
		log_warnx("dirf.db: clearing duplicate entry %u (file %x)",
			  slot, e->file_number);
		return write_entry(d, b, slot, NULL);
	}
	return dirf_index_add(&d->ix, e, slot);
}

/* Streams dirf.db through a bounded buffer and builds the index. */
static TEE_Result build_index(struct dirf *d, struct batch *b)
{
	uint64_t size = htree_size(d->ht), nslots = size / DIRF_ENTRY_SIZE;
	uint8_t *buf = malloc(SCAN_ENTRIES * DIRF_ENTRY_SIZE);
	struct dirf_entry e;
	TEE_Result res;
	uint64_t slot = 0;

	if (!buf)
		return TEE_ERROR_OUT_OF_MEMORY;
	res = dirf_index_set_nslots(&d->ix, (size_t)nslots);
	while (!res && slot < nslots) {
		uint64_t n = nslots - slot, i;
		size_t got = 0;

		if (n > SCAN_ENTRIES)
			n = SCAN_ENTRIES;
		res = htree_read(d->ht, b, slot * DIRF_ENTRY_SIZE, buf,
				 (size_t)n * DIRF_ENTRY_SIZE, &got);
		if (!res && got != n * DIRF_ENTRY_SIZE)
			res = TEE_ERROR_CORRUPT_OBJECT;
		for (i = 0; !res && i < n; i++)
			if (dirf_entry_decode(buf + i * DIRF_ENTRY_SIZE, &e))
				res =
				    index_entry(d, b, (uint32_t)(slot + i), &e);
		slot += n;
	}
	/*
	 * Zeroed duplicates went to uncommitted slots: flush them now so
	 * that a caller discarding its batch cannot leave the tree pointing
	 * at blocks never written.
	 */
	if (!res && htree_is_dirty(d->ht))
		res = batch_flush(b);
	secmem_wipe(buf, SCAN_ENTRIES * DIRF_ENTRY_SIZE);
	free(buf);
	return res;
}

static void close_file(struct dirf *d)
{
	htree_close(d->ht);
	d->ht = NULL;
	if (d->fh_open)
		backend_close(d->be, d->fh);
	d->fh_open = false;
}

/* A new empty dirf.db, durable before anything refers to it. */
static TEE_Result create_file(struct dirf *d, struct batch *b,
			      const uint8_t *tsk)
{
	TEE_Result res;

	res = backend_create(d->be, DIRF_FILE_NAME, &d->fh);
	if (res)
		return res;
	d->fh_open = true;
	d->created = true;
	res = htree_create(d->be, d->fh, tsk, &d->cfg, 0, b, &d->ht);
	if (!res)
		res = batch_sync(b, d->fh);
	if (!res)
		res = batch_sync_dir(b);
	if (!res)
		res = batch_flush(b);
	if (res)
		batch_discard(b);
	return res;
}

/*
 * The crash fallback (docs/engine.md, "Commit protocol"): dirf.db's
 * blocks, nodes and header become durable in one barrier, so a crash
 * inside it may leave the newest header on disk with some of its nodes or
 * blocks missing, and that tree fails verification. The previous
 * generation (the other header slot, counter one below) is then the last
 * acknowledged state: open it instead. Only for a verification failure
 * (TEE_ERROR_CORRUPT_OBJECT: bad tag, hash mismatch, short read), only
 * with a counter anchor and only to the anchored counter itself (the
 * newest is then the unacknowledged anchor + 1; docs/rollback.md). A hash
 * anchor opens the anchored generation by its root hash anyway.
 */
static TEE_Result load_previous(struct dirf *d, struct batch *b,
				const uint8_t *tsk)
{
	TEE_Result res;

	/* Without a counter anchor a damaged newest generation could not
	 * be told from a crash: no fallback (CORRUPT, as OP-TEE). */
	if (d->opts.by_hash || !d->opts.counter_anchored)
		return TEE_ERROR_CORRUPT_OBJECT;
	res = htree_open_previous(d->be, d->fh, tsk, d->opts.min_counter,
				  &d->cfg, &d->ht);
	if (res)
		return TEE_ERROR_CORRUPT_OBJECT;
	if (d->opts.counter_anchored &&
	    htree_committed_counter(d->ht) != d->opts.min_counter) {
		log_warnx("dirf.db: previous generation %u is not the anchored "
			  "one (%u): no fallback",
			  htree_committed_counter(d->ht), d->opts.min_counter);
		return TEE_ERROR_CORRUPT_OBJECT;
	}
	res = build_index(d, b);
	if (res)
		return TEE_ERROR_CORRUPT_OBJECT;
	log_warnx("dirf.db: the newest generation fails verification (a "
		  "crash inside its commit): opened the previous one, "
		  "counter %u",
		  htree_committed_counter(d->ht));
	d->fell_back = true;
	return TEE_SUCCESS;
}

/* Forgets a failed attempt at opening the tree (the file stays open). */
static void drop_tree(struct dirf *d, struct batch *b)
{
	batch_discard(b);
	htree_close(d->ht);
	d->ht = NULL;
	dirf_index_clear(&d->ix);
}

/*
 * dirf.db's tree into d->ht: the existing file opened, or a new one made
 * (*fresh) where none exists or its create never committed.
 */
static TEE_Result open_tree(struct dirf *d, struct batch *b, const uint8_t *tsk,
			    bool *fresh)
{
	TEE_Result res;

	*fresh = false;
	res = backend_open(d->be, DIRF_FILE_NAME, &d->fh);
	if (res == TEE_ERROR_ITEM_NOT_FOUND) {
		/* An anchored store never silently starts afresh. */
		if (d->opts.must_exist)
			return TEE_ERROR_SECURITY;
		*fresh = true;
		return create_file(d, b, tsk);
	}
	if (res)
		return res;
	d->fh_open = true;
	res =
	    htree_open(d->be, d->fh, tsk, d->opts.by_hash ? d->opts.hash : NULL,
		       d->opts.min_counter, &d->cfg, &d->ht);
	if (res == TEE_ERROR_NO_DATA && d->opts.must_exist)
		return TEE_ERROR_SECURITY;
	if (res == TEE_ERROR_NO_DATA) {
		/* A create that never committed: OP-TEE re-creates it. */
		close_file(d);
		*fresh = true;
		return create_file(d, b, tsk);
	}
	return res;
}

static TEE_Result load(struct dirf *d, struct batch *b)
{
	uint8_t tsk[KEYS_TSK_SIZE];
	TEE_Result res;
	bool fresh;

	d->fell_back = false;
	res = keys_derive_dirf_tsk(d->keys, tsk);
	if (res)
		return res;
	res = open_tree(d, b, tsk, &fresh);
	if (!res)
		res = build_index(d, b);
	/* The newest tree of an existing file fails verification. */
	if (res == TEE_ERROR_CORRUPT_OBJECT && d->fh_open && !fresh) {
		drop_tree(d, b);
		res = load_previous(d, b, tsk);
	}
	secmem_wipe(tsk, sizeof(tsk));
	if (res) {
		close_file(d);
		dirf_index_clear(&d->ix);
	}
	return res;
}

TEE_Result dirf_open(struct backend *be, const struct keys *keys,
		     const struct htree_config *cfg, struct batch *b,
		     struct dirf **out)
{
	return dirf_open_opts(be, keys, cfg, NULL, b, out);
}

TEE_Result dirf_open_opts(struct backend *be, const struct keys *keys,
			  const struct htree_config *cfg,
			  const struct dirf_open_opts *opts, struct batch *b,
			  struct dirf **out)
{
	struct dirf *d = calloc(1, sizeof(*d));
	TEE_Result res;

	if (!d)
		return TEE_ERROR_OUT_OF_MEMORY;
	d->be = be;
	d->keys = keys;
	d->cfg = *cfg;
	if (opts)
		d->opts = *opts;
	res = dirf_index_init(&d->ix);
	if (!res)
		res = load(d, b);
	if (res) {
		dirf_close(d);
		return res;
	}
	*out = d;
	return TEE_SUCCESS;
}

void dirf_close(struct dirf *d)
{
	if (!d)
		return;
	close_file(d);
	dirf_index_free(&d->ix);
	free(d);
}

void dirf_set_open_opts(struct dirf *d, const struct dirf_open_opts *opts)
{
	d->opts = *opts;
}

bool dirf_was_created(const struct dirf *d)
{
	return d->created;
}

bool dirf_fell_back(const struct dirf *d)
{
	return d->fell_back;
}

TEE_Result dirf_reload(struct dirf *d, struct batch *b)
{
	close_file(d);
	dirf_index_clear(&d->ix);
	return load(d, b);
}

uint32_t dirf_fh(const struct dirf *d)
{
	return d->fh;
}

size_t dirf_count(const struct dirf *d)
{
	return d->ix.count;
}

TEE_Result dirf_find(const struct dirf *d, const TEE_UUID *uuid,
		     const void *oid, size_t oid_len, struct dirf_entry *e)
{
	struct dirf_rec *r = dirf_index_find(&d->ix, uuid, oid, oid_len);

	if (!r)
		return TEE_ERROR_ITEM_NOT_FOUND;
	if (e)
		*e = r->e;
	return TEE_SUCCESS;
}

bool dirf_fnum_in_use(const struct dirf *d, uint32_t fnum)
{
	return dirf_index_find_fnum(&d->ix, fnum) ||
	       dirf_index_fnum_reserved(&d->ix, fnum);
}

TEE_Result dirf_reserve_fnum(struct dirf *d, uint32_t *fnum)
{
	return dirf_index_reserve(&d->ix, fnum);
}

void dirf_release_fnum(struct dirf *d, uint32_t fnum)
{
	dirf_index_release(&d->ix, fnum);
}

TEE_Result dirf_reserve_this_fnum(struct dirf *d, uint32_t fnum)
{
	if (dirf_fnum_in_use(d, fnum))
		return dirf_index_fnum_reserved(&d->ix, fnum)
			   ? TEE_SUCCESS
			   : TEE_ERROR_BAD_STATE;
	return dirf_index_reserve_this(&d->ix, fnum);
}

/* A reserved number now named by an entry: no longer "reserved". */
static void unreserve(struct dirf *d, uint32_t fnum)
{
	struct dirf_index *ix = &d->ix;
	size_t i;

	for (i = 0; i < ix->nreserved; i++) {
		if (ix->reserved[i] == fnum) {
			ix->reserved[i] = ix->reserved[--ix->nreserved];
			return;
		}
	}
}

TEE_Result dirf_insert(struct dirf *d, struct batch *b,
		       const struct dirf_entry *e, uint32_t *old_fnum)
{
	struct dirf_rec *r =
	    dirf_index_find(&d->ix, &e->uuid, e->oid, e->oid_len);
	TEE_Result res;
	uint32_t slot;

	*old_fnum = UINT32_MAX;
	if (e->oid_len > DIRF_OID_MAX)
		return TEE_ERROR_BAD_PARAMETERS;
	if (r) {
		uint32_t old_slot = r->slot;

		res = dirf_index_reserve_this(&d->ix, r->e.file_number);
		if (res)
			return res;
		res = write_entry(d, b, old_slot, e);
		if (res) {
			unreserve(d, r->e.file_number);
			return res;
		}
		*old_fnum = r->e.file_number;
		dirf_index_del(&d->ix, r);
		slot = old_slot;
	} else {
		slot = dirf_index_free_slot(&d->ix);
		res = write_entry(d, b, slot, e);
		if (res)
			return res;
	}
	res = dirf_index_add(&d->ix, e, slot);
	if (!res)
		unreserve(d, e->file_number);
	return res;
}

TEE_Result dirf_set_hash(struct dirf *d, struct batch *b, const TEE_UUID *uuid,
			 const void *oid, size_t oid_len,
			 const uint8_t hash[HTREE_HASH_SIZE])
{
	struct dirf_rec *r = dirf_index_find(&d->ix, uuid, oid, oid_len);
	struct dirf_entry e;
	TEE_Result res;

	if (!r)
		return TEE_ERROR_ITEM_NOT_FOUND;
	e = r->e;
	memcpy(e.hash, hash, HTREE_HASH_SIZE);
	res = write_entry(d, b, r->slot, &e);
	if (!res)
		memcpy(r->e.hash, hash, HTREE_HASH_SIZE);
	return res;
}

TEE_Result dirf_rename(struct dirf *d, struct batch *b, const TEE_UUID *uuid,
		       const void *oid, size_t oid_len, const void *new_oid,
		       size_t new_len)
{
	struct dirf_rec *r = dirf_index_find(&d->ix, uuid, oid, oid_len);
	struct dirf_entry e;
	TEE_Result res;

	if (!r)
		return TEE_ERROR_ITEM_NOT_FOUND;
	if (new_len > DIRF_OID_MAX)
		return TEE_ERROR_BAD_PARAMETERS;
	if (dirf_index_find(&d->ix, uuid, new_oid, new_len))
		return TEE_ERROR_ACCESS_CONFLICT;
	e = r->e;
	memset(e.oid, 0, sizeof(e.oid));
	memcpy(e.oid, new_oid, new_len);
	e.oid_len = (uint32_t)new_len;
	res = write_entry(d, b, r->slot, &e);
	if (!res)
		dirf_index_rename(&d->ix, r, new_oid, new_len);
	return res;
}

TEE_Result dirf_remove(struct dirf *d, struct batch *b, const TEE_UUID *uuid,
		       const void *oid, size_t oid_len, uint32_t *fnum)
{
	struct dirf_rec *r = dirf_index_find(&d->ix, uuid, oid, oid_len);
	TEE_Result res;

	if (!r)
		return TEE_ERROR_ITEM_NOT_FOUND;
	res = dirf_index_reserve_this(&d->ix, r->e.file_number);
	if (res)
		return res;
	res = write_entry(d, b, r->slot, NULL);
	if (res) {
		unreserve(d, r->e.file_number);
		return res;
	}
	*fnum = r->e.file_number;
	dirf_index_del(&d->ix, r);
	return TEE_SUCCESS;
}

TEE_Result dirf_next(const struct dirf *d, const TEE_UUID *uuid,
		     uint64_t *cursor, struct dirf_entry *e)
{
	uint64_t i;

	for (i = *cursor; i < d->ix.nslots; i++) {
		const struct dirf_rec *r = d->ix.by_slot[i];

		if (r && (!uuid || uuid_equal(&r->e.uuid, uuid))) {
			*e = r->e;
			*cursor = i + 1;
			return TEE_SUCCESS;
		}
	}
	*cursor = d->ix.nslots;
	return TEE_ERROR_ITEM_NOT_FOUND;
}

bool dirf_is_dirty(const struct dirf *d)
{
	return d->ht && htree_is_dirty(d->ht);
}

TEE_Result dirf_commit_prepare(struct dirf *d, struct batch *b)
{
	uint8_t hash[HTREE_HASH_SIZE];

	return htree_commit_prepare(d->ht, b, false, hash);
}

TEE_Result dirf_commit_header(struct dirf *d, struct batch *b)
{
	return htree_commit_header(d->ht, b);
}

void dirf_commit_done(struct dirf *d)
{
	htree_commit_done(d->ht);
}

TEE_Result dirf_commit_abort(struct dirf *d, struct batch *b)
{
	TEE_Result res;

	batch_discard(b);
	res = htree_commit_abort(d->ht);
	dirf_index_clear(&d->ix);
	if (!res)
		res = build_index(d, b);
	return res;
}

uint32_t dirf_committed_counter(const struct dirf *d)
{
	return htree_committed_counter(d->ht);
}

void dirf_committed_hash(const struct dirf *d, uint8_t hash[HTREE_HASH_SIZE])
{
	htree_committed_hash(d->ht, hash);
}
