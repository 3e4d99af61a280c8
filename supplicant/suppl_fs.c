/* The REE file service: see suppl_fs.h and docs/protocol-supplicant.md. */
#include "suppl_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fsync_group.h"
#include "suppl_name.h"
#include "tee_error.h"
#include "write_gather.h"

void suppl_fs_init(struct suppl_fs *fs, int dirfd)
{
	size_t i;

	fs->dirfd = dirfd;
	for (i = 0; i < SUPPL_MAX_HANDLES; i++)
		fs->fds[i] = -1;
	for (i = 0; i < SUPPL_MAX_DIRS; i++)
		fs->dirs[i] = NULL;
}

void suppl_fs_close_all(struct suppl_fs *fs)
{
	size_t i;

	for (i = 0; i < SUPPL_MAX_HANDLES; i++) {
		if (fs->fds[i] >= 0)
			close(fs->fds[i]);
		fs->fds[i] = -1;
	}
	for (i = 0; i < SUPPL_MAX_DIRS; i++) {
		if (fs->dirs[i])
			closedir(fs->dirs[i]);
		fs->dirs[i] = NULL;
	}
}

TEE_Result suppl_fs_error(int err)
{
	switch (err) {
	case ELOOP:  /* a symlink planted where a file should be */
	case EISDIR: /* or a directory */
		return TEE_ERROR_ACCESS_DENIED;
	case EROFS:
		return TEE_ERROR_STORAGE_NOT_AVAILABLE;
	default:
		/* ENOENT, ENOSPC/EDQUOT/EFBIG, EACCES/EPERM, EIO, EEXIST... */
		return tee_error_from_errno(err);
	}
}

/* The fd behind a handle, or -1. */
static int fs_fd(const struct suppl_fs *fs, uint32_t h)
{
	return h < SUPPL_MAX_HANDLES ? fs->fds[h] : -1;
}

static int free_slot(const struct suppl_fs *fs)
{
	int i;

	for (i = 0; i < SUPPL_MAX_HANDLES; i++)
		if (fs->fds[i] < 0)
			return i;
	return -1;
}

static TEE_Result fs_open(struct suppl_fs *fs, const char *name, bool create,
			  uint32_t *h)
{
	int flags = O_RDWR | O_NOFOLLOW | O_CLOEXEC;
	int slot = free_slot(fs), fd;
	struct stat st;

	/* Before openat, so a refused CREATE leaves no file behind. */
	if (slot < 0)
		return TEE_ERROR_OUT_OF_MEMORY;
	if (create)
		flags |= O_CREAT | O_TRUNC;
	fd = openat(fs->dirfd, name, flags, 0600);
	if (fd < 0)
		return suppl_fs_error(errno);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return TEE_ERROR_ACCESS_DENIED;
	}
	fs->fds[slot] = fd;
	*h = (uint32_t)slot;
	return TEE_SUCCESS;
}

static TEE_Result fs_close(struct suppl_fs *fs, uint32_t h)
{
	int fd = fs_fd(fs, h);

	if (fd < 0)
		return TEE_ERROR_BAD_PARAMETERS;
	fs->fds[h] = -1;
	/* close() errors after a successful fdatasync carry no news. */
	close(fd);
	return TEE_SUCCESS;
}

/* Reads up to len bytes; fewer only at the end of the file. */
static TEE_Result fs_pread(int fd, uint8_t *dst, uint32_t len, uint64_t off,
			   uint32_t *done)
{
	uint32_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, dst + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return suppl_fs_error(errno);
		if (n == 0)
			break;
		got += (uint32_t)n;
	}
	*done = got;
	return TEE_SUCCESS;
}

static TEE_Result fs_pwrite(int fd, const uint8_t *src, uint32_t len,
			    uint64_t off)
{
	uint32_t put = 0;

	while (put < len) {
		ssize_t n =
		    pwrite(fd, src + put, len - put, (off_t)(off + put));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return suppl_fs_error(errno);
		if (n == 0)
			return TEE_ERROR_STORAGE_NO_SPACE;
		put += (uint32_t)n;
	}
	return TEE_SUCCESS;
}

