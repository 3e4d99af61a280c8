/*
 * Model-based random test: random operations (create with and without
 * overwrite, writes at random positions with gaps, truncate both ways,
 * rename, remove, usage changes, store reopen) on a store and on an
 * in-memory model; the store is compared with the model after every
 * step. Fixed seeds; a failure prints the seed and the op index.
 *	test_engine_model [--backend KIND] [--ops N] [--seed S]
 */
#include <stdlib.h>
#include <string.h>

#include "engine_util.h"
#include "tee_error.h"
#include "test.h"
#include "test_backend.h"

#define MAX_SIZE 40000
#define NUM_IDS	 12

static const char *kind;

static void random_id(uint64_t *rng, struct eng_op *op, bool second)
{
	uint64_t r = test_rand(rng) % NUM_IDS;
	uint8_t *id = second ? op->id2 : op->id;
	size_t *len = second ? &op->id2_len : &op->id_len;

	/* A few fixed shapes: the empty ID, a 64-byte ID, short ones. */
	if (r == 0) {
		*len = 0;
	} else if (r == 1) {
		*len = TSTORE_ID_MAX;
		memset(id, 'L', TSTORE_ID_MAX);
	} else {
		*len = 1 + r % 3;
		memset(id, (int)('a' + r), *len);
	}
}

static void random_op(uint64_t *rng, struct eng_op *op)
{
	uint64_t r = test_rand(rng) % 100;

	memset(op, 0, sizeof(*op));
	op->ta = (int)(test_rand(rng) % 2);
	op->seed = test_rand(rng);
	random_id(rng, op, false);
	if (r < 15) {
		op->kind = r < 8 ? OP_CREATE : OP_CREATE_OW;
		op->len =
		    (size_t)(test_rand(rng) % 3 ? test_rand(rng) % 5000
						: test_rand(rng) % MAX_SIZE);
		op->attr_len =
		    (uint32_t)(test_rand(rng) % 4 ? 0 : test_rand(rng) % 200);
	} else if (r < 60) {
		op->kind = OP_WRITE;
		op->pos = test_rand(rng) % MAX_SIZE;
		op->len = (size_t)(test_rand(rng) % 4 ? test_rand(rng) % 300
						      : test_rand(rng) % 9000);
		if (op->pos + op->len > MAX_SIZE)
			op->pos = MAX_SIZE - op->len;
	} else if (r < 75) {
		op->kind = OP_TRUNC;
		op->len = (size_t)(test_rand(rng) % MAX_SIZE);
	} else if (r < 83) {
		op->kind = OP_RENAME;
		random_id(rng, op, true);
	} else if (r < 92) {
		op->kind = OP_REMOVE;
	} else {
		op->kind = OP_SET_USAGE;
		op->seed &= 0xffffffff;
	}
}

static bool run_seed(uint64_t seed, unsigned nops, unsigned *checked)
{
	char dir[512], why[256];
	struct backend *be;
	struct tstore *s = NULL;
	struct model m;
	uint64_t rng = seed;
	unsigned i;
	bool ok = true;

	snprintf(dir, sizeof(dir), "%s", test_tmpdir("model"));
	be = test_backend_new(kind, dir);
	if (!be || eng_open(be, &s))
		return false;
	model_init(&m);
	for (i = 0; ok && i < nops; i++) {
		struct eng_op op;
		TEE_Result want, got;

		if (test_rand(&rng) % 50 == 0) {
			tstore_close(s);
			s = NULL;
			if (eng_open(be, &s)) {
				fprintf(stderr,
					"seed %llu op %u: reopen failed\n",
					(unsigned long long)seed, i);
				ok = false;
				break;
			}
		}
		random_op(&rng, &op);
		want = eng_op_model(&m, &op);
		got = eng_op_store(s, &op);
		if (want != got) {
			fprintf(stderr,
				"seed %llu op %u (%s): store %s, model %s\n",
				(unsigned long long)seed, i,
				eng_op_name(op.kind), tee_error_name(got),
				tee_error_name(want));
			ok = false;
		}
		if (ok && (i % 5 == 0 || i + 1 == nops)) {
			if (eng_check(s, &m, why, sizeof(why))) {
				fprintf(stderr, "seed %llu op %u (%s): %s\n",
					(unsigned long long)seed, i,
					eng_op_name(op.kind), why);
				ok = false;
			}
			(*checked)++;
		}
	}
	tstore_close(s);
	model_free(&m);
	backend_destroy(be);
	if (!test_backend_is_fake(kind))
		test_rmtree(dir);
	return ok;
}

static unsigned nops;
static uint64_t only_seed;

static void test_random_ops_match_model(void)
{
	static const uint64_t seeds[] = {1, 0x5eed, 20240601};
	unsigned checked = 0;
	size_t i;

	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		uint64_t seed = only_seed ? only_seed : seeds[i];

		CHECK(run_seed(seed, nops, &checked));
		if (only_seed)
			break;
	}
	fprintf(stderr, "model: %u ops per seed, %u full comparisons\n", nops,
		checked);
}

int main(int argc, char **argv)
{
	int i;

	kind = test_backend_kind(argc, argv, "fake");
	nops = test_backend_is_fake(kind) ? 3000 : 1000;
	for (i = 1; i + 1 < argc; i++) {
		if (!strcmp(argv[i], "--ops"))
			nops = (unsigned)strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--seed"))
			only_seed = strtoull(argv[i + 1], NULL, 0);
	}
	RUN(test_random_ops_match_model);
	return test_report();
}
