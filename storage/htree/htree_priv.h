/*
 * Internals of the hash-tree file, shared by the htree_*.c files only.
 * The on-disk format is in docs/format.md; what each file does:
 *   htree_layout.c  offsets (htree_layout.h)
 *   htree_node.c    node records in fixed-size chunks, images, hashes
 *   htree_crypto.c  AES-GCM of data blocks and of the header
 *   htree_pool.c    worker pool for the block crypto of large transfers
 *   htree_open.c    create, open (version selection, full verification)
 *   htree_rw.c      read, write, truncate
 *   htree_commit.c  the commit phases and abort
 */
#ifndef TEESTORE_HTREE_PRIV_H
#define TEESTORE_HTREE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "htree.h"
#include "htree_layout.h"
#include "htree_pool.h"

#define HTREE_BS	 HTREE_BLOCK_SIZE
#define HTREE_NODE_SIZE	 HTREE_LAYOUT_NODE_SIZE
#define HTREE_HEAD_SIZE	 HTREE_LAYOUT_HEAD_SIZE
#define HTREE_IV_SIZE	 16
#define HTREE_TAG_SIZE	 16
#define HTREE_IMETA_SIZE 16
#define HTREE_FEK_SIZE	 KEYS_FEK_SIZE

/* Node image flags (on disk). */
#define HTREE_FLAG_COMMITTED_BLOCK    0x1
#define HTREE_FLAG_COMMITTED_CHILD(n) (0x2 << (n)) /* n = 0 left, 1 right */

/* Node record state (memory only). */
#define HTREE_NODE_DIRTY	 0x1 /* image must be rewritten at commit */
#define HTREE_NODE_BLOCK_UPDATED 0x2 /* block bit flipped this transaction */
/* This node or a node below it is dirty: a commit visits only these. Set
 * on a node implies set on all its ancestors. */
#define HTREE_NODE_PENDING 0x4

/*
 * One node: its image fields and its state. About 68 bytes; records live
 * in chunks of HTREE_CHUNK_NODES so that a growing tree never moves them.
 */
struct htree_node {
	uint8_t hash[HTREE_HASH_SIZE];
	uint8_t iv[HTREE_IV_SIZE];
	uint8_t tag[HTREE_TAG_SIZE];
	uint16_t flags;
	uint8_t state;
};

#define HTREE_CHUNK_SHIFT 10
#define HTREE_CHUNK_NODES (1u << HTREE_CHUNK_SHIFT)

/* A decoded header image (68 bytes on disk). */
struct htree_head {
	uint8_t iv[HTREE_IV_SIZE];
	uint8_t tag[HTREE_TAG_SIZE];
	uint8_t enc_fek[HTREE_FEK_SIZE];
	uint8_t imeta[HTREE_IMETA_SIZE]; /* ciphertext */
	uint32_t counter;
};

/* One block read of a vectored submit: where its plaintext goes. */
struct htree_io {
	uint64_t idx;  /* data block */
	uint8_t *dst;  /* caller's bytes for this block */
	uint32_t off;  /* first byte of the block wanted */
	uint32_t cnt;  /* bytes wanted */
	uint8_t *land; /* where the ciphertext lands (dst or scratch) */
};

/* Ops per backend submit for block reads (256 blocks = 1 MiB). */
#define HTREE_IO_OPS 256
/* Node blocks per submit while opening (1 MiB). */
#define HTREE_LOAD_BLOCKS 256

enum htree_phase {
	HTREE_IDLE,	/* normal operation */
	HTREE_PREPARED, /* commit_prepare done; header/done/abort next */
	HTREE_BROKEN,	/* an error left memory inconsistent: abort or close */
};

struct htree {
	struct backend *be;
	uint32_t fh;
	struct htree_config cfg;
	uint32_t min_counter;
	uint8_t fek[HTREE_FEK_SIZE];
	uint8_t enc_fek[HTREE_FEK_SIZE];

	/* Working state (committed state plus uncommitted changes). */
	uint64_t length;
	uint32_t max_node_id; /* 0: only the root has ever existed */
	bool dirty;
	struct htree_node **chunks;
	size_t nchunks;
	/* Records above max_node_id up to node_hw may be non-zero: nodes
	 * removed by a shrink in this transaction keep their committed
	 * flags, so that a re-grow writes only uncommitted slots. */
	uint32_t node_hw;

	/* The committed state. */
	struct htree_head head;
	uint8_t committed_hash[HTREE_HASH_SIZE];
	uint64_t committed_length;
	uint32_t committed_max_node_id;

	/* A commit in progress. */
	enum htree_phase phase;
	bool prepared_clean;
	bool header_queued;
	struct htree_head pending_head;

	/* Crypto, keyed once per tree. Slot 0 (the calling thread) uses
	 * enc/dec; pool slot i >= 1 its own pair, made at the tree's first
	 * parallel run (htree_pool.h). */
	EVP_CIPHER *gcm;
	EVP_CIPHER_CTX *enc;
	EVP_CIPHER_CTX *dec;
	EVP_CIPHER_CTX *slot_enc[HTREE_POOL_MAX];
	EVP_CIPHER_CTX *slot_dec[HTREE_POOL_MAX];
	EVP_MD *sha256;
	EVP_MD_CTX *md;

