/*
 * Persistent objects and their enumerators (GP 5.7, 5.8): the runtime
 * checks what only it can see (object ID buffers, flags, NULL pointers),
 * teed's gpstore does the rest; results GP does not allow panic.
 */
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "runtime.h"
#include "secmem.h"
#include "storage_int.h"

#define OPEN_FLAGS                                                             \
	(TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE |              \
	 TEE_DATA_FLAG_ACCESS_WRITE_META | TEE_DATA_FLAG_SHARE_READ |          \
	 TEE_DATA_FLAG_SHARE_WRITE)

static const TEE_Result ok_open[] = {
    TEE_ERROR_ITEM_NOT_FOUND,	     TEE_ERROR_ACCESS_CONFLICT,
    TEE_ERROR_OUT_OF_MEMORY,	     TEE_ERROR_CORRUPT_OBJECT,
    TEE_ERROR_STORAGE_NOT_AVAILABLE, 0};
static const TEE_Result ok_create[] = {TEE_ERROR_ITEM_NOT_FOUND,
				       TEE_ERROR_ACCESS_CONFLICT,
				       TEE_ERROR_OUT_OF_MEMORY,
				       TEE_ERROR_STORAGE_NO_SPACE,
				       TEE_ERROR_CORRUPT_OBJECT,
				       TEE_ERROR_STORAGE_NOT_AVAILABLE,
				       0};
/*
 * GP lists no STORAGE_NO_SPACE for rename and close-and-delete, and
 * OP-TEE's libutee panics the TA on it; yet both rewrite dirf.db and can
 * meet a full disk (nothing changes then). teestore hands it to the TA,
 * which can tell a full disk from an unavailable storage, instead of
 * killing it (docs/gp-storage-ta.md).
 */
static const TEE_Result ok_rename[] = {
    TEE_ERROR_ACCESS_CONFLICT, TEE_ERROR_CORRUPT_OBJECT,
    TEE_ERROR_STORAGE_NOT_AVAILABLE, TEE_ERROR_STORAGE_NO_SPACE, 0};
static const TEE_Result ok_delete[] = {TEE_ERROR_CORRUPT_OBJECT,
				       TEE_ERROR_STORAGE_NOT_AVAILABLE,
				       TEE_ERROR_STORAGE_NO_SPACE, 0};
static const TEE_Result ok_enum[] = {TEE_ERROR_ITEM_NOT_FOUND,
				     TEE_ERROR_CORRUPT_OBJECT,
				     TEE_ERROR_STORAGE_NOT_AVAILABLE, 0};
static const TEE_Result ok_nomem[] = {TEE_ERROR_OUT_OF_MEMORY, 0};

static void persistent_or_panic(TEE_ObjectHandle h)
{
	if (h == TEE_HANDLE_NULL || st_is_local(h))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
}

TEE_Result TEE_OpenPersistentObject(uint32_t storageID, const void *objectID,
				    size_t objectIDLen, uint32_t flags,
				    TEE_ObjectHandle *object)
{
	struct ta_st_args a = {.nr = TA_SYS_ST_OPEN,
			       .storage_id = storageID,
			       .flags = flags,
			       .id = objectID,
			       .id_len = (uint32_t)objectIDLen};
	uint32_t h = 0;
	TEE_Result res;

	if (!object || (flags & ~OPEN_FLAGS))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	*object = TEE_HANDLE_NULL;
	st_check_id(objectID, objectIDLen);
	res = st_call_u32(&a, &h, ok_open);
	if (!res)
		*object = (TEE_ObjectHandle)(uintptr_t)h;
	return res;
}

/* The key the new object takes from attributes (NULL: a data object). */
static struct st_desc *create_key(TEE_ObjectHandle attributes,
				  struct ta_st_args *a, TEE_Result *res)
{
	struct st_desc *d;

	*res = TEE_SUCCESS;
	if (attributes == TEE_HANDLE_NULL)
		return NULL;
	d = malloc(sizeof(*d));
	if (!d)
		TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
	*res = st_describe(attributes, d, true);
	if (*res)
		return d;
	/* GP: the attributes must come from an initialised object. */
	if (!(d->info.handle_flags & TEE_HANDLE_FLAG_INITIALIZED))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	a->has_key = true;
	a->key.object_type = d->info.object_type;
	a->key.object_size = d->info.object_size;
	a->key.max_object_size = d->info.max_object_size;
	a->key.object_usage = d->info.object_usage;
	a->key.have_attrs = d->info.have_attrs;
	a->key.attrs = d->blob;
	a->key.attr_len = (uint32_t)d->blob_len;
	return d;
}

