/* The RPMB device's I/O seam over a real file (rpmb_io.h). */
#include "rpmb_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct posix_io {
	struct rpmb_io io; /* first: the seam hands this pointer around */
	int fd;
};

static int posix_fd(struct rpmb_io *io)
{
	return ((struct posix_io *)io)->fd;
}

static int posix_read(struct rpmb_io *io, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(posix_fd(io), p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO; /* the file is shorter than it must be */
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int posix_write(struct rpmb_io *io, const void *buf, size_t len,
		       uint64_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(posix_fd(io), p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int posix_sync(struct rpmb_io *io)
{
	return fdatasync(posix_fd(io)) < 0 ? -errno : 0;
}

static int posix_size(struct rpmb_io *io, uint64_t *size)
{
	struct stat st;

	if (fstat(posix_fd(io), &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	*size = (uint64_t)st.st_size;
	return 0;
}

static int posix_truncate(struct rpmb_io *io, uint64_t size)
{
	return ftruncate(posix_fd(io), (off_t)size) < 0 ? -errno : 0;
}

static void posix_close(struct rpmb_io *io)
{
	struct posix_io *p = (struct posix_io *)io;

	close(p->fd);
	free(p);
}

static const struct rpmb_io_ops posix_ops = {
    .read = posix_read,
    .write = posix_write,
    .sync = posix_sync,
    .size = posix_size,
    .truncate = posix_truncate,
    .close = posix_close,
};

int rpmb_io_posix_open(const char *path, bool read_only, bool create,
		       struct rpmb_io **out)
{
	struct posix_io *p;
	int flags = O_CLOEXEC | (read_only ? O_RDONLY : O_RDWR);
	int rc;

	if (create)
		flags |= O_CREAT | O_EXCL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->io.ops = &posix_ops;
	p->fd = open(path, flags, 0600);
	if (p->fd < 0) {
		rc = -errno;
		goto fail;
	}
	if (flock(p->fd, (read_only ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
		rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
		close(p->fd);
		goto fail;
	}
	*out = &p->io;
	return 0;
fail:
	free(p);
	return rc;
}