	/* Scratch: two blocks (partial head and tail of a read), the ops of
	 * one submit, and a one-block plaintext cache of the last partially
	 * read or written block. */
	uint8_t *scratch;
	struct backend_op *ops;
	struct htree_io *io;
	uint8_t *cache;
	uint64_t cache_idx;
	bool cache_valid;
};

/* htree_node.c */
TEE_Result htree_nodes_reserve(struct htree *ht, uint32_t max_id);
void htree_nodes_free(struct htree *ht);
/* Zeroes the records of ids first..last (those that have storage). */
void htree_nodes_clear(struct htree *ht, uint32_t first, uint32_t last);
static inline struct htree_node *htree_node(const struct htree *ht, uint32_t id)
{
	return &ht->chunks[id >> HTREE_CHUNK_SHIFT]
			  [id & (HTREE_CHUNK_NODES - 1)];
}
/* Number of nodes in the tree: the root exists even when max is 0. */
static inline uint32_t htree_node_count(const struct htree *ht)
{
	return ht->max_node_id ? ht->max_node_id : 1;
}
void htree_node_pack(const struct htree_node *n, uint8_t img[HTREE_NODE_SIZE]);
void htree_node_unpack(const uint8_t img[HTREE_NODE_SIZE],
		       struct htree_node *n);
/* Marks node id dirty and its path to the root pending. */
void htree_node_mark_dirty(struct htree *ht, uint32_t id);
/* SHA-256 of node id as it is now (root: includes meta = length). */
TEE_Result htree_node_hash(struct htree *ht, uint32_t id,
			   uint8_t out[HTREE_HASH_SIZE]);

/* htree_crypto.c */
TEE_Result htree_crypto_init(struct htree *ht);
void htree_crypto_free(struct htree *ht);
/* Encrypts a 4096-byte block (NULL: zeros) into out with a fresh IV;
 * stores IV and tag in n. */
TEE_Result htree_block_encrypt(struct htree *ht, struct htree_node *n,
			       const void *plain, void *out);
/* Decrypts in to out (may be equal); CORRUPT_OBJECT on a bad tag, out
 * then zeroed. */
TEE_Result htree_block_decrypt(struct htree *ht, const struct htree_node *n,
			       const void *in, void *out);
/* Fills h->iv (fresh), h->imeta, h->tag for counter h->counter. */

/* One block of a crypto run. */
struct htree_crypt {
	struct htree_node *node; /* IV and tag */
	const uint8_t *in;	 /* encrypt: NULL means zeros */
	uint8_t *out;		 /* may equal in */
	uint8_t *dup;		 /* encrypt: a second copy of out, or NULL */
};

/* A run of blocks en- or decrypted by the pool (htree_crypt_start). */
struct htree_crypt_run {
	struct htree *ht;
	struct htree_crypt *blk;
	bool enc;
	TEE_Result res; /* a failure before the pool started */
	struct htree_pool_job job;
};

/* Runs of at least this many blocks are split between threads. */
#define HTREE_PAR_MIN_BLOCKS 32
/* Blocks a thread claims at a time. */
#define HTREE_PAR_GRAIN 8

/*
 * Starts en- or decrypting blk[0..n): encryption first gives every node
 * a fresh IV (one RAND_bytes per 64 blocks); runs of
 * HTREE_PAR_MIN_BLOCKS or more are shared with the pool's workers, who
 * start at once. blk and every buffer it points to must stay untouched
 * until htree_crypt_finish(). A failure here is returned by finish.
 */
void htree_crypt_start(struct htree *ht, struct htree_crypt_run *r, bool enc,
		       struct htree_crypt *blk, size_t n);
/*
 * Does the rest in the calling thread and waits for the workers. Returns
 * the first failure: CORRUPT_OBJECT for a bad tag (that block's output is
 * zeroed; the caller zeroes the rest).
 */
TEE_Result htree_crypt_finish(struct htree_crypt_run *r);

TEE_Result htree_head_encrypt(struct htree *ht, struct htree_head *h,
			      const uint8_t root_hash[HTREE_HASH_SIZE],
			      const uint8_t imeta[HTREE_IMETA_SIZE]);
TEE_Result htree_head_decrypt(struct htree *ht, const struct htree_head *h,
			      const uint8_t root_hash[HTREE_HASH_SIZE],
			      uint8_t imeta[HTREE_IMETA_SIZE]);
void htree_head_pack(const struct htree_head *h, uint8_t img[HTREE_HEAD_SIZE]);
void htree_head_unpack(const uint8_t img[HTREE_HEAD_SIZE],
		       struct htree_head *h);

/* htree_open.c */
/* Loads and verifies the state committed under expected_hash (or by
 * counter parity when NULL) into ht, whose FEK is known or unwrapped
 * with tsk. */
TEE_Result htree_load(struct htree *ht, const uint8_t *tsk,
		      const uint8_t *expected_hash);

/* htree_rw.c */
void htree_cache_invalidate(struct htree *ht);

#endif
