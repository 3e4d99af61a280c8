/*
 * GP persistent objects as RPMB FS files: OP-TEE's object stream (24-byte
 * head, attribute blob, data) in a file named after the TA and the object
 * ID, one shared struct per open object (as tstore.h). Every change is a
 * FAT entry commit or one reliable write in place (docs/rpmbfs.md
 * "Updates").
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "bytes.h"
#include "rpmbfs_int.h"
#include "secmem.h"

struct rpmbfs_obj {
	struct rpmbfs *fs;
	struct rpmbfs_obj *next; /* fs->objs, fs->lock */
	unsigned refs;
	bool detached; /* removed: BAD_STATE from now on */
	TEE_UUID ta;
	uint8_t id[TSTORE_ID_MAX];
	size_t id_len;
	uint32_t slot; /* its FAT entry */
	uint32_t gen;  /* fs->gen when fek and head were read */
	uint8_t fek[KEYS_FEK_SIZE];
	struct tstore_head head;
};

/* What the GP layer may see: a lost device is "not available". */
static TEE_Result api_error(TEE_Result res)
{
	return res == TEE_ERROR_COMMUNICATION ? TEE_ERROR_STORAGE_NOT_AVAILABLE
					      : res;
}

static TEE_Result fek_unwrap(struct rpmbfs *fs, const TEE_UUID *ta,
			     const uint8_t enc[KEYS_FEK_SIZE],
			     uint8_t fek[KEYS_FEK_SIZE])
{
	uint8_t tsk[KEYS_TSK_SIZE];
	TEE_Result res = keys_derive_ta_tsk(fs->keys, ta, tsk);

	if (!res)
		res = keys_unwrap_fek(tsk, enc, fek);
	secmem_wipe(tsk, sizeof(tsk));
	return res;
}

static TEE_Result fek_new(struct rpmbfs *fs, const TEE_UUID *ta,
			  uint8_t fek[KEYS_FEK_SIZE],
			  uint8_t enc[KEYS_FEK_SIZE])
{
	uint8_t tsk[KEYS_TSK_SIZE];
	TEE_Result res;

	if (RAND_bytes(fek, KEYS_FEK_SIZE) != 1)
		return TEE_ERROR_GENERIC;
	res = keys_derive_ta_tsk(fs->keys, ta, tsk);
	if (!res)
		res = keys_wrap_fek(tsk, fek, enc);
	secmem_wipe(tsk, sizeof(tsk));
	return res;
}

static void head_decode(const uint8_t *b, struct tstore_head *h)
{
	h->attr_size = get_le32(b);
	h->object_size = get_le32(b + 4);
	h->max_object_size = get_le32(b + 8);
	h->object_usage = get_le32(b + 12);
	h->object_type = get_le32(b + 16);
	h->have_attrs = get_le32(b + 20);
}

static void head_encode(const struct tstore_head *h, uint8_t *b)
{
	put_le32(b, h->attr_size);
	put_le32(b + 4, h->object_size);
	put_le32(b + 8, h->max_object_size);
	put_le32(b + 12, h->object_usage);
	put_le32(b + 16, h->object_type);
	put_le32(b + 20, h->have_attrs);
}

/* Reads the FEK and head of the file in slot. */
static TEE_Result load_file(struct rpmbfs *fs, const TEE_UUID *ta,
			    uint32_t slot, uint8_t fek[KEYS_FEK_SIZE],
			    struct tstore_head *h)
{
	const struct rpmbfs_fat_entry *e = &fs->fat[slot];
	uint8_t b[TSTORE_HEAD_SIZE];
	TEE_Result res;

	if (e->size < TSTORE_HEAD_SIZE || e->start % RPMB_BLOCK_SIZE ||
	    (uint64_t)e->start + e->size >
		(uint64_t)fs->link.nblocks * RPMB_BLOCK_SIZE)
		return TEE_ERROR_CORRUPT_OBJECT;
	res = fek_unwrap(fs, ta, e->fek, fek);
	if (!res)
		res = rpmbfs_file_read(fs, e->start, fek, 0, b, sizeof(b));
	if (res)
		return res;
	head_decode(b, h);
	if (h->attr_size > e->size - TSTORE_HEAD_SIZE)
		return TEE_ERROR_CORRUPT_OBJECT;
	return TEE_SUCCESS;
}

