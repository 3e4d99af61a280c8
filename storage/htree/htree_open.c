/*
 * Creating, opening and closing a hash-tree file (docs/format.md,
 * "Create", "Choosing versions on open", "Verification").
 *
 * Opening reads the two headers and the first node block in one submit,
 * then the remaining node blocks HTREE_LOAD_BLOCKS at a time: a parent's
 * id is always smaller than its children's, so walking node ids upwards
 * resolves each node's committed version from a parent already loaded.
 * Every node hash is then recomputed bottom-up before the tree is used.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "bytes.h"
#include "htree_priv.h"
#include "secmem.h"
#include "tee_api_defines.h"

#define NPB  HTREE_LAYOUT_NODES_PER_BLOCK
#define PAIR (2 * HTREE_NODE_SIZE)

static bool all_zero(const uint8_t *p, size_t len)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < len; i++)
		acc |= p[i];
	return !acc;
}

/* OP-TEE's get_idx_from_counter(): -1 is a rollback/tamper sign. */
static int slot_from_counters(uint32_t c0, uint32_t c1)
{
	if (!(c0 & 1)) {
		if (!(c1 & 1))
			return 0;
		return c0 > c1 ? 0 : 1;
	}
	return (c1 & 1) ? 1 : -1;
}

/*
 * Picks the committed slot from the headers (hb, hdone bytes read) and
 * node block 0 (nb, ndone bytes read). Returns the slot or an error.
 */
static TEE_Result select_slot(const uint8_t *hb, size_t hdone,
			      const uint8_t *nb, size_t ndone,
			      const uint8_t *expected_hash, int *slot)
{
	struct htree_node root;
	int s;

	if (expected_hash) {
		/* As OP-TEE: a short root version 0 fails without trying 1. */
		for (s = 0; s < 2; s++) {
			if (ndone < (size_t)HTREE_NODE_SIZE * (s + 1))
				return TEE_ERROR_CORRUPT_OBJECT;
			htree_node_unpack(nb + HTREE_NODE_SIZE * s, &root);
			if (secmem_equal(root.hash, expected_hash,
					 HTREE_HASH_SIZE))
				break;
		}
		if (s == 2)
			return TEE_ERROR_CORRUPT_OBJECT;
	} else {
		if (hdone < 2 * HTREE_HEAD_SIZE)
			return all_zero(hb, hdone) ? TEE_ERROR_NO_DATA
						   : TEE_ERROR_CORRUPT_OBJECT;
		if (all_zero(hb, 2 * HTREE_HEAD_SIZE))
			return TEE_ERROR_NO_DATA;
		s = slot_from_counters(get_le32(hb + 64),
				       get_le32(hb + HTREE_HEAD_SIZE + 64));
		if (s < 0)
			return TEE_ERROR_SECURITY;
		/* Counter 0 and a zero tag: a create cut short (OP-TEE
		 * re-creates the file). */
		if (!get_le32(hb + HTREE_HEAD_SIZE * s + 64) &&
		    all_zero(hb + HTREE_HEAD_SIZE * s + 16, HTREE_TAG_SIZE))
			return TEE_ERROR_NO_DATA;
		if (ndone < (size_t)HTREE_NODE_SIZE * (s + 1))
			return TEE_ERROR_CORRUPT_OBJECT;
	}
	if (hdone < (size_t)HTREE_HEAD_SIZE * (s + 1))
		return TEE_ERROR_CORRUPT_OBJECT;
	*slot = s;
	return TEE_SUCCESS;
}

/*
 * The slot of the generation before the newest (htree_open_previous):
 * the other slot, only if its counter is exactly one below the newest
 * header's, i.e. the generation that the newest one replaced.
 */
static TEE_Result select_previous(const uint8_t *hb, size_t hdone,
				  const uint8_t *nb, size_t ndone, int *slot)
{
	uint32_t newest, prev;
	TEE_Result res;
	int s;

	res = select_slot(hb, hdone, nb, ndone, NULL, &s);
	if (res != TEE_SUCCESS)
		return res;
	newest = get_le32(hb + HTREE_HEAD_SIZE * s + 64);
	prev = get_le32(hb + HTREE_HEAD_SIZE * (1 - s) + 64);
	if (!newest || prev != newest - 1)
		return TEE_ERROR_CORRUPT_OBJECT;
	s = 1 - s;
	if (ndone < (size_t)HTREE_NODE_SIZE * (s + 1) ||
	    hdone < (size_t)HTREE_HEAD_SIZE * (s + 1))
		return TEE_ERROR_CORRUPT_OBJECT;
	*slot = s;
	return TEE_SUCCESS;
}