static bool off_ok(uint64_t off, uint64_t len)
{
	/* off_t is signed 64-bit. */
	return off <= INT64_MAX && len <= (uint64_t)INT64_MAX - off;
}

/* One op of a SUBMIT (or the single READ/WRITE/TRUNCATE commands). */
static TEE_Result fs_run_op(struct suppl_fs *fs, const struct suppl_op_desc *op,
			    uint8_t *shm, uint32_t *done)
{
	int fd = -1;

	*done = 0;
	if (op->type != SUPPL_OP_SYNC_DIR) {
		fd = fs_fd(fs, op->fh);
		if (fd < 0)
			return TEE_ERROR_BAD_PARAMETERS;
	}
	switch (op->type) {
	case SUPPL_OP_READ:
		if (!off_ok(op->off, op->len))
			return TEE_ERROR_BAD_PARAMETERS;
		return fs_pread(fd, shm + op->shm_off, op->len, op->off, done);
	case SUPPL_OP_WRITE:
		if (!off_ok(op->off, op->len))
			return TEE_ERROR_BAD_PARAMETERS;
		return fs_pwrite(fd, shm + op->shm_off, op->len, op->off);
	case SUPPL_OP_TRUNCATE:
		if (!off_ok(op->off, 0))
			return TEE_ERROR_BAD_PARAMETERS;
		if (ftruncate(fd, (off_t)op->off) < 0)
			return suppl_fs_error(errno);
		return TEE_SUCCESS;
	case SUPPL_OP_SYNC:
		if (fdatasync(fd) < 0)
			return suppl_fs_error(errno);
		return TEE_SUCCESS;
	case SUPPL_OP_SYNC_DIR:
		if (fsync(fs->dirfd) < 0)
			return suppl_fs_error(errno);
		return TEE_SUCCESS;
	default:
		return TEE_ERROR_BAD_PARAMETERS; /* the decoder refused it */
	}
}

static bool is_sync(const struct suppl_op_desc *op)
{
	return op->type == SUPPL_OP_SYNC || op->type == SUPPL_OP_SYNC_DIR;
}

/*
 * A run of SYNC/SYNC_DIR ops is one barrier: every file is flushed at
 * the same time (fsync_group.h), as the POSIX backend does. Consumes up
 * to FSYNC_GROUP_MAX ops, stopping before one with a bad handle (which
 * then fails by itself, at its own index); if the flush fails, no op of
 * the run counts as done.
 */
static TEE_Result fs_sync_run(struct suppl_fs *fs,
			      const struct suppl_op_desc *ops, uint32_t n,
			      uint32_t *used)
{
	int fds[FSYNC_GROUP_MAX];
	bool full[FSYNC_GROUP_MAX];
	uint32_t i;
	int rc;

	*used = 0;
	for (i = 0; i < n && i < FSYNC_GROUP_MAX && is_sync(&ops[i]); i++) {
		full[i] = ops[i].type == SUPPL_OP_SYNC_DIR;
		fds[i] = full[i] ? fs->dirfd : fs_fd(fs, ops[i].fh);
		if (fds[i] < 0)
			break; /* the ops before it run; it fails on its own */
	}
	if (i == 0)
		return TEE_ERROR_BAD_PARAMETERS;
	rc = fsync_group(fds, full, i);
	if (rc < 0)
		return suppl_fs_error(-rc);
	*used = i;
	return TEE_SUCCESS;
}

/* Contiguous reads of one file share one preadv() (as backend_posix.c;
 * reads with gaps do not: copying the gap costs more than a syscall). */
#define FS_READ_OPS 256

static bool read_joins(const struct suppl_op_desc *op, uint32_t fh,
		       uint64_t end)
{
	return op->type == SUPPL_OP_READ && op->fh == fh && op->len > 0 &&
	       op->off == end && off_ok(op->off, op->len);
}

/*
 * Runs ops[0], a READ, and the READs of the same file that continue it as
 * one preadv() into shm (every range was checked against the shm size on
 * decode). Ops past a short read are redone one by one, so each done
 * means what it means for a single read. *used: the ops consumed, or on
 * failure the ops done before the one that failed.
 */
