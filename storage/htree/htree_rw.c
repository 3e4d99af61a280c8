/*
 * Reading and writing the plaintext stream (docs/format.md, "Reads and
 * writes").
 *
 * Reads: the blocks of a range go to the backend in chunks of up to
 * READ_CHUNK blocks, each whole block straight into the caller's buffer
 * and decrypted there in place; only a partial first or last block lands
 * in scratch. The pool (htree_pool.h) decrypts one chunk while the next
 * is read.
 *
 * Writes: a whole block is encrypted straight into the batch's buffer
 * (batch_reserve_write), with no read; runs of whole blocks are reserved
 * first and encrypted together by the pool. A partial block is read, modified
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

/*
 * A read goes in chunks of up to READ_CHUNK blocks (256 KiB), one backend
 * submit each (one round trip over RPC), two chunks in flight: while the pool
 * decrypts chunk k (htree_pool.h), the calling thread reads chunk k + 1,
 * then helps finish chunk k. Chunk k uses half k % 2 of ht->ops and
 * ht->io. (Splitting the backend reads between threads as well was no
 * faster on POSIX and costs round trips over RPC: docs/benchmarks.md.)
 */
#define READ_CHUNK (HTREE_IO_OPS / 4)

struct read_chunk {
	struct backend_op *ops;
	struct htree_io *io;
	size_t n;
	bool started; /* decryption runs: finish before returning */
	struct htree_crypt blk[READ_CHUNK];
	struct htree_crypt_run run;
};

/* Reads the chunk's blocks from the backend (no decryption yet). */
static TEE_Result chunk_submit(struct htree *ht, struct read_chunk *c)
{
	TEE_Result res;
	size_t i;

	res = backend_submit(ht->be, c->ops, c->n);
	if (res != TEE_SUCCESS)
		return res;
	for (i = 0; i < c->n; i++)
		if (c->ops[i].done != HTREE_BS)
			return TEE_ERROR_CORRUPT_OBJECT;
	return TEE_SUCCESS;
}

/* Starts decrypting the chunk in place (in the pool if it is large). */
static void chunk_start(struct htree *ht, struct read_chunk *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		c->blk[i] = (struct htree_crypt){
		    .node = htree_node(ht, (uint32_t)c->io[i].idx + 1),
		    .in = c->io[i].land,
		    .out = c->io[i].land,
		};
	htree_crypt_start(ht, &c->run, false, c->blk, c->n);
	c->started = true;
}

/* Waits for the chunk's decryption; places partial blocks. */
static TEE_Result chunk_finish(struct htree *ht, struct read_chunk *c)
{
	TEE_Result res;
	size_t i;

	if (!c->started)
		return TEE_SUCCESS;
	c->started = false;
	res = htree_crypt_finish(&c->run);
	if (res != TEE_SUCCESS)
		return res;
	for (i = 0; i < c->n; i++) {
		struct htree_io *io = &c->io[i];

		if (io->land == io->dst)
			continue;
		memcpy(io->dst, io->land + io->off, io->cnt);
		memcpy(ht->cache, io->land, HTREE_BS);
		ht->cache_idx = io->idx;
		ht->cache_valid = true;
	}
	return TEE_SUCCESS;
}

/*
 * Queues the reads of [*pos, ...) into c until it is full or the range
 * ends. A block in the cache is copied at once: the cache changes only in
 * chunk_finish, and only to the range's first or last block, which no
 * later chunk of the range holds.
 */
static void chunk_fill(struct htree *ht, struct read_chunk *c, uint64_t first,
		       uint64_t *pos, uint8_t **buf, size_t *len)
{
	c->n = 0;
	while (*len && c->n < READ_CHUNK) {
		uint64_t idx = *pos / HTREE_BS;
		uint32_t off = (uint32_t)(*pos % HTREE_BS);
		uint32_t cnt = HTREE_BS - off;
		const struct htree_node *node =
		    htree_node(ht, (uint32_t)idx + 1);
		struct htree_io *io = &c->io[c->n];

		if (cnt > *len)
			cnt = (uint32_t)*len;
		if (ht->cache_valid && ht->cache_idx == idx) {
			memcpy(*buf, ht->cache + off, cnt);
		} else {
			*io = (struct htree_io){.idx = idx,
						.dst = *buf,
						.off = off,
						.cnt = cnt,
						.land = *buf};
			if (cnt != HTREE_BS)
				io->land =
				    ht->scratch + (idx == first ? 0 : HTREE_BS);
			c->ops[c->n] = (struct backend_op){
			    .type = BACKEND_OP_READ,
			    .fh = ht->fh,
			    .off = htree_layout_block_off(
				idx, node->flags & HTREE_FLAG_COMMITTED_BLOCK),
			    .buf = io->land,
			    .len = HTREE_BS,
			};
			c->n++;
		}
		*pos += cnt;
		*buf += cnt;
		*len -= cnt;
	}
}

