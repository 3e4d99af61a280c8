/* The in-memory test backend (mem_backend.h). fh = file slot + 1. */
#include "mem_backend.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tee_api_defines.h"

#define MEM_FILES 64

struct mem_file {
	char name[BACKEND_NAME_MAX + 1];
	uint8_t *data;
	size_t len;
	size_t cap; /* grows geometrically: no quadratic copying */
	int used;
};

struct mem_backend {
	struct backend be;
	struct mem_file files[MEM_FILES];
	struct mem_stats stats;
	/* submit() may come from several threads at once (the htree's
	 * crypto pool reads in parallel): one submit at a time. */
	pthread_mutex_t lock;
};

static struct mem_backend *mb(struct backend *be)
{
	return (struct mem_backend *)be;
}

static struct mem_file *find(struct mem_backend *m, const char *name)
{
	int i;

	for (i = 0; i < MEM_FILES; i++)
		if (m->files[i].used && !strcmp(m->files[i].name, name))
			return &m->files[i];
	return NULL;
}

static struct mem_file *file_of(struct mem_backend *m, uint32_t fh)
{
	if (fh < 1 || fh > MEM_FILES || !m->files[fh - 1].used)
		return NULL;
	return &m->files[fh - 1];
}

static TEE_Result mem_open(struct backend *be, const char *name, uint32_t *fh)
{
	struct mem_file *f = find(mb(be), name);

	if (!f)
		return TEE_ERROR_ITEM_NOT_FOUND;
	*fh = (uint32_t)(f - mb(be)->files) + 1;
	return TEE_SUCCESS;
}

static TEE_Result mem_create(struct backend *be, const char *name, uint32_t *fh)
{
	if (mem_file_set(be, name, NULL, 0))
		return TEE_ERROR_OUT_OF_MEMORY;
	return mem_open(be, name, fh);
}

static TEE_Result mem_close(struct backend *be, uint32_t fh)
{
	return file_of(mb(be), fh) ? TEE_SUCCESS : TEE_ERROR_BAD_PARAMETERS;
}

static int resize(struct mem_file *f, size_t len)
{
	uint8_t *d;

	if (len > f->cap) {
		size_t cap = f->cap ? f->cap : 65536;

		while (cap < len)
			cap *= 2;
		d = realloc(f->data, cap);
		if (!d)
			return -1;
		f->data = d;
		f->cap = cap;
	}
	if (len > f->len)
		memset(f->data + f->len, 0, len - f->len);
	f->len = len;
	return 0;
}

static TEE_Result do_op(struct mem_backend *m, struct backend_op *op)
{
	struct mem_file *f =
	    op->type == BACKEND_OP_SYNC_DIR ? NULL : file_of(m, op->fh);

	if (op->type != BACKEND_OP_SYNC_DIR && !f)
		return TEE_ERROR_BAD_PARAMETERS;
	switch (op->type) {
	case BACKEND_OP_READ:
		m->stats.reads++;
		op->done = 0;
		if (op->off < f->len) {
			op->done = f->len - op->off < op->len ? f->len - op->off
							      : op->len;
			memcpy(op->buf, f->data + op->off, op->done);
		}
		return TEE_SUCCESS;
	case BACKEND_OP_WRITE:
		m->stats.writes++;
		if (op->off + op->len > f->len && resize(f, op->off + op->len))
			return TEE_ERROR_OUT_OF_MEMORY;
		memcpy(f->data + op->off, op->buf, op->len);
		return TEE_SUCCESS;
	case BACKEND_OP_TRUNCATE:
		return resize(f, op->off) ? TEE_ERROR_OUT_OF_MEMORY
					  : TEE_SUCCESS;
	case BACKEND_OP_SYNC:
	case BACKEND_OP_SYNC_DIR:
		return TEE_SUCCESS;
	default:
		return TEE_ERROR_BAD_PARAMETERS;
	}
}

static TEE_Result mem_submit(struct backend *be, struct backend_op *ops,
			     size_t n)
{
	TEE_Result res = TEE_SUCCESS;
	size_t i;

	pthread_mutex_lock(&mb(be)->lock);
	mb(be)->stats.submits++;
	for (i = 0; i < n && res == TEE_SUCCESS; i++)
		res = do_op(mb(be), &ops[i]);
	pthread_mutex_unlock(&mb(be)->lock);
	return res;
}

