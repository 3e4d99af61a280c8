/*
 * The backend.h contract, checked the same way on every backend: each
 * backend's test program calls conformance_run() with a factory that
 * returns a fresh, empty backend.
 */
#ifndef TEESTORE_TEST_CONFORMANCE_H
#define TEESTORE_TEST_CONFORMANCE_H

#include "backend.h"

typedef struct backend *(*conformance_new_fn)(void);

void conformance_run(conformance_new_fn new_backend);

/* Small helpers shared by the backend tests. */
uint32_t conf_create_with(struct backend *be, const char *name,
			  const void *data, size_t len);
/* Reads the whole file (up to cap bytes); returns its size or -1. */
long conf_read_all(struct backend *be, const char *name, void *buf, size_t cap);
/* Number of names list() reports. */
size_t conf_count(struct backend *be);

#endif
