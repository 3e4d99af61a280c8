/*
 * Persistent objects: open, create, close, close-and-delete, rename
 * (gpstore.h; GP rules in docs/gp-storage.md). Each call validates what
 * GP answers with a panic first, then takes a reservation in the sharing
 * registry, then calls the engine.
 */
#include <string.h>

#include "gps_int.h"

#define OPEN_FLAGS                                                             \
	(TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE |              \
	 TEE_DATA_FLAG_ACCESS_WRITE_META | TEE_DATA_FLAG_SHARE_READ |          \
	 TEE_DATA_FLAG_SHARE_WRITE)
#define CREATE_FLAGS (OPEN_FLAGS | TEE_DATA_FLAG_OVERWRITE)

/*
 * Validates an object ID and makes an empty one point somewhere: the
 * engine memcpy()s IDs and memcpy(dst, NULL, 0) is undefined behaviour.
 */
static TEE_Result check_id(struct gpstore_client *c, const void **id,
			   size_t len)
{
	static const uint8_t empty_id[1];

	if (len > GPSTORE_ID_MAX)
		return gps_panic(c, "object ID longer than 64 bytes");
	if (len && !*id)
		return gps_panic(c, "object ID NULL");
	if (!len)
		*id = empty_id;
	return TEE_SUCCESS;
}

TEE_Result gps_handle_failed(struct gpstore_client *c, struct gps_handle *h,
			     TEE_Result res)
{
	struct gpstore *g = c->g;

	if (gps_is_corrupt(res))
		gps_corrupt_obj(g, h->share, h->obj);
	else if (res != TEE_ERROR_BAD_STATE || !gps_share_is_gone(g, h->share))
		return res;
	/* else: another handle found it corrupt and took it away. */
	if (c->dont_close_on_corrupt) {
		g->ops[h->slot]->release(h->obj);
		h->obj = NULL;
		h->corrupt = true;
	} else {
		gps_handle_free(c, h);
	}
	return TEE_ERROR_CORRUPT_OBJECT;
}

/* A successful open or create: the object exists (its share entry
 * settles) and the handle names it. */
static void handle_bind(struct gpstore_client *c, struct gps_handle *h,
			unsigned slot, void *o, struct gps_share *sh,
			uint32_t flags, uint32_t *handle)
{
	gps_share_settle(c->g, sh);
	h->slot = slot;
	h->obj = o;
	h->share = sh;
	h->flags = flags;
	*handle = h->value;
}

static TEE_Result open_locked(struct gpstore_client *c, unsigned slot,
			      const void *id, size_t len, uint32_t flags,
			      uint32_t *handle)
{
	struct gpstore *g = c->g;
	struct gps_share *sh = NULL;
	struct gps_handle *h = NULL;
	void *o = NULL;
	TEE_Result res;

	res = gps_handle_alloc(c, &h);
	if (res)
		return res;
	res = gps_share_reserve(g, slot, &c->ta, id, len, flags, false, false,
				&sh);
	if (res)
		goto err;
	pthread_mutex_lock(&sh->lock);
	res = g->ops[slot]->open(g->store[slot], &c->ta, id, len, &o);
	if (gps_is_corrupt(res)) {
		gps_corrupt_id(g, sh);
		res = TEE_ERROR_CORRUPT_OBJECT;
	}
	pthread_mutex_unlock(&sh->lock);
	if (res)
		goto err;
	handle_bind(c, h, slot, o, sh, flags, handle);
	return TEE_SUCCESS;
err:
	if (sh)
		gps_share_unreserve(g, sh, flags);
	gps_handle_free(c, h);
	return res;
}

TEE_Result gpstore_open(struct gpstore_client *c, uint32_t storage_id,
			const void *id, size_t id_len, uint32_t flags,
			uint32_t *handle)
{
	TEE_Result res;
	unsigned slot;

	if (flags & ~OPEN_FLAGS)
		return gps_panic(c, "open: invalid flags");
	res = check_id(c, &id, id_len);
	if (res)
		return res;
	*handle = 0;
	if (!gps_slot_of(c->g, storage_id, &slot))
		return TEE_ERROR_ITEM_NOT_FOUND;
	pthread_mutex_lock(&c->lock);
	res = open_locked(c, slot, id, id_len, flags, handle);
	pthread_mutex_unlock(&c->lock);
	return res;
}

static void head_of(const struct gpstore_key *key, struct tstore_head *head)
{
	memset(head, 0, sizeof(*head));
	if (!key) {
		head->object_type = TEE_TYPE_DATA;
		head->object_usage = GPSTORE_USAGE_DEFAULT;
		return;
	}
	head->object_type = key->object_type;
	head->object_size = key->object_size;
	head->max_object_size = key->max_object_size;
	head->object_usage = key->object_usage;
	head->have_attrs = key->have_attrs;
}

