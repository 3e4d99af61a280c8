/*
 * The storage backend over the supplicant RPC (backend.h, kind "rpc"):
 * every call is one or a few round trips (suppl_link_call); a submit()
 * travels as one SUBMIT request (op descriptors in the payload, write and
 * read data in the shared window) and is split only when it holds more
 * than SUPPL_MAX_OPS ops or more data than the window. Protocol:
 * docs/protocol-supplicant.md.
 *
 * Every answer is hostile: its shape is checked exactly and every value
 * against what was asked (a READ cannot return more than it asked for, a
 * handle must be in range). A violation cuts the supplicant off and gives
 * TEE_ERROR_COMMUNICATION; the caller never sees data it did not ask for.
 *
 * Handles: the backend's fh is an index into the link's table (+1), which
 * remembers each file's name, so a handle survives a supplicant restart:
 * on its first use on a new connection it is reopened by name (without
 * truncation). A handle whose name was removed or renamed over cannot be
 * reopened and then gives TEE_ERROR_STORAGE_NOT_AVAILABLE.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "suppl_link_int.h"
#include "wire.h"

#define LIST_CHUNK (16 * 1024)

_Static_assert(BACKEND_NAME_MAX == SUPPL_NAME_MAX, "one name limit");
_Static_assert((int)BACKEND_OP_READ == (int)SUPPL_OP_READ &&
		   (int)BACKEND_OP_WRITE == (int)SUPPL_OP_WRITE &&
		   (int)BACKEND_OP_TRUNCATE == (int)SUPPL_OP_TRUNCATE &&
		   (int)BACKEND_OP_SYNC == (int)SUPPL_OP_SYNC &&
		   (int)BACKEND_OP_SYNC_DIR == (int)SUPPL_OP_SYNC_DIR,
	       "op numbers are shared");

static struct suppl_link *link_of(struct backend *be)
{
	return (struct suppl_link *)be; /* be is the first member */
}

static TEE_Result violation(struct suppl_link *l, const char *why)
{
	suppl_link_drop(l, why);
	return TEE_ERROR_COMMUNICATION;
}

/*
 * An FS round trip whose successful answer carries `extra` bytes after
 * the result; on TEE_SUCCESS *rd is positioned on them.
 */
static TEE_Result fs_call(struct suppl_link *l, const struct wire_wr *w,
			  size_t extra, struct wire_rd *rd)
{
	size_t alen;
	TEE_Result res;

	if (w->overflow)
		return TEE_ERROR_BAD_PARAMETERS;
	res = suppl_link_call(l, SUPPL_MSG_FS, w->buf, w->len, &alen);
	if (res)
		return res;
	*rd = wire_rd_init(l->ans, alen);
	res = wire_get_u32(rd);
	if (rd->short_read)
		return violation(l, "answer without a result");
	res = suppl_link_check_result(l, res);
	if (res == TEE_ERROR_COMMUNICATION)
		return res;
	if (wire_rd_left(rd) != (res == TEE_SUCCESS ? extra : 0))
		return violation(l, "answer of the wrong size");
	return res;
}

static void put_name(struct wire_wr *w, const char *name)
{
	wire_put_u32(w, (uint32_t)strlen(name));
	wire_put_bytes(w, name, strlen(name));
}

static TEE_Result remote_open(struct suppl_link *l, const char *name,
			      bool create, uint32_t *remote)
{
	uint8_t buf[16 + SUPPL_NAME_MAX];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));
	struct wire_rd rd;
	TEE_Result res;

	wire_put_u32(&w, create ? SUPPL_FS_CREATE : SUPPL_FS_OPEN);
	put_name(&w, name);
	res = fs_call(l, &w, 4, &rd);
	if (res)
		return res;
	*remote = wire_get_u32(&rd);
	if (*remote >= SUPPL_MAX_HANDLES)
		return violation(l, "handle out of range");
	return TEE_SUCCESS;
}

