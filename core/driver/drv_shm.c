/* Shared memory registry of a connection: see drv_shm.h. */
#include "drv_shm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tee_api_defines.h"

static atomic_uint_fast64_t live_objects;
static atomic_uint_fast64_t live_bytes;
static atomic_uint_fast32_t next_id = 1;

void tee_shm_get(struct tee_shm *shm)
{
	atomic_fetch_add(&shm->refs, 1);
}

void tee_shm_put(struct tee_shm *shm)
{
	if (!shm || atomic_fetch_sub(&shm->refs, 1) != 1)
		return;
	close(shm->fd);
	atomic_fetch_sub(&live_objects, 1);
	atomic_fetch_sub(&live_bytes, shm->size);
	free(shm);
}

static TEE_Result shm_wrap(int fd, uint64_t size, struct tee_shm **out)
{
	struct tee_shm *shm = calloc(1, sizeof(*shm));

	if (!shm) {
		close(fd);
		return TEE_ERROR_OUT_OF_MEMORY;
	}
	shm->fd = fd;
	shm->size = size;
	atomic_init(&shm->refs, 1);
	atomic_fetch_add(&live_objects, 1);
	atomic_fetch_add(&live_bytes, size);
	*out = shm;
	return TEE_SUCCESS;
}

TEE_Result drv_shm_alloc(uint64_t size, struct tee_shm **out)
{
	int fd = memfd_create("teestore-shm", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return TEE_ERROR_OUT_OF_MEMORY;
	if (size > INT64_MAX || ftruncate(fd, (off_t)size) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) <
		0) {
		close(fd);
		return TEE_ERROR_OUT_OF_MEMORY;
	}
	return shm_wrap(fd, size, out);
}

TEE_Result drv_shm_from_fd(int fd, uint64_t min_size, uint64_t max_size,
			   struct tee_shm **out)
{
	struct stat st;
	int seals = fcntl(fd, F_GET_SEALS);

	/*
	 * Without F_SEAL_SHRINK a client could truncate the file while a TA
	 * has it mapped and make that TA (or teed) fault on access.
	 */
	if (seals < 0 || !(seals & F_SEAL_SHRINK) || fstat(fd, &st) < 0 ||
	    !S_ISREG(st.st_mode) || st.st_size < 0 ||
	    (uint64_t)st.st_size < min_size ||
	    (uint64_t)st.st_size > max_size) {
		close(fd);
		return TEE_ERROR_BAD_PARAMETERS;
	}
	return shm_wrap(fd, (uint64_t)st.st_size, out);
}

TEE_Result drv_shm_table_add(struct drv_shm_table *t, struct tee_shm *shm,
			     uint64_t max_bytes)
{
	uint32_t id;

	if (shm->size > max_bytes || t->bytes > max_bytes - shm->size)
		return TEE_ERROR_OUT_OF_MEMORY;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		struct tee_shm **v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return TEE_ERROR_OUT_OF_MEMORY;
		t->v = v;
		t->cap = cap;
	}
	do /* 0 is never an id; the counter may wrap after 2^32 shms */
		id = (uint32_t)atomic_fetch_add(&next_id, 1);
	while (!id);
	shm->id = id;
	t->v[t->n++] = shm;
	t->bytes += shm->size;
	return TEE_SUCCESS;
}

static size_t find(const struct drv_shm_table *t, uint64_t id)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i]->id == id)
			return i;
	return SIZE_MAX;
}

struct tee_shm *drv_shm_table_get(struct drv_shm_table *t, uint64_t id)
{
	size_t i = find(t, id);

	if (i == SIZE_MAX)
		return NULL;
	tee_shm_get(t->v[i]);
	return t->v[i];
}

TEE_Result drv_shm_table_remove(struct drv_shm_table *t, uint64_t id)
{
	size_t i = find(t, id);
	struct tee_shm *shm;

	if (i == SIZE_MAX)
		return TEE_ERROR_BAD_PARAMETERS;
	shm = t->v[i];
	t->v[i] = t->v[--t->n];
	t->bytes -= shm->size;
	tee_shm_put(shm);
	return TEE_SUCCESS;
}

void drv_shm_table_clear(struct drv_shm_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		tee_shm_put(t->v[i]);
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
	t->bytes = 0;
}

void drv_shm_stats(uint64_t *objects, uint64_t *bytes)
{
	*objects = atomic_load(&live_objects);
	*bytes = atomic_load(&live_bytes);
}
