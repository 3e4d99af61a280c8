/*
 * Shared memory of one client connection: the registry that names each
 * struct tee_shm (core/ta_iface.h) by an id the client uses. Ids come from
 * one counter for all of teed but are looked up in the connection's own
 * table only, so a client can never name another client's memory, and a
 * shm of one context passed in another context is simply unknown.
 *
 * Every shm is a memfd whose size cannot shrink (F_SEAL_SHRINK), so no
 * mapping of it can fault when the client truncates it behind our back.
 * Not thread-safe: the connection's lock protects a table.
 */
#ifndef TEESTORE_DRV_SHM_H
#define TEESTORE_DRV_SHM_H

#include <stddef.h>
#include <stdint.h>

#include "ta_iface.h"

struct drv_shm_table {
	struct tee_shm **v;
	size_t n, cap;
	uint64_t bytes; /* sum of sizes in the table */
};

/* Creates a zeroed, size-sealed memfd shm of size bytes (one reference). */
TEE_Result drv_shm_alloc(uint64_t size, struct tee_shm **out);

/*
 * Wraps a memfd received from a client. Refuses (TEE_ERROR_BAD_PARAMETERS)
 * anything but a regular file carrying F_SEAL_SHRINK whose size lies in
 * [min_size, max_size]. Takes ownership of fd, also on failure.
 */
TEE_Result drv_shm_from_fd(int fd, uint64_t min_size, uint64_t max_size,
			   struct tee_shm **out);

/*
 * Adds shm to the table under a fresh id (shm->id), taking over the
 * caller's reference. TEE_ERROR_OUT_OF_MEMORY if the table would exceed
 * max_bytes (the caller keeps its reference then).
 */
TEE_Result drv_shm_table_add(struct drv_shm_table *t, struct tee_shm *shm,
			     uint64_t max_bytes);

/* The shm with this id, with a reference for the caller; NULL if none. */
struct tee_shm *drv_shm_table_get(struct drv_shm_table *t, uint64_t id);

/* Drops the table's reference. TEE_ERROR_BAD_PARAMETERS if unknown id. */
TEE_Result drv_shm_table_remove(struct drv_shm_table *t, uint64_t id);

/* Drops every reference the table holds and frees it. */
void drv_shm_table_clear(struct drv_shm_table *t);

/* Process-wide counts, for limits tests and the STATS of test doubles. */
void drv_shm_stats(uint64_t *objects, uint64_t *bytes);

#endif
