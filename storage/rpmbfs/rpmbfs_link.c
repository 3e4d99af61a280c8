/*
 * The RPMB frame layer: requests built as OP-TEE's core builds them,
 * every answer checked (type, result, address, counter, nonce, MAC), and
 * the resolution of writes whose outcome is unknown (docs/rpmbfs.md,
 * "Frame layer" and "Ambiguous writes").
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "log.h"
#include "rpmbfs_int.h"
#include "secmem.h"

static TEE_Result link_call(struct rpmbfs_link *l, const uint8_t *req,
			    size_t nreq, uint8_t *resp, size_t nresp)
{
	l->stats->requests++;
	return l->t.request(l->t.arg, RPMBFS_CMD_DATA, req,
			    nreq * RPMB_FRAME_SIZE, resp,
			    nresp * RPMB_FRAME_SIZE);
}

TEE_Result rpmbfs_link_info(struct rpmbfs_link *l)
{
	uint8_t info[RPMB_DEV_INFO_SIZE];
	uint32_t mult, rel;
	TEE_Result res;

	memset(info, 0, sizeof(info));
	info[RPMB_DEV_INFO_OFF_RET_CODE] = RPMB_DEV_INFO_RET_ERROR;
	l->stats->requests++;
	res = l->t.request(l->t.arg, RPMBFS_CMD_INFO, NULL, 0, info,
			   sizeof(info));
	if (res == TEE_ERROR_NOT_SUPPORTED)
		return res; /* the supplicant has no RPMB device */
	if (res)
		return TEE_ERROR_COMMUNICATION;
	mult = info[RPMB_DEV_INFO_OFF_SIZE_MULT];
	rel = info[RPMB_DEV_INFO_OFF_REL_WR];
	if (info[RPMB_DEV_INFO_OFF_RET_CODE] != RPMB_DEV_INFO_RET_OK ||
	    mult == 0 || rel == 0) {
		log_warnx("rpmbfs: the RPMB device info is unusable");
		return TEE_ERROR_COMMUNICATION;
	}
	memcpy(l->cid, info + RPMB_DEV_INFO_OFF_CID, RPMB_CID_SIZE);
	l->nblocks = mult * (RPMB_SIZE_MULT_BYTES / RPMB_BLOCK_SIZE);
	if (l->nblocks > RPMBFS_MAX_BLOCKS)
		l->nblocks = RPMBFS_MAX_BLOCKS;
	l->max_write = rpmb_max_write_blocks((uint8_t)rel);
	return TEE_SUCCESS;
}

static TEE_Result result_error(uint16_t result)
{
	switch (result & RPMB_RESULT_MASK) {
	case RPMB_RESULT_OK:
		return TEE_SUCCESS;
	case RPMB_RESULT_KEY_NOT_PROGRAMMED:
		return TEE_ERROR_ITEM_NOT_FOUND;
	case RPMB_RESULT_AUTH_FAILURE:
	case RPMB_RESULT_COUNTER_FAILURE:
		return TEE_ERROR_SECURITY;
	default:
		return TEE_ERROR_STORAGE_NOT_AVAILABLE;
	}
}

TEE_Result rpmbfs_link_read_counter(struct rpmbfs_link *l)
{
	uint8_t req[RPMB_FRAME_SIZE], resp[RPMB_FRAME_SIZE];
	uint8_t nonce[RPMB_NONCE_SIZE];
	TEE_Result res;

	if (RAND_bytes(nonce, sizeof(nonce)) != 1)
		return TEE_ERROR_GENERIC;
	memset(req, 0, sizeof(req));
	memcpy(req + RPMB_OFF_NONCE, nonce, sizeof(nonce));
	rpmb_frame_set_req_resp(req, RPMB_REQ_COUNTER_READ);
	res = link_call(l, req, 1, resp, 1);
	if (res)
		return TEE_ERROR_COMMUNICATION;
	if (rpmb_frame_req_resp(resp) != RPMB_RESP_COUNTER_READ)
		return TEE_ERROR_COMMUNICATION;
	/* Not programmed: the answer carries no MAC to check. */
	if ((rpmb_frame_result(resp) & RPMB_RESULT_MASK) ==
	    RPMB_RESULT_KEY_NOT_PROGRAMMED)
		return TEE_ERROR_ITEM_NOT_FOUND;
	if (!rpmb_frame_mac_ok(l->key, resp, 1) ||
	    !secmem_equal(resp + RPMB_OFF_NONCE, nonce, sizeof(nonce)))
		return TEE_ERROR_SECURITY;
	res = result_error(rpmb_frame_result(resp));
	if (res)
		return res;
	l->counter = rpmb_frame_write_counter(resp);
	l->counter_ok = true;
	return TEE_SUCCESS;
}

