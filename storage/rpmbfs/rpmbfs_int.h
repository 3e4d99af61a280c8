/*
 * Internals of rpmbfs (storage/rpmbfs only): the frame layer (rpmbfs_link.c),
 * the FAT and its cache (rpmbfs_fat.c), file contents (rpmbfs_file.c) and
 * the object layer (rpmbfs_obj.c). Layouts: docs/rpmbfs.md.
 */
#ifndef TEESTORE_RPMBFS_INT_H
#define TEESTORE_RPMBFS_INT_H

#include <pthread.h>

#include "keys.h"
#include "rpmb_frame.h"
#include "rpmbfs.h"

#define RPMBFS_MAGIC	       0x52504D42u
#define RPMBFS_VERSION	       2u
#define RPMBFS_FAT_START       512u
#define RPMBFS_FAT_START_BLK   (RPMBFS_FAT_START / RPMB_BLOCK_SIZE)
#define RPMBFS_ENTRY_SIZE      256u
#define RPMBFS_NAME_LEN	       224u
#define RPMBFS_FILE_ACTIVE     (1u << 0)
#define RPMBFS_FILE_LAST       (1u << 1)
#define RPMBFS_READ_MAX_BLOCKS 64u    /* frames per authenticated read */
#define RPMBFS_MAX_BLOCKS      65536u /* 16-bit block addresses */

/* The frame layer: one RPMB device with its key and write counter. */
struct rpmbfs_link {
	struct rpmb_transport t;
	uint8_t key[RPMB_KEY_SIZE];
	uint8_t cid[RPMB_CID_SIZE];
	uint32_t nblocks;   /* partition size in 256-byte blocks */
	uint32_t max_write; /* frames per authenticated write */
	uint32_t counter;   /* the next write's counter, if counter_ok */
	bool counter_ok;
	/* Block 0 as last read or written: what a fence rewrites. */
	uint8_t fence_block[RPMB_BLOCK_SIZE];
	struct rpmbfs_stats *stats;
};

/* Reads the device info (cid, size, reliable write count). */
TEE_Result rpmbfs_link_info(struct rpmbfs_link *l);
/* Authenticated counter read with a fresh nonce into l->counter. */
TEE_Result rpmbfs_link_read_counter(struct rpmbfs_link *l);
/* Authenticated read of n blocks (n <= RPMBFS_READ_MAX_BLOCKS). */
TEE_Result rpmbfs_link_read(struct rpmbfs_link *l, uint32_t blk, uint32_t n,
			    uint8_t *out);
/*
 * Authenticated write of n blocks (n <= l->max_write), verified; an
 * unclear outcome is resolved (docs/rpmbfs.md "Ambiguous writes").
 * SUCCESS means the blocks are on the device.
 */
TEE_Result rpmbfs_link_write(struct rpmbfs_link *l, uint32_t blk, uint32_t n,
			     const uint8_t *data);
/*
 * Re-reads the counter and burns it with a rewrite of block 0, so that no
 * request built before can land any more. Used at mount and after doubt.
 */
TEE_Result rpmbfs_link_fence(struct rpmbfs_link *l);
/* Key programming (provisioning). */
TEE_Result rpmbfs_link_program_key(struct rpmbfs_link *l);

/* A FAT entry, decoded. */
struct rpmbfs_fat_entry {
	uint32_t start;		    /* byte address */
	uint32_t size;		    /* bytes */
	uint32_t flags;		    /* RPMBFS_FILE_* */
	uint32_t unused;	    /* kept as found */
	uint8_t fek[KEYS_FEK_SIZE]; /* TSK-wrapped */
	char name[RPMBFS_NAME_LEN];
};

void rpmbfs_fat_encode(const struct rpmbfs_fat_entry *e, uint8_t *out);
void rpmbfs_fat_decode(const uint8_t *in, struct rpmbfs_fat_entry *e);
/* "/<uuid hex>/<id hex>", uppercase, into name[RPMBFS_NAME_LEN]. */
void rpmbfs_make_name(const TEE_UUID *ta, const void *id, size_t id_len,
		      char *name);
