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
 * Transfers larger than one message go through shared memory (the
 * instance's bulk buffer, or a client shm the TA has mapped: the *_MEM
 * syscalls) or, without it, are staged message by message (STAGE_*). In
 * both cases the bytes are copied once into a stage in teed's memory
 * before anything uses them, so that one TEE_WriteObjectData or
 * TEE_CreatePersistentObject is one gpstore call and thus one atomic
 * commit, one large TEE_ReadObjectData one gpstore read, and the engine
 * never reads (nor decrypts into) memory the TA or a client can change.
 * A stage is bounded by TA_ST_STAGE_MAX.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gpstore.h"
#include "log.h"
#include "secmem.h"
#include "ta_side.h"
#include "user_ta_header.h"

/* The bulk buffer: one memfd per instance (pages only as touched). */
#define TA_ST_BULK_SIZE (1U << 20)
/* A stage up to this size is kept (wiped) for the instance's next one. */
#define TA_ST_STAGE_KEEP (1U << 20)

struct ta_storage {
	struct gpstore_client *client; /* NULL: teed has no storage */
	int bulk_fd;		       /* -1: no bulk buffer */
	uint32_t bulk_size;
	uint8_t *stage;	   /* NULL: none allocated */
	size_t stage_cap;  /* bytes allocated */
	bool staging;	   /* a transfer is staged in stage[0, stage_len) */
	size_t stage_len;  /* bytes of the transfer */
	size_t stage_fill; /* bytes put (write) or read (read) */
	bool stage_read;   /* holds READ_STAGED output */
};

static _Atomic(struct gpstore *) ta_gps;

void ta_side_set_storage(struct gpstore *g)
{
	atomic_store(&ta_gps, g);
}

/* Ends the staged transfer: its bytes are wiped, a small buffer kept. */
static void stage_free(struct ta_storage *st)
{
	if (st->stage) {
		secmem_wipe(st->stage, st->stage_len);
		if (st->stage_cap > TA_ST_STAGE_KEEP) {
			free(st->stage);
			st->stage = NULL;
			st->stage_cap = 0;
		}
	}
	st->staging = false;
	st->stage_len = st->stage_fill = 0;
	st->stage_read = false;
}

/* Starts a staged transfer of n bytes (n <= TA_ST_STAGE_MAX). */
static bool stage_alloc(struct ta_storage *st, size_t n)
{
	stage_free(st);
	if (n > st->stage_cap || !st->stage) {
		free(st->stage);
		st->stage_cap = 0;
		st->stage = malloc(n ? n : 1);
		if (!st->stage)
			return false;
		st->stage_cap = n ? n : 1;
	}
	st->staging = true;
	st->stage_len = n;
	return true;
}

/*
 * Creates the instance's bulk buffer and hands it to the TA (TA_MSG_BULK,
 * before CREATE). Sealed so that the TA can neither shrink nor grow it:
 * teed's pread/pwrite never run past its end.
 */
static TEE_Result bulk_start(struct ta_instance *inst, struct ta_storage *st)
{
	uint8_t msg[4];
	int fd, rc;

	fd = memfd_create("teestore-bulk", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return TEE_ERROR_OUT_OF_MEMORY;
	if (ftruncate(fd, TA_ST_BULK_SIZE) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) <
		0) {
		close(fd);
		return TEE_ERROR_OUT_OF_MEMORY;
	}
	ta_msg_encode_u32(msg, sizeof(msg), TA_ST_BULK_SIZE);
	pthread_mutex_lock(&inst->send_lock);
	rc = inst->sock < 0 ? -EPIPE
			    : ipc_send(inst->sock, TA_MSG_BULK, 0, msg,
				       sizeof(msg), &fd, 1);
	pthread_mutex_unlock(&inst->send_lock);
	if (rc) {
		close(fd);
		return TEE_ERROR_GENERIC;
	}
	st->bulk_fd = fd;
	st->bulk_size = TA_ST_BULK_SIZE;
	return TEE_SUCCESS;
}

