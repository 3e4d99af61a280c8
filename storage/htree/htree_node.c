/*
 * Node records and node hashes (docs/format.md, "Node image" and "Node
 * hash"). Records live in chunks of HTREE_CHUNK_NODES, indexed by node id
 * (id 0 unused), so growing a tree allocates a chunk and never moves or
 * copies the records already there.
 */
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "htree_priv.h"
#include "tee_api_defines.h"

TEE_Result htree_nodes_reserve(struct htree *ht, uint32_t max_id)
{
	size_t need = ((size_t)max_id >> HTREE_CHUNK_SHIFT) + 1;
	struct htree_node **chunks;
	size_t i;

	if (need <= ht->nchunks)
		return TEE_SUCCESS;
	/* Only the small array of chunk pointers is ever reallocated. */
	chunks = realloc(ht->chunks, need * sizeof(*chunks));
	if (!chunks)
		return TEE_ERROR_OUT_OF_MEMORY;
	ht->chunks = chunks;
	for (i = ht->nchunks; i < need; i++) {
		chunks[i] =
		    calloc(HTREE_CHUNK_NODES, sizeof(struct htree_node));
		if (!chunks[i])
			return TEE_ERROR_OUT_OF_MEMORY;
		ht->nchunks = i + 1;
	}
	return TEE_SUCCESS;
}

void htree_nodes_free(struct htree *ht)
{
	size_t i;

	for (i = 0; i < ht->nchunks; i++)
		free(ht->chunks[i]);
	free(ht->chunks);
	ht->chunks = NULL;
	ht->nchunks = 0;
	ht->node_hw = 0;
}

void htree_nodes_clear(struct htree *ht, uint32_t first, uint32_t last)
{
	uint64_t cap = (uint64_t)ht->nchunks << HTREE_CHUNK_SHIFT;
	uint64_t id;

	for (id = first; id <= last && id < cap; id++)
		memset(htree_node(ht, (uint32_t)id), 0,
		       sizeof(struct htree_node));
}

void htree_node_mark_dirty(struct htree *ht, uint32_t id)
{
	htree_node(ht, id)->state |= HTREE_NODE_DIRTY;
	/* Stop at the first pending node: its ancestors are pending too. */
	for (; id >= 1; id /= 2) {
		struct htree_node *n = htree_node(ht, id);

		if (n->state & HTREE_NODE_PENDING)
			break;
		n->state |= HTREE_NODE_PENDING;
	}
}

/* Image: hash 0:32, iv 32:16, tag 48:16, flags 64:2 (LE). */
void htree_node_pack(const struct htree_node *n, uint8_t img[HTREE_NODE_SIZE])
{
	memcpy(img, n->hash, HTREE_HASH_SIZE);
	memcpy(img + 32, n->iv, HTREE_IV_SIZE);
	memcpy(img + 48, n->tag, HTREE_TAG_SIZE);
	put_le16(img + 64, n->flags);
}

void htree_node_unpack(const uint8_t img[HTREE_NODE_SIZE], struct htree_node *n)
{
	memcpy(n->hash, img, HTREE_HASH_SIZE);
	memcpy(n->iv, img + 32, HTREE_IV_SIZE);
	memcpy(n->tag, img + 48, HTREE_TAG_SIZE);
	n->flags = get_le16(img + 64);
	n->state = 0;
}

/*
 * SHA-256(iv || tag || flags (LE16) [|| meta (length LE64), root only]
 *         [|| hash of child 2n] [|| hash of child 2n+1])
 * where a child is hashed only if it exists (id <= max_node_id). The root
 * binds the length but not max_node_id (OP-TEE's rule).
 */
TEE_Result htree_node_hash(struct htree *ht, uint32_t id,
			   uint8_t out[HTREE_HASH_SIZE])
{
	const struct htree_node *n = htree_node(ht, id);
	uint8_t buf[16 + 16 + 2 + 8];
	size_t len = 34;
	uint64_t child = (uint64_t)id * 2;
	unsigned int md_len = 0;
	int ok;

	memcpy(buf, n->iv, HTREE_IV_SIZE);
	memcpy(buf + 16, n->tag, HTREE_TAG_SIZE);
	put_le16(buf + 32, n->flags);
	if (id == 1) {
		put_le64(buf + 34, ht->length);
		len += 8;
	}
	ok = EVP_DigestInit_ex(ht->md, ht->sha256, NULL) &&
	     EVP_DigestUpdate(ht->md, buf, len);
	if (ok && child <= ht->max_node_id)
		ok = EVP_DigestUpdate(ht->md,
				      htree_node(ht, (uint32_t)child)->hash,
				      HTREE_HASH_SIZE);
	if (ok && child + 1 <= ht->max_node_id)
		ok = EVP_DigestUpdate(ht->md,
				      htree_node(ht, (uint32_t)child + 1)->hash,
				      HTREE_HASH_SIZE);
	if (ok)
		ok = EVP_DigestFinal_ex(ht->md, out, &md_len) &&
		     md_len == HTREE_HASH_SIZE;
	return ok ? TEE_SUCCESS : TEE_ERROR_GENERIC;
}
