/*
 * rpmbfs: OP-TEE's RPMB file system (core/tee/tee_rpmb_fs.c) on an eMMC
 * RPMB partition reached through OP-TEE's legacy RPMB RPC, with the GP
 * object layout of the REE FS engine on top (docs/rpmbfs.md).
 *
 * On the partition (byte-compatible with OP-TEE, reference §4): the
 * partition header at 0, the FAT from 512 (256-byte entries, the first
 * inactive entry flagged LAST ends it), file data allocated from the top
 * down, each file AES-128-CBC-ESSIV encrypted per 256-byte block with its
 * own FEK, stored TSK-wrapped in its FAT entry. A file is named
 * "/<TA UUID hex>/<object ID hex>" and holds OP-TEE's object stream: the
 * 24-byte head, the attribute blob, then the data.
 *
 * Atomicity: every change ends in one single-frame FAT entry write (the
 * commit point) or is one reliable multi-block write in place; after a
 * crash at any frame a file is old or new. Every authenticated write is
 * verified (result, counter, MAC); one whose outcome is unknown is
 * resolved by re-reading the counter (and the data) after fencing the
 * old request off, so a lost answer never leaves the device unusable.
 *
 * The object API mirrors tstore.h (same head/info types, same error
 * codes, same shared-struct-per-object rule) so that gpstore can serve
 * TEE_STORAGE_PRIVATE_RPMB through it. One lock serialises the FS (the
 * device serialises requests anyway).
 */
#ifndef TEESTORE_RPMBFS_H
#define TEESTORE_RPMBFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tee_api_types.h"
#include "tstore.h"

/*
 * The seam to the RPMB device: one call of OP-TEE's legacy RPMB RPC.
 * cmd RPMBFS_CMD_DATA (0): req holds req_len/512 request frames, resp
 * receives resp_len/512 response frames; cmd RPMBFS_CMD_INFO (1): req_len
 * 0, resp receives the 19-byte device info. Returns TEE_SUCCESS when the
 * RPC worked (the device's verdict is in the frames), an error when it
 * did not. This is suppl_link_rpmb's shape (the 6-byte header is the
 * transport's to build).
 */
#define RPMBFS_CMD_DATA 0
#define RPMBFS_CMD_INFO 1
struct rpmb_transport {
	TEE_Result (*request)(void *arg, uint32_t cmd, const void *req,
			      size_t req_len, void *resp, size_t resp_len);
	void *arg;
};

struct rpmbfs_config {
	const uint8_t *huk; /* 1..32 bytes */
	size_t huk_len;
	bool subkey_compat; /* CFG_CORE_HUK_SUBKEY_COMPAT (OP-TEE: y) */
	/*
	 * OP-TEE's own write pattern (benchmark baseline): one frame per
	 * authenticated write, in-place updates only inside one block.
	 */
	bool one_block_writes;
};

/* OP-TEE's defaults for huk. */
void rpmbfs_config_init(struct rpmbfs_config *cfg, const uint8_t *huk,
			size_t huk_len);

struct rpmbfs;
struct rpmbfs_obj;

struct rpmbfs_stats {
	uint64_t requests;	 /* transport calls */
	uint64_t writes;	 /* authenticated writes */
	uint64_t frames_written; /* ... their frames */
	uint64_t reads;		 /* authenticated reads */
	uint64_t relocations;	 /* files copied to a new region */
	uint64_t resolved;	 /* ambiguous writes found written */
	uint64_t fenced;	 /* ambiguous writes found not written */
	uint64_t fat_loads;	 /* FAT cache (re)loads */
};

/*
 * Programs the RPMB key derived from the HUK and the device's CID
 * (keys_derive_rpmb_key). The key is one-time programmable: SUCCESS
 * when programmed now or already holding this key, SECURITY when the
 * device holds another key, COMMUNICATION when the device is unreachable.
 * Logs what it did.
 */
TEE_Result rpmbfs_provision(const struct rpmb_transport *t,
			    const struct rpmbfs_config *cfg);

