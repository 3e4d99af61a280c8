/*
 * A TA instance's context: its handle table and enumerators, handle
 * values, panics, and the release of everything when the instance goes.
 *
 * Handle values (docs/gp-storage.md, "Handles"): bits 0-10 the table
 * index + 1, bit 11 the kind (object or enumerator), bits 12-30 a
 * generation drawn from a store-wide counter. A closed handle, or one of
 * another instance, thus almost never names a live slot by accident (only
 * after 2^19 allocations); such values panic the TA. Values fit in 31
 * bits: they travel in 32-bit value parameters.
 */
#include <stdlib.h>
#include <string.h>

#include "gps_int.h"
#include "log.h"
#include "uuid.h"

#define INDEX_MASK 0x7FFU
#define KIND_MASK  GPS_KIND_ENUM
#define GEN_SHIFT  12
#define GEN_MASK   0x7FFFFU

uint32_t gps_handle_value(struct gpstore *g, size_t index, uint32_t kind)
{
	uint32_t gen;

	pthread_mutex_lock(&g->lock);
	g->gen = (g->gen + 1) & GEN_MASK;
	if (!g->gen)
		g->gen = 1;
	gen = g->gen;
	pthread_mutex_unlock(&g->lock);
	return gen << GEN_SHIFT | kind | (uint32_t)(index + 1);
}

bool gps_handle_index(uint32_t value, uint32_t kind, size_t *index)
{
	if ((value & KIND_MASK) != kind || !(value & INDEX_MASK) ||
	    !(value >> GEN_SHIFT) || value > 0x7FFFFFFFU)
		return false;
	*index = (value & INDEX_MASK) - 1;
	return true;
}

TEE_Result gps_panic(struct gpstore_client *c, const char *why)
{
	char u[UUID_STR_LEN + 1];

	uuid_format(&c->ta, u);
	log_warnx("gpstore: TA %s panics: %s", u, why);
	return GPSTORE_PANIC;
}

TEE_Result gpstore_client_new(struct gpstore *g, const TEE_UUID *ta,
			      bool dont_close_on_corrupt,
			      struct gpstore_client **out)
{
	struct gpstore_client *c = calloc(1, sizeof(*c));

	if (!c)
		return TEE_ERROR_OUT_OF_MEMORY;
	c->g = g;
	c->ta = *ta;
	c->dont_close_on_corrupt = dont_close_on_corrupt;
	pthread_mutex_init(&c->lock, NULL);
	*out = c;
	return TEE_SUCCESS;
}

void gpstore_client_destroy(struct gpstore_client *c)
{
	size_t i;

	if (!c)
		return;
	/* Waits for a call still running on another thread. */
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->nh; i++)
		if (c->h[i].value)
			gps_handle_free(c, &c->h[i]);
	pthread_mutex_unlock(&c->lock);
	pthread_mutex_destroy(&c->lock);
	free(c->h);
	free(c);
}

/* Grows the table (bounded by GPSTORE_MAX_HANDLES); c->lock held. */
static TEE_Result grow(struct gpstore_client *c)
{
	size_t n = c->nh ? c->nh * 2 : 8;
	struct gps_handle *h;

	if (c->nh >= GPSTORE_MAX_HANDLES)
		return TEE_ERROR_OUT_OF_MEMORY;
	if (n > GPSTORE_MAX_HANDLES)
		n = GPSTORE_MAX_HANDLES;
	h = realloc(c->h, n * sizeof(*h));
	if (!h)
		return TEE_ERROR_OUT_OF_MEMORY;
	memset(h + c->nh, 0, (n - c->nh) * sizeof(*h));
	c->h = h;
	c->nh = n;
	return TEE_SUCCESS;
}

TEE_Result gps_handle_alloc(struct gpstore_client *c, struct gps_handle **out)
{
	struct gpstore *g = c->g;
	TEE_Result res;
	size_t i;

	for (i = 0; i < c->nh && c->h[i].value; i++)
		;
	if (i == c->nh) {
		res = grow(c);
		if (res)
			return res;
	}
	memset(&c->h[i], 0, sizeof(c->h[i]));
	c->h[i].value = gps_handle_value(g, i, 0);
	pthread_mutex_lock(&g->lock);
	g->stats.handles++;
	pthread_mutex_unlock(&g->lock);
	*out = &c->h[i];
	return TEE_SUCCESS;
}

struct gps_handle *gps_handle_get(struct gpstore_client *c, uint32_t value)
{
	size_t i;

	if (!gps_handle_index(value, 0, &i) || i >= c->nh ||
	    c->h[i].value != value)
		return NULL;
	return &c->h[i];
}

void gps_handle_free(struct gpstore_client *c, struct gps_handle *h)
{
	struct gpstore *g = c->g;

	if (h->obj)
		g->ops[h->slot]->release(h->obj);
	if (h->share)
		gps_share_unreserve(g, h->share, h->flags);
	memset(h, 0, sizeof(*h));
	pthread_mutex_lock(&g->lock);
	g->stats.handles--;
	pthread_mutex_unlock(&g->lock);
}