/* Parses a name; false if not an object name of this form. */
bool rpmbfs_parse_name(const char *name, TEE_UUID *ta, uint8_t *id,
		       size_t *id_len);

struct rpmbfs {
	pthread_mutex_t lock; /* everything below */
	struct rpmbfs_link link;
	struct keys *keys;
	struct rpmbfs_config cfg;
	struct rpmbfs_stats stats;
	/* The FAT cache: entries up to and including the LAST one. */
	struct rpmbfs_fat_entry *fat;
	uint32_t nfat;
	bool fat_ok;		 /* false: reload (after a fence) before use */
	uint32_t gen;		 /* bumped at every reload: heads re-read */
	struct rpmbfs_obj *objs; /* open objects */
};

/* FAT (rpmbfs_fat.c); lock held. */
TEE_Result rpmbfs_fat_sync(struct rpmbfs *fs); /* reload if needed */
TEE_Result rpmbfs_fat_format_if_needed(struct rpmbfs *fs);
/* The active entry named name, or -1. */
long rpmbfs_fat_find(struct rpmbfs *fs, const char *name);
/*
 * A region of nblk free blocks for a file (highest fit below the
 * partition's end); *slot receives a FAT slot for a new entry when
 * new_slot (else it is left). STORAGE_NO_SPACE if none.
 */
TEE_Result rpmbfs_fat_alloc(struct rpmbfs *fs, uint32_t nblk, bool new_slot,
			    uint32_t *start_blk, uint32_t *slot);
/* Writes entry slot (the commit point); extends the FAT first if needed. */
TEE_Result rpmbfs_fat_commit(struct rpmbfs *fs, uint32_t slot,
			     const struct rpmbfs_fat_entry *e);
/* Free data blocks (for rpmbfs_free_space). */
uint64_t rpmbfs_fat_free_blocks(struct rpmbfs *fs);
/* Marks the cache doubtful (after any failed write). */
void rpmbfs_fat_doubt(struct rpmbfs *fs);

/* Block crypto and file I/O (rpmbfs_file.c). */
/* n blocks in place, the first at absolute block blk (ESSIV per block). */
TEE_Result rpmbfs_crypt_blocks(const uint8_t fek[KEYS_FEK_SIZE], uint32_t blk,
			       uint32_t n, uint8_t *buf, bool enc);
/* Plaintext [off, off+len) of the file at start (byte address). */
TEE_Result rpmbfs_file_read(struct rpmbfs *fs, uint32_t start,
			    const uint8_t fek[KEYS_FEK_SIZE], uint64_t off,
			    void *buf, size_t len);
/* Plaintext source for a new region: fills [off, off+len). */
struct rpmbfs_src {
	TEE_Result (*get)(void *arg, uint64_t off, uint8_t *buf, size_t len);
	void *arg;
};
/* Writes size bytes from src to a new region at start_blk. */
TEE_Result rpmbfs_file_fill(struct rpmbfs *fs, uint32_t start_blk,
			    uint32_t size, const uint8_t fek[KEYS_FEK_SIZE],
			    const struct rpmbfs_src *src);
/*
 * Writes [off, off+len) in place (file at start): one reliable write,
 * so the caller checks that it spans at most max_write blocks.
 */
TEE_Result rpmbfs_file_patch(struct rpmbfs *fs, uint32_t start, uint32_t size,
			     const uint8_t fek[KEYS_FEK_SIZE], uint64_t off,
			     const void *buf, size_t len);
/* Blocks spanned by [off, off+len). */
uint32_t rpmbfs_span_blocks(uint64_t off, size_t len);

static inline uint32_t rpmbfs_blocks(uint64_t bytes)
{
	return (uint32_t)((bytes + RPMB_BLOCK_SIZE - 1) / RPMB_BLOCK_SIZE);
}

#endif
