/* The forwarding calls of a wrapping backend (backend_wrap.h). */
#include "backend_wrap.h"

TEE_Result backend_wrap_open(struct backend *be, const char *name, uint32_t *fh)
{
	return backend_open(backend_wrap_inner(be), name, fh);
}

TEE_Result backend_wrap_create(struct backend *be, const char *name,
			       uint32_t *fh)
{
	return backend_create(backend_wrap_inner(be), name, fh);
}

TEE_Result backend_wrap_close(struct backend *be, uint32_t fh)
{
	return backend_close(backend_wrap_inner(be), fh);
}

TEE_Result backend_wrap_submit(struct backend *be, struct backend_op *ops,
			       size_t n)
{
	return backend_submit(backend_wrap_inner(be), ops, n);
}

TEE_Result backend_wrap_remove(struct backend *be, const char *name)
{
	return backend_remove(backend_wrap_inner(be), name);
}

TEE_Result backend_wrap_rename(struct backend *be, const char *from,
			       const char *to, bool overwrite)
{
	return backend_rename(backend_wrap_inner(be), from, to, overwrite);
}

TEE_Result backend_wrap_list(struct backend *be, backend_list_fn fn, void *arg)
{
	return backend_list(backend_wrap_inner(be), fn, arg);
}
