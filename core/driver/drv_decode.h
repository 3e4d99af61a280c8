/*
 * The one decoder of the driver ABI (lib/ipc/driver_msg.h,
 * docs/protocol-driver.md). It checks a request completely (type, exact
 * length, every field, reserved zeros, fd count and fd indices) and turns
 * it into a struct drv_req; nothing else in teed reads a client's payload.
 * Ids and offsets are checked against the connection's state later, when
 * they are resolved (drv_params.c, drv_shm.c).
 */
#ifndef TEESTORE_DRV_DECODE_H
#define TEESTORE_DRV_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "driver_msg.h"
#include "tee_api_types.h"

struct drv_param_req {
	uint32_t attr; /* TEE_PARAM_TYPE_* | DRV_PARAM_FD / DRV_PARAM_NULL */
	uint64_t a, b, c;
};

struct drv_req {
	uint32_t type;
	uint32_t id;
	size_t nfds; /* fds carried by the message (all of them are used) */
	union {
		struct {
			uint64_t size;
			uint32_t flags;
		} shm; /* SHM_ALLOC, SHM_REGISTER */
		struct {
			uint32_t shm_id;
		} release;
		struct {
			uint8_t uuid[16];
			uint32_t login, login_gid, cancel_id;
			struct drv_param_req p[DRV_NUM_PARAMS];
		} open;
		struct {
			uint32_t session, func, cancel_id;
			struct drv_param_req p[DRV_NUM_PARAMS];
		} invoke;
		struct {
			uint32_t session, cancel_id;
		} cancel;
		struct {
			uint32_t session;
		} close;
	} u;
};

/*
 * Decodes one request (a frame ipc_recv accepted: hdr.len bytes of
 * payload, hdr.nfds fds). Returns TEE_SUCCESS, TEE_ERROR_NOT_SUPPORTED for
 * an unknown type, or TEE_ERROR_BAD_PARAMETERS for anything malformed.
 * Never touches the fds themselves.
 */
TEE_Result drv_decode_request(uint32_t type, uint32_t id, const uint8_t *p,
			      size_t len, size_t nfds, struct drv_req *out);

/* True for requests that may block in a TA (handled off the reader). */
int drv_req_blocks(uint32_t type);

#endif