/* Checks imeta against what a well-formed tree allows. */
static TEE_Result parse_imeta(struct htree *ht,
			      const uint8_t imeta[HTREE_IMETA_SIZE])
{
	uint64_t length = get_le64(imeta);
	uint32_t max = get_le32(imeta + 8);
	uint64_t nblocks;

	if (length > HTREE_MAX_LENGTH)
		return TEE_ERROR_CORRUPT_OBJECT;
	nblocks = (length + HTREE_BS - 1) / HTREE_BS;
	/* Every block of the length needs its node (block 0: the root)... */
	if (nblocks > 1 && max < nblocks)
		return TEE_ERROR_CORRUPT_OBJECT;
	/* ...and OP-TEE keeps at most one node past the length. */
	if (max > length / HTREE_BS + 1)
		return TEE_ERROR_CORRUPT_OBJECT;
	ht->length = length;
	ht->max_node_id = max;
	return TEE_SUCCESS;
}

/* Fills nodes first..last of node block k (read into nb, done bytes). */
static TEE_Result load_node_block(struct htree *ht, uint64_t k,
				  const uint8_t *nb, size_t done,
				  uint32_t first, uint32_t last)
{
	uint32_t id;

	for (id = first; id <= last; id++) {
		const struct htree_node *p = htree_node(ht, id / 2);
		unsigned vers =
		    !!(p->flags & HTREE_FLAG_COMMITTED_CHILD(id & 1));
		size_t pos = (size_t)PAIR * ((id - 1) % NPB) +
			     (size_t)HTREE_NODE_SIZE * vers;

		if ((id - 1) / NPB != k || pos + HTREE_NODE_SIZE > done)
			return TEE_ERROR_CORRUPT_OBJECT;
		htree_node_unpack(nb + pos, htree_node(ht, id));
	}
	return TEE_SUCCESS;
}

/* Nodes 2..count beyond node block 0, HTREE_LOAD_BLOCKS blocks a submit. */
static TEE_Result load_nodes(struct htree *ht, uint8_t *buf)
{
	uint32_t count = htree_node_count(ht);
	uint64_t nblocks = ((uint64_t)count + NPB - 1) / NPB;
	uint64_t k = 1;
	TEE_Result res;

	while (k < nblocks) {
		size_t n = 0;
		size_t i;

		uint64_t top = (k + HTREE_LOAD_BLOCKS) * NPB;

		/* Records grow with what the file really holds: a hostile
		 * max_node_id fails at its first missing node block. */
		res = htree_nodes_reserve(ht,
					  top < count ? (uint32_t)top : count);
		if (res != TEE_SUCCESS)
			return res;
		for (; k + n < nblocks && n < HTREE_LOAD_BLOCKS; n++)
			ht->ops[n] = (struct backend_op){
			    .type = BACKEND_OP_READ,
			    .fh = ht->fh,
			    .off = htree_layout_node_block_off(k + n),
			    .buf = buf + n * HTREE_BS,
			    .len = HTREE_BS,
			};
		res = backend_submit(ht->be, ht->ops, n);
		if (res != TEE_SUCCESS)
			return res;
		for (i = 0; i < n; i++) {
			uint64_t first = (k + i) * NPB + 1;
			uint64_t last = first + NPB - 1;

			if (last > count)
				last = count;
			res = load_node_block(ht, k + i, buf + i * HTREE_BS,
					      ht->ops[i].done, (uint32_t)first,
					      (uint32_t)last);
			if (res != TEE_SUCCESS)
				return res;
		}
		k += n;
	}
	return TEE_SUCCESS;
}

/* Recomputes every node hash bottom-up and compares it with the image. */
static TEE_Result verify_tree(struct htree *ht)
{
	uint8_t digest[HTREE_HASH_SIZE];
	uint32_t id;
	TEE_Result res;

	for (id = htree_node_count(ht); id >= 1; id--) {
		res = htree_node_hash(ht, id, digest);
		if (res != TEE_SUCCESS)
			return res;
		if (!secmem_equal(digest, htree_node(ht, id)->hash,
				  HTREE_HASH_SIZE))
			return TEE_ERROR_CORRUPT_OBJECT;
	}
	return TEE_SUCCESS;
}

