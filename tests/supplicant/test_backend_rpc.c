/* See test_backend_rpc.h. */
#include "test_backend_rpc.h"

#include <stdio.h>
#include <stdlib.h>

#include "backend_wrap.h"
#include "suppl_harness.h"

/* The link's backend, plus the harness it lives in. */
struct rpc_test_backend {
	struct backend_wrap w; /* first: a struct backend */
	struct harness h;
};

static void t_destroy(struct backend *be)
{
	struct rpc_test_backend *t = (struct rpc_test_backend *)be;

	harness_stop(&t->h);
	free(t);
}

static const struct backend_ops rpc_test_ops = {
    .kind = "rpc",
    .open = backend_wrap_open,
    .create = backend_wrap_create,
    .close = backend_wrap_close,
    .submit = backend_wrap_submit,
    .remove = backend_wrap_remove,
    .rename = backend_wrap_rename,
    .list = backend_wrap_list,
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
	t->w.base.ops = &rpc_test_ops;
	t->w.inner = suppl_link_backend(t->h.link);
	return &t->w.base;
}
