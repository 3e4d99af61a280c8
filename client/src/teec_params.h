/*
 * Turning a TEEC_Operation into the driver ABI's four parameters and back
 * (docs/protocol-driver.md). Temporary memrefs travel as memfds attached
 * to the request (data copied in and out with pwrite/pread); registered
 * memory is copied through its shadow memfd; allocated memory is named by
 * id and never copied.
 */
#ifndef TEESTORE_TEEC_PARAMS_H
#define TEESTORE_TEEC_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "driver_msg.h"
#include "tee_client_api.h"
#include "wire.h"

struct teec_marshal {
	int fds[DRV_NUM_PARAMS]; /* temporary memfds, in message order */
	size_t nfds;
	int fd_of[DRV_NUM_PARAMS]; /* per parameter: its memfd or -1 */
};

/*
 * Writes the four parameters of op (NULL: none) to w. ctx_fd is the
 * session's context: registered memory must belong to it. Returns
 * TEEC_SUCCESS or an error with origin API; on error nothing stays open.
 */
TEEC_Result teec_params_pack(int ctx_fd, TEEC_Operation *op, struct wire_wr *w,
			     struct teec_marshal *m);

/*
 * Applies the reply's out parameters (the 4 x 16 bytes at out) to op:
 * values, sizes, and data copied back. Then closes m's memfds.
 */
void teec_params_unpack(TEEC_Operation *op, const uint8_t *out,
			struct teec_marshal *m);

/* Closes m's memfds (after an error). */
void teec_params_release(struct teec_marshal *m);

#define TEEC_SHM_ALLOCATED  1u
#define TEEC_SHM_REGISTERED 2u

/* A memfd of size bytes that can never shrink (what teed requires). */
int teec_memfd(size_t size);

#endif
