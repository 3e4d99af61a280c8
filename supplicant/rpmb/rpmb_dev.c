/*
 * The emulated eMMC RPMB device: request decoding, the JEDEC checks and
 * results, and the response frames (rpmb_dev.h, docs/rpmb-device.md).
 * Persistence is rpmb_store.c's job.
 */
#include "rpmb_dev.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rpmb_dev_internal.h"
#include "rpmb_dev_test.h"
#include "rpmb_store.h"
#include "secmem.h"

/* The register a result read returns: outcome of the last write or key
 * program since the device was opened (not persistent, as on an eMMC). */
struct last_result {
	bool valid;
	uint16_t resp;
	uint16_t result;
	uint16_t address;
};

struct rpmb_dev {
	pthread_mutex_t lock; /* serialises requests; protects all below */
	struct rpmb_io *io;
	struct rpmb_store *store;
	bool read_only;
	bool broken; /* the file failed during a commit: the device is dead */
	struct last_result last;
};

static const uint8_t *frame_at(const uint8_t *frames, size_t i)
{
	return frames + i * RPMB_FRAME_SIZE;
}

static uint8_t *frame_at_mut(uint8_t *frames, size_t i)
{
	return frames + i * RPMB_FRAME_SIZE;
}

static const struct rpmb_store_state *dev_state(const struct rpmb_dev *d)
{
	return rpmb_store_state(d->store);
}

/* The result field: the operation's result plus the expiry flag. */
static uint16_t dev_result(const struct rpmb_dev *d, uint16_t r)
{
	if (dev_state(d)->write_counter == RPMB_WRITE_COUNTER_MAX)
		r |= RPMB_RESULT_COUNTER_EXPIRED;
	return r;
}

/* Authenticates a response when there is a key to do it with. */
static int dev_sign(const struct rpmb_dev *d, uint8_t *frames, size_t n)
{
	if (!dev_state(d)->key_programmed)
		return 0;
	return rpmb_frame_sign(dev_state(d)->key, frames, n);
}

static bool range_ok(const struct rpmb_dev *d, uint32_t addr, size_t n)
{
	uint32_t blocks = rpmb_store_blocks(d->store);

	return addr <= blocks && n <= blocks - addr;
}

/* Builds the response to a result read: the last write or key program. */
static int respond_result(struct rpmb_dev *d, uint8_t *resp)
{
	const struct last_result *l = &d->last;
	uint16_t type = l->valid ? l->resp : RPMB_RESP_AUTH_WRITE;

	rpmb_frame_set_req_resp(resp, type);
	rpmb_frame_set_result(
	    resp,
	    dev_result(d, l->valid ? l->result : RPMB_RESULT_GENERAL_FAILURE));
	rpmb_frame_set_write_counter(resp, dev_state(d)->write_counter);
	rpmb_frame_set_address(resp, l->valid ? l->address : 0);
	if (type != RPMB_RESP_AUTH_WRITE)
		return 0;
	return dev_sign(d, resp, 1);
}

static int dev_commit(struct rpmb_dev *d, const struct rpmb_store_state *next,
		      uint32_t blk, uint32_t n, const uint8_t *data)
{
	int rc =
	    rpmb_store_commit(d->store, next, blk, n, data, RPMB_FRAME_SIZE);

	if (rc)
		d->broken = true;
	return rc;
}

static int op_key_program(struct rpmb_dev *d, const uint8_t *req, uint8_t *resp)
{
	struct rpmb_store_state next = *dev_state(d);
	uint16_t r = RPMB_RESULT_OK;
	int rc = 0;

	if (next.key_programmed) {
		r = RPMB_RESULT_GENERAL_FAILURE; /* programmable once */
	} else {
		next.key_programmed = true;
		memcpy(next.key, req + RPMB_OFF_KEY_MAC, RPMB_KEY_SIZE);
		rc = dev_commit(d, &next, 0, 0, NULL);
	}
	secmem_wipe(&next, sizeof(next));
	if (rc)
		return rc;
	d->last = (struct last_result){true, RPMB_RESP_KEY_PROGRAM, r, 0};
	return respond_result(d, resp);
}