/* The object's entry, checked and fresh; lock held. */
static TEE_Result obj_entry(struct rpmbfs_obj *o, struct rpmbfs_fat_entry **e)
{
	struct rpmbfs *fs = o->fs;
	char name[RPMBFS_NAME_LEN];
	TEE_Result res;

	if (o->detached)
		return TEE_ERROR_BAD_STATE;
	res = rpmbfs_fat_sync(fs);
	if (res)
		return res;
	rpmbfs_make_name(&o->ta, o->id, o->id_len, name);
	if (o->slot >= fs->nfat ||
	    !(fs->fat[o->slot].flags & RPMBFS_FILE_ACTIVE) ||
	    strncmp(fs->fat[o->slot].name, name, RPMBFS_NAME_LEN)) {
		long s = rpmbfs_fat_find(fs, name);

		if (s < 0) {
			o->detached = true;
			return TEE_ERROR_BAD_STATE;
		}
		o->slot = (uint32_t)s;
		o->gen = fs->gen - 1;
	}
	if (o->gen != fs->gen) {
		res = load_file(fs, &o->ta, o->slot, o->fek, &o->head);
		if (res)
			return res;
		o->gen = fs->gen;
	}
	*e = &fs->fat[o->slot];
	return TEE_SUCCESS;
}

static struct rpmbfs_obj *obj_lookup(struct rpmbfs *fs, const TEE_UUID *ta,
				     const void *id, size_t id_len)
{
	struct rpmbfs_obj *o;

	for (o = fs->objs; o; o = o->next)
		if (!o->detached && o->id_len == id_len &&
		    !memcmp(&o->ta, ta, sizeof(*ta)) &&
		    !memcmp(o->id, id, id_len))
			return o;
	return NULL;
}

static struct rpmbfs_obj *obj_new(struct rpmbfs *fs, const TEE_UUID *ta,
				  const void *id, size_t id_len, uint32_t slot)
{
	struct rpmbfs_obj *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->fs = fs;
	o->refs = 1;
	o->ta = *ta;
	memcpy(o->id, id, id_len);
	o->id_len = id_len;
	o->slot = slot;
	o->next = fs->objs;
	fs->objs = o;
	return o;
}

static void obj_unlink_free(struct rpmbfs_obj *o)
{
	struct rpmbfs_obj **pp;

	for (pp = &o->fs->objs; *pp; pp = &(*pp)->next)
		if (*pp == o) {
			*pp = o->next;
			break;
		}
	secmem_wipe(o, sizeof(*o));
	free(o);
}

/* The concatenation head || attrs || data as a plaintext source. */
struct create_src {
	uint8_t head[TSTORE_HEAD_SIZE];
	const uint8_t *attrs, *data;
	size_t attr_len, data_len;
};

static void copy_part(uint64_t off, uint8_t *buf, size_t len, uint64_t at,
		      const uint8_t *part, size_t part_len)
{
	uint64_t lo = off > at ? off : at;
	uint64_t hi = off + len < at + part_len ? off + len : at + part_len;

	if (lo < hi)
		memcpy(buf + (lo - off), part + (lo - at), (size_t)(hi - lo));
}

static TEE_Result create_get(void *arg, uint64_t off, uint8_t *buf, size_t len)
{
	struct create_src *s = arg;

	copy_part(off, buf, len, 0, s->head, TSTORE_HEAD_SIZE);
	if (s->attr_len)
		copy_part(off, buf, len, TSTORE_HEAD_SIZE, s->attrs,
			  s->attr_len);
	if (s->data_len)
		copy_part(off, buf, len, TSTORE_HEAD_SIZE + s->attr_len,
			  s->data, s->data_len);
	return TEE_SUCCESS;
}

