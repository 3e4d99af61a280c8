/*
 * Behaviour of the emulated RPMB device (supplicant/rpmb/rpmb_dev.h) as
 * OP-TEE's core sees it: key programming, counter, authenticated writes and
 * reads, result read, expiry, persistence, hostile framing and files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crash_io.h"
#include "rpmb_dev.h"
#include "rpmb_dev_test.h"
#include "rpmb_host.h"
#include "test.h"

#define SIZE_MULT 1 /* 128 KiB = 512 blocks */
#define BLOCKS	  512
#define REL_WR	  4 /* 8 frames per write */
#define MAX_WR	  8

static const uint8_t key[RPMB_KEY_SIZE] = "0123456789abcdef0123456789abcde";
static char dir[4096];
static char path[4200];

static struct rpmb_dev_config small_cfg(void)
{
	struct rpmb_dev_config c = {.path = path,
				    .size_mult = SIZE_MULT,
				    .rel_wr_sec_c = REL_WR,
				    .create = true};
	return c;
}

/* A fresh device file with the key programmed. */
static struct rpmb_dev *fresh_dev(bool program)
{
	struct rpmb_dev_config c = small_cfg();
	struct rpmb_dev *d = NULL;

	unlink(path);
	if (rpmb_dev_open(&c, &d) != 0)
		return NULL;
	if (program && host_program_key(d, key) != RPMB_RESULT_OK) {
		rpmb_dev_close(d);
		return NULL;
	}
	return d;
}

static struct rpmb_dev *reopen(struct rpmb_dev *d)
{
	struct rpmb_dev_config c = small_cfg();
	struct rpmb_dev *n = NULL;

	rpmb_dev_close(d);
	c.create = false;
	return rpmb_dev_open(&c, &n) == 0 ? n : NULL;
}

static void test_rpmb_info_defaults(void)
{
	struct rpmb_dev_config c = {.path = path, .create = true};
	struct rpmb_dev *d = NULL;
	uint8_t info[RPMB_DEV_INFO_SIZE];
	struct stat st;

	unlink(path);
	REQUIRE(rpmb_dev_open(&c, &d) == 0);
	rpmb_dev_get_info(d, info);
	CHECK_EQ(info[RPMB_DEV_INFO_OFF_SIZE_MULT], 32);
	CHECK_EQ(info[RPMB_DEV_INFO_OFF_REL_WR], 64);
	CHECK_EQ(info[RPMB_DEV_INFO_OFF_RET_CODE], RPMB_DEV_INFO_RET_OK);
	CHECK_MEM(info + 3, "TSRPMB", 6);
	CHECK_EQ(info[15] & 1, 1); /* CID's last bit is always 1 */
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(st.st_size > 4 * 1024 * 1024);
	rpmb_dev_close(d);
}

static void test_rpmb_key_not_programmed(void)
{
	uint8_t data[RPMB_BLOCK_SIZE] = {1}, out[RPMB_BLOCK_SIZE];
	uint8_t req[RPMB_FRAME_SIZE], resp[RPMB_FRAME_SIZE];
	struct rpmb_dev *d = fresh_dev(false);
	uint32_t ctr = 0;

	REQUIRE(d);
	CHECK_EQ(host_read_counter(d, NULL, &ctr),
		 RPMB_RESULT_KEY_NOT_PROGRAMMED);
	CHECK_EQ(host_write(d, key, 0, data, 1, &ctr), HOST_BAD_RESPONSE);
	/* The write's result, read back, says why (and is not signed). */
	host_build_result_read(req);
	CHECK_EQ(rpmb_dev_data_request(d, req, 1, resp, 1), 0);
	CHECK_EQ(rpmb_frame_result(resp), RPMB_RESULT_KEY_NOT_PROGRAMMED);
	CHECK_EQ(host_read(d, key, 0, out, 1), RPMB_RESULT_KEY_NOT_PROGRAMMED);
	rpmb_dev_close(d);
}

static void test_rpmb_key_programmed_twice(void)
{
	uint8_t other[RPMB_KEY_SIZE];
	struct rpmb_dev *d = fresh_dev(true);
	uint32_t ctr;

	REQUIRE(d);
	memset(other, 0x5a, sizeof(other));
	CHECK_EQ(host_program_key(d, other), RPMB_RESULT_GENERAL_FAILURE);
	CHECK_EQ(host_program_key(d, key), RPMB_RESULT_GENERAL_FAILURE);
	/* The first key stays: responses verify with it, not the other. */
	CHECK_EQ(host_read_counter(d, key, &ctr), RPMB_RESULT_OK);
	CHECK_EQ(host_read_counter(d, other, &ctr), HOST_BAD_RESPONSE);
	d = reopen(d);
	REQUIRE(d);
	CHECK_EQ(host_program_key(d, other), RPMB_RESULT_GENERAL_FAILURE);
	CHECK_EQ(host_read_counter(d, key, &ctr), RPMB_RESULT_OK);
	rpmb_dev_close(d);
}