/* The FEK from the header: unwrapped at open, compared on reload. */
static TEE_Result take_fek(struct htree *ht, const uint8_t *tsk,
			   const struct htree_head *h)
{
	TEE_Result res;

	if (!tsk)
		return secmem_equal(h->enc_fek, ht->enc_fek, HTREE_FEK_SIZE)
			   ? TEE_SUCCESS
			   : TEE_ERROR_CORRUPT_OBJECT;
	memcpy(ht->enc_fek, h->enc_fek, HTREE_FEK_SIZE);
	res = keys_unwrap_fek(tsk, h->enc_fek, ht->fek);
	if (res != TEE_SUCCESS)
		return res;
	return htree_crypto_init(ht);
}

static TEE_Result load(struct htree *ht, const uint8_t *tsk,
		       const uint8_t *expected_hash, bool previous)
{
	uint8_t hb[2 * HTREE_HEAD_SIZE];
	uint8_t imeta[HTREE_IMETA_SIZE];
	struct backend_op ops[2];
	struct htree_node *root;
	struct htree_head h;
	uint8_t *buf;
	TEE_Result res;
	uint32_t last;
	int slot = 0;

	buf = malloc((size_t)HTREE_LOAD_BLOCKS * HTREE_BS);
	if (!buf)
		return TEE_ERROR_OUT_OF_MEMORY;
	ops[0] = (struct backend_op){.type = BACKEND_OP_READ,
				     .fh = ht->fh,
				     .off = 0,
				     .buf = hb,
				     .len = sizeof(hb)};
	ops[1] = (struct backend_op){.type = BACKEND_OP_READ,
				     .fh = ht->fh,
				     .off = htree_layout_node_block_off(0),
				     .buf = buf,
				     .len = HTREE_BS};
	res = backend_submit(ht->be, ops, 2);
	if (res != TEE_SUCCESS)
		goto out;
	if (ops[0].done > sizeof(hb) || ops[1].done > HTREE_BS) {
		res = TEE_ERROR_GENERIC; /* a backend bug, not the file */
		goto out;
	}
	if (previous)
		res = select_previous(hb, ops[0].done, buf, ops[1].done, &slot);
	else
		res = select_slot(hb, ops[0].done, buf, ops[1].done,
				  expected_hash, &slot);
	if (res != TEE_SUCCESS)
		goto out;
	htree_head_unpack(hb + HTREE_HEAD_SIZE * slot, &h);
	if (h.counter < ht->min_counter) {
		res = TEE_ERROR_SECURITY;
		goto out;
	}
	res = take_fek(ht, tsk, &h);
	if (res != TEE_SUCCESS)
		goto out;

	res = htree_nodes_reserve(ht, 1);
	if (res != TEE_SUCCESS)
		goto out;
	root = htree_node(ht, 1);
	htree_node_unpack(buf + HTREE_NODE_SIZE * slot, root);
	res = htree_head_decrypt(ht, &h, root->hash, imeta);
	if (res != TEE_SUCCESS)
		goto out;
	res = parse_imeta(ht, imeta);
	if (res != TEE_SUCCESS)
		goto out;
	ht->node_hw = htree_node_count(ht);
	last = htree_node_count(ht) < NPB ? htree_node_count(ht) : NPB;
	res = htree_nodes_reserve(ht, last);
	if (res == TEE_SUCCESS)
		res = load_node_block(ht, 0, buf, ops[1].done, 2, last);
	if (res == TEE_SUCCESS)
		res = load_nodes(ht, buf);
	if (res == TEE_SUCCESS)
		res = verify_tree(ht);
	if (res != TEE_SUCCESS)
		goto out;

	ht->head = h;
	memcpy(ht->committed_hash, root->hash, HTREE_HASH_SIZE);
	ht->committed_length = ht->length;
	ht->committed_max_node_id = ht->max_node_id;
	ht->dirty = false;
	ht->phase = HTREE_IDLE;
out:
	secmem_wipe(imeta, sizeof(imeta));
	free(buf);
	return res;
}

TEE_Result htree_load(struct htree *ht, const uint8_t *tsk,
		      const uint8_t *expected_hash)
{
	return load(ht, tsk, expected_hash, false);
}

static TEE_Result htree_alloc(struct backend *be, uint32_t fh,
			      const struct htree_config *cfg,
			      uint32_t min_counter, struct htree **out)
{
	struct htree *ht = calloc(1, sizeof(*ht));

	*out = NULL;
	if (!ht)
		return TEE_ERROR_OUT_OF_MEMORY;
	ht->be = be;
	ht->fh = fh;
	if (cfg)
		ht->cfg = *cfg;
	else
		ht->cfg.hash_size_compat = true;
	ht->min_counter = min_counter;
	ht->scratch = malloc(2 * HTREE_BS);
	ht->cache = malloc(HTREE_BS);
	ht->ops = calloc(HTREE_IO_OPS > HTREE_LOAD_BLOCKS ? HTREE_IO_OPS
							  : HTREE_LOAD_BLOCKS,
			 sizeof(*ht->ops));
	ht->io = calloc(HTREE_IO_OPS, sizeof(*ht->io));
	if (!ht->scratch || !ht->cache || !ht->ops || !ht->io) {
		htree_close(ht);
		return TEE_ERROR_OUT_OF_MEMORY;
	}
	*out = ht;
	return TEE_SUCCESS;
}

