/*
 * Files outside the object namespace, named as OP-TEE names them
 * ("dirfile.db.hash", CFG_REE_FS_INTEGRITY_RPMB; in the FAT
 * "/dirfile.db.hash"): OP-TEE opens them with
 * the nil TA UUID, so their FEK is wrapped with the TSK of 16 zero bytes
 * (keys_derive_rpmb_hash_tsk). A write replaces the whole file with one
 * FAT entry commit (docs/rpmbfs.md "Raw files").
 */
#include <string.h>

#include <openssl/rand.h>

#include "rpmbfs_int.h"
#include "secmem.h"

/*
 * The FAT name is "/" + name, as tee_rpmb_fs_raw_open builds it
 * ("/dirfile.db.hash"); it has no second '/' so it is never an object's
 * "/<uuid>/<id>".
 */
static TEE_Result raw_name(const char *name, char out[RPMBFS_NAME_LEN])
{
	size_t len = strlen(name);

	if (!len || len + 1 >= RPMBFS_NAME_LEN || strchr(name, '/'))
		return TEE_ERROR_BAD_PARAMETERS;
	memset(out, 0, RPMBFS_NAME_LEN);
	out[0] = '/';
	memcpy(out + 1, name, len);
	return TEE_SUCCESS;
}

/* enc = FEK wrapped (wrap) or fek = enc unwrapped, with the nil-UUID TSK. */
static TEE_Result raw_fek(struct rpmbfs *fs, uint8_t enc[KEYS_FEK_SIZE],
			  uint8_t fek[KEYS_FEK_SIZE], bool wrap)
{
	uint8_t tsk[KEYS_TSK_SIZE];
	TEE_Result res = keys_derive_rpmb_hash_tsk(fs->keys, tsk);

	if (!res)
		res = wrap ? keys_wrap_fek(tsk, fek, enc)
			   : keys_unwrap_fek(tsk, enc, fek);
	secmem_wipe(tsk, sizeof(tsk));
	return res;
}

TEE_Result rpmbfs_raw_read(struct rpmbfs *fs, const char *name, void *buf,
			   size_t cap, size_t *len)
{
	char n[RPMBFS_NAME_LEN];
	uint8_t fek[KEYS_FEK_SIZE];
	struct rpmbfs_fat_entry *e;
	TEE_Result res = raw_name(name, n);
	long slot;

	if (res)
		return res;
	pthread_mutex_lock(&fs->lock);
	res = rpmbfs_fat_sync(fs);
	if (res)
		goto out;
	slot = rpmbfs_fat_find(fs, n);
	if (slot < 0) {
		res = TEE_ERROR_ITEM_NOT_FOUND;
		goto out;
	}
	e = &fs->fat[slot];
	*len = e->size;
	if (cap < e->size) {
		res = TEE_ERROR_SHORT_BUFFER;
		goto out;
	}
	if (e->start % RPMB_BLOCK_SIZE ||
	    (uint64_t)e->start + e->size >
		(uint64_t)fs->link.nblocks * RPMB_BLOCK_SIZE) {
		res = TEE_ERROR_CORRUPT_OBJECT;
		goto out;
	}
	res = raw_fek(fs, e->fek, fek, false);
	if (!res)
		res = rpmbfs_file_read(fs, e->start, fek, 0, buf, e->size);
out:
	secmem_wipe(fek, sizeof(fek));
	pthread_mutex_unlock(&fs->lock);
	return res == TEE_ERROR_COMMUNICATION ? TEE_ERROR_STORAGE_NOT_AVAILABLE
					      : res;
}

struct raw_src {
	const uint8_t *data;
	size_t len;
};

static TEE_Result raw_get(void *arg, uint64_t off, uint8_t *buf, size_t len)
{
	struct raw_src *s = arg;

	if (off < s->len)
		memcpy(buf, s->data + off,
		       len < s->len - off ? len : (size_t)(s->len - off));
	return TEE_SUCCESS;
}

static TEE_Result raw_write_locked(struct rpmbfs *fs, const char *n,
				   const void *data, size_t len)
{
	struct raw_src rs = {data, len};
	struct rpmbfs_src s = {raw_get, &rs};
	struct rpmbfs_fat_entry e;
	uint8_t fek[KEYS_FEK_SIZE];
	uint32_t slot = 0, start = 0;
	TEE_Result res;
	long found;

	if (!len || len > UINT32_MAX)
		return TEE_ERROR_BAD_PARAMETERS;
	res = rpmbfs_fat_sync(fs);
	if (res)
		return res;
	found = rpmbfs_fat_find(fs, n);
	if (found >= 0)
		slot = (uint32_t)found;
	memset(&e, 0, sizeof(e));
	memcpy(e.name, n, RPMBFS_NAME_LEN);
	if (RAND_bytes(fek, sizeof(fek)) != 1)
		return TEE_ERROR_GENERIC;
	res = raw_fek(fs, e.fek, fek, true);
	if (!res)
		res = rpmbfs_fat_alloc(fs, rpmbfs_blocks(len), found < 0,
				       &start, &slot);
	if (!res)
		res = rpmbfs_file_fill(fs, start, (uint32_t)len, fek, &s);
	if (!res) {
		e.start = start * RPMB_BLOCK_SIZE;
		e.size = (uint32_t)len;
		e.flags = RPMBFS_FILE_ACTIVE;
		res = rpmbfs_fat_commit(fs, slot, &e);
	}
	secmem_wipe(fek, sizeof(fek));
	if (res && res != TEE_ERROR_STORAGE_NO_SPACE)
		rpmbfs_fat_doubt(fs);
	return res;
}

TEE_Result rpmbfs_raw_write(struct rpmbfs *fs, const char *name,
			    const void *data, size_t len)
{
	char n[RPMBFS_NAME_LEN];
	TEE_Result res = raw_name(name, n);

	if (res)
		return res;
	pthread_mutex_lock(&fs->lock);
	res = raw_write_locked(fs, n, data, len);
	pthread_mutex_unlock(&fs->lock);
	return res == TEE_ERROR_COMMUNICATION ? TEE_ERROR_STORAGE_NOT_AVAILABLE
					      : res;
}
