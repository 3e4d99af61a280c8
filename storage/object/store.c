/*
 * The store: keys, dirf.db, the batch pool, orphan clean-up at open,
 * enumeration. docs/engine.md, "Object layer".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "tstore_internal.h"
#include "tstore_test.h"

void tstore_config_init(struct tstore_config *cfg, const uint8_t *huk,
			size_t huk_len)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->huk = huk;
	cfg->huk_len = huk_len;
	cfg->subkey_compat = true;
	cfg->hash_size_compat = true;
}

struct batch *tstore_batch_get(struct tstore *s)
{
	struct batch *b = NULL;

	pthread_mutex_lock(&s->lock);
	if (s->npool)
		b = s->pool[--s->npool];
	pthread_mutex_unlock(&s->lock);
	if (b)
		return b;
	b = calloc(1, sizeof(*b));
	if (b && batch_init(b, s->be, s->batch_size, BATCH_DEFAULT_OPS_CAP)) {
		free(b);
		b = NULL;
	}
	return b;
}

void tstore_batch_put(struct tstore *s, struct batch *b)
{
	if (!b)
		return;
	batch_discard(b);
	pthread_mutex_lock(&s->lock);
	if (s->npool < TSTORE_BATCH_POOL) {
		s->pool[s->npool++] = b;
		b = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	if (b) {
		batch_free(b);
		free(b);
	}
}

TEE_Result tstore_dirf_ready(struct tstore *s, struct batch *b)
{
	TEE_Result res;

	if (!s->dirf_stale)
		return TEE_SUCCESS;
	res = dirf_reload(s->dirf, b);
	if (!res)
		res = tstore_anchor_verify(s); /* anchors a missed commit */
	if (!res)
		s->dirf_stale = false;
	return res;
}

struct name_list {
	char (*names)[DIRF_FNAME_SIZE];
	size_t n, cap;
	bool oom;
};

static int collect_object_file(void *arg, const char *name)
{
	struct name_list *l = arg;
	uint32_t fnum;

	if (!dirf_parse_fname(name, &fnum))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		void *p = realloc(l->names, cap * sizeof(*l->names));

		if (!p) {
			l->oom = true;
			return 1;
		}
		l->names = p;
		l->cap = cap;
	}
	strcpy(l->names[l->n++], name);
	return 0;
}

/*
 * dirf.db had to be made anew, yet object files exist: the directory file
 * was lost or removed (by an attacker, or an admin). Those files are not
 * crash leftovers; never destroy them. Each is renamed "<n>.lost", out of
 * the way of the orphan sweep and of new objects (a create would truncate
 * "<n>"), and the loss is reported; an older dirf.db can still recover
 * them offline.
 */
static TEE_Result keep_unreferenced(struct tstore *s, struct name_list *l)
{
	char to[BACKEND_NAME_MAX + 1];
	TEE_Result res = TEE_SUCCESS;
	size_t i;

	for (i = 0; !res && i < l->n; i++) {
		snprintf(to, sizeof(to), "%s.lost", l->names[i]);
		res = backend_rename(s->be, l->names[i], to, false);
	}
	if (!res && l->n)
		res = backend_sync_dir(s->be);
	if (!res && l->n)
		log_warnx("tstore: dirf.db was missing but %zu object files "
			  "exist: kept as <n>.lost",
			  l->n);
	return res;
}

/*
 * Object files dirf.db does not reference were left by a create or
 * replace that crashed before its commit record (or by a removal whose
 * unlink was lost): nothing can ever refer to them again.
 */
