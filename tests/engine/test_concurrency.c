/*
 * Concurrent writers on one store (group commit, docs/engine.md "Group
 * commit"): each thread runs random operations (create with and without
 * overwrite, write, truncate, rename, remove, usage change) on objects of
 * its own, checked against a model of its own after every operation, and
 * writes and reads back its own region of shared objects that every
 * thread keeps open at once (one shared struct: the threads' writes land
 * in the same blocks). At the end the whole store is compared with the
 * union of the models, before and after a reopen.
 *	test_engine_concurrency [--backend KIND] [--threads N] [--ops N]
 *	                        [--seed S]
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "engine_util.h"
#include "tee_error.h"
#include "test.h"
#include "test_backend.h"

/* Every thread's objects and the shared ones fit in one model. */
#define MAX_THREADS 12
#define OWN_IDS	    5 /* object IDs per thread */
#define MAX_SIZE    14000
#define NSHARED	    2
#define REGION	    700 /* bytes of each shared object per thread */

static const char *kind;
static unsigned nthreads = 8, nops = 120;
static uint64_t base_seed = 0xc0ffee;

struct worker {
	struct tstore *s;
	int t;
	uint64_t rng;
	struct model m;
	struct tstore_obj *shared[NSHARED]; /* held open for the whole run */
	uint8_t region[NSHARED][REGION];    /* this thread's bytes */
	unsigned ops, shared_ops;
	unsigned failures;
	char why[256]; /* the first failure */
};

/* Records a failure (CHECK is for the main thread only). */
static void fail(struct worker *w, const char *what, TEE_Result res)
{
	if (!w->failures++)
		snprintf(w->why, sizeof(w->why), "%s%s%s", what,
			 res ? ": " : "", res ? tee_error_name(res) : "");
}

static void own_id(struct worker *w, uint8_t *id, size_t *len)
{
	*len = (size_t)snprintf((char *)id, TSTORE_ID_MAX, "t%d-%d", w->t,
				(int)(test_rand(&w->rng) % OWN_IDS));
}

static void random_own_op(struct worker *w, struct eng_op *op)
{
	uint64_t r = test_rand(&w->rng) % 100;

	memset(op, 0, sizeof(*op));
	op->ta = w->t % ENG_TAS;
	op->seed = test_rand(&w->rng);
	own_id(w, op->id, &op->id_len);
	if (r < 20) {
		op->kind = r < 10 ? OP_CREATE : OP_CREATE_OW;
		op->len = (size_t)(test_rand(&w->rng) % 6000);
		op->attr_len = (uint32_t)(test_rand(&w->rng) % 3
					      ? 0
					      : test_rand(&w->rng) % 100);
	} else if (r < 60) {
		op->kind = OP_WRITE;
		op->pos = test_rand(&w->rng) % MAX_SIZE;
		op->len = (size_t)(test_rand(&w->rng) % 4
				       ? test_rand(&w->rng) % 1200
				       : test_rand(&w->rng) % 6000);
		if (op->pos + op->len > MAX_SIZE)
			op->pos = MAX_SIZE - op->len;
	} else if (r < 72) {
		op->kind = OP_TRUNC;
		op->len = (size_t)(test_rand(&w->rng) % MAX_SIZE);
	} else if (r < 84) {
		op->kind = OP_RENAME;
		own_id(w, op->id2, &op->id2_len);
	} else if (r < 92) {
		op->kind = OP_REMOVE;
	} else {
		op->kind = OP_SET_USAGE;
		op->seed &= 0xffffffff;
	}
}

/* The store's object against the model's (or its absence). */
static void check_own(struct worker *w, int ta, const uint8_t *id,
		      size_t id_len)
{
	struct mobj *mo = model_find(&w->m, ta, id, id_len);
	struct tstore_obj *o = NULL;
	struct tstore_info info;
	uint8_t *buf = NULL;
	size_t got = 0;
	TEE_Result res;

	res = tstore_open_obj(w->s, &eng_ta[ta], id, id_len, &o);
	if (!mo) {
		if (res != TEE_ERROR_ITEM_NOT_FOUND)
			fail(w, "removed object: open gives", res);
		tstore_release(o);
		return;
	}
	if (res) {
		fail(w, "open", res);
		return;
	}
	res = tstore_info(o, &info);
	if (!res &&
	    (info.data_size != mo->len || info.head.object_usage != mo->usage ||
	     info.head.attr_size != mo->attr_len))
		fail(w, "info differs from the model", 0);
	buf = malloc(mo->len + 1);
	if (!res && buf)
		res = tstore_read(o, 0, buf, mo->len + 1, &got);
	if (res || !buf)
		fail(w, "read", res);
	else if (got != mo->len || (got && memcmp(buf, mo->data, got)))
		fail(w, "data differs from the model", 0);
	free(buf);
	tstore_release(o);
}