static void test_rpmb_counter_read_nonce_and_mac(void)
{
	uint8_t req[RPMB_FRAME_SIZE], resp[RPMB_FRAME_SIZE], nonce[16];
	struct rpmb_dev *d = fresh_dev(true);

	REQUIRE(d);
	test_fill_pattern(nonce, sizeof(nonce), 7);
	host_build_counter_read(req, nonce);
	REQUIRE(rpmb_dev_data_request(d, req, 1, resp, 1) == 0);
	CHECK_EQ(rpmb_frame_req_resp(resp), RPMB_RESP_COUNTER_READ);
	CHECK_EQ(rpmb_frame_result(resp), RPMB_RESULT_OK);
	CHECK_EQ(rpmb_frame_write_counter(resp), 0);
	CHECK_MEM(resp + RPMB_OFF_NONCE, nonce, 16);
	CHECK(rpmb_frame_mac_ok(key, resp, 1));
	resp[RPMB_OFF_NONCE] ^= 1; /* the MAC covers the echoed nonce */
	CHECK(!rpmb_frame_mac_ok(key, resp, 1));
	rpmb_dev_close(d);
}

static void test_rpmb_multi_block_write_read_back(void)
{
	uint8_t data[MAX_WR * RPMB_BLOCK_SIZE], out[sizeof(data) + 256];
	uint8_t zero[RPMB_BLOCK_SIZE] = {0};
	struct rpmb_dev *d = fresh_dev(true);
	uint32_t ctr = 0, i;

	REQUIRE(d);
	test_fill_pattern(data, sizeof(data), 1);
	CHECK_EQ(host_write(d, key, 100, data, MAX_WR, &ctr), RPMB_RESULT_OK);
	CHECK_EQ(ctr, 1);
	CHECK_EQ(host_read(d, key, 100, out, MAX_WR), RPMB_RESULT_OK);
	CHECK_MEM(out, data, sizeof(data));
	/* Neighbours untouched; reads of any length and alignment. */
	CHECK_EQ(host_read(d, key, 99, out, MAX_WR + 1), RPMB_RESULT_OK);
	CHECK_MEM(out, zero, RPMB_BLOCK_SIZE);
	CHECK_MEM(out + RPMB_BLOCK_SIZE, data, sizeof(data));
	for (i = 1; i <= 3; i++)
		CHECK_EQ(host_write(d, key, (uint16_t)(200 + i), data, i, &ctr),
			 RPMB_RESULT_OK);
	CHECK_EQ(ctr, 4);
	CHECK_EQ(host_read(d, key, 203, out, 3), RPMB_RESULT_OK);
	CHECK_MEM(out, data, 3 * RPMB_BLOCK_SIZE);
	CHECK_EQ(host_read(d, key, 0, out, 1), RPMB_RESULT_OK);
	CHECK_MEM(out, zero, RPMB_BLOCK_SIZE);
	rpmb_dev_close(d);
}

static void test_rpmb_write_bad_mac(void)
{
	uint8_t data[2 * RPMB_BLOCK_SIZE], out[sizeof(data)];
	uint8_t req[2 * RPMB_FRAME_SIZE], resp[RPMB_FRAME_SIZE];
	struct rpmb_dev *d = fresh_dev(true);
	uint8_t wrong[RPMB_KEY_SIZE] = {9};
	uint32_t ctr = 0;

	REQUIRE(d);
	test_fill_pattern(data, sizeof(data), 2);
	/* A data byte changed after signing (first frame, not the MAC's). */
	host_build_write(req, key, 5, 0, data, 2);
	req[RPMB_OFF_DATA + 3] ^= 0x80;
	CHECK_EQ(rpmb_dev_data_request(d, req, 2, resp, 1), 0);
	CHECK_EQ(rpmb_frame_result(resp), RPMB_RESULT_AUTH_FAILURE);
	CHECK_EQ(rpmb_frame_write_counter(resp), 0);
	/* Signed with another key. */
	host_build_write(req, wrong, 5, 0, data, 2);
	CHECK_EQ(rpmb_dev_data_request(d, req, 2, resp, 1), 0);
	CHECK_EQ(rpmb_frame_result(resp), RPMB_RESULT_AUTH_FAILURE);
	CHECK_EQ(host_read_counter(d, key, &ctr), RPMB_RESULT_OK);
	CHECK_EQ(ctr, 0);
	memset(data, 0, sizeof(data));
	CHECK_EQ(host_read(d, key, 5, out, 2), RPMB_RESULT_OK);
	CHECK_MEM(out, data, sizeof(data));
	rpmb_dev_close(d);
}

