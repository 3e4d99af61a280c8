/*
 * Corrupt objects (docs/gp-storage.md, "Corrupt objects"): an object that
 * fails verification is taken out of the TA's namespace, so that the TA
 * can create it again, either kept aside for analysis (KEEP, the
 * default: gps_quarantine.c) or deleted as OP-TEE does (DELETE). Either
 * way a warning names the TA and what became of the file, and the
 * counters of gpstore_get_stats() move.
 */
#include <stdio.h>

#include "gps_int.h"
#include "log.h"
#include "tee_error.h"
#include "uuid.h"

bool gps_is_corrupt(TEE_Result res)
{
	switch (res) {
	case TEE_ERROR_CORRUPT_OBJECT:
	case TEE_ERROR_CORRUPT_OBJECT_2:
	case TEE_ERROR_SECURITY: /* counter rules: a stale or replayed file */
	case TEE_ERROR_NO_DATA:	 /* OP-TEE maps these two to CORRUPT too */
	case TEE_ERROR_BAD_FORMAT:
		return true;
	default:
		return false;
	}
}

struct by_id {
	const struct gps_ops *ops;
	void *store;
	const TEE_UUID *ta;
	const void *id;
	size_t len;
};

static TEE_Result remove_by_id(void *arg)
{
	struct by_id *a = arg;

	return a->ops->remove_id(a->store, a->ta, a->id, a->len);
}

struct by_obj {
	const struct gps_ops *ops;
	void *o;
};

static TEE_Result remove_obj(void *arg)
{
	struct by_obj *a = arg;

	return a->ops->remove(a->o);
}

static void apply(struct gpstore *g, unsigned slot, const TEE_UUID *ta,
		  TEE_Result (*fn)(void *), void *arg)
{
	char u[UUID_STR_LEN + 1], kept[BACKEND_NAME_MAX + 1] = "";
	bool keep = g->policy == GPSTORE_CORRUPT_KEEP && slot == GPS_SLOT_REE;
	TEE_Result res;

	if (keep)
		res =
		    gps_quarantine_run(g->qbe, ta, fn, arg, kept, sizeof(kept));
	else
		res = fn(arg);
	/* Already taken away by another handle that found it corrupt. */
	if (res == TEE_ERROR_BAD_STATE || res == TEE_ERROR_ITEM_NOT_FOUND)
		return;
	uuid_format(ta, u);
	pthread_mutex_lock(&g->lock);
	g->stats.corrupt_found++;
	if (!res && kept[0])
		g->stats.kept++;
	else if (!res)
		g->stats.deleted++;
	pthread_mutex_unlock(&g->lock);
	if (res)
		log_warnx("gpstore: TA %s: corrupt object, not removed: %s", u,
			  tee_error_name(res));
	else if (kept[0])
		log_warnx("gpstore: TA %s: corrupt object kept as %s", u, kept);
	else
		log_warnx("gpstore: TA %s: corrupt object deleted%s", u,
			  keep ? " (its file was missing)" : "");
}

void gps_corrupt_obj(struct gpstore *g, struct gps_share *sh, void *o)
{
	struct by_obj a = {g->ops[sh->slot], o};

	gps_share_mark_gone(g, sh);
	apply(g, sh->slot, &sh->ta, remove_obj, &a);
	gps_share_unlink(g, sh);
}

void gps_corrupt_id(struct gpstore *g, struct gps_share *sh)
{
	struct by_id a = {g->ops[sh->slot], g->store[sh->slot], &sh->ta, sh->id,
			  sh->id_len};

	gps_share_mark_gone(g, sh);
	apply(g, sh->slot, &sh->ta, remove_by_id, &a);
	gps_share_unlink(g, sh);
}
