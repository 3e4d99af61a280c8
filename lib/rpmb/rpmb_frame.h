/*
 * The eMMC RPMB data frame (JEDEC JESD84, "data frame for RPMB access",
 * without start/stop bits and CRC) and OP-TEE's legacy RPMB RPC around it.
 * Shared by tee-supplicant's emulated device and teed's RPMB FS, so it holds
 * nothing but the wire format: offsets, codes, big-endian accessors and the
 * frame MAC. The format is described in docs/rpmb-device.md.
 *
 * A frame is 512 bytes; every multi-byte field is big-endian:
 *
 *	  0  stuff bytes     196
 *	196  key / MAC        32
 *	228  data            256
 *	484  nonce            16
 *	500  write counter     4
 *	504  address           2   (in 256-byte blocks)
 *	506  block count       2
 *	508  result            2
 *	510  request/response  2
 *
 * The MAC is HMAC-SHA256(key, bytes 228..511 of each frame in order) and is
 * carried in the key/MAC field of the last frame.
 */
#ifndef TEESTORE_RPMB_FRAME_H
#define TEESTORE_RPMB_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

#define RPMB_FRAME_SIZE	     512
#define RPMB_BLOCK_SIZE	     256 /* data bytes per frame ("half sector") */
#define RPMB_KEY_SIZE	     32
#define RPMB_MAC_SIZE	     32
#define RPMB_NONCE_SIZE	     16
#define RPMB_SIZE_MULT_BYTES (128 * 1024) /* rpmb_size_mult unit */

#define RPMB_OFF_STUFF	       0
#define RPMB_OFF_KEY_MAC       196
#define RPMB_OFF_DATA	       228
#define RPMB_OFF_NONCE	       484
#define RPMB_OFF_WRITE_COUNTER 500
#define RPMB_OFF_ADDRESS       504
#define RPMB_OFF_BLOCK_COUNT   506
#define RPMB_OFF_RESULT	       508
#define RPMB_OFF_REQ_RESP      510

/* The bytes of each frame covered by the MAC: data .. req/resp. */
#define RPMB_MAC_START RPMB_OFF_DATA
#define RPMB_MAC_LEN   (RPMB_FRAME_SIZE - RPMB_OFF_DATA)

/* Request and response types (req/resp field). */
enum rpmb_req {
	RPMB_REQ_KEY_PROGRAM = 0x0001,
	RPMB_REQ_COUNTER_READ = 0x0002,
	RPMB_REQ_AUTH_WRITE = 0x0003,
	RPMB_REQ_AUTH_READ = 0x0004,
	RPMB_REQ_RESULT_READ = 0x0005,
};

enum rpmb_resp {
	RPMB_RESP_KEY_PROGRAM = 0x0100,
	RPMB_RESP_COUNTER_READ = 0x0200,
	RPMB_RESP_AUTH_WRITE = 0x0300,
	RPMB_RESP_AUTH_READ = 0x0400,
};

/* Operation results (result field & RPMB_RESULT_MASK). */
enum rpmb_result {
	RPMB_RESULT_OK = 0x00,
	RPMB_RESULT_GENERAL_FAILURE = 0x01,
	RPMB_RESULT_AUTH_FAILURE = 0x02,
	RPMB_RESULT_COUNTER_FAILURE = 0x03,
	RPMB_RESULT_ADDRESS_FAILURE = 0x04,
	RPMB_RESULT_WRITE_FAILURE = 0x05,
	RPMB_RESULT_READ_FAILURE = 0x06,
	RPMB_RESULT_KEY_NOT_PROGRAMMED = 0x07,
};

#define RPMB_RESULT_MASK	    0x3f
#define RPMB_RESULT_COUNTER_EXPIRED 0x80 /* ORed in once the counter is max */
#define RPMB_WRITE_COUNTER_MAX	    0xffffffffu

