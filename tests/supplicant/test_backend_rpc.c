/* See test_backend_rpc.h. */
#include "test_backend_rpc.h"

#include <stdio.h>
#include <stdlib.h>

#include "suppl_harness.h"

/* The link's backend, plus the harness it lives in. */
struct rpc_test_backend {
	struct backend base;
	struct backend *inner;
	struct harness h;
};

static struct backend *inner(struct backend *be)
{
	return ((struct rpc_test_backend *)be)->inner;
}

static TEE_Result t_open(struct backend *be, const char *name, uint32_t *fh)
{
	return backend_open(inner(be), name, fh);
}

static TEE_Result t_create(struct backend *be, const char *name, uint32_t *fh)
{
	return backend_create(inner(be), name, fh);
}

static TEE_Result t_close(struct backend *be, uint32_t fh)
{
	return backend_close(inner(be), fh);
}

static TEE_Result t_submit(struct backend *be, struct backend_op *ops, size_t n)
{
	return backend_submit(inner(be), ops, n);
}

static TEE_Result t_remove(struct backend *be, const char *name)
{
	return backend_remove(inner(be), name);
}

static TEE_Result t_rename(struct backend *be, const char *from, const char *to,
			   bool overwrite)
{
	return backend_rename(inner(be), from, to, overwrite);
}

static TEE_Result t_list(struct backend *be, backend_list_fn fn, void *arg)
{
	return backend_list(inner(be), fn, arg);
}

static void t_destroy(struct backend *be)
{
	struct rpc_test_backend *t = (struct rpc_test_backend *)be;

	harness_stop(&t->h);
	free(t);
}

static const struct backend_ops rpc_test_ops = {
    .kind = "rpc",
    .open = t_open,
    .create = t_create,
    .close = t_close,
    .submit = t_submit,
    .remove = t_remove,
    .rename = t_rename,
    .list = t_list,
    .destroy = t_destroy,
};

struct backend *test_backend_rpc_new(const char *dir)
{
	struct rpc_test_backend *t = calloc(1, sizeof(*t));
	int rc;

	if (!t)
		return NULL;
	rc = harness_start_ex(&t->h, "rpc", NULL, dir, false);
	if (rc) {
		fprintf(stderr, "test_backend_rpc_new(%s): %d\n", dir, rc);
		if (t->h.link)
			harness_stop(&t->h);
		free(t);
		return NULL;
	}
	t->base.ops = &rpc_test_ops;
	t->inner = suppl_link_backend(t->h.link);
	return &t->base;
}
