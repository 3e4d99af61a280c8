/* Test support for rpmbfs: see rfs_support.h. */
#include "rfs_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpmbfs_dev_transport.h"

const uint8_t rfs_huk[16] = {0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87,
			     0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f};
const TEE_UUID rfs_ta = {0x8aaaf200,
			 0x2450,
			 0x11e4,
			 {0xab, 0xe2, 0x00, 0x02, 0xa5, 0xd5, 0xc5, 0x1b}};

struct rpmb_dev *rfs_dev_open(const char *dir, const char *name,
			      uint32_t size_mult)
{
	struct rpmb_dev_config cfg;
	struct rpmb_dev *d = NULL;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	memset(&cfg, 0, sizeof(cfg));
	cfg.path = path;
	cfg.size_mult = size_mult;
	cfg.create = true;
	if (rpmb_dev_open(&cfg, &d))
		return NULL;
	return d;
}

static TEE_Result link_request(void *arg, uint32_t cmd, const void *req,
			       size_t req_len, void *resp, size_t resp_len)
{
	struct rfs_link *l = arg;
	struct rpmb_transport dt;
	bool is_write, is_read, hit;
	TEE_Result res;

	rpmbfs_dev_transport(l->dev, &dt);
	if (l->dead)
		return TEE_ERROR_COMMUNICATION;
	if (cmd != RPMBFS_CMD_DATA)
		return dt.request(dt.arg, cmd, req, req_len, resp, resp_len);
	is_write = req_len >= RPMB_FRAME_SIZE &&
		   rpmb_frame_req_resp(req) == RPMB_REQ_AUTH_WRITE;
	is_read = req_len >= RPMB_FRAME_SIZE &&
		  rpmb_frame_req_resp(req) == RPMB_REQ_AUTH_READ;
	if (l->only_writes && !is_write)
		return dt.request(dt.arg, cmd, req, req_len, resp, resp_len);
	hit = l->fault != RFS_NONE && l->requests >= l->fault_at &&
	      (l->fault == RFS_LOSE_ONCE
		   ? l->requests <
			 l->fault_at + (l->fault_span ? l->fault_span : 1)
		   : !l->fired);
	l->requests++;
	if (l->replay_reads && is_read && l->last_read &&
	    l->last_read_len == resp_len) {
		memcpy(resp, l->last_read, resp_len);
		return TEE_SUCCESS;
	}
	if (l->replay_writes && is_write && l->have_last_write &&
	    resp_len == RPMB_FRAME_SIZE) {
		memcpy(resp, l->last_write, RPMB_FRAME_SIZE);
		return TEE_SUCCESS;
	}
	if (hit) {
		l->fired = true;
		switch (l->fault) {
		case RFS_CUT_BEFORE:
			l->dead = true;
			return TEE_ERROR_COMMUNICATION;
		case RFS_HOLD_ONCE:
			l->held = malloc(req_len);
			if (l->held) {
				memcpy(l->held, req, req_len);
				l->held_len = req_len;
			}
			return TEE_ERROR_COMMUNICATION;
		case RFS_CUT_AFTER:
		case RFS_LOSE_ONCE:
			dt.request(dt.arg, cmd, req, req_len, resp, resp_len);
			memset(resp, 0, resp_len);
			if (l->fault == RFS_CUT_AFTER)
				l->dead = true;
			return TEE_ERROR_COMMUNICATION;
		default:
			break;
		}
	}
	res = dt.request(dt.arg, cmd, req, req_len, resp, resp_len);
	if (!res && is_write && resp_len == RPMB_FRAME_SIZE) {
		memcpy(l->last_write, resp, RPMB_FRAME_SIZE);
		l->have_last_write = true;
	}
	if (!res && is_read && l->replay_reads) {
		free(l->last_read);
		l->last_read = malloc(resp_len);
		if (l->last_read)
			memcpy(l->last_read, resp, resp_len);
		l->last_read_len = resp_len;
	}
	return res;
}

void rfs_link_init(struct rfs_link *l, struct rpmb_dev *dev)
{
	memset(l, 0, sizeof(*l));
	l->dev = dev;
	l->t.request = link_request;
	l->t.arg = l;
}

void rfs_link_free(struct rfs_link *l)
{
	free(l->last_read);
	free(l->held);
	l->last_read = l->held = NULL;
}

int rfs_link_release_held(struct rfs_link *l)
{
	uint8_t resp[RPMB_FRAME_SIZE];
	int rc;

	if (!l->held)
		return -1;
	rc = rpmb_dev_data_request(l->dev, l->held,
				   l->held_len / RPMB_FRAME_SIZE, resp, 1);
	if (rc)
		return rc;
	return rpmb_frame_result(resp) & RPMB_RESULT_MASK;
}

TEE_Result rfs_mount(struct rfs_link *l, bool provision, struct rpmbfs **out)
{
	struct rpmbfs_config cfg;
	TEE_Result res;

	rpmbfs_config_init(&cfg, rfs_huk, sizeof(rfs_huk));
	if (provision) {
		res = rpmbfs_provision(&l->t, &cfg);
		if (res)
			return res;
	}
	return rpmbfs_open(&l->t, &cfg, out);
}
