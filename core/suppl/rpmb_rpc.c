/*
 * OP-TEE's legacy RPMB RPC over the supplicant link (suppl_link.h,
 * docs/protocol-supplicant.md): frames travel in the shared window.
 */
#include <string.h>

#include "suppl_link_int.h"
#include "wire.h"

static TEE_Result rpmb_check(struct suppl_link *l, uint32_t cmd, size_t req_len,
			     size_t resp_len)
{
	size_t frames = (req_len + resp_len) / SUPPL_RPMB_FRAME;

	if (cmd == SUPPL_RPMB_CMD_INFO)
		return req_len == 0 && resp_len == SUPPL_RPMB_INFO_LEN
			   ? TEE_SUCCESS
			   : TEE_ERROR_BAD_PARAMETERS;
	if (cmd != SUPPL_RPMB_CMD_DATA || req_len == 0 || resp_len == 0 ||
	    req_len % SUPPL_RPMB_FRAME || resp_len % SUPPL_RPMB_FRAME)
		return TEE_ERROR_BAD_PARAMETERS;
	/* The window is only known while attached: checked again below. */
	if (l->shm.addr && frames > l->shm.size / SUPPL_RPMB_FRAME)
		return TEE_ERROR_BAD_PARAMETERS;
	return TEE_SUCCESS;
}

static TEE_Result rpmb_call(struct suppl_link *l, uint32_t cmd, uint16_t dev_id,
			    const void *req, size_t req_len, void *resp,
			    size_t resp_len)
{
	uint8_t buf[16];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));
	bool data = cmd == SUPPL_RPMB_CMD_DATA;
	struct wire_rd rd;
	TEE_Result res;
	size_t alen;

	if (l->sock < 0)
		return TEE_ERROR_STORAGE_NOT_AVAILABLE;
	res = rpmb_check(l, cmd, req_len, resp_len);
	if (res)
		return res;
	wire_put_u32(&w, cmd);
	wire_put_u32(&w, dev_id);
	wire_put_u32(&w, data ? (uint32_t)(req_len / SUPPL_RPMB_FRAME) : 0);
	wire_put_u32(&w, data ? (uint32_t)(resp_len / SUPPL_RPMB_FRAME) : 0);
	if (data)
		memcpy(l->shm.addr, req, req_len);
	res = suppl_link_call(l, SUPPL_MSG_RPMB, buf, w.len, &alen);
	if (res)
		return res;
	rd = wire_rd_init(l->ans, alen);
	res = suppl_link_check_result(l, wire_get_u32(&rd));
	if (res == TEE_ERROR_COMMUNICATION)
		return res;
	if (rd.short_read ||
	    wire_rd_left(&rd) != (res || data ? 0 : SUPPL_RPMB_INFO_LEN)) {
		suppl_link_drop(l, "malformed RPMB answer");
		return TEE_ERROR_COMMUNICATION;
	}
	if (res)
		return res;
	if (data)
		memcpy(resp, (uint8_t *)l->shm.addr + req_len, resp_len);
	else
		wire_get_bytes(&rd, resp, SUPPL_RPMB_INFO_LEN);
	return TEE_SUCCESS;
}

TEE_Result suppl_link_rpmb(struct suppl_link *l, uint32_t cmd, uint16_t dev_id,
			   const void *req, size_t req_len, void *resp,
			   size_t resp_len)
{
	TEE_Result res;

	pthread_mutex_lock(&l->lock);
	res = rpmb_call(l, cmd, dev_id, req, req_len, resp, resp_len);
	pthread_mutex_unlock(&l->lock);
	return res;
}
