/*
 * Serving teed: one request at a time (the TA is single-threaded, teed
 * serialises calls), each answered by one REPLY. Entry points run on the
 * TA's stack (stack.c).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "runtime.h"

enum entry_kind { E_CREATE, E_DESTROY, E_OPEN, E_CLOSE, E_INVOKE };

struct entry_call {
	enum entry_kind kind;
	struct rt_session *s;
	uint32_t cmd, types;
	TEE_Param *params;
	TEE_Result res;
};

static uint8_t req_buf[IPC_MAX_PAYLOAD];

static void run_entry(void *arg)
{
	struct entry_call *c = arg;

	switch (c->kind) {
	case E_CREATE:
		c->res = rt.create();
		break;
	case E_DESTROY:
		rt.destroy();
		break;
	case E_OPEN:
		c->res = rt.open(c->types, c->params, &c->s->ctx);
		break;
	case E_CLOSE:
		rt.close(c->s->ctx);
		break;
	case E_INVOKE:
		c->res = rt.invoke(c->s->ctx, c->cmd, c->types, c->params);
		break;
	}
}

static TEE_Result call_entry(struct entry_call *c, uint32_t req_id,
			     bool cancelled)
{
	rt.in_call = true;
	rt.req_id = req_id;
	rt.cancel_flag = cancelled;
	rt.cur = c->s;
	c->res = TEE_SUCCESS;
	rt_stack_run(run_entry, c);
	rt.in_call = false;
	rt.cur = NULL;
	return c->res;
}

static void reply(uint32_t id, TEE_Result res, uint32_t origin,
		  const struct ta_msg_param_out out[TEE_NUM_PARAMS])
{
	static const struct ta_msg_param_out none[TEE_NUM_PARAMS];
	uint8_t buf[128];
	int n = ta_msg_encode_reply(buf, sizeof(buf), res, origin,
				    out ? out : none);

	if (n < 0 ||
	    ipc_send(rt.sock, TA_MSG_REPLY, id, buf, (size_t)n, NULL, 0))
		rt_die_proto("cannot send a reply");
}

/* Applies evictions and new mappings, then builds the TEE_Params. */
static void params_in(const struct ta_msg_req *r, struct ipc_msg *m,
		      TEE_Param params[TEE_NUM_PARAMS])
{
	size_t i, fdi = 0;

	for (i = 0; i < r->nevict; i++)
		rt_shm_evict(r->evict[i]);
	memset(params, 0, sizeof(TEE_Param) * TEE_NUM_PARAMS);
	for (i = 0; i < TEE_NUM_PARAMS; i++) {
		const struct ta_msg_param *p = &r->p[i];
		struct rt_shm *s;

		if (p->type == TEE_PARAM_TYPE_NONE)
			continue;
		if (p->type <= TEE_PARAM_TYPE_VALUE_INOUT) {
			params[i].value.a = p->a;
			params[i].value.b = p->b;
			continue;
		}
		params[i].memref.size = (size_t)p->size;
		if (p->flags & TA_PARAM_F_NULL)
			continue;
		if (p->flags & TA_PARAM_F_NEWFD) {
			int fd = m->fds[fdi];

			m->fds[fdi++] = -1;
			if (rt_shm_add(p->key, fd, p->shm_size))
				rt_die_proto("cannot map shared memory");
		}
		s = rt_shm_find(p->key);
		if (!s || s->size != p->shm_size)
			rt_die_proto("memref to an unknown shm key");
		params[i].memref.buffer = s->addr + p->offs;
	}
	m->nfds = 0;
}

static void params_out(const struct ta_msg_req *r,
		       const TEE_Param params[TEE_NUM_PARAMS],
		       struct ta_msg_param_out out[TEE_NUM_PARAMS])
{
	size_t i;

	memset(out, 0, sizeof(*out) * TEE_NUM_PARAMS);
	for (i = 0; i < TEE_NUM_PARAMS; i++) {
		uint32_t t = r->p[i].type;

		if (t == TEE_PARAM_TYPE_VALUE_OUTPUT ||
		    t == TEE_PARAM_TYPE_VALUE_INOUT) {
			out[i].a = params[i].value.a;
			out[i].b = params[i].value.b;
		} else if (t >= TEE_PARAM_TYPE_MEMREF_INPUT) {
			out[i].size = params[i].memref.size;
		}
	}
}