static TEE_Result create_locked(struct rpmbfs *fs, const TEE_UUID *ta,
				const void *id, size_t id_len,
				const struct tstore_head *head,
				const void *attrs, size_t attr_len,
				const void *data, size_t data_len,
				bool overwrite, struct rpmbfs_obj **out)
{
	struct create_src src = {.attrs = attrs,
				 .data = data,
				 .attr_len = attr_len,
				 .data_len = data_len};
	struct rpmbfs_src s = {create_get, &src};
	struct rpmbfs_fat_entry e;
	uint8_t fek[KEYS_FEK_SIZE];
	struct tstore_head h = *head;
	struct rpmbfs_obj *o;
	uint32_t slot = 0, start = 0;
	uint64_t size = TSTORE_HEAD_SIZE + (uint64_t)attr_len + data_len;
	TEE_Result res;
	long found;

	if (id_len > TSTORE_ID_MAX)
		return TEE_ERROR_BAD_PARAMETERS;
	if (size > UINT32_MAX)
		return TEE_ERROR_STORAGE_NO_SPACE;
	res = rpmbfs_fat_sync(fs);
	if (res)
		return res;
	memset(&e, 0, sizeof(e));
	rpmbfs_make_name(ta, id, id_len, e.name);
	found = rpmbfs_fat_find(fs, e.name);
	if (found >= 0 && !overwrite)
		return TEE_ERROR_ACCESS_CONFLICT;
	if (found >= 0)
		slot = (uint32_t)found;
	h.attr_size = (uint32_t)attr_len;
	head_encode(&h, src.head);
	res = fek_new(fs, ta, fek, e.fek);
	if (!res)
		res = rpmbfs_fat_alloc(fs, rpmbfs_blocks(size), found < 0,
				       &start, &slot);
	if (!res)
		res = rpmbfs_file_fill(fs, start, (uint32_t)size, fek, &s);
	if (res)
		goto out;
	e.start = start * RPMB_BLOCK_SIZE;
	e.size = (uint32_t)size;
	e.flags = RPMBFS_FILE_ACTIVE;
	/* The commit point: a new entry, or the old one replaced at once. */
	res = rpmbfs_fat_commit(fs, slot, &e);
	if (res)
		goto out;
	o = obj_lookup(fs, ta, id, id_len);
	if (o) {
		/* Open handles see the new content (tstore's rule). */
		memcpy(o->fek, fek, sizeof(fek));
		o->head = h;
		o->slot = slot;
		o->gen = fs->gen;
		if (out)
			o->refs++;
	} else if (out) {
		o = obj_new(fs, ta, id, id_len, slot);
		if (!o) {
			res = TEE_ERROR_OUT_OF_MEMORY;
			goto out;
		}
		memcpy(o->fek, fek, sizeof(fek));
		o->head = h;
		o->gen = fs->gen;
	}
	if (out)
		*out = o;
out:
	secmem_wipe(fek, sizeof(fek));
	if (res && res != TEE_ERROR_STORAGE_NO_SPACE &&
	    res != TEE_ERROR_ACCESS_CONFLICT)
		rpmbfs_fat_doubt(fs);
	return res;
}

TEE_Result rpmbfs_create(struct rpmbfs *fs, const TEE_UUID *ta, const void *id,
			 size_t id_len, const struct tstore_head *head,
			 const void *attrs, size_t attr_len, const void *data,
			 size_t data_len, bool overwrite,
			 struct rpmbfs_obj **out)
{
	TEE_Result res;

	pthread_mutex_lock(&fs->lock);
	res = create_locked(fs, ta, id, id_len, head, attrs, attr_len, data,
			    data_len, overwrite, out);
	pthread_mutex_unlock(&fs->lock);
	return api_error(res);
}

static TEE_Result open_locked(struct rpmbfs *fs, const TEE_UUID *ta,
			      const void *id, size_t id_len,
			      struct rpmbfs_obj **out)
{
	char name[RPMBFS_NAME_LEN];
	struct rpmbfs_fat_entry *e;
	struct rpmbfs_obj *o;
	TEE_Result res;
	long slot;

	if (id_len > TSTORE_ID_MAX)
		return TEE_ERROR_BAD_PARAMETERS;
	res = rpmbfs_fat_sync(fs);
	if (res)
		return res;
	rpmbfs_make_name(ta, id, id_len, name);
	slot = rpmbfs_fat_find(fs, name);
	if (slot < 0)
		return TEE_ERROR_ITEM_NOT_FOUND;
	o = obj_lookup(fs, ta, id, id_len);
	if (o) {
		res = obj_entry(o, &e);
		if (res)
			return res;
		o->refs++;
		*out = o;
		return TEE_SUCCESS;
	}
	o = obj_new(fs, ta, id, id_len, (uint32_t)slot);
	if (!o)
		return TEE_ERROR_OUT_OF_MEMORY;
	o->gen = fs->gen - 1; /* not loaded yet */
	res = obj_entry(o, &e);
	if (res) {
		obj_unlink_free(o);
		return res;
	}
	*out = o;
	return TEE_SUCCESS;
}

TEE_Result rpmbfs_open_obj(struct rpmbfs *fs, const TEE_UUID *ta,
			   const void *id, size_t id_len,
			   struct rpmbfs_obj **out)
{
	TEE_Result res;

	pthread_mutex_lock(&fs->lock);
	res = open_locked(fs, ta, id, id_len, out);
	pthread_mutex_unlock(&fs->lock);
	return api_error(res);
}

