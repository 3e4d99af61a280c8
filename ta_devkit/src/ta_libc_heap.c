/*
 * Compiled into every TA, beside user_ta_header.c: the TA's malloc,
 * calloc, realloc and free take the TA heap (TA_DATA_SIZE), as OP-TEE's
 * libutils does, instead of the host process's unbounded libc heap. A TA
 * that allocates more than its header declares then fails here exactly as
 * it would on OP-TEE (malloc returns NULL), instead of working on a
 * developer's machine and running out of memory on the device.
 *
 * Hidden: the TA's own calls bind to these (the TA is linked -Bsymbolic
 * and loaded RTLD_LOCAL), nothing else does. Memory a libc function
 * allocated for the TA (strdup, asprintf) comes from the host's heap;
 * free and realloc tell the two apart (teestore_ta_free, ta_runtime).
 * aligned_alloc, posix_memalign and memalign are not replaced: they take
 * the host's heap, unbounded (free gives such memory back to libc).
 *
 * The heap is set up by this file's constructor, which runs before the
 * TA's own (priority 101), so that those may allocate, as on OP-TEE.
 */
#include <stdlib.h>

#include "teestore_ta_heap.h"

#define TA_LIBC_HEAP __attribute__((visibility("hidden")))

/* user_ta_header.c, in the same TA: TA_DATA_SIZE. */
extern const size_t ta_heap_size;

__attribute__((constructor(101))) static void ta_heap_setup(void)
{
	(void)teestore_ta_heap_init(ta_heap_size);
}

TA_LIBC_HEAP void *malloc(size_t n)
{
	return teestore_ta_malloc(n);
}

TA_LIBC_HEAP void *calloc(size_t n, size_t size)
{
	return teestore_ta_calloc(n, size);
}

TA_LIBC_HEAP void *realloc(void *p, size_t n)
{
	return teestore_ta_realloc(p, n);
}

TA_LIBC_HEAP void *reallocarray(void *p, size_t n, size_t size)
{
	return teestore_ta_reallocarray(p, n, size);
}

TA_LIBC_HEAP void free(void *p)
{
	teestore_ta_free(p);
}
