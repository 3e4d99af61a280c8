/*
 * The data stream and the generic object functions on a handle: read,
 * write, truncate, seek (the position is the handle's), object info,
 * usage restriction, the attribute blob (gpstore.h).
 */
#include <stdio.h>

#include "gps_int.h"

/*
 * The handle behind value, with the access right need; c->lock held.
 * A bad handle or a missing right panics the TA.
 */
static TEE_Result lookup(struct gpstore_client *c, const char *op,
			 uint32_t value, uint32_t need, struct gps_handle **out)
{
	struct gps_handle *h = gps_handle_get(c, value);
	char why[64];

	if (!h) {
		snprintf(why, sizeof(why), "%s: bad handle 0x%x", op, value);
		return gps_panic(c, why);
	}
	if ((h->flags & need) != need) {
		snprintf(why, sizeof(why), "%s: handle lacks access 0x%x", op,
			 need);
		return gps_panic(c, why);
	}
	if (h->corrupt)
		return TEE_ERROR_CORRUPT_OBJECT;
	*out = h;
	return TEE_SUCCESS;
}

static TEE_Result read_locked(struct gpstore_client *c, uint32_t handle,
			      void *buf, size_t len, size_t *count)
{
	struct gps_handle *h = NULL;
	TEE_Result res;
	size_t got = 0;

	res = lookup(c, "read", handle, TEE_DATA_FLAG_ACCESS_READ, &h);
	if (res)
		return res;
	if (len && !buf)
		return gps_panic(c, "read: buffer NULL");
	res = c->g->ops[h->slot]->read(h->obj, h->pos, buf, len, &got);
	if (res)
		return gps_handle_failed(c, h, res);
	h->pos += got;
	*count = got;
	return TEE_SUCCESS;
}

TEE_Result gpstore_read(struct gpstore_client *c, uint32_t handle, void *buf,
			size_t len, size_t *count)
{
	TEE_Result res;

	*count = 0;
	pthread_mutex_lock(&c->lock);
	res = read_locked(c, handle, buf, len, count);
	pthread_mutex_unlock(&c->lock);
	return res;
}

static TEE_Result write_locked(struct gpstore_client *c, uint32_t handle,
			       const void *buf, size_t len)
{
	struct gps_handle *h = NULL;
	TEE_Result res;

	res = lookup(c, "write", handle, TEE_DATA_FLAG_ACCESS_WRITE, &h);
	if (res)
		return res;
	if (len && !buf)
		return gps_panic(c, "write: buffer NULL");
	if (h->pos > TEE_DATA_MAX_POSITION ||
	    len > TEE_DATA_MAX_POSITION - h->pos)
		return TEE_ERROR_OVERFLOW;
	res = c->g->ops[h->slot]->write(h->obj, h->pos, buf, len);
	if (res)
		return gps_handle_failed(c, h, res);
	h->pos += len;
	return TEE_SUCCESS;
}

TEE_Result gpstore_write(struct gpstore_client *c, uint32_t handle,
			 const void *buf, size_t len)
{
	TEE_Result res;

	pthread_mutex_lock(&c->lock);
	res = write_locked(c, handle, buf, len);
	pthread_mutex_unlock(&c->lock);
	return res;
}

static TEE_Result truncate_locked(struct gpstore_client *c, uint32_t handle,
				  uint64_t size)
{
	struct gps_handle *h = NULL;
	TEE_Result res;

	res = lookup(c, "truncate", handle, TEE_DATA_FLAG_ACCESS_WRITE, &h);
	if (res)
		return res;
	if (size > TEE_DATA_MAX_POSITION)
		return TEE_ERROR_OVERFLOW;
	res = c->g->ops[h->slot]->truncate(h->obj, size);
	return res ? gps_handle_failed(c, h, res) : TEE_SUCCESS;
}

TEE_Result gpstore_truncate(struct gpstore_client *c, uint32_t handle,
			    uint64_t size)
{
	TEE_Result res;

	pthread_mutex_lock(&c->lock);
	res = truncate_locked(c, handle, size);
	pthread_mutex_unlock(&c->lock);
	return res;
}

/* base + off clamped at 0; false if beyond TEE_DATA_MAX_POSITION. */
static bool seek_target(uint64_t base, int64_t off, uint64_t *pos)
{
	uint64_t mag;

	if (off >= 0) {
		if (base > TEE_DATA_MAX_POSITION ||
		    (uint64_t)off > TEE_DATA_MAX_POSITION - base)
			return false;
		*pos = base + (uint64_t)off;
		return true;
	}
	mag = (uint64_t)(-(off + 1)) + 1; /* |off| without overflow */
	*pos = mag >= base ? 0 : base - mag;
	return *pos <= TEE_DATA_MAX_POSITION;
}

