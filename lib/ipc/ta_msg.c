/* The TA channel's encoders and decoders: see ta_msg.h, docs/protocol-ta.md */
#include "ta_msg.h"

#include <errno.h>
#include <string.h>

#include "uuid.h"
#include "wire.h"

#define PARAM_WIRE_SIZE 40

static bool param_type_valid(uint32_t t)
{
	return t <= TEE_PARAM_TYPE_VALUE_INOUT ||
	       (t >= TEE_PARAM_TYPE_MEMREF_INPUT &&
		t <= TEE_PARAM_TYPE_MEMREF_INOUT);
}

static bool param_is_memref(uint32_t t)
{
	return t >= TEE_PARAM_TYPE_MEMREF_INPUT;
}

static void put_uuid(struct wire_wr *w, const TEE_UUID *u)
{
	uint8_t o[16];

	uuid_to_octets(u, o);
	wire_put_bytes(w, o, sizeof(o));
}

static void get_uuid(struct wire_rd *r, TEE_UUID *u)
{
	uint8_t o[16] = {0};

	wire_get_bytes(r, o, sizeof(o));
	uuid_from_octets(o, u);
}

static int finish(const struct wire_wr *w)
{
	return w->overflow ? -EMSGSIZE : (int)w->len;
}

int ta_msg_encode_props(void *buf, size_t cap, const struct ta_msg_props *p)
{
	struct wire_wr w = wire_wr_init(buf, cap);

	wire_put_u32(&w, p->load_result);
	put_uuid(&w, &p->uuid);
	wire_put_u32(&w, p->flags);
	wire_put_u32(&w, p->stack_size);
	wire_put_u32(&w, p->data_size);
	return finish(&w);
}

int ta_msg_encode_reply(void *buf, size_t cap, TEE_Result res, uint32_t origin,
			const struct ta_msg_param_out p[TEE_NUM_PARAMS])
{
	struct wire_wr w = wire_wr_init(buf, cap);
	size_t i;

	wire_put_u32(&w, res);
	wire_put_u32(&w, origin);
	for (i = 0; i < TEE_NUM_PARAMS; i++) {
		wire_put_u32(&w, p[i].a);
		wire_put_u32(&w, p[i].b);
		wire_put_u64(&w, p[i].size);
	}
	return finish(&w);
}

int ta_msg_encode_call(void *buf, size_t cap, uint32_t session, uint32_t cmd,
		       bool cancelled, const TEE_Identity *client,
		       const uint32_t *evict, uint32_t nevict,
		       uint32_t param_types,
		       const struct ta_msg_param p[TEE_NUM_PARAMS])
{
	struct wire_wr w = wire_wr_init(buf, cap);
	uint32_t i;

	if (nevict > TA_MSG_MAX_EVICT)
		return -EMSGSIZE;
	wire_put_u32(&w, session);
	wire_put_u32(&w, cmd);
	wire_put_u32(&w, cancelled ? 1 : 0);
	if (client) {
		wire_put_u32(&w, client->login);
		put_uuid(&w, &client->uuid);
	}
	wire_put_u32(&w, nevict);
	for (i = 0; i < nevict; i++)
		wire_put_u32(&w, evict[i]);
	wire_put_u32(&w, param_types);
	for (i = 0; i < TEE_NUM_PARAMS; i++) {
		wire_put_u32(&w, p[i].flags);
		wire_put_u32(&w, p[i].a);
		wire_put_u32(&w, p[i].b);
		wire_put_u32(&w, p[i].key);
		wire_put_u64(&w, p[i].offs);
		wire_put_u64(&w, p[i].size);
		wire_put_u64(&w, p[i].shm_size);
	}
	return finish(&w);
}

int ta_msg_encode_u32(void *buf, size_t cap, uint32_t v)
{
	struct wire_wr w = wire_wr_init(buf, cap);

	wire_put_u32(&w, v);
	return finish(&w);
}

int ta_msg_encode_syscall(void *buf, size_t cap, uint32_t nr, const void *args,
			  size_t len)
{
	struct wire_wr w = wire_wr_init(buf, cap);

	if (len > TA_MSG_MAX_SYS_ARGS)
		return -EMSGSIZE;
	wire_put_u32(&w, nr);
	wire_put_bytes(&w, args, len);
	return finish(&w);
}

int ta_msg_encode_sys_reply(void *buf, size_t cap, TEE_Result res,
			    const void *data, size_t len)
{
	struct wire_wr w = wire_wr_init(buf, cap);

	if (len > TA_MSG_MAX_SYS_ARGS)
		return -EMSGSIZE;
	wire_put_u32(&w, res);
	wire_put_bytes(&w, data, len);
	return finish(&w);
}

/* ---- teed side: everything a TA process may send ---- */

static bool props_valid(const struct ta_msg_props *p)
{
	if (p->load_result)
		return true; /* the other fields are meaningless */
	return p->stack_size <= TA_MSG_MAX_STACK_SIZE &&
	       p->data_size <= TA_MSG_MAX_DATA_SIZE;
}

