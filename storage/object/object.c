/*
 * Objects: the shared open-object struct and the operations on it
 * (tstore.h). Each change is one call of tstore_commit (commit.c).
 */
#include <stdlib.h>
#include <string.h>

#include "secmem.h"
#include "tstore_internal.h"
#include "uuid.h"

/* Called with s->lock held. */
static struct tstore_obj *shell_find(struct tstore *s, const TEE_UUID *ta,
				     const void *id, size_t len)
{
	struct tstore_obj *o;

	for (o = s->open_list; o; o = o->next)
		if (o->id_len == len && uuid_equal(&o->uuid, ta) &&
		    !memcmp(o->id, id, len))
			return o;
	return NULL;
}

static void shell_unlink(struct tstore *s, struct tstore_obj *o)
{
	struct tstore_obj **pp = &s->open_list;

	while (*pp && *pp != o)
		pp = &(*pp)->next;
	if (*pp)
		*pp = o->next;
	o->attached = false;
}

/* Closes the object's tree and file (it reloads on next use). */
static void drop_tree(struct tstore_obj *o)
{
	if (!o->ht)
		return;
	htree_close(o->ht);
	backend_close(o->s->be, o->fh);
	o->ht = NULL;
}

static void shell_put(struct tstore_obj *o)
{
	struct tstore *s = o->s;
	bool last;

	pthread_mutex_lock(&s->lock);
	last = --o->refs == 0;
	if (last && o->attached)
		shell_unlink(s, o);
	pthread_mutex_unlock(&s->lock);
	if (!last)
		return;
	drop_tree(o);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

/*
 * The one struct for (ta, id), referenced and locked. Its ID may have
 * changed (rename) or it may have been removed while we waited for its
 * lock: then look again.
 */
static TEE_Result shell_get_locked(struct tstore *s, const TEE_UUID *ta,
				   const void *id, size_t len,
				   struct tstore_obj **out)
{
	struct tstore_obj *o;
	bool ok;

	if (!len)
		id = ""; /* NULL is a valid empty ID; mem*() want a pointer */
	for (;;) {
		pthread_mutex_lock(&s->lock);
		o = shell_find(s, ta, id, len);
		if (o) {
			o->refs++;
		} else {
			o = calloc(1, sizeof(*o));
			if (!o) {
				pthread_mutex_unlock(&s->lock);
				return TEE_ERROR_OUT_OF_MEMORY;
			}
			o->s = s;
			pthread_mutex_init(&o->lock, NULL);
			o->refs = 1;
			o->uuid = *ta;
			memcpy(o->id, id, len);
			o->id_len = len;
			o->attached = true;
			o->next = s->open_list;
			s->open_list = o;
		}
		pthread_mutex_unlock(&s->lock);

		pthread_mutex_lock(&o->lock);
		pthread_mutex_lock(&s->lock);
		ok = o->attached && o->id_len == len &&
		     uuid_equal(&o->uuid, ta) && !memcmp(o->id, id, len);
		pthread_mutex_unlock(&s->lock);
		if (ok) {
			*out = o;
			return TEE_SUCCESS;
		}
		pthread_mutex_unlock(&o->lock);
		shell_put(o);
	}
}

static uint64_t data_offset(const struct tstore_obj *o)
{
	return TSTORE_HEAD_SIZE + (uint64_t)o->head.attr_size;
}

/* Opens and verifies file fnum against hash; reads and checks the head. */
static TEE_Result open_file(struct tstore_obj *o, uint32_t fnum,
			    const uint8_t *hash)
{
	struct tstore *s = o->s;
	uint8_t tsk[KEYS_TSK_SIZE], raw[TSTORE_HEAD_SIZE];
	char name[DIRF_FNAME_SIZE];
	struct htree *ht = NULL;
	TEE_Result res;
	size_t got = 0;
	uint32_t fh;

	dirf_fname(fnum, name);
	res = backend_open(s->be, name, &fh);
	if (res == TEE_ERROR_ITEM_NOT_FOUND)
		return TEE_ERROR_CORRUPT_OBJECT; /* dirf.db names it */
	if (res)
		return res;
	res = keys_derive_ta_tsk(s->keys, &o->uuid, tsk);
	if (!res)
		res = htree_open(s->be, fh, tsk, hash, 0, &s->cfg, &ht);
	secmem_wipe(tsk, sizeof(tsk));
	if (!res)
		res = htree_read(ht, NULL, 0, raw, sizeof(raw), &got);
	if (!res && got != sizeof(raw))
		res = TEE_ERROR_CORRUPT_OBJECT;
	if (!res) {
		tstore_head_decode(raw, &o->head);
		if (data_offset(o) > htree_size(ht))
			res = TEE_ERROR_CORRUPT_OBJECT;
	}
	if (res) {
		htree_close(ht);
		backend_close(s->be, fh);
		return res;
	}
	o->ht = ht;
	o->fh = fh;
	o->fnum = fnum;
	return TEE_SUCCESS;
}

/* o->lock held: the object's committed state, loaded and verified. */
static TEE_Result ensure_loaded(struct tstore_obj *o, struct batch *b)
{
	struct tstore *s = o->s;
	struct dirf_entry e;
	TEE_Result res;

	if (!o->attached)
		return TEE_ERROR_BAD_STATE;
	if (o->ht)
		return TEE_SUCCESS;
	pthread_mutex_lock(&s->dirf_lock);
	res = tstore_dirf_ready(s, b);
	if (!res)
		res = dirf_find(s->dirf, &o->uuid, o->id, o->id_len, &e);
	pthread_mutex_unlock(&s->dirf_lock);
	if (res)
		return res;
	return open_file(o, e.file_number, e.hash);
}

/* After a failed change: back to the committed state, or reload later. */
static void rollback(struct tstore_obj *o, struct batch *b)
{
	batch_discard(b);
	if (o->ht && htree_commit_abort(o->ht))
		drop_tree(o);
}

static TEE_Result check_id(const void *id, size_t len)
{
	if (len > TSTORE_ID_MAX || (len && !id))
		return TEE_ERROR_BAD_PARAMETERS;
	return TEE_SUCCESS;
}

TEE_Result tstore_open_obj(struct tstore *s, const TEE_UUID *ta, const void *id,
			   size_t id_len, struct tstore_obj **out)
{
	struct tstore_obj *o = NULL;
	struct batch *b = NULL;
	TEE_Result res;

	res = check_id(id, id_len);
	if (res)
		return res;
	b = tstore_batch_get(s);
	if (!b)
		return TEE_ERROR_OUT_OF_MEMORY;
	res = shell_get_locked(s, ta, id, id_len, &o);
	if (!res) {
		res = ensure_loaded(o, b);
		pthread_mutex_unlock(&o->lock);
		if (res)
			shell_put(o);
		else
			*out = o;
	}
	tstore_batch_put(s, b);
	return res;
}

void tstore_release(struct tstore_obj *o)
{
	if (o)
		shell_put(o);
}

/* The new file of a create: head, attributes and data, all queued. */
static TEE_Result write_new_file(struct tstore_obj *o, struct batch *b,
				 uint32_t fnum, const struct tstore_head *head,
				 const void *attrs, const void *data,
				 size_t data_len, struct htree **ht,
				 uint32_t *fh)
{
	struct tstore *s = o->s;
	uint8_t tsk[KEYS_TSK_SIZE], raw[TSTORE_HEAD_SIZE];
	char name[DIRF_FNAME_SIZE];
	TEE_Result res;

	dirf_fname(fnum, name);
	res = backend_create(s->be, name, fh);
	if (res)
		return res;
	res = keys_derive_ta_tsk(s->keys, &o->uuid, tsk);
	if (!res)
		res = htree_create(s->be, *fh, tsk, &s->cfg, 0, b, ht);
	secmem_wipe(tsk, sizeof(tsk));
	if (res) {
		backend_close(s->be, *fh);
		return res;
	}
	tstore_head_encode(head, raw);
	res = htree_write(*ht, b, 0, raw, sizeof(raw));
	if (!res && head->attr_size)
		res = htree_write(*ht, b, TSTORE_HEAD_SIZE, attrs,
				  head->attr_size);
	if (!res && data_len)
		res = htree_write(*ht, b,
				  TSTORE_HEAD_SIZE + (uint64_t)head->attr_size,
				  data, data_len);
	if (res) {
		htree_close(*ht);
		backend_close(s->be, *fh);
	}
	return res;
}

static TEE_Result check_create(const struct tstore_head *head,
			       const void *attrs, size_t attr_len,
			       const void *data, size_t data_len)
{
	if (!head || (attr_len && !attrs) || (data_len && !data))
		return TEE_ERROR_BAD_PARAMETERS;
	if (attr_len > UINT32_MAX - TSTORE_HEAD_SIZE)
		return TEE_ERROR_BAD_PARAMETERS;
	if (data_len > TEE_DATA_MAX_POSITION)
		return TEE_ERROR_OVERFLOW;
	return TEE_SUCCESS;
}

/* o->lock held: does the ID exist (open, or on disk)? */
static TEE_Result exists(struct tstore_obj *o, struct batch *b, bool *yes)
{
	struct tstore *s = o->s;
	TEE_Result res;

	if (o->ht) {
		*yes = true;
		return TEE_SUCCESS;
	}
	pthread_mutex_lock(&s->dirf_lock);
	res = tstore_dirf_ready(s, b);
	if (!res)
		res = dirf_find(s->dirf, &o->uuid, o->id, o->id_len, NULL);
	pthread_mutex_unlock(&s->dirf_lock);
	*yes = !res;
	return res == TEE_ERROR_ITEM_NOT_FOUND ? TEE_SUCCESS : res;
}

static TEE_Result reserve_fnum(struct tstore *s, struct batch *b,
			       uint32_t *fnum)
{
	TEE_Result res;

	pthread_mutex_lock(&s->dirf_lock);
	res = tstore_dirf_ready(s, b);
	if (!res)
		res = dirf_reserve_fnum(s->dirf, fnum);
	pthread_mutex_unlock(&s->dirf_lock);
	return res;
}

/* A create that did not commit: its new file goes away. */
static void discard_new_file(struct tstore *s, struct commit *c)
{
	htree_close(c->ht);
	backend_close(s->be, c->fh);
	if (c->unknown)
		return; /* may be committed: the orphan sweep decides */
	tstore_drop_file(s, c->fnum);
}

static TEE_Result create_locked(struct tstore_obj *o, struct batch *b,
				const struct tstore_head *head_in,
				const void *attrs, size_t attr_len,
				const void *data, size_t data_len,
				bool overwrite)
{
	struct tstore *s = o->s;
	struct tstore_head head = *head_in;
	struct commit c = {.kind = COMMIT_INSERT, .o = o, .created = true};
	TEE_Result res;
	bool yes = false;

	head.attr_size = (uint32_t)attr_len;
	if (!overwrite) {
		res = exists(o, b, &yes);
		if (res)
			return res;
		if (yes)
			return TEE_ERROR_ACCESS_CONFLICT;
	}
	res = reserve_fnum(s, b, &c.fnum);
	if (res)
		return res;
	res = write_new_file(o, b, c.fnum, &head, attrs, data, data_len, &c.ht,
			     &c.fh);
	if (res) {
		batch_discard(b);
		tstore_drop_file(s, c.fnum);
		return res;
	}
	c.no_replace = !overwrite;
	res = tstore_commit(s, b, &c);
	if (res) {
		discard_new_file(s, &c);
		if (c.unknown)
			drop_tree(o);
		return res;
	}
	drop_tree(o);
	o->ht = c.ht;
	o->fh = c.fh;
	o->fnum = c.fnum;
	o->head = head;
	tstore_drop_file(s, c.obsolete_fnum);
	return TEE_SUCCESS;
}

TEE_Result tstore_create(struct tstore *s, const TEE_UUID *ta, const void *id,
			 size_t id_len, const struct tstore_head *head,
			 const void *attrs, size_t attr_len, const void *data,
			 size_t data_len, bool overwrite,
			 struct tstore_obj **out)
{
	struct tstore_obj *o = NULL;
	struct batch *b;
	TEE_Result res;

	res = check_id(id, id_len);
	if (!res)
		res = check_create(head, attrs, attr_len, data, data_len);
	if (res)
		return res;
	b = tstore_batch_get(s);
	if (!b)
		return TEE_ERROR_OUT_OF_MEMORY;
	res = shell_get_locked(s, ta, id, id_len, &o);
	if (!res) {
		res = create_locked(o, b, head, attrs, attr_len, data, data_len,
				    overwrite);
		pthread_mutex_unlock(&o->lock);
		if (res || !out)
			shell_put(o);
		else
			*out = o;
	}
	tstore_batch_put(s, b);
	return res;
}

/* A change of the object's stream, committed; o->lock held. */
static TEE_Result commit_change(struct tstore_obj *o, struct batch *b)
{
	struct commit c = {
	    .kind = COMMIT_SET_HASH, .o = o, .ht = o->ht, .fh = o->fh};
	TEE_Result res;

	if (!htree_is_dirty(o->ht))
		return TEE_SUCCESS;
	res = tstore_commit(o->s, b, &c);
	if (res && c.ht_stale)
		drop_tree(o);
	return res;
}

TEE_Result tstore_read(struct tstore_obj *o, uint64_t pos, void *buf,
		       size_t len, size_t *got)
{
	TEE_Result res;
	uint64_t size;

	*got = 0;
	if (len && !buf)
		return TEE_ERROR_BAD_PARAMETERS;
	pthread_mutex_lock(&o->lock);
	res = o->ht ? TEE_SUCCESS : TEE_ERROR_BAD_STATE;
	if (!o->ht && o->attached) {
		struct batch *b = tstore_batch_get(o->s);

		res = b ? ensure_loaded(o, b) : TEE_ERROR_OUT_OF_MEMORY;
		tstore_batch_put(o->s, b);
	}
	if (!res) {
		size = htree_size(o->ht) - data_offset(o);
		if (pos < size && len)
			res = htree_read(o->ht, NULL, data_offset(o) + pos, buf,
					 len, got);
	}
	pthread_mutex_unlock(&o->lock);
	return res;
}

/* Runs fn on the loaded object with a batch; rolls back on failure. */
static TEE_Result with_object(struct tstore_obj *o,
			      TEE_Result (*fn)(struct tstore_obj *o,
					       struct batch *b, void *arg),
			      void *arg)
{
	struct batch *b = tstore_batch_get(o->s);
	TEE_Result res;

	if (!b)
		return TEE_ERROR_OUT_OF_MEMORY;
	pthread_mutex_lock(&o->lock);
	res = ensure_loaded(o, b);
	if (!res)
		res = fn(o, b, arg);
	pthread_mutex_unlock(&o->lock);
	tstore_batch_put(o->s, b);
	return res;
}

struct write_args {
	uint64_t pos;
	const void *buf;
	size_t len;
};

static TEE_Result do_write(struct tstore_obj *o, struct batch *b, void *arg)
{
	struct write_args *a = arg;
	TEE_Result res;

	res = htree_write(o->ht, b, data_offset(o) + a->pos, a->buf, a->len);
	if (res) {
		rollback(o, b);
		return res;
	}
	return commit_change(o, b);
}

TEE_Result tstore_write(struct tstore_obj *o, uint64_t pos, const void *buf,
			size_t len)
{
	struct write_args a = {pos, buf, len};

	if (len && !buf)
		return TEE_ERROR_BAD_PARAMETERS;
	if (pos > TEE_DATA_MAX_POSITION || len > TEE_DATA_MAX_POSITION - pos)
		return TEE_ERROR_OVERFLOW;
	if (!len)
		return TEE_SUCCESS;
	return with_object(o, do_write, &a);
}

static TEE_Result do_truncate(struct tstore_obj *o, struct batch *b, void *arg)
{
	uint64_t len = *(uint64_t *)arg, old = htree_size(o->ht);
	uint64_t want = data_offset(o) + len;
	TEE_Result res;

	res = htree_truncate(o->ht, b, want);
	if (res) {
		rollback(o, b);
		return res;
	}
	res = commit_change(o, b);
	/*
	 * Only now, with the smaller state committed, may the file shrink
	 * (OP-TEE truncates first: a crash window). A failure here only
	 * wastes space.
	 */
	if (!res && want < old)
		backend_truncate(o->s->be, o->fh,
				 htree_committed_file_size(o->ht));
	return res;
}

TEE_Result tstore_truncate(struct tstore_obj *o, uint64_t len)
{
	if (len > TEE_DATA_MAX_POSITION)
		return TEE_ERROR_OVERFLOW;
	return with_object(o, do_truncate, &len);
}

static TEE_Result do_set_head(struct tstore_obj *o, struct batch *b, void *arg)
{
	const struct tstore_head *h = arg;
	uint8_t raw[TSTORE_HEAD_SIZE];
	TEE_Result res;

	if (h->attr_size != o->head.attr_size)
		return TEE_ERROR_BAD_PARAMETERS;
	tstore_head_encode(h, raw);
	res = htree_write(o->ht, b, 0, raw, sizeof(raw));
	if (res) {
		rollback(o, b);
		return res;
	}
	res = commit_change(o, b);
	if (!res)
		o->head = *h;
	return res;
}

TEE_Result tstore_set_head(struct tstore_obj *o, const struct tstore_head *head)
{
	return with_object(o, do_set_head, (void *)head);
}

struct rename_args {
	const void *id;
	size_t len;
};

static TEE_Result do_rename(struct tstore_obj *o, struct batch *b, void *arg)
{
	struct rename_args *a = arg;
	struct commit c = {
	    .kind = COMMIT_RENAME, .o = o, .new_id = a->id, .new_len = a->len};
	TEE_Result res;

	res = tstore_commit(o->s, b, &c);
	if (res && c.unknown)
		drop_tree(o);
	return res;
}

TEE_Result tstore_rename(struct tstore_obj *o, const void *new_id,
			 size_t new_len)
{
	struct rename_args a = {new_id, new_len};
	TEE_Result res = check_id(new_id, new_len);

	if (res)
		return res;
	return with_object(o, do_rename, &a);
}

/* o->lock held. No load: a corrupt object must still be removable. */
static TEE_Result remove_locked(struct tstore_obj *o, struct batch *b)
{
	struct tstore *s = o->s;
	struct commit c = {.kind = COMMIT_REMOVE, .o = o};
	TEE_Result res;

	if (!o->attached)
		return TEE_ERROR_BAD_STATE;
	res = tstore_commit(s, b, &c);
	if (!res || c.unknown)
		drop_tree(o);
	if (!res) {
		pthread_mutex_lock(&s->lock);
		shell_unlink(s, o);
		pthread_mutex_unlock(&s->lock);
		tstore_drop_file(s, c.obsolete_fnum);
	}
	return res;
}

TEE_Result tstore_remove(struct tstore_obj *o)
{
	struct batch *b = tstore_batch_get(o->s);
	TEE_Result res;

	if (!b)
		return TEE_ERROR_OUT_OF_MEMORY;
	pthread_mutex_lock(&o->lock);
	res = remove_locked(o, b);
	pthread_mutex_unlock(&o->lock);
	tstore_batch_put(o->s, b);
	return res;
}

TEE_Result tstore_remove_id(struct tstore *s, const TEE_UUID *ta,
			    const void *id, size_t id_len)
{
	struct tstore_obj *o = NULL;
	struct batch *b;
	TEE_Result res;

	res = check_id(id, id_len);
	if (res)
		return res;
	b = tstore_batch_get(s);
	if (!b)
		return TEE_ERROR_OUT_OF_MEMORY;
	res = shell_get_locked(s, ta, id, id_len, &o);
	if (!res) {
		res = remove_locked(o, b);
		pthread_mutex_unlock(&o->lock);
		shell_put(o);
	}
	tstore_batch_put(s, b);
	return res;
}

static TEE_Result do_info(struct tstore_obj *o, struct batch *b, void *arg)
{
	struct tstore_info *info = arg;

	(void)b;
	info->head = o->head;
	info->data_size = htree_size(o->ht) - data_offset(o);
	info->file_number = o->fnum;
	return TEE_SUCCESS;
}

TEE_Result tstore_info(struct tstore_obj *o, struct tstore_info *info)
{
	return with_object(o, do_info, info);
}

struct attr_args {
	void *buf;
	size_t len;
	size_t *attr_len;
};

static TEE_Result do_read_attrs(struct tstore_obj *o, struct batch *b,
				void *arg)
{
	struct attr_args *a = arg;
	size_t got = 0;
	TEE_Result res;

	(void)b;
	*a->attr_len = o->head.attr_size;
	if (a->len < o->head.attr_size)
		return TEE_ERROR_SHORT_BUFFER;
	if (!o->head.attr_size)
		return TEE_SUCCESS;
	res = htree_read(o->ht, NULL, TSTORE_HEAD_SIZE, a->buf,
			 o->head.attr_size, &got);
	if (!res && got != o->head.attr_size)
		res = TEE_ERROR_CORRUPT_OBJECT;
	return res;
}

TEE_Result tstore_read_attrs(struct tstore_obj *o, void *buf, size_t len,
			     size_t *attr_len)
{
	struct attr_args a = {buf, len, attr_len};

	if (len && !buf)
		return TEE_ERROR_BAD_PARAMETERS;
	return with_object(o, do_read_attrs, &a);
}

void tstore_obj_id(struct tstore_obj *o, TEE_UUID *ta, uint8_t *id,
		   size_t *id_len)
{
	pthread_mutex_lock(&o->s->lock);
	if (ta)
		*ta = o->uuid;
	memcpy(id, o->id, o->id_len);
	*id_len = o->id_len;
	pthread_mutex_unlock(&o->s->lock);
}
