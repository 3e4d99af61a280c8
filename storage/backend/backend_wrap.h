/*
 * A backend over another one (inner) that changes one or two calls:
 * embed struct backend_wrap first, fill the ops table with the
 * backend_wrap_* forwarders below, and put your own functions where the
 * behaviour differs (gpstore's quarantine changes remove, the tests'
 * RPC wrapper changes destroy).
 */
#ifndef TEESTORE_BACKEND_WRAP_H
#define TEESTORE_BACKEND_WRAP_H

#include "backend.h"

struct backend_wrap {
	struct backend base;
	struct backend *inner;
};

static inline struct backend *backend_wrap_inner(struct backend *be)
{
	return ((struct backend_wrap *)be)->inner;
}

TEE_Result backend_wrap_open(struct backend *be, const char *name,
			     uint32_t *fh);
TEE_Result backend_wrap_create(struct backend *be, const char *name,
			       uint32_t *fh);
TEE_Result backend_wrap_close(struct backend *be, uint32_t fh);
TEE_Result backend_wrap_submit(struct backend *be, struct backend_op *ops,
			       size_t n);
TEE_Result backend_wrap_remove(struct backend *be, const char *name);
TEE_Result backend_wrap_rename(struct backend *be, const char *from,
			       const char *to, bool overwrite);
TEE_Result backend_wrap_list(struct backend *be, backend_list_fn fn, void *arg);

#endif
