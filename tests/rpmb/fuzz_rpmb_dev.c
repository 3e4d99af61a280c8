/*
 * libFuzzer target over rpmb_dev_data_request: the input is a sequence of
 * operations, each a 4-byte header {u16 nreq, u16 nresp} (little-endian,
 * taken modulo small bounds) followed by up to nreq * 512 bytes of request
 * frames (short input is zero-padded). The device lives on the in-memory
 * crash disk, key pre-programmed half of the time, so writes, MAC checks
 * and address checks are all reachable. Any crash, sanitizer report or
 * broken invariant (counter going back) is a bug.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "crash_io.h"
#include "rpmb_dev.h"
#include "rpmb_dev_test.h"
#include "rpmb_host.h"

#define MAX_FRAMES 20
#define MAX_OPS	   16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t fuzz_key[RPMB_KEY_SIZE] =
    "fuzz-key-0123456789abcdef012345";

static size_t run_op(struct rpmb_dev *d, const uint8_t *data, size_t size,
		     uint8_t *req, uint8_t *resp)
{
	size_t nreq, nresp, len, used = 4;

	if (size < 4)
		return size;
	nreq = get_le16(data) % (MAX_FRAMES + 1);
	nresp = get_le16(data + 2) % (MAX_FRAMES + 1);
	len = nreq * RPMB_FRAME_SIZE;
	memset(req, 0, MAX_FRAMES * RPMB_FRAME_SIZE);
	if (len > size - used)
		len = size - used;
	memcpy(req, data + used, len);
	used += len;
	/* A frame whose first byte asks for it gets a valid MAC, so that
	 * the checks behind the MAC are reached too. */
	if (nreq && req[0] == 0xAA)
		rpmb_frame_sign(fuzz_key, req, nreq);
	rpmb_dev_data_request(d, req, nreq, resp, nresp);
	return used;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct rpmb_dev_config cfg = {
	    .size_mult = 1, .rel_wr_sec_c = 2, .create = true};
	static uint8_t req[MAX_FRAMES * RPMB_FRAME_SIZE];
	static uint8_t resp[MAX_FRAMES * RPMB_FRAME_SIZE];
	struct crash_disk *disk = crash_disk_new();
	struct rpmb_dev *d = NULL;
	uint32_t before = 0, after = 0;
	size_t off = 1, n;
	int ops = 0;

	if (rpmb_dev_open_io(crash_disk_io(disk), &cfg, &d) != 0)
		abort();
	if (size && (data[0] & 1))
		host_program_key(d, fuzz_key);
	host_read_counter(d, fuzz_key, &before);
	while (off < size && ops++ < MAX_OPS) {
		n = run_op(d, data + off, size - off, req, resp);
		off += n;
	}
	host_read_counter(d, fuzz_key, &after);
	if (after < before)
		abort();
	rpmb_dev_close(d);
	crash_disk_free(disk);
	return 0;
}
