/*
 * The POSIX backend (backend_posix.h): regular files in one directory.
 *
 * The handle table is the only shared state; it is protected by `lock`,
 * and all I/O happens outside it, on the fd looked up under it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <dirent.h>
#include <unistd.h>

#include "backend_posix.h"
#include "fsync_group.h"
#include "tee_api_defines.h"
#include "tee_error.h"
#include "write_gather.h"

/*
 * Contiguous reads of one file (at most POSIX_READ_OPS) become one
 * preadv(). Reads with gaps do not: reading a hash-tree file's other
 * block versions into scratch to save syscalls was measured slower, the
 * page-cache copy of a gap costs more than a syscall (docs/benchmarks.md).
 */
#define POSIX_READ_OPS 256

struct posix_backend {
	struct backend be;
	int dirfd;	      /* the root directory, O_DIRECTORY */
	pthread_mutex_t lock; /* protects fds[] */
	int fds[BACKEND_POSIX_MAX_HANDLES]; /* handle h is fds[h - 1]; -1 free
					     */
};

static struct posix_backend *to_posix(struct backend *be)
{
	return (struct posix_backend *)be;
}

static TEE_Result posix_errno(void)
{
	return tee_error_from_errno(errno);
}

/* The fd of handle fh, or -1. */
static int posix_fd(struct posix_backend *p, uint32_t fh)
{
	int fd = -1;

	if (fh == 0 || fh > BACKEND_POSIX_MAX_HANDLES)
		return -1;
	pthread_mutex_lock(&p->lock);
	fd = p->fds[fh - 1];
	pthread_mutex_unlock(&p->lock);
	return fd;
}

/* Stores fd in a free slot; closes it if there is none. */
static TEE_Result posix_add_handle(struct posix_backend *p, int fd,
				   uint32_t *fh)
{
	uint32_t i;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < BACKEND_POSIX_MAX_HANDLES; i++) {
		if (p->fds[i] < 0) {
			p->fds[i] = fd;
			pthread_mutex_unlock(&p->lock);
			*fh = i + 1;
			return TEE_SUCCESS;
		}
	}
	pthread_mutex_unlock(&p->lock);
	close(fd);
	return TEE_ERROR_OUT_OF_MEMORY;
}

/*
 * Opens name with flags and registers it. O_NONBLOCK keeps a FIFO planted
 * in the directory from hanging open(); anything but a regular file is
 * then refused.
 */
static TEE_Result posix_open_flags(struct backend *be, const char *name,
				   int flags, uint32_t *fh)
{
	struct posix_backend *p = to_posix(be);
	struct stat st;
	int fd;

	*fh = 0;
	if (!backend_name_valid(name))
		return TEE_ERROR_BAD_PARAMETERS;
	fd = openat(p->dirfd, name,
		    flags | O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	if (fd < 0)
		return errno == ELOOP ? TEE_ERROR_ACCESS_DENIED : posix_errno();
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return TEE_ERROR_ACCESS_DENIED;
	}
	return posix_add_handle(p, fd, fh);
}

static TEE_Result posix_open(struct backend *be, const char *name, uint32_t *fh)
{
	return posix_open_flags(be, name, 0, fh);
}

static TEE_Result posix_create(struct backend *be, const char *name,
			       uint32_t *fh)
{
	return posix_open_flags(be, name, O_CREAT | O_TRUNC, fh);
}

static TEE_Result posix_close(struct backend *be, uint32_t fh)
{
	struct posix_backend *p = to_posix(be);
	int fd = -1;

	if (fh == 0 || fh > BACKEND_POSIX_MAX_HANDLES)
		return TEE_ERROR_BAD_PARAMETERS;
	pthread_mutex_lock(&p->lock);
	fd = p->fds[fh - 1];
	p->fds[fh - 1] = -1;
	pthread_mutex_unlock(&p->lock);
	if (fd < 0)
		return TEE_ERROR_BAD_PARAMETERS;
	/* Linux always releases the fd; an error here (EIO from delayed
	 * writeback) is still reported. */
	return close(fd) < 0 && errno != EINTR ? posix_errno() : TEE_SUCCESS;
}

