/*
 * The partition header and the FAT (docs/rpmbfs.md "Layout"): encoding,
 * the in-memory cache of every entry, allocation from the top and the
 * FAT entry write that commits every change.
 */
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "log.h"
#include "rpmbfs_int.h"

void rpmbfs_fat_encode(const struct rpmbfs_fat_entry *e, uint8_t *out)
{
	memset(out, 0, RPMBFS_ENTRY_SIZE);
	put_le32(out + 0, e->start);
	put_le32(out + 4, e->size);
	put_le32(out + 8, e->flags);
	put_le32(out + 12, e->unused);
	memcpy(out + 16, e->fek, KEYS_FEK_SIZE);
	memcpy(out + 32, e->name, strnlen(e->name, RPMBFS_NAME_LEN - 1));
}

void rpmbfs_fat_decode(const uint8_t *in, struct rpmbfs_fat_entry *e)
{
	e->start = get_le32(in + 0);
	e->size = get_le32(in + 4);
	e->flags = get_le32(in + 8);
	e->unused = get_le32(in + 12);
	memcpy(e->fek, in + 16, KEYS_FEK_SIZE);
	memcpy(e->name, in + 32, RPMBFS_NAME_LEN);
	e->name[RPMBFS_NAME_LEN - 1] = '\0'; /* hostile or foreign: bound it */
}

static void hex_upper(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
}

/* The TEE_UUID's 16 bytes as they lie in OP-TEE's (little-endian) memory. */
static void uuid_bytes(const TEE_UUID *u, uint8_t out[16])
{
	put_le32(out, u->timeLow);
	put_le16(out + 4, u->timeMid);
	put_le16(out + 6, u->timeHiAndVersion);
	memcpy(out + 8, u->clockSeqAndNode, 8);
}

void rpmbfs_make_name(const TEE_UUID *ta, const void *id, size_t id_len,
		      char *name)
{
	uint8_t u[16];

	memset(name, 0, RPMBFS_NAME_LEN);
	uuid_bytes(ta, u);
	name[0] = '/';
	hex_upper(u, sizeof(u), name + 1);
	name[33] = '/';
	hex_upper(id, id_len, name + 34);
}