int ta_msg_decode_from_ta(const struct ipc_msg *m, struct ta_msg_from_ta *out)
{
	struct wire_rd r = wire_rd_init(m->payload, m->hdr.len);
	size_t i;

	memset(out, 0, sizeof(*out));
	out->type = m->hdr.type;
	if (m->nfds)
		return -EBADMSG;
	switch (m->hdr.type) {
	case TA_MSG_PROPS:
		out->props.load_result = wire_get_u32(&r);
		get_uuid(&r, &out->props.uuid);
		out->props.flags = wire_get_u32(&r);
		out->props.stack_size = wire_get_u32(&r);
		out->props.data_size = wire_get_u32(&r);
		if (!wire_rd_done(&r) || !props_valid(&out->props))
			return -EBADMSG;
		return 0;
	case TA_MSG_REPLY:
		out->result = wire_get_u32(&r);
		out->origin = wire_get_u32(&r);
		for (i = 0; i < TEE_NUM_PARAMS; i++) {
			out->p[i].a = wire_get_u32(&r);
			out->p[i].b = wire_get_u32(&r);
			out->p[i].size = wire_get_u64(&r);
		}
		if (!wire_rd_done(&r) || out->origin < TEE_ORIGIN_API ||
		    out->origin > TEE_ORIGIN_TRUSTED_APP)
			return -EBADMSG;
		return 0;
	case TA_MSG_SYSCALL:
		out->sys_nr = wire_get_u32(&r);
		out->sys_len = wire_rd_left(&r);
		out->sys_args = wire_get_ptr(&r, out->sys_len);
		return wire_rd_done(&r) ? 0 : -EBADMSG;
	case TA_MSG_PANIC:
		out->panic_code = wire_get_u32(&r);
		return wire_rd_done(&r) ? 0 : -EBADMSG;
	default:
		return -EBADMSG;
	}
}

/* ---- TA side: teed's requests ---- */

static bool param_valid(const struct ta_msg_param *p)
{
	if (!param_is_memref(p->type))
		return !p->flags && !p->key && !p->offs && !p->size &&
		       !p->shm_size &&
		       (p->type != TEE_PARAM_TYPE_NONE || (!p->a && !p->b));
	if (p->a || p->b || (p->flags & ~TA_PARAM_F_ALL))
		return false;
	if (p->flags & TA_PARAM_F_NULL)
		return !(p->flags & TA_PARAM_F_NEWFD) && !p->key && !p->offs &&
		       !p->shm_size;
	if (p->shm_size > SIZE_MAX || p->offs > p->shm_size ||
	    p->size > p->shm_size - p->offs)
		return false;
	return true;
}

static int decode_call(struct wire_rd *r, const struct ipc_msg *m,
		       struct ta_msg_req *out)
{
	uint32_t i, c;

	out->session = wire_get_u32(r);
	out->cmd = wire_get_u32(r);
	c = wire_get_u32(r);
	if (c > 1)
		return -EBADMSG;
	out->cancelled = c;
	if (m->hdr.type == TA_MSG_OPEN_SESSION) {
		out->client.login = wire_get_u32(r);
		get_uuid(r, &out->client.uuid);
	}
	out->nevict = wire_get_u32(r);
	if (out->nevict > TA_MSG_MAX_EVICT)
		return -EBADMSG;
	for (i = 0; i < out->nevict; i++)
		out->evict[i] = wire_get_u32(r);
	out->param_types = wire_get_u32(r);
	if (out->param_types >> 16)
		return -EBADMSG;
	for (i = 0; i < TEE_NUM_PARAMS; i++) {
		struct ta_msg_param *p = &out->p[i];

		p->type = TEE_PARAM_TYPE_GET(out->param_types, i);
		p->flags = wire_get_u32(r);
		p->a = wire_get_u32(r);
		p->b = wire_get_u32(r);
		p->key = wire_get_u32(r);
		p->offs = wire_get_u64(r);
		p->size = wire_get_u64(r);
		p->shm_size = wire_get_u64(r);
		if (!param_type_valid(p->type) || !param_valid(p))
			return -EBADMSG;
		if (p->flags & TA_PARAM_F_NEWFD)
			out->nnewfd++;
	}
	if (!wire_rd_done(r) || out->nnewfd != m->nfds)
		return -EBADMSG;
	return 0;
}

int ta_msg_decode_to_ta(const struct ipc_msg *m, struct ta_msg_req *out)
{
	struct wire_rd r = wire_rd_init(m->payload, m->hdr.len);

	memset(out, 0, sizeof(*out));
	out->type = m->hdr.type;
	switch (m->hdr.type) {
	case TA_MSG_OPEN_SESSION:
	case TA_MSG_INVOKE:
		return decode_call(&r, m, out);
	default:
		break;
	}
	if (m->nfds)
		return -EBADMSG;
	switch (m->hdr.type) {
	case TA_MSG_CREATE:
	case TA_MSG_DESTROY:
		return wire_rd_done(&r) ? 0 : -EBADMSG;
	case TA_MSG_CLOSE_SESSION:
		out->session = wire_get_u32(&r);
		return wire_rd_done(&r) ? 0 : -EBADMSG;
	case TA_MSG_CANCEL:
		out->cancel_req = wire_get_u32(&r);
		return wire_rd_done(&r) ? 0 : -EBADMSG;
	case TA_MSG_SYSCALL_REPLY:
		out->sys_result = wire_get_u32(&r);
		out->sys_len = wire_rd_left(&r);
		out->sys_data = wire_get_ptr(&r, out->sys_len);
		return wire_rd_done(&r) ? 0 : -EBADMSG;
	default:
		return -EBADMSG;
	}
}
