/*
 * The TA heap behind a TA's malloc family: teestore-ta-host exports
 * these, ta_libc_heap.c (compiled into every TA) calls them. Not for TA
 * code: call malloc/free or TEE_Malloc/TEE_Free.
 */
#ifndef TEESTORE_TA_HEAP_H
#define TEESTORE_TA_HEAP_H

#include <stddef.h>

void *teestore_ta_malloc(size_t n);
void *teestore_ta_calloc(size_t n, size_t size);
void *teestore_ta_realloc(void *p, size_t n);
void teestore_ta_free(void *p);

#endif