static void test_rpmb_write_counter_mismatch(void)
{
	uint8_t data[RPMB_BLOCK_SIZE] = {3};
	struct rpmb_dev *d = fresh_dev(true);
	uint32_t ctr = 0, c;

	REQUIRE(d);
	CHECK_EQ(host_write(d, key, 0, data, 1, &ctr), RPMB_RESULT_OK);
	c = 2; /* ahead */
	CHECK_EQ(host_write(d, key, 0, data, 1, &c),
		 RPMB_RESULT_COUNTER_FAILURE);
	CHECK_EQ(c, 1); /* the response tells the real counter */
	c = 0;		/* behind */
	CHECK_EQ(host_write(d, key, 0, data, 1, &c),
		 RPMB_RESULT_COUNTER_FAILURE);
	CHECK_EQ(host_read_counter(d, key, &c), RPMB_RESULT_OK);
	CHECK_EQ(c, 1);
	rpmb_dev_close(d);
}

static void test_rpmb_replayed_write_refused(void)
{
	uint8_t a[RPMB_BLOCK_SIZE], b[RPMB_BLOCK_SIZE], out[RPMB_BLOCK_SIZE];
	uint8_t captured[RPMB_FRAME_SIZE], resp[RPMB_FRAME_SIZE];
	struct rpmb_dev *d = fresh_dev(true);
	uint32_t ctr = 1;

	REQUIRE(d);
	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	host_build_write(captured, key, 7, 0, a, 1);
	CHECK_EQ(rpmb_dev_data_request(d, captured, 1, resp, 1), 0);
	CHECK_EQ(rpmb_frame_result(resp), RPMB_RESULT_OK);
	CHECK_EQ(host_write(d, key, 7, b, 1, &ctr), RPMB_RESULT_OK);
	/* The attacker replays the captured frame to bring 'a' back. */
	CHECK_EQ(rpmb_dev_data_request(d, captured, 1, resp, 1), 0);
	CHECK_EQ(rpmb_frame_result(resp), RPMB_RESULT_COUNTER_FAILURE);
	d = reopen(d); /* and after a restart */
	REQUIRE(d);
	CHECK_EQ(rpmb_dev_data_request(d, captured, 1, resp, 1), 0);
	CHECK_EQ(rpmb_frame_result(resp), RPMB_RESULT_COUNTER_FAILURE);
	CHECK_EQ(host_read(d, key, 7, out, 1), RPMB_RESULT_OK);
	CHECK_MEM(out, b, sizeof(b));
	rpmb_dev_close(d);
}

static void test_rpmb_address_out_of_range(void)
{
	uint8_t data[2 * RPMB_BLOCK_SIZE] = {4}, out[2 * RPMB_BLOCK_SIZE];
	struct rpmb_dev *d = fresh_dev(true);
	uint32_t ctr = 0;

	REQUIRE(d);
	CHECK_EQ(host_write(d, key, BLOCKS - 1, data, 2, &ctr),
		 RPMB_RESULT_ADDRESS_FAILURE);
	CHECK_EQ(host_write(d, key, 0xffff, data, 1, &ctr),
		 RPMB_RESULT_ADDRESS_FAILURE);
	CHECK_EQ(ctr, 0);
	CHECK_EQ(host_write(d, key, BLOCKS - 2, data, 2, &ctr), RPMB_RESULT_OK);
	CHECK_EQ(host_read(d, key, BLOCKS - 1, out, 2),
		 RPMB_RESULT_ADDRESS_FAILURE);
	CHECK_EQ(host_read(d, key, BLOCKS, out, 1),
		 RPMB_RESULT_ADDRESS_FAILURE);
	CHECK_EQ(host_read(d, key, 0xffff, out, 1),
		 RPMB_RESULT_ADDRESS_FAILURE);
	CHECK_EQ(host_read(d, key, BLOCKS - 2, out, 2), RPMB_RESULT_OK);
	CHECK_MEM(out, data, sizeof(data));
	rpmb_dev_close(d);
}

