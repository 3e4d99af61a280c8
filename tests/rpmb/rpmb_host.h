/*
 * The host side of the RPMB protocol for tests: builds request frames the
 * way OP-TEE's core does (core/tee/tee_rpmb_fs.c) and checks responses
 * (type, result, nonce echo, address, MAC). Each call returns the
 * response's result field, a negative errno from the device, or
 * HOST_BAD_RESPONSE when the response is malformed or unauthentic.
 */
#ifndef TEESTORE_TEST_RPMB_HOST_H
#define TEESTORE_TEST_RPMB_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "rpmb_dev.h"

#define HOST_BAD_RESPONSE 0x10000

/* Request builders (frames are zeroed first). */
void host_build_key_program(uint8_t *f, const uint8_t key[RPMB_KEY_SIZE]);
void host_build_counter_read(uint8_t *f, const uint8_t nonce[16]);
void host_build_read(uint8_t *f, uint16_t addr, const uint8_t nonce[16]);
void host_build_result_read(uint8_t *f);
/* n frames carrying n * 256 bytes of data, signed with key. */
void host_build_write(uint8_t *frames, const uint8_t key[RPMB_KEY_SIZE],
		      uint16_t addr, uint32_t counter, const uint8_t *data,
		      size_t n);

int host_program_key(struct rpmb_dev *d, const uint8_t key[RPMB_KEY_SIZE]);
/* Reads the counter; key may be NULL when none is programmed. */
int host_read_counter(struct rpmb_dev *d, const uint8_t *key,
		      uint32_t *counter);
/* Authenticated write of n blocks; *counter is the counter to use and
 * becomes the one the device reports. */
int host_write(struct rpmb_dev *d, const uint8_t key[RPMB_KEY_SIZE],
	       uint16_t addr, const uint8_t *data, size_t n, uint32_t *counter);
/* Authenticated read of n blocks into out (n * 256 bytes). */
int host_read(struct rpmb_dev *d, const uint8_t key[RPMB_KEY_SIZE],
	      uint16_t addr, uint8_t *out, size_t n);

#endif
