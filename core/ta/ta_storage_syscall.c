/*
 * teed's side of the trusted storage syscalls (TA_SYS_STORAGE_BASE range,
 * docs/gp-storage-ta.md): each instance has a gpstore client (its TA UUID
 * is the namespace of its objects) created when the instance starts and
 * destroyed when it dies or ends, which releases its handles and
 * enumerators. Arguments are decoded and checked by ta_msg_decode_st()
 * in the instance's receive buffer, which is teed's own memory: nothing
 * is read twice from memory the TA can change. GPSTORE_PANIC (the TA broke
 * a rule GP answers with a panic) and a protocol violation kill the
 * instance: its client sees TEE_ERROR_TARGET_DEAD, as for TEE_Panic.
 *
 * Transfers larger than one message are staged here (STAGE_*), so that
 * one TEE_WriteObjectData or TEE_CreatePersistentObject is one gpstore
 * call and thus one atomic commit, and one large TEE_ReadObjectData one
 * gpstore read. A stage is bounded by TA_ST_STAGE_MAX.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "gpstore.h"
#include "log.h"
#include "secmem.h"
#include "ta_side.h"
#include "user_ta_header.h"

/* Largest single staged transfer (one write, create or read piece). */
#define TA_ST_STAGE_MAX (256U << 20)

struct ta_storage {
	struct gpstore_client *client; /* NULL: teed has no storage */
	uint8_t *stage;		       /* NULL: no stage */
	size_t stage_len;	       /* bytes allocated */
	size_t stage_fill;	       /* bytes put (write) or read (read) */
	bool stage_read;	       /* holds READ_STAGED output */
};

static _Atomic(struct gpstore *) ta_gps;

void ta_side_set_storage(struct gpstore *g)
{
	atomic_store(&ta_gps, g);
}

static void stage_free(struct ta_storage *st)
{
	if (st->stage) {
		secmem_wipe(st->stage, st->stage_len);
		free(st->stage);
	}
	st->stage = NULL;
	st->stage_len = st->stage_fill = 0;
	st->stage_read = false;
}

TEE_Result ta_storage_attach(struct ta_instance *inst)
{
	struct gpstore *g = atomic_load(&ta_gps);
	struct ta_storage *st = calloc(1, sizeof(*st));
	TEE_Result res;

	if (!st)
		return TEE_ERROR_OUT_OF_MEMORY;
	if (g) {
		res = gpstore_client_new(
		    g, &inst->uuid,
		    ta_flag(inst, TA_FLAG_DONT_CLOSE_HANDLE_ON_CORRUPT_OBJECT),
		    &st->client);
		if (res) {
			free(st);
			return res;
		}
	}
	inst->storage = st;
	return TEE_SUCCESS;
}

void ta_storage_detach(struct ta_instance *inst)
{
	struct ta_storage *st = inst->storage;

	if (!st)
		return;
	inst->storage = NULL;
	stage_free(st);
	gpstore_client_destroy(st->client);
	free(st);
}

size_t ta_storage_props(const char *names[], uint32_t values[], size_t max)
{
	struct gpstore *g = atomic_load(&ta_gps);
	struct gpstore_prop p[GPSTORE_NPROPS];
	size_t i, n;

	if (!g)
		return 0;
	n = gpstore_properties(g, p);
	for (i = 0; i < n && i < max; i++) {
		names[i] = p[i].name;
		values[i] = p[i].value;
	}
	return i;
}

/* The TA broke a GP rule or the protocol: it dies as by TEE_Panic. */
static TEE_Result st_kill(struct ta_instance *inst, uint32_t nr,
			  const char *why)
{
	log_warnx("TA %s panicked in storage syscall 0x%04x (%s)", inst->name,
		  nr, why);
	ta_inst_kill(inst, NULL, true);
	return TEE_ERROR_TARGET_DEAD;
}

static void put_info(struct wire_wr *out, const struct gpstore_info *gi)
{
	struct ta_st_info i = {
	    .object_type = gi->object_type,
	    .object_size = gi->object_size,
	    .max_object_size = gi->max_object_size,
	    .object_usage = gi->object_usage,
	    .handle_flags = gi->handle_flags,
	    .have_attrs = gi->have_attrs,
	    .data_size = gi->data_size,
	    .data_position = gi->data_position,
	};

	ta_msg_put_st_info(out, &i);
}

static TEE_Result st_create(struct ta_storage *st, const struct ta_st_args *a,
			    struct wire_wr *out)
{
	struct gpstore_key key = {0}, *kp = NULL;
	const void *data = a->data;
	size_t len = a->data_len;
	uint32_t h = 0;
	TEE_Result res;

