/* Operation parameters to and from the driver ABI: see teec_params.h. */
#include "teec_params.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/*
 * The driver ABI's memref directions (TEE_PARAM_TYPE_MEMREF_*): the same
 * numbers as TEEC_MEMREF_TEMP_*. tee_api_defines.h stays out of libteec
 * because its TEE_ERROR_* spelling clashes with tee_client_api.h's.
 */
#define TEE_PARAM_TYPE_MEMREF_INPUT  TEEC_MEMREF_TEMP_INPUT
#define TEE_PARAM_TYPE_MEMREF_OUTPUT TEEC_MEMREF_TEMP_OUTPUT
#define TEE_PARAM_TYPE_MEMREF_INOUT  TEEC_MEMREF_TEMP_INOUT

int teec_memfd(size_t size)
{
	int fd = memfd_create("teec", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)size) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) <
		0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void put_param(struct wire_wr *w, uint32_t attr, uint64_t a, uint64_t b,
		      uint64_t c)
{
	wire_put_u32(w, attr);
	wire_put_u32(w, 0);
	wire_put_u64(w, a);
	wire_put_u64(w, b);
	wire_put_u64(w, c);
}

static bool write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, p + done, len - done, (off_t)done);

		if (n <= 0)
			return false;
		done += (size_t)n;
	}
	return true;
}

static void read_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, p + done, len - done, (off_t)done);

		if (n <= 0)
			return;
		done += (size_t)n;
	}
}

static TEEC_Result pack_tmpref(TEEC_TempMemoryReference *t, uint32_t type,
			       size_t i, struct wire_wr *w,
			       struct teec_marshal *m)
{
	int fd;

	if (!t->buffer) { /* a null memref: the TA may still ask a size */
		put_param(w, type | DRV_PARAM_NULL, 0, t->size, 0);
		return TEEC_SUCCESS;
	}
	fd = teec_memfd(t->size);
	if (fd < 0)
		return TEEC_ERROR_OUT_OF_MEMORY;
	if (type != TEE_PARAM_TYPE_MEMREF_OUTPUT &&
	    !write_all(fd, t->buffer, t->size)) {
		close(fd);
		return TEEC_ERROR_OUT_OF_MEMORY;
	}
	m->fd_of[i] = fd;
	put_param(w, type | DRV_PARAM_FD, 0, t->size, m->nfds);
	m->fds[m->nfds++] = fd;
	return TEEC_SUCCESS;
}

/* The TEE_PARAM_TYPE_MEMREF_* of a registered memref, or 0 if invalid. */
static uint32_t memref_dir(uint32_t teec_type, const TEEC_SharedMemory *s)
{
	uint32_t need, dir;

	if (teec_type == TEEC_MEMREF_WHOLE) {
		need = s->flags & (TEEC_MEM_INPUT | TEEC_MEM_OUTPUT);
		if (!need)
			return 0;
	} else {
		/* PARTIAL_INPUT/OUTPUT/INOUT are 0xD/0xE/0xF: low bits. */
		need = teec_type & (TEEC_MEM_INPUT | TEEC_MEM_OUTPUT);
		if ((s->flags & need) != need)
			return 0;
	}
	dir = need == TEEC_MEM_INPUT	? TEE_PARAM_TYPE_MEMREF_INPUT
	      : need == TEEC_MEM_OUTPUT ? TEE_PARAM_TYPE_MEMREF_OUTPUT
					: TEE_PARAM_TYPE_MEMREF_INOUT;
	return dir;
}

static TEEC_Result pack_memref(int ctx_fd, TEEC_RegisteredMemoryReference *r,
			       uint32_t teec_type, struct wire_wr *w)
{
	TEEC_SharedMemory *s = r->parent;
	size_t off = 0, size;
	uint32_t dir;

	if (!s || !s->imp.flags || s->imp.registered_fd != ctx_fd)
		return TEEC_ERROR_BAD_PARAMETERS;
	dir = memref_dir(teec_type, s);
	if (!dir)
		return TEEC_ERROR_BAD_PARAMETERS;
	size = s->size;
	if (teec_type != TEEC_MEMREF_WHOLE) {
		off = r->offset;
		size = r->size;
		if (off > s->size || size > s->size - off)
			return TEEC_ERROR_BAD_PARAMETERS;
	}
	/* Registered memory reaches teed through its shadow memfd. */
	if ((s->imp.flags & TEEC_SHM_REGISTERED) &&
	    dir != TEE_PARAM_TYPE_MEMREF_OUTPUT && size)
		memcpy((uint8_t *)s->imp.shadow_buffer + off,
		       (uint8_t *)s->buffer + off, size);
	put_param(w, dir, off, size, (uint32_t)s->imp.id);
	return TEEC_SUCCESS;
}