/* Sends n write frames (already built) and returns the result. */
static int send_write(struct rpmb_dev *d, const uint8_t *req, size_t n)
{
	uint8_t resp[RPMB_FRAME_SIZE];
	int rc = rpmb_dev_data_request(d, req, n, resp, 1);

	return rc ? rc : rpmb_frame_result(resp);
}

static void test_rpmb_block_count_checks(void)
{
	uint8_t data[(MAX_WR + 1) * RPMB_BLOCK_SIZE] = {5};
	uint8_t req[(MAX_WR + 1) * RPMB_FRAME_SIZE];
	uint8_t rreq[RPMB_FRAME_SIZE], resp[2 * RPMB_FRAME_SIZE];
	struct rpmb_dev *d = fresh_dev(true);
	uint8_t nonce[16] = {1};

	REQUIRE(d);
	/* More frames than a reliable write may carry. */
	host_build_write(req, key, 0, 0, data, MAX_WR + 1);
	CHECK_EQ(send_write(d, req, MAX_WR + 1), RPMB_RESULT_GENERAL_FAILURE);
	/* Block count field 0, or not the number of frames sent. */
	host_build_write(req, key, 0, 0, data, 1);
	rpmb_frame_set_block_count(req, 0);
	rpmb_frame_sign(key, req, 1);
	CHECK_EQ(send_write(d, req, 1), RPMB_RESULT_GENERAL_FAILURE);
	host_build_write(req, key, 0, 0, data, 2);
	CHECK_EQ(send_write(d, req, 1), RPMB_RESULT_GENERAL_FAILURE);
	/* Frames of one write that disagree on the address. */
	host_build_write(req, key, 0, 0, data, 2);
	rpmb_frame_set_address(req, 1);
	rpmb_frame_sign(key, req, 2);
	CHECK_EQ(send_write(d, req, 2), RPMB_RESULT_GENERAL_FAILURE);
	/* A read whose block count is neither 0 nor the frames asked for. */
	host_build_read(rreq, 0, nonce);
	rpmb_frame_set_block_count(rreq, 3);
	CHECK_EQ(rpmb_dev_data_request(d, rreq, 1, resp, 2), 0);
	CHECK_EQ(rpmb_frame_result(resp + RPMB_FRAME_SIZE),
		 RPMB_RESULT_GENERAL_FAILURE);
	rpmb_frame_set_block_count(rreq, 2);
	CHECK_EQ(rpmb_dev_data_request(d, rreq, 1, resp, 2), 0);
	CHECK_EQ(rpmb_frame_result(resp + RPMB_FRAME_SIZE), RPMB_RESULT_OK);
	/* Nothing was written by any of the above. */
	uint32_t ctr = 99;
	CHECK_EQ(host_read_counter(d, key, &ctr), RPMB_RESULT_OK);
	CHECK_EQ(ctr, 0);
	rpmb_dev_close(d);
}

static void test_rpmb_result_read(void)
{
	uint8_t req[RPMB_FRAME_SIZE], resp[RPMB_FRAME_SIZE];
	uint8_t data[RPMB_BLOCK_SIZE] = {6};
	struct rpmb_dev *d = fresh_dev(false);
	uint32_t ctr = 0, bad = 5;

	REQUIRE(d);
	host_build_result_read(req);
	/* Nothing written since power-on. */
	CHECK_EQ(rpmb_dev_data_request(d, req, 1, resp, 1), 0);
	CHECK_EQ(rpmb_frame_result(resp), RPMB_RESULT_GENERAL_FAILURE);
	REQUIRE(host_program_key(d, key) == RPMB_RESULT_OK);
	CHECK_EQ(rpmb_dev_data_request(d, req, 1, resp, 1), 0);
	CHECK_EQ(rpmb_frame_req_resp(resp), RPMB_RESP_KEY_PROGRAM);
	CHECK_EQ(rpmb_frame_result(resp), RPMB_RESULT_OK);
	CHECK_EQ(host_write(d, key, 33, data, 1, &ctr), RPMB_RESULT_OK);
	CHECK_EQ(rpmb_dev_data_request(d, req, 1, resp, 1), 0);
	CHECK_EQ(rpmb_frame_req_resp(resp), RPMB_RESP_AUTH_WRITE);
	CHECK_EQ(rpmb_frame_result(resp), RPMB_RESULT_OK);
	CHECK_EQ(rpmb_frame_write_counter(resp), 1);
	CHECK_EQ(rpmb_frame_address(resp), 33);
	CHECK(rpmb_frame_mac_ok(key, resp, 1));
	CHECK_EQ(host_write(d, key, 44, data, 1, &bad),
		 RPMB_RESULT_COUNTER_FAILURE);
	CHECK_EQ(rpmb_dev_data_request(d, req, 1, resp, 1), 0);
	CHECK_EQ(rpmb_frame_result(resp), RPMB_RESULT_COUNTER_FAILURE);
	CHECK_EQ(rpmb_frame_address(resp), 44);
	CHECK_EQ(rpmb_frame_write_counter(resp), 1);
	/* Reads do not change the result register. */
	CHECK_EQ(host_read(d, key, 0, data, 1), RPMB_RESULT_OK);
	CHECK_EQ(rpmb_dev_data_request(d, req, 1, resp, 1), 0);
	CHECK_EQ(rpmb_frame_result(resp), RPMB_RESULT_COUNTER_FAILURE);
	rpmb_dev_close(d);
}

