/*
 * Internals shared by the runtime's trusted storage and crypto files
 * (docs/gp-storage-ta.md): handle spaces, the storage syscalls, the
 * transient objects and OP-TEE's attribute blob.
 *
 * Handles are 32-bit values cast to the GP pointer types, so that real
 * TAs can pass them through value parameters:
 *   0x00000001..0x7FFFFFFF  persistent objects and enumerators: teed's
 *                           (gpstore) handles, checked by teed;
 *   0x80000000 | gen << 16 | slot   transient objects (this process);
 *   0xC0000000 | gen << 16 | slot   operations (this process).
 * A value that matches no live slot (wrong tag, generation or slot)
 * panics the TA, as does a bogus persistent handle (teed kills it).
 */
#ifndef TEESTORE_TA_STORAGE_INT_H
#define TEESTORE_TA_STORAGE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ta_msg.h"
#include "tee_api.h"

#define ST_TAG_MASK	 0xC0000000U
#define ST_TAG_TRANSIENT 0x80000000U
#define ST_TAG_OPERATION 0xC0000000U
#define ST_MAX_SLOTS	 256
/* Largest attribute blob of a supported transient type (4096-bit secret). */
#define ST_BLOB_MAX (4 + 512)

/* ---- handles (storage_handle.c) ---- */

static inline uint32_t st_hval(const void *h)
{
	return (uint32_t)(uintptr_t)h;
}

/* True for a value outside the persistent (teed) space. */
static inline bool st_is_local(const void *h)
{
	return (st_hval(h) & 0x80000000U) || (uintptr_t)h > UINT32_MAX;
}

/*
 * A slot table of pointers under tagged handles. st_slot_new returns the
 * handle value or 0 when full; st_slot_get returns the pointer or NULL.
 */
struct st_slots {
	void *p[ST_MAX_SLOTS];
	uint16_t gen[ST_MAX_SLOTS];
};
uint32_t st_slot_new(struct st_slots *t, uint32_t tag, void *p);
void *st_slot_get(struct st_slots *t, uint32_t tag, uint32_t v);
void st_slot_free(struct st_slots *t, uint32_t v);

/*
 * Panics unless [id, id+len) is a valid object ID buffer: len <= 64, not
 * NULL with len > 0, and not in the client's shared memory.
 */
void st_check_id(const void *id, size_t len);

/*
 * One storage syscall: encodes a (a->nr set), sends it and copies the
 * answer into out (cap bytes; *out_len its length, may be NULL). A
 * result outside ok[] (a 0-terminated list besides TEE_SUCCESS) panics
 * the TA, as libutee does for results GP does not allow.
 */
TEE_Result st_call(const struct ta_st_args *a, void *out, size_t cap,
		   size_t *out_len, const TEE_Result *ok);
/*
 * Stages len bytes in teed (STAGE_BEGIN, then STAGE_PUT_MEM from a client
 * shm or the bulk buffer, or STAGE_PUT messages) for the next call to use
 * at once: SUCCESS, STORAGE_NO_SPACE (beyond teed's bound) or
 * STORAGE_NOT_AVAILABLE.
 */
TEE_Result st_stage_data(const void *data, size_t len);
/*
 * Bulk data in shared memory (storage_mem.c): st_mem_client names the
 * client shm holding all of [buf, buf+len) (false if none does),
 * st_mem_bulk the bulk buffer's first len bytes (false without one or if
 * len is beyond it).
 */
bool st_mem_client(const void *buf, size_t len, struct ta_st_mem *m);
bool st_mem_bulk(size_t len, struct ta_st_mem *m);
/* st_call for calls answering one u32 (a handle). */
TEE_Result st_call_u32(const struct ta_st_args *a, uint32_t *v,
		       const TEE_Result *ok);

/* ---- transient objects (object_transient.c) ---- */

struct rt_tobj {
	uint32_t type;
	uint32_t max_size; /* bits */
	uint32_t size;	   /* bits, 0 until initialised */
	uint32_t usage;
	uint32_t flags; /* TEE_HANDLE_FLAG_INITIALIZED */
	uint32_t have_attrs;
	uint8_t blob[ST_BLOB_MAX]; /* OP-TEE's attribute blob */
	size_t blob_len;
};

/* The transient object of h, or NULL if h is not a transient handle. */
struct rt_tobj *st_tobj_find(TEE_ObjectHandle h);

/* ---- object descriptions (storage_generic.c) ---- */

/* What GetObjectInfo, attribute getters and copies need of any object. */
struct st_desc {
	struct ta_st_info info;
	uint8_t blob[TA_ST_ATTRS_MAX];
	size_t blob_len;
};
/*
 * Describes a transient or persistent object (blob too if want_blob).
 * NULL or bogus handles panic. SUCCESS, CORRUPT_OBJECT or
 * STORAGE_NOT_AVAILABLE.
 */
TEE_Result st_describe(TEE_ObjectHandle h, struct st_desc *d, bool want_blob);

/* ---- attribute tables and blobs (object_attr.c) ---- */

enum st_attr_kind { ST_ATTR_SECRET, ST_ATTR_BIGNUM, ST_ATTR_VALUE };

struct st_type {
	uint32_t type;
	uint32_t min_bits, max_bits, quantum; /* key sizes GP allows */
	size_t nattrs;
	const uint32_t *attrs; /* attribute IDs in OP-TEE's table order */
	bool can_create;       /* transient objects of it are supported */
};

/* The type's description, or NULL if unknown. */
const struct st_type *st_type_find(uint32_t type);
bool st_type_size_ok(const struct st_type *t, uint32_t bits);
/*
 * Finds attribute id in an object's blob: *buf and *len for a buffer
 * attribute, *a for a value attribute. ITEM_NOT_FOUND if the type has no
 * such attribute, the object does not have it, or the blob is malformed.
 */
TEE_Result st_blob_find(uint32_t type, uint32_t have_attrs, const uint8_t *blob,
			size_t blob_len, uint32_t id, const uint8_t **buf,
			size_t *len, uint32_t *a);
/*
 * Builds the blob of a secret-key type from its secret value (the only
 * attribute of every type transient objects support).
 */
size_t st_blob_secret(uint8_t *blob, size_t cap, const void *key,
		      size_t key_len);

#endif
