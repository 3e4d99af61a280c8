/*
 * Shared memory between processes: an anonymous memfd, sized once, mapped
 * by each side. The fd travels with an ipc message (SCM_RIGHTS). The
 * receiver must take the size from the fd (fstat), never from the peer's
 * word, and must expect the peer to change the contents at any time:
 * copy what it validates before using it (no double fetch).
 */
#ifndef TEESTORE_SHM_H
#define TEESTORE_SHM_H

#include <stddef.h>
#include <stdint.h>

struct shm_region {
	int fd;
	void *addr;
	size_t size;
};

/* Creates and maps a zeroed region. Returns 0 or -errno. */
int shm_create(struct shm_region *r, const char *name, size_t size);

/*
 * Maps a region received from a peer. Its size is read with fstat; a
 * region smaller than min_size, or larger than max_size, is refused with
 * -EINVAL. Takes ownership of fd (closed on failure).
 */
int shm_map_fd(struct shm_region *r, int fd, size_t min_size,
	       size_t max_size);

/* Unmaps and closes; safe on a zeroed or already destroyed region. */
void shm_destroy(struct shm_region *r);

#endif
