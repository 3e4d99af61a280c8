/*
 * The fake backend (backend_fake.h): backend.h over the simulated disk of
 * fake_state.c, plus events, power loss, error injection and capacity.
 *
 * Every entry point takes `lock` for its whole duration, so a submit()
 * is atomic with respect to other threads (the fake models a disk, not a
 * scheduler).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "backend_fake.h"
#include "fake_state.h"
#include "tee_api_defines.h"

struct fake_backend {
	struct backend be;
	pthread_mutex_t lock; /* protects everything below */
	struct fake_state s;
	bool off;		     /* the power has failed */
	uint64_t crash_at;	     /* event that becomes the power loss */
	enum backend_fake_mode mode; /* how the power loss resolves */
	uint64_t seed;
	uint64_t fail_at; /* event that fails with fail_err */
	TEE_Result fail_err;
	uint64_t capacity; /* bytes; 0 = unlimited */
	struct backend_fake_stats st;
};

static const struct backend_ops fake_ops;

static struct fake_backend *to_fake(struct backend *be)
{
	return (struct fake_backend *)be;
}

/*
 * Numbers the next event and decides its fate: the power loss, an
 * injected error, or normal execution.
 */
static TEE_Result fake_event(struct fake_backend *f)
{
	uint64_t n = ++f->st.events;

	if (n == f->crash_at) {
		f->off = true;
		return TEE_ERROR_STORAGE_NOT_AVAILABLE;
	}
	if (n == f->fail_at)
		return f->fail_err;
	return TEE_SUCCESS;
}

/* Would growing the volatile size by `grow` bytes exceed the capacity? */
static bool fake_full(struct fake_backend *f, uint64_t grow)
{
	return f->capacity && grow &&
	       fake_total_size(&f->s) + grow > f->capacity;
}

/* The inode of handle fh, or NULL. */
static struct fake_inode *fake_handle(struct fake_backend *f, uint32_t fh)
{
	uint32_t ino;

	if (fh == 0 || fh > BACKEND_FAKE_MAX_HANDLES)
		return NULL;
	ino = f->s.handles[fh - 1];
	if (ino == 0)
		return NULL;
	return &f->s.inodes[ino - 1];
}

static TEE_Result fake_handle_new(struct fake_backend *f, uint32_t ino,
				  uint32_t *fh)
{
	uint32_t i;

	for (i = 0; i < BACKEND_FAKE_MAX_HANDLES; i++) {
		if (f->s.handles[i] == 0) {
			f->s.handles[i] = ino + 1;
			f->s.inodes[ino].nopen++;
			*fh = i + 1;
			return TEE_SUCCESS;
		}
	}
	return TEE_ERROR_OUT_OF_MEMORY;
}

static bool fake_handles_full(struct fake_backend *f)
{
	uint32_t i;

	for (i = 0; i < BACKEND_FAKE_MAX_HANDLES; i++)
		if (f->s.handles[i] == 0)
			return false;
	return true;
}

static TEE_Result fake_open(struct backend *be, const char *name, uint32_t *fh)
{
	struct fake_backend *f = to_fake(be);
	TEE_Result res = TEE_ERROR_STORAGE_NOT_AVAILABLE;
	long idx;

	*fh = 0;
	if (!backend_name_valid(name))
		return TEE_ERROR_BAD_PARAMETERS;
	pthread_mutex_lock(&f->lock);
	if (f->off)
		goto out;
	idx = fake_ns_find(&f->s.vol, name);
	if (idx < 0)
		res = TEE_ERROR_ITEM_NOT_FOUND;
	else
		res = fake_handle_new(f, f->s.vol.v[idx].ino, fh);
out:
	pthread_mutex_unlock(&f->lock);
	return res;
}

/* create of a name that does not exist: a namespace event. */
static TEE_Result fake_create_new(struct fake_backend *f, const char *name,
				  uint32_t *fh)
{
	TEE_Result res;
	uint32_t ino;

	res = fake_inode_new(&f->s, &ino);
	if (res)
		return res;
	res = fake_ns_set(&f->s.vol, name, ino);
	if (res == TEE_SUCCESS)
		res = fake_nsop_add(&f->s, FAKE_NS_CREATE, ino, name, NULL);
	if (res == TEE_SUCCESS)
		res = fake_handle_new(f, ino, fh);
	if (res) {
		long idx = fake_ns_find(&f->s.vol, name);

		if (idx >= 0)
			fake_ns_del(&f->s.vol, (size_t)idx);
		fake_inode_gc(&f->s, ino);
		return res;
	}
	f->st.creates++;
	return TEE_SUCCESS;
}

