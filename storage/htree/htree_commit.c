/*
 * Committing (docs/format.md, "Commit"). Phase 1 writes every dirty node
 * to the version its parent's flipped committed-child bit selects (the
 * uncommitted one), children before parents, and the root to version
 * !(counter & 1); then builds the header for counter + 1, which goes to
 * slot (counter + 1) & 1 — the slot of the new root. Nothing committed is
 * overwritten, so until the caller's commit record is durable the old
 * state stays intact on disk, and htree_commit_abort() can reload it.
 */
#include <string.h>

#include "bytes.h"
#include "htree_priv.h"
#include "secmem.h"
#include "tee_api_defines.h"

bool htree_is_dirty(const struct htree *ht)
{
	return ht->dirty;
}

/* Rehashes node id and queues its image in its new version. */
static TEE_Result sync_node(struct htree *ht, struct batch *b, uint32_t id)
{
	struct htree_node *n = htree_node(ht, id);
	uint8_t img[HTREE_NODE_SIZE];
	unsigned vers;
	TEE_Result res;

	if (!(n->state & HTREE_NODE_DIRTY))
		return TEE_SUCCESS;
	if (id > 1) {
		struct htree_node *p = htree_node(ht, id / 2);
		uint16_t bit = HTREE_FLAG_COMMITTED_CHILD(id & 1);

		p->state |= HTREE_NODE_DIRTY; /* p is pending: visited next */
		p->flags ^= bit;
		vers = !!(p->flags & bit);
	} else {
		/* The counter is increased just before the header is built. */
		vers = !(ht->head.counter & 1);
	}
	res = htree_node_hash(ht, id, n->hash);
	if (res != TEE_SUCCESS)
		return res;
	n->state = 0;
	htree_node_pack(n, img);
	return batch_write(b, ht->fh, htree_layout_node_off(id, vers), img,
			   sizeof(img));
}

/* Post-order over the pending part of the tree: children first. */
static TEE_Result sync_subtree(struct htree *ht, struct batch *b, uint32_t id)
{
	struct htree_node *n = htree_node(ht, id);
	uint64_t c = (uint64_t)id * 2;
	TEE_Result res;

	if (!(n->state & HTREE_NODE_PENDING))
		return TEE_SUCCESS;
	for (; c <= (uint64_t)id * 2 + 1 && c <= ht->max_node_id; c++) {
		res = sync_subtree(ht, b, (uint32_t)c);
		if (res != TEE_SUCCESS)
			return res;
	}
	n->state &= (uint8_t)~HTREE_NODE_PENDING;
	return sync_node(ht, b, id);
}

static TEE_Result build_header(struct htree *ht)
{
	uint8_t imeta[HTREE_IMETA_SIZE] = {0};
	struct htree_head *h = &ht->pending_head;
	TEE_Result res;

	memset(h, 0, sizeof(*h));
	memcpy(h->enc_fek, ht->enc_fek, HTREE_FEK_SIZE);
	h->counter = ht->head.counter + 1;
	put_le64(imeta, ht->length);
	put_le32(imeta + 8, ht->max_node_id);
	res = htree_head_encrypt(ht, h, htree_node(ht, 1)->hash, imeta);
	secmem_wipe(imeta, sizeof(imeta));
	return res;
}

static TEE_Result queue_header(struct htree *ht, struct batch *b)
{
	uint8_t img[HTREE_HEAD_SIZE];

	htree_head_pack(&ht->pending_head, img);
	ht->header_queued = true;
	return batch_write(b, ht->fh,
			   htree_layout_head_off(ht->pending_head.counter & 1),
			   img, sizeof(img));
}

TEE_Result htree_commit_prepare(struct htree *ht, struct batch *b,
				bool with_header,
				uint8_t root_hash[HTREE_HASH_SIZE])
{
	TEE_Result res;

	if (ht->phase != HTREE_IDLE)
		return TEE_ERROR_BAD_STATE;
	if (!b)
		return TEE_ERROR_BAD_PARAMETERS;
	ht->header_queued = false;
	if (!ht->dirty) {
		/* Nothing changes, not even the counter (OP-TEE). */
		ht->prepared_clean = true;
		ht->phase = HTREE_PREPARED;
		memcpy(root_hash, ht->committed_hash, HTREE_HASH_SIZE);
		return TEE_SUCCESS;
	}
	ht->prepared_clean = false;
	/* The root always moves to the new header's slot. */
	htree_node_mark_dirty(ht, 1);
	/* Only dirty paths are walked: a small commit to a big tree costs
	 * O(changed nodes x depth), not O(tree). */
	res = sync_subtree(ht, b, 1);
	if (res == TEE_SUCCESS)
		res = build_header(ht);
	if (res == TEE_SUCCESS && with_header)
		res = queue_header(ht, b);
	if (res != TEE_SUCCESS) {
		ht->phase = HTREE_BROKEN;
		return res;
	}
	ht->phase = HTREE_PREPARED;
	memcpy(root_hash, htree_node(ht, 1)->hash, HTREE_HASH_SIZE);
	return TEE_SUCCESS;
}

TEE_Result htree_commit_header(struct htree *ht, struct batch *b)
{
	if (ht->phase != HTREE_PREPARED)
		return TEE_ERROR_BAD_STATE;
	if (!b)
		return TEE_ERROR_BAD_PARAMETERS;
	if (ht->prepared_clean || ht->header_queued)
		return TEE_SUCCESS;
	return queue_header(ht, b);
}

void htree_commit_done(struct htree *ht)
{
	if (ht->phase != HTREE_PREPARED)
		return;
	ht->phase = HTREE_IDLE;
	if (ht->prepared_clean)
		return;
	ht->head = ht->pending_head;
	memcpy(ht->committed_hash, htree_node(ht, 1)->hash, HTREE_HASH_SIZE);
	ht->committed_length = ht->length;
	ht->committed_max_node_id = ht->max_node_id;
	ht->dirty = false;
	/* Nodes a shrink removed are no longer part of anything on disk. */
	if (ht->node_hw > htree_node_count(ht))
		htree_nodes_clear(ht, htree_node_count(ht) + 1, ht->node_hw);
	ht->node_hw = htree_node_count(ht);
}

TEE_Result htree_commit_abort(struct htree *ht)
{
	uint8_t hash[HTREE_HASH_SIZE];
	TEE_Result res;

	memcpy(hash, ht->committed_hash, sizeof(hash));
	htree_cache_invalidate(ht);
	htree_nodes_free(ht);
	ht->length = 0;
	ht->max_node_id = 0;
	ht->dirty = false;
	ht->phase = HTREE_IDLE;
	/* Everything since the last commit went to uncommitted slots: the
	 * committed state is on disk, found by its root hash. */
	res = htree_load(ht, NULL, hash);
	if (res != TEE_SUCCESS)
		ht->phase = HTREE_BROKEN;
	return res;
}

void htree_committed_hash(const struct htree *ht,
			  uint8_t root_hash[HTREE_HASH_SIZE])
{
	memcpy(root_hash, ht->committed_hash, HTREE_HASH_SIZE);
}

uint32_t htree_committed_counter(const struct htree *ht)
{
	return ht->head.counter;
}

uint64_t htree_committed_file_size(const struct htree *ht)
{
	return htree_layout_file_size(ht->committed_length,
				      ht->committed_max_node_id);
}
