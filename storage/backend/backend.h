/*
 * The storage backend: the one seam for every REE file operation of the
 * storage engine (SQLite's VFS idea). The engine never touches a file but
 * through this table, so the same engine runs over
 *   - POSIX files in a directory (backend_posix.c: offline tool, tests),
 *   - a crash-simulating in-memory fake (backend_fake.c: tests),
 *   - the RPC to tee-supplicant (backend_rpc.c: teed).
 *
 * All names are flat, relative to the backend's root ("dirf.db", "1f"):
 * no '/', no "..", at most BACKEND_NAME_MAX bytes. A backend refuses any
 * other name with TEE_ERROR_BAD_PARAMETERS.
 *
 * Durability contract (docs/architecture.md, "Commit protocol"):
 *   - WRITE and TRUNCATE are volatile until a SYNC op on the same file;
 *   - create, remove and rename are volatile until a SYNC_DIR op;
 *   - a single WRITE is not atomic: after a power loss any subset of its
 *     512-byte sectors may have reached the disk (a sector is atomic).
 * The engine writes everything but the commit record, then one barrier,
 * then the commit record, then one barrier: a SYNC op for each touched
 * file and a SYNC_DIR when files were created, batched in one submit().
 *
 * Batches: submit() runs ops in order and stops at the first failure,
 * returning its error (ops before it have taken effect, volatile as
 * above; ops after it have not). One exception: a run of consecutive
 * WRITEs to one file may be carried out in any order (write_gather.h),
 * so when one of them fails any write of that run may have taken effect.
 * Nothing relies on more: a failed commit abandons everything it wrote,
 * all of it in uncommitted places. One submit() is one round trip on the
 * RPC backend.
 *
 * Thread safety: a backend may be called from several threads at once;
 * each implementation serialises what it must.
 */
#ifndef TEESTORE_BACKEND_H
#define TEESTORE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tee_api_types.h"

#define BACKEND_NAME_MAX 64

enum backend_op_type {
	BACKEND_OP_READ = 1,	 /* buf, len at off; done = bytes read */
	BACKEND_OP_WRITE = 2,	 /* buf, len at off */
	BACKEND_OP_TRUNCATE = 3, /* off = new length */
	BACKEND_OP_SYNC = 4,	 /* data and size of fh durable */
	BACKEND_OP_SYNC_DIR =
	    5, /* creates, removes, renames durable; fh unused */
};

struct backend_op {
	uint32_t type;
	uint32_t fh;
	uint64_t off;
	void *buf; /* READ: destination; WRITE: source (not modified) */
	size_t len;
	size_t done; /* READ: bytes read; < len only at the end of the file */
};

struct backend;

/* Called once per file name by list(); a non-zero return stops the walk. */
typedef int (*backend_list_fn)(void *arg, const char *name);

struct backend_ops {
	const char *kind; /* "posix", "fake", "rpc" */
	/* Opens an existing file; TEE_ERROR_ITEM_NOT_FOUND if there is none. */
	TEE_Result (*open)(struct backend *be, const char *name, uint32_t *fh);
	/* Creates (or truncates to 0) and opens a file. */
	TEE_Result (*create)(struct backend *be, const char *name,
			     uint32_t *fh);
	TEE_Result (*close)(struct backend *be, uint32_t fh);
	TEE_Result (*submit)(struct backend *be, struct backend_op *ops,
			     size_t n);
	TEE_Result (*remove)(struct backend *be, const char *name);
	/* ACCESS_CONFLICT if `to` exists and !overwrite. */
	TEE_Result (*rename)(struct backend *be, const char *from,
			     const char *to, bool overwrite);
	/* Lists every file name in the root. */
	TEE_Result (*list)(struct backend *be, backend_list_fn fn, void *arg);
	void (*destroy)(struct backend *be);
};

/* Every backend embeds this as its first member. */
struct backend {
	const struct backend_ops *ops;
};

static inline TEE_Result backend_open(struct backend *be, const char *name,
				      uint32_t *fh)
{
	return be->ops->open(be, name, fh);
}

static inline TEE_Result backend_create(struct backend *be, const char *name,
					uint32_t *fh)
{
	return be->ops->create(be, name, fh);
}

static inline TEE_Result backend_close(struct backend *be, uint32_t fh)
{
	return be->ops->close(be, fh);
}

static inline TEE_Result backend_submit(struct backend *be,
					struct backend_op *ops, size_t n)
{
	return be->ops->submit(be, ops, n);
}

static inline TEE_Result backend_remove(struct backend *be, const char *name)
{
	return be->ops->remove(be, name);
}

static inline TEE_Result backend_rename(struct backend *be, const char *from,
					const char *to, bool overwrite)
{
	return be->ops->rename(be, from, to, overwrite);
}

static inline TEE_Result backend_list(struct backend *be, backend_list_fn fn,
				      void *arg)
{
	return be->ops->list(be, fn, arg);
}

static inline void backend_destroy(struct backend *be)
{
	if (be)
		be->ops->destroy(be);
}

/* True for names a backend accepts (see above). */
bool backend_name_valid(const char *name);

/* One-op conveniences over submit(). */
TEE_Result backend_pread(struct backend *be, uint32_t fh, uint64_t off,
			 void *buf, size_t len, size_t *got);
TEE_Result backend_pwrite(struct backend *be, uint32_t fh, uint64_t off,
			  const void *buf, size_t len);
TEE_Result backend_sync(struct backend *be, uint32_t fh);
TEE_Result backend_sync_dir(struct backend *be);
TEE_Result backend_truncate(struct backend *be, uint32_t fh, uint64_t len);

#endif
