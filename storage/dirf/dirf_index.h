/*
 * The in-memory index of dirf.db (internal to storage/dirf): every entry
 * once, reachable by (TA UUID, object ID), by file number and by slot.
 * Memory is proportional to the number of entries (about 200 bytes each),
 * never to object sizes.
 */
#ifndef TEESTORE_DIRF_INDEX_H
#define TEESTORE_DIRF_INDEX_H

#include "dirf.h"

struct dirf_rec {
	struct dirf_entry e;
	uint32_t slot;
	struct dirf_rec *next_id;
	struct dirf_rec *next_fnum;
};

struct dirf_index {
	struct dirf_rec **by_slot; /* NULL: free slot */
	size_t nslots;		   /* slots covered by by_slot */
	size_t slot_cap;
	struct dirf_rec **id_tab;
	struct dirf_rec **fnum_tab;
	size_t tab_size; /* power of two, both tables */
	size_t count;
	uint64_t seed; /* per-index hash seed: no chosen-ID collisions */
	uint32_t *reserved;
	size_t nreserved;
	size_t reserved_cap;
	uint32_t fnum_hint; /* every number below it is in use */
	size_t slot_hint;   /* every slot below it is in use */
};

TEE_Result dirf_index_init(struct dirf_index *ix);
/* Drops every entry; reservations stay. */
void dirf_index_clear(struct dirf_index *ix);
void dirf_index_free(struct dirf_index *ix);

struct dirf_rec *dirf_index_find(const struct dirf_index *ix,
				 const TEE_UUID *uuid, const void *oid,
				 size_t oid_len);
struct dirf_rec *dirf_index_find_fnum(const struct dirf_index *ix,
				      uint32_t fnum);
/* Adds a copy of e at slot (which must be free). */
TEE_Result dirf_index_add(struct dirf_index *ix, const struct dirf_entry *e,
			  uint32_t slot);
void dirf_index_del(struct dirf_index *ix, struct dirf_rec *r);
void dirf_index_rename(struct dirf_index *ix, struct dirf_rec *r,
		       const void *oid, size_t oid_len);
/* Makes slots [0, n) known (free unless added). */
TEE_Result dirf_index_set_nslots(struct dirf_index *ix, size_t n);
/* Lowest free slot (nslots when every slot is used). */
uint32_t dirf_index_free_slot(struct dirf_index *ix);

bool dirf_index_fnum_reserved(const struct dirf_index *ix, uint32_t fnum);
TEE_Result dirf_index_reserve(struct dirf_index *ix, uint32_t *fnum);
/* Reserves a given number (a replaced or removed entry's). */
TEE_Result dirf_index_reserve_this(struct dirf_index *ix, uint32_t fnum);
void dirf_index_release(struct dirf_index *ix, uint32_t fnum);

#endif