static TEE_Result remote_simple(struct suppl_link *l, uint32_t cmd,
				uint32_t handle)
{
	uint8_t buf[8];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));
	struct wire_rd rd;

	wire_put_u32(&w, cmd);
	wire_put_u32(&w, handle);
	return fs_call(l, &w, 0, &rd);
}

static struct rpc_handle *handle_of(struct suppl_link *l, uint32_t fh)
{
	if (fh == 0 || fh > SUPPL_MAX_HANDLES || !l->handles[fh - 1].used)
		return NULL;
	return &l->handles[fh - 1];
}

/* The supplicant's handle for fh on the current connection. */
static TEE_Result resolve(struct suppl_link *l, uint32_t fh, uint32_t *remote)
{
	struct rpc_handle *h = handle_of(l, fh);
	TEE_Result res;

	if (!h)
		return TEE_ERROR_BAD_PARAMETERS;
	if (l->sock < 0)
		return TEE_ERROR_STORAGE_NOT_AVAILABLE;
	if (h->gen != l->gen) {
		if (h->orphan)
			return TEE_ERROR_STORAGE_NOT_AVAILABLE;
		res = remote_open(l, h->name, false, &h->remote);
		if (res)
			return res;
		h->gen = l->gen;
	}
	*remote = h->remote;
	return TEE_SUCCESS;
}

static TEE_Result rpc_open_common(struct backend *be, const char *name,
				  bool create, uint32_t *fh)
{
	struct suppl_link *l = link_of(be);
	TEE_Result res = TEE_ERROR_OUT_OF_MEMORY;
	uint32_t i, remote;

	if (!backend_name_valid(name))
		return TEE_ERROR_BAD_PARAMETERS;
	pthread_mutex_lock(&l->lock);
	for (i = 0; i < SUPPL_MAX_HANDLES && l->handles[i].used; i++)
		;
	if (i < SUPPL_MAX_HANDLES)
		res = remote_open(l, name, create, &remote);
	if (res == TEE_SUCCESS) {
		struct rpc_handle *h = &l->handles[i];

		memset(h, 0, sizeof(*h));
		h->used = true;
		h->gen = l->gen;
		h->remote = remote;
		strcpy(h->name, name);
		*fh = i + 1;
	}
	pthread_mutex_unlock(&l->lock);
	return res;
}

static TEE_Result rpc_open(struct backend *be, const char *name, uint32_t *fh)
{
	return rpc_open_common(be, name, false, fh);
}

static TEE_Result rpc_create(struct backend *be, const char *name, uint32_t *fh)
{
	return rpc_open_common(be, name, true, fh);
}

static TEE_Result rpc_close(struct backend *be, uint32_t fh)
{
	struct suppl_link *l = link_of(be);
	TEE_Result res = TEE_SUCCESS;
	struct rpc_handle *h;

	pthread_mutex_lock(&l->lock);
	h = handle_of(l, fh);
	if (!h)
		res = TEE_ERROR_BAD_PARAMETERS;
	else if (h->gen == l->gen && l->sock >= 0)
		res = remote_simple(l, SUPPL_FS_CLOSE, h->remote);
	/* Gone on our side whatever the supplicant says. */
	if (h)
		h->used = false;
	/* A handle of a lost connection is closed already. */
	if (res == TEE_ERROR_STORAGE_NOT_AVAILABLE)
		res = TEE_SUCCESS;
	pthread_mutex_unlock(&l->lock);
	return res;
}

/* Names are gone or moved: keep the handle table's names true. */
static void handles_renamed(struct suppl_link *l, const char *from,
			    const char *to)
{
	size_t i;

	for (i = 0; i < SUPPL_MAX_HANDLES; i++) {
		struct rpc_handle *h = &l->handles[i];

		if (!h->used || h->orphan)
			continue;
		if (!strcmp(h->name, from))
			strcpy(h->name, to);
		else if (!strcmp(h->name, to))
			h->orphan = true;
	}
}