static void test_rpmb_counter_expiry(void)
{
	uint8_t data[RPMB_BLOCK_SIZE] = {7}, out[RPMB_BLOCK_SIZE];
	struct rpmb_dev *d = fresh_dev(true);
	uint32_t ctr = 0;

	REQUIRE(d);
	REQUIRE(rpmb_dev_test_set_counter(d, RPMB_WRITE_COUNTER_MAX - 1) == 0);
	CHECK_EQ(host_read_counter(d, key, &ctr), RPMB_RESULT_OK);
	CHECK_EQ(ctr, RPMB_WRITE_COUNTER_MAX - 1);
	/* The last possible write succeeds and reports expiry. */
	CHECK_EQ(host_write(d, key, 1, data, 1, &ctr),
		 RPMB_RESULT_OK | RPMB_RESULT_COUNTER_EXPIRED);
	CHECK_EQ(ctr, RPMB_WRITE_COUNTER_MAX);
	CHECK_EQ(host_write(d, key, 2, data, 1, &ctr),
		 RPMB_RESULT_WRITE_FAILURE | RPMB_RESULT_COUNTER_EXPIRED);
	CHECK_EQ(host_read_counter(d, key, &ctr),
		 RPMB_RESULT_OK | RPMB_RESULT_COUNTER_EXPIRED);
	d = reopen(d);
	REQUIRE(d);
	/* Reads still work; block 2 was never written. */
	CHECK_EQ(host_read(d, key, 1, out, 1),
		 RPMB_RESULT_OK | RPMB_RESULT_COUNTER_EXPIRED);
	CHECK_MEM(out, data, sizeof(data));
	ctr = RPMB_WRITE_COUNTER_MAX;
	CHECK_EQ(host_write(d, key, 2, data, 1, &ctr),
		 RPMB_RESULT_WRITE_FAILURE | RPMB_RESULT_COUNTER_EXPIRED);
	rpmb_dev_close(d);
}

static void test_rpmb_persists_across_reopen(void)
{
	uint8_t data[3 * RPMB_BLOCK_SIZE], out[sizeof(data)];
	struct rpmb_dev *d = fresh_dev(true);
	uint32_t ctr = 0;
	int i;

	REQUIRE(d);
	test_fill_pattern(data, sizeof(data), 11);
	for (i = 0; i < 5; i++)
		CHECK_EQ(host_write(d, key, 300, data, 3, &ctr),
			 RPMB_RESULT_OK);
	data[0] ^= 1;
	CHECK_EQ(host_write(d, key, 300, data, 3, &ctr), RPMB_RESULT_OK);
	d = reopen(d);
	REQUIRE(d);
	CHECK_EQ(host_read_counter(d, key, &ctr), RPMB_RESULT_OK);
	CHECK_EQ(ctr, 6);
	CHECK_EQ(host_read(d, key, 300, out, 3), RPMB_RESULT_OK);
	CHECK_MEM(out, data, sizeof(data));
	CHECK_EQ(host_write(d, key, 0, data, 1, &ctr), RPMB_RESULT_OK);
	CHECK_EQ(ctr, 7);
	rpmb_dev_close(d);
}

