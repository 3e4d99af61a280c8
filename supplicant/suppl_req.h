/*
 * The supplicant's one decoder for teed's requests (SUPPL_MSG_FS and
 * SUPPL_MSG_RPMB, layouts in suppl_msg.h): it validates a payload
 * completely (exact length, known command and op types, valid names,
 * shared-memory ranges inside the window, counts within the limits) and
 * fills a struct that the file service then uses without further checks
 * of shape. Whether a handle is open is the service's business.
 */
#ifndef TEESTORE_SUPPL_REQ_H
#define TEESTORE_SUPPL_REQ_H

#include <stddef.h>
#include <stdint.h>

#include "suppl_msg.h"
#include "tee_api_types.h"

struct suppl_op_desc {
	uint32_t type;
	uint32_t fh;
	uint64_t off;
	uint32_t len;
	uint32_t shm_off;
};

struct suppl_req {
	uint32_t type; /* SUPPL_MSG_FS or SUPPL_MSG_RPMB */
	uint32_t cmd;
	/* FS: handle of CLOSE, CLOSEDIR, READDIR*, READ, WRITE, TRUNCATE. */
	uint32_t handle;
	uint64_t off; /* READ/WRITE offset; TRUNCATE length */
	uint32_t len; /* READ/WRITE bytes; READDIR_BULK byte cap */
	uint32_t shm_off;
	uint32_t overwrite;
	char name[SUPPL_NAME_MAX + 1]; /* NUL-terminated, valid */
	char name2[SUPPL_NAME_MAX + 1];
	uint32_t nops;
	struct suppl_op_desc ops[SUPPL_MAX_OPS];
	/* RPMB */
	uint32_t dev_id;
	uint32_t nreq;
	uint32_t nresp;
};

/*
 * Decodes a request of message type `type` whose payload is buf[0..len),
 * for a shared-memory window of shm_size bytes. Returns TEE_SUCCESS,
 * TEE_ERROR_NOT_SUPPORTED for an unknown type or command, or
 * TEE_ERROR_BAD_PARAMETERS for anything malformed.
 */
TEE_Result suppl_req_decode(uint32_t type, const uint8_t *buf, size_t len,
			    size_t shm_size, struct suppl_req *req);

#endif