static void handles_removed(struct suppl_link *l, const char *name)
{
	size_t i;

	for (i = 0; i < SUPPL_MAX_HANDLES; i++)
		if (l->handles[i].used && !strcmp(l->handles[i].name, name))
			l->handles[i].orphan = true;
}

static TEE_Result rpc_remove(struct backend *be, const char *name)
{
	struct suppl_link *l = link_of(be);
	uint8_t buf[16 + SUPPL_NAME_MAX];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));
	struct wire_rd rd;
	TEE_Result res;

	if (!backend_name_valid(name))
		return TEE_ERROR_BAD_PARAMETERS;
	wire_put_u32(&w, SUPPL_FS_REMOVE);
	put_name(&w, name);
	pthread_mutex_lock(&l->lock);
	res = fs_call(l, &w, 0, &rd);
	if (res == TEE_SUCCESS)
		handles_removed(l, name);
	pthread_mutex_unlock(&l->lock);
	return res;
}

static TEE_Result rpc_rename(struct backend *be, const char *from,
			     const char *to, bool overwrite)
{
	struct suppl_link *l = link_of(be);
	uint8_t buf[32 + 2 * SUPPL_NAME_MAX];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));
	struct wire_rd rd;
	TEE_Result res;

	if (!backend_name_valid(from) || !backend_name_valid(to))
		return TEE_ERROR_BAD_PARAMETERS;
	wire_put_u32(&w, SUPPL_FS_RENAME);
	wire_put_u32(&w, overwrite ? 1 : 0);
	wire_put_u32(&w, (uint32_t)strlen(from));
	wire_put_u32(&w, (uint32_t)strlen(to));
	wire_put_bytes(&w, from, strlen(from));
	wire_put_bytes(&w, to, strlen(to));
	pthread_mutex_lock(&l->lock);
	res = fs_call(l, &w, 0, &rd);
	if (res == TEE_SUCCESS && strcmp(from, to))
		handles_renamed(l, from, to);
	pthread_mutex_unlock(&l->lock);
	return res;
}

/*
 * Checks one chunk of names copied out of the window (count NUL-ended
 * names filling buf[0, used) exactly, each a valid name).
 */
static bool names_valid(const char *buf, size_t used, uint32_t count)
{
	size_t p = 0, n;
	uint32_t i;

	for (i = 0; i < count; i++) {
		if (p >= used)
			return false;
		n = strnlen(buf + p, used - p);
		if (n == used - p || !backend_name_valid(buf + p))
			return false;
		p += n + 1;
	}
	return p == used;
}

/* One READDIR_BULK: names into buf; *count 0 at the end. */
static TEE_Result list_chunk(struct suppl_link *l, uint32_t dh, char *buf,
			     uint32_t *count, uint32_t *used)
{
	uint32_t cap = LIST_CHUNK < l->shm.size ? LIST_CHUNK : l->shm.size;
	uint8_t req[12];
	struct wire_wr w = wire_wr_init(req, sizeof(req));
	struct wire_rd rd;
	TEE_Result res;

	wire_put_u32(&w, SUPPL_FS_READDIR_BULK);
	wire_put_u32(&w, dh);
	wire_put_u32(&w, cap);
	res = fs_call(l, &w, 8, &rd);
	if (res)
		return res;
	*count = wire_get_u32(&rd);
	*used = wire_get_u32(&rd);
	if (*used > cap || (*count == 0) != (*used == 0))
		return violation(l, "directory chunk out of range");
	/* One fetch from the window, then checks on our copy. */
	memcpy(buf, l->shm.addr, *used);
	if (!names_valid(buf, *used, *count))
		return violation(l, "malformed directory chunk");
	return TEE_SUCCESS;
}

/* Calls fn per name with the lock released (fn may use the backend). */
static int list_deliver(struct suppl_link *l, const char *buf, uint32_t count,
			backend_list_fn fn, void *arg)
{
	int stop = 0;

	pthread_mutex_unlock(&l->lock);
	while (count-- && !stop) {
		stop = fn(arg, buf);
		buf += strlen(buf) + 1;
	}
	pthread_mutex_lock(&l->lock);
	return stop;
}

