/*
 * Mounting and provisioning the RPMB FS: device info, the key derived
 * from the HUK and the CID, the key check, OP-TEE's start-up counter
 * burn, formatting and the first FAT load (docs/rpmbfs.md "Start-up").
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rpmbfs_int.h"
#include "secmem.h"

void rpmbfs_config_init(struct rpmbfs_config *cfg, const uint8_t *huk,
			size_t huk_len)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->huk = huk;
	cfg->huk_len = huk_len;
	cfg->subkey_compat = true;
}

static TEE_Result link_init(struct rpmbfs_link *l,
			    const struct rpmb_transport *t,
			    const struct rpmbfs_config *cfg,
			    struct rpmbfs_stats *stats)
{
	TEE_Result res;

	memset(l, 0, sizeof(*l));
	l->t = *t;
	l->stats = stats;
	res = rpmbfs_link_info(l);
	if (res)
		return res;
	if (cfg->one_block_writes)
		l->max_write = 1;
	return keys_derive_rpmb_key(cfg->huk, cfg->huk_len, l->cid,
				    cfg->subkey_compat, l->key);
}

TEE_Result rpmbfs_provision(const struct rpmb_transport *t,
			    const struct rpmbfs_config *cfg)
{
	struct rpmbfs_stats stats;
	struct rpmbfs_link l;
	TEE_Result res;

	memset(&stats, 0, sizeof(stats));
	res = link_init(&l, t, cfg, &stats);
	if (res)
		goto out;
	res = rpmbfs_link_read_counter(&l);
	if (res == TEE_SUCCESS) {
		log_warnx("rpmbfs: the RPMB key is already programmed "
			  "(it matches the HUK and CID): nothing to do");
		goto out;
	}
	if (res != TEE_ERROR_ITEM_NOT_FOUND) {
		if (res == TEE_ERROR_SECURITY)
			log_warnx("rpmbfs: the RPMB device holds another key; "
				  "it cannot be reprogrammed");
		goto out;
	}
	/* Irreversible: logged as loudly as a warning. */
	log_warnx("rpmbfs: programming the RPMB key derived from the HUK and "
		  "the device CID (one-time, irreversible)");
	res = rpmbfs_link_program_key(&l);
	if (!res)
		res = rpmbfs_link_read_counter(&l);
	if (res)
		log_warnx("rpmbfs: programming the RPMB key failed (0x%x)",
			  res);
	else
		log_warnx("rpmbfs: RPMB key programmed, write counter %u",
			  l.counter);
out:
	secmem_wipe(&l, sizeof(l));
	return res;
}

static TEE_Result mount(struct rpmbfs *fs)
{
	TEE_Result res = rpmbfs_link_read_counter(&fs->link);

	if (res == TEE_ERROR_ITEM_NOT_FOUND) {
		log_info("rpmbfs: no RPMB key programmed: provision the "
			 "device first (teed --rpmb-provision)");
		return res;
	}
	if (res == TEE_ERROR_SECURITY) {
		log_warnx("rpmbfs: the RPMB device's key does not match this "
			  "HUK and CID (or its answers are forged): RPMB "
			  "storage unavailable");
		return res;
	}
	if (res)
		return res;
	/*
	 * OP-TEE's start-up write: burns the counter so that a request
	 * held back from an earlier run can never land.
	 */
	res = rpmbfs_link_fence(&fs->link);
	if (!res)
		res = rpmbfs_fat_format_if_needed(fs);
	if (!res)
		res = rpmbfs_fat_sync(fs);
	return res;
}

TEE_Result rpmbfs_open(const struct rpmb_transport *t,
		       const struct rpmbfs_config *cfg, struct rpmbfs **out)
{
	struct rpmbfs *fs = calloc(1, sizeof(*fs));
	TEE_Result res;

	if (!fs)
		return TEE_ERROR_OUT_OF_MEMORY;
	pthread_mutex_init(&fs->lock, NULL);
	fs->cfg = *cfg;
	fs->cfg.huk = NULL; /* not kept: the keys hold what is needed */
	res = link_init(&fs->link, t, cfg, &fs->stats);
	if (!res)
		res = keys_create(cfg->huk, cfg->huk_len, cfg->subkey_compat,
				  &fs->keys);
	if (!res)
		res = mount(fs);
	if (res) {
		rpmbfs_close(fs);
		return res == TEE_ERROR_COMMUNICATION
			   ? TEE_ERROR_STORAGE_NOT_AVAILABLE
			   : res;
	}
	*out = fs;
	return TEE_SUCCESS;
}

void rpmbfs_close(struct rpmbfs *fs)
{
	if (!fs)
		return;
	keys_destroy(fs->keys);
	free(fs->fat);
	pthread_mutex_destroy(&fs->lock);
	secmem_wipe(fs, sizeof(*fs));
	free(fs);
}

void rpmbfs_get_stats(struct rpmbfs *fs, struct rpmbfs_stats *st)
{
	pthread_mutex_lock(&fs->lock);
	*st = fs->stats;
	pthread_mutex_unlock(&fs->lock);
}

TEE_Result rpmbfs_free_space(struct rpmbfs *fs, uint64_t *bytes)
{
	TEE_Result res;

	pthread_mutex_lock(&fs->lock);
	res = rpmbfs_fat_sync(fs);
	if (!res)
		*bytes = rpmbfs_fat_free_blocks(fs) * RPMB_BLOCK_SIZE;
	pthread_mutex_unlock(&fs->lock);
	return res;
}