static struct rt_session *session_find(uint32_t id)
{
	size_t i;

	for (i = 0; i < RT_MAX_SESSIONS; i++)
		if (rt.sessions[i].used && rt.sessions[i].id == id)
			return &rt.sessions[i];
	return NULL;
}

static struct rt_session *session_new(uint32_t id)
{
	size_t i;

	if (session_find(id))
		rt_die_proto("session id reused");
	for (i = 0; i < RT_MAX_SESSIONS; i++)
		if (!rt.sessions[i].used) {
			memset(&rt.sessions[i], 0, sizeof(rt.sessions[i]));
			rt.sessions[i].id = id;
			/* OP-TEE: cancellation starts masked per session. */
			rt.sessions[i].cancel_masked = true;
			return &rt.sessions[i];
		}
	return NULL;
}

static void serve_call(const struct ta_msg_req *r, struct ipc_msg *m)
{
	struct ta_msg_param_out out[TEE_NUM_PARAMS];
	TEE_Param params[TEE_NUM_PARAMS];
	struct entry_call c = {.types = r->param_types, .params = params};
	TEE_Result res;

	params_in(r, m, params);
	if (r->type == TA_MSG_OPEN_SESSION) {
		c.kind = E_OPEN;
		c.s = session_new(r->session);
		if (!c.s) {
			reply(m->hdr.id, TEE_ERROR_OUT_OF_MEMORY,
			      TEE_ORIGIN_TEE, NULL);
			return;
		}
		c.s->client = r->client;
	} else {
		c.kind = E_INVOKE;
		c.cmd = r->cmd;
		c.s = session_find(r->session);
		if (!c.s)
			rt_die_proto("invoke on an unknown session");
	}
	res = call_entry(&c, m->hdr.id, r->cancelled);
	if (r->type == TA_MSG_OPEN_SESSION && res)
		c.s->used = false;
	else
		c.s->used = true;
	params_out(r, params, out);
	reply(m->hdr.id, res, TEE_ORIGIN_TRUSTED_APP, out);
}

static void serve_one(struct ipc_msg *m)
{
	struct entry_call c = {.kind = E_CREATE};
	struct ta_msg_req r;

	if (ta_msg_decode_to_ta(m, &r))
		rt_die_proto("malformed request");
	switch (r.type) {
	case TA_MSG_OPEN_SESSION:
	case TA_MSG_INVOKE:
		serve_call(&r, m);
		return;
	case TA_MSG_CREATE:
		reply(m->hdr.id, call_entry(&c, m->hdr.id, false),
		      TEE_ORIGIN_TRUSTED_APP, NULL);
		return;
	case TA_MSG_CLOSE_SESSION:
		c.kind = E_CLOSE;
		c.s = session_find(r.session);
		if (!c.s)
			rt_die_proto("close of an unknown session");
		call_entry(&c, m->hdr.id, false);
		c.s->used = false;
		reply(m->hdr.id, TEE_SUCCESS, TEE_ORIGIN_TEE, NULL);
		return;
	case TA_MSG_DESTROY:
		c.kind = E_DESTROY;
		call_entry(&c, m->hdr.id, false);
		reply(m->hdr.id, TEE_SUCCESS, TEE_ORIGIN_TEE, NULL);
		_exit(RT_EXIT_OK);
	case TA_MSG_CANCEL:
		return; /* for a call that has already answered */
	case TA_MSG_BULK:
		rt_bulk_map(m->fds[0], r.bulk_size);
		m->fds[0] = -1;
		m->nfds = 0;
		return;
	default:
		rt_die_proto("unexpected request");
	}
}

void rt_serve(void)
{
	struct ipc_msg m;
	int rc;

	for (;;) {
		rc = ipc_recv(rt.sock, &m, req_buf, sizeof(req_buf));
		if (rc == -ECONNRESET)
			_exit(RT_EXIT_OK); /* teed is gone: so are we */
		if (rc)
			rt_die_proto("receive failed");
		serve_one(&m);
		ipc_msg_close_fds(&m);
	}
}
