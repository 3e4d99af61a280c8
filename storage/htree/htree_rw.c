/*
 * Reading and writing the plaintext stream (docs/format.md, "Reads and
 * writes").
 *
 * Reads: the blocks of a range go to the backend in one submit (up to
 * HTREE_IO_OPS blocks), each whole block straight into the caller's
 * buffer and decrypted there in place; only a partial first or last block
 * lands in scratch.
 *
 * Writes: a whole block is encrypted straight into the batch's buffer
 * (batch_reserve_write), with no read. A partial block is read, modified
 * and rewritten; the last one so handled stays in a one-block plaintext
 * cache, so that small sequential writes do not read their block back.
 * A block's first write in a transaction flips its node's committed-block
 * bit, so every write goes to the uncommitted version.
 */
#include <string.h>

#include "htree_priv.h"
#include "tee_api_defines.h"

static uint64_t nblocks_of(uint64_t length)
{
	return (length + HTREE_BS - 1) / HTREE_BS;
}

void htree_cache_invalidate(struct htree *ht)
{
	ht->cache_valid = false;
}

static TEE_Result check_idle(const struct htree *ht)
{
	return ht->phase == HTREE_IDLE ? TEE_SUCCESS : TEE_ERROR_BAD_STATE;
}

/* Flushes b if it may hold a block this read needs. */
static TEE_Result flush_for_read(struct htree *ht, struct batch *b)
{
	if (b && batch_has_writes(b, ht->fh))
		return batch_flush(b);
	return TEE_SUCCESS;
}

/* Submits the n reads queued in ht->ops/io and decrypts them. */
static TEE_Result read_submit(struct htree *ht, size_t n)
{
	TEE_Result res;
	size_t i;

	res = backend_submit(ht->be, ht->ops, n);
	if (res != TEE_SUCCESS)
		return res;
	for (i = 0; i < n; i++) {
		struct htree_io *io = &ht->io[i];
		const struct htree_node *node =
		    htree_node(ht, (uint32_t)io->idx + 1);

		if (ht->ops[i].done != HTREE_BS)
			return TEE_ERROR_CORRUPT_OBJECT;
		res = htree_block_decrypt(ht, node, io->land, io->land);
		if (res != TEE_SUCCESS)
			return res;
		if (io->land != io->dst) {
			memcpy(io->dst, io->land + io->off, io->cnt);
			memcpy(ht->cache, io->land, HTREE_BS);
			ht->cache_idx = io->idx;
			ht->cache_valid = true;
		}
	}
	return TEE_SUCCESS;
}

/* Reads [pos, pos + len) of the stream, all within the length. */
static TEE_Result read_range(struct htree *ht, uint64_t pos, uint8_t *buf,
			     size_t len)
{
	uint64_t first = pos / HTREE_BS;
	size_t n = 0;
	TEE_Result res;

	while (len) {
		uint64_t idx = pos / HTREE_BS;
		uint32_t off = (uint32_t)(pos % HTREE_BS);
		uint32_t cnt = HTREE_BS - off;
		const struct htree_node *node =
		    htree_node(ht, (uint32_t)idx + 1);
		struct htree_io *io = &ht->io[n];

		if (cnt > len)
			cnt = (uint32_t)len;
		if (ht->cache_valid && ht->cache_idx == idx) {
			memcpy(buf, ht->cache + off, cnt);
			goto next;
		}
		*io = (struct htree_io){.idx = idx,
					.dst = buf,
					.off = off,
					.cnt = cnt,
					.land = buf};
		if (cnt != HTREE_BS)
			io->land = ht->scratch + (idx == first ? 0 : HTREE_BS);
		ht->ops[n] = (struct backend_op){
		    .type = BACKEND_OP_READ,
		    .fh = ht->fh,
		    .off = htree_layout_block_off(
			idx, node->flags & HTREE_FLAG_COMMITTED_BLOCK),
		    .buf = io->land,
		    .len = HTREE_BS,
		};
		n++;
		/* A full set, or the end: the cache must not change under
		 * blocks still queued, so submit before touching it. */
		if (n == HTREE_IO_OPS || cnt == len) {
			res = read_submit(ht, n);
			if (res != TEE_SUCCESS)
				return res;
			n = 0;
		}
	next:
		pos += cnt;
		buf += cnt;
		len -= cnt;
	}
	if (n)
		return read_submit(ht, n);
	return TEE_SUCCESS;
}