static TEE_Result rpc_list(struct backend *be, backend_list_fn fn, void *arg)
{
	struct suppl_link *l = link_of(be);
	uint8_t req[8];
	struct wire_wr w = wire_wr_init(req, sizeof(req));
	struct wire_rd rd;
	char *buf = malloc(LIST_CHUNK);
	uint32_t dh, count, used;
	uint64_t gen;
	TEE_Result res;

	if (!buf)
		return TEE_ERROR_OUT_OF_MEMORY;
	wire_put_u32(&w, SUPPL_FS_OPENDIR);
	wire_put_u32(&w, 0); /* the root: the empty name */
	pthread_mutex_lock(&l->lock);
	res = fs_call(l, &w, 4, &rd);
	if (res)
		goto out;
	dh = wire_get_u32(&rd);
	if (dh >= SUPPL_MAX_DIRS) {
		res = violation(l, "directory handle out of range");
		goto out;
	}
	gen = l->gen;
	for (;;) {
		res = list_chunk(l, dh, buf, &count, &used);
		if (res || count == 0 || list_deliver(l, buf, count, fn, arg))
			break;
		if (l->gen != gen || l->sock < 0) {
			res = TEE_ERROR_STORAGE_NOT_AVAILABLE;
			break;
		}
	}
	if (l->gen == gen && l->sock >= 0) {
		TEE_Result r2 = remote_simple(l, SUPPL_FS_CLOSEDIR, dh);

		if (res == TEE_SUCCESS)
			res = r2;
	}
out:
	pthread_mutex_unlock(&l->lock);
	free(buf);
	return res;
}

static TEE_Result check_ops(const struct backend_op *ops, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (ops[i].type) {
		case BACKEND_OP_READ:
		case BACKEND_OP_WRITE:
			if (ops[i].len && !ops[i].buf)
				return TEE_ERROR_BAD_PARAMETERS;
			if (ops[i].off > INT64_MAX ||
			    ops[i].len > INT64_MAX - ops[i].off)
				return TEE_ERROR_BAD_PARAMETERS;
			break;
		case BACKEND_OP_TRUNCATE:
			if (ops[i].off > INT64_MAX)
				return TEE_ERROR_BAD_PARAMETERS;
			break;
		case BACKEND_OP_SYNC:
		case BACKEND_OP_SYNC_DIR:
			break;
		default:
			return TEE_ERROR_BAD_PARAMETERS;
		}
	}
	return TEE_SUCCESS;
}

/* The cursor over ops while they are cut into SUBMIT requests. */
struct submit_pos {
	size_t i;     /* current op */
	uint64_t pos; /* bytes of it already sent (READ/WRITE) */
};

/*
 * Adds ops from *sp to the request in l->req until it holds
 * SUPPL_MAX_OPS ops or the window is full. Returns the piece count in
 * *np; a resolve failure stops with its error.
 */
