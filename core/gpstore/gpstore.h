/*
 * gpstore: the GP persistent-object layer of teed (docs/gp-storage.md).
 * It turns the GP Internal Core API storage calls of a TA instance into
 * calls of the storage engine (tstore.h), with GP's rules on handles,
 * access flags, sharing, data positions, enumerators, storage IDs and
 * corrupt objects. The TA channel's storage "syscalls" call it.
 *
 * Calling convention (made for a message dispatcher):
 *   - plain C calls with fixed-size arguments; buffers are pointer+length
 *     the dispatcher has already copied out of (or will copy into) the
 *     TA's message or shared memory;
 *   - handles are uint32_t values in 1..0x7FFFFFFF (object handles and
 *     enumerator handles are distinct values); 0 is TEE_HANDLE_NULL;
 *   - every function returns a GP TEE_Result or GPSTORE_PANIC: the TA
 *     broke a rule that GP answers with a panic (bogus, closed or foreign
 *     handle, missing access right, bad flags, ID longer than 64 bytes,
 *     bad whence...). The dispatcher then kills the instance (the client
 *     sees TEE_ERROR_TARGET_DEAD); gpstore itself is never harmed and the
 *     client context stays valid until gpstore_client_destroy().
 *   - what GP also panics on but only the dispatcher can see (an object
 *     ID buffer inside the client's shared memory of the current call)
 *     is the dispatcher's to check.
 *
 * Threads: any number of clients call at once. Calls on one client are
 * serialised by the client's lock (a TA instance is single-threaded
 * anyway); unrelated objects never wait on each other; the sharing
 * registry's lock covers bookkeeping only, never I/O.
 */
#ifndef TEESTORE_GPSTORE_H
#define TEESTORE_GPSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "tee_api_types.h"
#include "tstore.h"

struct rpmbfs;

/* The TA must be panicked (TEE_ERROR_TARGET_DEAD for its client). */
#define GPSTORE_PANIC TEE_ERROR_TARGET_DEAD

#define GPSTORE_ID_MAX	      64   /* TEE_OBJECT_ID_MAX_LEN */
#define GPSTORE_MAX_HANDLES   1024 /* object handles per client */
#define GPSTORE_MAX_ENUMS     64   /* enumerators per client */
#define GPSTORE_USAGE_DEFAULT 0xFFFFFFFFU

/* What becomes of an object found corrupt (CORRUPT_OBJECT). */
enum gpstore_corrupt_policy {
	/*
	 * Kept aside for analysis: removed from the TA's namespace (its ID
	 * is free again) but its file is preserved in the storage directory
	 * as "corrupt-<TA UUID>-<file number>[-n]" and a warning is logged.
	 */
	GPSTORE_CORRUPT_KEEP = 0,
	/* OP-TEE's behaviour: the object is deleted. */
	GPSTORE_CORRUPT_DELETE = 1,
};

struct gpstore_config {
	/*
	 * The REE FS storage (TEE_STORAGE_PRIVATE, TEE_STORAGE_PRIVATE_REE):
	 * its backend stays the caller's (destroy it after gpstore_destroy);
	 * gpstore opens the engine on it with ree_cfg. NULL: no REE storage
	 * (its storage IDs then give ITEM_NOT_FOUND).
	 */
	struct backend *ree_backend;
	struct tstore_config ree_cfg;
	/*
	 * The RPMB FS (TEE_STORAGE_PRIVATE_RPMB), mounted by the caller and
	 * closed after gpstore_destroy. NULL: none (ITEM_NOT_FOUND).
	 */
	struct rpmbfs *rpmb;
	enum gpstore_corrupt_policy corrupt_policy;
	/*
	 * gpd.tee.trustedStorage.antiRollback.protectionLevel in force:
	 * 100 without an anchor (rollback undetectable if the REE is
	 * hostile), 1000 once an RPMB anchor protects the store.
	 */
	uint32_t anti_rollback_level;
};

/* Defaults: KEEP, level 100, OP-TEE's engine defaults for huk. */
void gpstore_config_init(struct gpstore_config *cfg, struct backend *ree,
			 const uint8_t *huk, size_t huk_len);

