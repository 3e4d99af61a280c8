/*
 * The TA heap behind a TA's malloc family: teestore-ta-host exports
 * these, ta_libc_heap.c (compiled into every TA) calls them. Not for TA
 * code: call malloc/free or TEE_Malloc/TEE_Free.
 */
#ifndef TEESTORE_TA_HEAP_H
#define TEESTORE_TA_HEAP_H

#include <stddef.h>

/* Maps the TA heap of size bytes (its TA_DATA_SIZE) if not done yet:
 * called by the TA's first constructor, so that its own constructors can
 * allocate (OP-TEE sets the heap up before them too). 0 or -errno. */
int teestore_ta_heap_init(size_t size);
void *teestore_ta_malloc(size_t n);
void *teestore_ta_calloc(size_t n, size_t size);
void *teestore_ta_realloc(void *p, size_t n);
void teestore_ta_free(void *p);
void *teestore_ta_reallocarray(void *p, size_t n, size_t size);

#endif