TEE_Result ta_storage_attach(struct ta_instance *inst)
{
	struct gpstore *g = atomic_load(&ta_gps);
	struct ta_storage *st = calloc(1, sizeof(*st));
	TEE_Result res;

	if (!st)
		return TEE_ERROR_OUT_OF_MEMORY;
	st->bulk_fd = -1;
	if (g) {
		res = gpstore_client_new(
		    g, &inst->uuid,
		    ta_flag(inst, TA_FLAG_DONT_CLOSE_HANDLE_ON_CORRUPT_OBJECT),
		    &st->client);
		if (!res)
			res = bulk_start(inst, st);
		if (res) {
			gpstore_client_destroy(st->client);
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
	free(st->stage);
	if (st->bulk_fd >= 0)
		close(st->bulk_fd);
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
		if (!st->staging || st->stage_read ||
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
	if (total > TA_ST_STAGE_MAX || !stage_alloc(st, (size_t)total))
		return TEE_ERROR_STORAGE_NO_SPACE;
	return TEE_SUCCESS;
}

static TEE_Result st_stage_put(struct ta_storage *st,
			       const struct ta_st_args *a)
{
	if (!st->staging || st->stage_read ||
	    a->data_len > st->stage_len - st->stage_fill)
		return GPSTORE_PANIC;
	memcpy(st->stage + st->stage_fill, a->data, a->data_len);
	st->stage_fill += a->data_len;
	return TEE_SUCCESS;
}

static TEE_Result st_write_staged(struct ta_storage *st, uint32_t h)
{
	TEE_Result res;

	if (!st->staging || st->stage_read || st->stage_fill != st->stage_len)
		return GPSTORE_PANIC;
	res = gpstore_write(st->client, h, st->stage, st->stage_len);
	if (res != GPSTORE_PANIC)
		stage_free(st);
	return res;
}

/*
 * How much of len a read at the handle's position can return: the stage
 * is sized by what is there, not by what the TA asks for.
 */
static TEE_Result read_size(struct ta_storage *st, uint32_t h, uint64_t len,
			    size_t *n)
{
	struct gpstore_info info;
	TEE_Result res;

	res = gpstore_get_info(st->client, h, &info);
	if (res)
		return res;
	if (info.data_position >= info.data_size)
		len = 0;
	else if (len > info.data_size - info.data_position)
		len = info.data_size - info.data_position;
	*n = (size_t)(len < TA_ST_STAGE_MAX ? len : TA_ST_STAGE_MAX);
	return TEE_SUCCESS;
}

/* One gpstore read of up to len bytes into a stage sized by what is there. */
static TEE_Result st_read_staged(struct ta_storage *st,
				 const struct ta_st_args *a,
				 struct wire_wr *out)
{
	size_t n = 0, got = 0;
	TEE_Result res;

	stage_free(st);
	res = read_size(st, a->handle, a->u64, &n);
	if (res)
		return res;
	if (!stage_alloc(st, n))
		return TEE_ERROR_OUT_OF_MEMORY;
	st->stage_read = true;
	res = gpstore_read(st->client, a->handle, st->stage, n, &got);
	if (res) {
		if (res != GPSTORE_PANIC)
			stage_free(st);
		return res;
	}
	st->stage_fill = got < n ? got : n;
	wire_put_u64(out, st->stage_fill);
	return TEE_SUCCESS;
}

static TEE_Result st_stage_get(struct ta_storage *st,
			       const struct ta_st_args *a, struct wire_wr *out)
{
	if (!st->staging || !st->stage_read || a->u64 > st->stage_fill ||
	    a->value > st->stage_fill - a->u64)
		return GPSTORE_PANIC;
	wire_put_bytes(out, st->stage + a->u64, a->value);
	return TEE_SUCCESS;
}

/*
 * The memory a *_MEM syscall names: the bulk buffer (key 0) or a client
 * shm the TA has mapped (its key in the instance's cache). Returns its fd
 * once the range is known to lie inside it; anything else is a TA that
 * broke the protocol.
 */
static TEE_Result mem_fd(struct ta_instance *inst, const struct ta_st_mem *m,
			 int *fd)
{
	struct ta_storage *st = inst->storage;
	struct tee_shm *shm;
	uint64_t size;

	if (m->key == TA_ST_MEM_BULK) {
		if (st->bulk_fd < 0)
			return GPSTORE_PANIC;
		*fd = st->bulk_fd;
		size = st->bulk_size;
	} else {
		shm = ta_shm_cache_find(&inst->cache, m->key);
		if (!shm)
			return GPSTORE_PANIC;
		*fd = shm->fd;
		size = shm->size;
	}
	if (m->off > size || m->len > size - m->off)
		return GPSTORE_PANIC;
	return TEE_SUCCESS;
}

/*
 * Copies between teed's memory and a memfd with pread/pwrite: one copy,
 * into (or out of) teed's own pages, whatever the other side does to the
 * mapping meanwhile. A failure (none is expected on a sealed memfd inside
 * its size) is reported as storage not available, a result every data
 * stream function may give.
 */
static TEE_Result mem_copy(int fd, uint8_t *buf, size_t len, uint64_t off,
			   bool to_mem)
{
	ssize_t n;

	while (len) {
		n = to_mem ? pwrite(fd, buf, len, (off_t)off)
			   : pread(fd, buf, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return TEE_ERROR_STORAGE_NOT_AVAILABLE;
		buf += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return TEE_SUCCESS;
}

/* WRITE_MEM: the bytes are copied into the stage, then one gpstore write. */
static TEE_Result st_write_mem(struct ta_instance *inst,
			       const struct ta_st_args *a)
{
	struct ta_storage *st = inst->storage;
	TEE_Result res;
	int fd;

	res = mem_fd(inst, &a->mem, &fd);
	if (res)
		return res;
	if (!stage_alloc(st, (size_t)a->mem.len))
		return TEE_ERROR_STORAGE_NO_SPACE;
	res = mem_copy(fd, st->stage, st->stage_len, a->mem.off, false);
	if (!res)
		res = gpstore_write(st->client, a->handle, st->stage,
				    st->stage_len);
	stage_free(st);
	return res;
}

/*
 * READ_MEM: one gpstore read into the stage (verified plaintext only
 * ever leaves teed), then copied to the memory; answers u64 count.
 */
static TEE_Result st_read_mem(struct ta_instance *inst,
			      const struct ta_st_args *a, struct wire_wr *out)
{
	struct ta_storage *st = inst->storage;
	size_t n = 0, got = 0;
	TEE_Result res;
	int fd;

	res = mem_fd(inst, &a->mem, &fd);
	if (!res)
		res = read_size(st, a->handle, a->mem.len, &n);
	if (res)
		return res;
	if (!stage_alloc(st, n))
		return TEE_ERROR_OUT_OF_MEMORY;
	res = gpstore_read(st->client, a->handle, st->stage, n, &got);
	if (got > n)
		got = n;
	if (!res)
		res = mem_copy(fd, st->stage, got, a->mem.off, true);
	stage_free(st);
	if (!res)
		wire_put_u64(out, got);
	return res;
}

static TEE_Result st_stage_put_mem(struct ta_instance *inst,
				   const struct ta_st_args *a)
{
	struct ta_storage *st = inst->storage;
	TEE_Result res;
	int fd;

	res = mem_fd(inst, &a->mem, &fd);
	if (res)
		return res;
	if (!st->staging || st->stage_read ||
	    a->mem.len > st->stage_len - st->stage_fill)
		return GPSTORE_PANIC;
	res = mem_copy(fd, st->stage + st->stage_fill, (size_t)a->mem.len,
		       a->mem.off, false);
	if (!res)
		st->stage_fill += (size_t)a->mem.len;
	return res;
}

static TEE_Result st_stage_get_mem(struct ta_instance *inst,
				   const struct ta_st_args *a)
{
	struct ta_storage *st = inst->storage;
	TEE_Result res;
	int fd;

	res = mem_fd(inst, &a->mem, &fd);
	if (res)
		return res;
	if (!st->staging || !st->stage_read || a->u64 > st->stage_fill ||
	    a->mem.len > st->stage_fill - a->u64)
		return GPSTORE_PANIC;
	return mem_copy(fd, st->stage + a->u64, (size_t)a->mem.len, a->mem.off,
			true);
}

/*
 * Calls that need no handle, and the answer when teed has no storage (no
 * supplicant yet, or the store refused: docs/rollback.md):
 * STORAGE_NOT_AVAILABLE, which GP allows from any storage call, so that a
 * TA (and its client) can tell it from a missing object.
 */
static TEE_Result st_no_storage(const struct ta_st_args *a)
{
	switch (a->nr) {
	case TA_SYS_ST_OPEN:
	case TA_SYS_ST_CREATE:
	case TA_SYS_ST_ENUM_START:
		return TEE_ERROR_STORAGE_NOT_AVAILABLE;
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

static TEE_Result st_dispatch(struct ta_instance *inst,
			      const struct ta_st_args *a, struct wire_wr *out)
{
	struct ta_storage *st = inst->storage;
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
	case TA_SYS_ST_STAGE_PUT_MEM:
		return st_stage_put_mem(inst, a);
	case TA_SYS_ST_STAGE_GET_MEM:
		return st_stage_get_mem(inst, a);
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
	case TA_SYS_ST_WRITE_MEM:
		return st_write_mem(inst, a);
	case TA_SYS_ST_READ_MEM:
		return st_read_mem(inst, a, out);
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
	res = st_dispatch(inst, &a, out);
	if (res == GPSTORE_PANIC)
		return st_kill(inst, nr, "GP rule broken");
	return res;
}
