/* The transport on rpmb_dev: see rpmbfs_dev_transport.h. */
#include "rpmbfs_dev_transport.h"

static TEE_Result dev_request(void *arg, uint32_t cmd, const void *req,
			      size_t req_len, void *resp, size_t resp_len)
{
	struct rpmb_dev *d = arg;

	if (cmd == RPMBFS_CMD_INFO) {
		if (resp_len < RPMB_DEV_INFO_SIZE)
			return TEE_ERROR_BAD_PARAMETERS;
		rpmb_dev_get_info(d, resp);
		return TEE_SUCCESS;
	}
	if (cmd != RPMBFS_CMD_DATA || req_len % RPMB_FRAME_SIZE ||
	    resp_len % RPMB_FRAME_SIZE)
		return TEE_ERROR_BAD_PARAMETERS;
	if (rpmb_dev_data_request(d, req, req_len / RPMB_FRAME_SIZE, resp,
				  resp_len / RPMB_FRAME_SIZE))
		return TEE_ERROR_COMMUNICATION;
	return TEE_SUCCESS;
}

void rpmbfs_dev_transport(struct rpmb_dev *d, struct rpmb_transport *t)
{
	t->request = dev_request;
	t->arg = d;
}