static int op_counter_read(struct rpmb_dev *d, const uint8_t *req,
			   uint8_t *resp)
{
	const struct rpmb_store_state *st = dev_state(d);

	rpmb_frame_set_req_resp(resp, RPMB_RESP_COUNTER_READ);
	memcpy(resp + RPMB_OFF_NONCE, req + RPMB_OFF_NONCE, RPMB_NONCE_SIZE);
	rpmb_frame_set_write_counter(resp, st->write_counter);
	rpmb_frame_set_result(
	    resp,
	    dev_result(d, st->key_programmed ? RPMB_RESULT_OK
					     : RPMB_RESULT_KEY_NOT_PROGRAMMED));
	return dev_sign(d, resp, 1);
}

/* Every frame of a write must carry the same counter, address and block
 * count (JEDEC: "the
 * address is the start address of the full access" in every packet). */
static bool write_frames_agree(const uint8_t *req, size_t nreq)
{
	const uint8_t *first = frame_at(req, 0);
	size_t i;

	for (i = 1; i < nreq; i++) {
		const uint8_t *f = frame_at(req, i);

		if (memcmp(f + RPMB_OFF_WRITE_COUNTER,
			   first + RPMB_OFF_WRITE_COUNTER, 8) != 0)
			return false;
	}
	return true;
}

/* The checks of an authenticated write, in the order an eMMC makes them. */
static uint16_t write_check(const struct rpmb_dev *d, const uint8_t *req,
			    size_t nreq)
{
	const struct rpmb_store_state *st = dev_state(d);
	const uint8_t *last = frame_at(req, nreq - 1);
	uint32_t max =
	    rpmb_max_write_blocks(rpmb_store_geometry(d->store)->rel_wr_sec_c);

	if (!st->key_programmed)
		return RPMB_RESULT_KEY_NOT_PROGRAMMED;
	if (st->write_counter == RPMB_WRITE_COUNTER_MAX)
		return RPMB_RESULT_WRITE_FAILURE;
	if (rpmb_frame_block_count(last) != nreq || nreq > max ||
	    !write_frames_agree(req, nreq))
		return RPMB_RESULT_GENERAL_FAILURE;
	if (!range_ok(d, rpmb_frame_address(last), nreq))
		return RPMB_RESULT_ADDRESS_FAILURE;
	if (!rpmb_frame_mac_ok(st->key, req, nreq))
		return RPMB_RESULT_AUTH_FAILURE;
	if (rpmb_frame_write_counter(last) != st->write_counter)
		return RPMB_RESULT_COUNTER_FAILURE;
	return RPMB_RESULT_OK;
}

static int op_auth_write(struct rpmb_dev *d, const uint8_t *req, size_t nreq,
			 uint8_t *resp)
{
	uint16_t addr = rpmb_frame_address(frame_at(req, nreq - 1));
	uint16_t r = write_check(d, req, nreq);
	struct rpmb_store_state next;
	int rc = 0;

	if (r == RPMB_RESULT_OK) {
		next = *dev_state(d);
		next.write_counter++;
		rc = dev_commit(d, &next, addr, (uint32_t)nreq,
				req + RPMB_OFF_DATA);
		secmem_wipe(&next, sizeof(next));
	}
	if (rc)
		return rc;
	d->last = (struct last_result){true, RPMB_RESP_AUTH_WRITE, r, addr};
	return respond_result(d, resp);
}

static uint16_t read_check(struct rpmb_dev *d, const uint8_t *req,
			   uint8_t *resp, size_t nresp)
{
	uint16_t addr = rpmb_frame_address(req);
	uint16_t count = rpmb_frame_block_count(req);

	if (!dev_state(d)->key_programmed)
		return RPMB_RESULT_KEY_NOT_PROGRAMMED;
	/* OP-TEE sends 0 and sizes the read by the response; JEDEC 5.1
	 * hosts may state the count: either is fine, a different one not. */
	if (count != 0 && count != nresp)
		return RPMB_RESULT_GENERAL_FAILURE;
	if (!range_ok(d, addr, nresp))
		return RPMB_RESULT_ADDRESS_FAILURE;
	if (rpmb_store_read(d->store, addr, (uint32_t)nresp,
			    resp + RPMB_OFF_DATA, RPMB_FRAME_SIZE) != 0) {
		memset(resp, 0, nresp * RPMB_FRAME_SIZE);
		return RPMB_RESULT_READ_FAILURE;
	}
	return RPMB_RESULT_OK;
}