static void own_op(struct worker *w)
{
	struct eng_op op;
	TEE_Result want, got;

	random_own_op(w, &op);
	want = eng_op_model(&w->m, &op);
	got = eng_op_store(w->s, &op);
	if (got != want) {
		char msg[128];

		snprintf(msg, sizeof(msg), "%s: store %s, model %s",
			 eng_op_name(op.kind), tee_error_name(got),
			 tee_error_name(want));
		fail(w, msg, 0);
		return;
	}
	check_own(w, op.ta, op.id, op.id_len);
	if (op.kind == OP_RENAME)
		check_own(w, op.ta, op.id2, op.id2_len);
}

/* A write into this thread's region of a shared object, read back. */
static void shared_op(struct worker *w)
{
	int k = (int)(test_rand(&w->rng) % NSHARED);
	uint64_t off = test_rand(&w->rng) % REGION;
	size_t len = (size_t)(1 + test_rand(&w->rng) % (REGION - off));
	uint64_t pos = (uint64_t)w->t * REGION;
	uint8_t buf[REGION];
	struct tstore_obj *o = w->shared[k];
	bool fresh = test_rand(&w->rng) % 4 == 0;
	size_t got = 0;
	TEE_Result res;

	/* Now and then through a fresh handle: the same shared struct. */
	if (fresh) {
		res = tstore_open_obj(w->s, &eng_ta[0],
				      k ? "shared1" : "shared0", 7, &o);
		if (res) {
			fail(w, "shared open", res);
			return;
		}
		if (o != w->shared[k])
			fail(w, "shared object: a second struct", 0);
	}
	test_fill_pattern(w->region[k] + off, len, test_rand(&w->rng));
	res = tstore_write(o, pos + off, w->region[k] + off, len);
	if (!res)
		res = tstore_read(o, pos, buf, REGION, &got);
	if (res)
		fail(w, "shared object", res);
	else if (got != REGION || memcmp(buf, w->region[k], REGION))
		fail(w, "shared object: region differs", 0);
	if (fresh)
		tstore_release(o);
	w->shared_ops++;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned i;

	for (i = 0; i < nops && !w->failures; i++) {
		if (test_rand(&w->rng) % 5 == 0)
			shared_op(w);
		else
			own_op(w);
		w->ops++;
	}
	return NULL;
}

/* Adds a deep copy of mo to m. */
static void model_add(struct model *m, const struct mobj *mo)
{
	size_t i;

	for (i = 0; i < MODEL_MAX_OBJ && m->o[i].used; i++)
		;
	if (i == MODEL_MAX_OBJ)
		abort(); /* sized below MODEL_MAX_OBJ */
	m->o[i] = *mo;
	m->o[i].data = malloc(mo->len ? mo->len : 1);
	if (!m->o[i].data)
		abort();
	memcpy(m->o[i].data, mo->data, mo->len);
}

/* The shared objects as every thread left its region. */
static void shared_models(struct model *all, struct worker *w)
{
	struct mobj mo;
	unsigned t;
	int k;

	for (k = 0; k < NSHARED; k++) {
		memset(&mo, 0, sizeof(mo));
		mo.used = true;
		mo.ta = 0;
		mo.id_len = 7;
		memcpy(mo.id, k ? "shared1" : "shared0", 7);
		mo.usage = 0xFFFFFFFF;
		mo.len = (size_t)nthreads * REGION;
		mo.data = malloc(mo.len);
		if (!mo.data)
			abort();
		for (t = 0; t < nthreads; t++)
			memcpy(mo.data + (size_t)t * REGION, w[t].region[k],
			       REGION);
		model_add(all, &mo);
		free(mo.data);
	}
}