TEE_Result htree_create(struct backend *be, uint32_t fh,
			const uint8_t tsk[KEYS_TSK_SIZE],
			const struct htree_config *cfg, uint32_t min_counter,
			struct batch *b, struct htree **out)
{
	uint8_t dummy[HTREE_HEAD_SIZE] = {0};
	uint8_t hash[HTREE_HASH_SIZE];
	struct htree *ht = NULL;
	TEE_Result res;

	*out = NULL;
	if (!be || !tsk || !b)
		return TEE_ERROR_BAD_PARAMETERS;
	res = htree_alloc(be, fh, cfg, min_counter, &ht);
	if (res != TEE_SUCCESS)
		return res;
	if (RAND_bytes(ht->fek, HTREE_FEK_SIZE) != 1) {
		res = TEE_ERROR_GENERIC;
		goto out;
	}
	res = keys_wrap_fek(tsk, ht->fek, ht->enc_fek);
	if (res == TEE_SUCCESS)
		res = htree_crypto_init(ht);
	if (res == TEE_SUCCESS)
		res = htree_nodes_reserve(ht, 1);
	if (res != TEE_SUCCESS)
		goto out;
	/* An empty tree whose zero root is committed as OP-TEE does it: root
	 * version 1, header slot 1 with counter 1... */
	memcpy(ht->head.enc_fek, ht->enc_fek, HTREE_FEK_SIZE);
	ht->node_hw = 1;
	htree_node_mark_dirty(ht, 1);
	ht->dirty = true;
	res = htree_commit_prepare(ht, b, true, hash);
	if (res != TEE_SUCCESS)
		goto out;
	htree_commit_done(ht);
	/* ...then a zero header with counter min_counter in slot 0. */
	put_le32(dummy + 64, min_counter);
	res =
	    batch_write(b, fh, htree_layout_head_off(0), dummy, sizeof(dummy));
out:
	if (res != TEE_SUCCESS) {
		htree_close(ht);
		return res;
	}
	*out = ht;
	return TEE_SUCCESS;
}

TEE_Result htree_open(struct backend *be, uint32_t fh,
		      const uint8_t tsk[KEYS_TSK_SIZE],
		      const uint8_t *expected_hash, uint32_t min_counter,
		      const struct htree_config *cfg, struct htree **out)
{
	struct htree *ht = NULL;
	TEE_Result res;

	*out = NULL;
	if (!be || !tsk)
		return TEE_ERROR_BAD_PARAMETERS;
	res = htree_alloc(be, fh, cfg, min_counter, &ht);
	if (res != TEE_SUCCESS)
		return res;
	res = htree_load(ht, tsk, expected_hash);
	if (res != TEE_SUCCESS) {
		htree_close(ht);
		return res;
	}
	*out = ht;
	return TEE_SUCCESS;
}

TEE_Result htree_open_previous(struct backend *be, uint32_t fh,
			       const uint8_t tsk[KEYS_TSK_SIZE],
			       uint32_t min_counter,
			       const struct htree_config *cfg,
			       struct htree **out)
{
	struct htree *ht = NULL;
	TEE_Result res;

	*out = NULL;
	if (!be || !tsk)
		return TEE_ERROR_BAD_PARAMETERS;
	res = htree_alloc(be, fh, cfg, min_counter, &ht);
	if (res != TEE_SUCCESS)
		return res;
	res = load(ht, tsk, NULL, true);
	if (res != TEE_SUCCESS) {
		htree_close(ht);
		return res;
	}
	*out = ht;
	return TEE_SUCCESS;
}

void htree_close(struct htree *ht)
{
	if (!ht)
		return;
	htree_crypto_free(ht);
	htree_nodes_free(ht);
	if (ht->scratch)
		secmem_wipe(ht->scratch, 2 * HTREE_BS);
	if (ht->cache)
		secmem_wipe(ht->cache, HTREE_BS);
	free(ht->scratch);
	free(ht->cache);
	free(ht->ops);
	free(ht->io);
	secmem_wipe(ht, sizeof(*ht));
	free(ht);
}

uint64_t htree_size(const struct htree *ht)
{
	return ht->length;
}