static TEE_Result seek_locked(struct gpstore_client *c, uint32_t handle,
			      int64_t offset, uint32_t whence)
{
	struct gps_handle *h = NULL;
	struct tstore_info info;
	TEE_Result res;
	uint64_t base, pos;

	res = lookup(c, "seek", handle, 0, &h);
	if (res)
		return res;
	switch (whence) {
	case TEE_DATA_SEEK_SET:
		base = 0;
		break;
	case TEE_DATA_SEEK_CUR:
		base = h->pos;
		break;
	case TEE_DATA_SEEK_END:
		res = c->g->ops[h->slot]->info(h->obj, &info);
		if (res)
			return gps_handle_failed(c, h, res);
		base = info.data_size;
		break;
	default:
		return gps_panic(c, "seek: invalid whence");
	}
	if (!seek_target(base, offset, &pos))
		return TEE_ERROR_OVERFLOW;
	h->pos = pos;
	return TEE_SUCCESS;
}

TEE_Result gpstore_seek(struct gpstore_client *c, uint32_t handle,
			int64_t offset, uint32_t whence)
{
	TEE_Result res;

	pthread_mutex_lock(&c->lock);
	res = seek_locked(c, handle, offset, whence);
	pthread_mutex_unlock(&c->lock);
	return res;
}

static void info_of(const struct tstore_info *ti, struct gpstore_info *info)
{
	info->object_type = ti->head.object_type;
	info->object_size = ti->head.object_size;
	info->max_object_size = ti->head.max_object_size;
	info->object_usage = ti->head.object_usage;
	info->have_attrs = ti->head.have_attrs;
	info->data_size = ti->data_size;
	info->data_position = 0;
	info->handle_flags =
	    TEE_HANDLE_FLAG_PERSISTENT | TEE_HANDLE_FLAG_INITIALIZED;
}

/* Also for enumeration (gps_enum.c). */
TEE_Result gps_obj_info(struct gpstore *g, unsigned slot, void *o,
			struct gpstore_info *info)
{
	struct tstore_info ti;
	TEE_Result res;

	res = g->ops[slot]->info(o, &ti);
	if (!res)
		info_of(&ti, info);
	return res;
}

static TEE_Result info_locked(struct gpstore_client *c, uint32_t handle,
			      struct gpstore_info *info)
{
	struct gps_handle *h = NULL;
	TEE_Result res;

	res = lookup(c, "get_info", handle, 0, &h);
	if (res)
		return res;
	res = gps_obj_info(c->g, h->slot, h->obj, info);
	if (res)
		return gps_handle_failed(c, h, res);
	info->data_position = h->pos;
	info->handle_flags |= h->flags;
	return TEE_SUCCESS;
}

TEE_Result gpstore_get_info(struct gpstore_client *c, uint32_t handle,
			    struct gpstore_info *info)
{
	TEE_Result res;

	pthread_mutex_lock(&c->lock);
	res = info_locked(c, handle, info);
	pthread_mutex_unlock(&c->lock);
	return res;
}

static TEE_Result restrict_locked(struct gpstore_client *c, uint32_t handle,
				  uint32_t usage)
{
	struct gps_handle *h = NULL;
	struct tstore_info ti;
	TEE_Result res;

	res = lookup(c, "restrict_usage", handle, 0, &h);
	if (res)
		return res;
	/* Read-modify-write of the head: one at a time per object. */
	pthread_mutex_lock(&h->share->lock);
	res = c->g->ops[h->slot]->info(h->obj, &ti);
	if (!res && (ti.head.object_usage & usage) != ti.head.object_usage) {
		ti.head.object_usage &= usage;
		res = c->g->ops[h->slot]->set_head(h->obj, &ti.head);
	}
	pthread_mutex_unlock(&h->share->lock);
	return res ? gps_handle_failed(c, h, res) : TEE_SUCCESS;
}

TEE_Result gpstore_restrict_usage(struct gpstore_client *c, uint32_t handle,
				  uint32_t usage)
{
	TEE_Result res;

	pthread_mutex_lock(&c->lock);
	res = restrict_locked(c, handle, usage);
	pthread_mutex_unlock(&c->lock);
	return res;
}

static TEE_Result attrs_locked(struct gpstore_client *c, uint32_t handle,
			       void *buf, size_t len, size_t *attr_len)
{
	struct gps_handle *h = NULL;
	TEE_Result res;

	res = lookup(c, "get_attrs", handle, 0, &h);
	if (res)
		return res;
	if (len && !buf)
		return gps_panic(c, "get_attrs: buffer NULL");
	res = c->g->ops[h->slot]->read_attrs(h->obj, buf, len, attr_len);
	if (res == TEE_ERROR_SHORT_BUFFER)
		return res;
	return res ? gps_handle_failed(c, h, res) : TEE_SUCCESS;
}

TEE_Result gpstore_get_attrs(struct gpstore_client *c, uint32_t handle,
			     void *buf, size_t len, size_t *attr_len)
{
	TEE_Result res;

	*attr_len = 0;
	pthread_mutex_lock(&c->lock);
	res = attrs_locked(c, handle, buf, len, attr_len);
	pthread_mutex_unlock(&c->lock);
	return res;
}
