/*
 * Transient objects and attributes (GP 5.5, 5.6): keys that live in the
 * TA process, kept directly in OP-TEE's attribute blob form so that they
 * become persistent objects (TEE_CreatePersistentObject) unchanged. The
 * supported types are the secret-key ones (object_attr.c).
 */
#include <stdlib.h>
#include <string.h>

#include "runtime.h"
#include "secmem.h"
#include "storage_int.h"

static struct st_slots tobjs;

struct rt_tobj *st_tobj_find(TEE_ObjectHandle h)
{
	return st_slot_get(&tobjs, ST_TAG_TRANSIENT, st_hval(h));
}

/* A transient handle that is not live panics. */
static struct rt_tobj *tobj_get(TEE_ObjectHandle h)
{
	struct rt_tobj *o = st_is_local(h) ? st_tobj_find(h) : NULL;

	if (!o) {
		rt_log("bad transient object handle 0x%lx",
		       (unsigned long)(uintptr_t)h);
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	}
	return o;
}

TEE_Result TEE_AllocateTransientObject(TEE_ObjectType objectType,
				       uint32_t maxObjectSize,
				       TEE_ObjectHandle *object)
{
	const struct st_type *t = st_type_find(objectType);
	struct rt_tobj *o;
	uint32_t v;

	if (!object)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	*object = TEE_HANDLE_NULL;
	if (!t || !t->can_create || !st_type_size_ok(t, maxObjectSize))
		return TEE_ERROR_NOT_SUPPORTED;
	o = calloc(1, sizeof(*o));
	if (!o)
		return TEE_ERROR_OUT_OF_MEMORY;
	o->type = objectType;
	o->max_size = maxObjectSize;
	o->usage = TEE_USAGE_DEFAULT;
	v = st_slot_new(&tobjs, ST_TAG_TRANSIENT, o);
	if (!v) {
		free(o);
		return TEE_ERROR_OUT_OF_MEMORY;
	}
	*object = (TEE_ObjectHandle)(uintptr_t)v;
	return TEE_SUCCESS;
}

static void tobj_clear(struct rt_tobj *o)
{
	secmem_wipe(o->blob, sizeof(o->blob));
	o->blob_len = 0;
	o->size = 0;
	o->have_attrs = 0;
	o->flags = 0;
	o->usage = TEE_USAGE_DEFAULT;
}

void TEE_FreeTransientObject(TEE_ObjectHandle object)
{
	struct rt_tobj *o;

	if (object == TEE_HANDLE_NULL)
		return;
	o = tobj_get(object);
	tobj_clear(o);
	st_slot_free(&tobjs, st_hval(object));
	free(o);
}

void TEE_ResetTransientObject(TEE_ObjectHandle object)
{
	if (object == TEE_HANDLE_NULL)
		return;
	tobj_clear(tobj_get(object));
}

void TEE_InitRefAttribute(TEE_Attribute *attr, uint32_t attributeID,
			  const void *buffer, size_t length)
{
	if (!attr || (attributeID & TEE_ATTR_FLAG_VALUE))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	attr->attributeID = attributeID;
	attr->content.ref.buffer = (void *)buffer;
	attr->content.ref.length = length;
}

void TEE_InitValueAttribute(TEE_Attribute *attr, uint32_t attributeID,
			    uint32_t a, uint32_t b)
{
	if (!attr || !(attributeID & TEE_ATTR_FLAG_VALUE))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	attr->attributeID = attributeID;
	attr->content.value.a = a;
	attr->content.value.b = b;
}

/* Sets the secret of an uninitialised object; BAD_PARAMETERS on sizes. */
static TEE_Result tobj_set_secret(struct rt_tobj *o, const void *key,
				  size_t len)
{
	if (len > o->max_size / 8 || !len)
		return TEE_ERROR_BAD_PARAMETERS;
	if (o->type == TEE_TYPE_AES && len != 16 && len != 24 && len != 32)
		return TEE_ERROR_BAD_PARAMETERS;
	o->blob_len = st_blob_secret(o->blob, sizeof(o->blob), key, len);
	if (!o->blob_len)
		return TEE_ERROR_BAD_PARAMETERS;
	o->size = (uint32_t)len * 8;
	o->have_attrs = 1;
	o->flags |= TEE_HANDLE_FLAG_INITIALIZED;
	return TEE_SUCCESS;
}

TEE_Result TEE_PopulateTransientObject(TEE_ObjectHandle object,
				       const TEE_Attribute *attrs,
				       uint32_t attrCount)
{
	struct rt_tobj *o = tobj_get(object);
	const TEE_Attribute *secret = NULL;
	uint32_t i;

	if (o->flags & TEE_HANDLE_FLAG_INITIALIZED)
		TEE_Panic(TEE_ERROR_BAD_STATE);
	if (!attrs && attrCount)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	/* Supported types have one attribute: the secret value. */
	for (i = 0; i < attrCount; i++) {
		if (attrs[i].attributeID != TEE_ATTR_SECRET_VALUE || secret)
			TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
		secret = &attrs[i];
	}
	if (!secret)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS); /* mandatory, missing */
	if (!secret->content.ref.buffer && secret->content.ref.length)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	return tobj_set_secret(o, secret->content.ref.buffer,
			       secret->content.ref.length);
}

TEE_Result TEE_GenerateKey(TEE_ObjectHandle object, uint32_t keySize,
			   const TEE_Attribute *params, uint32_t paramCount)
{
	struct rt_tobj *o = tobj_get(object);
	const struct st_type *t = st_type_find(o->type);
	uint8_t key[512];
	TEE_Result res;

	(void)params; /* secret keys take no parameters */
	(void)paramCount;
	if (o->flags & TEE_HANDLE_FLAG_INITIALIZED)
		TEE_Panic(TEE_ERROR_BAD_STATE);
	if (!t || !st_type_size_ok(t, keySize) || keySize > o->max_size)
		return TEE_ERROR_BAD_PARAMETERS;
	TEE_GenerateRandom(key, keySize / 8);
	res = tobj_set_secret(o, key, keySize / 8);
	secmem_wipe(key, sizeof(key));
	return res;
}

TEE_Result TEE_CopyObjectAttributes1(TEE_ObjectHandle destObject,
				     TEE_ObjectHandle srcObject)
{
	struct rt_tobj *o = tobj_get(destObject);
	struct st_desc *d;
	TEE_Result res;

	if (o->flags & TEE_HANDLE_FLAG_INITIALIZED)
		TEE_Panic(TEE_ERROR_BAD_STATE);
	d = malloc(sizeof(*d));
	if (!d)
		TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
	res = st_describe(srcObject, d, true);
	if (res)
		goto out;
	if (!(d->info.handle_flags & TEE_HANDLE_FLAG_INITIALIZED) ||
	    d->info.object_type != o->type ||
	    d->info.object_size > o->max_size || d->blob_len > sizeof(o->blob))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	memcpy(o->blob, d->blob, d->blob_len);
	o->blob_len = d->blob_len;
	o->have_attrs = d->info.have_attrs;
	o->size = d->info.object_size;
	o->usage = d->info.object_usage;
	o->flags |= TEE_HANDLE_FLAG_INITIALIZED;
out:
	secmem_wipe(d, sizeof(*d));
	free(d);
	return res;
}
