/*
 * Shared memory mappings cached under teed's keys (docs/protocol-ta.md):
 * a client's shared memory is mapped once per instance and reused by
 * every call that references it, until teed evicts the key.
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "runtime.h"

/* What a zero-sized shared memory maps to: non-NULL, never accessed. */
static uint8_t empty_shm[1];

struct rt_shm *rt_shm_find(uint32_t key)
{
	size_t i;

	for (i = 0; i < RT_SHM_SLOTS; i++)
		if (rt.shm[i].used && rt.shm[i].key == key)
			return &rt.shm[i];
	return NULL;
}

void rt_shm_evict(uint32_t key)
{
	struct rt_shm *s = rt_shm_find(key);

	if (!s)
		rt_die_proto("eviction of an unknown shm key");
	if (s->addr != empty_shm)
		munmap(s->addr, s->size);
	s->used = false;
}

int rt_shm_add(uint32_t key, int fd, uint64_t size)
{
	struct rt_shm *s = NULL;
	void *p = empty_shm;
	size_t i;

	if (rt_shm_find(key)) {
		close(fd);
		return -EEXIST;
	}
	for (i = 0; i < RT_SHM_SLOTS && !s; i++)
		if (!rt.shm[i].used)
			s = &rt.shm[i];
	if (!s) {
		close(fd);
		return -ENOSPC;
	}
	if (size) {
		p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
		if (p == MAP_FAILED) {
			int err = errno;

			close(fd);
			return -err;
		}
	}
	close(fd); /* the mapping keeps the memory */
	s->used = true;
	s->key = key;
	s->addr = p;
	s->size = (size_t)size;
	return 0;
}

int rt_shm_check(uintptr_t start, uintptr_t end)
{
	size_t i;

	for (i = 0; i < RT_SHM_SLOTS; i++) {
		uintptr_t s = (uintptr_t)rt.shm[i].addr;
		uintptr_t e = s + rt.shm[i].size;

		if (!rt.shm[i].used || !rt.shm[i].size)
			continue;
		if (start >= s && end <= e)
			return 1;
		if (start < e && end > s)
			return -1;
	}
	return 0;
}

struct rt_shm *rt_shm_locate(uintptr_t start, uintptr_t end)
{
	size_t i;

	for (i = 0; i < RT_SHM_SLOTS; i++) {
		uintptr_t s = (uintptr_t)rt.shm[i].addr;

		if (rt.shm[i].used && rt.shm[i].size && start >= s &&
		    end <= s + rt.shm[i].size)
			return &rt.shm[i];
	}
	return NULL;
}