static TEE_Result build_chunk(struct suppl_link *l, struct backend_op *ops,
			      size_t n, struct submit_pos *sp, uint32_t *np,
			      size_t *wlen)
{
	struct wire_wr w = wire_wr_init(l->req, sizeof(l->req));
	uint8_t *shm = l->shm.addr;
	size_t used = 0;
	TEE_Result res;

	*np = 0;
	wire_put_u32(&w, SUPPL_FS_SUBMIT);
	wire_put_u32(&w, 0); /* nops, patched below */
	while (sp->i < n && *np < SUPPL_MAX_OPS) {
		struct backend_op *op = &ops[sp->i];
		struct rpc_piece *pc = &l->pieces[*np];
		bool data =
		    op->type == BACKEND_OP_READ || op->type == BACKEND_OP_WRITE;
		uint32_t remote = 0;
		uint64_t left = op->len - sp->pos;

		if (data && used == l->shm.size)
			break;
		if (op->type != BACKEND_OP_SYNC_DIR) {
			res = resolve(l, op->fh, &remote);
			if (res)
				return res;
			shm = l->shm.addr; /* unchanged: resolve keeps it */
		}
		pc->op = (uint32_t)sp->i;
		pc->op_off = sp->pos;
		pc->len = 0;
		pc->shm_off = data ? (uint32_t)used : 0;
		if (data) {
			pc->len = (uint32_t)(left < l->shm.size - used
						 ? left
						 : l->shm.size - used);
			if (op->type == BACKEND_OP_WRITE && pc->len)
				memcpy(shm + used, (uint8_t *)op->buf + sp->pos,
				       pc->len);
			used += pc->len;
		}
		wire_put_u32(&w, op->type);
		wire_put_u32(&w, remote);
		wire_put_u64(&w, data ? op->off + sp->pos
				 : op->type == BACKEND_OP_TRUNCATE ? op->off
								   : 0);
		wire_put_u32(&w, pc->len);
		wire_put_u32(&w, pc->shm_off);
		(*np)++;
		sp->pos += pc->len;
		if (data && sp->pos < op->len)
			break; /* the window is full: the rest goes next */
		sp->i++;
		sp->pos = 0;
	}
	put_le32(l->req + 4, *np);
	*wlen = w.len;
	return TEE_SUCCESS;
}

/*
 * Checks a SUBMIT answer and copies read data out of the window. On a
 * failure *failed is the index of the op that failed (ops before it took
 * effect); it is left alone when nothing of the request took effect.
 */
static TEE_Result take_answer(struct suppl_link *l, struct backend_op *ops,
			      struct submit_pos *sp, uint32_t np, size_t alen,
			      size_t *failed)
{
	struct wire_rd rd = wire_rd_init(l->ans, alen);
	TEE_Result res = wire_get_u32(&rd);
	uint32_t completed, j;

	res = suppl_link_check_result(l, res);
	if (res == TEE_ERROR_COMMUNICATION)
		return res;
	if (alen == 4 && res != TEE_SUCCESS)
		return res; /* refused as a whole: nothing took effect */
	completed = wire_get_u32(&rd);
	if (alen != 8 + 4 * (size_t)np || completed > np ||
	    (res == TEE_SUCCESS) != (completed == np))
		return violation(l, "malformed batch answer");
	if (res != TEE_SUCCESS)
		*failed = l->pieces[completed].op;
	for (j = 0; j < completed; j++) {
		const struct rpc_piece *pc = &l->pieces[j];
		struct backend_op *op = &ops[pc->op];
		uint32_t done = wire_get_u32(&rd);

		if (op->type != BACKEND_OP_READ) {
			if (done != 0)
				return violation(l, "done on a non-read");
			continue;
		}
		if (done > pc->len)
			return violation(l, "read answer larger than asked");
		memcpy((uint8_t *)op->buf + pc->op_off,
		       (uint8_t *)l->shm.addr + pc->shm_off, done);
		op->done += done;
		/* End of file inside an op cut in two: skip its rest. */
		if (done < pc->len && j == np - 1 && sp->i == pc->op &&
		    sp->pos) {
			sp->i++;
			sp->pos = 0;
		}
	}
	return res;
}

/*
 * Runs ops as SUBMIT requests (l->lock held). On a failure *failed is the
 * index of the op that failed: ops before it took effect, none after.
 */
