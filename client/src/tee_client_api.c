/*
 * The GP TEE Client API over teed's driver ABI (tee_client_api.h,
 * docs/protocol-driver.md). Errors found before a request leaves carry
 * TEEC_ORIGIN_API, a broken connection TEEC_ORIGIN_COMMS, and teed's
 * answers their own origin.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bytes.h"
#include "driver_msg.h"
#include "tee_client_api.h"
#include "teec_conn.h"
#include "teec_params.h"
#include "wire.h"

#define EXPORT __attribute__((visibility("default")))

static void set_origin(uint32_t *origin, uint32_t v)
{
	if (origin)
		*origin = v;
}

static const char *socket_path(const char *name, char *buf, size_t cap)
{
	const char *env = getenv("TEESTORE_SOCKET");

	if (name && strchr(name, '/'))
		return name;
	if (env && env[0])
		return env;
	return drv_default_socket_path(buf, cap) ? NULL : buf;
}

EXPORT TEEC_Result TEEC_InitializeContext(const char *name, TEEC_Context *ctx)
{
	char buf[PATH_MAX];
	const char *path;
	TEEC_Result res;
	int fd;

	if (!ctx)
		return TEEC_ERROR_BAD_PARAMETERS;
	memset(ctx, 0, sizeof(*ctx));
	ctx->imp.fd = -1;
	path = socket_path(name, buf, sizeof(buf));
	if (!path)
		return TEEC_ERROR_BAD_PARAMETERS;
	res = teec_conn_open(path, &fd);
	if (res)
		return res;
	ctx->imp.fd = fd;
	ctx->imp.reg_mem = true;
	ctx->imp.memref_null = true;
	return TEEC_SUCCESS;
}

EXPORT void TEEC_FinalizeContext(TEEC_Context *ctx)
{
	if (!ctx)
		return;
	teec_conn_close(ctx->imp.fd);
	ctx->imp.fd = -1;
}

/* Sends a call (OPEN/INVOKE) and applies its reply to op. */
static TEEC_Result do_call(struct teec_conn *c, uint32_t type, uint8_t *buf,
			   struct wire_wr *w, struct teec_marshal *m,
			   TEEC_Operation *op, uint32_t session,
			   uint32_t cancel_id, uint32_t *origin,
			   uint32_t *session_out)
{
	struct teec_reply rep;
	TEEC_Result res;

	res = teec_conn_call(c, type, buf, w->len, m->fds, m->nfds, op, session,
			     cancel_id, &rep);
	if (res) {
		teec_params_release(m);
		set_origin(origin, TEEC_ORIGIN_COMMS);
		return res;
	}
	if (rep.fd >= 0)
		close(rep.fd);
	if (rep.type == DRV_MSG_ERROR || rep.len != DRV_REP_CALL_LEN) {
		teec_params_release(m);
		set_origin(origin, rep.len >= 8 ? get_le32(rep.buf + 4)
						: TEEC_ORIGIN_COMMS);
		return rep.len >= 8 ? get_le32(rep.buf)
				    : TEEC_ERROR_COMMUNICATION;
	}
	teec_params_unpack(op, rep.buf + 16, m);
	if (session_out)
		*session_out = get_le32(rep.buf + 8);
	set_origin(origin, get_le32(rep.buf + 4));
	return get_le32(rep.buf);
}

static uint32_t login_gid(uint32_t method, const void *data, TEEC_Result *res)
{
	*res = TEEC_SUCCESS;
	if (method != TEEC_LOGIN_GROUP &&
	    method != TEEC_LOGIN_GROUP_APPLICATION)
		return 0;
	if (!data) {
		*res = TEEC_ERROR_BAD_PARAMETERS;
		return 0;
	}
	return *(const uint32_t *)data;
}

