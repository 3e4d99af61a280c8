/* The request decoder: see suppl_req.h and docs/protocol-supplicant.md. */
#include "suppl_req.h"

#include <string.h>

#include "suppl_name.h"
#include "wire.h"

/* True when [off, off + len) lies inside a window of shm_size bytes. */
static bool shm_range_ok(uint64_t off, uint64_t len, size_t shm_size)
{
	return off <= shm_size && len <= shm_size - off;
}

/* Reads namelen bytes into out as a C string; false unless valid. */
static bool get_name(struct wire_rd *r, uint32_t namelen, char *out)
{
	const uint8_t *p;

	if (namelen > SUPPL_NAME_MAX)
		return false;
	p = wire_get_ptr(r, namelen);
	if (!p || !suppl_name_valid((const char *)p, namelen))
		return false;
	memcpy(out, p, namelen);
	out[namelen] = '\0';
	return true;
}

static bool decode_op(struct wire_rd *r, size_t shm_size,
		      struct suppl_op_desc *op)
{
	op->type = wire_get_u32(r);
	op->fh = wire_get_u32(r);
	op->off = wire_get_u64(r);
	op->len = wire_get_u32(r);
	op->shm_off = wire_get_u32(r);
	switch (op->type) {
	case SUPPL_OP_READ:
	case SUPPL_OP_WRITE:
		return shm_range_ok(op->shm_off, op->len, shm_size);
	case SUPPL_OP_TRUNCATE:
	case SUPPL_OP_SYNC:
	case SUPPL_OP_SYNC_DIR:
		return op->len == 0 && op->shm_off == 0;
	default:
		return false;
	}
}

static bool decode_submit(struct wire_rd *r, size_t shm_size,
			  struct suppl_req *req)
{
	uint32_t i;

	req->nops = wire_get_u32(r);
	if (req->nops == 0 || req->nops > SUPPL_MAX_OPS)
		return false;
	/* The length check first, so a huge count costs nothing. */
	if (wire_rd_left(r) != (size_t)req->nops * SUPPL_OP_DESC_SIZE)
		return false;
	for (i = 0; i < req->nops; i++)
		if (!decode_op(r, shm_size, &req->ops[i]))
			return false;
	return true;
}

static TEE_Result decode_fs(struct wire_rd *r, size_t shm_size,
			    struct suppl_req *req)
{
	bool ok;

	req->cmd = wire_get_u32(r);
	switch (req->cmd) {
	case SUPPL_FS_OPEN:
	case SUPPL_FS_CREATE:
	case SUPPL_FS_REMOVE:
		ok = get_name(r, wire_get_u32(r), req->name);
		break;
	case SUPPL_FS_OPENDIR:
		/* One flat directory: only its root, the empty name. */
		ok = wire_get_u32(r) == 0;
		break;
	case SUPPL_FS_CLOSE:
	case SUPPL_FS_CLOSEDIR:
	case SUPPL_FS_READDIR:
		req->handle = wire_get_u32(r);
		ok = true;
		break;
	case SUPPL_FS_READDIR_BULK:
		req->handle = wire_get_u32(r);
		req->len = wire_get_u32(r);
		/* Room for at least one name, or a full batch would read as the
		 * end. */
		ok = req->len > SUPPL_NAME_MAX && req->len <= shm_size;
		break;
	case SUPPL_FS_READ:
	case SUPPL_FS_WRITE:
		req->handle = wire_get_u32(r);
		req->off = wire_get_u64(r);
		req->len = wire_get_u32(r);
		req->shm_off = wire_get_u32(r);
		ok = shm_range_ok(req->shm_off, req->len, shm_size);
		break;
	case SUPPL_FS_TRUNCATE:
		req->handle = wire_get_u32(r);
		req->off = wire_get_u64(r);
		ok = true;
		break;
	case SUPPL_FS_RENAME: {
		uint32_t fromlen, tolen;

		req->overwrite = wire_get_u32(r);
		fromlen = wire_get_u32(r);
		tolen = wire_get_u32(r);
		ok = req->overwrite <= 1 && get_name(r, fromlen, req->name) &&
		     get_name(r, tolen, req->name2);
		break;
	}
	case SUPPL_FS_SUBMIT:
		ok = decode_submit(r, shm_size, req);
		break;
	default:
		return r->short_read ? TEE_ERROR_BAD_PARAMETERS
				     : TEE_ERROR_NOT_SUPPORTED;
	}
	return ok && wire_rd_done(r) ? TEE_SUCCESS : TEE_ERROR_BAD_PARAMETERS;
}

static TEE_Result decode_rpmb(struct wire_rd *r, size_t shm_size,
			      struct suppl_req *req)
{
	uint64_t frames;

	req->cmd = wire_get_u32(r);
	req->dev_id = wire_get_u32(r);
	req->nreq = wire_get_u32(r);
	req->nresp = wire_get_u32(r);
	if (!wire_rd_done(r))
		return TEE_ERROR_BAD_PARAMETERS;
	switch (req->cmd) {
	case SUPPL_RPMB_CMD_INFO:
		return req->nreq == 0 && req->nresp == 0
			   ? TEE_SUCCESS
			   : TEE_ERROR_BAD_PARAMETERS;
	case SUPPL_RPMB_CMD_DATA:
		frames = (uint64_t)req->nreq + req->nresp;
		if (req->nreq == 0 || req->nresp == 0 ||
		    frames > shm_size / SUPPL_RPMB_FRAME)
			return TEE_ERROR_BAD_PARAMETERS;
		return TEE_SUCCESS;
	default:
		return TEE_ERROR_NOT_SUPPORTED;
	}
}

TEE_Result suppl_req_decode(uint32_t type, const uint8_t *buf, size_t len,
			    size_t shm_size, struct suppl_req *req)
{
	struct wire_rd r = wire_rd_init(buf, len);

	memset(req, 0, offsetof(struct suppl_req, ops));
	req->type = type;
	switch (type) {
	case SUPPL_MSG_FS:
		return decode_fs(&r, shm_size, req);
	case SUPPL_MSG_RPMB:
		return decode_rpmb(&r, shm_size, req);
	default:
		return TEE_ERROR_NOT_SUPPORTED;
	}
}