/* The STAGE_PUT_MEM pieces of st_stage_data through the bulk buffer. */
static TEE_Result stage_put_bulk(const uint8_t *p, size_t len)
{
	static const TEE_Result ok[] = {TEE_ERROR_STORAGE_NOT_AVAILABLE, 0};
	struct ta_st_args a = {.nr = TA_SYS_ST_STAGE_PUT_MEM};
	size_t off, n;
	TEE_Result res;

	for (off = 0; off < len; off += n) {
		n = len - off < rt.bulk_size ? len - off : rt.bulk_size;
		memcpy(rt.bulk, p + off, n);
		st_mem_bulk(n, &a.mem);
		res = st_call(&a, NULL, 0, NULL, ok);
		if (res)
			return res;
	}
	return TEE_SUCCESS;
}

/*
 * Sends len bytes to teed's stage for a call that then uses them at
 * once: one atomic commit whatever the size. From a client shm in one
 * syscall, else through the bulk buffer, else in messages.
 */
TEE_Result st_stage_data(const void *data, size_t len)
{
	static const TEE_Result ok[] = {TEE_ERROR_STORAGE_NO_SPACE,
					TEE_ERROR_STORAGE_NOT_AVAILABLE, 0};
	struct ta_st_args a = {.nr = TA_SYS_ST_STAGE_BEGIN, .u64 = len};
	const uint8_t *p = data;
	size_t off, n;
	TEE_Result res;

	res = st_call(&a, NULL, 0, NULL, ok);
	if (res)
		return res;
	memset(&a, 0, sizeof(a));
	if (st_mem_client(data, len, &a.mem)) {
		a.nr = TA_SYS_ST_STAGE_PUT_MEM;
		return st_call(&a, NULL, 0, NULL, ok);
	}
	if (rt.bulk)
		return stage_put_bulk(p, len);
	a.nr = TA_SYS_ST_STAGE_PUT;
	for (off = 0; off < len; off += n) {
		n = len - off < TA_ST_CHUNK ? len - off : TA_ST_CHUNK;
		a.data = p + off;
		a.data_len = n;
		st_call(&a, NULL, 0, NULL, NULL);
	}
	return TEE_SUCCESS;
}

TEE_Result TEE_CreatePersistentObject(uint32_t storageID, const void *objectID,
				      size_t objectIDLen, uint32_t flags,
				      TEE_ObjectHandle attributes,
				      const void *initialData,
				      size_t initialDataLen,
				      TEE_ObjectHandle *object)
{
	struct ta_st_args a = {.nr = TA_SYS_ST_CREATE,
			       .storage_id = storageID,
			       .flags = flags,
			       .value = object != NULL,
			       .id = objectID,
			       .id_len = (uint32_t)objectIDLen};
	struct st_desc *key;
	uint32_t h = 0;
	TEE_Result res;

	if ((flags & ~(OPEN_FLAGS | TEE_DATA_FLAG_OVERWRITE)) ||
	    (!initialData && initialDataLen))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	if (object)
		*object = TEE_HANDLE_NULL;
	st_check_id(objectID, objectIDLen);
	key = create_key(attributes, &a, &res);
	if (res)
		goto out;
	if (initialDataLen > TA_ST_CHUNK) {
		res = st_stage_data(initialData, initialDataLen);
		if (res)
			goto out;
		a.data_mode = TA_ST_DATA_STAGED;
	} else {
		a.data = initialData;
		a.data_len = initialDataLen;
	}
	res = st_call_u32(&a, &h, ok_create);
	if (!res && object)
		*object = (TEE_ObjectHandle)(uintptr_t)h;
out:
	if (key) {
		secmem_wipe(key, sizeof(*key));
		free(key);
	}
	return res;
}

TEE_Result TEE_CloseAndDeletePersistentObject1(TEE_ObjectHandle object)
{
	struct ta_st_args a = {.nr = TA_SYS_ST_CLOSE_DELETE,
			       .handle = st_hval(object)};

	if (object == TEE_HANDLE_NULL)
		return TEE_SUCCESS;
	persistent_or_panic(object);
	return st_call(&a, NULL, 0, NULL, ok_delete);
}

