/*
 * The store: the storages gpstore serves, storage IDs, the properties
 * and counters (gpstore.h, docs/gp-storage.md).
 */
#include <stdlib.h>
#include <string.h>

#include "gps_int.h"

void gpstore_config_init(struct gpstore_config *cfg, struct backend *ree,
			 const uint8_t *huk, size_t huk_len)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ree_backend = ree;
	tstore_config_init(&cfg->ree_cfg, huk, huk_len);
	cfg->corrupt_policy = GPSTORE_CORRUPT_KEEP;
	cfg->anti_rollback_level = 100;
}

TEE_Result gpstore_new(const struct gpstore_config *cfg, struct gpstore **out)
{
	struct gpstore *g;
	TEE_Result res = TEE_SUCCESS;

	if (cfg->corrupt_policy != GPSTORE_CORRUPT_KEEP &&
	    cfg->corrupt_policy != GPSTORE_CORRUPT_DELETE)
		return TEE_ERROR_BAD_PARAMETERS;
	g = calloc(1, sizeof(*g));
	if (!g)
		return TEE_ERROR_OUT_OF_MEMORY;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->share_cv, NULL);
	g->policy = cfg->corrupt_policy;
	g->anti_rollback_level = cfg->anti_rollback_level;
	if (cfg->ree_backend) {
		res = gps_qbackend_new(cfg->ree_backend, &g->qbe);
		if (!res)
			res = tstore_open(g->qbe, &cfg->ree_cfg,
					  &g->ts[GPS_SLOT_REE]);
		g->ops[GPS_SLOT_REE] = &gps_tstore_ops;
		g->store[GPS_SLOT_REE] = g->ts[GPS_SLOT_REE];
	}
	g->ops[GPS_SLOT_RPMB] = &gps_rpmbfs_ops;
	g->store[GPS_SLOT_RPMB] = cfg->rpmb;
	if (res) {
		gpstore_destroy(g);
		return res;
	}
	*out = g;
	return TEE_SUCCESS;
}

void gpstore_destroy(struct gpstore *g)
{
	unsigned i;

	if (!g)
		return;
	for (i = 0; i < GPS_NSLOTS; i++)
		tstore_close(g->ts[i]);
	backend_destroy(g->qbe);
	pthread_cond_destroy(&g->share_cv);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

/*
 * TEE_STORAGE_PRIVATE is the REE FS here (OP-TEE with CFG_REE_FS): the
 * same objects under both IDs, the same sharing. TEE_STORAGE_PRIVATE_RPMB
 * is the RPMB FS when teed has one.
 */
bool gps_slot_of(struct gpstore *g, uint32_t storage_id, unsigned *slot)
{
	switch (storage_id) {
	case TEE_STORAGE_PRIVATE:
	case TEE_STORAGE_PRIVATE_REE:
		*slot = GPS_SLOT_REE;
		break;
	case TEE_STORAGE_PRIVATE_RPMB:
		*slot = GPS_SLOT_RPMB;
		break;
	default:
		return false;
	}
	return g->store[*slot] != NULL;
}

struct tstore *gpstore_tstore(struct gpstore *g, uint32_t storage_id)
{
	unsigned slot;

	return gps_slot_of(g, storage_id, &slot) ? g->ts[slot] : NULL;
}

size_t gpstore_properties(const struct gpstore *g,
			  struct gpstore_prop props[GPSTORE_NPROPS])
{
	/* GP 1.1 name, GP 1.0 name, GP 1.2+ per-storage name. */
	props[0].name = "gpd.tee.trustedStorage.antiRollback.protectionLevel";
	props[1].name =
	    "gpd.tee.trustedStorage.rollbackDetection.protectionLevel";
	props[2].name = "gpd.tee.trustedStorage.private.rollbackProtection";
	props[0].value = g->anti_rollback_level;
	props[1].value = g->anti_rollback_level;
	props[2].value = g->anti_rollback_level;
	return GPSTORE_NPROPS;
}

void gpstore_get_stats(struct gpstore *g, struct gpstore_stats *st)
{
	pthread_mutex_lock(&g->lock);
	*st = g->stats;
	pthread_mutex_unlock(&g->lock);
}