static void test_concurrent_writers_match_models(void)
{
	static struct worker w[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	struct backend *be = NULL;
	struct tstore *s = NULL;
	struct tstore_stats st;
	struct model all;
	char dir[512], why[256];
	unsigned t, ops = 0, shared = 0;
	uint8_t zero[REGION * MAX_THREADS] = {0};
	struct tstore_head h = {.object_type = 0xA00000BF,
				.object_usage = 0xFFFFFFFF};
	int k;

	snprintf(dir, sizeof(dir), "%s", test_tmpdir("concurrency"));
	be = test_backend_new(kind, dir);
	REQUIRE(be);
	REQUIRE(eng_open(be, &s) == 0);
	for (k = 0; k < NSHARED; k++)
		REQUIRE(tstore_create(s, &eng_ta[0], k ? "shared1" : "shared0",
				      7, &h, NULL, 0, zero,
				      (size_t)nthreads * REGION, false,
				      NULL) == 0);
	memset(w, 0, sizeof(w));
	for (t = 0; t < nthreads; t++) {
		w[t].s = s;
		w[t].t = (int)t;
		w[t].rng = base_seed * 977 + t + 1;
		model_init(&w[t].m);
		for (k = 0; k < NSHARED; k++)
			REQUIRE(tstore_open_obj(s, &eng_ta[0],
						k ? "shared1" : "shared0", 7,
						&w[t].shared[k]) == 0);
	}
	for (t = 0; t < nthreads; t++)
		REQUIRE(pthread_create(&tid[t], NULL, worker_main, &w[t]) == 0);
	for (t = 0; t < nthreads; t++) {
		pthread_join(tid[t], NULL);
		if (w[t].failures)
			fprintf(stderr, "thread %u (seed %llu) op %u: %s\n", t,
				(unsigned long long)base_seed, w[t].ops,
				w[t].why);
		CHECK_EQ(w[t].failures, 0);
		ops += w[t].ops;
		shared += w[t].shared_ops;
		for (k = 0; k < NSHARED; k++)
			tstore_release(w[t].shared[k]);
	}
	/* Everything together: enumeration per TA, every object. */
	model_init(&all);
	for (t = 0; t < nthreads; t++) {
		size_t i;

		for (i = 0; i < MODEL_MAX_OBJ; i++)
			if (w[t].m.o[i].used)
				model_add(&all, &w[t].m.o[i]);
	}
	shared_models(&all, w);
	CHECK(!eng_check(s, &all, why, sizeof(why)));
	tstore_get_stats(s, &st);
	fprintf(stderr,
		"%u threads, %u operations (%u on shared objects): %llu "
		"commits in %llu dirf.db commits\n",
		nthreads, ops, shared, (unsigned long long)st.commits,
		(unsigned long long)st.groups);
	/* Every acknowledged operation is durable: reopen and compare. */
	tstore_close(s);
	s = NULL;
	REQUIRE(eng_open(be, &s) == 0);
	why[0] = '\0';
	CHECK(!eng_check(s, &all, why, sizeof(why)));
	if (why[0])
		fprintf(stderr, "after reopen: %s\n", why);
	tstore_close(s);
	model_free(&all);
	for (t = 0; t < nthreads; t++)
		model_free(&w[t].m);
	backend_destroy(be);
	if (!test_backend_is_fake(kind))
		test_rmtree(dir);
}

int main(int argc, char **argv)
{
	int i;

	kind = test_backend_kind(argc, argv, "fake");
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help")) {
			printf("usage: test_engine_concurrency [--backend KIND]"
			       " [--threads N] [--ops N] [--seed S]\n");
			return 0;
		}
		if (i + 1 >= argc)
			continue;
		if (!strcmp(argv[i], "--threads"))
			nthreads = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--ops"))
			nops = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seed"))
			base_seed = strtoull(argv[++i], NULL, 0);
	}
	if (nthreads < 1 || nthreads > MAX_THREADS) {
		fprintf(stderr, "--threads: 1..%d\n", MAX_THREADS);
		return 2;
	}
	RUN(test_concurrent_writers_match_models);
	return test_report();
}