EXPORT TEEC_Result TEEC_OpenSession(TEEC_Context *ctx, TEEC_Session *session,
				    const TEEC_UUID *dest, uint32_t method,
				    const void *data, TEEC_Operation *op,
				    uint32_t *origin)
{
	uint8_t buf[DRV_REQ_OPEN_LEN], *u;
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));
	struct teec_marshal m;
	struct teec_conn *c;
	uint32_t gid, cancel_id, sid = 0;
	TEEC_Result res;

	set_origin(origin, TEEC_ORIGIN_API);
	if (!ctx || !session || !dest)
		return TEEC_ERROR_BAD_PARAMETERS;
	gid = login_gid(method, data, &res);
	if (res)
		return res;
	c = teec_conn_get(ctx->imp.fd);
	if (!c)
		return TEEC_ERROR_BAD_STATE;
	cancel_id = teec_conn_cancel_id(c);
	u = wire_wr_reserve(&w, 16);
	put_be32(u, dest->timeLow);
	put_be16(u + 4, dest->timeMid);
	put_be16(u + 6, dest->timeHiAndVersion);
	memcpy(u + 8, dest->clockSeqAndNode, 8);
	wire_put_u32(&w, method);
	wire_put_u32(&w, gid);
	wire_put_u32(&w, cancel_id);
	wire_put_u32(&w, 0);
	res = teec_params_pack(ctx->imp.fd, op, &w, &m);
	if (res) {
		teec_conn_put(c);
		return res;
	}
	session->imp.ctx = ctx;
	session->imp.session_id = 0;
	if (op) {
		op->imp.session = session;
		op->started = 1;
	}
	res = do_call(c, DRV_MSG_OPEN_SESSION, buf, &w, &m, op, 0, cancel_id,
		      origin, &sid);
	if (!res)
		session->imp.session_id = sid;
	teec_conn_put(c);
	return res;
}

EXPORT void TEEC_CloseSession(TEEC_Session *session)
{
	uint8_t p[DRV_REQ_CLOSE_LEN];
	struct teec_reply rep;
	struct teec_conn *c;

	if (!session || !session->imp.ctx)
		return;
	c = teec_conn_get(session->imp.ctx->imp.fd);
	if (!c)
		return;
	put_le32(p, session->imp.session_id);
	put_le32(p + 4, 0);
	if (!teec_conn_call(c, DRV_MSG_CLOSE_SESSION, p, sizeof(p), NULL, 0,
			    NULL, 0, 0, &rep) &&
	    rep.fd >= 0)
		close(rep.fd);
	teec_conn_put(c);
}

EXPORT TEEC_Result TEEC_InvokeCommand(TEEC_Session *session, uint32_t cmd,
				      TEEC_Operation *op, uint32_t *origin)
{
	uint8_t buf[DRV_REQ_INVOKE_LEN];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));
	struct teec_marshal m;
	struct teec_conn *c;
	uint32_t cancel_id, sid;
	TEEC_Result res;

	set_origin(origin, TEEC_ORIGIN_API);
	if (!session || !session->imp.ctx)
		return TEEC_ERROR_BAD_PARAMETERS;
	c = teec_conn_get(session->imp.ctx->imp.fd);
	if (!c)
		return TEEC_ERROR_BAD_STATE;
	sid = session->imp.session_id;
	cancel_id = teec_conn_cancel_id(c);
	wire_put_u32(&w, sid);
	wire_put_u32(&w, cmd);
	wire_put_u32(&w, cancel_id);
	wire_put_u32(&w, 0);
	res = teec_params_pack(session->imp.ctx->imp.fd, op, &w, &m);
	if (res) {
		teec_conn_put(c);
		return res;
	}
	if (op) {
		op->imp.session = session;
		op->started = 1;
	}
	res = do_call(c, DRV_MSG_INVOKE, buf, &w, &m, op, sid, cancel_id,
		      origin, NULL);
	teec_conn_put(c);
	return res;
}

EXPORT void TEEC_RequestCancellation(TEEC_Operation *op)
{
	if (op)
		teec_conn_cancel(op);
}

/* SHM_ALLOC or SHM_REGISTER; fills id (and *fd_out for ALLOC). */
static TEEC_Result shm_request(int ctx_fd, uint32_t type, uint64_t size,
			       uint32_t flags, int reg_fd, uint32_t *id,
			       int *fd_out)
{
	uint8_t p[DRV_REQ_SHM_LEN];
	struct teec_reply rep;
	struct teec_conn *c = teec_conn_get(ctx_fd);
	TEEC_Result res;

	if (!c)
		return TEEC_ERROR_BAD_STATE;
	put_le64(p, size);
	put_le32(p + 8, flags);
	put_le32(p + 12, 0);
	res = teec_conn_call(c, type, p, sizeof(p), &reg_fd, reg_fd >= 0, NULL,
			     0, 0, &rep);
	teec_conn_put(c);
	if (res)
		return res;
	if (rep.len < 8) {
		res = TEEC_ERROR_COMMUNICATION;
	} else {
		res = get_le32(rep.buf);
		if (!res && rep.len < 16)
			res = TEEC_ERROR_COMMUNICATION;
	}
	if (!res && type == DRV_MSG_SHM_ALLOC && rep.fd < 0)
		res = TEEC_ERROR_COMMUNICATION;
	if (res) {
		if (rep.fd >= 0)
			close(rep.fd);
		return res;
	}
	*id = get_le32(rep.buf + 8);
	if (fd_out)
		*fd_out = rep.fd;
	else if (rep.fd >= 0)
		close(rep.fd);
	return TEEC_SUCCESS;
}

