/*
 * What every backend shares: the name rule and the one-op conveniences
 * over submit() (backend.h).
 */
#include <string.h>

#include "backend.h"

bool backend_name_valid(const char *name)
{
	size_t len;

	if (!name)
		return false;
	/* strnlen: never read further than one byte past the limit. */
	len = strnlen(name, BACKEND_NAME_MAX + 1);
	if (len == 0 || len > BACKEND_NAME_MAX)
		return false;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	return strchr(name, '/') == NULL;
}

TEE_Result backend_pread(struct backend *be, uint32_t fh, uint64_t off,
			 void *buf, size_t len, size_t *got)
{
	struct backend_op op = {
	    .type = BACKEND_OP_READ,
	    .fh = fh,
	    .off = off,
	    .buf = buf,
	    .len = len,
	};
	TEE_Result res = backend_submit(be, &op, 1);

	if (got)
		*got = res == TEE_SUCCESS ? op.done : 0;
	return res;
}

TEE_Result backend_pwrite(struct backend *be, uint32_t fh, uint64_t off,
			  const void *buf, size_t len)
{
	/* The op's buf is not const because READ shares it; WRITE never
	 * modifies it (backend.h). */
	struct backend_op op = {
	    .type = BACKEND_OP_WRITE,
	    .fh = fh,
	    .off = off,
	    .buf = (void *)(uintptr_t)buf,
	    .len = len,
	};

	return backend_submit(be, &op, 1);
}

TEE_Result backend_sync(struct backend *be, uint32_t fh)
{
	struct backend_op op = {.type = BACKEND_OP_SYNC, .fh = fh};

	return backend_submit(be, &op, 1);
}

TEE_Result backend_sync_dir(struct backend *be)
{
	struct backend_op op = {.type = BACKEND_OP_SYNC_DIR};

	return backend_submit(be, &op, 1);
}

TEE_Result backend_truncate(struct backend *be, uint32_t fh, uint64_t len)
{
	struct backend_op op = {
	    .type = BACKEND_OP_TRUNCATE,
	    .fh = fh,
	    .off = len,
	};

	return backend_submit(be, &op, 1);
}