static int op_auth_read(struct rpmb_dev *d, const uint8_t *req, uint8_t *resp,
			size_t nresp)
{
	uint16_t r = dev_result(d, read_check(d, req, resp, nresp));
	size_t i;

	for (i = 0; i < nresp; i++) {
		uint8_t *f = frame_at_mut(resp, i);

		memcpy(f + RPMB_OFF_NONCE, req + RPMB_OFF_NONCE,
		       RPMB_NONCE_SIZE);
		rpmb_frame_set_address(f, rpmb_frame_address(req));
		rpmb_frame_set_block_count(f, (uint16_t)nresp);
		rpmb_frame_set_result(f, r);
		rpmb_frame_set_req_resp(f, RPMB_RESP_AUTH_READ);
	}
	return dev_sign(d, resp, nresp);
}

/* Frame counts each operation takes (see rpmb_dev.h); -EINVAL if not. */
static int framing_check(uint16_t type, size_t nreq, size_t nresp)
{
	switch (type) {
	case RPMB_REQ_KEY_PROGRAM:
	case RPMB_REQ_COUNTER_READ:
	case RPMB_REQ_RESULT_READ:
		return nreq == 1 && nresp == 1 ? 0 : -EINVAL;
	case RPMB_REQ_AUTH_WRITE:
		return nresp == 1 ? 0 : -EINVAL;
	case RPMB_REQ_AUTH_READ:
		return nreq == 1 ? 0 : -EINVAL;
	default:
		return -EINVAL;
	}
}

static int dev_dispatch(struct rpmb_dev *d, const uint8_t *req, size_t nreq,
			uint8_t *resp, size_t nresp)
{
	uint16_t type = rpmb_frame_req_resp(req);
	size_t i;
	int rc;

	for (i = 1; i < nreq; i++)
		if (rpmb_frame_req_resp(frame_at(req, i)) != type)
			return -EINVAL;
	rc = framing_check(type, nreq, nresp);
	if (rc)
		return rc;
	if (d->read_only &&
	    (type == RPMB_REQ_KEY_PROGRAM || type == RPMB_REQ_AUTH_WRITE))
		return -EROFS;
	memset(resp, 0, nresp * RPMB_FRAME_SIZE);
	switch (type) {
	case RPMB_REQ_KEY_PROGRAM:
		return op_key_program(d, req, resp);
	case RPMB_REQ_COUNTER_READ:
		return op_counter_read(d, req, resp);
	case RPMB_REQ_AUTH_WRITE:
		return op_auth_write(d, req, nreq, resp);
	case RPMB_REQ_AUTH_READ:
		return op_auth_read(d, req, resp, nresp);
	default: /* RPMB_REQ_RESULT_READ, framing_check let nothing else by */
		return respond_result(d, resp);
	}
}

int rpmb_dev_data_request(struct rpmb_dev *d, const uint8_t *req_frames,
			  size_t nreq, uint8_t *resp_frames, size_t nresp)
{
	int rc;

	/* Counts beyond the 16-bit block count cannot be a real access. */
	if (!d || !req_frames || !resp_frames || nreq == 0 || nresp == 0 ||
	    nreq > UINT16_MAX || nresp > UINT16_MAX)
		return -EINVAL;
	pthread_mutex_lock(&d->lock);
	rc = d->broken ? -EIO
		       : dev_dispatch(d, req_frames, nreq, resp_frames, nresp);
	pthread_mutex_unlock(&d->lock);
	return rc;
}