static void test_rpmb_malformed_framing(void)
{
	uint8_t req[3 * RPMB_FRAME_SIZE], resp[3 * RPMB_FRAME_SIZE];
	uint8_t data[2 * RPMB_BLOCK_SIZE] = {8}, nonce[16] = {0};
	struct rpmb_dev *d = fresh_dev(true);
	uint32_t ctr = 0;

	REQUIRE(d);
	host_build_counter_read(req, nonce);
	CHECK_EQ(rpmb_dev_data_request(d, req, 0, resp, 1), -EINVAL);
	CHECK_EQ(rpmb_dev_data_request(d, req, 1, resp, 0), -EINVAL);
	CHECK_EQ(rpmb_dev_data_request(d, req, 1, resp, 2), -EINVAL);
	CHECK_EQ(rpmb_dev_data_request(d, NULL, 1, resp, 1), -EINVAL);
	CHECK_EQ(rpmb_dev_data_request(d, req, 1, NULL, 1), -EINVAL);
	CHECK_EQ(rpmb_dev_data_request(NULL, req, 1, resp, 1), -EINVAL);
	CHECK_EQ(rpmb_dev_data_request(d, req, 1, resp, 70000), -EINVAL);
	host_build_key_program(req, key);
	CHECK_EQ(rpmb_dev_data_request(d, req, 1, resp, 2), -EINVAL);
	host_build_write(req, key, 0, 0, data, 2);
	CHECK_EQ(rpmb_dev_data_request(d, req, 2, resp, 2), -EINVAL);
	host_build_read(req, 0, nonce);
	memcpy(req + RPMB_FRAME_SIZE, req, RPMB_FRAME_SIZE);
	CHECK_EQ(rpmb_dev_data_request(d, req, 2, resp, 1), -EINVAL);
	host_build_result_read(req);
	CHECK_EQ(rpmb_dev_data_request(d, req, 1, resp, 3), -EINVAL);
	/* Mixed request types in one operation. */
	host_build_write(req, key, 0, 0, data, 2);
	rpmb_frame_set_req_resp(req, RPMB_REQ_AUTH_READ);
	CHECK_EQ(rpmb_dev_data_request(d, req, 2, resp, 1), -EINVAL);
	/* Unknown types, and a response type sent as a request. */
	rpmb_frame_set_req_resp(req, 0x0006);
	CHECK_EQ(rpmb_dev_data_request(d, req, 1, resp, 1), -EINVAL);
	rpmb_frame_set_req_resp(req, RPMB_RESP_AUTH_WRITE);
	CHECK_EQ(rpmb_dev_data_request(d, req, 1, resp, 1), -EINVAL);
	rpmb_frame_set_req_resp(req, 0);
	CHECK_EQ(rpmb_dev_data_request(d, req, 1, resp, 1), -EINVAL);
	/* None of it changed the device. */
	CHECK_EQ(host_read_counter(d, key, &ctr), RPMB_RESULT_OK);
	CHECK_EQ(ctr, 0);
	rpmb_dev_close(d);
}

static void write_file_byte(off_t off, uint8_t xor_mask)
{
	int fd = open(path, O_RDWR);
	uint8_t b;

	if (fd < 0 || pread(fd, &b, 1, off) != 1)
		abort();
	b ^= xor_mask;
	if (pwrite(fd, &b, 1, off) != 1)
		abort();
	close(fd);
}

/* Returns what opening the (damaged) file gives. */
static int open_rc(void)
{
	struct rpmb_dev_config c = small_cfg();
	struct rpmb_dev *d = NULL;
	int rc;

	c.create = false;
	rc = rpmb_dev_open(&c, &d);
	rpmb_dev_close(d);
	return rc;
}

static void make_file(void)
{
	struct rpmb_dev *d = fresh_dev(true);
	uint32_t ctr = 0;
	uint8_t data[RPMB_BLOCK_SIZE] = {1};

	if (!d || host_write(d, key, 0, data, 1, &ctr) != 0)
		abort();
	rpmb_dev_close(d);
}

static void test_rpmb_corrupt_file_refused(void)
{
	off_t off;
	int fd;

	make_file();
	CHECK_EQ(open_rc(), 0);
	/* Both header slots (key program = seq 2, write = seq 3). */
	write_file_byte(0, 0xff);	  /* magic of slot 0 */
	write_file_byte(4096 + 50, 0x01); /* CID byte of slot 1 */
	CHECK_EQ(open_rc(), -EUCLEAN);
	make_file();
	write_file_byte(8, 0x02); /* version */
	write_file_byte(4096 + 8, 0x02);
	CHECK_EQ(open_rc(), -EUCLEAN);
	make_file();
	for (off = 0; off < 2 * 4096; off += 4096)
		write_file_byte(off + 140, 0x10); /* checksums */
	CHECK_EQ(open_rc(), -EUCLEAN);
	/* Truncated, extended and empty files. */
	make_file();
	CHECK(truncate(path, 128 * 1024) == 0);
	CHECK_EQ(open_rc(), -EUCLEAN);
	make_file();
	fd = open(path, O_WRONLY | O_APPEND);
	CHECK(fd >= 0 && write(fd, "x", 1) == 1);
	close(fd);
	CHECK_EQ(open_rc(), -EUCLEAN);
	CHECK(truncate(path, 0) == 0);
	CHECK_EQ(open_rc(), -EUCLEAN);
	CHECK(truncate(path, 100) == 0);
	CHECK_EQ(open_rc(), -EUCLEAN);
}