TEE_Result rpmbfs_link_read(struct rpmbfs_link *l, uint32_t blk, uint32_t n,
			    uint8_t *out)
{
	uint8_t req[RPMB_FRAME_SIZE], nonce[RPMB_NONCE_SIZE];
	uint8_t *resp, *last;
	TEE_Result res;
	uint32_t i;

	if (!n || n > RPMBFS_READ_MAX_BLOCKS || blk + n > l->nblocks)
		return TEE_ERROR_BAD_PARAMETERS;
	if (RAND_bytes(nonce, sizeof(nonce)) != 1)
		return TEE_ERROR_GENERIC;
	resp = malloc((size_t)n * RPMB_FRAME_SIZE);
	if (!resp)
		return TEE_ERROR_OUT_OF_MEMORY;
	memset(req, 0, sizeof(req));
	memcpy(req + RPMB_OFF_NONCE, nonce, sizeof(nonce));
	rpmb_frame_set_address(req, (uint16_t)blk);
	rpmb_frame_set_req_resp(req, RPMB_REQ_AUTH_READ);
	l->stats->reads++;
	res = link_call(l, req, 1, resp, n);
	if (res) {
		res = TEE_ERROR_COMMUNICATION;
		goto out;
	}
	last = resp + (size_t)(n - 1) * RPMB_FRAME_SIZE;
	if (rpmb_frame_req_resp(last) != RPMB_RESP_AUTH_READ) {
		res = TEE_ERROR_COMMUNICATION;
		goto out;
	}
	res = result_error(rpmb_frame_result(last));
	if (res)
		goto out;
	/* A replayed or forged answer fails here: nonce and MAC. */
	if (!rpmb_frame_mac_ok(l->key, resp, n) ||
	    !secmem_equal(last + RPMB_OFF_NONCE, nonce, sizeof(nonce)) ||
	    rpmb_frame_address(last) != blk) {
		res = TEE_ERROR_SECURITY;
		goto out;
	}
	for (i = 0; i < n; i++)
		memcpy(out + (size_t)i * RPMB_BLOCK_SIZE,
		       resp + (size_t)i * RPMB_FRAME_SIZE + RPMB_OFF_DATA,
		       RPMB_BLOCK_SIZE);
	if (blk == 0)
		memcpy(l->fence_block, out, RPMB_BLOCK_SIZE);
out:
	free(resp);
	return res;
}

/*
 * One authenticated write with counter c. SUCCESS only when the answer is
 * authentic and says the write happened with this counter; anything
 * else is reported as an error (the caller resolves).
 */
static TEE_Result write_once(struct rpmbfs_link *l, uint32_t blk, uint32_t n,
			     const uint8_t *data, uint32_t c)
{
	uint8_t resp[RPMB_FRAME_SIZE];
	uint8_t *frames;
	TEE_Result res;
	uint32_t i;

	frames = calloc(n, RPMB_FRAME_SIZE);
	if (!frames)
		return TEE_ERROR_OUT_OF_MEMORY;
	for (i = 0; i < n; i++) {
		uint8_t *f = frames + (size_t)i * RPMB_FRAME_SIZE;

		memcpy(f + RPMB_OFF_DATA, data + (size_t)i * RPMB_BLOCK_SIZE,
		       RPMB_BLOCK_SIZE);
		rpmb_frame_set_write_counter(f, c);
		rpmb_frame_set_address(f, (uint16_t)blk);
		rpmb_frame_set_block_count(f, (uint16_t)n);
		rpmb_frame_set_req_resp(f, RPMB_REQ_AUTH_WRITE);
	}
	if (rpmb_frame_sign(l->key, frames, n)) {
		res = TEE_ERROR_GENERIC;
		goto out;
	}
	l->stats->writes++;
	l->stats->frames_written += n;
	if (link_call(l, frames, n, resp, 1)) {
		res = TEE_ERROR_COMMUNICATION;
		goto out;
	}
	if (rpmb_frame_req_resp(resp) != RPMB_RESP_AUTH_WRITE ||
	    !rpmb_frame_mac_ok(l->key, resp, 1)) {
		res = TEE_ERROR_COMMUNICATION;
		goto out;
	}
	res = result_error(rpmb_frame_result(resp));
	if (res)
		goto out;
	if (rpmb_frame_write_counter(resp) != c + 1 ||
	    rpmb_frame_address(resp) != blk)
		res = TEE_ERROR_COMMUNICATION;
out:
	free(frames);
	return res;
}