void rpmb_dev_get_info(struct rpmb_dev *d, uint8_t out[RPMB_DEV_INFO_SIZE])
{
	const struct rpmb_store_geometry *g;

	memset(out, 0, RPMB_DEV_INFO_SIZE);
	if (!d) {
		out[RPMB_DEV_INFO_OFF_RET_CODE] = RPMB_DEV_INFO_RET_ERROR;
		return;
	}
	pthread_mutex_lock(&d->lock);
	g = rpmb_store_geometry(d->store);
	memcpy(out + RPMB_DEV_INFO_OFF_CID, g->cid, RPMB_CID_SIZE);
	out[RPMB_DEV_INFO_OFF_SIZE_MULT] = (uint8_t)g->size_mult;
	out[RPMB_DEV_INFO_OFF_REL_WR] = g->rel_wr_sec_c;
	out[RPMB_DEV_INFO_OFF_RET_CODE] = RPMB_DEV_INFO_RET_OK;
	pthread_mutex_unlock(&d->lock);
}

int rpmb_dev_test_set_counter(struct rpmb_dev *d, uint32_t counter)
{
	struct rpmb_store_state next;
	int rc;

	pthread_mutex_lock(&d->lock);
	next = *dev_state(d);
	next.write_counter = counter;
	rc = dev_commit(d, &next, 0, 0, NULL);
	secmem_wipe(&next, sizeof(next));
	pthread_mutex_unlock(&d->lock);
	return rc;
}

void rpmb_dev_close(struct rpmb_dev *d)
{
	if (!d)
		return;
	rpmb_store_close(d->store);
	if (d->io)
		d->io->ops->close(d->io);
	pthread_mutex_destroy(&d->lock);
	secmem_wipe(d, sizeof(*d));
	free(d);
}

/* A non-zero config value must match what the file was created with. */
static int config_matches(const struct rpmb_dev_config *cfg,
			  const struct rpmb_store_geometry *g)
{
	static const uint8_t zero_cid[RPMB_CID_SIZE];

	if (cfg->size_mult && cfg->size_mult != g->size_mult) {
		log_warnx("rpmb: device has size_mult %u, config asks %u",
			  g->size_mult, cfg->size_mult);
		return -EINVAL;
	}
	if (cfg->rel_wr_sec_c && cfg->rel_wr_sec_c != g->rel_wr_sec_c) {
		log_warnx("rpmb: device has rel_wr_sec_c %u, config asks %u",
			  g->rel_wr_sec_c, cfg->rel_wr_sec_c);
		return -EINVAL;
	}
	if (memcmp(cfg->cid, zero_cid, RPMB_CID_SIZE) != 0 &&
	    memcmp(cfg->cid, g->cid, RPMB_CID_SIZE) != 0) {
		log_warnx("rpmb: device has another CID than the config's");
		return -EINVAL;
	}
	return 0;
}

static int open_store(struct rpmb_io *io, const struct rpmb_dev_config *cfg,
		      struct rpmb_store **out)
{
	struct rpmb_store_geometry g;
	uint64_t size;
	int rc;

	rc = io->ops->size(io, &size);
	if (rc == 0 && size == 0 && cfg->create && !cfg->read_only) {
		rc = rpmb_dev_config_geometry(cfg, &g);
		if (rc == 0)
			rc = rpmb_store_format(io, &g);
	}
	if (rc == 0)
		rc = rpmb_store_open(io, cfg->read_only, out);
	if (rc == 0) {
		rc = config_matches(cfg, rpmb_store_geometry(*out));
		if (rc)
			rpmb_store_close(*out);
	}
	return rc;
}

int rpmb_dev_open_io(struct rpmb_io *io, const struct rpmb_dev_config *cfg,
		     struct rpmb_dev **out)
{
	struct rpmb_dev *d;
	int rc;

	d = calloc(1, sizeof(*d));
	if (!d) {
		io->ops->close(io);
		return -ENOMEM;
	}
	rc = open_store(io, cfg, &d->store);
	if (rc) {
		io->ops->close(io);
		free(d);
		return rc;
	}
	pthread_mutex_init(&d->lock, NULL);
	d->io = io;
	d->read_only = cfg->read_only;
	*out = d;
	return 0;
}
