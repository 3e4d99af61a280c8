/*
 * Generic object functions (GP 5.5) on transient objects (in this
 * process) and persistent objects (teed's, through storage syscalls).
 */
#include <stdlib.h>
#include <string.h>

#include "runtime.h"
#include "secmem.h"
#include "storage_int.h"

static const TEE_Result ok_storage[] = {TEE_ERROR_CORRUPT_OBJECT,
					TEE_ERROR_STORAGE_NOT_AVAILABLE, 0};

static void persistent_or_panic(TEE_ObjectHandle h)
{
	if (h == TEE_HANDLE_NULL || st_is_local(h))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
}

static TEE_Result persistent_info(TEE_ObjectHandle h, struct ta_st_info *i)
{
	struct ta_st_args a = {.nr = TA_SYS_ST_INFO, .handle = st_hval(h)};
	uint8_t buf[TA_ST_INFO_SIZE];
	struct wire_rd r;
	size_t len = 0;
	TEE_Result res;

	res = st_call(&a, buf, sizeof(buf), &len, ok_storage);
	if (res)
		return res;
	r = wire_rd_init(buf, len);
	if (ta_msg_get_st_info(&r, i) || !wire_rd_done(&r))
		rt_die_proto("malformed object info");
	return TEE_SUCCESS;
}

TEE_Result st_describe(TEE_ObjectHandle h, struct st_desc *d, bool want_blob)
{
	struct ta_st_args a = {.nr = TA_SYS_ST_GET_ATTRS};
	struct rt_tobj *o;
	TEE_Result res;

	memset(&d->info, 0, sizeof(d->info));
	d->blob_len = 0;
	if (h == TEE_HANDLE_NULL)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	if (st_is_local(h)) {
		o = st_tobj_find(h);
		if (!o)
			TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
		d->info.object_type = o->type;
		d->info.object_size = o->size;
		d->info.max_object_size = o->max_size;
		d->info.object_usage = o->usage;
		d->info.handle_flags = o->flags;
		d->info.have_attrs = o->have_attrs;
		memcpy(d->blob, o->blob, o->blob_len);
		d->blob_len = o->blob_len;
		return TEE_SUCCESS;
	}
	res = persistent_info(h, &d->info);
	if (res || !want_blob)
		return res;
	a.handle = st_hval(h);
	return st_call(&a, d->blob, sizeof(d->blob), &d->blob_len, ok_storage);
}

TEE_Result TEE_GetObjectInfo1(TEE_ObjectHandle object,
			      TEE_ObjectInfo *objectInfo)
{
	struct st_desc *d;
	TEE_Result res;

	if (!objectInfo)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	d = malloc(sizeof(*d));
	if (!d)
		TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
	res = st_describe(object, d, false);
	if (!res) {
		memset(objectInfo, 0, sizeof(*objectInfo));
		objectInfo->objectType = d->info.object_type;
		objectInfo->objectSize = d->info.object_size;
		objectInfo->maxObjectSize = d->info.max_object_size;
		objectInfo->objectUsage = d->info.object_usage;
		objectInfo->dataSize = (size_t)d->info.data_size;
		objectInfo->dataPosition = (size_t)d->info.data_position;
		objectInfo->handleFlags = d->info.handle_flags;
	}
	free(d);
	return res;
}

/* GP 1.1: no result; a corrupt object reads as TEE_TYPE_CORRUPTED_OBJECT. */
void TEE_GetObjectInfo(TEE_ObjectHandle object, TEE_ObjectInfo *objectInfo)
{
	TEE_Result res = TEE_GetObjectInfo1(object, objectInfo);

	if (res) {
		memset(objectInfo, 0, sizeof(*objectInfo));
		objectInfo->objectType = TEE_TYPE_CORRUPTED_OBJECT;
	}
}

TEE_Result TEE_RestrictObjectUsage1(TEE_ObjectHandle object,
				    uint32_t objectUsage)
{
	struct ta_st_args a = {.nr = TA_SYS_ST_RESTRICT,
			       .handle = st_hval(object),
			       .value = objectUsage};
	struct rt_tobj *o;

	if (object == TEE_HANDLE_NULL)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	if (st_is_local(object)) {
		o = st_tobj_find(object);
		if (!o)
			TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
		o->usage &= objectUsage;
		return TEE_SUCCESS;
	}
	return st_call(&a, NULL, 0, NULL, ok_storage);
}

/*
 * The attribute id of an object, with GP's checks: the object must be
 * initialised, and a secret (non-public) attribute needs EXTRACTABLE.
 */
static TEE_Result get_attr(TEE_ObjectHandle h, uint32_t id, struct st_desc *d,
			   const uint8_t **buf, size_t *len, uint32_t *a)
{
	TEE_Result res = st_describe(h, d, true);

	if (res)
		return res;
	if (!(d->info.handle_flags & TEE_HANDLE_FLAG_INITIALIZED) ||
	    (!(id & TEE_ATTR_FLAG_PUBLIC) &&
	     !(d->info.object_usage & TEE_USAGE_EXTRACTABLE)))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	return st_blob_find(d->info.object_type, d->info.have_attrs, d->blob,
			    d->blob_len, id, buf, len, a);
}

TEE_Result TEE_GetObjectBufferAttribute(TEE_ObjectHandle object,
					uint32_t attributeID, void *buffer,
					size_t *size)
{
	const uint8_t *v = NULL;
	struct st_desc *d;
	size_t len = 0;
	uint32_t a = 0;
	TEE_Result res;

	if (!size || (attributeID & TEE_ATTR_FLAG_VALUE))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	d = malloc(sizeof(*d));
	if (!d)
		TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
	res = get_attr(object, attributeID, d, &v, &len, &a);
	if (!res) {
		if (!buffer || *size < len) {
			res = TEE_ERROR_SHORT_BUFFER;
		} else if (len) {
			memcpy(buffer, v, len);
		}
		*size = len;
	}
	secmem_wipe(d, sizeof(*d));
	free(d);
	return res;
}

TEE_Result TEE_GetObjectValueAttribute(TEE_ObjectHandle object,
				       uint32_t attributeID, uint32_t *a,
				       uint32_t *b)
{
	const uint8_t *v = NULL;
	struct st_desc *d;
	uint32_t va = 0;
	size_t len = 0;
	TEE_Result res;

	if (!(attributeID & TEE_ATTR_FLAG_VALUE))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	d = malloc(sizeof(*d));
	if (!d)
		TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
	res = get_attr(object, attributeID, d, &v, &len, &va);
	if (!res) {
		if (a)
			*a = va;
		if (b)
			*b = 0;
	}
	secmem_wipe(d, sizeof(*d));
	free(d);
	return res;
}

void TEE_CloseObject(TEE_ObjectHandle object)
{
	struct ta_st_args a = {.nr = TA_SYS_ST_CLOSE,
			       .handle = st_hval(object)};

	if (object == TEE_HANDLE_NULL)
		return;
	if (st_is_local(object)) {
		TEE_FreeTransientObject(object);
		return;
	}
	persistent_or_panic(object);
	st_call(&a, NULL, 0, NULL, NULL);
}
