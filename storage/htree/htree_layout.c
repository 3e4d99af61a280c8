/*
 * The physical layout (htree_layout.h, docs/format.md "Physical layout").
 * A period of 62 physical blocks: one node block (31 node pairs), then 61
 * data-block images; physical block 0 holds the two headers.
 */
#include "htree_layout.h"

#define BS    HTREE_LAYOUT_BLOCK_SIZE
#define NPB   HTREE_LAYOUT_NODES_PER_BLOCK
#define NSIZE HTREE_LAYOUT_NODE_SIZE

uint64_t htree_layout_head_off(unsigned vers)
{
	return (uint64_t)HTREE_LAYOUT_HEAD_SIZE * vers;
}

uint64_t htree_layout_node_block_off(uint64_t k)
{
	return (1 + k * NPB * 2) * BS;
}

uint64_t htree_layout_node_off(uint32_t node_id, unsigned vers)
{
	uint64_t idx = (uint64_t)node_id - 1;

	return htree_layout_node_block_off(idx / NPB) +
	       2 * NSIZE * (idx % NPB) + (uint64_t)NSIZE * vers;
}

uint64_t htree_layout_block_off(uint64_t block_idx, unsigned vers)
{
	uint64_t bidx = 2 * block_idx + vers;
	/* 2 * NPB - 1 = 61 data images per period. */
	uint64_t pbn = 2 + bidx + bidx / (2 * NPB - 1);

	return pbn * BS;
}

uint64_t htree_layout_file_size(uint64_t length, uint32_t max_node_id)
{
	uint64_t nblocks = (length + BS - 1) / BS;

	if (max_node_id > nblocks)
		nblocks = max_node_id;
	if (!nblocks)
		return htree_layout_node_off(1, 1) + NSIZE;
	return htree_layout_block_off(nblocks - 1, 1) + BS;
}