static TEE_Result fake_create(struct backend *be, const char *name,
			      uint32_t *fh)
{
	struct fake_backend *f = to_fake(be);
	TEE_Result res = TEE_ERROR_STORAGE_NOT_AVAILABLE;
	uint32_t ino;
	long idx;

	*fh = 0;
	if (!backend_name_valid(name))
		return TEE_ERROR_BAD_PARAMETERS;
	pthread_mutex_lock(&f->lock);
	if (f->off)
		goto out;
	res = TEE_ERROR_OUT_OF_MEMORY;
	if (fake_handles_full(f))
		goto out;
	res = fake_event(f);
	if (res)
		goto out;
	idx = fake_ns_find(&f->s.vol, name);
	if (idx < 0) {
		res = fake_create_new(f, name, fh);
		goto out;
	}
	/* An existing name: the same inode, truncated (O_TRUNC). */
	ino = f->s.vol.v[idx].ino;
	res = fake_inode_truncate(&f->s.inodes[ino], 0);
	if (res == TEE_SUCCESS) {
		f->st.truncates++;
		res = fake_handle_new(f, ino, fh);
	}
out:
	pthread_mutex_unlock(&f->lock);
	return res;
}

static TEE_Result fake_close(struct backend *be, uint32_t fh)
{
	struct fake_backend *f = to_fake(be);
	TEE_Result res = TEE_ERROR_STORAGE_NOT_AVAILABLE;
	uint32_t ino;

	pthread_mutex_lock(&f->lock);
	if (f->off)
		goto out;
	res = TEE_ERROR_BAD_PARAMETERS;
	if (!fake_handle(f, fh))
		goto out;
	ino = f->s.handles[fh - 1] - 1;
	f->s.handles[fh - 1] = 0;
	f->s.inodes[ino].nopen--;
	fake_inode_gc(&f->s, ino);
	res = TEE_SUCCESS;
out:
	pthread_mutex_unlock(&f->lock);
	return res;
}

static TEE_Result fake_read(struct fake_backend *f, struct fake_inode *in,
			    struct backend_op *op)
{
	size_t avail;

	op->done = 0;
	f->st.reads++;
	if (op->off >= in->cur.size)
		return TEE_SUCCESS;
	avail = in->cur.size - (size_t)op->off;
	op->done = op->len < avail ? op->len : avail;
	if (op->done)
		memcpy(op->buf, in->cur.data + op->off, op->done);
	f->st.bytes_read += op->done;
	return TEE_SUCCESS;
}

static TEE_Result fake_write(struct fake_backend *f, struct fake_inode *in,
			     struct backend_op *op)
{
	uint64_t end = op->off + op->len;
	TEE_Result res;

	if (end < op->off)
		return TEE_ERROR_BAD_PARAMETERS;
	res = fake_event(f);
	if (res)
		return res;
	if (op->len && end > in->cur.size && fake_full(f, end - in->cur.size))
		return TEE_ERROR_STORAGE_NO_SPACE;
	res = fake_inode_write(in, op->off, op->buf, op->len);
	if (res == TEE_SUCCESS) {
		f->st.writes++;
		f->st.bytes_written += op->len;
	}
	return res;
}

static TEE_Result fake_truncate(struct fake_backend *f, struct fake_inode *in,
				uint64_t len)
{
	TEE_Result res = fake_event(f);

	if (res)
		return res;
	if (len > in->cur.size && fake_full(f, len - in->cur.size))
		return TEE_ERROR_STORAGE_NO_SPACE;
	res = fake_inode_truncate(in, len);
	if (res == TEE_SUCCESS)
		f->st.truncates++;
	return res;
}

static TEE_Result fake_sync(struct fake_backend *f, struct fake_inode *in)
{
	struct fake_fate all = {.mode = BACKEND_FAKE_KEEP};
	TEE_Result res = fake_event(f);

	if (res)
		return res;
	f->st.syncs++;
	return fake_inode_settle(in, &all);
}

static TEE_Result fake_sync_dir(struct fake_backend *f)
{
	struct fake_fate all = {.mode = BACKEND_FAKE_KEEP};
	TEE_Result res = fake_event(f);

	if (res)
		return res;
	f->st.sync_dirs++;
	res = fake_ns_settle(&f->s, &all);
	/* Inodes only the old durable namespace named are gone now. */
	fake_inode_gc_all(&f->s);
	return res;
}