static TEE_Result mem_remove(struct backend *be, const char *name)
{
	struct mem_file *f = find(mb(be), name);

	if (!f)
		return TEE_ERROR_ITEM_NOT_FOUND;
	free(f->data);
	memset(f, 0, sizeof(*f));
	return TEE_SUCCESS;
}

static TEE_Result mem_rename(struct backend *be, const char *from,
			     const char *to, bool overwrite)
{
	struct mem_file *f = find(mb(be), from);
	struct mem_file *t = find(mb(be), to);

	if (!f)
		return TEE_ERROR_ITEM_NOT_FOUND;
	if (t && !overwrite)
		return TEE_ERROR_ACCESS_CONFLICT;
	if (t && t != f)
		mem_remove(be, to);
	snprintf(f->name, sizeof(f->name), "%s", to);
	return TEE_SUCCESS;
}

static TEE_Result mem_list(struct backend *be, backend_list_fn fn, void *arg)
{
	int i;

	for (i = 0; i < MEM_FILES; i++)
		if (mb(be)->files[i].used && fn(arg, mb(be)->files[i].name))
			break;
	return TEE_SUCCESS;
}

static void mem_destroy(struct backend *be)
{
	int i;

	for (i = 0; i < MEM_FILES; i++)
		free(mb(be)->files[i].data);
	pthread_mutex_destroy(&mb(be)->lock);
	free(be);
}

static const struct backend_ops mem_ops = {
    .kind = "mem",
    .open = mem_open,
    .create = mem_create,
    .close = mem_close,
    .submit = mem_submit,
    .remove = mem_remove,
    .rename = mem_rename,
    .list = mem_list,
    .destroy = mem_destroy,
};

struct backend *mem_backend_new(void)
{
	struct mem_backend *m = calloc(1, sizeof(*m));

	if (!m)
		abort();
	pthread_mutex_init(&m->lock, NULL);
	m->be.ops = &mem_ops;
	return &m->be;
}

uint8_t *mem_file(struct backend *be, const char *name, size_t *len)
{
	struct mem_file *f = find(mb(be), name);

	if (!f)
		return NULL;
	*len = f->len;
	return f->data;
}

int mem_file_set(struct backend *be, const char *name, const void *data,
		 size_t len)
{
	struct mem_file *f = find(mb(be), name);
	int i;

	for (i = 0; !f && i < MEM_FILES; i++) {
		if (!mb(be)->files[i].used) {
			f = &mb(be)->files[i];
			f->used = 1;
			snprintf(f->name, sizeof(f->name), "%s", name);
		}
	}
	if (!f)
		return -1;
	f->len = 0;
	if (resize(f, len))
		return -1;
	if (len)
		memcpy(f->data, data, len);
	return 0;
}

struct mem_stats *mem_stats(struct backend *be)
{
	return &mb(be)->stats;
}

int mem_file_save(struct backend *be, const char *name, const char *path)
{
	size_t len = 0;
	uint8_t *d = mem_file(be, name, &len);
	FILE *fp;
	int rc = 0;

	if (!d && len)
		return -1;
	fp = fopen(path, "wb");
	if (!fp)
		return -1;
	if (len && fwrite(d, 1, len, fp) != len)
		rc = -1;
	if (fclose(fp))
		rc = -1;
	return rc;
}

int mem_file_load(struct backend *be, const char *name, const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *d = NULL;
	size_t len = 0, cap = 0, n;
	int rc;

	if (!fp)
		return -1;
	for (;;) {
		if (len == cap) {
			uint8_t *nd = realloc(d, cap = cap ? cap * 2 : 65536);

			if (!nd) {
				free(d);
				fclose(fp);
				return -1;
			}
			d = nd;
		}
		n = fread(d + len, 1, cap - len, fp);
		if (!n)
			break;
		len += n;
	}
	fclose(fp);
	rc = mem_file_set(be, name, d, len);
	free(d);
	return rc;
}
