/*
 * A stand-in for the client side's shared memory registry in the TA side
 * tests: tee_shm_get/put (ta_iface.h) plus helpers to make and map shm.
 */
#ifndef TEST_SHM_H
#define TEST_SHM_H

#include <stddef.h>

#include "ta_iface.h"

/* A shm object of size bytes, mapped at *addr (the client's mapping). */
struct tee_shm *test_shm_new(size_t size, void **addr);
/* Drops the registry's reference and unmaps the client's mapping. */
void test_shm_release(struct tee_shm *shm, void *addr);
/* Objects not yet freed (every reference dropped). */
unsigned test_shm_live(void);

#endif
