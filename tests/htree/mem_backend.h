/*
 * A tiny in-memory backend for the hash-tree tests (test-only): flat
 * files in memory, every op applied at once, with direct access to the
 * bytes so that tests can tamper with them, and counters of submits and
 * ops so that tests can check how many round trips an operation costs.
 */
#ifndef TEESTORE_TEST_MEM_BACKEND_H
#define TEESTORE_TEST_MEM_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"

struct mem_stats {
	uint64_t submits;
	uint64_t reads;
	uint64_t writes;
};

struct backend *mem_backend_new(void);
/* The bytes of a file (NULL if none); *len its length. */
uint8_t *mem_file(struct backend *be, const char *name, size_t *len);
/* Replaces a file's content (creates it). Returns 0 or -1. */
int mem_file_set(struct backend *be, const char *name, const void *data,
		 size_t len);
struct mem_stats *mem_stats(struct backend *be);
/* Copies a file to / from the real file system. Return 0 or -1. */
int mem_file_save(struct backend *be, const char *name, const char *path);
int mem_file_load(struct backend *be, const char *name, const char *path);

#endif