/* Reads [pos, pos + len) of the stream, all within the length. */
static TEE_Result read_range(struct htree *ht, uint64_t pos, uint8_t *buf,
			     size_t len)
{
	struct read_chunk chunks[2];
	struct read_chunk *cur, *prev = NULL;
	uint64_t first = pos / HTREE_BS;
	TEE_Result res = TEE_SUCCESS, r;
	unsigned k = 0;

	do {
		cur = &chunks[k % 2];
		cur->ops = ht->ops + (k % 2) * READ_CHUNK;
		cur->io = ht->io + (k % 2) * READ_CHUNK;
		cur->started = false;
		k++;
		chunk_fill(ht, cur, first, &pos, &buf, &len);
		if (cur->n)
			res = chunk_submit(ht, cur);
		/* prev's decryption must end before anything returns. */
		if (prev) {
			r = chunk_finish(ht, prev);
			if (res == TEE_SUCCESS)
				res = r;
		}
		if (res != TEE_SUCCESS)
			return res;
		prev = NULL;
		if (cur->n) {
			chunk_start(ht, cur);
			prev = cur;
		}
	} while (len);
	return prev ? chunk_finish(ht, prev) : TEE_SUCCESS;
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

/*
 * Whole blocks of a write wait here, reserved in the batch but not yet
 * encrypted, so that a run of them is encrypted by the pool at once
 * (write_drain). Their destinations stay valid while the batch does not
 * flush: write_block drains before any reservation that may flush.
 */
#define WRITE_PENDING 256

struct write_pending {
	size_t n;
	struct htree_crypt blk[WRITE_PENDING];
};

static TEE_Result write_drain(struct htree *ht, struct write_pending *wp)
{
	struct htree_crypt_run run;

	if (!wp->n)
		return TEE_SUCCESS;
	htree_crypt_start(ht, &run, true, wp->blk, wp->n);
	wp->n = 0;
	return htree_crypt_finish(&run);
}

/* True if reserving len more bytes in nops more ops may flush b (batch.c's
 * rule; an op may also extend the last one, so this errs on the safe side). */
static bool batch_may_flush(const struct batch *b, size_t len, size_t nops)
{
	return len > b->data_cap - b->data_used || nops > b->ops_cap - b->nops;
}

/*
 * A block past the committed length is fresh: neither of its two versions'
 * places is part of the committed state (a crash or an abort never reads
 * them). Its ciphertext goes to both places, so that a growing file stays
 * dense on disk. The format puts a block's two versions side by side:
 * writing only one leaves a 4 KiB hole after every block, and a file
 * system writes such a file back one 4 KiB extent at a time, at about 0.3
 * of the speed of contiguous writes here; dense, it is byte-bound, at 0.5
 * of it for twice the bytes (docs/benchmarks.md, "Dense appends").
 */
static bool block_is_fresh(const struct htree *ht, uint64_t idx)
{
	return idx >= nblocks_of(ht->committed_length);
}

/* Both places at once need room for two blocks in two ops: a batch made
 * smaller than that (tstore_config.batch_size) writes one place only. */
static bool batch_takes_two(const struct batch *b)
{
	return b->data_cap >= 2 * HTREE_BS && b->ops_cap >= 2;
}

/*
 * Reserves the place(s) of block idx's ciphertext in the batch: *out for
 * the version vers, and *dup (NULL if none) for a copy. Drains wp first
 * if the reservation may flush, as a flush must not send unencrypted
 * slots.
 */
static TEE_Result reserve_block(struct htree *ht, struct batch *b,
				struct write_pending *wp, uint64_t idx,
				unsigned vers, void **out, void **dup)
{
	uint64_t off0 = htree_layout_block_off(idx, 0);
	uint64_t off1 = htree_layout_block_off(idx, 1);
	TEE_Result res;
	void *both;

	*dup = NULL;
	if (!block_is_fresh(ht, idx) || !batch_takes_two(b)) {
		if (wp->n && batch_may_flush(b, HTREE_BS, 1)) {
			res = write_drain(ht, wp);
			if (res != TEE_SUCCESS)
				return res;
		}
		return batch_reserve_write(b, ht->fh, vers ? off1 : off0,
					   HTREE_BS, out);
	}
	/* Two reservations must not flush in between: flush now if needed. */
	if (batch_may_flush(b, 2 * HTREE_BS, 2)) {
		res = write_drain(ht, wp);
		if (res == TEE_SUCCESS)
			res = batch_flush(b);
		if (res != TEE_SUCCESS)
			return res;
	}
	if (off1 == off0 + HTREE_BS) {
		res = batch_reserve_write(b, ht->fh, off0, 2 * HTREE_BS, &both);
		if (res == TEE_SUCCESS) {
			*out = both;
			*dup = (uint8_t *)both + HTREE_BS;
		}
		return res;
	}
	/* A node block lies between the two versions (docs/format.md). */
	res = batch_reserve_write(b, ht->fh, off0, HTREE_BS, out);
	if (res == TEE_SUCCESS)
		res = batch_reserve_write(b, ht->fh, off1, HTREE_BS, dup);
	return res;
}

/*
 * Queues one whole block (NULL: zeros) into the batch. plain is
 * encrypted when wp is drained, so it must stay valid until then; the
 * cache (a partial block) is encrypted at once, as it is reused.
 */
static TEE_Result write_block(struct htree *ht, struct batch *b,
			      struct write_pending *wp, uint64_t idx,
			      const void *plain)
{
	struct htree_node *node;
	TEE_Result res;
	void *dst, *dup;

	res = grow_nodes(ht, (uint32_t)idx + 1);
	if (res != TEE_SUCCESS)
		return res;
	node = htree_node(ht, (uint32_t)idx + 1);
	if (!(node->state & HTREE_NODE_BLOCK_UPDATED)) {
		node->flags ^= HTREE_FLAG_COMMITTED_BLOCK;
		node->state |= HTREE_NODE_BLOCK_UPDATED;
	}
	res =
	    reserve_block(ht, b, wp, idx,
			  node->flags & HTREE_FLAG_COMMITTED_BLOCK, &dst, &dup);
	if (res != TEE_SUCCESS)
		return res;
	if (plain == ht->cache) {
		res = htree_block_encrypt(ht, node, plain, dst);
		if (res != TEE_SUCCESS)
			return res;
		if (dup)
			memcpy(dup, dst, HTREE_BS);
	} else {
		wp->blk[wp->n++] = (struct htree_crypt){
		    .node = node, .in = plain, .out = dst, .dup = dup};
		if (wp->n == WRITE_PENDING) {
			res = write_drain(ht, wp);
			if (res != TEE_SUCCESS)
				return res;
		}
	}
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
	struct write_pending wp = {.n = 0};
	TEE_Result res = TEE_SUCCESS;

	while (len) {
		uint64_t idx = pos / HTREE_BS;
		uint32_t off = (uint32_t)(pos % HTREE_BS);
		uint64_t cnt = HTREE_BS - off;

		if (cnt > len)
			cnt = len;
		if (cnt == HTREE_BS) {
			res = write_block(ht, b, &wp, idx, src);
		} else {
			/* cache_block may flush the batch: nothing may wait
			 * unencrypted in it then. */
			res = write_drain(ht, &wp);
			if (res == TEE_SUCCESS)
				res = cache_block(ht, b, idx);
			if (res != TEE_SUCCESS)
				break;
			if (src)
				memcpy(ht->cache + off, src, cnt);
			else
				memset(ht->cache + off, 0, cnt);
			res = write_block(ht, b, &wp, idx, ht->cache);
		}
		if (res != TEE_SUCCESS)
			break;
		pos += cnt;
		len -= cnt;
		if (src)
			src += cnt;
		if (pos > ht->length) {
			ht->length = pos;
			htree_node_mark_dirty(ht, 1);
		}
	}
	/* Also on failure: the batch must not keep unencrypted slots (the
	 * caller discards it, but a flush must never send them). */
	if (res == TEE_SUCCESS)
		return write_drain(ht, &wp);
	(void)write_drain(ht, &wp);
	return res;
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
