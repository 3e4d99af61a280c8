/* RPMB requests to the emulated device: see suppl_rpmb.h. */
#include "suppl_rpmb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rpmb_dev.h"
#include "tee_error.h"

TEE_Result suppl_rpmb_serve(void *arg, const struct suppl_req *req,
			    uint8_t *shm, uint8_t info[SUPPL_RPMB_INFO_LEN])
{
	struct rpmb_dev *d = arg;
	size_t req_bytes = (size_t)req->nreq * SUPPL_RPMB_FRAME;
	size_t resp_bytes = (size_t)req->nresp * SUPPL_RPMB_FRAME;
	uint8_t *in, *out;
	int rc;

	if (req->dev_id != 0)
		return TEE_ERROR_ITEM_NOT_FOUND; /* one device, id 0 */
	if (req->cmd == SUPPL_RPMB_CMD_INFO) {
		rpmb_dev_get_info(d, info);
		return TEE_SUCCESS;
	}
	/*
	 * The device reads the request (MAC check, then use) from a private
	 * copy: teed may rewrite the shared window at any time. Bounded by
	 * the window size (the decoder checked the counts).
	 */
	in = malloc(req_bytes + resp_bytes);
	if (!in)
		return TEE_ERROR_OUT_OF_MEMORY;
	out = in + req_bytes;
	memcpy(in, shm, req_bytes);
	rc = rpmb_dev_data_request(d, in, req->nreq, out, req->nresp);
	if (rc == 0)
		memcpy(shm + req_bytes, out, resp_bytes);
	free(in);
	return rc ? tee_error_from_errno(-rc) : TEE_SUCCESS;
}