static TEE_Result create_locked(struct gpstore_client *c, unsigned slot,
				const void *id, size_t len, uint32_t flags,
				const struct gpstore_key *key, const void *data,
				size_t data_len, uint32_t *handle)
{
	bool overwrite = flags & TEE_DATA_FLAG_OVERWRITE;
	uint32_t sflags = flags & OPEN_FLAGS;
	struct gpstore *g = c->g;
	struct gps_share *sh = NULL;
	struct gps_handle *h = NULL;
	void *o = NULL;
	struct tstore_head head;
	TEE_Result res;

	head_of(key, &head);
	if (handle) {
		res = gps_handle_alloc(c, &h);
		if (res)
			return res;
	}
	res = gps_share_reserve(g, slot, &c->ta, id, len, sflags, true,
				overwrite, &sh);
	if (res)
		goto out;
	pthread_mutex_lock(&sh->lock);
	res = g->ops[slot]->create(
	    g->store[slot], &c->ta, id, len, &head, key ? key->attrs : NULL,
	    key ? key->attr_len : 0, data, data_len, overwrite, h ? &o : NULL);
	pthread_mutex_unlock(&sh->lock);
	if (res || !h)
		goto out;
	handle_bind(c, h, slot, o, sh, flags, handle);
	return TEE_SUCCESS;
out:
	if (sh)
		gps_share_unreserve(g, sh, sflags);
	if (h)
		gps_handle_free(c, h);
	return res;
}

TEE_Result gpstore_create(struct gpstore_client *c, uint32_t storage_id,
			  const void *id, size_t id_len, uint32_t flags,
			  const struct gpstore_key *key, const void *data,
			  size_t data_len, uint32_t *handle)
{
	TEE_Result res;
	unsigned slot;

	if (flags & ~CREATE_FLAGS)
		return gps_panic(c, "create: invalid flags");
	res = check_id(c, &id, id_len);
	if (res)
		return res;
	if (data_len && !data)
		return gps_panic(c, "create: initial data NULL");
	if (key && key->attr_len && !key->attrs)
		return gps_panic(c, "create: attribute blob NULL");
	if (handle)
		*handle = 0;
	if (!gps_slot_of(c->g, storage_id, &slot))
		return TEE_ERROR_ITEM_NOT_FOUND;
	pthread_mutex_lock(&c->lock);
	res = create_locked(c, slot, id, id_len, flags, key, data, data_len,
			    handle);
	pthread_mutex_unlock(&c->lock);
	return res;
}

TEE_Result gpstore_close(struct gpstore_client *c, uint32_t handle)
{
	struct gps_handle *h;
	TEE_Result res = TEE_SUCCESS;

	if (handle == TEE_HANDLE_NULL)
		return TEE_SUCCESS;
	pthread_mutex_lock(&c->lock);
	h = gps_handle_get(c, handle);
	if (h)
		gps_handle_free(c, h);
	else
		res = gps_panic(c, "close: bad handle");
	pthread_mutex_unlock(&c->lock);
	return res;
}

static TEE_Result delete_locked(struct gpstore_client *c, uint32_t handle)
{
	struct gps_handle *h = gps_handle_get(c, handle);
	TEE_Result res = TEE_SUCCESS;

	if (!h)
		return gps_panic(c, "close_and_delete: bad handle");
	if (!(h->flags & TEE_DATA_FLAG_ACCESS_WRITE_META))
		return gps_panic(c, "close_and_delete: no WRITE_META");
	/* A corrupt object is gone already (removed or kept aside). */
	if (!h->corrupt)
		res = c->g->ops[h->slot]->remove(h->obj);
	if (res == TEE_ERROR_BAD_STATE)
		res = TEE_SUCCESS;
	/* OP-TEE closes the handle whatever the result. */
	gps_handle_free(c, h);
	return res;
}

TEE_Result gpstore_close_and_delete(struct gpstore_client *c, uint32_t handle)
{
	TEE_Result res;

	if (handle == TEE_HANDLE_NULL)
		return TEE_SUCCESS;
	pthread_mutex_lock(&c->lock);
	res = delete_locked(c, handle);
	pthread_mutex_unlock(&c->lock);
	return res;
}

static TEE_Result rename_locked(struct gpstore_client *c, uint32_t handle,
				const void *new_id, size_t new_len)
{
	struct gps_handle *h = gps_handle_get(c, handle);
	struct gps_share *ph = NULL, *sh;
	TEE_Result res;

	if (!h)
		return gps_panic(c, "rename: bad handle");
	if (!(h->flags & TEE_DATA_FLAG_ACCESS_WRITE_META))
		return gps_panic(c, "rename: no WRITE_META");
	if (h->corrupt)
		return TEE_ERROR_CORRUPT_OBJECT;
	sh = h->share;
	pthread_mutex_lock(&sh->lock);
	res = gps_share_rename_begin(c->g, sh, new_id, new_len, &ph);
	if (!res) {
		res = c->g->ops[h->slot]->rename(h->obj, new_id, new_len);
		gps_share_rename_end(c->g, sh, ph, res == TEE_SUCCESS);
	}
	pthread_mutex_unlock(&sh->lock);
	return gps_handle_failed(c, h, res);
}

TEE_Result gpstore_rename(struct gpstore_client *c, uint32_t handle,
			  const void *new_id, size_t new_len)
{
	TEE_Result res;

	res = check_id(c, &new_id, new_len);
	if (res)
		return res;
	pthread_mutex_lock(&c->lock);
	res = rename_locked(c, handle, new_id, new_len);
	pthread_mutex_unlock(&c->lock);
	return res;
}