static TEE_Result fake_run_op(struct fake_backend *f, struct backend_op *op)
{
	struct fake_inode *in = NULL;

	if (op->type == BACKEND_OP_SYNC_DIR)
		return fake_sync_dir(f);
	in = fake_handle(f, op->fh);
	if (!in)
		return TEE_ERROR_BAD_PARAMETERS;
	switch (op->type) {
	case BACKEND_OP_READ:
		return fake_read(f, in, op);
	case BACKEND_OP_WRITE:
		return fake_write(f, in, op);
	case BACKEND_OP_TRUNCATE:
		return fake_truncate(f, in, op->off);
	case BACKEND_OP_SYNC:
		return fake_sync(f, in);
	default:
		return TEE_ERROR_BAD_PARAMETERS;
	}
}

static TEE_Result fake_submit(struct backend *be, struct backend_op *ops,
			      size_t n)
{
	struct fake_backend *f = to_fake(be);
	TEE_Result res = TEE_SUCCESS;
	size_t i;

	pthread_mutex_lock(&f->lock);
	f->st.submits++;
	for (i = 0; i < n && res == TEE_SUCCESS; i++) {
		/* The power may fail in the middle of a batch. */
		if (f->off) {
			res = TEE_ERROR_STORAGE_NOT_AVAILABLE;
			break;
		}
		f->st.ops++;
		res = fake_run_op(f, &ops[i]);
	}
	pthread_mutex_unlock(&f->lock);
	return res;
}

static TEE_Result fake_remove(struct backend *be, const char *name)
{
	struct fake_backend *f = to_fake(be);
	TEE_Result res = TEE_ERROR_STORAGE_NOT_AVAILABLE;
	uint32_t ino;
	long idx;

	if (!backend_name_valid(name))
		return TEE_ERROR_BAD_PARAMETERS;
	pthread_mutex_lock(&f->lock);
	if (f->off)
		goto out;
	res = fake_event(f);
	if (res)
		goto out;
	res = TEE_ERROR_ITEM_NOT_FOUND;
	idx = fake_ns_find(&f->s.vol, name);
	if (idx < 0)
		goto out;
	/* Record first: on failure nothing has changed. */
	res = fake_nsop_add(&f->s, FAKE_NS_REMOVE, 0, name, NULL);
	if (res)
		goto out;
	ino = f->s.vol.v[idx].ino;
	fake_ns_del(&f->s.vol, (size_t)idx);
	fake_inode_gc(&f->s, ino);
	f->st.removes++;
out:
	pthread_mutex_unlock(&f->lock);
	return res;
}

static TEE_Result fake_rename_locked(struct fake_backend *f, const char *from,
				     const char *to, bool overwrite)
{
	long src = fake_ns_find(&f->s.vol, from), dst;
	uint32_t ino, old = FAKE_NO_INODE;
	TEE_Result res;

	if (src < 0)
		return TEE_ERROR_ITEM_NOT_FOUND;
	dst = fake_ns_find(&f->s.vol, to);
	if (dst >= 0 && !overwrite)
		return TEE_ERROR_ACCESS_CONFLICT;
	if (!strcmp(from, to))
		return TEE_SUCCESS; /* as rename(2): nothing to do */
	res = fake_nsop_add(&f->s, FAKE_NS_RENAME, 0, from, to);
	if (res)
		return res;
	ino = f->s.vol.v[src].ino;
	if (dst >= 0) {
		old = f->s.vol.v[dst].ino;
		f->s.vol.v[dst].ino = ino;
		fake_ns_del(&f->s.vol, (size_t)src);
	} else {
		/* Rename in place: no allocation, cannot fail. */
		strncpy(f->s.vol.v[src].name, to, BACKEND_NAME_MAX);
	}
	if (old != FAKE_NO_INODE)
		fake_inode_gc(&f->s, old);
	f->st.renames++;
	return TEE_SUCCESS;
}

static TEE_Result fake_rename(struct backend *be, const char *from,
			      const char *to, bool overwrite)
{
	struct fake_backend *f = to_fake(be);
	TEE_Result res = TEE_ERROR_STORAGE_NOT_AVAILABLE;

	if (!backend_name_valid(from) || !backend_name_valid(to))
		return TEE_ERROR_BAD_PARAMETERS;
	pthread_mutex_lock(&f->lock);
	if (!f->off) {
		res = fake_event(f);
		if (res == TEE_SUCCESS)
			res = fake_rename_locked(f, from, to, overwrite);
	}
	pthread_mutex_unlock(&f->lock);
	return res;
}