/* The newest header's journal torn: the commit never happened. */
static void test_rpmb_torn_journal_falls_back(void)
{
	uint8_t data[RPMB_BLOCK_SIZE] = {1}, out[RPMB_BLOCK_SIZE];
	uint8_t zero[RPMB_BLOCK_SIZE] = {0};
	struct rpmb_dev *d;
	uint32_t ctr = 0;

	uint8_t hdr[16];
	int fd;

	/*
	 * The write is seq 3 (slot 1, journal 1 at 8192 + 4096; data at
	 * 16384). Make the file look as if power failed before the commit
	 * reached the disk: header written, journal torn, data not applied.
	 */
	make_file();
	write_file_byte(8192 + 4096 + 10, 0x40);
	write_file_byte(16384, 0x01);
	d = reopen(NULL);
	REQUIRE(d);
	/* The unfinished header was erased so it cannot come back. */
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0 && pread(fd, hdr, sizeof(hdr), 4096) == sizeof(hdr));
	close(fd);
	CHECK_MEM(hdr, zero, sizeof(hdr));
	CHECK_EQ(host_read_counter(d, key, &ctr), RPMB_RESULT_OK);
	CHECK_EQ(ctr, 0);
	CHECK_EQ(host_read(d, key, 0, out, 1), RPMB_RESULT_OK);
	CHECK_MEM(out, zero, sizeof(zero));
	CHECK_EQ(host_write(d, key, 0, data, 1, &ctr), RPMB_RESULT_OK);
	CHECK_EQ(ctr, 1);
	rpmb_dev_close(d);
}

/* Power failed after the commit point, before the data was in place: a
 * read-only open shows the committed data without writing; a normal open
 * completes the commit. */
static void test_rpmb_unapplied_commit_completed(void)
{
	uint8_t data[RPMB_BLOCK_SIZE] = {1}, out[RPMB_BLOCK_SIZE];
	struct rpmb_dev_config c = small_cfg();
	struct rpmb_dev *d = NULL;
	uint8_t byte = 0xff;
	uint32_t ctr = 0;
	int fd;

	make_file(); /* block 0 = { 1 }, data area at 16384 */
	write_file_byte(16384, 0x01);
	c.read_only = true;
	REQUIRE(rpmb_dev_open(&c, &d) == 0);
	CHECK_EQ(host_read_counter(d, key, &ctr), RPMB_RESULT_OK);
	CHECK_EQ(ctr, 1);
	CHECK_EQ(host_read(d, key, 0, out, 1), RPMB_RESULT_OK);
	CHECK_MEM(out, data, sizeof(data));
	rpmb_dev_close(d);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0 && pread(fd, &byte, 1, 16384) == 1);
	CHECK_EQ(byte, 0); /* read-only wrote nothing */
	d = reopen(NULL);
	REQUIRE(d);
	CHECK(pread(fd, &byte, 1, 16384) == 1);
	CHECK_EQ(byte, 1); /* the journal was replayed */
	close(fd);
	CHECK_EQ(host_read(d, key, 0, out, 1), RPMB_RESULT_OK);
	CHECK_MEM(out, data, sizeof(data));
	rpmb_dev_close(d);
}

static void test_rpmb_config_mismatch_refused(void)
{
	struct rpmb_dev_config c = small_cfg();
	struct rpmb_dev *d = NULL;

	make_file();
	c.size_mult = 2;
	CHECK_EQ(rpmb_dev_open(&c, &d), -EINVAL);
	c = small_cfg();
	c.rel_wr_sec_c = 1;
	CHECK_EQ(rpmb_dev_open(&c, &d), -EINVAL);
	c = small_cfg();
	c.cid[0] = 1;
	CHECK_EQ(rpmb_dev_open(&c, &d), -EINVAL);
	c = small_cfg();
	c.size_mult = 256;
	CHECK_EQ(rpmb_dev_open(&c, &d), -EINVAL);
	c = small_cfg();
	c.size_mult = 0; /* take the file's */
	c.rel_wr_sec_c = 0;
	CHECK_EQ(rpmb_dev_open(&c, &d), 0);
	rpmb_dev_close(d);
}

