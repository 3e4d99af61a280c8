/*
 * Handling of secrets: wipe them in a way the compiler cannot elide, and
 * compare MACs and hashes in constant time.
 */
#ifndef TEESTORE_SECMEM_H
#define TEESTORE_SECMEM_H

#include <stdbool.h>
#include <stddef.h>

void secmem_wipe(void *p, size_t len);

/* True when the two buffers are equal; time depends only on len. */
bool secmem_equal(const void *a, const void *b, size_t len);

#endif
