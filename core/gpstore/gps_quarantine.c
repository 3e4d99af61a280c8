/*
 * Keeping a corrupt object aside without touching the engine: gpstore
 * opens the REE engine over this thin backend wrapper. Every call goes
 * straight to the real backend, except that while gps_quarantine_run()
 * runs on a thread, an object file ("%x") the engine removes on that
 * thread is renamed to "corrupt-<TA UUID>-<file>" instead (suffix "-1"..
 * "-9" if taken). The engine's removal of the object (tstore_remove /
 * tstore_remove_id: dirf.db entry gone, file dropped after the commit)
 * thus frees the TA's ID while the ciphertext stays for analysis: the
 * TA's key (HUK + TA UUID, in the name) opens it offline.
 * docs/gp-storage.md, "Corrupt objects".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_wrap.h"
#include "gps_int.h"
#include "log.h"
#include "uuid.h"

struct qrun {
	struct backend *be;
	const TEE_UUID *ta;
	char *kept;
	size_t kept_len;
};

/* The quarantine running on this thread, if any. */
static _Thread_local struct qrun *qrun_current;

static void q_destroy(struct backend *be)
{
	free(be); /* the inner backend stays its owner's */
}

/* An object file name as the engine writes it: 1-8 lower hex digits. */
static bool is_object_file(const char *name)
{
	size_t len = strlen(name), i;

	if (!len || len > 8)
		return false;
	for (i = 0; i < len; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		      (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	return true;
}

static TEE_Result keep_file(struct qrun *q, struct backend *inner,
			    const char *name)
{
	char u[UUID_STR_LEN + 1], to[BACKEND_NAME_MAX + 1];
	TEE_Result res = TEE_ERROR_ACCESS_CONFLICT;
	int n;

	uuid_format(q->ta, u);
	for (n = 0; n < 10 && res == TEE_ERROR_ACCESS_CONFLICT; n++) {
		if (n)
			snprintf(to, sizeof(to), "corrupt-%s-%s-%d", u, name,
				 n);
		else
			snprintf(to, sizeof(to), "corrupt-%s-%s", u, name);
		res = backend_rename(inner, name, to, false);
	}
	if (res == TEE_ERROR_ACCESS_CONFLICT)
		return backend_remove(inner, name); /* ten kept already */
	if (res)
		return res;
	snprintf(q->kept, q->kept_len, "%s", to);
	/* The rename is the evidence: make it durable now. */
	if (backend_sync_dir(inner))
		log_warnx("gpstore: cannot sync the rename to %s", to);
	return TEE_SUCCESS;
}

static TEE_Result q_remove(struct backend *be, const char *name)
{
	struct qrun *q = qrun_current;

	if (!q || q->be != be || q->kept[0] || !is_object_file(name))
		return backend_remove(backend_wrap_inner(be), name);
	return keep_file(q, backend_wrap_inner(be), name);
}

static const struct backend_ops qbackend_ops = {
    .kind = "gpstore-quarantine",
    .open = backend_wrap_open,
    .create = backend_wrap_create,
    .close = backend_wrap_close,
    .submit = backend_wrap_submit,
    .remove = q_remove,
    .rename = backend_wrap_rename,
    .list = backend_wrap_list,
    .destroy = q_destroy,
};

TEE_Result gps_qbackend_new(struct backend *inner, struct backend **out)
{
	struct backend_wrap *q = calloc(1, sizeof(*q));

	if (!q)
		return TEE_ERROR_OUT_OF_MEMORY;
	q->base.ops = &qbackend_ops;
	q->inner = inner;
	*out = &q->base;
	return TEE_SUCCESS;
}

TEE_Result gps_quarantine_run(struct backend *qbe, const TEE_UUID *ta,
			      TEE_Result (*remove_fn)(void *arg), void *arg,
			      char *kept, size_t kept_len)
{
	struct qrun q = {qbe, ta, kept, kept_len};
	TEE_Result res;

	kept[0] = 0;
	qrun_current = &q;
	res = remove_fn(arg);
	qrun_current = NULL;
	return res;
}
