/*
 * The fake backend's disk state (fake_state.h): file images, pending ops,
 * the two namespaces, and the power-loss resolution of what is pending.
 * docs/crash-model.md describes the model.
 */
#include <stdlib.h>
#include <string.h>

#include "fake_state.h"
#include "tee_api_defines.h"

/* No simulated file grows beyond this (a guard against size overflow). */
#define FAKE_FILE_MAX ((uint64_t)1 << 32)

static bool fake_fate_survives(struct fake_fate *f)
{
	uint64_t z;

	if (f->mode == BACKEND_FAKE_DROP)
		return false;
	if (f->mode == BACKEND_FAKE_KEEP)
		return true;
	/* splitmix64: one independent coin per decision. */
	z = (f->rng += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return ((z ^ (z >> 31)) & 1) != 0;
}

/* Sets the size to len; bytes that become visible read as zeros. */
static TEE_Result fake_image_resize(struct fake_image *img, uint64_t len)
{
	size_t cap;
	uint8_t *p;

	if (len > FAKE_FILE_MAX)
		return TEE_ERROR_STORAGE_NO_SPACE;
	if (len > img->cap) {
		cap = img->cap ? img->cap : 4096;
		while (cap < len)
			cap *= 2;
		p = realloc(img->data, cap);
		if (!p)
			return TEE_ERROR_OUT_OF_MEMORY;
		img->data = p;
		img->cap = cap;
	}
	if (len > img->size)
		memset(img->data + img->size, 0, len - img->size);
	img->size = len;
	return TEE_SUCCESS;
}

static TEE_Result fake_image_write(struct fake_image *img, uint64_t off,
				   const uint8_t *buf, size_t len)
{
	TEE_Result res;

	if (!len)
		return TEE_SUCCESS; /* as pwrite: no extension */
	if (off > FAKE_FILE_MAX || len > FAKE_FILE_MAX - off)
		return TEE_ERROR_STORAGE_NO_SPACE;
	if (off + len > img->size) {
		res = fake_image_resize(img, off + len);
		if (res)
			return res;
	}
	memcpy(img->data + off, buf, len);
	return TEE_SUCCESS;
}

TEE_Result fake_image_set(struct fake_image *img, const void *data, size_t len)
{
	TEE_Result res = fake_image_resize(img, 0);

	if (res == TEE_SUCCESS)
		res = fake_image_write(img, 0, data, len);
	return res;
}

static void fake_inode_clear(struct fake_inode *in)
{
	size_t i;

	for (i = 0; i < in->npend; i++)
		free(in->pend[i].data);
	free(in->pend);
	free(in->cur.data);
	free(in->dur.data);
	memset(in, 0, sizeof(*in));
}

void fake_state_free(struct fake_state *s)
{
	size_t i;

	for (i = 0; i < s->ninodes; i++)
		fake_inode_clear(&s->inodes[i]);
	free(s->inodes);
	free(s->vol.v);
	free(s->dur.v);
	free(s->nsops);
	memset(s, 0, sizeof(*s));
}

/* Appends a pending op; takes ownership of data (freed on failure). */
static TEE_Result fake_pend_add(struct fake_inode *in, uint32_t type,
				uint64_t off, size_t len, uint8_t *data)
{
	struct fake_pending *p;
	size_t cap;

	if (in->npend == in->pend_cap) {
		cap = in->pend_cap ? in->pend_cap * 2 : 16;
		p = realloc(in->pend, cap * sizeof(*p));
		if (!p) {
			free(data);
			return TEE_ERROR_OUT_OF_MEMORY;
		}
		in->pend = p;
		in->pend_cap = cap;
	}
	in->pend[in->npend++] = (struct fake_pending){type, off, len, data};
	return TEE_SUCCESS;
}

TEE_Result fake_inode_write(struct fake_inode *in, uint64_t off,
			    const void *buf, size_t len)
{
	TEE_Result res;
	uint8_t *copy;

	if (!len)
		return TEE_SUCCESS;
	copy = malloc(len);
	if (!copy)
		return TEE_ERROR_OUT_OF_MEMORY;
	memcpy(copy, buf, len);
	res = fake_image_write(&in->cur, off, buf, len);
	if (res) {
		free(copy);
		return res;
	}
	return fake_pend_add(in, BACKEND_OP_WRITE, off, len, copy);
}

TEE_Result fake_inode_truncate(struct fake_inode *in, uint64_t len)
{
	TEE_Result res = fake_image_resize(&in->cur, len);

	if (res)
		return res;
	return fake_pend_add(in, BACKEND_OP_TRUNCATE, len, 0, NULL);
}

/*
 * Applies one pending write to the durable image, sector by sector
 * (sectors aligned on file offsets), each surviving per fate.
 */
static TEE_Result fake_settle_write(struct fake_image *dur,
				    const struct fake_pending *p,
				    struct fake_fate *fate)
{
	uint64_t pos = p->off, end = p->off + p->len, next;
	TEE_Result res;

	if (fate->mode == BACKEND_FAKE_KEEP)
		return fake_image_write(dur, p->off, p->data, p->len);
	while (pos < end) {
		next = (pos / BACKEND_FAKE_SECTOR + 1) * BACKEND_FAKE_SECTOR;
		if (next > end)
			next = end;
		if (fake_fate_survives(fate)) {
			res = fake_image_write(
			    dur, pos, p->data + (pos - p->off), next - pos);
			if (res)
				return res;
		}
		pos = next;
	}
	return TEE_SUCCESS;
}

TEE_Result fake_inode_settle(struct fake_inode *in, struct fake_fate *fate)
{
	TEE_Result res = TEE_SUCCESS;
	struct fake_pending *p;
	size_t i;

	for (i = 0; i < in->npend && res == TEE_SUCCESS; i++) {
		p = &in->pend[i];
		if (p->type == BACKEND_OP_WRITE)
			res = fake_settle_write(&in->dur, p, fate);
		else if (fake_fate_survives(fate))
			res = fake_image_resize(&in->dur, p->off);
	}
	for (i = 0; i < in->npend; i++)
		free(in->pend[i].data);
	in->npend = 0;
	return res;
}

long fake_ns_find(const struct fake_ns *ns, const char *name)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		if (!strcmp(ns->v[i].name, name))
			return (long)i;
	return -1;
}

