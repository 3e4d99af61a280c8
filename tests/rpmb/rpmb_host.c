/* The test host of the RPMB protocol (rpmb_host.h). */
#include "rpmb_host.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

static uint64_t nonce_state = 42;

static void new_nonce(uint8_t nonce[RPMB_NONCE_SIZE])
{
	test_fill_pattern(nonce, RPMB_NONCE_SIZE, test_rand(&nonce_state));
}

void host_build_key_program(uint8_t *f, const uint8_t key[RPMB_KEY_SIZE])
{
	memset(f, 0, RPMB_FRAME_SIZE);
	memcpy(f + RPMB_OFF_KEY_MAC, key, RPMB_KEY_SIZE);
	rpmb_frame_set_req_resp(f, RPMB_REQ_KEY_PROGRAM);
}

void host_build_counter_read(uint8_t *f, const uint8_t nonce[16])
{
	memset(f, 0, RPMB_FRAME_SIZE);
	memcpy(f + RPMB_OFF_NONCE, nonce, RPMB_NONCE_SIZE);
	rpmb_frame_set_req_resp(f, RPMB_REQ_COUNTER_READ);
}

void host_build_read(uint8_t *f, uint16_t addr, const uint8_t nonce[16])
{
	memset(f, 0, RPMB_FRAME_SIZE);
	memcpy(f + RPMB_OFF_NONCE, nonce, RPMB_NONCE_SIZE);
	rpmb_frame_set_address(f, addr);
	rpmb_frame_set_req_resp(f, RPMB_REQ_AUTH_READ);
}

void host_build_result_read(uint8_t *f)
{
	memset(f, 0, RPMB_FRAME_SIZE);
	rpmb_frame_set_req_resp(f, RPMB_REQ_RESULT_READ);
}

void host_build_write(uint8_t *frames, const uint8_t key[RPMB_KEY_SIZE],
		      uint16_t addr, uint32_t counter, const uint8_t *data,
		      size_t n)
{
	size_t i;

	memset(frames, 0, n * RPMB_FRAME_SIZE);
	for (i = 0; i < n; i++) {
		uint8_t *f = frames + i * RPMB_FRAME_SIZE;

		memcpy(f + RPMB_OFF_DATA, data + i * RPMB_BLOCK_SIZE,
		       RPMB_BLOCK_SIZE);
		rpmb_frame_set_write_counter(f, counter);
		rpmb_frame_set_address(f, addr);
		rpmb_frame_set_block_count(f, (uint16_t)n);
		rpmb_frame_set_req_resp(f, RPMB_REQ_AUTH_WRITE);
	}
	rpmb_frame_sign(key, frames, n);
}

int host_program_key(struct rpmb_dev *d, const uint8_t key[RPMB_KEY_SIZE])
{
	uint8_t req[RPMB_FRAME_SIZE], resp[RPMB_FRAME_SIZE];
	int rc;

	host_build_key_program(req, key);
	rc = rpmb_dev_data_request(d, req, 1, resp, 1);
	if (rc)
		return rc;
	if (rpmb_frame_req_resp(resp) != RPMB_RESP_KEY_PROGRAM)
		return HOST_BAD_RESPONSE;
	return rpmb_frame_result(resp);
}

int host_read_counter(struct rpmb_dev *d, const uint8_t *key, uint32_t *counter)
{
	uint8_t req[RPMB_FRAME_SIZE], resp[RPMB_FRAME_SIZE];
	uint8_t nonce[RPMB_NONCE_SIZE];
	int rc;

	new_nonce(nonce);
	host_build_counter_read(req, nonce);
	rc = rpmb_dev_data_request(d, req, 1, resp, 1);
	if (rc)
		return rc;
	if (rpmb_frame_req_resp(resp) != RPMB_RESP_COUNTER_READ ||
	    memcmp(resp + RPMB_OFF_NONCE, nonce, RPMB_NONCE_SIZE) != 0)
		return HOST_BAD_RESPONSE;
	if ((rpmb_frame_result(resp) & RPMB_RESULT_MASK) == RPMB_RESULT_OK &&
	    (!key || !rpmb_frame_mac_ok(key, resp, 1)))
		return HOST_BAD_RESPONSE;
	*counter = rpmb_frame_write_counter(resp);
	return rpmb_frame_result(resp);
}

int host_write(struct rpmb_dev *d, const uint8_t key[RPMB_KEY_SIZE],
	       uint16_t addr, const uint8_t *data, size_t n, uint32_t *counter)
{
	uint8_t *req = malloc(n * RPMB_FRAME_SIZE);
	uint8_t resp[RPMB_FRAME_SIZE];
	int rc;

	if (!req)
		return -ENOMEM;
	host_build_write(req, key, addr, *counter, data, n);
	rc = rpmb_dev_data_request(d, req, n, resp, 1);
	free(req);
	if (rc)
		return rc;
	if (rpmb_frame_req_resp(resp) != RPMB_RESP_AUTH_WRITE ||
	    rpmb_frame_address(resp) != addr ||
	    !rpmb_frame_mac_ok(key, resp, 1))
		return HOST_BAD_RESPONSE;
	*counter = rpmb_frame_write_counter(resp);
	return rpmb_frame_result(resp);
}

/* What OP-TEE's core checks in every read response frame. */
static bool read_frames_ok(const uint8_t *resp, size_t n, uint16_t addr,
			   const uint8_t *nonce)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const uint8_t *f = resp + i * RPMB_FRAME_SIZE;

		if (rpmb_frame_req_resp(f) != RPMB_RESP_AUTH_READ ||
		    rpmb_frame_address(f) != addr ||
		    rpmb_frame_block_count(f) != n ||
		    memcmp(f + RPMB_OFF_NONCE, nonce, RPMB_NONCE_SIZE) != 0)
			return false;
	}
	return true;
}

int host_read(struct rpmb_dev *d, const uint8_t key[RPMB_KEY_SIZE],
	      uint16_t addr, uint8_t *out, size_t n)
{
	uint8_t req[RPMB_FRAME_SIZE], nonce[RPMB_NONCE_SIZE];
	uint8_t *resp = malloc(n * RPMB_FRAME_SIZE);
	size_t i;
	int rc;

	if (!resp)
		return -ENOMEM;
	new_nonce(nonce);
	host_build_read(req, addr, nonce);
	rc = rpmb_dev_data_request(d, req, 1, resp, n);
	if (rc)
		goto out;
	rc = rpmb_frame_result(resp + (n - 1) * RPMB_FRAME_SIZE);
	if (!read_frames_ok(resp, n, addr, nonce) ||
	    ((rc & RPMB_RESULT_MASK) == RPMB_RESULT_OK &&
	     !rpmb_frame_mac_ok(key, resp, n))) {
		rc = HOST_BAD_RESPONSE;
		goto out;
	}
	for (i = 0; i < n; i++)
		memcpy(out + i * RPMB_BLOCK_SIZE,
		       resp + i * RPMB_FRAME_SIZE + RPMB_OFF_DATA,
		       RPMB_BLOCK_SIZE);
out:
	free(resp);
	return rc;
}
