/*
 * Bulk data of the data stream through shared memory (docs/gp-storage-ta.md,
 * "Bulk data"): teed gives each instance a bulk buffer (TA_MSG_BULK) and
 * the *_MEM storage syscalls name either it (key 0) or a client shared
 * memory this process has mapped, so a transfer of up to the buffer's size
 * (or of any size that already lies in a client's memref) is one syscall
 * and one copy in teed, instead of one message per 60 KiB.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "runtime.h"
#include "storage_int.h"

void rt_bulk_map(int fd, uint32_t size)
{
	void *p;

	if (rt.bulk)
		rt_die_proto("a second bulk buffer");
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd); /* the mapping keeps the memory */
	if (p == MAP_FAILED)
		rt_die_proto("cannot map the bulk buffer");
	rt.bulk = p;
	rt.bulk_size = size;
}

bool st_mem_client(const void *buf, size_t len, struct ta_st_mem *m)
{
	uintptr_t s = (uintptr_t)buf;
	struct rt_shm *shm;

	if (!len || s + len < s)
		return false;
	shm = rt_shm_locate(s, s + len);
	if (!shm)
		return false;
	m->key = shm->key;
	m->off = s - (uintptr_t)shm->addr;
	m->len = len;
	return true;
}

bool st_mem_bulk(size_t len, struct ta_st_mem *m)
{
	if (!rt.bulk || len > rt.bulk_size)
		return false;
	m->key = TA_ST_MEM_BULK;
	m->off = 0;
	m->len = len;
	return true;
}
