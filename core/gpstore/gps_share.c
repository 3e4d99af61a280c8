/*
 * The sharing registry: which handles of which TA hold an object open
 * with which flags, across every instance and session of that TA
 * (docs/gp-storage.md, "Sharing"). Keyed by (storage slot, TA, ID): a
 * reservation is taken before the engine is called, so that the check
 * and the open are one step for every other caller.
 */
#include <stdlib.h>
#include <string.h>

#include "gps_int.h"
#include "uuid.h"

#define ACCESS_BITS                                                            \
	(TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE |              \
	 TEE_DATA_FLAG_ACCESS_WRITE_META)
#define SHARE_BITS (TEE_DATA_FLAG_SHARE_READ | TEE_DATA_FLAG_SHARE_WRITE)

static unsigned bucket_of(unsigned slot, const TEE_UUID *ta, const void *id,
			  size_t len)
{
	uint8_t u[16];
	uint32_t h = 2166136261U ^ slot; /* FNV-1a */
	const uint8_t *p = id;
	size_t i;

	uuid_to_octets(ta, u);
	for (i = 0; i < sizeof(u); i++)
		h = (h ^ u[i]) * 16777619U;
	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619U;
	return h % GPS_SHARE_BUCKETS;
}

static bool key_equal(const struct gps_share *sh, unsigned slot,
		      const TEE_UUID *ta, const void *id, size_t len)
{
	return sh->slot == slot && sh->id_len == len &&
	       uuid_equal(&sh->ta, ta) && (!len || !memcmp(sh->id, id, len));
}

/* g->lock held. */
static struct gps_share *find(struct gpstore *g, unsigned slot,
			      const TEE_UUID *ta, const void *id, size_t len)
{
	struct gps_share *sh;

	sh = g->buckets[bucket_of(slot, ta, id, len)];
	for (; sh; sh = sh->next)
		if (key_equal(sh, slot, ta, id, len))
			return sh;
	return NULL;
}

/* g->lock held. */
static void link_entry(struct gpstore *g, struct gps_share *sh)
{
	unsigned b = bucket_of(sh->slot, &sh->ta, sh->id, sh->id_len);

	sh->next = g->buckets[b];
	g->buckets[b] = sh;
	sh->linked = true;
}

/* g->lock held. */
static void unlink_entry(struct gpstore *g, struct gps_share *sh)
{
	struct gps_share **pp;

	if (!sh->linked)
		return;
	pp = &g->buckets[bucket_of(sh->slot, &sh->ta, sh->id, sh->id_len)];
	while (*pp && *pp != sh)
		pp = &(*pp)->next;
	if (*pp)
		*pp = sh->next;
	sh->linked = false;
	sh->next = NULL;
}

/* g->lock held. */
static struct gps_share *new_entry(struct gpstore *g, unsigned slot,
				   const TEE_UUID *ta, const void *id,
				   size_t len)
{
	struct gps_share *sh = calloc(1, sizeof(*sh));

	if (!sh)
		return NULL;
	sh->slot = slot;
	sh->ta = *ta;
	if (len)
		memcpy(sh->id, id, len);
	sh->id_len = len;
	pthread_mutex_init(&sh->lock, NULL);
	link_entry(g, sh);
	g->stats.shared_objects++;
	return sh;
}

/* g->lock held; refs already 0. */
static void free_entry(struct gpstore *g, struct gps_share *sh)
{
	pthread_cond_broadcast(&g->share_cv); /* a renamer may wait on it */
	unlink_entry(g, sh);
	g->stats.shared_objects--;
	pthread_mutex_destroy(&sh->lock);
	free(sh);
}

/*
 * GP's rules: WRITE_META is exclusive; if any holder reads, all must
 * share reading (same for writing). OP-TEE also demands identical SHARE
 * bits ("opened with only share flags locks the object against a
 * mode"); we follow it, TAs are tested against it.
 */
static bool compatible(const struct gps_share *sh, uint32_t nflags)
{
	uint32_t sr = TEE_DATA_FLAG_SHARE_READ, sw = TEE_DATA_FLAG_SHARE_WRITE;

	if (!sh->holders)
		return true; /* only holds (enumeration): no rule applies */
	if (sh->n_meta || (nflags & TEE_DATA_FLAG_ACCESS_WRITE_META))
		return false;
	if ((sh->n_read || (nflags & TEE_DATA_FLAG_ACCESS_READ)) &&
	    !((nflags & sr) && (sh->share & sr)))
		return false;
	if ((nflags & sr) != (sh->share & sr))
		return false;
	if ((sh->n_write || (nflags & TEE_DATA_FLAG_ACCESS_WRITE)) &&
	    !((nflags & sw) && (sh->share & sw)))
		return false;
	return (nflags & sw) == (sh->share & sw);
}

static void add_holder(struct gps_share *sh, uint32_t flags)
{
	if (!sh->holders)
		sh->share = flags & SHARE_BITS;
	sh->holders++;
	sh->refs++;
	sh->n_read += !!(flags & TEE_DATA_FLAG_ACCESS_READ);
	sh->n_write += !!(flags & TEE_DATA_FLAG_ACCESS_WRITE);
	sh->n_meta += !!(flags & TEE_DATA_FLAG_ACCESS_WRITE_META);
}

TEE_Result gps_share_reserve(struct gpstore *g, unsigned slot,
			     const TEE_UUID *ta, const void *id, size_t len,
			     uint32_t flags, bool create, bool overwrite,
			     struct gps_share **out)
{
	TEE_Result res = TEE_SUCCESS;
	struct gps_share *sh;