TEE_Result htree_read(struct htree *ht, struct batch *b, uint64_t pos,
		      void *buf, size_t len, size_t *got)
{
	TEE_Result res;
	size_t n;

	*got = 0;
	if (ht->phase == HTREE_BROKEN)
		return TEE_ERROR_BAD_STATE;
	if (pos >= ht->length || !len)
		return TEE_SUCCESS;
	n = ht->length - pos < len ? (size_t)(ht->length - pos) : len;
	res = flush_for_read(ht, b);
	if (res != TEE_SUCCESS)
		return res;
	res = read_range(ht, pos, buf, n);
	if (res != TEE_SUCCESS) {
		/* Nothing unverified reaches the caller. */
		memset(buf, 0, n);
		htree_cache_invalidate(ht);
		return res;
	}
	*got = n;
	return TEE_SUCCESS;
}

/* Makes node id exist (and every node below it): max_node_id grows. */
static TEE_Result grow_nodes(struct htree *ht, uint32_t id)
{
	uint32_t i;
	TEE_Result res;

	/* Block 0 lives in the root: max_node_id stays 0 (OP-TEE). */
	if (id <= 1 || id <= ht->max_node_id)
		return TEE_SUCCESS;
	res = htree_nodes_reserve(ht, id);
	if (res != TEE_SUCCESS)
		return res;
	for (i = ht->max_node_id + 1; i <= id; i++)
		htree_node_mark_dirty(ht, i);
	ht->max_node_id = id;
	if (id > ht->node_hw)
		ht->node_hw = id;
	return TEE_SUCCESS;
}

/* Encrypts one whole block (NULL: zeros) into the batch. */
static TEE_Result write_block(struct htree *ht, struct batch *b, uint64_t idx,
			      const void *plain)
{
	struct htree_node *node;
	TEE_Result res;
	void *dst;

	res = grow_nodes(ht, (uint32_t)idx + 1);
	if (res != TEE_SUCCESS)
		return res;
	node = htree_node(ht, (uint32_t)idx + 1);
	if (!(node->state & HTREE_NODE_BLOCK_UPDATED)) {
		node->flags ^= HTREE_FLAG_COMMITTED_BLOCK;
		node->state |= HTREE_NODE_BLOCK_UPDATED;
	}
	res = batch_reserve_write(
	    b, ht->fh,
	    htree_layout_block_off(idx,
				   node->flags & HTREE_FLAG_COMMITTED_BLOCK),
	    HTREE_BS, &dst);
	if (res != TEE_SUCCESS)
		return res;
	res = htree_block_encrypt(ht, node, plain, dst);
	if (res != TEE_SUCCESS)
		return res;
	htree_node_mark_dirty(ht, (uint32_t)idx + 1);
	ht->dirty = true;
	if (plain != ht->cache && ht->cache_valid && ht->cache_idx == idx)
		htree_cache_invalidate(ht);
	return TEE_SUCCESS;
}

/* Loads block idx's current plaintext into the cache. */
static TEE_Result cache_block(struct htree *ht, struct batch *b, uint64_t idx)
{
	TEE_Result res;

	if (ht->cache_valid && ht->cache_idx == idx)
		return TEE_SUCCESS;
	if (idx >= nblocks_of(ht->length)) {
		memset(ht->cache, 0, HTREE_BS);
	} else {
		/* Only a block written in this transaction can still be in
		 * the batch. */
		res = TEE_SUCCESS;
		if (htree_node(ht, (uint32_t)idx + 1)->state &
		    HTREE_NODE_BLOCK_UPDATED)
			res = flush_for_read(ht, b);
		if (res == TEE_SUCCESS)
			res =
			    read_range(ht, idx * HTREE_BS, ht->cache, HTREE_BS);
		if (res != TEE_SUCCESS) {
			htree_cache_invalidate(ht);
			return res;
		}
	}
	ht->cache_idx = idx;
	ht->cache_valid = true;
	return TEE_SUCCESS;
}

