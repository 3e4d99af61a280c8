/* Test implementation of tee_shm_get/put (the client helper owns the real one).
 */
#include "test_shm.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shm.h"

static atomic_uint live;

void tee_shm_get(struct tee_shm *shm)
{
	atomic_fetch_add(&shm->refs, 1);
}

void tee_shm_put(struct tee_shm *shm)
{
	if (atomic_fetch_sub(&shm->refs, 1) != 1)
		return;
	close(shm->fd);
	free(shm);
	atomic_fetch_sub(&live, 1);
}

struct tee_shm *test_shm_new(size_t size, void **addr)
{
	static uint64_t next_id;
	struct shm_region r;
	struct tee_shm *shm;

	if (shm_create(&r, "test-shm", size))
		return NULL;
	shm = calloc(1, sizeof(*shm));
	if (!shm) {
		shm_destroy(&r);
		return NULL;
	}
	shm->fd = r.fd;
	shm->size = size;
	shm->id = ++next_id;
	atomic_init(&shm->refs, 1);
	*addr = r.addr;
	atomic_fetch_add(&live, 1);
	return shm;
}

void test_shm_release(struct tee_shm *shm, void *addr)
{
	if (addr)
		munmap(addr, shm->size);
	tee_shm_put(shm);
}

unsigned test_shm_live(void)
{
	return atomic_load(&live);
}