	pthread_mutex_lock(&g->lock);
	sh = find(g, slot, ta, id, len);
	if (sh) {
		/* Open: it exists. Create: only over it with OVERWRITE. */
		if (sh->busy || sh->gone || (create && !overwrite) ||
		    !compatible(sh, flags))
			res = TEE_ERROR_ACCESS_CONFLICT;
	} else {
		sh = new_entry(g, slot, ta, id, len);
		if (!sh)
			res = TEE_ERROR_OUT_OF_MEMORY;
	}
	if (!res) {
		add_holder(sh, flags);
		*out = sh;
	}
	pthread_mutex_unlock(&g->lock);
	return res;
}

void gps_share_unreserve(struct gpstore *g, struct gps_share *sh,
			 uint32_t flags)
{
	pthread_mutex_lock(&g->lock);
	sh->holders--;
	sh->n_read -= !!(flags & TEE_DATA_FLAG_ACCESS_READ);
	sh->n_write -= !!(flags & TEE_DATA_FLAG_ACCESS_WRITE);
	sh->n_meta -= !!(flags & TEE_DATA_FLAG_ACCESS_WRITE_META);
	if (--sh->refs == 0)
		free_entry(g, sh);
	pthread_mutex_unlock(&g->lock);
}

void gps_share_settle(struct gpstore *g, struct gps_share *sh)
{
	pthread_mutex_lock(&g->lock);
	if (!sh->settled) {
		sh->settled = true;
		pthread_cond_broadcast(&g->share_cv);
	}
	pthread_mutex_unlock(&g->lock);
}

/*
 * The rename target is held by a busy placeholder while the engine
 * renames, so that nobody opens or creates the new ID meanwhile; the
 * old key stays held by the renaming handle (WRITE_META, exclusive).
 *
 * An entry of the new ID that has not settled is an open or create in
 * flight: the ID may not exist at all (the open then fails and drops
 * the entry). Refusing the rename for it would be a conflict with an
 * object that is not there, so the rename waits for the outcome. The
 * opener holds none of the renamer's locks (its own client's and its
 * entry's), and an open or create always ends by settling or dropping
 * its entry.
 */
TEE_Result gps_share_rename_begin(struct gpstore *g, struct gps_share *sh,
				  const void *id, size_t len,
				  struct gps_share **placeholder)
{
	TEE_Result res = TEE_SUCCESS;
	struct gps_share *p;

	pthread_mutex_lock(&g->lock);
	while ((p = find(g, sh->slot, &sh->ta, id, len)) && !p->settled &&
	       !p->busy && !p->gone)
		pthread_cond_wait(&g->share_cv, &g->lock);
	if (p) {
		res = TEE_ERROR_ACCESS_CONFLICT; /* it exists */
	} else {
		p = new_entry(g, sh->slot, &sh->ta, id, len);
		if (!p) {
			res = TEE_ERROR_OUT_OF_MEMORY;
		} else {
			p->refs = 1;
			p->busy = true;
			*placeholder = p;
		}
	}
	pthread_mutex_unlock(&g->lock);
	return res;
}

void gps_share_rename_end(struct gpstore *g, struct gps_share *sh,
			  struct gps_share *placeholder, bool renamed)
{
	/* An unlinked entry (object gone for corruption) stays unlinked. */
	bool rekey;

	pthread_mutex_lock(&g->lock);
	rekey = renamed && sh->linked;
	if (rekey) {
		unlink_entry(g, sh);
		memcpy(sh->id, placeholder->id, placeholder->id_len);
		sh->id_len = placeholder->id_len;
	}
	free_entry(g, placeholder);
	if (rekey)
		link_entry(g, sh);
	pthread_mutex_unlock(&g->lock);
}

TEE_Result gps_share_hold(struct gpstore *g, unsigned slot, const TEE_UUID *ta,
			  const void *id, size_t len, struct gps_share **out)
{
	TEE_Result res = TEE_SUCCESS;
	struct gps_share *sh;

	pthread_mutex_lock(&g->lock);
	sh = find(g, slot, ta, id, len);
	if (!sh)
		sh = new_entry(g, slot, ta, id, len);
	if (!sh)
		res = TEE_ERROR_OUT_OF_MEMORY;
	else if (sh->busy || sh->gone)
		res = TEE_ERROR_ACCESS_CONFLICT;
	else
		sh->refs++;
	if (!res)
		sh->settled = true; /* enumerated: it exists */
	if (!res)
		*out = sh;
	pthread_mutex_unlock(&g->lock);
	return res;
}

void gps_share_drop(struct gpstore *g, struct gps_share *sh)
{
	pthread_mutex_lock(&g->lock);
	if (--sh->refs == 0)
		free_entry(g, sh);
	pthread_mutex_unlock(&g->lock);
}

void gps_share_mark_gone(struct gpstore *g, struct gps_share *sh)
{
	pthread_mutex_lock(&g->lock);
	sh->gone = true;
	pthread_mutex_unlock(&g->lock);
}

bool gps_share_is_gone(struct gpstore *g, struct gps_share *sh)
{
	bool gone;

	pthread_mutex_lock(&g->lock);
	gone = sh->gone;
	pthread_mutex_unlock(&g->lock);
	return gone;
}

void gps_share_unlink(struct gpstore *g, struct gps_share *sh)
{
	pthread_mutex_lock(&g->lock);
	unlink_entry(g, sh);
	pthread_mutex_unlock(&g->lock);
}