static TEE_Result fs_read_run(struct suppl_fs *fs,
			      const struct suppl_op_desc *ops, uint32_t n,
			      uint8_t *shm, uint32_t *done, uint32_t *used)
{
	struct iovec iov[FS_READ_OPS];
	int fd = fs_fd(fs, ops[0].fh);
	uint64_t end = ops[0].off;
	uint32_t i, cnt;
	TEE_Result res;
	ssize_t r;

	*used = 0;
	if (fd < 0 || !off_ok(ops[0].off, ops[0].len))
		return TEE_ERROR_BAD_PARAMETERS;
	for (i = 0; i < n && i < FS_READ_OPS; i++) {
		if (i > 0 && !read_joins(&ops[i], ops[0].fh, end))
			break;
		iov[i].iov_base = shm + ops[i].shm_off;
		iov[i].iov_len = ops[i].len;
		end = ops[i].off + ops[i].len;
	}
	cnt = i;
	if (cnt == 1) {
		res = fs_pread(fd, shm + ops[0].shm_off, ops[0].len, ops[0].off,
			       &done[0]);
		*used = res == TEE_SUCCESS ? 1 : 0;
		return res;
	}
	do
		r = preadv(fd, iov, (int)cnt, (off_t)ops[0].off);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return suppl_fs_error(errno);
	for (i = 0; i < cnt; i++) {
		if (ops[0].off + (uint64_t)r >= ops[i].off + ops[i].len) {
			done[i] = ops[i].len;
			continue;
		}
		res = fs_pread(fd, shm + ops[i].shm_off, ops[i].len, ops[i].off,
			       &done[i]);
		if (res != TEE_SUCCESS) {
			*used = i;
			return res;
		}
	}
	*used = cnt;
	return TEE_SUCCESS;
}

static bool write_joins(const struct suppl_op_desc *op, uint32_t fh)
{
	return op->type == SUPPL_OP_WRITE && op->fh == fh &&
	       off_ok(op->off, op->len);
}

/*
 * Runs ops[0], a WRITE, and the WRITEs of the same file that follow it
 * with few syscalls (write_gather.h), from shm (ranges checked on
 * decode). A failure counts against ops[0] (*used 0): a failed write
 * leaves its range undefined anyway (backend.h), so the run is one op
 * for the answer.
 */
static TEE_Result fs_write_run(struct suppl_fs *fs,
			       const struct suppl_op_desc *ops, uint32_t n,
			       uint8_t *shm, uint32_t *used)
{
	struct write_gather_op w[WRITE_GATHER_MAX];
	int fd = fs_fd(fs, ops[0].fh);
	uint32_t i;
	int rc;

	*used = 0;
	if (fd < 0 || !off_ok(ops[0].off, ops[0].len))
		return TEE_ERROR_BAD_PARAMETERS;
	for (i = 0; i < n && i < WRITE_GATHER_MAX; i++) {
		if (i > 0 && !write_joins(&ops[i], ops[0].fh))
			break;
		w[i] = (struct write_gather_op){
		    ops[i].off, shm + ops[i].shm_off, ops[i].len};
	}
	rc = write_gather(fd, w, i);
	if (rc == -ENOSPC)
		return TEE_ERROR_STORAGE_NO_SPACE;
	if (rc)
		return suppl_fs_error(-rc);
	*used = i;
	return TEE_SUCCESS;
}

/*
 * Runs ops in order up to the first failure (backend.h's submit): runs
 * of SYNCs as one barrier, runs of nearby READs as one preadv, runs of
 * contiguous WRITEs as one pwritev, the rest one by one. The answer's
 * index is the failing op's (nops on success).
 */