TEE_Result fake_ns_set(struct fake_ns *ns, const char *name, uint32_t ino)
{
	long idx = fake_ns_find(ns, name);
	struct fake_name *v;
	size_t cap;

	if (idx >= 0) {
		ns->v[idx].ino = ino;
		return TEE_SUCCESS;
	}
	if (ns->n == ns->cap) {
		cap = ns->cap ? ns->cap * 2 : 16;
		v = realloc(ns->v, cap * sizeof(*v));
		if (!v)
			return TEE_ERROR_OUT_OF_MEMORY;
		ns->v = v;
		ns->cap = cap;
	}
	memset(&ns->v[ns->n], 0, sizeof(ns->v[ns->n]));
	strncpy(ns->v[ns->n].name, name, BACKEND_NAME_MAX);
	ns->v[ns->n].ino = ino;
	ns->n++;
	return TEE_SUCCESS;
}

void fake_ns_del(struct fake_ns *ns, size_t idx)
{
	ns->v[idx] = ns->v[--ns->n];
}

TEE_Result fake_ns_copy(struct fake_ns *dst, const struct fake_ns *src)
{
	struct fake_name *v = NULL;

	if (src->n) {
		v = malloc(src->n * sizeof(*v));
		if (!v)
			return TEE_ERROR_OUT_OF_MEMORY;
		memcpy(v, src->v, src->n * sizeof(*v));
	}
	free(dst->v);
	dst->v = v;
	dst->n = dst->cap = src->n;
	return TEE_SUCCESS;
}

TEE_Result fake_inode_new(struct fake_state *s, uint32_t *ino)
{
	struct fake_inode *v;
	size_t i, cap;

	for (i = 0; i < s->ninodes; i++)
		if (!s->inodes[i].used)
			goto found;
	if (s->ninodes >= FAKE_NO_INODE / 2)
		return TEE_ERROR_OUT_OF_MEMORY;
	cap = s->ninodes ? s->ninodes * 2 : 16;
	v = realloc(s->inodes, cap * sizeof(*v));
	if (!v)
		return TEE_ERROR_OUT_OF_MEMORY;
	memset(v + s->ninodes, 0, (cap - s->ninodes) * sizeof(*v));
	s->inodes = v;
	i = s->ninodes;
	s->ninodes = cap;
found:
	memset(&s->inodes[i], 0, sizeof(s->inodes[i]));
	s->inodes[i].used = true;
	*ino = (uint32_t)i;
	return TEE_SUCCESS;
}

static bool fake_ns_refers(const struct fake_ns *ns, uint32_t ino)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		if (ns->v[i].ino == ino)
			return true;
	return false;
}

void fake_inode_gc(struct fake_state *s, uint32_t ino)
{
	size_t i;

	if (ino >= s->ninodes || !s->inodes[ino].used)
		return;
	if (fake_ns_refers(&s->vol, ino) || fake_ns_refers(&s->dur, ino))
		return;
	for (i = 0; i < s->nnsops; i++)
		if (s->nsops[i].type == FAKE_NS_CREATE &&
		    s->nsops[i].ino == ino)
			return;
	if (s->inodes[ino].nopen)
		return;
	fake_inode_clear(&s->inodes[ino]);
}

void fake_inode_gc_all(struct fake_state *s)
{
	size_t i;

	for (i = 0; i < s->ninodes; i++)
		fake_inode_gc(s, (uint32_t)i);
}

uint64_t fake_total_size(const struct fake_state *s)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < s->ninodes; i++)
		if (s->inodes[i].used)
			total += s->inodes[i].cur.size;
	return total;
}

