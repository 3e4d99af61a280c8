/* The in-memory index of dirf.db: see dirf_index.h. */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "dirf_index.h"
#include "uuid.h"

#define INITIAL_TAB 64

static uint64_t hash_bytes(uint64_t h, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static size_t id_bucket(const struct dirf_index *ix, const TEE_UUID *uuid,
			const void *oid, size_t oid_len)
{
	uint8_t u[16];
	uint64_t h = 0xcbf29ce484222325ULL ^ ix->seed;

	uuid_to_octets(uuid, u);
	h = hash_bytes(h, u, sizeof(u));
	h = hash_bytes(h, oid, oid_len);
	h ^= oid_len;
	return (size_t)(mix(h) & (ix->tab_size - 1));
}

static size_t fnum_bucket(const struct dirf_index *ix, uint32_t fnum)
{
	return (size_t)(mix(fnum ^ ix->seed) & (ix->tab_size - 1));
}

TEE_Result dirf_index_init(struct dirf_index *ix)
{
	memset(ix, 0, sizeof(*ix));
	ix->tab_size = INITIAL_TAB;
	ix->id_tab = calloc(ix->tab_size, sizeof(*ix->id_tab));
	ix->fnum_tab = calloc(ix->tab_size, sizeof(*ix->fnum_tab));
	if (!ix->id_tab || !ix->fnum_tab) {
		dirf_index_free(ix);
		return TEE_ERROR_OUT_OF_MEMORY;
	}
	if (RAND_bytes((unsigned char *)&ix->seed, sizeof(ix->seed)) != 1)
		ix->seed = (uint64_t)(uintptr_t)ix;
	return TEE_SUCCESS;
}

void dirf_index_clear(struct dirf_index *ix)
{
	size_t i;

	for (i = 0; i < ix->nslots; i++)
		free(ix->by_slot[i]);
	if (ix->by_slot)
		memset(ix->by_slot, 0, ix->slot_cap * sizeof(*ix->by_slot));
	if (ix->id_tab) {
		memset(ix->id_tab, 0, ix->tab_size * sizeof(*ix->id_tab));
		memset(ix->fnum_tab, 0, ix->tab_size * sizeof(*ix->fnum_tab));
	}
	ix->nslots = 0;
	ix->count = 0;
	ix->fnum_hint = 0;
	ix->slot_hint = 0;
}

void dirf_index_free(struct dirf_index *ix)
{
	dirf_index_clear(ix);
	free(ix->by_slot);
	free(ix->id_tab);
	free(ix->fnum_tab);
	free(ix->reserved);
	memset(ix, 0, sizeof(*ix));
}

static bool rec_matches(const struct dirf_rec *r, const TEE_UUID *uuid,
			const void *oid, size_t oid_len)
{
	return r->e.oid_len == oid_len && uuid_equal(&r->e.uuid, uuid) &&
	       !memcmp(r->e.oid, oid, oid_len);
}

struct dirf_rec *dirf_index_find(const struct dirf_index *ix,
				 const TEE_UUID *uuid, const void *oid,
				 size_t oid_len)
{
	struct dirf_rec *r;

	if (oid_len > DIRF_OID_MAX)
		return NULL;
	r = ix->id_tab[id_bucket(ix, uuid, oid, oid_len)];
	for (; r; r = r->next_id)
		if (rec_matches(r, uuid, oid, oid_len))
			return r;
	return NULL;
}

struct dirf_rec *dirf_index_find_fnum(const struct dirf_index *ix,
				      uint32_t fnum)
{
	struct dirf_rec *r = ix->fnum_tab[fnum_bucket(ix, fnum)];

	for (; r; r = r->next_fnum)
		if (r->e.file_number == fnum)
			return r;
	return NULL;
}

static void link_rec(struct dirf_index *ix, struct dirf_rec *r)
{
	size_t b = id_bucket(ix, &r->e.uuid, r->e.oid, r->e.oid_len);

	r->next_id = ix->id_tab[b];
	ix->id_tab[b] = r;
	b = fnum_bucket(ix, r->e.file_number);
	r->next_fnum = ix->fnum_tab[b];
	ix->fnum_tab[b] = r;
}

static void unlink_id(struct dirf_index *ix, struct dirf_rec *r)
{
	struct dirf_rec **pp =
	    &ix->id_tab[id_bucket(ix, &r->e.uuid, r->e.oid, r->e.oid_len)];

	while (*pp && *pp != r)
		pp = &(*pp)->next_id;
	if (*pp)
		*pp = r->next_id;
}

static void unlink_fnum(struct dirf_index *ix, struct dirf_rec *r)
{
	struct dirf_rec **pp = &ix->fnum_tab[fnum_bucket(ix, r->e.file_number)];

	while (*pp && *pp != r)
		pp = &(*pp)->next_fnum;
	if (*pp)
		*pp = r->next_fnum;
}

/* Doubles both hash tables when they hold more entries than buckets. */
static TEE_Result grow_tables(struct dirf_index *ix)
{
	size_t n = ix->tab_size * 2, i;
	struct dirf_rec **id = calloc(n, sizeof(*id));
	struct dirf_rec **fn = calloc(n, sizeof(*fn));

	if (!id || !fn) {
		free(id);
		free(fn);
		return TEE_ERROR_OUT_OF_MEMORY;
	}
	free(ix->id_tab);
	free(ix->fnum_tab);
	ix->id_tab = id;
	ix->fnum_tab = fn;
	ix->tab_size = n;
	for (i = 0; i < ix->nslots; i++)
		if (ix->by_slot[i])
			link_rec(ix, ix->by_slot[i]);
	return TEE_SUCCESS;
}

static TEE_Result ensure_slot(struct dirf_index *ix, uint32_t slot)
{
	size_t cap = ix->slot_cap ? ix->slot_cap : 64;
	struct dirf_rec **p;

	if (slot < ix->slot_cap)
		return TEE_SUCCESS;
	while (cap <= slot)
		cap *= 2;
	p = realloc(ix->by_slot, cap * sizeof(*p));
	if (!p)
		return TEE_ERROR_OUT_OF_MEMORY;
	memset(p + ix->slot_cap, 0, (cap - ix->slot_cap) * sizeof(*p));
	ix->by_slot = p;
	ix->slot_cap = cap;
	return TEE_SUCCESS;
}

TEE_Result dirf_index_add(struct dirf_index *ix, const struct dirf_entry *e,
			  uint32_t slot)
{
	struct dirf_rec *r;
	TEE_Result res;

	res = ensure_slot(ix, slot);
	if (res)
		return res;
	if (ix->count + 1 > ix->tab_size) {
		res = grow_tables(ix);
		if (res)
			return res;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return TEE_ERROR_OUT_OF_MEMORY;
	r->e = *e;
	r->slot = slot;
	ix->by_slot[slot] = r;
	if (slot >= ix->nslots)
		ix->nslots = slot + 1;
	link_rec(ix, r);
	ix->count++;
	return TEE_SUCCESS;
}

void dirf_index_del(struct dirf_index *ix, struct dirf_rec *r)
{
	unlink_id(ix, r);
	unlink_fnum(ix, r);
	ix->by_slot[r->slot] = NULL;
	if (r->slot < ix->slot_hint)
		ix->slot_hint = r->slot;
	if (r->e.file_number < ix->fnum_hint)
		ix->fnum_hint = r->e.file_number;
	ix->count--;
	free(r);
}

void dirf_index_rename(struct dirf_index *ix, struct dirf_rec *r,
		       const void *oid, size_t oid_len)
{
	size_t b;

	unlink_id(ix, r);
	memset(r->e.oid, 0, sizeof(r->e.oid));
	memcpy(r->e.oid, oid, oid_len);
	r->e.oid_len = (uint32_t)oid_len;
	b = id_bucket(ix, &r->e.uuid, r->e.oid, r->e.oid_len);
	r->next_id = ix->id_tab[b];
	ix->id_tab[b] = r;
}

TEE_Result dirf_index_set_nslots(struct dirf_index *ix, size_t n)
{
	TEE_Result res;

	if (!n || n <= ix->nslots)
		return TEE_SUCCESS;
	if (n > UINT32_MAX)
		return TEE_ERROR_OUT_OF_MEMORY;
	res = ensure_slot(ix, (uint32_t)(n - 1));
	if (res)
		return res;
	ix->nslots = n;
	return TEE_SUCCESS;
}

uint32_t dirf_index_free_slot(struct dirf_index *ix)
{
	while (ix->slot_hint < ix->nslots && ix->by_slot[ix->slot_hint])
		ix->slot_hint++;
	return (uint32_t)ix->slot_hint;
}

bool dirf_index_fnum_reserved(const struct dirf_index *ix, uint32_t fnum)
{
	size_t i;

	for (i = 0; i < ix->nreserved; i++)
		if (ix->reserved[i] == fnum)
			return true;
	return false;
}

TEE_Result dirf_index_reserve_this(struct dirf_index *ix, uint32_t fnum)
{
	if (ix->nreserved == ix->reserved_cap) {
		size_t cap = ix->reserved_cap ? ix->reserved_cap * 2 : 8;
		uint32_t *p = realloc(ix->reserved, cap * sizeof(*p));

		if (!p)
			return TEE_ERROR_OUT_OF_MEMORY;
		ix->reserved = p;
		ix->reserved_cap = cap;
	}
	ix->reserved[ix->nreserved++] = fnum;
	return TEE_SUCCESS;
}

TEE_Result dirf_index_reserve(struct dirf_index *ix, uint32_t *fnum)
{
	uint32_t n = ix->fnum_hint;
	TEE_Result res;

	/*
	 * The lowest number not in use: at most count + reserved probes
	 * from the hint, and the hint only moves back when a number frees.
	 */
	while (dirf_index_find_fnum(ix, n) || dirf_index_fnum_reserved(ix, n)) {
		if (n == UINT32_MAX)
			return TEE_ERROR_STORAGE_NO_SPACE;
		n++;
	}
	res = dirf_index_reserve_this(ix, n);
	if (res)
		return res;
	ix->fnum_hint = n + 1;
	*fnum = n;
	return TEE_SUCCESS;
}

void dirf_index_release(struct dirf_index *ix, uint32_t fnum)
{
	size_t i;

	for (i = 0; i < ix->nreserved; i++) {
		if (ix->reserved[i] == fnum) {
			ix->reserved[i] = ix->reserved[--ix->nreserved];
			break;
		}
	}
	if (fnum < ix->fnum_hint && !dirf_index_find_fnum(ix, fnum))
		ix->fnum_hint = fnum;
}