/* True when blocks [blk, blk+n) hold data. */
static TEE_Result readback_equal(struct rpmbfs_link *l, uint32_t blk,
				 uint32_t n, const uint8_t *data, bool *equal)
{
	uint8_t *buf = malloc(RPMBFS_READ_MAX_BLOCKS * RPMB_BLOCK_SIZE);
	TEE_Result res = TEE_SUCCESS;
	uint32_t done = 0;

	if (!buf)
		return TEE_ERROR_OUT_OF_MEMORY;
	*equal = true;
	while (done < n && *equal) {
		uint32_t k = n - done;

		if (k > RPMBFS_READ_MAX_BLOCKS)
			k = RPMBFS_READ_MAX_BLOCKS;
		res = rpmbfs_link_read(l, blk + done, k, buf);
		if (res)
			break;
		*equal = memcmp(buf, data + (size_t)done * RPMB_BLOCK_SIZE,
				(size_t)k * RPMB_BLOCK_SIZE) == 0;
		done += k;
	}
	free(buf);
	return res;
}

/*
 * The write with counter c failed or gave no clear answer. Its signed
 * request may still be in someone's hands: burn counter c with a rewrite
 * of block 0 (the fence), then the counter and the data say whether
 * the write happened. Never loops: at most one fence.
 */
static TEE_Result resolve(struct rpmbfs_link *l, uint32_t blk, uint32_t n,
			  const uint8_t *data, uint32_t c, TEE_Result why)
{
	TEE_Result res;
	bool equal;

	l->counter_ok = false;
	res = rpmbfs_link_read_counter(l);
	if (res)
		return res;
	if (l->counter == c) {
		if (write_once(l, 0, 1, l->fence_block, c) == TEE_SUCCESS) {
			l->counter = c + 1;
			l->stats->fenced++;
			return why;
		}
		l->counter_ok = false;
		res = rpmbfs_link_read_counter(l);
		if (res)
			return res;
	}
	if (l->counter != c + 1)
		return why; /* not ours: the counter moved on without us */
	res = readback_equal(l, blk, n, data, &equal);
	if (res) {
		l->counter_ok = false;
		return res;
	}
	if (!equal)
		return why;
	l->stats->resolved++;
	return TEE_SUCCESS;
}

TEE_Result rpmbfs_link_write(struct rpmbfs_link *l, uint32_t blk, uint32_t n,
			     const uint8_t *data)
{
	TEE_Result res;
	uint32_t c;

	if (!n || n > l->max_write || blk + n > l->nblocks)
		return TEE_ERROR_BAD_PARAMETERS;
	if (!l->counter_ok) {
		res = rpmbfs_link_fence(l);
		if (res)
			return res;
	}
	c = l->counter;
	if (c == RPMB_WRITE_COUNTER_MAX)
		return TEE_ERROR_STORAGE_NOT_AVAILABLE;
	res = write_once(l, blk, n, data, c);
	if (res == TEE_SUCCESS) {
		l->counter = c + 1;
		if (blk == 0)
			memcpy(l->fence_block, data, RPMB_BLOCK_SIZE);
		return TEE_SUCCESS;
	}
	if (res == TEE_ERROR_OUT_OF_MEMORY || res == TEE_ERROR_GENERIC)
		return res; /* nothing was sent */
	res = resolve(l, blk, n, data, c, res);
	if (res == TEE_SUCCESS && blk == 0)
		memcpy(l->fence_block, data, RPMB_BLOCK_SIZE);
	return res;
}

TEE_Result rpmbfs_link_fence(struct rpmbfs_link *l)
{
	uint8_t blk0[RPMB_BLOCK_SIZE];
	TEE_Result res;
	uint32_t c;

	l->counter_ok = false;
	res = rpmbfs_link_read_counter(l);
	if (res)
		return res;
	res = rpmbfs_link_read(l, 0, 1, blk0);
	if (res)
		return res;
	c = l->counter;
	if (c == RPMB_WRITE_COUNTER_MAX)
		return TEE_SUCCESS; /* reads still work */
	res = write_once(l, 0, 1, blk0, c);
	if (res == TEE_SUCCESS) {
		l->counter = c + 1;
		return TEE_SUCCESS;
	}
	/* Whatever landed with c, c is burnt now: re-read where we are. */
	l->counter_ok = false;
	res = rpmbfs_link_read_counter(l);
	if (res)
		return res;
	if (l->counter == c) {
		l->counter_ok = false;
		return TEE_ERROR_COMMUNICATION;
	}
	return TEE_SUCCESS;
}

TEE_Result rpmbfs_link_program_key(struct rpmbfs_link *l)
{
	uint8_t req[RPMB_FRAME_SIZE], resp[RPMB_FRAME_SIZE];
	TEE_Result res;

	memset(req, 0, sizeof(req));
	memcpy(req + RPMB_OFF_KEY_MAC, l->key, RPMB_KEY_SIZE);
	rpmb_frame_set_req_resp(req, RPMB_REQ_KEY_PROGRAM);
	res = link_call(l, req, 1, resp, 1);
	secmem_wipe(req, sizeof(req));
	if (res || rpmb_frame_req_resp(resp) != RPMB_RESP_KEY_PROGRAM)
		return TEE_ERROR_COMMUNICATION;
	return result_error(rpmb_frame_result(resp));
}