TEE_Result fake_nsop_add(struct fake_state *s, uint32_t type, uint32_t ino,
			 const char *a, const char *b)
{
	struct fake_nsop *v, *op;
	size_t cap;

	if (s->nnsops == s->nsops_cap) {
		cap = s->nsops_cap ? s->nsops_cap * 2 : 16;
		v = realloc(s->nsops, cap * sizeof(*v));
		if (!v)
			return TEE_ERROR_OUT_OF_MEMORY;
		s->nsops = v;
		s->nsops_cap = cap;
	}
	op = &s->nsops[s->nnsops++];
	memset(op, 0, sizeof(*op));
	op->type = type;
	op->ino = ino;
	strncpy(op->a, a, BACKEND_NAME_MAX);
	if (b)
		strncpy(op->b, b, BACKEND_NAME_MAX);
	return TEE_SUCCESS;
}

/* Replays one namespace op onto the durable namespace. */
static TEE_Result fake_nsop_apply(struct fake_ns *ns,
				  const struct fake_nsop *op)
{
	long from = fake_ns_find(ns, op->a), to;
	uint32_t ino;

	switch (op->type) {
	case FAKE_NS_CREATE:
		return fake_ns_set(ns, op->a, op->ino);
	case FAKE_NS_REMOVE:
		if (from >= 0)
			fake_ns_del(ns, (size_t)from);
		return TEE_SUCCESS;
	default: /* FAKE_NS_RENAME; a no-op if the source never landed */
		if (from < 0)
			return TEE_SUCCESS;
		ino = ns->v[from].ino;
		fake_ns_del(ns, (size_t)from);
		to = fake_ns_find(ns, op->b);
		if (to >= 0) {
			ns->v[to].ino = ino;
			return TEE_SUCCESS;
		}
		return fake_ns_set(ns, op->b, ino);
	}
}

TEE_Result fake_ns_settle(struct fake_state *s, struct fake_fate *fate)
{
	TEE_Result res = TEE_SUCCESS;
	size_t i;

	if (fate->mode == BACKEND_FAKE_KEEP) {
		/* Every op survives: the durable namespace is the volatile
		 * one (the replay would give the same). */
		res = fake_ns_copy(&s->dur, &s->vol);
	} else {
		for (i = 0; i < s->nnsops && res == TEE_SUCCESS; i++)
			if (fake_fate_survives(fate))
				res = fake_nsop_apply(&s->dur, &s->nsops[i]);
	}
	s->nnsops = 0;
	return res;
}

static TEE_Result fake_image_copy(struct fake_image *dst,
				  const struct fake_image *src)
{
	memset(dst, 0, sizeof(*dst));
	return fake_image_write(dst, 0, src->data, src->size);
}

static TEE_Result fake_inode_copy(struct fake_inode *dst,
				  const struct fake_inode *src)
{
	TEE_Result res;
	uint8_t *data;
	size_t i;

	memset(dst, 0, sizeof(*dst));
	if (!src->used)
		return TEE_SUCCESS;
	dst->used = true;
	dst->nopen = src->nopen;
	res = fake_image_copy(&dst->cur, &src->cur);
	if (res == TEE_SUCCESS)
		res = fake_image_copy(&dst->dur, &src->dur);
	for (i = 0; i < src->npend && res == TEE_SUCCESS; i++) {
		data = NULL;
		if (src->pend[i].len) {
			data = malloc(src->pend[i].len);
			if (!data)
				return TEE_ERROR_OUT_OF_MEMORY;
			memcpy(data, src->pend[i].data, src->pend[i].len);
		}
		res = fake_pend_add(dst, src->pend[i].type, src->pend[i].off,
				    src->pend[i].len, data);
	}
	return res;
}

TEE_Result fake_state_copy(struct fake_state *dst, const struct fake_state *src)
{
	TEE_Result res = TEE_ERROR_OUT_OF_MEMORY;
	size_t i;

	memset(dst, 0, sizeof(*dst));
	memcpy(dst->handles, src->handles, sizeof(dst->handles));
	if (src->ninodes) {
		dst->inodes = calloc(src->ninodes, sizeof(*dst->inodes));
		if (!dst->inodes)
			goto out;
		dst->ninodes = src->ninodes;
	}
	for (i = 0; i < src->ninodes; i++) {
		res = fake_inode_copy(&dst->inodes[i], &src->inodes[i]);
		if (res)
			goto out;
	}
	res = fake_ns_copy(&dst->vol, &src->vol);
	if (res == TEE_SUCCESS)
		res = fake_ns_copy(&dst->dur, &src->dur);
	if (res == TEE_SUCCESS && src->nnsops) {
		res = TEE_ERROR_OUT_OF_MEMORY;
		dst->nsops = malloc(src->nnsops * sizeof(*dst->nsops));
		if (!dst->nsops)
			goto out;
		memcpy(dst->nsops, src->nsops,
		       src->nnsops * sizeof(*dst->nsops));
		dst->nnsops = dst->nsops_cap = src->nnsops;
		res = TEE_SUCCESS;
	}
out:
	if (res)
		fake_state_free(dst);
	return res;
}