static int unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool parse_hex(const char *s, size_t nbytes, uint8_t *out)
{
	size_t i;

	for (i = 0; i < nbytes; i++) {
		int hi = unhex(s[2 * i]), lo = unhex(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

bool rpmbfs_parse_name(const char *name, TEE_UUID *ta, uint8_t *id,
		       size_t *id_len)
{
	size_t len = strnlen(name, RPMBFS_NAME_LEN);
	uint8_t u[16];

	/* A temporary name ("/<uuid>/.<id>") is no object's. */
	if (len < 34 || name[0] != '/' || name[33] != '/' || (len - 34) % 2 ||
	    (len - 34) / 2 > TSTORE_ID_MAX)
		return false;
	if (!parse_hex(name + 1, 16, u) ||
	    !parse_hex(name + 34, (len - 34) / 2, id))
		return false;
	ta->timeLow = get_le32(u);
	ta->timeMid = get_le16(u + 4);
	ta->timeHiAndVersion = get_le16(u + 6);
	memcpy(ta->clockSeqAndNode, u + 8, 8);
	*id_len = (len - 34) / 2;
	return true;
}

void rpmbfs_fat_doubt(struct rpmbfs *fs)
{
	fs->fat_ok = false;
}

/* An active entry's blocks, or false when it points outside the data. */
static bool entry_region(const struct rpmbfs *fs,
			 const struct rpmbfs_fat_entry *e, uint32_t *b0,
			 uint32_t *nb)
{
	if (!(e->flags & RPMBFS_FILE_ACTIVE) || !e->size)
		return false;
	if (e->start % RPMB_BLOCK_SIZE ||
	    (uint64_t)e->start + e->size >
		(uint64_t)fs->link.nblocks * RPMB_BLOCK_SIZE)
		return false;
	*b0 = e->start / RPMB_BLOCK_SIZE;
	*nb = rpmbfs_blocks(e->size);
	return true;
}

static TEE_Result fat_load(struct rpmbfs *fs)
{
	uint32_t max = (fs->link.nblocks - RPMBFS_FAT_START_BLK);
	uint8_t *buf = malloc(RPMBFS_READ_MAX_BLOCKS * RPMB_BLOCK_SIZE);
	struct rpmbfs_fat_entry *fat = NULL;
	TEE_Result res = TEE_SUCCESS;
	uint32_t n = 0, cap = 0;
	bool last = false;

	if (!buf)
		return TEE_ERROR_OUT_OF_MEMORY;
	fs->stats.fat_loads++;
	while (!last) {
		uint32_t k = max - n, i;

		if (!k) {
			log_warnx("rpmbfs: the FAT has no last entry");
			res = TEE_ERROR_CORRUPT_OBJECT;
			goto out;
		}
		if (k > RPMBFS_READ_MAX_BLOCKS)
			k = RPMBFS_READ_MAX_BLOCKS;
		res = rpmbfs_link_read(&fs->link, RPMBFS_FAT_START_BLK + n, k,
				       buf);
		if (res)
			goto out;
		if (n + k > cap) {
			struct rpmbfs_fat_entry *nf;

			cap = (n + k) * 2;
			if (cap > max)
				cap = max;
			nf = realloc(fat, (size_t)cap * sizeof(*fat));
			if (!nf) {
				res = TEE_ERROR_OUT_OF_MEMORY;
				goto out;
			}
			fat = nf;
		}
		for (i = 0; i < k && !last; i++) {
			rpmbfs_fat_decode(buf + (size_t)i * RPMB_BLOCK_SIZE,
					  &fat[n]);
			last = fat[n++].flags & RPMBFS_FILE_LAST;
		}
	}
	free(fs->fat);
	fs->fat = fat;
	fs->nfat = n;
	fat = NULL;
	fs->fat_ok = true;
	fs->gen++;
out:
	free(fat);
	free(buf);
	return res;
}

TEE_Result rpmbfs_fat_sync(struct rpmbfs *fs)
{
	TEE_Result res;

	if (fs->fat_ok && fs->link.counter_ok)
		return TEE_SUCCESS;
	/* Doubt: fence off anything in flight, then trust only the device. */
	res = rpmbfs_link_fence(&fs->link);
	if (res)
		return res;
	return fat_load(fs);
}

TEE_Result rpmbfs_fat_format_if_needed(struct rpmbfs *fs)
{
	uint8_t blk[RPMB_BLOCK_SIZE];
	struct rpmbfs_fat_entry last;
	TEE_Result res;

	res = rpmbfs_link_read(&fs->link, 0, 1, blk);
	if (res)
		return res;
	if (get_le32(blk) == RPMBFS_MAGIC) {
		if (get_le32(blk + 4) != RPMBFS_VERSION) {
			log_warnx("rpmbfs: RPMB FS version %u, not %u",
				  get_le32(blk + 4), RPMBFS_VERSION);
			return TEE_ERROR_ACCESS_DENIED;
		}
		if (get_le32(blk + 12) != RPMBFS_FAT_START) {
			log_warnx("rpmbfs: unexpected FAT start %u",
				  get_le32(blk + 12));
			return TEE_ERROR_ACCESS_DENIED;
		}
		return TEE_SUCCESS;
	}
	/* As OP-TEE: the last FAT entry first, then the header. */
	log_info("rpmbfs: formatting the RPMB partition (%u blocks)",
		 fs->link.nblocks);
	memset(&last, 0, sizeof(last));
	last.flags = RPMBFS_FILE_LAST;
	rpmbfs_fat_encode(&last, blk);
	res = rpmbfs_link_write(&fs->link, RPMBFS_FAT_START_BLK, 1, blk);
	if (res)
		return res;
	memset(blk, 0, sizeof(blk));
	put_le32(blk, RPMBFS_MAGIC);
	put_le32(blk + 4, RPMBFS_VERSION);
	put_le32(blk + 8, 0);
	put_le32(blk + 12, RPMBFS_FAT_START);
	return rpmbfs_link_write(&fs->link, 0, 1, blk);
}

long rpmbfs_fat_find(struct rpmbfs *fs, const char *name)
{
	uint32_t i;

	for (i = 0; i < fs->nfat; i++)
		if ((fs->fat[i].flags & RPMBFS_FILE_ACTIVE) &&
		    strncmp(fs->fat[i].name, name, RPMBFS_NAME_LEN) == 0)
			return (long)i;
	return -1;
}

static int region_cmp_desc(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;

	return x[0] < y[0] ? 1 : x[0] > y[0] ? -1 : 0;
}

/*
 * Used regions [start, end) sorted by start, highest first; out holds
 * 2 * nfat values. Returns the count.
 */
static uint32_t used_regions(struct rpmbfs *fs, uint32_t *out)
{
	uint32_t i, n = 0, b0, nb;

	for (i = 0; i < fs->nfat; i++) {
		if (!entry_region(fs, &fs->fat[i], &b0, &nb))
			continue;
		out[2 * n] = b0;
		out[2 * n + 1] = b0 + nb;
		n++;
	}
	qsort(out, n, 2 * sizeof(uint32_t), region_cmp_desc);
	return n;
}

/* The first FAT slot a new entry takes: a free one, else the LAST one. */
static uint32_t free_slot(struct rpmbfs *fs)
{
	uint32_t i;

	for (i = 0; i + 1 < fs->nfat; i++)
		if (!(fs->fat[i].flags & RPMBFS_FILE_ACTIVE))
			return i;
	return fs->nfat - 1;
}

/* Blocks [0, fat_end) hold the header and the FAT. */
static uint32_t fat_end(struct rpmbfs *fs, bool grows)
{
	return RPMBFS_FAT_START_BLK + fs->nfat + (grows ? 1 : 0);
}

TEE_Result rpmbfs_fat_alloc(struct rpmbfs *fs, uint32_t nblk, bool new_slot,
			    uint32_t *start_blk, uint32_t *slot)
{
	uint32_t *reg = malloc((size_t)(fs->nfat + 1) * 2 * sizeof(uint32_t));
	uint32_t n, i, top = fs->link.nblocks, floor;
	TEE_Result res = TEE_ERROR_STORAGE_NO_SPACE;
	bool grows = false;

	if (!reg)
		return TEE_ERROR_OUT_OF_MEMORY;
	if (new_slot) {
		*slot = free_slot(fs);
		grows = *slot == fs->nfat - 1;
	}
	floor = fat_end(fs, grows);
	n = used_regions(fs, reg);
	for (i = 0; i <= n; i++) {
		uint32_t low = i < n ? reg[2 * i + 1] : floor;

		if (low < floor)
			low = floor;
		if (top >= low && top - low >= nblk) {
			*start_blk = top - nblk;
			res = TEE_SUCCESS;
			break;
		}
		if (i < n && reg[2 * i] < top)
			top = reg[2 * i];
	}
	free(reg);
	return res;
}

uint64_t rpmbfs_fat_free_blocks(struct rpmbfs *fs)
{
	uint64_t used = fat_end(fs, false);
	uint32_t i, b0, nb;

	for (i = 0; i < fs->nfat; i++)
		if (entry_region(fs, &fs->fat[i], &b0, &nb))
			used += nb;
	return used > fs->link.nblocks ? 0 : fs->link.nblocks - used;
}

/* Appends a LAST entry after the current last one (not yet reachable). */
static TEE_Result fat_grow(struct rpmbfs *fs)
{
	uint8_t blk[RPMB_BLOCK_SIZE];
	struct rpmbfs_fat_entry last, *nf;
	TEE_Result res;

	uint32_t i, b0, nb, lowest = fs->link.nblocks;

	for (i = 0; i < fs->nfat; i++)
		if (entry_region(fs, &fs->fat[i], &b0, &nb) && b0 < lowest)
			lowest = b0;
	if (fat_end(fs, true) > lowest)
		return TEE_ERROR_STORAGE_NO_SPACE;
	nf = realloc(fs->fat, (size_t)(fs->nfat + 1) * sizeof(*nf));
	if (!nf)
		return TEE_ERROR_OUT_OF_MEMORY;
	fs->fat = nf;
	memset(&last, 0, sizeof(last));
	last.flags = RPMBFS_FILE_LAST;
	rpmbfs_fat_encode(&last, blk);
	res = rpmbfs_link_write(&fs->link, RPMBFS_FAT_START_BLK + fs->nfat, 1,
				blk);
	if (res)
		return res;
	fs->fat[fs->nfat++] = last;
	return TEE_SUCCESS;
}

TEE_Result rpmbfs_fat_commit(struct rpmbfs *fs, uint32_t slot,
			     const struct rpmbfs_fat_entry *e)
{
	uint8_t blk[RPMB_BLOCK_SIZE];
	struct rpmbfs_fat_entry ne = *e;
	TEE_Result res;

	if (slot >= fs->nfat)
		return TEE_ERROR_BAD_STATE;
	if (slot == fs->nfat - 1) {
		if (!(ne.flags & RPMBFS_FILE_ACTIVE))
			ne.flags |= RPMBFS_FILE_LAST;
		else {
			res = fat_grow(fs);
			if (res)
				goto fail;
			ne.flags &= ~RPMBFS_FILE_LAST;
		}
	}
	rpmbfs_fat_encode(&ne, blk);
	res = rpmbfs_link_write(&fs->link, RPMBFS_FAT_START_BLK + slot, 1, blk);
	if (res)
		goto fail;
	fs->fat[slot] = ne;
	return TEE_SUCCESS;
fail:
	rpmbfs_fat_doubt(fs);
	return res;
}
