#include "shm.h"

#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int shm_create(struct shm_region *r, const char *name, size_t size)
{
	int fd, err;
	void *p;

	r->fd = -1;
	r->addr = NULL;
	r->size = 0;
	fd = memfd_create(name, MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0)
		goto fail;
	p = size ? mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
		 : NULL;
	if (p == MAP_FAILED)
		goto fail;
	r->fd = fd;
	r->addr = p;
	r->size = size;
	return 0;
fail:
	err = errno;
	close(fd);
	return -err;
}

int shm_map_fd(struct shm_region *r, int fd, size_t min_size,
	       size_t max_size)
{
	struct stat st;
	void *p = NULL;
	int err;

	r->fd = -1;
	r->addr = NULL;
	r->size = 0;
	if (fstat(fd, &st) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < 0 ||
	    (uint64_t)st.st_size < min_size ||
	    (uint64_t)st.st_size > max_size) {
		close(fd);
		return -EINVAL;
	}
	if (st.st_size) {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			err = errno;
			close(fd);
			return -err;
		}
	}
	r->fd = fd;
	r->addr = p;
	r->size = (size_t)st.st_size;
	return 0;
}

void shm_destroy(struct shm_region *r)
{
	if (r->addr && r->size)
		munmap(r->addr, r->size);
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->addr = NULL;
	r->size = 0;
}