/*
 * The most frames one authenticated write may carry. REL_WR_SEC_C counts
 * 512-byte sectors and a frame carries half a sector, so a reliable write
 * of rel_wr_sec_c sectors is 2 * rel_wr_sec_c frames (what OP-TEE's core
 * sends with RPMB_DRIVER_MULTIPLE_WRITE_FIXED).
 */
static inline uint32_t rpmb_max_write_blocks(uint8_t rel_wr_sec_c)
{
	return 2u * rel_wr_sec_c;
}

/*
 * OP-TEE's legacy RPMB RPC (OPTEE_RPC_CMD_RPMB): memref[0] is a 6-byte
 * header {u16 cmd, u16 dev_id, u16 block_count} in host byte order,
 * followed by request frames; memref[1] receives the response frames or,
 * for GET_DEV_INFO, the 19-byte device info below.
 */
#define RPMB_RPC_CMD_DATA_REQ	  0
#define RPMB_RPC_CMD_GET_DEV_INFO 1
#define RPMB_RPC_REQ_HDR_SIZE	  6

#define RPMB_DEV_INFO_SIZE	    19
#define RPMB_DEV_INFO_OFF_CID	    0  /* 16 bytes, the eMMC CID register */
#define RPMB_DEV_INFO_OFF_SIZE_MULT 16 /* EXT_CSD[168] */
#define RPMB_DEV_INFO_OFF_REL_WR    17 /* EXT_CSD[222] */
#define RPMB_DEV_INFO_OFF_RET_CODE  18
#define RPMB_DEV_INFO_RET_OK	    0
#define RPMB_DEV_INFO_RET_ERROR	    1
#define RPMB_CID_SIZE		    16

/* Field accessors; f points at a 512-byte frame. */
static inline uint16_t rpmb_frame_req_resp(const uint8_t *f)
{
	return get_be16(f + RPMB_OFF_REQ_RESP);
}

static inline uint16_t rpmb_frame_result(const uint8_t *f)
{
	return get_be16(f + RPMB_OFF_RESULT);
}

static inline uint16_t rpmb_frame_address(const uint8_t *f)
{
	return get_be16(f + RPMB_OFF_ADDRESS);
}

static inline uint16_t rpmb_frame_block_count(const uint8_t *f)
{
	return get_be16(f + RPMB_OFF_BLOCK_COUNT);
}

static inline uint32_t rpmb_frame_write_counter(const uint8_t *f)
{
	return get_be32(f + RPMB_OFF_WRITE_COUNTER);
}

static inline void rpmb_frame_set_req_resp(uint8_t *f, uint16_t v)
{
	put_be16(f + RPMB_OFF_REQ_RESP, v);
}

static inline void rpmb_frame_set_result(uint8_t *f, uint16_t v)
{
	put_be16(f + RPMB_OFF_RESULT, v);
}

static inline void rpmb_frame_set_address(uint8_t *f, uint16_t v)
{
	put_be16(f + RPMB_OFF_ADDRESS, v);
}

static inline void rpmb_frame_set_block_count(uint8_t *f, uint16_t v)
{
	put_be16(f + RPMB_OFF_BLOCK_COUNT, v);
}

static inline void rpmb_frame_set_write_counter(uint8_t *f, uint32_t v)
{
	put_be32(f + RPMB_OFF_WRITE_COUNTER, v);
}

/*
 * Computes the MAC of n frames (n >= 1) into mac. Returns 0, or -EINVAL /
 * -ENOMEM / -EIO when n is 0 or the crypto library fails.
 */
int rpmb_frame_mac(const uint8_t key[RPMB_KEY_SIZE], const uint8_t *frames,
		   size_t n, uint8_t mac[RPMB_MAC_SIZE]);

/* Computes the MAC of n frames and stores it in the last frame. */
int rpmb_frame_sign(const uint8_t key[RPMB_KEY_SIZE], uint8_t *frames,
		    size_t n);

/* True when the last of n frames carries their correct MAC (const time). */
bool rpmb_frame_mac_ok(const uint8_t key[RPMB_KEY_SIZE], const uint8_t *frames,
		       size_t n);

#endif