static TEE_Result remove_orphans(struct tstore *s)
{
	struct name_list l = {0};
	TEE_Result res;
	size_t i;

	res = backend_list(s->be, collect_object_file, &l);
	if (!res && l.oom)
		res = TEE_ERROR_OUT_OF_MEMORY;
	if (!res && dirf_was_created(s->dirf)) {
		res = keep_unreferenced(s, &l);
		free(l.names);
		return res;
	}
	for (i = 0; !res && i < l.n; i++) {
		uint32_t fnum;

		dirf_parse_fname(l.names[i], &fnum);
		if (dirf_fnum_in_use(s->dirf, fnum))
			continue;
		res = backend_remove(s->be, l.names[i]);
		if (res == TEE_ERROR_ITEM_NOT_FOUND)
			res = TEE_SUCCESS;
		if (!res)
			s->stats.orphans_removed++;
	}
	free(l.names);
	return res;
}

TEE_Result tstore_open(struct backend *be, const struct tstore_config *cfg,
		       struct tstore **out)
{
	struct tstore *s;
	struct batch *b = NULL;
	TEE_Result res;

	*out = NULL;
	/* A batch must hold one whole block (htree_rw.c). */
	if (cfg->batch_size && cfg->batch_size < HTREE_BLOCK_SIZE)
		return TEE_ERROR_BAD_PARAMETERS;
	s = calloc(1, sizeof(*s));
	if (!s)
		return TEE_ERROR_OUT_OF_MEMORY;
	s->be = be;
	s->cfg.hash_size_compat = cfg->hash_size_compat;
	s->batch_size =
	    cfg->batch_size ? cfg->batch_size : BATCH_DEFAULT_DATA_CAP;
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->dirf_lock, NULL);
	pthread_mutex_init(&s->group_lock, NULL);
	pthread_cond_init(&s->group_cond, NULL);
	s->group_tail = &s->group_head;
	res = keys_create(cfg->huk, cfg->huk_len, cfg->subkey_compat, &s->keys);
	if (res)
		goto err;
	b = tstore_batch_get(s);
	if (!b) {
		res = TEE_ERROR_OUT_OF_MEMORY;
		goto err;
	}
	res = tstore_anchor_open(s, cfg, b);
	if (res)
		goto err;
	res = remove_orphans(s);
	if (res)
		goto err;
	tstore_batch_put(s, b);
	*out = s;
	return TEE_SUCCESS;
err:
	tstore_batch_put(s, b);
	tstore_close(s);
	return res;
}

void tstore_close(struct tstore *s)
{
	if (!s)
		return;
	if (s->open_list)
		log_warnx("tstore_close: objects still open");
	dirf_close(s->dirf);
	while (s->npool) {
		struct batch *b = s->pool[--s->npool];

		batch_free(b);
		free(b);
	}
	keys_destroy(s->keys);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->dirf_lock);
	pthread_mutex_destroy(&s->group_lock);
	pthread_cond_destroy(&s->group_cond);
	free(s);
}

TEE_Result tstore_enum_next(struct tstore *s, const TEE_UUID *ta,
			    uint64_t *cursor, TEE_UUID *ta_out, uint8_t *id,
			    size_t *id_len)
{
	struct dirf_entry e;
	struct batch *b = tstore_batch_get(s);
	TEE_Result res;

	if (!b)
		return TEE_ERROR_OUT_OF_MEMORY;
	pthread_mutex_lock(&s->dirf_lock);
	res = tstore_dirf_ready(s, b);
	if (!res)
		res = dirf_next(s->dirf, ta, cursor, &e);
	pthread_mutex_unlock(&s->dirf_lock);
	tstore_batch_put(s, b);
	if (res)
		return res;
	if (ta_out)
		*ta_out = e.uuid;
	memcpy(id, e.oid, e.oid_len);
	*id_len = e.oid_len;
	return TEE_SUCCESS;
}

void tstore_get_stats(struct tstore *s, struct tstore_stats *st)
{
	pthread_mutex_lock(&s->lock);
	*st = s->stats;
	pthread_mutex_unlock(&s->lock);
}

bool tstore_test_dirf_fell_back(struct tstore *s)
{
	bool v;

	pthread_mutex_lock(&s->dirf_lock);
	v = dirf_fell_back(s->dirf);
	pthread_mutex_unlock(&s->dirf_lock);
	return v;
}