static void fs_submit(struct suppl_fs *fs, const struct suppl_req *req,
		      uint8_t *shm, struct wire_wr *ans)
{
	uint32_t done[SUPPL_MAX_OPS] = {0};
	TEE_Result res = TEE_SUCCESS;
	uint32_t i = 0, used;

	while (i < req->nops) {
		const struct suppl_op_desc *op = &req->ops[i];

		if (i + 1 < req->nops && is_sync(op) && is_sync(op + 1)) {
			res = fs_sync_run(fs, op, req->nops - i, &used);
		} else if (op->type == SUPPL_OP_READ) {
			res = fs_read_run(fs, op, req->nops - i, shm, done + i,
					  &used);
		} else if (op->type == SUPPL_OP_WRITE) {
			res = fs_write_run(fs, op, req->nops - i, shm, &used);
		} else {
			res = fs_run_op(fs, op, shm, &done[i]);
			used = res == TEE_SUCCESS ? 1 : 0;
		}
		/* On failure, used ops succeeded before the failing one. */
		i += used;
		if (res != TEE_SUCCESS) {
			done[i] = 0;
			break;
		}
	}
	wire_put_u32(ans, res);
	wire_put_u32(ans, i);
	for (i = 0; i < req->nops; i++)
		wire_put_u32(ans, done[i]);
}

static TEE_Result fs_rename(struct suppl_fs *fs, const struct suppl_req *req)
{
	if (req->overwrite) {
		if (renameat(fs->dirfd, req->name, fs->dirfd, req->name2) < 0)
			return suppl_fs_error(errno);
		return TEE_SUCCESS;
	}
	if (renameat2(fs->dirfd, req->name, fs->dirfd, req->name2,
		      RENAME_NOREPLACE) == 0)
		return TEE_SUCCESS;
	if (errno != EINVAL && errno != ENOSYS)
		return suppl_fs_error(errno);
	/* No RENAME_NOREPLACE here: link (fails on EEXIST), then unlink. */
	if (linkat(fs->dirfd, req->name, fs->dirfd, req->name2, 0) < 0)
		return suppl_fs_error(errno);
	if (unlinkat(fs->dirfd, req->name, 0) < 0)
		return suppl_fs_error(errno);
	return TEE_SUCCESS;
}