static void test_rpmb_open_missing_busy_read_only(void)
{
	struct rpmb_dev_config c = small_cfg();
	struct rpmb_dev *d = NULL, *d2 = NULL;
	uint8_t data[RPMB_BLOCK_SIZE] = {1}, out[RPMB_BLOCK_SIZE];
	uint32_t ctr = 1;

	unlink(path);
	c.create = false;
	CHECK_EQ(rpmb_dev_open(&c, &d), -ENOENT);
	make_file();
	REQUIRE(rpmb_dev_open(&c, &d) == 0);
	CHECK_EQ(rpmb_dev_open(&c, &d2), -EBUSY);
	c.read_only = true;
	CHECK_EQ(rpmb_dev_open(&c, &d2), -EBUSY);
	rpmb_dev_close(d);
	REQUIRE(rpmb_dev_open(&c, &d) == 0);
	CHECK_EQ(host_read(d, key, 0, out, 1), RPMB_RESULT_OK);
	CHECK_MEM(out, data, sizeof(data));
	CHECK_EQ(host_write(d, key, 0, data, 1, &ctr), -EROFS);
	CHECK_EQ(host_program_key(d, key), -EROFS);
	rpmb_dev_close(d);
}

/* An I/O error at any write or sync stops the device; reopening finds
 * the old or the new state. */
static void test_rpmb_io_error_stops_device(void)
{
	struct rpmb_dev_config c = small_cfg();
	uint8_t data[2 * RPMB_BLOCK_SIZE], out[sizeof(data)];
	long ev;
	int rc;

	test_fill_pattern(data, sizeof(data), 3);
	for (ev = 0;; ev++) {
		struct crash_disk *disk = crash_disk_new(), *again;
		struct rpmb_dev *d = NULL;
		uint32_t ctr = 0;

		REQUIRE(rpmb_dev_open_io(crash_disk_io(disk), &c, &d) == 0);
		REQUIRE(host_program_key(d, key) == RPMB_RESULT_OK);
		crash_disk_fail_at(disk, ev, -EIO);
		rc = host_write(d, key, 10, data, 2, &ctr);
		rpmb_dev_close(d);
		if (rc == RPMB_RESULT_OK) {
			crash_disk_free(disk);
			break;
		}
		CHECK_EQ(rc, -EIO);
		again = crash_disk_reboot(disk);
		REQUIRE(rpmb_dev_open_io(crash_disk_io(again), &c, &d) == 0);
		CHECK_EQ(host_read_counter(d, key, &ctr), RPMB_RESULT_OK);
		CHECK(ctr <= 1);
		CHECK_EQ(host_read(d, key, 10, out, 2), RPMB_RESULT_OK);
		if (ctr == 1)
			CHECK_MEM(out, data, sizeof(data));
		rpmb_dev_close(d);
		crash_disk_free(again);
		crash_disk_free(disk);
	}
	CHECK(ev >= 4); /* journal+header, sync, apply, sync were reached */
}

int main(void)
{
	snprintf(dir, sizeof(dir), "%s", test_tmpdir("rpmb"));
	snprintf(path, sizeof(path), "%s/rpmb.img", dir);
	RUN(test_rpmb_info_defaults);
	RUN(test_rpmb_key_not_programmed);
	RUN(test_rpmb_key_programmed_twice);
	RUN(test_rpmb_counter_read_nonce_and_mac);
	RUN(test_rpmb_multi_block_write_read_back);
	RUN(test_rpmb_write_bad_mac);
	RUN(test_rpmb_write_counter_mismatch);
	RUN(test_rpmb_replayed_write_refused);
	RUN(test_rpmb_address_out_of_range);
	RUN(test_rpmb_block_count_checks);
	RUN(test_rpmb_result_read);
	RUN(test_rpmb_counter_expiry);
	RUN(test_rpmb_persists_across_reopen);
	RUN(test_rpmb_malformed_framing);
	RUN(test_rpmb_corrupt_file_refused);
	RUN(test_rpmb_torn_journal_falls_back);
	RUN(test_rpmb_unapplied_commit_completed);
	RUN(test_rpmb_config_mismatch_refused);
	RUN(test_rpmb_open_missing_busy_read_only);
	RUN(test_rpmb_io_error_stops_device);
	test_rmtree(dir);
	return test_report();
}
