/*
 * An emulated eMMC RPMB partition backed by a file: what tee-supplicant
 * serves OP-TEE's legacy RPMB RPC with (OPTEE_RPC_CMD_RPMB). Unlike
 * OP-TEE's RAM-only emulation it persists across restarts, enforces the
 * write counter of authenticated writes (a replayed write is refused),
 * supports multi-block reliable writes and updates its file crash-safely.
 * Frame format: lib/rpmb/rpmb_frame.h; behaviour and file layout:
 * docs/rpmb-device.md.
 *
 * Thread safe: requests on one device are serialised by a mutex.
 */
#ifndef TEESTORE_RPMB_DEV_H
#define TEESTORE_RPMB_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpmb_frame.h"

#define RPMB_DEV_DEFAULT_SIZE_MULT 32 /* 4 MiB */
#define RPMB_DEV_DEFAULT_REL_WR	   64 /* sectors: 128 frames per write */

struct rpmb_dev_config {
	const char *path;
	/*
	 * Partition size in 128 KiB units (1..255), 0 = default (32). Applies
	 * when the file is created; an existing file keeps its own, and a
	 * non-zero value that differs from it is refused (-EINVAL).
	 */
	uint32_t size_mult;
	/* The CID register; all zero = a built-in one. Same rule as size. */
	uint8_t cid[16];
	/* Reliable write sector count (1..255), 0 = default. Same rule. */
	uint8_t rel_wr_sec_c;
	/* Create the file when it does not exist (else -ENOENT). */
	bool create;
	/* Open for inspection: no request may change the device. */
	bool read_only;
};

struct rpmb_dev;

/*
 * Opens (and with create, creates atomically) the device file. Returns 0,
 * -ENOENT, -EBUSY (in use by another process), -EINVAL (config does not
 * match the file), -EUCLEAN (not a valid device file; the reason is
 * logged) or another -errno.
 */
int rpmb_dev_open(const struct rpmb_dev_config *cfg, struct rpmb_dev **out);
void rpmb_dev_close(struct rpmb_dev *d);

/* OP-TEE's struct rpmb_dev_info: cid[16], rpmb_size_mult, rel_wr_sec_c,
 * ret_code (RPMB_DEV_INFO_*). */
void rpmb_dev_get_info(struct rpmb_dev *d, uint8_t out[RPMB_DEV_INFO_SIZE]);

/*
 * Runs one RPMB operation as the eMMC does it for OP-TEE's supplicant:
 * nreq request frames in, nresp response frames out (512 bytes each).
 *   key program:   1 in, 1 out (the result read is implied)
 *   counter read:  1 in, 1 out
 *   auth write:    n in (n = block count), 1 out (the result read)
 *   auth read:     1 in, n out (n = blocks to read)
 *   result read:   1 in, 1 out (result of the last write/key program)
 * Device-level failures (bad MAC, counter, address, key not programmed...)
 * are answered in the response frames' result field with return value 0.
 * Returns -EINVAL for malformed framing (frame counts that do not fit the
 * operation, mixed or unknown request types), -EROFS for a change on a
 * read-only device, and -EIO once the backing file failed (the device then
 * stays stopped; reopening finds the old or the new state).
 */
int rpmb_dev_data_request(struct rpmb_dev *d, const uint8_t *req_frames,
			  size_t nreq, uint8_t *resp_frames, size_t nresp);

#endif