static TEE_Result fs_opendir(struct suppl_fs *fs, uint32_t *h)
{
	uint32_t i;
	int fd;

	for (i = 0; i < SUPPL_MAX_DIRS && fs->dirs[i]; i++)
		;
	if (i == SUPPL_MAX_DIRS)
		return TEE_ERROR_OUT_OF_MEMORY;
	/* Its own open file description: a dup would share the offset. */
	fd = openat(fs->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return suppl_fs_error(errno);
	fs->dirs[i] = fdopendir(fd);
	if (!fs->dirs[i]) {
		int err = errno;

		close(fd);
		return suppl_fs_error(err);
	}
	*h = i;
	return TEE_SUCCESS;
}

static DIR *fs_dir(const struct suppl_fs *fs, uint32_t h)
{
	return h < SUPPL_MAX_DIRS ? fs->dirs[h] : NULL;
}

/* The next name teed may see (others are skipped), or NULL at the end. */
static const char *next_name(DIR *d, TEE_Result *res)
{
	struct dirent *e;

	*res = TEE_SUCCESS;
	for (;;) {
		errno = 0;
		e = readdir(d);
		if (!e) {
			if (errno)
				*res = suppl_fs_error(errno);
			return NULL;
		}
		if (e->d_type != DT_REG && e->d_type != DT_UNKNOWN)
			continue;
		if (suppl_name_valid(e->d_name, strlen(e->d_name)))
			return e->d_name;
	}
}

static void fs_readdir(struct suppl_fs *fs, uint32_t h, struct wire_wr *ans)
{
	DIR *d = fs_dir(fs, h);
	TEE_Result res;
	const char *name;

	if (!d) {
		wire_put_u32(ans, TEE_ERROR_BAD_PARAMETERS);
		return;
	}
	name = next_name(d, &res);
	if (!name) {
		/* OP-TEE's supplicant ends a directory this way. */
		wire_put_u32(ans, res ? res : TEE_ERROR_ITEM_NOT_FOUND);
		return;
	}
	wire_put_u32(ans, TEE_SUCCESS);
	wire_put_u32(ans, (uint32_t)strlen(name));
	wire_put_bytes(ans, name, strlen(name));
}

/* As many NUL-ended names as fit in shm[0, cap); count 0 at the end. */
static void fs_readdir_bulk(struct suppl_fs *fs, const struct suppl_req *req,
			    uint8_t *shm, struct wire_wr *ans)
{
	DIR *d = fs_dir(fs, req->handle);
	uint32_t count = 0, used = 0;
	TEE_Result res = TEE_SUCCESS;

	if (!d) {
		wire_put_u32(ans, TEE_ERROR_BAD_PARAMETERS);
		return;
	}
	for (;;) {
		long pos = telldir(d);
		const char *name = next_name(d, &res);
		size_t n;

		if (!name)
			break;
		n = strlen(name) + 1;
		if (n > req->len - used) {
			seekdir(d, pos); /* this one goes in the next batch */
			break;
		}
		memcpy(shm + used, name, n);
		used += (uint32_t)n;
		count++;
	}
	if (res != TEE_SUCCESS) {
		wire_put_u32(ans, res);
		return;
	}
	wire_put_u32(ans, TEE_SUCCESS);
	wire_put_u32(ans, count);
	wire_put_u32(ans, used);
}

static void put_result_handle(struct wire_wr *ans, TEE_Result res, uint32_t h)
{
	wire_put_u32(ans, res);
	if (res == TEE_SUCCESS)
		wire_put_u32(ans, h);
}

/* OP-TEE's single READ/WRITE/TRUNCATE, as one-op batches. */
static void fs_single(struct suppl_fs *fs, const struct suppl_req *req,
		      uint8_t *shm, struct wire_wr *ans)
{
	struct suppl_op_desc op = {
	    .fh = req->handle,
	    .off = req->off,
	    .len = req->len,
	    .shm_off = req->shm_off,
	};
	uint32_t done = 0;
	TEE_Result res;

	op.type = req->cmd == SUPPL_FS_READ    ? SUPPL_OP_READ
		  : req->cmd == SUPPL_FS_WRITE ? SUPPL_OP_WRITE
					       : SUPPL_OP_TRUNCATE;
	res = fs_run_op(fs, &op, shm, &done);
	wire_put_u32(ans, res);
	if (res == TEE_SUCCESS && req->cmd == SUPPL_FS_READ)
		wire_put_u32(ans, done);
}

void suppl_fs_serve(struct suppl_fs *fs, const struct suppl_req *req,
		    uint8_t *shm, size_t shm_size, struct wire_wr *ans)
{
	TEE_Result res = TEE_SUCCESS;
	uint32_t h = 0;

	(void)shm_size; /* every range was checked against it on decode */
	switch (req->cmd) {
	case SUPPL_FS_OPEN:
	case SUPPL_FS_CREATE:
		res = fs_open(fs, req->name, req->cmd == SUPPL_FS_CREATE, &h);
		put_result_handle(ans, res, h);
		return;
	case SUPPL_FS_CLOSE:
		wire_put_u32(ans, fs_close(fs, req->handle));
		return;
	case SUPPL_FS_READ:
	case SUPPL_FS_WRITE:
	case SUPPL_FS_TRUNCATE:
		fs_single(fs, req, shm, ans);
		return;
	case SUPPL_FS_REMOVE:
		if (unlinkat(fs->dirfd, req->name, 0) < 0)
			res = suppl_fs_error(errno);
		wire_put_u32(ans, res);
		return;
	case SUPPL_FS_RENAME:
		wire_put_u32(ans, fs_rename(fs, req));
		return;
	case SUPPL_FS_OPENDIR:
		res = fs_opendir(fs, &h);
		put_result_handle(ans, res, h);
		return;
	case SUPPL_FS_CLOSEDIR:
		if (!fs_dir(fs, req->handle)) {
			wire_put_u32(ans, TEE_ERROR_BAD_PARAMETERS);
			return;
		}
		closedir(fs->dirs[req->handle]);
		fs->dirs[req->handle] = NULL;
		wire_put_u32(ans, TEE_SUCCESS);
		return;
	case SUPPL_FS_READDIR:
		fs_readdir(fs, req->handle, ans);
		return;
	case SUPPL_FS_READDIR_BULK:
		fs_readdir_bulk(fs, req, shm, ans);
		return;
	case SUPPL_FS_SUBMIT:
		fs_submit(fs, req, shm, ans);
		return;
	default:
		wire_put_u32(ans, TEE_ERROR_NOT_SUPPORTED);
		return;
	}
}
