/*
 * Which shared memory objects a TA instance has mapped (docs/protocol-ta.md,
 * "Memory references"). The cache holds a reference on each; an object
 * nobody else references any more (the client released it) is evicted at
 * the start of the next call, and the least recently used one makes room
 * when all slots are taken. Evicted keys ride in the next request.
 */
#include <errno.h>
#include <string.h>

#include "ta_side.h"

static void evict_slot(struct ta_shm_cache *c, struct ta_shm_slot *s)
{
	c->evict[c->nevict++] = s->key;
	tee_shm_put(s->shm);
	memset(s, 0, sizeof(*s));
}

void ta_shm_cache_begin(struct ta_shm_cache *c)
{
	size_t i;

	for (i = 0; i < TA_SHM_CACHE_SLOTS; i++) {
		struct ta_shm_slot *s = &c->slot[i];

		s->in_call = false;
		s->is_new = false;
		/* Keep room for one eviction per parameter of this call. */
		if (s->shm && atomic_load(&s->shm->refs) == 1 &&
		    c->nevict < TA_MSG_MAX_EVICT - TEE_NUM_PARAMS)
			evict_slot(c, s);
	}
}

int ta_shm_cache_lookup(struct ta_shm_cache *c, struct tee_shm *shm,
			uint32_t *key, bool *is_new)
{
	struct ta_shm_slot *free_slot = NULL, *lru = NULL;
	size_t i;

	c->clock++;
	for (i = 0; i < TA_SHM_CACHE_SLOTS; i++) {
		struct ta_shm_slot *s = &c->slot[i];

		if (s->shm == shm) {
			s->last_use = c->clock;
			s->in_call = true;
			*key = s->key;
			*is_new = false;
			return 0;
		}
		if (!s->shm && !free_slot)
			free_slot = s;
		if (s->shm && !s->in_call &&
		    (!lru || s->last_use < lru->last_use))
			lru = s;
	}
	if (!free_slot) {
		if (!lru || c->nevict >= TA_MSG_MAX_EVICT)
			return -ENOSPC;
		evict_slot(c, lru);
		free_slot = lru;
	}
	tee_shm_get(shm);
	free_slot->shm = shm;
	free_slot->key = ++c->next_key;
	free_slot->last_use = c->clock;
	free_slot->in_call = true;
	free_slot->is_new = true;
	*key = free_slot->key;
	*is_new = true;
	return 0;
}

struct tee_shm *ta_shm_cache_find(const struct ta_shm_cache *c, uint32_t key)
{
	size_t i;

	/* Slots added by a call not yet sent are not the TA's yet. */
	for (i = 0; i < TA_SHM_CACHE_SLOTS; i++)
		if (c->slot[i].shm && c->slot[i].key == key &&
		    !c->slot[i].is_new)
			return c->slot[i].shm;
	return NULL;
}

void ta_shm_cache_abort(struct ta_shm_cache *c)
{
	size_t i;

	for (i = 0; i < TA_SHM_CACHE_SLOTS; i++) {
		struct ta_shm_slot *s = &c->slot[i];

		if (s->shm && s->is_new) {
			tee_shm_put(s->shm);
			memset(s, 0, sizeof(*s));
		}
	}
}

void ta_shm_cache_sent(struct ta_shm_cache *c)
{
	size_t i;

	c->nevict = 0;
	for (i = 0; i < TA_SHM_CACHE_SLOTS; i++)
		c->slot[i].is_new = false;
}

void ta_shm_cache_clear(struct ta_shm_cache *c)
{
	size_t i;

	for (i = 0; i < TA_SHM_CACHE_SLOTS; i++)
		if (c->slot[i].shm)
			tee_shm_put(c->slot[i].shm);
	memset(c, 0, sizeof(*c));
}
