/* The driver ABI decoder: see drv_decode.h and docs/protocol-driver.md. */
#include "drv_decode.h"

#include <string.h>

#include "tee_api_defines.h"
#include "wire.h"

#define SHM_FLAGS_VALID 0x3u /* TEEC_MEM_INPUT | TEEC_MEM_OUTPUT */

static int is_memref(uint32_t t)
{
	return t == TEE_PARAM_TYPE_MEMREF_INPUT ||
	       t == TEE_PARAM_TYPE_MEMREF_OUTPUT ||
	       t == TEE_PARAM_TYPE_MEMREF_INOUT;
}

static int is_value(uint32_t t)
{
	return t == TEE_PARAM_TYPE_VALUE_INPUT ||
	       t == TEE_PARAM_TYPE_VALUE_OUTPUT ||
	       t == TEE_PARAM_TYPE_VALUE_INOUT;
}

/* Checks one parameter; *fd_used collects the fd indices it claims. */
static int param_ok(const struct drv_param_req *p, size_t nfds,
		    unsigned *fd_used)
{
	uint32_t t = p->attr & DRV_PARAM_TYPE_MASK;
	uint32_t fl = p->attr & ~DRV_PARAM_TYPE_MASK;

	if (t == TEE_PARAM_TYPE_NONE)
		return !fl && !p->a && !p->b && !p->c;
	if (is_value(t))
		return !fl && p->a <= UINT32_MAX && p->b <= UINT32_MAX && !p->c;
	if (!is_memref(t))
		return 0;
	if (p->a + p->b < p->a) /* offset + size wraps */
		return 0;
	switch (fl) {
	case 0:
		return p->c && p->c <= UINT32_MAX;
	case DRV_PARAM_NULL:
		return !p->a && !p->c;
	case DRV_PARAM_FD:
		if (p->c >= nfds || (*fd_used & (1u << p->c)))
			return 0;
		*fd_used |= 1u << p->c;
		return 1;
	default:
		return 0;
	}
}

static int params_ok(struct wire_rd *r, struct drv_param_req *p, size_t nfds)
{
	unsigned used = 0;
	size_t i;

	for (i = 0; i < DRV_NUM_PARAMS; i++) {
		p[i].attr = wire_get_u32(r);
		if (wire_get_u32(r))
			return 0;
		p[i].a = wire_get_u64(r);
		p[i].b = wire_get_u64(r);
		p[i].c = wire_get_u64(r);
		if (r->short_read || !param_ok(&p[i], nfds, &used))
			return 0;
	}
	/* Every fd that came with the message belongs to a parameter. */
	return used == (1u << nfds) - 1;
}

static int login_ok(uint32_t login, uint32_t gid)
{
	switch (login) {
	case TEE_LOGIN_PUBLIC:
	case TEE_LOGIN_USER:
	case TEE_LOGIN_APPLICATION:
	case TEE_LOGIN_APPLICATION_USER:
		return gid == 0;
	case TEE_LOGIN_GROUP:
	case TEE_LOGIN_APPLICATION_GROUP:
		return 1;
	default:
		return 0;
	}
}

static int decode_shm(struct wire_rd *r, struct drv_req *q, size_t want_fds)
{
	q->u.shm.size = wire_get_u64(r);
	q->u.shm.flags = wire_get_u32(r);
	return !wire_get_u32(r) && q->nfds == want_fds && q->u.shm.size &&
	       !(q->u.shm.flags & ~SHM_FLAGS_VALID);
}

static int decode_open(struct wire_rd *r, struct drv_req *q)
{
	if (!wire_get_bytes(r, q->u.open.uuid, 16))
		return 0;
	q->u.open.login = wire_get_u32(r);
	q->u.open.login_gid = wire_get_u32(r);
	q->u.open.cancel_id = wire_get_u32(r);
	if (wire_get_u32(r))
		return 0;
	return login_ok(q->u.open.login, q->u.open.login_gid) &&
	       params_ok(r, q->u.open.p, q->nfds);
}

static int decode_invoke(struct wire_rd *r, struct drv_req *q)
{
	q->u.invoke.session = wire_get_u32(r);
	q->u.invoke.func = wire_get_u32(r);
	q->u.invoke.cancel_id = wire_get_u32(r);
	if (wire_get_u32(r))
		return 0;
	return params_ok(r, q->u.invoke.p, q->nfds);
}

static int decode_body(struct wire_rd *r, struct drv_req *q)
{
	switch (q->type) {
	case DRV_MSG_VERSION:
		return !q->nfds;
	case DRV_MSG_SHM_ALLOC:
		return decode_shm(r, q, 0);
	case DRV_MSG_SHM_REGISTER:
		return decode_shm(r, q, 1);
	case DRV_MSG_SHM_RELEASE:
		q->u.release.shm_id = wire_get_u32(r);
		return !wire_get_u32(r) && !q->nfds;
	case DRV_MSG_OPEN_SESSION:
		return decode_open(r, q);
	case DRV_MSG_INVOKE:
		return decode_invoke(r, q);
	case DRV_MSG_CANCEL:
		q->u.cancel.session = wire_get_u32(r);
		q->u.cancel.cancel_id = wire_get_u32(r);
		return !q->nfds;
	case DRV_MSG_CLOSE_SESSION:
		q->u.close.session = wire_get_u32(r);
		return !wire_get_u32(r) && !q->nfds;
	default:
		return 0;
	}
}

TEE_Result drv_decode_request(uint32_t type, uint32_t id, const uint8_t *p,
			      size_t len, size_t nfds, struct drv_req *out)
{
	struct wire_rd r = wire_rd_init(p, len);

	memset(out, 0, sizeof(*out));
	out->type = type;
	out->id = id;
	out->nfds = nfds;
	if (type <= IPC_TYPE_DRIVER_BASE || type > DRV_MSG_CLOSE_SESSION)
		return TEE_ERROR_NOT_SUPPORTED;
	if (nfds > DRV_NUM_PARAMS)
		return TEE_ERROR_BAD_PARAMETERS;
	if (!decode_body(&r, out) || !wire_rd_done(&r))
		return TEE_ERROR_BAD_PARAMETERS;
	return TEE_SUCCESS;
}

int drv_req_blocks(uint32_t type)
{
	return type == DRV_MSG_OPEN_SESSION || type == DRV_MSG_INVOKE ||
	       type == DRV_MSG_CLOSE_SESSION;
}
