/*
 * Enumerators of a TA's persistent objects (gpstore.h). An enumerator is
 * a cursor into the engine's enumeration of this TA's objects only: the
 * engine scopes it by the TA's UUID, so no other TA's object is ever seen.
 */
#include <stdio.h>
#include <string.h>

#include "gps_int.h"

static struct gps_enum *enum_get(struct gpstore_client *c, uint32_t value)
{
	size_t i;

	if (!gps_handle_index(value, GPS_KIND_ENUM, &i) ||
	    i >= GPSTORE_MAX_ENUMS || c->e[i].value != value)
		return NULL;
	return &c->e[i];
}

TEE_Result gpstore_enum_alloc(struct gpstore_client *c, uint32_t *handle)
{
	TEE_Result res = TEE_ERROR_OUT_OF_MEMORY;
	size_t i;

	*handle = 0;
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < GPSTORE_MAX_ENUMS; i++) {
		if (c->e[i].value)
			continue;
		memset(&c->e[i], 0, sizeof(c->e[i]));
		c->e[i].value = gps_handle_value(c->g, i, GPS_KIND_ENUM);
		*handle = c->e[i].value;
		res = TEE_SUCCESS;
		break;
	}
	pthread_mutex_unlock(&c->lock);
	return res;
}

/* Free (clear) or reset; 0 is a no-op; a bogus value panics. */
static TEE_Result enum_drop(struct gpstore_client *c, uint32_t handle,
			    bool free_it)
{
	TEE_Result res = TEE_SUCCESS;
	struct gps_enum *e;

	if (handle == TEE_HANDLE_NULL)
		return TEE_SUCCESS;
	pthread_mutex_lock(&c->lock);
	e = enum_get(c, handle);
	if (!e)
		res = gps_panic(c, free_it ? "enum_free: bad handle"
					   : "enum_reset: bad handle");
	else if (free_it)
		memset(e, 0, sizeof(*e));
	else
		e->started = false;
	pthread_mutex_unlock(&c->lock);
	return res;
}

TEE_Result gpstore_enum_free(struct gpstore_client *c, uint32_t handle)
{
	return enum_drop(c, handle, true);
}

TEE_Result gpstore_enum_reset(struct gpstore_client *c, uint32_t handle)
{
	return enum_drop(c, handle, false);
}

static TEE_Result start_locked(struct gpstore_client *c, uint32_t handle,
			       uint32_t storage_id)
{
	struct gps_enum *e = enum_get(c, handle);
	uint8_t id[GPSTORE_ID_MAX];
	uint64_t cursor = 0;
	TEE_Result res;
	unsigned slot;
	size_t len;

	if (!e)
		return gps_panic(c, "enum_start: bad handle");
	e->started = false;
	if (!gps_slot_of(c->g, storage_id, &slot))
		return TEE_ERROR_ITEM_NOT_FOUND;
	/* GP: ITEM_NOT_FOUND for a storage without objects (of this TA). */
	res = c->g->ops[slot]->enum_next(c->g->store[slot], &c->ta, &cursor, id,
					 &len);
	if (res)
		return res;
	e->started = true;
	e->slot = slot;
	e->cursor = 0;
	return TEE_SUCCESS;
}

TEE_Result gpstore_enum_start(struct gpstore_client *c, uint32_t handle,
			      uint32_t storage_id)
{
	TEE_Result res;

	pthread_mutex_lock(&c->lock);
	res = start_locked(c, handle, storage_id);
	pthread_mutex_unlock(&c->lock);
	return res;
}

/*
 * The description of an enumerated object: it is opened (not as a
 * handle: enumeration ignores sharing). Under the key's entry lock, so
 * that a corrupt object's removal cannot hit a concurrent re-creation.
 */
static TEE_Result describe(struct gpstore_client *c, unsigned slot,
			   const uint8_t *id, size_t len,
			   struct gpstore_info *info)
{
	struct gpstore *g = c->g;
	void *o = NULL;
	struct gps_share *sh;
	TEE_Result res;

	res = gps_share_hold(g, slot, &c->ta, id, len, &sh);
	if (res)
		return res;
	pthread_mutex_lock(&sh->lock);
	res = g->ops[slot]->open(g->store[slot], &c->ta, id, len, &o);
	if (!res) {
		res = gps_obj_info(g, slot, o, info);
		g->ops[slot]->release(o);
	}
	if (gps_is_corrupt(res)) {
		gps_corrupt_id(g, sh);
		res = TEE_ERROR_CORRUPT_OBJECT;
	}
	pthread_mutex_unlock(&sh->lock);
	gps_share_drop(g, sh);
	return res;
}

static TEE_Result next_locked(struct gpstore_client *c, uint32_t handle,
			      struct gpstore_info *info, uint8_t *id,
			      size_t *id_len)
{
	struct gps_enum *e = enum_get(c, handle);
	TEE_Result res;

	if (!e)
		return gps_panic(c, "enum_next: bad handle");
	if (!id || !id_len)
		return gps_panic(c, "enum_next: ID buffer NULL");
	if (!e->started)
		return TEE_ERROR_ITEM_NOT_FOUND;
	for (;;) {
		res = c->g->ops[e->slot]->enum_next(
		    c->g->store[e->slot], &c->ta, &e->cursor, id, id_len);
		if (res || !info)
			return res;
		res = describe(c, e->slot, id, *id_len, info);
		/* Gone since it was listed (or being renamed): skip it. */
		if (res != TEE_ERROR_ITEM_NOT_FOUND &&
		    res != TEE_ERROR_ACCESS_CONFLICT)
			return res;
	}
}

TEE_Result gpstore_enum_next(struct gpstore_client *c, uint32_t handle,
			     struct gpstore_info *info, uint8_t *id,
			     size_t *id_len)
{
	TEE_Result res;

	pthread_mutex_lock(&c->lock);
	res = next_locked(c, handle, info, id, id_len);
	pthread_mutex_unlock(&c->lock);
	return res;
}