static TEE_Result submit_locked(struct suppl_link *l, struct backend_op *ops,
				size_t n, size_t *failed)
{
	struct submit_pos sp = {0, 0};
	TEE_Result res = TEE_SUCCESS, unresolved = TEE_SUCCESS;
	size_t i, wlen, alen, limit;
	uint32_t np, remote;

	/* Every handle first: an op whose handle cannot be reopened fails
	 * after the ops before it have run, never in the middle of a
	 * request. */
	for (limit = 0; limit < n && l->sock >= 0; limit++) {
		if (ops[limit].type == BACKEND_OP_SYNC_DIR)
			continue;
		unresolved = resolve(l, ops[limit].fh, &remote);
		if (unresolved)
			break;
	}
	for (i = 0; i < n; i++)
		if (ops[i].type == BACKEND_OP_READ)
			ops[i].done = 0;
	while (sp.i < limit && res == TEE_SUCCESS) {
		*failed = sp.i; /* unless the answer says otherwise */
		if (l->sock < 0) {
			res = TEE_ERROR_STORAGE_NOT_AVAILABLE;
			break;
		}
		res = build_chunk(l, ops, limit, &sp, &np, &wlen);
		if (res)
			break;
		res = suppl_link_call(l, SUPPL_MSG_FS, l->req, wlen, &alen);
		if (res == TEE_SUCCESS)
			res = take_answer(l, ops, &sp, np, alen, failed);
	}
	if (res == TEE_SUCCESS && limit < n) {
		*failed = limit;
		res =
		    l->sock < 0 ? TEE_ERROR_STORAGE_NOT_AVAILABLE : unresolved;
	}
	if (res == TEE_SUCCESS)
		*failed = n;
	return res;
}

/*
 * Submit combining. Engine threads that submit while a round trip is in
 * flight queue their batches (under qlock); whoever takes the link next
 * sends every queued batch that fits one request (ops, window) as ONE
 * SUBMIT, with each batch's trailing SYNC/SYNC_DIR ops moved to the end,
 * so that the supplicant runs the barriers of concurrent commits side by
 * side (fsync_group) instead of one after the other, and the reads of the
 * crypto pool's threads share one round trip. Each batch keeps its own
 * order and its own result: ops of a batch before the failing op took
 * effect (backend.h); a batch whose ops were only held up by another
 * batch's failure is run again by itself (every op is idempotent).
 */
struct rpc_member {
	struct backend_op *ops;
	size_t n;
	size_t nbody; /* ops before the trailing barriers */
	size_t data;  /* READ/WRITE bytes */
	size_t *pos;  /* index of each op in the combined request */
	TEE_Result res;
	bool done;		 /* res is final (qlock) */
	struct rpc_member *next; /* l->queue (qlock) */
};

static bool is_barrier(const struct backend_op *op)
{
	return op->type == BACKEND_OP_SYNC || op->type == BACKEND_OP_SYNC_DIR;
}

static void member_init(struct rpc_member *m, struct backend_op *ops, size_t n)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	m->ops = ops;
	m->n = m->nbody = n;
	while (m->nbody && is_barrier(&ops[m->nbody - 1]))
		m->nbody--;
	for (i = 0; i < n; i++)
		if (ops[i].type == BACKEND_OP_READ ||
		    ops[i].type == BACKEND_OP_WRITE)
			m->data += ops[i].len;
}

/* Unlinks m from the queue (qlock held). */
static void queue_remove(struct suppl_link *l, struct rpc_member *m)
{
	struct rpc_member **pp;

	for (pp = &l->queue; *pp; pp = &(*pp)->next)
		if (*pp == m) {
			*pp = m->next;
			return;
		}
}

/*
 * Takes me and the queued members one request can also carry (qlock
 * held): v[0] is me.
 */
static size_t take_members(struct suppl_link *l, struct rpc_member *me,
			   struct rpc_member **v, size_t cap)
{
	struct rpc_member **pp;
	size_t k = 1, ops = me->n, data = me->data;

	queue_remove(l, me);
	v[0] = me;
	for (pp = &l->queue; *pp && k < cap;) {
		struct rpc_member *m = *pp;

		if (ops + m->n > SUPPL_MAX_OPS ||
		    data + m->data > l->shm.size) {
			pp = &m->next;
			continue;
		}
		ops += m->n;
		data += m->data;
		*pp = m->next;
		v[k++] = m;
	}
	return k;
}

