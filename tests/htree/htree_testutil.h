/*
 * Helpers shared by the hash-tree tests: a tree on the in-memory backend,
 * committing as an object file does (nodes and header in one batch), and
 * comparing a tree's whole content with a model.
 */
#ifndef TEESTORE_TEST_HTREE_UTIL_H
#define TEESTORE_TEST_HTREE_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "htree.h"
#include "mem_backend.h"
#include "tee_api_defines.h"

static const uint8_t test_tsk[KEYS_TSK_SIZE] = {1, 2, 3, 4, 5, 6, 7, 8};
static const struct htree_config test_cfg = {.hash_size_compat = true};

/* Prepare (with header), flush, done. */
static inline TEE_Result tu_commit(struct htree *ht, struct batch *b,
				   uint8_t hash[HTREE_HASH_SIZE])
{
	TEE_Result res = htree_commit_prepare(ht, b, true, hash);

	if (res == TEE_SUCCESS)
		res = batch_flush(b);
	if (res == TEE_SUCCESS)
		htree_commit_done(ht);
	return res;
}

/* Creates file `name` with an empty tree, flushed. */
static inline TEE_Result tu_create(struct backend *be, struct batch *b,
				   const char *name, struct htree **ht)
{
	uint32_t fh;
	TEE_Result res = backend_create(be, name, &fh);

	if (res == TEE_SUCCESS)
		res = htree_create(be, fh, test_tsk, &test_cfg, 0, b, ht);
	if (res == TEE_SUCCESS)
		res = batch_flush(b);
	return res;
}

static inline TEE_Result tu_open(struct backend *be, const char *name,
				 const uint8_t *hash, uint32_t min_counter,
				 struct htree **ht)
{
	uint32_t fh;
	TEE_Result res = backend_open(be, name, &fh);

	if (res == TEE_SUCCESS)
		res = htree_open(be, fh, test_tsk, hash, min_counter, &test_cfg,
				 ht);
	return res;
}

/* 0 if the tree holds exactly model[0..len); -1 and a message if not. */
static inline int tu_same(struct htree *ht, struct batch *b,
			  const uint8_t *model, size_t len)
{
	uint8_t *buf;
	size_t got = 0;
	TEE_Result res;
	int rc = 0;

	if (htree_size(ht) != len) {
		fprintf(stderr, "size %llu, want %zu\n",
			(unsigned long long)htree_size(ht), len);
		return -1;
	}
	buf = malloc(len + 1);
	if (!buf)
		abort();
	res = htree_read(ht, b, 0, buf, len + 1, &got);
	if (res != TEE_SUCCESS || got != len ||
	    (len && memcmp(buf, model, len))) {
		fprintf(stderr, "read: res %#x got %zu want %zu\n", res, got,
			len);
		rc = -1;
	}
	free(buf);
	return rc;
}

#endif
