/*
 * Internal to the fake backend (backend_fake.h): the simulated disk's
 * state and the operations on it, without locking, events or power. Kept
 * apart from backend_fake.c, which adds those on top.
 */
#ifndef TEESTORE_FAKE_STATE_H
#define TEESTORE_FAKE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "backend_fake.h"

#define FAKE_NO_INODE UINT32_MAX

/* The bytes of one version of a file. Bytes past size are undefined. */
struct fake_image {
	uint8_t *data;
	size_t size;
	size_t cap;
};

/* A WRITE (with a copy of its bytes) or TRUNCATE not yet synced. */
struct fake_pending {
	uint32_t type; /* BACKEND_OP_WRITE or BACKEND_OP_TRUNCATE */
	uint64_t off;  /* TRUNCATE: the new length */
	size_t len;
	uint8_t *data;
};

struct fake_inode {
	bool used;
	struct fake_image cur;	   /* volatile: what reads see */
	struct fake_image dur;	   /* durable: what survives a power loss */
	struct fake_pending *pend; /* applied to cur, not yet to dur */
	size_t npend, pend_cap;
	uint32_t nopen; /* open handles on this inode */
};

struct fake_name {
	char name[BACKEND_NAME_MAX + 1];
	uint32_t ino;
};

/* A namespace: name -> inode, unordered. */
struct fake_ns {
	struct fake_name *v;
	size_t n, cap;
};

enum fake_nsop_type { FAKE_NS_CREATE, FAKE_NS_REMOVE, FAKE_NS_RENAME };

/* A create/remove/rename applied to the volatile namespace only. */
struct fake_nsop {
	uint32_t type;
	uint32_t ino;		      /* CREATE */
	char a[BACKEND_NAME_MAX + 1]; /* the name; RENAME: from */
	char b[BACKEND_NAME_MAX + 1]; /* RENAME: to */
};

struct fake_state {
	struct fake_inode *inodes; /* slots; unused ones have !used */
	size_t ninodes;
	struct fake_ns vol, dur;
	struct fake_nsop *nsops; /* since the last SYNC_DIR, in order */
	size_t nnsops, nsops_cap;
	uint32_t handles[BACKEND_FAKE_MAX_HANDLES]; /* inode + 1; 0 free */
};

/* Decides, for power-loss resolution, whether one pending item survives. */
struct fake_fate {
	enum backend_fake_mode mode;
	uint64_t rng;
};

void fake_state_free(struct fake_state *s);
TEE_Result fake_state_copy(struct fake_state *dst,
			   const struct fake_state *src);

/* Namespace lookup: index in ns->v, or -1. */
long fake_ns_find(const struct fake_ns *ns, const char *name);
TEE_Result fake_ns_set(struct fake_ns *ns, const char *name, uint32_t ino);
void fake_ns_del(struct fake_ns *ns, size_t idx);
TEE_Result fake_ns_copy(struct fake_ns *dst, const struct fake_ns *src);

TEE_Result fake_inode_new(struct fake_state *s, uint32_t *ino);
/* Frees ino if no name, pending namespace op or handle refers to it. */
void fake_inode_gc(struct fake_state *s, uint32_t ino);
void fake_inode_gc_all(struct fake_state *s);
/* Total volatile size of every file (for the capacity limit). */
uint64_t fake_total_size(const struct fake_state *s);

/* Volatile WRITE / TRUNCATE, recorded as pending. */
TEE_Result fake_inode_write(struct fake_inode *in, uint64_t off,
			    const void *buf, size_t len);
TEE_Result fake_inode_truncate(struct fake_inode *in, uint64_t len);
/* Resolves the inode's pending ops into its durable image per fate. */
TEE_Result fake_inode_settle(struct fake_inode *in, struct fake_fate *fate);

TEE_Result fake_nsop_add(struct fake_state *s, uint32_t type, uint32_t ino,
			 const char *a, const char *b);
/* Resolves the pending namespace ops into the durable namespace. */
TEE_Result fake_ns_settle(struct fake_state *s, struct fake_fate *fate);

/* Replaces img's content by data[0..len). */
TEE_Result fake_image_set(struct fake_image *img, const void *data, size_t len);

#endif