/* One request for members v[0..k): bodies in order, then the barriers. */
static TEE_Result run_combined(struct suppl_link *l, struct rpc_member **v,
			       size_t k, struct backend_op *cops, size_t *pos)
{
	size_t j, i, c = 0, failed = 0;
	TEE_Result res;

	for (j = 0; j < k; j++) {
		v[j]->pos = pos;
		for (i = 0; i < v[j]->nbody; i++)
			pos[i] = c, cops[c++] = v[j]->ops[i];
		pos += v[j]->n;
	}
	for (j = 0; j < k; j++)
		for (i = v[j]->nbody; i < v[j]->n; i++)
			v[j]->pos[i] = c, cops[c++] = v[j]->ops[i];
	res = submit_locked(l, cops, c, &failed);
	for (j = 0; j < k; j++) {
		struct rpc_member *m = v[j];
		size_t first = m->n; /* its first op not done */

		for (i = 0; i < m->n; i++) {
			m->ops[i].done = cops[m->pos[i]].done;
			if (m->pos[i] >= failed && first == m->n)
				first = i;
		}
		if (res == TEE_SUCCESS || first == m->n)
			m->res = TEE_SUCCESS;
		else if (m->pos[first] == failed || l->sock < 0)
			m->res = res;
		else /* held up by another batch: its own request now */
			m->res = submit_locked(l, m->ops + first, m->n - first,
					       &failed);
	}
	return res;
}

#define COMBINE_MAX 32

static TEE_Result rpc_submit(struct backend *be, struct backend_op *ops,
			     size_t n)
{
	struct suppl_link *l = link_of(be);
	struct rpc_member me, *v[COMBINE_MAX];
	struct backend_op *cops = NULL;
	size_t k, j, total = 0, failed;
	size_t *pos = NULL;
	TEE_Result res = check_ops(ops, n);

	if (res)
		return res;
	member_init(&me, ops, n);
	pthread_mutex_lock(&l->qlock);
	me.next = l->queue;
	l->queue = &me; /* any order: every queued thread waits */
	pthread_mutex_unlock(&l->qlock);

	pthread_mutex_lock(&l->lock);
	pthread_mutex_lock(&l->qlock);
	if (me.done) { /* another thread sent it */
		pthread_mutex_unlock(&l->qlock);
		pthread_mutex_unlock(&l->lock);
		return me.res;
	}
	k = take_members(l, &me, v, COMBINE_MAX);
	pthread_mutex_unlock(&l->qlock);
	for (j = 0; j < k; j++)
		total += v[j]->n;
	if (k > 1) {
		cops = malloc(total * sizeof(*cops));
		pos = malloc(total * sizeof(*pos));
	}
	if (k == 1 || !cops || !pos) {
		/* Alone (or no memory to combine): one after the other. */
		for (j = 0; j < k; j++)
			v[j]->res =
			    submit_locked(l, v[j]->ops, v[j]->n, &failed);
	} else {
		run_combined(l, v, k, cops, pos);
		l->stats.combined += k - 1;
	}
	free(cops);
	free(pos);
	pthread_mutex_lock(&l->qlock);
	for (j = 0; j < k; j++)
		v[j]->done = true;
	pthread_mutex_unlock(&l->qlock);
	pthread_mutex_unlock(&l->lock);
	return me.res;
}

static void rpc_destroy(struct backend *be)
{
	(void)be; /* owned by the link: suppl_link_stop() frees it */
}

static const struct backend_ops rpc_ops = {
    .kind = "rpc",
    .open = rpc_open,
    .create = rpc_create,
    .close = rpc_close,
    .submit = rpc_submit,
    .remove = rpc_remove,
    .rename = rpc_rename,
    .list = rpc_list,
    .destroy = rpc_destroy,
};

void backend_rpc_init(struct suppl_link *l)
{
	l->be.ops = &rpc_ops;
}

struct backend *suppl_link_backend(struct suppl_link *l)
{
	return &l->be;
}