struct gpstore;
struct gpstore_client;

/* Opens the storages. Errors are the engine's (tstore_open). */
TEE_Result gpstore_new(const struct gpstore_config *cfg, struct gpstore **out);
/* Every client must have been destroyed. NULL: no-op. */
void gpstore_destroy(struct gpstore *g);

/*
 * The engine serving storage_id, or NULL (tests and tools; not for the
 * dispatcher).
 */
struct tstore *gpstore_tstore(struct gpstore *g, uint32_t storage_id);

/* The gpd.tee.trustedStorage.* properties, for the TA runtime. */
struct gpstore_prop {
	const char *name;
	uint32_t value;
};
#define GPSTORE_NPROPS 3
/* Fills props[GPSTORE_NPROPS]; returns GPSTORE_NPROPS. */
size_t gpstore_properties(const struct gpstore *g,
			  struct gpstore_prop props[GPSTORE_NPROPS]);

struct gpstore_stats {
	uint64_t corrupt_found;	 /* objects found corrupt */
	uint64_t kept;		 /* ... of which kept aside (KEEP) */
	uint64_t deleted;	 /* ... of which deleted (DELETE, or no file) */
	uint64_t handles;	 /* object handles open now, all clients */
	uint64_t shared_objects; /* registry entries now */
};
void gpstore_get_stats(struct gpstore *g, struct gpstore_stats *st);

/*
 * A TA instance's context: its UUID (the namespace of its objects), its
 * handles and enumerators. dont_close_on_corrupt is the TA property
 * gpd.ta.doesNotCloseHandleOnCorruptObject.
 */
TEE_Result gpstore_client_new(struct gpstore *g, const TEE_UUID *ta,
			      bool dont_close_on_corrupt,
			      struct gpstore_client **out);
/*
 * The instance died or was destroyed: closes every handle and
 * enumerator (its objects may then be opened by others). NULL: no-op.
 */
void gpstore_client_destroy(struct gpstore_client *c);

/* Object description for GetObjectInfo1 and enumeration. */
struct gpstore_info {
	uint32_t object_type;
	uint32_t object_size;
	uint32_t max_object_size;
	uint32_t object_usage;
	uint32_t handle_flags; /* PERSISTENT | INITIALIZED | open flags */
	uint32_t have_attrs;   /* OP-TEE's attribute bitmap (blob parsing) */
	uint64_t data_size;    /* the data stream's size */
	uint64_t data_position;
};

/* What a key object is made of (TEE_CreatePersistentObject attributes). */
struct gpstore_key {
	uint32_t object_type;
	uint32_t object_size;
	uint32_t max_object_size;
	uint32_t object_usage;
	uint32_t have_attrs;
	const void *attrs; /* the attribute blob in OP-TEE's format */
	size_t attr_len;
};

/*
 * TEE_OpenPersistentObject. SUCCESS (*handle set, position 0),
 * ITEM_NOT_FOUND (no such storage or object), ACCESS_CONFLICT (sharing),
 * OUT_OF_MEMORY (handle table full), CORRUPT_OBJECT,
 * STORAGE_NOT_AVAILABLE. Panics: flags outside READ|WRITE|WRITE_META|
 * SHARE_READ|SHARE_WRITE, id_len > 64.
 */
TEE_Result gpstore_open(struct gpstore_client *c, uint32_t storage_id,
			const void *id, size_t id_len, uint32_t flags,
			uint32_t *handle);

/*
 * TEE_CreatePersistentObject. key NULL: a data object (TEE_TYPE_DATA,
 * size 0, usage 0xFFFFFFFF). flags may add OVERWRITE (atomic replace;
 * without it an existing object gives ACCESS_CONFLICT; over an open
 * object the sharing rules apply and its other handles see the new
 * content). handle NULL: the object is closed after creation. Adds
 * STORAGE_NO_SPACE. Panics: bad flags, id_len > 64, data_len > 0 with
 * data NULL.
 */
