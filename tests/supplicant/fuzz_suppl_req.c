/*
 * libFuzzer target for tee-supplicant's request decoder (suppl_req.c).
 * Input: byte 0 picks the message type (even: FS, odd: RPMB), bytes 1-2
 * (LE) pick the window size in KiB (clamped to the protocol's bounds), the
 * rest is the payload. A request the decoder accepts must satisfy
 * everything the file service relies on without checking again.
 */
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "suppl_name.h"
#include "suppl_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const char *name)
{
	if (!suppl_name_valid(name, strnlen(name, SUPPL_NAME_MAX + 1)))
		abort();
}

static void check_range(uint64_t off, uint64_t len, size_t shm)
{
	if (off > shm || len > shm - off)
		abort();
}

static void check_fs(const struct suppl_req *r, size_t shm)
{
	uint32_t i;

	switch (r->cmd) {
	case SUPPL_FS_OPEN:
	case SUPPL_FS_CREATE:
	case SUPPL_FS_REMOVE:
		check_name(r->name);
		break;
	case SUPPL_FS_RENAME:
		check_name(r->name);
		check_name(r->name2);
		break;
	case SUPPL_FS_READ:
	case SUPPL_FS_WRITE:
		check_range(r->shm_off, r->len, shm);
		break;
	case SUPPL_FS_READDIR_BULK:
		if (r->len <= SUPPL_NAME_MAX || r->len > shm)
			abort();
		break;
	case SUPPL_FS_SUBMIT:
		if (r->nops == 0 || r->nops > SUPPL_MAX_OPS)
			abort();
		for (i = 0; i < r->nops; i++) {
			if (r->ops[i].type < SUPPL_OP_READ ||
			    r->ops[i].type > SUPPL_OP_SYNC_DIR)
				abort();
			check_range(r->ops[i].shm_off, r->ops[i].len, shm);
		}
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct suppl_req req;
	uint32_t type;
	size_t shm;

	if (size < 3)
		return 0;
	type = (data[0] & 1) ? SUPPL_MSG_RPMB : SUPPL_MSG_FS;
	shm = (size_t)get_le16(data + 1) * 1024;
	if (shm < SUPPL_SHM_MIN)
		shm = SUPPL_SHM_MIN;
	if (suppl_req_decode(type, data + 3, size - 3, shm, &req) !=
	    TEE_SUCCESS)
		return 0;
	if (type == SUPPL_MSG_FS)
		check_fs(&req, shm);
	else if (req.cmd == SUPPL_RPMB_CMD_DATA &&
		 ((uint64_t)req.nreq + req.nresp) * SUPPL_RPMB_FRAME > shm)
		abort();
	return 0;
}
