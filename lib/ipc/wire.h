/*
 * Cursors for fixed-layout little-endian payloads. A writer or reader
 * remembers the first overflow and turns every later call into a no-op,
 * so an encoder or decoder checks once, at the end:
 *
 *	struct wire_rd r = wire_rd_init(msg->payload, msg->hdr.len);
 *	uint32_t fd = wire_get_u32(&r);
 *	uint64_t off = wire_get_u64(&r);
 *	if (!wire_rd_done(&r))	// short, or bytes left over
 *		return -EBADMSG;
 */
#ifndef TEESTORE_WIRE_H
#define TEESTORE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bytes.h"

struct wire_wr {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool overflow;
};

struct wire_rd {
	const uint8_t *buf;
	size_t len;
	size_t off;
	bool short_read;
};

static inline struct wire_wr wire_wr_init(void *buf, size_t cap)
{
	struct wire_wr w = { buf, cap, 0, false };

	return w;
}

static inline void *wire_wr_reserve(struct wire_wr *w, size_t n)
{
	void *p;

	if (w->overflow || w->cap - w->len < n) {
		w->overflow = true;
		return NULL;
	}
	p = w->buf + w->len;
	w->len += n;
	return p;
}

static inline void wire_put_u16(struct wire_wr *w, uint16_t v)
{
	void *p = wire_wr_reserve(w, 2);

	if (p)
		put_le16(p, v);
}

static inline void wire_put_u32(struct wire_wr *w, uint32_t v)
{
	void *p = wire_wr_reserve(w, 4);

	if (p)
		put_le32(p, v);
}

static inline void wire_put_u64(struct wire_wr *w, uint64_t v)
{
	void *p = wire_wr_reserve(w, 8);

	if (p)
		put_le64(p, v);
}

static inline void wire_put_bytes(struct wire_wr *w, const void *src, size_t n)
{
	void *p = wire_wr_reserve(w, n);

	if (p && n)
		memcpy(p, src, n);
}

static inline struct wire_rd wire_rd_init(const void *buf, size_t len)
{
	struct wire_rd r = { buf, len, 0, false };

	return r;
}

/* Pointer to the next n bytes, or NULL (and the cursor marked short). */
static inline const uint8_t *wire_get_ptr(struct wire_rd *r, size_t n)
{
	const uint8_t *p;

	if (r->short_read || r->len - r->off < n) {
		r->short_read = true;
		return NULL;
	}
	p = r->buf + r->off;
	r->off += n;
	return p;
}

static inline uint16_t wire_get_u16(struct wire_rd *r)
{
	const uint8_t *p = wire_get_ptr(r, 2);

	return p ? get_le16(p) : 0;
}

static inline uint32_t wire_get_u32(struct wire_rd *r)
{
	const uint8_t *p = wire_get_ptr(r, 4);

	return p ? get_le32(p) : 0;
}

static inline uint64_t wire_get_u64(struct wire_rd *r)
{
	const uint8_t *p = wire_get_ptr(r, 8);

	return p ? get_le64(p) : 0;
}

static inline bool wire_get_bytes(struct wire_rd *r, void *dst, size_t n)
{
	const uint8_t *p = wire_get_ptr(r, n);

	if (!p)
		return false;
	if (n)
		memcpy(dst, p, n);
	return true;
}

static inline size_t wire_rd_left(const struct wire_rd *r)
{
	return r->short_read ? 0 : r->len - r->off;
}

/* True when every read fitted and the whole payload was consumed. */
static inline bool wire_rd_done(const struct wire_rd *r)
{
	return !r->short_read && r->off == r->len;
}

#endif