TEE_Result gpstore_create(struct gpstore_client *c, uint32_t storage_id,
			  const void *id, size_t id_len, uint32_t flags,
			  const struct gpstore_key *key, const void *data,
			  size_t data_len, uint32_t *handle);

/* TEE_CloseObject. 0: no-op. */
TEE_Result gpstore_close(struct gpstore_client *c, uint32_t handle);
/*
 * TEE_CloseAndDeletePersistentObject1: the handle is closed whatever the
 * result. 0: SUCCESS. Panics without ACCESS_WRITE_META.
 */
TEE_Result gpstore_close_and_delete(struct gpstore_client *c, uint32_t handle);
/*
 * TEE_RenamePersistentObject: ACCESS_CONFLICT if new_id exists (the
 * object's own ID included). Panics without WRITE_META, new_len > 64.
 */
TEE_Result gpstore_rename(struct gpstore_client *c, uint32_t handle,
			  const void *new_id, size_t new_len);

/*
 * TEE_ReadObjectData: up to len bytes from the position into buf; *count
 * is 0 at or after the end. Panics without ACCESS_READ.
 */
TEE_Result gpstore_read(struct gpstore_client *c, uint32_t handle, void *buf,
			size_t len, size_t *count);
/*
 * TEE_WriteObjectData at the position (a gap is zero-filled); the
 * position advances. OVERFLOW if position + len > TEE_DATA_MAX_POSITION;
 * STORAGE_NO_SPACE (nothing changed). Panics without ACCESS_WRITE.
 */
TEE_Result gpstore_write(struct gpstore_client *c, uint32_t handle,
			 const void *buf, size_t len);
/* TEE_TruncateObjectData. Panics without ACCESS_WRITE. */
TEE_Result gpstore_truncate(struct gpstore_client *c, uint32_t handle,
			    uint64_t size);
/*
 * TEE_SeekObjectData: whence TEE_DATA_SEEK_SET/CUR/END; a negative result
 * clamps to 0; OVERFLOW (position unchanged) past TEE_DATA_MAX_POSITION.
 * Panics on another whence.
 */
TEE_Result gpstore_seek(struct gpstore_client *c, uint32_t handle,
			int64_t offset, uint32_t whence);

/* TEE_GetObjectInfo1. */
TEE_Result gpstore_get_info(struct gpstore_client *c, uint32_t handle,
			    struct gpstore_info *info);
/* TEE_RestrictObjectUsage1: usage &= the object's, persisted. */
TEE_Result gpstore_restrict_usage(struct gpstore_client *c, uint32_t handle,
				  uint32_t usage);
/*
 * The attribute blob (TEE_GetObjectBufferAttribute / ValueAttribute are
 * answered by the TA runtime from it, with gpstore_info's object_type,
 * object_usage and have_attrs). *attr_len is always set; SHORT_BUFFER if
 * len < *attr_len.
 */
TEE_Result gpstore_get_attrs(struct gpstore_client *c, uint32_t handle,
			     void *buf, size_t len, size_t *attr_len);

/*
 * Enumerators. alloc: OUT_OF_MEMORY when the client has GPSTORE_MAX_ENUMS.
 * free / reset: 0 is a no-op. start: (re)starts on storage_id;
 * ITEM_NOT_FOUND for an unknown storage or one without objects of this
 * TA. next: the next object's ID (id holds GPSTORE_ID_MAX bytes) and, if
 * info is not NULL, its description (position 0); ITEM_NOT_FOUND at the
 * end or when not started; CORRUPT_OBJECT for a corrupt object (the
 * enumeration goes on past it). A bogus enumerator handle panics.
 */
TEE_Result gpstore_enum_alloc(struct gpstore_client *c, uint32_t *handle);
TEE_Result gpstore_enum_free(struct gpstore_client *c, uint32_t handle);
TEE_Result gpstore_enum_reset(struct gpstore_client *c, uint32_t handle);
TEE_Result gpstore_enum_start(struct gpstore_client *c, uint32_t handle,
			      uint32_t storage_id);
TEE_Result gpstore_enum_next(struct gpstore_client *c, uint32_t handle,
			     struct gpstore_info *info, uint8_t *id,
			     size_t *id_len);

#endif