void rpmbfs_release(struct rpmbfs_obj *o)
{
	struct rpmbfs *fs;

	if (!o)
		return;
	fs = o->fs;
	pthread_mutex_lock(&fs->lock);
	if (--o->refs == 0)
		obj_unlink_free(o);
	pthread_mutex_unlock(&fs->lock);
}

static uint64_t data_start(const struct rpmbfs_obj *o)
{
	return TSTORE_HEAD_SIZE + (uint64_t)o->head.attr_size;
}

TEE_Result rpmbfs_read(struct rpmbfs_obj *o, uint64_t pos, void *buf,
		       size_t len, size_t *got)
{
	struct rpmbfs *fs = o->fs;
	struct rpmbfs_fat_entry *e;
	uint64_t dsize;
	TEE_Result res;

	*got = 0;
	pthread_mutex_lock(&fs->lock);
	res = obj_entry(o, &e);
	if (res)
		goto out;
	dsize = e->size - data_start(o);
	if (pos >= dsize)
		goto out;
	if (len > dsize - pos)
		len = (size_t)(dsize - pos);
	res = rpmbfs_file_read(fs, e->start, o->fek, data_start(o) + pos, buf,
			       len);
	if (!res)
		*got = len;
out:
	pthread_mutex_unlock(&fs->lock);
	return api_error(res);
}

/* The old file with zeros past old_size and an overlay: a relocation. */
struct reloc_src {
	struct rpmbfs *fs;
	uint32_t old_start, old_size;
	const uint8_t *fek;
	uint64_t ov_off;
	const uint8_t *ov;
	size_t ov_len;
};

static TEE_Result reloc_get(void *arg, uint64_t off, uint8_t *buf, size_t len)
{
	struct reloc_src *s = arg;
	TEE_Result res = TEE_SUCCESS;

	memset(buf, 0, len);
	if (off < s->old_size) {
		size_t k = len;

		if (k > s->old_size - off)
			k = (size_t)(s->old_size - off);
		res =
		    rpmbfs_file_read(s->fs, s->old_start, s->fek, off, buf, k);
	}
	if (!res && s->ov_len)
		copy_part(off, buf, len, s->ov_off, s->ov, s->ov_len);
	return res;
}

/*
 * The file in a new region of new_size bytes (old content, zeros, the
 * overlay), committed by the FAT entry rewrite: a crash before it leaves
 * the old file whole.
 */
static TEE_Result relocate(struct rpmbfs_obj *o, struct rpmbfs_fat_entry *e,
			   uint64_t new_size, uint64_t ov_off, const void *ov,
			   size_t ov_len)
{
	struct rpmbfs *fs = o->fs;
	struct reloc_src rs = {fs,     e->start, e->size, o->fek,
			       ov_off, ov,	 ov_len};
	struct rpmbfs_src s = {reloc_get, &rs};
	struct rpmbfs_fat_entry ne = *e;
	TEE_Result res;
	uint32_t start = 0, slot = o->slot;

	if (new_size > UINT32_MAX)
		return TEE_ERROR_STORAGE_NO_SPACE;
	res =
	    rpmbfs_fat_alloc(fs, rpmbfs_blocks(new_size), false, &start, &slot);
	if (res)
		return res;
	fs->stats.relocations++;
	res = rpmbfs_file_fill(fs, start, (uint32_t)new_size, o->fek, &s);
	if (res)
		return res;
	ne.start = start * RPMB_BLOCK_SIZE;
	ne.size = (uint32_t)new_size;
	return rpmbfs_fat_commit(fs, o->slot, &ne);
}

static TEE_Result write_locked(struct rpmbfs_obj *o, uint64_t pos,
			       const void *buf, size_t len)
{
	struct rpmbfs_fat_entry *e;
	uint64_t off, end;
	TEE_Result res;

	if (pos > TEE_DATA_MAX_POSITION || len > TEE_DATA_MAX_POSITION - pos)
		return TEE_ERROR_OVERFLOW;
	res = obj_entry(o, &e);
	if (res || !len)
		return res;
	off = data_start(o) + pos;
	end = off + len;
	/* Inside the file and one reliable write: in place, atomic. */
	if (end <= e->size &&
	    rpmbfs_span_blocks(off, len) <= o->fs->link.max_write)
		return rpmbfs_file_patch(o->fs, e->start, e->size, o->fek, off,
					 buf, len);
	return relocate(o, e, end > e->size ? end : e->size, off, buf, len);
}

