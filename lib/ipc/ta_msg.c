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
	case TA_MSG_BULK:
		out->bulk_size = wire_get_u32(&r);
		if (m->nfds != 1 || out->bulk_size < TA_MSG_BULK_MIN ||
		    out->bulk_size > TA_MSG_BULK_MAX)
			return -EBADMSG;
		return wire_rd_done(&r) ? 0 : -EBADMSG;
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

/* ---- trusted storage syscalls (docs/gp-storage-ta.md) ---- */

/* The fields of a storage syscall, in wire order. */
enum st_field {
	F_END,
	F_HANDLE,  /* u32 handle */
	F_STORAGE, /* u32 storage_id */
	F_FLAGS,   /* u32 flags */
	F_VALUE,   /* u32 value */
	F_U64,	   /* u64 u64 */
	F_ID,	   /* u32 id_len, id bytes */
	F_KEY,	   /* u32 has_key [, 5 x u32, u32 attr_len, attrs] */
	F_CDATA,   /* u32 data_mode, u32 data_len, data (CREATE) */
	F_REST,	   /* data: the rest of the message */
	F_MEM,	   /* u32 key, u64 off, u64 len: bulk data in shared memory */
};

#define ST_MAX_FIELDS 6

struct st_layout {
	uint32_t nr;
	uint8_t f[ST_MAX_FIELDS];
};

static const struct st_layout st_layouts[] = {
    {TA_SYS_ST_OPEN, {F_STORAGE, F_FLAGS, F_ID}},
    {TA_SYS_ST_CREATE, {F_STORAGE, F_FLAGS, F_VALUE, F_ID, F_KEY, F_CDATA}},
    {TA_SYS_ST_CLOSE, {F_HANDLE}},
    {TA_SYS_ST_CLOSE_DELETE, {F_HANDLE}},
    {TA_SYS_ST_RENAME, {F_HANDLE, F_ID}},
    {TA_SYS_ST_READ, {F_HANDLE, F_VALUE}},
    {TA_SYS_ST_WRITE, {F_HANDLE, F_REST}},
    {TA_SYS_ST_TRUNCATE, {F_HANDLE, F_U64}},
    {TA_SYS_ST_SEEK, {F_HANDLE, F_VALUE, F_U64}},
    {TA_SYS_ST_INFO, {F_HANDLE}},
    {TA_SYS_ST_RESTRICT, {F_HANDLE, F_VALUE}},
    {TA_SYS_ST_GET_ATTRS, {F_HANDLE}},
    {TA_SYS_ST_ENUM_ALLOC, {F_END}},
    {TA_SYS_ST_ENUM_FREE, {F_HANDLE}},
    {TA_SYS_ST_ENUM_RESET, {F_HANDLE}},
    {TA_SYS_ST_ENUM_START, {F_HANDLE, F_STORAGE}},
    {TA_SYS_ST_ENUM_NEXT, {F_HANDLE, F_VALUE}},
    {TA_SYS_ST_STAGE_BEGIN, {F_U64}},
    {TA_SYS_ST_STAGE_PUT, {F_REST}},
    {TA_SYS_ST_WRITE_STAGED, {F_HANDLE}},
    {TA_SYS_ST_READ_STAGED, {F_HANDLE, F_U64}},
    {TA_SYS_ST_STAGE_GET, {F_U64, F_VALUE}},
    {TA_SYS_ST_STAGE_END, {F_END}},
    {TA_SYS_ST_WRITE_MEM, {F_HANDLE, F_MEM}},
    {TA_SYS_ST_READ_MEM, {F_HANDLE, F_MEM}},
    {TA_SYS_ST_STAGE_PUT_MEM, {F_MEM}},
    {TA_SYS_ST_STAGE_GET_MEM, {F_U64, F_MEM}},
};

static const struct st_layout *st_layout(uint32_t nr)
{
	size_t i;

	for (i = 0; i < sizeof(st_layouts) / sizeof(st_layouts[0]); i++)
		if (st_layouts[i].nr == nr)
			return &st_layouts[i];
	return NULL;
}

/* Per-number limits on `value` (0: any). */
static bool st_value_valid(uint32_t nr, uint32_t v)
{
	switch (nr) {
	case TA_SYS_ST_READ:
	case TA_SYS_ST_STAGE_GET:
		return v <= TA_ST_CHUNK;
	case TA_SYS_ST_CREATE:
	case TA_SYS_ST_ENUM_NEXT:
		return v <= 1;
	default:
		return true;
	}
}

/* A memory range within one transfer's bound that does not wrap. */
static bool st_mem_valid(const struct ta_st_mem *m)
{
	return m->len <= TA_ST_STAGE_MAX && m->off <= UINT64_MAX - m->len;
}

static void st_put_key(struct wire_wr *w, const struct ta_st_args *a)
{
	wire_put_u32(w, a->has_key);
	if (!a->has_key)
		return;
	wire_put_u32(w, a->key.object_type);
	wire_put_u32(w, a->key.object_size);
	wire_put_u32(w, a->key.max_object_size);
	wire_put_u32(w, a->key.object_usage);
	wire_put_u32(w, a->key.have_attrs);
	wire_put_u32(w, a->key.attr_len);
	wire_put_bytes(w, a->key.attrs, a->key.attr_len);
}