TEEC_Result teec_params_pack(int ctx_fd, TEEC_Operation *op, struct wire_wr *w,
			     struct teec_marshal *m)
{
	TEEC_Result res = TEEC_SUCCESS;
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < DRV_NUM_PARAMS; i++)
		m->fd_of[i] = -1;
	for (i = 0; i < DRV_NUM_PARAMS && !res; i++) {
		uint32_t t = op ? TEEC_PARAM_TYPE_GET(op->paramTypes, i) : 0;
		TEEC_Parameter *p = op ? &op->params[i] : NULL;

		switch (t) {
		case TEEC_NONE:
			put_param(w, 0, 0, 0, 0);
			break;
		case TEEC_VALUE_INPUT:
		case TEEC_VALUE_OUTPUT:
		case TEEC_VALUE_INOUT:
			put_param(w, t, p->value.a, p->value.b, 0);
			break;
		case TEEC_MEMREF_TEMP_INPUT:
		case TEEC_MEMREF_TEMP_OUTPUT:
		case TEEC_MEMREF_TEMP_INOUT:
			res = pack_tmpref(&p->tmpref, t, i, w, m);
			break;
		case TEEC_MEMREF_WHOLE:
		case TEEC_MEMREF_PARTIAL_INPUT:
		case TEEC_MEMREF_PARTIAL_OUTPUT:
		case TEEC_MEMREF_PARTIAL_INOUT:
			res = pack_memref(ctx_fd, &p->memref, t, w);
			break;
		default:
			res = TEEC_ERROR_BAD_PARAMETERS;
		}
	}
	if (res)
		teec_params_release(m);
	return res;
}

static void unpack_tmpref(TEEC_TempMemoryReference *t, uint32_t type,
			  uint64_t size, int fd)
{
	if (type == TEEC_MEMREF_TEMP_INPUT)
		return;
	/* SHORT_BUFFER: the TA's size is larger; nothing to copy then. */
	if (fd >= 0 && size <= t->size)
		read_all(fd, t->buffer, (size_t)size);
	t->size = size > SIZE_MAX ? SIZE_MAX : (size_t)size;
}

static void unpack_memref(TEEC_RegisteredMemoryReference *r, uint32_t type,
			  uint64_t size)
{
	TEEC_SharedMemory *s = r->parent;
	uint32_t dir = memref_dir(type, s);
	size_t off = type == TEEC_MEMREF_WHOLE ? 0 : r->offset;
	size_t given = type == TEEC_MEMREF_WHOLE ? s->size : r->size;

	if (dir == TEE_PARAM_TYPE_MEMREF_INPUT)
		return;
	if ((s->imp.flags & TEEC_SHM_REGISTERED) && size <= given && size)
		memcpy((uint8_t *)s->buffer + off,
		       (uint8_t *)s->imp.shadow_buffer + off, (size_t)size);
	r->size = size > SIZE_MAX ? SIZE_MAX : (size_t)size;
}

void teec_params_unpack(TEEC_Operation *op, const uint8_t *out,
			struct teec_marshal *m)
{
	size_t i;

	for (i = 0; op && i < DRV_NUM_PARAMS; i++) {
		uint32_t t = TEEC_PARAM_TYPE_GET(op->paramTypes, i);
		TEEC_Parameter *p = &op->params[i];
		uint64_t a = get_le64(out + i * DRV_OUT_PARAM_SIZE);
		uint64_t b = get_le64(out + i * DRV_OUT_PARAM_SIZE + 8);

		switch (t) {
		case TEEC_VALUE_OUTPUT:
		case TEEC_VALUE_INOUT:
			p->value.a = (uint32_t)a;
			p->value.b = (uint32_t)b;
			break;
		case TEEC_MEMREF_TEMP_OUTPUT:
		case TEEC_MEMREF_TEMP_INOUT:
			unpack_tmpref(&p->tmpref, t, b, m->fd_of[i]);
			break;
		case TEEC_MEMREF_WHOLE:
		case TEEC_MEMREF_PARTIAL_OUTPUT:
		case TEEC_MEMREF_PARTIAL_INOUT:
			unpack_memref(&p->memref, t, b);
			break;
		}
	}
	teec_params_release(m);
}

void teec_params_release(struct teec_marshal *m)
{
	size_t i;

	for (i = 0; i < m->nfds; i++)
		close(m->fds[i]);
	m->nfds = 0;
	for (i = 0; i < DRV_NUM_PARAMS; i++)
		m->fd_of[i] = -1;
}