static void shm_release_id(int ctx_fd, uint32_t id)
{
	uint8_t p[DRV_REQ_RELEASE_LEN];
	struct teec_reply rep;
	struct teec_conn *c = teec_conn_get(ctx_fd);

	if (!c)
		return;
	put_le32(p, id);
	put_le32(p + 4, 0);
	if (!teec_conn_call(c, DRV_MSG_SHM_RELEASE, p, sizeof(p), NULL, 0, NULL,
			    0, 0, &rep) &&
	    rep.fd >= 0)
		close(rep.fd);
	teec_conn_put(c);
}

static bool shm_args_ok(TEEC_Context *ctx, TEEC_SharedMemory *shm)
{
	return ctx && shm &&
	       !(shm->flags & ~(uint32_t)(TEEC_MEM_INPUT | TEEC_MEM_OUTPUT));
}

EXPORT TEEC_Result TEEC_AllocateSharedMemory(TEEC_Context *ctx,
					     TEEC_SharedMemory *shm)
{
	size_t size;
	uint32_t id;
	void *p;
	int fd = -1;
	TEEC_Result res;

	if (!shm_args_ok(ctx, shm))
		return TEEC_ERROR_BAD_PARAMETERS;
	size = shm->size ? shm->size : 8; /* a zero-size block still maps */
	res = shm_request(ctx->imp.fd, DRV_MSG_SHM_ALLOC, size, shm->flags, -1,
			  &id, &fd);
	if (res)
		return res;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		shm_release_id(ctx->imp.fd, id);
		return TEEC_ERROR_OUT_OF_MEMORY;
	}
	shm->buffer = p;
	shm->imp.id = (int)id;
	shm->imp.alloced_size = size;
	shm->imp.shadow_buffer = NULL;
	shm->imp.registered_fd = ctx->imp.fd;
	shm->imp.flags = TEEC_SHM_ALLOCATED;
	return TEEC_SUCCESS;
}

EXPORT TEEC_Result TEEC_RegisterSharedMemory(TEEC_Context *ctx,
					     TEEC_SharedMemory *shm)
{
	size_t size;
	uint32_t id;
	void *p;
	int fd;
	TEEC_Result res;

	if (!shm_args_ok(ctx, shm) || (!shm->buffer && shm->size))
		return TEEC_ERROR_BAD_PARAMETERS;
	size = shm->size ? shm->size : 8;
	fd = teec_memfd(size);
	if (fd < 0)
		return TEEC_ERROR_OUT_OF_MEMORY;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return TEEC_ERROR_OUT_OF_MEMORY;
	}
	res = shm_request(ctx->imp.fd, DRV_MSG_SHM_REGISTER, size, shm->flags,
			  fd, &id, NULL);
	close(fd);
	if (res) {
		munmap(p, size);
		return res;
	}
	shm->imp.id = (int)id;
	shm->imp.alloced_size = size;
	shm->imp.shadow_buffer = p;
	shm->imp.registered_fd = ctx->imp.fd;
	shm->imp.flags = TEEC_SHM_REGISTERED;
	return TEEC_SUCCESS;
}

EXPORT void TEEC_ReleaseSharedMemory(TEEC_SharedMemory *shm)
{
	if (!shm || !shm->imp.flags)
		return;
	shm_release_id(shm->imp.registered_fd, (uint32_t)shm->imp.id);
	if (shm->imp.flags & TEEC_SHM_ALLOCATED) {
		munmap(shm->buffer, shm->imp.alloced_size);
		shm->buffer = NULL;
		shm->size = 0;
	} else {
		munmap(shm->imp.shadow_buffer, shm->imp.alloced_size);
	}
	shm->imp.shadow_buffer = NULL;
	shm->imp.alloced_size = 0;
	shm->imp.id = 0;
	shm->imp.flags = 0;
	shm->imp.registered_fd = -1;
}