/* off and off + len must fit in off_t. */
static bool posix_range_ok(uint64_t off, size_t len)
{
	return off <= (uint64_t)INT64_MAX && len <= (uint64_t)INT64_MAX - off;
}

static TEE_Result posix_read(int fd, struct backend_op *op)
{
	uint8_t *buf = op->buf;
	ssize_t n;

	op->done = 0;
	while (op->done < op->len) {
		n = pread(fd, buf + op->done, op->len - op->done,
			  (off_t)(op->off + op->done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return posix_errno();
		if (n == 0)
			break; /* end of file */
		op->done += (size_t)n;
	}
	return TEE_SUCCESS;
}

/* True if op can join a read run of fh that ends at end. */
static bool posix_read_joins(const struct backend_op *op, uint32_t fh,
			     uint64_t end)
{
	return op->type == BACKEND_OP_READ && op->fh == fh && op->len > 0 &&
	       op->off == end && posix_range_ok(op->off, op->len);
}

/*
 * Reads ops[0] and the READs of the same fh that continue it in the file
 * in one preadv(); sets *used to how many ops it consumed. Ops past a
 * short read (the end of the file, or a rare short read of the kernel's)
 * are finished one by one with posix_read, so each op's done means what
 * it means for a single read.
 */
static TEE_Result posix_read_run(int fd, struct backend_op *ops, size_t n,
				 size_t *used)
{
	struct iovec iov[POSIX_READ_OPS];
	uint64_t end = ops[0].off;
	TEE_Result res;
	size_t i, cnt;
	ssize_t r;

	if (!posix_range_ok(ops[0].off, ops[0].len))
		return TEE_ERROR_BAD_PARAMETERS;
	for (i = 0; i < n && i < POSIX_READ_OPS; i++) {
		if (i > 0 && !posix_read_joins(&ops[i], ops[0].fh, end))
			break;
		iov[i].iov_base = ops[i].buf;
		iov[i].iov_len = ops[i].len;
		end = ops[i].off + ops[i].len;
		ops[i].done = 0;
	}
	*used = cnt = i;
	if (cnt == 1)
		return posix_read(fd, &ops[0]);
	do
		r = preadv(fd, iov, (int)cnt, (off_t)ops[0].off);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return posix_errno();
	for (i = 0; i < cnt; i++) {
		if (ops[0].off + (uint64_t)r >= ops[i].off + ops[i].len) {
			ops[i].done = ops[i].len;
			continue;
		}
		res = posix_read(fd, &ops[i]);
		if (res != TEE_SUCCESS)
			return res;
	}
	return TEE_SUCCESS;
}

/*
 * Writes ops[0] and every following WRITE of the same fh (up to
 * WRITE_GATHER_MAX) with few syscalls (write_gather.h); returns how many
 * ops it consumed. A failure counts against the whole run: a failed
 * write leaves its range undefined anyway (backend.h).
 */
static TEE_Result posix_write_run(int fd, struct backend_op *ops, size_t n,
				  size_t *used)
{
	struct write_gather_op w[WRITE_GATHER_MAX];
	size_t i;
	int rc;

	for (i = 0; i < n && i < WRITE_GATHER_MAX; i++) {
		if (ops[i].type != BACKEND_OP_WRITE || ops[i].fh != ops[0].fh ||
		    !posix_range_ok(ops[i].off, ops[i].len))
			break;
		w[i] = (struct write_gather_op){ops[i].off, ops[i].buf,
						ops[i].len};
	}
	if (i == 0) /* ops[0] itself is out of range */
		return TEE_ERROR_BAD_PARAMETERS;
	*used = i;
	rc = write_gather(fd, w, i);
	return rc ? tee_error_from_errno(-rc) : TEE_SUCCESS;
}

static TEE_Result posix_sync_fd(int fd, bool dir)
{
	int r;

	/* fdatasync covers the size too: it is needed to read the data. */
	r = dir ? fsync(fd) : fdatasync(fd);
	return r < 0 ? posix_errno() : TEE_SUCCESS;
}

/* Runs ops[0] (and, for writes, what continues it); sets *used. */
static TEE_Result posix_run_op(struct posix_backend *p, struct backend_op *ops,
			       size_t n, size_t *used)
{
	struct backend_op *op = ops;
	int fd;

	*used = 1;
	if (op->type == BACKEND_OP_SYNC_DIR)
		return posix_sync_fd(p->dirfd, true);
	fd = posix_fd(p, op->fh);
	if (fd < 0)
		return TEE_ERROR_BAD_PARAMETERS;
	switch (op->type) {
	case BACKEND_OP_READ:
		return posix_read_run(fd, ops, n, used);
	case BACKEND_OP_WRITE:
		return posix_write_run(fd, ops, n, used);
	case BACKEND_OP_TRUNCATE:
		if (!posix_range_ok(op->off, 0))
			return TEE_ERROR_BAD_PARAMETERS;
		return ftruncate(fd, (off_t)op->off) < 0 ? posix_errno()
							 : TEE_SUCCESS;
	case BACKEND_OP_SYNC:
		return posix_sync_fd(fd, false);
	default:
		return TEE_ERROR_BAD_PARAMETERS;
	}
}

static bool posix_is_sync(const struct backend_op *op)
{
	return op->type == BACKEND_OP_SYNC || op->type == BACKEND_OP_SYNC_DIR;
}

/*
 * A run of SYNC/SYNC_DIR ops is one barrier: every file in it is flushed
 * at the same time (fsync_group.h), so a commit's first barrier over the
 * object file and dirf.db costs about one device flush, not two.
 */
static TEE_Result posix_sync_run(struct posix_backend *p,
				 struct backend_op *ops, size_t n, size_t *used)
{
	int fds[FSYNC_GROUP_MAX];
	bool full[FSYNC_GROUP_MAX];
	size_t i;
	int rc;

	for (i = 0; i < n && i < FSYNC_GROUP_MAX && posix_is_sync(&ops[i]);
	     i++) {
		full[i] = ops[i].type == BACKEND_OP_SYNC_DIR;
		fds[i] = full[i] ? p->dirfd : posix_fd(p, ops[i].fh);
		if (fds[i] < 0)
			break; /* the ops before it run; it fails by itself */
	}
	if (i == 0)
		return TEE_ERROR_BAD_PARAMETERS;
	*used = i;
	rc = fsync_group(fds, full, i);
	if (rc < 0) {
		errno = -rc;
		return posix_errno();
	}
	return TEE_SUCCESS;
}

static TEE_Result posix_submit(struct backend *be, struct backend_op *ops,
			       size_t n)
{
	struct posix_backend *p = to_posix(be);
	TEE_Result res;
	size_t i = 0, used;

	while (i < n) {
		if (i + 1 < n && posix_is_sync(&ops[i]) &&
		    posix_is_sync(&ops[i + 1]))
			res = posix_sync_run(p, ops + i, n - i, &used);
		else
			res = posix_run_op(p, ops + i, n - i, &used);
		if (res)
			return res;
		i += used;
	}
	return TEE_SUCCESS;
}

static TEE_Result posix_remove(struct backend *be, const char *name)
{
	if (!backend_name_valid(name))
		return TEE_ERROR_BAD_PARAMETERS;
	if (unlinkat(to_posix(be)->dirfd, name, 0) < 0)
		return posix_errno();
	return TEE_SUCCESS;
}

/*
 * Rename without replacing an existing target: renameat2(NOREPLACE) is
 * atomic; on file systems without it, link() + unlink() is too (link
 * fails with EEXIST), at the price of a moment with both names.
 */
static TEE_Result posix_rename_noreplace(int dirfd, const char *from,
					 const char *to)
{
	if (renameat2(dirfd, from, dirfd, to, RENAME_NOREPLACE) == 0)
		return TEE_SUCCESS;
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
		return posix_errno();
	if (linkat(dirfd, from, dirfd, to, 0) < 0)
		return posix_errno();
	if (unlinkat(dirfd, from, 0) < 0)
		return posix_errno();
	return TEE_SUCCESS;
}

static TEE_Result posix_rename(struct backend *be, const char *from,
			       const char *to, bool overwrite)
{
	int dirfd = to_posix(be)->dirfd;

	if (!backend_name_valid(from) || !backend_name_valid(to))
		return TEE_ERROR_BAD_PARAMETERS;
	if (!overwrite)
		return posix_rename_noreplace(dirfd, from, to);
	if (renameat(dirfd, from, dirfd, to) < 0)
		return posix_errno();
	return TEE_SUCCESS;
}

/* True if e names a regular file (the type may need a stat). */
static bool posix_is_regular(int dfd, const struct dirent *e)
{
	struct stat st;

	if (e->d_type == DT_REG)
		return true;
	if (e->d_type != DT_UNKNOWN)
		return false;
	return fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode);
}

static TEE_Result posix_list(struct backend *be, backend_list_fn fn, void *arg)
{
	struct dirent *e;
	DIR *d;
	int fd;

	/* A fresh open file description: its own position, so concurrent
	 * lists do not disturb each other. */
	fd = openat(to_posix(be)->dirfd, ".",
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return posix_errno();
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return posix_errno();
	}
	for (;;) {
		errno = 0;
		e = readdir(d);
		if (!e)
			break;
		if (!backend_name_valid(e->d_name) || !posix_is_regular(fd, e))
			continue;
		if (fn(arg, e->d_name))
			break;
	}
	if (!e && errno) {
		TEE_Result res = posix_errno();

		closedir(d);
		return res;
	}
	closedir(d);
	return TEE_SUCCESS;
}

static void posix_destroy(struct backend *be)
{
	struct posix_backend *p = to_posix(be);
	size_t i;

	for (i = 0; i < BACKEND_POSIX_MAX_HANDLES; i++)
		if (p->fds[i] >= 0)
			close(p->fds[i]);
	close(p->dirfd);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static const struct backend_ops posix_ops = {
    .kind = "posix",
    .open = posix_open,
    .create = posix_create,
    .close = posix_close,
    .submit = posix_submit,
    .remove = posix_remove,
    .rename = posix_rename,
    .list = posix_list,
    .destroy = posix_destroy,
};

/* mkdir -p with mode 0700 for what it creates. */
static int posix_mkpath(const char *dir)
{
	char path[PATH_MAX];
	size_t len = strlen(dir), i;

	if (len == 0 || len >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -errno;
		path[i] = dir[i];
	}
	return 0;
}

TEE_Result backend_posix_open(const char *dir, struct backend **out)
{
	struct posix_backend *p;
	size_t i;
	int r;

	*out = NULL;
	if (!dir)
		return TEE_ERROR_BAD_PARAMETERS;
	r = posix_mkpath(dir);
	if (r < 0)
		return tee_error_from_errno(-r);
	p = calloc(1, sizeof(*p));
	if (!p)
		return TEE_ERROR_OUT_OF_MEMORY;
	p->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p->dirfd < 0) {
		TEE_Result res = posix_errno();

		free(p);
		return res;
	}
	for (i = 0; i < BACKEND_POSIX_MAX_HANDLES; i++)
		p->fds[i] = -1;
	pthread_mutex_init(&p->lock, NULL);
	p->be.ops = &posix_ops;
	*out = &p->be;
	return TEE_SUCCESS;
}