TEE_Result rpmbfs_write(struct rpmbfs_obj *o, uint64_t pos, const void *buf,
			size_t len)
{
	struct rpmbfs *fs = o->fs;
	TEE_Result res;

	pthread_mutex_lock(&fs->lock);
	res = write_locked(o, pos, buf, len);
	if (res && res != TEE_ERROR_STORAGE_NO_SPACE &&
	    res != TEE_ERROR_OVERFLOW && res != TEE_ERROR_BAD_STATE)
		rpmbfs_fat_doubt(fs);
	pthread_mutex_unlock(&fs->lock);
	return api_error(res);
}

static TEE_Result truncate_locked(struct rpmbfs_obj *o, uint64_t len)
{
	struct rpmbfs_fat_entry *e, ne;
	uint64_t new_size;
	TEE_Result res;

	if (len > TEE_DATA_MAX_POSITION)
		return TEE_ERROR_OVERFLOW;
	res = obj_entry(o, &e);
	if (res)
		return res;
	new_size = data_start(o) + len;
	if (new_size == e->size)
		return TEE_SUCCESS;
	if (new_size > e->size)
		return relocate(o, e, new_size, 0, NULL, 0);
	/* Shrinking: only the size in the FAT entry changes. */
	ne = *e;
	ne.size = (uint32_t)new_size;
	return rpmbfs_fat_commit(o->fs, o->slot, &ne);
}

TEE_Result rpmbfs_truncate(struct rpmbfs_obj *o, uint64_t len)
{
	struct rpmbfs *fs = o->fs;
	TEE_Result res;

	pthread_mutex_lock(&fs->lock);
	res = truncate_locked(o, len);
	if (res && res != TEE_ERROR_STORAGE_NO_SPACE &&
	    res != TEE_ERROR_OVERFLOW && res != TEE_ERROR_BAD_STATE)
		rpmbfs_fat_doubt(fs);
	pthread_mutex_unlock(&fs->lock);
	return api_error(res);
}

static TEE_Result rename_locked(struct rpmbfs_obj *o, const void *new_id,
				size_t new_len)
{
	struct rpmbfs_fat_entry *e, ne;
	TEE_Result res;

	if (new_len > TSTORE_ID_MAX)
		return TEE_ERROR_BAD_PARAMETERS;
	res = obj_entry(o, &e);
	if (res)
		return res;
	ne = *e;
	rpmbfs_make_name(&o->ta, new_id, new_len, ne.name);
	if (rpmbfs_fat_find(o->fs, ne.name) >= 0)
		return TEE_ERROR_ACCESS_CONFLICT;
	res = rpmbfs_fat_commit(o->fs, o->slot, &ne);
	if (res)
		return res;
	memcpy(o->id, new_id, new_len);
	o->id_len = new_len;
	return TEE_SUCCESS;
}

TEE_Result rpmbfs_rename(struct rpmbfs_obj *o, const void *new_id,
			 size_t new_len)
{
	struct rpmbfs *fs = o->fs;
	TEE_Result res;

	pthread_mutex_lock(&fs->lock);
	res = rename_locked(o, new_id, new_len);
	pthread_mutex_unlock(&fs->lock);
	return api_error(res);
}

/* Frees the entry in slot (inactive); detaches its open struct. */
static TEE_Result remove_slot(struct rpmbfs *fs, uint32_t slot)
{
	struct rpmbfs_fat_entry ne = fs->fat[slot];
	TEE_UUID ta;
	uint8_t id[TSTORE_ID_MAX];
	size_t id_len;
	TEE_Result res;

	ne.flags &= ~RPMBFS_FILE_ACTIVE;
	res = rpmbfs_fat_commit(fs, slot, &ne);
	if (res)
		return res;
	if (rpmbfs_parse_name(ne.name, &ta, id, &id_len)) {
		struct rpmbfs_obj *o = obj_lookup(fs, &ta, id, id_len);

		if (o)
			o->detached = true;
	}
	return TEE_SUCCESS;
}

TEE_Result rpmbfs_remove(struct rpmbfs_obj *o)
{
	struct rpmbfs *fs = o->fs;
	struct rpmbfs_fat_entry *e;
	TEE_Result res;

	pthread_mutex_lock(&fs->lock);
	res = obj_entry(o, &e);
	if (!res)
		res = remove_slot(fs, o->slot);
	pthread_mutex_unlock(&fs->lock);
	return api_error(res);
}