	if (a->data_mode == TA_ST_DATA_STAGED) {
		if (!st->stage || st->stage_read ||
		    st->stage_fill != st->stage_len)
			return GPSTORE_PANIC;
		data = st->stage;
		len = st->stage_len;
	}
	if (a->has_key) {
		key.object_type = a->key.object_type;
		key.object_size = a->key.object_size;
		key.max_object_size = a->key.max_object_size;
		key.object_usage = a->key.object_usage;
		key.have_attrs = a->key.have_attrs;
		key.attrs = a->key.attrs;
		key.attr_len = a->key.attr_len;
		kp = &key;
	}
	res = gpstore_create(st->client, a->storage_id, a->id, a->id_len,
			     a->flags, kp, data, len, a->value ? &h : NULL);
	if (a->data_mode == TA_ST_DATA_STAGED && res != GPSTORE_PANIC)
		stage_free(st);
	if (!res)
		wire_put_u32(out, h);
	return res;
}

static TEE_Result st_read(struct ta_storage *st, const struct ta_st_args *a,
			  struct wire_wr *out)
{
	uint8_t *p = wire_wr_reserve(out, a->value);
	size_t got = 0;
	TEE_Result res;

	if (!p && a->value)
		return TEE_ERROR_SHORT_BUFFER; /* cannot happen: value bound */
	res = gpstore_read(st->client, a->handle, p, a->value, &got);
	if (got > a->value)
		got = a->value;
	out->len -= a->value - got;
	return res;
}

static TEE_Result st_attrs(struct ta_storage *st, const struct ta_st_args *a,
			   struct wire_wr *out)
{
	size_t cap = out->cap - out->len, n = 0;
	uint8_t *p = wire_wr_reserve(out, cap);
	TEE_Result res;

	res = gpstore_get_attrs(st->client, a->handle, p, cap, &n);
	out->len -= cap - (res ? cap : n);
	if (res == TEE_ERROR_SHORT_BUFFER)
		res = TEE_ERROR_NOT_SUPPORTED; /* blob beyond a message */
	return res;
}

static TEE_Result st_enum_next(struct ta_storage *st,
			       const struct ta_st_args *a, struct wire_wr *out)
{
	struct gpstore_info info = {0};
	uint8_t id[GPSTORE_ID_MAX];
	size_t id_len = 0;
	TEE_Result res;

	res = gpstore_enum_next(st->client, a->handle, a->value ? &info : NULL,
				id, &id_len);
	if (res)
		return res;
	if (id_len > sizeof(id))
		return TEE_ERROR_GENERIC;
	put_info(out, &info);
	wire_put_u32(out, (uint32_t)id_len);
	wire_put_bytes(out, id, id_len);
	return TEE_SUCCESS;
}

static TEE_Result st_stage_begin(struct ta_storage *st, uint64_t total)
{
	stage_free(st);
	if (total > TA_ST_STAGE_MAX)
		return TEE_ERROR_STORAGE_NO_SPACE;
	st->stage = malloc(total ? (size_t)total : 1);
	if (!st->stage)
		return TEE_ERROR_STORAGE_NO_SPACE;
	st->stage_len = (size_t)total;
	return TEE_SUCCESS;
}

static TEE_Result st_stage_put(struct ta_storage *st,
			       const struct ta_st_args *a)
{
	if (!st->stage || st->stage_read ||
	    a->data_len > st->stage_len - st->stage_fill)
		return GPSTORE_PANIC;
	memcpy(st->stage + st->stage_fill, a->data, a->data_len);
	st->stage_fill += a->data_len;
	return TEE_SUCCESS;
}

static TEE_Result st_write_staged(struct ta_storage *st, uint32_t h)
{
	TEE_Result res;

	if (!st->stage || st->stage_read || st->stage_fill != st->stage_len)
		return GPSTORE_PANIC;
	res = gpstore_write(st->client, h, st->stage, st->stage_len);
	if (res != GPSTORE_PANIC)
		stage_free(st);
	return res;
}

/* One gpstore read of up to len bytes into a stage sized by what is there. */
static TEE_Result st_read_staged(struct ta_storage *st,
				 const struct ta_st_args *a,
				 struct wire_wr *out)
{
	struct gpstore_info info;
	uint64_t n = a->u64;
	size_t got = 0;
	TEE_Result res;

	stage_free(st);
	res = gpstore_get_info(st->client, a->handle, &info);
	if (res)
		return res;
	n = info.data_position >= info.data_size
		? 0
		: (n < info.data_size - info.data_position
		       ? n
		       : info.data_size - info.data_position);
	if (n > TA_ST_STAGE_MAX)
		n = TA_ST_STAGE_MAX;
	st->stage = malloc(n ? (size_t)n : 1);
	if (!st->stage)
		return TEE_ERROR_OUT_OF_MEMORY;
	st->stage_len = (size_t)n;
	st->stage_read = true;
	res = gpstore_read(st->client, a->handle, st->stage, (size_t)n, &got);
	if (res) {
		if (res != GPSTORE_PANIC)
			stage_free(st);
		return res;
	}
	st->stage_fill = got < n ? got : (size_t)n;
	wire_put_u64(out, st->stage_fill);
	return TEE_SUCCESS;
}

