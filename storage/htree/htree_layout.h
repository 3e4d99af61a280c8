/*
 * Where each element of a hash-tree file lives (docs/format.md, "Physical
 * layout"): OP-TEE's get_offs_size() formula, which differs from the
 * layout comment above it from data block 30 on.
 *
 * Public for the tests and offline tools; the engine needs only htree.h.
 */
#ifndef TEESTORE_HTREE_LAYOUT_H
#define TEESTORE_HTREE_LAYOUT_H

#include <stdint.h>

#define HTREE_LAYOUT_BLOCK_SIZE 4096
#define HTREE_LAYOUT_HEAD_SIZE	68
#define HTREE_LAYOUT_NODE_SIZE	66
/* Node pairs (both versions of one node) per node block: 4096 / 132. */
#define HTREE_LAYOUT_NODES_PER_BLOCK 31

/* Header slot vers (0 or 1). */
uint64_t htree_layout_head_off(unsigned vers);
/* Node image of node_id (>= 1), version vers. */
uint64_t htree_layout_node_off(uint32_t node_id, unsigned vers);
/* Data block block_idx (node block_idx + 1), version vers. */
uint64_t htree_layout_block_off(uint64_t block_idx, unsigned vers);
/* Offset of node block k (k = (node_id - 1) / 31). */
uint64_t htree_layout_node_block_off(uint64_t k);

/*
 * Bytes of file a tree of plaintext length `length` and max_node_id needs:
 * through version 1 of its last data block, or 4228 (both headers and
 * both root images) when it has no data block.
 */
uint64_t htree_layout_file_size(uint64_t length, uint32_t max_node_id);

#endif