TEE_Result rpmbfs_remove_id(struct rpmbfs *fs, const TEE_UUID *ta,
			    const void *id, size_t id_len)
{
	char name[RPMBFS_NAME_LEN];
	TEE_Result res;
	long slot;

	if (id_len > TSTORE_ID_MAX)
		return TEE_ERROR_BAD_PARAMETERS;
	pthread_mutex_lock(&fs->lock);
	res = rpmbfs_fat_sync(fs);
	if (!res) {
		rpmbfs_make_name(ta, id, id_len, name);
		slot = rpmbfs_fat_find(fs, name);
		res = slot < 0 ? TEE_ERROR_ITEM_NOT_FOUND
			       : remove_slot(fs, (uint32_t)slot);
	}
	pthread_mutex_unlock(&fs->lock);
	return api_error(res);
}

TEE_Result rpmbfs_info(struct rpmbfs_obj *o, struct tstore_info *info)
{
	struct rpmbfs *fs = o->fs;
	struct rpmbfs_fat_entry *e;
	TEE_Result res;

	pthread_mutex_lock(&fs->lock);
	res = obj_entry(o, &e);
	if (!res) {
		info->head = o->head;
		info->data_size = e->size - data_start(o);
		info->file_number = o->slot;
	}
	pthread_mutex_unlock(&fs->lock);
	return api_error(res);
}

TEE_Result rpmbfs_read_attrs(struct rpmbfs_obj *o, void *buf, size_t len,
			     size_t *attr_len)
{
	struct rpmbfs *fs = o->fs;
	struct rpmbfs_fat_entry *e;
	TEE_Result res;

	pthread_mutex_lock(&fs->lock);
	res = obj_entry(o, &e);
	if (res)
		goto out;
	*attr_len = o->head.attr_size;
	if (len < o->head.attr_size) {
		res = TEE_ERROR_SHORT_BUFFER;
		goto out;
	}
	res = rpmbfs_file_read(fs, e->start, o->fek, TSTORE_HEAD_SIZE, buf,
			       o->head.attr_size);
out:
	pthread_mutex_unlock(&fs->lock);
	return api_error(res);
}

TEE_Result rpmbfs_set_head(struct rpmbfs_obj *o, const struct tstore_head *head)
{
	struct rpmbfs *fs = o->fs;
	uint8_t b[TSTORE_HEAD_SIZE];
	struct rpmbfs_fat_entry *e;
	TEE_Result res;

	pthread_mutex_lock(&fs->lock);
	res = obj_entry(o, &e);
	if (res)
		goto out;
	if (head->attr_size != o->head.attr_size) {
		res = TEE_ERROR_BAD_PARAMETERS;
		goto out;
	}
	head_encode(head, b);
	/* 24 bytes in block 0 of the file: one frame, in place. */
	res = rpmbfs_file_patch(fs, e->start, e->size, o->fek, 0, b, sizeof(b));
	if (res)
		rpmbfs_fat_doubt(fs);
	else
		o->head = *head;
out:
	pthread_mutex_unlock(&fs->lock);
	return api_error(res);
}

void rpmbfs_obj_id(struct rpmbfs_obj *o, TEE_UUID *ta, uint8_t *id,
		   size_t *id_len)
{
	pthread_mutex_lock(&o->fs->lock);
	*ta = o->ta;
	memcpy(id, o->id, o->id_len);
	*id_len = o->id_len;
	pthread_mutex_unlock(&o->fs->lock);
}

TEE_Result rpmbfs_enum_next(struct rpmbfs *fs, const TEE_UUID *ta,
			    uint64_t *cursor, TEE_UUID *ta_out, uint8_t *id,
			    size_t *id_len)
{
	TEE_Result res;
	uint64_t i;

	pthread_mutex_lock(&fs->lock);
	res = rpmbfs_fat_sync(fs);
	if (res)
		goto out;
	res = TEE_ERROR_ITEM_NOT_FOUND;
	for (i = *cursor; i < fs->nfat; i++) {
		TEE_UUID u;

		if (!(fs->fat[i].flags & RPMBFS_FILE_ACTIVE) ||
		    !rpmbfs_parse_name(fs->fat[i].name, &u, id, id_len))
			continue;
		if (ta && memcmp(&u, ta, sizeof(u)))
			continue;
		*ta_out = u;
		*cursor = i + 1;
		res = TEE_SUCCESS;
		break;
	}
out:
	pthread_mutex_unlock(&fs->lock);
	return api_error(res);
}