/* Writes [pos, pos + len) from src (NULL: zeros), growing the length. */
static TEE_Result write_range(struct htree *ht, struct batch *b, uint64_t pos,
			      const uint8_t *src, uint64_t len)
{
	TEE_Result res;

	while (len) {
		uint64_t idx = pos / HTREE_BS;
		uint32_t off = (uint32_t)(pos % HTREE_BS);
		uint64_t cnt = HTREE_BS - off;

		if (cnt > len)
			cnt = len;
		if (cnt == HTREE_BS) {
			res = write_block(ht, b, idx, src);
		} else {
			res = cache_block(ht, b, idx);
			if (res != TEE_SUCCESS)
				return res;
			if (src)
				memcpy(ht->cache + off, src, cnt);
			else
				memset(ht->cache + off, 0, cnt);
			res = write_block(ht, b, idx, ht->cache);
		}
		if (res != TEE_SUCCESS)
			return res;
		pos += cnt;
		len -= cnt;
		if (src)
			src += cnt;
		if (pos > ht->length) {
			ht->length = pos;
			htree_node_mark_dirty(ht, 1);
		}
	}
	return TEE_SUCCESS;
}

static TEE_Result check_new_end(uint64_t pos, uint64_t len)
{
	if (pos > HTREE_MAX_LENGTH || len > HTREE_MAX_LENGTH - pos)
		return TEE_ERROR_BAD_PARAMETERS;
	return TEE_SUCCESS;
}

TEE_Result htree_write(struct htree *ht, struct batch *b, uint64_t pos,
		       const void *buf, size_t len)
{
	TEE_Result res = check_idle(ht);

	if (res != TEE_SUCCESS)
		return res;
	if (!b || (!buf && len))
		return TEE_ERROR_BAD_PARAMETERS;
	if (!len)
		return TEE_SUCCESS;
	res = check_new_end(pos, len);
	if (res != TEE_SUCCESS)
		return res;
	if (pos > ht->length)
		res = write_range(ht, b, ht->length, NULL, pos - ht->length);
	if (res == TEE_SUCCESS)
		res = write_range(ht, b, pos, buf, len);
	if (res != TEE_SUCCESS)
		ht->phase = HTREE_BROKEN;
	return res;
}

/*
 * Drops the nodes past the new end. Unlike OP-TEE, the parent of each
 * removed node is marked dirty, so that its hash stops covering the child
 * (OP-TEE's next open then fails); and the REE file is not truncated here
 * (see htree_committed_file_size()).
 */
static void shrink(struct htree *ht, uint64_t len)
{
	uint64_t nblocks = nblocks_of(len);
	uint32_t new_max = nblocks > 1 ? (uint32_t)nblocks : 1;
	uint32_t id;

	if (ht->max_node_id > new_max) {
		for (id = new_max + 1; id <= ht->max_node_id; id++) {
			/* Removed records keep their flags (see node_hw) but
			 * leave the pending paths, so a re-added node marks
			 * its ancestors again. */
			htree_node(ht, id)->state &=
			    (uint8_t)~HTREE_NODE_PENDING;
			if (id / 2 <= new_max)
				htree_node_mark_dirty(ht, id / 2);
		}
		ht->max_node_id = new_max;
	}
	if (ht->cache_valid && ht->cache_idx >= nblocks)
		htree_cache_invalidate(ht);
	ht->length = len;
	htree_node_mark_dirty(ht, 1);
	ht->dirty = true;
}

TEE_Result htree_truncate(struct htree *ht, struct batch *b, uint64_t len)
{
	TEE_Result res = check_idle(ht);

	if (res != TEE_SUCCESS)
		return res;
	res = check_new_end(len, 0);
	if (res != TEE_SUCCESS)
		return res;
	if (len < ht->length) {
		shrink(ht, len);
		return TEE_SUCCESS;
	}
	if (len == ht->length)
		return TEE_SUCCESS;
	if (!b)
		return TEE_ERROR_BAD_PARAMETERS;
	res = write_range(ht, b, ht->length, NULL, len - ht->length);
	if (res != TEE_SUCCESS)
		ht->phase = HTREE_BROKEN;
	return res;
}