static bool st_put_field(struct wire_wr *w, uint8_t f,
			 const struct ta_st_args *a)
{
	switch (f) {
	case F_HANDLE:
		wire_put_u32(w, a->handle);
		break;
	case F_STORAGE:
		wire_put_u32(w, a->storage_id);
		break;
	case F_FLAGS:
		wire_put_u32(w, a->flags);
		break;
	case F_VALUE:
		wire_put_u32(w, a->value);
		return st_value_valid(a->nr, a->value);
	case F_U64:
		wire_put_u64(w, a->u64);
		break;
	case F_ID:
		wire_put_u32(w, a->id_len);
		wire_put_bytes(w, a->id, a->id_len);
		return a->id_len <= TA_ST_ID_MAX;
	case F_KEY:
		st_put_key(w, a);
		return !a->has_key || a->key.attr_len <= TA_ST_ATTRS_MAX;
	case F_CDATA:
		wire_put_u32(w, a->data_mode);
		wire_put_u32(w, (uint32_t)a->data_len);
		wire_put_bytes(w, a->data, a->data_len);
		return a->data_len <= TA_ST_CHUNK &&
		       (a->data_mode == TA_ST_DATA_INLINE ||
			(a->data_mode == TA_ST_DATA_STAGED && !a->data_len));
	case F_REST:
		wire_put_bytes(w, a->data, a->data_len);
		return a->data_len <= TA_ST_CHUNK;
	case F_MEM:
		wire_put_u32(w, a->mem.key);
		wire_put_u64(w, a->mem.off);
		wire_put_u64(w, a->mem.len);
		return st_mem_valid(&a->mem);
	}
	return true;
}

int ta_msg_encode_st(void *buf, size_t cap, const struct ta_st_args *a)
{
	const struct st_layout *l = st_layout(a->nr);
	struct wire_wr w = wire_wr_init(buf, cap);
	size_t i;

	if (!l)
		return -EINVAL;
	for (i = 0; i < ST_MAX_FIELDS && l->f[i] != F_END; i++)
		if (!st_put_field(&w, l->f[i], a))
			return -EINVAL;
	return finish(&w);
}

static bool st_get_key(struct wire_rd *r, struct ta_st_args *a)
{
	uint32_t has = wire_get_u32(r);

	if (has > 1)
		return false;
	a->has_key = has;
	if (!has)
		return true;
	a->key.object_type = wire_get_u32(r);
	a->key.object_size = wire_get_u32(r);
	a->key.max_object_size = wire_get_u32(r);
	a->key.object_usage = wire_get_u32(r);
	a->key.have_attrs = wire_get_u32(r);
	a->key.attr_len = wire_get_u32(r);
	if (a->key.attr_len > TA_ST_ATTRS_MAX)
		return false;
	a->key.attrs = wire_get_ptr(r, a->key.attr_len);
	return !r->short_read;
}

static bool st_get_field(struct wire_rd *r, uint8_t f, struct ta_st_args *a)
{
	switch (f) {
	case F_HANDLE:
		a->handle = wire_get_u32(r);
		break;
	case F_STORAGE:
		a->storage_id = wire_get_u32(r);
		break;
	case F_FLAGS:
		a->flags = wire_get_u32(r);
		break;
	case F_VALUE:
		a->value = wire_get_u32(r);
		return st_value_valid(a->nr, a->value);
	case F_U64:
		a->u64 = wire_get_u64(r);
		break;
	case F_ID:
		a->id_len = wire_get_u32(r);
		if (a->id_len > TA_ST_ID_MAX)
			return false;
		a->id = wire_get_ptr(r, a->id_len);
		break;
	case F_KEY:
		return st_get_key(r, a);
	case F_CDATA:
		a->data_mode = wire_get_u32(r);
		a->data_len = wire_get_u32(r);
		if (a->data_len > TA_ST_CHUNK ||
		    (a->data_mode != TA_ST_DATA_INLINE &&
		     (a->data_mode != TA_ST_DATA_STAGED || a->data_len)))
			return false;
		a->data = wire_get_ptr(r, a->data_len);
		break;
	case F_REST:
		a->data_len = wire_rd_left(r);
		if (a->data_len > TA_ST_CHUNK)
			return false;
		a->data = wire_get_ptr(r, a->data_len);
		break;
	case F_MEM:
		a->mem.key = wire_get_u32(r);
		a->mem.off = wire_get_u64(r);
		a->mem.len = wire_get_u64(r);
		if (!st_mem_valid(&a->mem))
			return false;
		break;
	}
	return !r->short_read;
}

int ta_msg_decode_st(uint32_t nr, const uint8_t *args, size_t len,
		     struct ta_st_args *out)
{
	const struct st_layout *l = st_layout(nr);
	struct wire_rd r = wire_rd_init(args, len);
	size_t i;

	memset(out, 0, sizeof(*out));
	out->nr = nr;
	if (!l)
		return -EBADMSG;
	for (i = 0; i < ST_MAX_FIELDS && l->f[i] != F_END; i++)
		if (!st_get_field(&r, l->f[i], out))
			return -EBADMSG;
	return wire_rd_done(&r) ? 0 : -EBADMSG;
}

void ta_msg_put_st_info(struct wire_wr *w, const struct ta_st_info *i)
{
	wire_put_u32(w, i->object_type);
	wire_put_u32(w, i->object_size);
	wire_put_u32(w, i->max_object_size);
	wire_put_u32(w, i->object_usage);
	wire_put_u32(w, i->handle_flags);
	wire_put_u32(w, i->have_attrs);
	wire_put_u64(w, i->data_size);
	wire_put_u64(w, i->data_position);
}

int ta_msg_get_st_info(struct wire_rd *r, struct ta_st_info *i)
{
	i->object_type = wire_get_u32(r);
	i->object_size = wire_get_u32(r);
	i->max_object_size = wire_get_u32(r);
	i->object_usage = wire_get_u32(r);
	i->handle_flags = wire_get_u32(r);
	i->have_attrs = wire_get_u32(r);
	i->data_size = wire_get_u64(r);
	i->data_position = wire_get_u64(r);
	return r->short_read ? -EBADMSG : 0;
}