static TEE_Result st_stage_get(struct ta_storage *st,
			       const struct ta_st_args *a, struct wire_wr *out)
{
	if (!st->stage || !st->stage_read || a->u64 > st->stage_fill ||
	    a->value > st->stage_fill - a->u64)
		return GPSTORE_PANIC;
	wire_put_bytes(out, st->stage + a->u64, a->value);
	return TEE_SUCCESS;
}

/* Calls that need no handle, and the answer when teed has no storage. */
static TEE_Result st_no_storage(const struct ta_st_args *a)
{
	switch (a->nr) {
	case TA_SYS_ST_OPEN:
	case TA_SYS_ST_CREATE:
	case TA_SYS_ST_ENUM_START:
		return TEE_ERROR_ITEM_NOT_FOUND;
	case TA_SYS_ST_ENUM_ALLOC:
		return TEE_ERROR_OUT_OF_MEMORY;
	case TA_SYS_ST_CLOSE:
	case TA_SYS_ST_ENUM_FREE:
	case TA_SYS_ST_ENUM_RESET:
		return a->handle ? GPSTORE_PANIC : TEE_SUCCESS;
	default:
		return GPSTORE_PANIC; /* no handle can be valid */
	}
}

static TEE_Result st_dispatch(struct ta_storage *st, const struct ta_st_args *a,
			      struct wire_wr *out)
{
	struct gpstore_client *c = st->client;
	struct gpstore_info info;
	uint32_t h = 0;
	TEE_Result res;

	switch (a->nr) {
	case TA_SYS_ST_STAGE_BEGIN:
		return st_stage_begin(st, a->u64);
	case TA_SYS_ST_STAGE_PUT:
		return st_stage_put(st, a);
	case TA_SYS_ST_STAGE_GET:
		return st_stage_get(st, a, out);
	case TA_SYS_ST_STAGE_END:
		stage_free(st);
		return TEE_SUCCESS;
	default:
		break;
	}
	if (!c)
		return st_no_storage(a);
	switch (a->nr) {
	case TA_SYS_ST_OPEN:
		res = gpstore_open(c, a->storage_id, a->id, a->id_len, a->flags,
				   &h);
		if (!res)
			wire_put_u32(out, h);
		return res;
	case TA_SYS_ST_CREATE:
		return st_create(st, a, out);
	case TA_SYS_ST_CLOSE:
		return gpstore_close(c, a->handle);
	case TA_SYS_ST_CLOSE_DELETE:
		return gpstore_close_and_delete(c, a->handle);
	case TA_SYS_ST_RENAME:
		return gpstore_rename(c, a->handle, a->id, a->id_len);
	case TA_SYS_ST_READ:
		return st_read(st, a, out);
	case TA_SYS_ST_WRITE:
		return gpstore_write(c, a->handle, a->data, a->data_len);
	case TA_SYS_ST_TRUNCATE:
		return gpstore_truncate(c, a->handle, a->u64);
	case TA_SYS_ST_SEEK:
		return gpstore_seek(c, a->handle, (int64_t)a->u64, a->value);
	case TA_SYS_ST_INFO:
		res = gpstore_get_info(c, a->handle, &info);
		if (!res)
			put_info(out, &info);
		return res;
	case TA_SYS_ST_RESTRICT:
		return gpstore_restrict_usage(c, a->handle, a->value);
	case TA_SYS_ST_GET_ATTRS:
		return st_attrs(st, a, out);
	case TA_SYS_ST_ENUM_ALLOC:
		res = gpstore_enum_alloc(c, &h);
		if (!res)
			wire_put_u32(out, h);
		return res;
	case TA_SYS_ST_ENUM_FREE:
		return gpstore_enum_free(c, a->handle);
	case TA_SYS_ST_ENUM_RESET:
		return gpstore_enum_reset(c, a->handle);
	case TA_SYS_ST_ENUM_START:
		return gpstore_enum_start(c, a->handle, a->storage_id);
	case TA_SYS_ST_ENUM_NEXT:
		return st_enum_next(st, a, out);
	case TA_SYS_ST_WRITE_STAGED:
		return st_write_staged(st, a->handle);
	case TA_SYS_ST_READ_STAGED:
		return st_read_staged(st, a, out);
	default:
		return GPSTORE_PANIC; /* the decoder knows no other number */
	}
}

TEE_Result ta_sys_storage(struct ta_instance *inst, struct ta_session *s,
			  uint32_t nr, const uint8_t *args, size_t len,
			  struct wire_wr *out)
{
	struct ta_st_args a;
	TEE_Result res;

	(void)s;
	if (ta_msg_decode_st(nr, args, len, &a))
		return st_kill(inst, nr, "malformed arguments");
	if (!inst->storage)
		return st_kill(inst, nr, "no storage context");
	res = st_dispatch(inst->storage, &a, out);
	if (res == GPSTORE_PANIC)
		return st_kill(inst, nr, "GP rule broken");
	return res;
}