void TEE_CloseAndDeletePersistentObject(TEE_ObjectHandle object)
{
	if (TEE_CloseAndDeletePersistentObject1(object))
		TEE_Panic(0);
}

TEE_Result TEE_RenamePersistentObject(TEE_ObjectHandle object,
				      const void *newObjectID,
				      size_t newObjectIDLen)
{
	struct ta_st_args a = {.nr = TA_SYS_ST_RENAME,
			       .handle = st_hval(object),
			       .id = newObjectID,
			       .id_len = (uint32_t)newObjectIDLen};

	persistent_or_panic(object);
	st_check_id(newObjectID, newObjectIDLen);
	return st_call(&a, NULL, 0, NULL, ok_rename);
}

TEE_Result
TEE_AllocatePersistentObjectEnumerator(TEE_ObjectEnumHandle *objectEnumerator)
{
	struct ta_st_args a = {.nr = TA_SYS_ST_ENUM_ALLOC};
	uint32_t h = 0;
	TEE_Result res;

	if (!objectEnumerator)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	res = st_call_u32(&a, &h, ok_nomem);
	*objectEnumerator = (TEE_ObjectEnumHandle)(uintptr_t)h;
	return res;
}

static void enum_simple(uint32_t nr, TEE_ObjectEnumHandle e)
{
	struct ta_st_args a = {.nr = nr, .handle = st_hval(e)};

	if (e == TEE_HANDLE_NULL)
		return;
	if (st_is_local(e))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	st_call(&a, NULL, 0, NULL, NULL);
}

void TEE_FreePersistentObjectEnumerator(TEE_ObjectEnumHandle objectEnumerator)
{
	enum_simple(TA_SYS_ST_ENUM_FREE, objectEnumerator);
}

void TEE_ResetPersistentObjectEnumerator(TEE_ObjectEnumHandle objectEnumerator)
{
	enum_simple(TA_SYS_ST_ENUM_RESET, objectEnumerator);
}

TEE_Result
TEE_StartPersistentObjectEnumerator(TEE_ObjectEnumHandle objectEnumerator,
				    uint32_t storageID)
{
	struct ta_st_args a = {.nr = TA_SYS_ST_ENUM_START,
			       .handle = st_hval(objectEnumerator),
			       .storage_id = storageID};

	if (objectEnumerator == TEE_HANDLE_NULL ||
	    st_is_local(objectEnumerator))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	return st_call(&a, NULL, 0, NULL, ok_enum);
}

TEE_Result TEE_GetNextPersistentObject(TEE_ObjectEnumHandle objectEnumerator,
				       TEE_ObjectInfo *objectInfo,
				       void *objectID, size_t *objectIDLen)
{
	struct ta_st_args a = {0};
	uint8_t buf[TA_ST_INFO_SIZE + 4 + TA_ST_ID_MAX];
	struct ta_st_info i;
	struct wire_rd r;
	size_t len = 0;
	uint32_t id_len;
	TEE_Result res;

	if (objectEnumerator == TEE_HANDLE_NULL ||
	    st_is_local(objectEnumerator) || !objectID || !objectIDLen)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	a.nr = TA_SYS_ST_ENUM_NEXT;
	a.handle = st_hval(objectEnumerator);
	a.value = objectInfo != NULL;
	res = st_call(&a, buf, sizeof(buf), &len, ok_enum);
	if (res)
		return res;
	r = wire_rd_init(buf, len);
	if (ta_msg_get_st_info(&r, &i))
		rt_die_proto("malformed enumeration answer");
	id_len = wire_get_u32(&r);
	if (id_len > TA_ST_ID_MAX || !wire_get_bytes(&r, objectID, id_len) ||
	    !wire_rd_done(&r))
		rt_die_proto("malformed enumeration answer");
	*objectIDLen = id_len;
	if (objectInfo) {
		memset(objectInfo, 0, sizeof(*objectInfo));
		objectInfo->objectType = i.object_type;
		objectInfo->objectSize = i.object_size;
		objectInfo->maxObjectSize = i.max_object_size;
		objectInfo->objectUsage = i.object_usage;
		objectInfo->dataSize = (size_t)i.data_size;
		objectInfo->dataPosition = (size_t)i.data_position;
		objectInfo->handleFlags = i.handle_flags;
	}
	return TEE_SUCCESS;
}