/*
 * Mounts (formatting an empty partition as OP-TEE does). Errors:
 * NOT_SUPPORTED (no RPMB device behind the transport),
 * ITEM_NOT_FOUND (no key programmed: run the provisioning), SECURITY (the
 * device holds another key, or answers are not authentic),
 * COMMUNICATION, ACCESS_DENIED (another FS version), OUT_OF_MEMORY. The
 * transport is copied; what it points to stays the caller's.
 */
TEE_Result rpmbfs_open(const struct rpmb_transport *t,
		       const struct rpmbfs_config *cfg, struct rpmbfs **out);
/* Every object must have been released. NULL: no-op. */
void rpmbfs_close(struct rpmbfs *fs);

/* The tstore-shaped object API (see tstore.h for each call's contract). */
TEE_Result rpmbfs_create(struct rpmbfs *fs, const TEE_UUID *ta, const void *id,
			 size_t id_len, const struct tstore_head *head,
			 const void *attrs, size_t attr_len, const void *data,
			 size_t data_len, bool overwrite,
			 struct rpmbfs_obj **out);
TEE_Result rpmbfs_open_obj(struct rpmbfs *fs, const TEE_UUID *ta,
			   const void *id, size_t id_len,
			   struct rpmbfs_obj **out);
void rpmbfs_release(struct rpmbfs_obj *o);
TEE_Result rpmbfs_read(struct rpmbfs_obj *o, uint64_t pos, void *buf,
		       size_t len, size_t *got);
TEE_Result rpmbfs_write(struct rpmbfs_obj *o, uint64_t pos, const void *buf,
			size_t len);
TEE_Result rpmbfs_truncate(struct rpmbfs_obj *o, uint64_t len);
TEE_Result rpmbfs_rename(struct rpmbfs_obj *o, const void *new_id,
			 size_t new_len);
TEE_Result rpmbfs_remove(struct rpmbfs_obj *o);
TEE_Result rpmbfs_remove_id(struct rpmbfs *fs, const TEE_UUID *ta,
			    const void *id, size_t id_len);
/* info->file_number is the FAT entry's index. */
TEE_Result rpmbfs_info(struct rpmbfs_obj *o, struct tstore_info *info);
TEE_Result rpmbfs_read_attrs(struct rpmbfs_obj *o, void *buf, size_t len,
			     size_t *attr_len);
TEE_Result rpmbfs_set_head(struct rpmbfs_obj *o,
			   const struct tstore_head *head);
void rpmbfs_obj_id(struct rpmbfs_obj *o, TEE_UUID *ta, uint8_t *id,
		   size_t *id_len);
/* Cursor = the next FAT index to look at. */
TEE_Result rpmbfs_enum_next(struct rpmbfs *fs, const TEE_UUID *ta,
			    uint64_t *cursor, TEE_UUID *ta_out, uint8_t *id,
			    size_t *id_len);

/*
 * Raw files outside the object namespace, named as OP-TEE names them
 * (e.g. "dirfile.db.hash" of CFG_REE_FS_INTEGRITY_RPMB; a name has no
 * '/', and its FAT entry is named "/" + name as OP-TEE's
 * tee_rpmb_fs_raw_open names it), their FEK wrapped with the TSK of the nil UUID as
 * OP-TEE's tee_rpmb_fs_raw_open does. read: ITEM_NOT_FOUND if none,
 * SHORT_BUFFER (*len set) if cap is too small. write: creates or replaces
 * the whole file atomically (one FAT entry commit); len 1..partition.
 */
TEE_Result rpmbfs_raw_read(struct rpmbfs *fs, const char *name, void *buf,
			   size_t cap, size_t *len);
TEE_Result rpmbfs_raw_write(struct rpmbfs *fs, const char *name,
			    const void *data, size_t len);

void rpmbfs_get_stats(struct rpmbfs *fs, struct rpmbfs_stats *st);

/* Free bytes of the data area (tests, tools). */
TEE_Result rpmbfs_free_space(struct rpmbfs *fs, uint64_t *bytes);

#endif
