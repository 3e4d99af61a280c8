/*
 * OP-TEE's legacy RPMB RPC end to end: teed's suppl_link_rpmb() -> a real
 * tee-supplicant -> the emulated device in a file. Device info, key
 * programming, an authenticated counter read, and the device's state
 * surviving a supplicant restart. (The device's own rules are tested in
 * tests/rpmb/.)
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>

#include "rpmb_frame.h"
#include "suppl_harness.h"
#include "suppl_msg.h"
#include "test.h"

static const uint8_t key[32] = "teestore test rpmb key 32 bytes";

static void frame_req(uint8_t *f, uint16_t req)
{
	memset(f, 0, RPMB_FRAME_SIZE);
	put_be16(f + RPMB_OFF_REQ_RESP, req);
}

static bool mac_ok(const uint8_t *f)
{
	uint8_t mac[32];
	unsigned int len = sizeof(mac);

	HMAC(EVP_sha256(), key, sizeof(key), f + RPMB_MAC_START, RPMB_MAC_LEN,
	     mac, &len);
	return !memcmp(mac, f + RPMB_OFF_KEY_MAC, sizeof(mac));
}

/* Key programming: 1 frame in, the result frame out. */
static uint16_t program_key(struct suppl_link *l)
{
	uint8_t req[RPMB_FRAME_SIZE], resp[RPMB_FRAME_SIZE];

	frame_req(req, 0x0001);
	memcpy(req + RPMB_OFF_KEY_MAC, key, sizeof(key));
	if (suppl_link_rpmb(l, SUPPL_RPMB_CMD_DATA, 0, req, sizeof(req), resp,
			    sizeof(resp)) != TEE_SUCCESS ||
	    get_be16(resp + RPMB_OFF_REQ_RESP) != 0x0100)
		return 0xffff;
	return get_be16(resp + RPMB_OFF_RESULT);
}

static void test_rpmb_over_rpc(void)
{
	uint8_t info[SUPPL_RPMB_INFO_LEN], req[RPMB_FRAME_SIZE],
	    resp[RPMB_FRAME_SIZE];
	struct harness h;

	REQUIRE(harness_start_ex(&h, "suppl-rpmb", NULL, NULL, true) == 0);
	CHECK_EQ(suppl_link_rpmb(h.link, SUPPL_RPMB_CMD_INFO, 0, NULL, 0, info,
				 sizeof(info)),
		 TEE_SUCCESS);
	CHECK_EQ(info[RPMB_DEV_INFO_OFF_SIZE_MULT], 32);
	CHECK(info[RPMB_DEV_INFO_OFF_REL_WR] >= 1);
	CHECK_EQ(info[RPMB_DEV_INFO_OFF_RET_CODE], RPMB_DEV_INFO_RET_OK);
	CHECK_EQ(program_key(h.link), 0);
	/* Counter read: nonce echoed, MAC under the new key. */
	frame_req(req, 0x0002);
	memset(req + RPMB_OFF_NONCE, 0x42, RPMB_NONCE_SIZE);
	CHECK_EQ(suppl_link_rpmb(h.link, SUPPL_RPMB_CMD_DATA, 0, req,
				 sizeof(req), resp, sizeof(resp)),
		 TEE_SUCCESS);
	CHECK_EQ(get_be16(resp + RPMB_OFF_REQ_RESP), 0x0200);
	CHECK_EQ(get_be16(resp + RPMB_OFF_RESULT), 0);
	CHECK_EQ(get_be32(resp + RPMB_OFF_WRITE_COUNTER), 0);
	CHECK_MEM(resp + RPMB_OFF_NONCE, req + RPMB_OFF_NONCE, RPMB_NONCE_SIZE);
	CHECK(mac_ok(resp));
	/* A new supplicant process finds the key programmed. */
	harness_kill(&h, SIGTERM);
	REQUIRE(harness_spawn(&h) == 0);
	CHECK_EQ(program_key(h.link) & RPMB_RESULT_MASK, 1); /* general */
	CHECK_EQ(suppl_link_rpmb(h.link, SUPPL_RPMB_CMD_DATA, 0, req,
				 sizeof(req), resp, sizeof(resp)),
		 TEE_SUCCESS);
	CHECK(mac_ok(resp));
	/* Framing teed refuses before anything is sent. */
	CHECK_EQ(suppl_link_rpmb(h.link, SUPPL_RPMB_CMD_DATA, 0, req, 100, resp,
				 sizeof(resp)),
		 TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(
	    suppl_link_rpmb(h.link, 7, 0, req, sizeof(req), resp, sizeof(resp)),
	    TEE_ERROR_BAD_PARAMETERS);
	/* Framing the device refuses (two counter reads at once). */
	{
		uint8_t two[2 * RPMB_FRAME_SIZE];

		frame_req(two, 0x0002);
		frame_req(two + RPMB_FRAME_SIZE, 0x0002);
		CHECK_EQ(suppl_link_rpmb(h.link, SUPPL_RPMB_CMD_DATA, 0, two,
					 sizeof(two), resp, sizeof(resp)),
			 TEE_ERROR_BAD_PARAMETERS);
	}
	/* Only device 0 exists. */
	CHECK_EQ(suppl_link_rpmb(h.link, SUPPL_RPMB_CMD_INFO, 1, NULL, 0, info,
				 sizeof(info)),
		 TEE_ERROR_ITEM_NOT_FOUND);
	harness_stop(&h);
}

int main(void)
{
	RUN(test_rpmb_over_rpc);
	return test_report();
}