/*
 * The callback runs without the lock (it may call the backend), over a
 * snapshot of the names taken under it.
 */
static TEE_Result fake_list(struct backend *be, backend_list_fn fn, void *arg)
{
	struct fake_backend *f = to_fake(be);
	TEE_Result res = TEE_ERROR_STORAGE_NOT_AVAILABLE;
	struct fake_name *names = NULL;
	size_t n = 0, i;

	pthread_mutex_lock(&f->lock);
	if (!f->off) {
		res = TEE_SUCCESS;
		n = f->s.vol.n;
		if (n) {
			names = malloc(n * sizeof(*names));
			if (names)
				memcpy(names, f->s.vol.v, n * sizeof(*names));
			else
				res = TEE_ERROR_OUT_OF_MEMORY;
		}
	}
	pthread_mutex_unlock(&f->lock);
	for (i = 0; res == TEE_SUCCESS && i < n; i++)
		if (fn(arg, names[i].name))
			break;
	free(names);
	return res;
}

static void fake_destroy(struct backend *be)
{
	struct fake_backend *f = to_fake(be);

	fake_state_free(&f->s);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

static const struct backend_ops fake_ops = {
    .kind = "fake",
    .open = fake_open,
    .create = fake_create,
    .close = fake_close,
    .submit = fake_submit,
    .remove = fake_remove,
    .rename = fake_rename,
    .list = fake_list,
    .destroy = fake_destroy,
};

TEE_Result backend_fake_new(struct backend **out)
{
	struct fake_backend *f = calloc(1, sizeof(*f));

	*out = NULL;
	if (!f)
		return TEE_ERROR_OUT_OF_MEMORY;
	f->be.ops = &fake_ops;
	pthread_mutex_init(&f->lock, NULL);
	*out = &f->be;
	return TEE_SUCCESS;
}

TEE_Result backend_fake_clone(struct backend *be, struct backend **out)
{
	struct fake_backend *f = to_fake(be), *c;
	TEE_Result res;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return TEE_ERROR_OUT_OF_MEMORY;
	pthread_mutex_lock(&f->lock);
	res = fake_state_copy(&c->s, &f->s);
	c->off = f->off;
	c->crash_at = f->crash_at;
	c->mode = f->mode;
	c->seed = f->seed;
	c->fail_at = f->fail_at;
	c->fail_err = f->fail_err;
	c->capacity = f->capacity;
	c->st = f->st;
	pthread_mutex_unlock(&f->lock);
	if (res) {
		free(c);
		return res;
	}
	c->be.ops = &fake_ops;
	pthread_mutex_init(&c->lock, NULL);
	*out = &c->be;
	return TEE_SUCCESS;
}

void backend_fake_set_crash_at(struct backend *be, uint64_t n,
			       enum backend_fake_mode mode, uint64_t seed)
{
	struct fake_backend *f = to_fake(be);

	pthread_mutex_lock(&f->lock);
	f->crash_at = n;
	f->mode = mode;
	f->seed = seed;
	pthread_mutex_unlock(&f->lock);
}

void backend_fake_crash_now(struct backend *be, enum backend_fake_mode mode,
			    uint64_t seed)
{
	struct fake_backend *f = to_fake(be);

	pthread_mutex_lock(&f->lock);
	if (!f->off) {
		f->off = true;
		f->mode = mode;
		f->seed = seed;
	}
	pthread_mutex_unlock(&f->lock);
}

bool backend_fake_powered_off(struct backend *be)
{
	struct fake_backend *f = to_fake(be);
	bool off;

	pthread_mutex_lock(&f->lock);
	off = f->off;
	pthread_mutex_unlock(&f->lock);
	return off;
}

/*
 * Data first, inode by inode, then the namespace: the order in which the
 * PRNG's coins are drawn, so that a seed always gives the same image.
 */
static TEE_Result fake_settle_all(struct fake_backend *f)
{
	struct fake_fate fate = {.mode = f->off ? f->mode : BACKEND_FAKE_DROP,
				 .rng = f->seed};
	TEE_Result res = TEE_SUCCESS, r;
	struct fake_inode *in;
	size_t i;

	for (i = 0; i < f->s.ninodes; i++) {
		in = &f->s.inodes[i];
		if (!in->used)
			continue;
		r = fake_inode_settle(in, &fate);
		if (r == TEE_SUCCESS)
			r = fake_image_set(&in->cur, in->dur.data,
					   in->dur.size);
		if (r && !res)
			res = r;
	}
	r = fake_ns_settle(&f->s, &fate);
	if (r && !res)
		res = r;
	return res;
}

TEE_Result backend_fake_reboot(struct backend *be)
{
	struct fake_backend *f = to_fake(be);
	TEE_Result res, r;
	size_t i;

	pthread_mutex_lock(&f->lock);
	res = fake_settle_all(f);
	memset(f->s.handles, 0, sizeof(f->s.handles));
	for (i = 0; i < f->s.ninodes; i++)
		f->s.inodes[i].nopen = 0;
	/* After a reboot the volatile namespace is the durable one. */
	r = fake_ns_copy(&f->s.vol, &f->s.dur);
	if (r && !res)
		res = r;
	fake_inode_gc_all(&f->s);
	f->off = false;
	f->crash_at = 0;
	f->fail_at = 0;
	f->st.events = 0;
	pthread_mutex_unlock(&f->lock);
	return res;
}

uint64_t backend_fake_event_count(struct backend *be)
{
	struct fake_backend *f = to_fake(be);
	uint64_t n;

	pthread_mutex_lock(&f->lock);
	n = f->st.events;
	pthread_mutex_unlock(&f->lock);
	return n;
}

void backend_fake_set_fail_at(struct backend *be, uint64_t n, TEE_Result err)
{
	struct fake_backend *f = to_fake(be);

	pthread_mutex_lock(&f->lock);
	f->fail_at = n;
	f->fail_err = err;
	pthread_mutex_unlock(&f->lock);
}

void backend_fake_set_capacity(struct backend *be, uint64_t bytes)
{
	struct fake_backend *f = to_fake(be);

	pthread_mutex_lock(&f->lock);
	f->capacity = bytes;
	pthread_mutex_unlock(&f->lock);
}

void backend_fake_get_stats(struct backend *be, struct backend_fake_stats *st)
{
	struct fake_backend *f = to_fake(be);

	pthread_mutex_lock(&f->lock);
	*st = f->st;
	pthread_mutex_unlock(&f->lock);
}

TEE_Result backend_fake_file_data(struct backend *be, const char *name,
				  uint8_t **data, size_t *len)
{
	struct fake_backend *f = to_fake(be);
	TEE_Result res = TEE_ERROR_ITEM_NOT_FOUND;
	struct fake_inode *in;
	long idx;

	*data = NULL;
	*len = 0;
	if (!backend_name_valid(name))
		return TEE_ERROR_BAD_PARAMETERS;
	pthread_mutex_lock(&f->lock);
	idx = fake_ns_find(&f->s.vol, name);
	if (idx >= 0) {
		in = &f->s.inodes[f->s.vol.v[idx].ino];
		*data = in->cur.data;
		*len = in->cur.size;
		res = TEE_SUCCESS;
	}
	pthread_mutex_unlock(&f->lock);
	return res;
}

/* The inode named `name` in the volatile namespace, created durably
 * (in both namespaces) if missing. */
static TEE_Result fake_offline_inode(struct fake_backend *f, const char *name,
				     uint32_t *ino)
{
	long idx = fake_ns_find(&f->s.vol, name);
	TEE_Result res;

	if (idx >= 0) {
		*ino = f->s.vol.v[idx].ino;
	} else {
		res = fake_inode_new(&f->s, ino);
		if (res)
			return res;
		res = fake_ns_set(&f->s.vol, name, *ino);
		if (res) {
			fake_inode_gc(&f->s, *ino);
			return res;
		}
	}
	return fake_ns_set(&f->s.dur, name, *ino);
}

TEE_Result backend_fake_file_set(struct backend *be, const char *name,
				 const void *data, size_t len)
{
	struct fake_backend *f = to_fake(be);
	struct fake_fate none = {.mode = BACKEND_FAKE_DROP};
	struct fake_inode *in;
	TEE_Result res;
	uint32_t ino;

	if (!backend_name_valid(name))
		return TEE_ERROR_BAD_PARAMETERS;
	pthread_mutex_lock(&f->lock);
	res = fake_offline_inode(f, name, &ino);
	if (res)
		goto out;
	in = &f->s.inodes[ino];
	fake_inode_settle(in, &none); /* forget pending ops */
	res = fake_image_set(&in->cur, data, len);
	if (res == TEE_SUCCESS)
		res = fake_image_set(&in->dur, data, len);
	fake_inode_gc_all(&f->s); /* a replaced durable name may free one */
out:
	pthread_mutex_unlock(&f->lock);
	return res;
}
