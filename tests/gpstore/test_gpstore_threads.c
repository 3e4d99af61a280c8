/*
 * Many TA instances at once (one thread each, as in teed): distinct
 * objects of two TAs, one object shared by all, and open/close churn with
 * conflicting flags; every result is one GP allows, nothing is lost, and
 * every handle is released at the end.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gps_test.h"
#include "test.h"

#define NTHREADS 8
#define CHUNK	 1024
#define NCHUNKS	 12
#define REGION	 512
#define ROUNDS	 6
#define CHURN	 150

static struct gt_env env;

struct worker {
	pthread_t t;
	int i;
	struct gpstore_client *c;
	unsigned errors;
};

static void *distinct_objects(void *arg)
{
	struct worker *w = arg;
	uint8_t chunk[CHUNK], got[CHUNK];
	char id[16];
	uint32_t h = 0;
	size_t n = 0;
	int k;

	snprintf(id, sizeof(id), "t%d", w->i / 2);
	if (gpstore_create(w->c, GT_PRIV, id, strlen(id), R | W, NULL, NULL, 0,
			   &h)) {
		w->errors++;
		return NULL;
	}
	for (k = 0; k < NCHUNKS; k++) {
		test_fill_pattern(chunk, sizeof(chunk), w->i * 100 + k);
		w->errors += gpstore_write(w->c, h, chunk, sizeof(chunk)) != 0;
	}
	gpstore_seek(w->c, h, 0, TEE_DATA_SEEK_SET);
	for (k = 0; k < NCHUNKS; k++) {
		test_fill_pattern(chunk, sizeof(chunk), w->i * 100 + k);
		if (gpstore_read(w->c, h, got, sizeof(got), &n) ||
		    n != sizeof(got) || memcmp(got, chunk, n))
			w->errors++;
	}
	w->errors += gpstore_close(w->c, h) != 0;
	return NULL;
}

static unsigned run(void *(*fn)(void *), struct worker *w)
{
	unsigned errors = 0;
	int i;

	for (i = 0; i < NTHREADS; i++)
		if (pthread_create(&w[i].t, NULL, fn, &w[i]))
			return 1000;
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(w[i].t, NULL);
		errors += w[i].errors;
	}
	return errors;
}

/* Odd workers are TA B, even ones TA A: objects "t0".."t3" each. */
static void test_parallel_distinct_objects(void)
{
	struct worker w[NTHREADS];
	uint8_t id[GPSTORE_ID_MAX];
	uint32_t e = 0;
	size_t n;
	int i, count;

	REQUIRE(gt_env_open(&env, "gps-thr1", GPSTORE_CORRUPT_KEEP));
	memset(w, 0, sizeof(w));
	for (i = 0; i < NTHREADS; i++) {
		w[i].i = i;
		w[i].c = gt_client(&env, i % 2 ? &gt_ta_b : &gt_ta_a, false);
	}
	CHECK_EQ(run(distinct_objects, w), 0);
	for (i = 0; i < 2; i++) {
		REQUIRE(gpstore_enum_alloc(w[i].c, &e) == TEE_SUCCESS);
		REQUIRE(gpstore_enum_start(w[i].c, e, GT_PRIV) == TEE_SUCCESS);
		for (count = 0; !gpstore_enum_next(w[i].c, e, NULL, id, &n);)
			count++;
		CHECK_EQ(count, NTHREADS / 2);
	}
	for (i = 0; i < NTHREADS; i++)
		gpstore_client_destroy(w[i].c);
	gt_env_close(&env);
}

static void *one_object(void *arg)
{
	struct worker *w = arg;
	uint8_t mine[REGION], got[REGION];
	uint32_t h = 0;
	size_t n = 0;
	int k;

	if (gpstore_open(w->c, GT_PRIV, "shared", 6, R | W | SR | SW, &h)) {
		w->errors++;
		return NULL;
	}
	for (k = 0; k < ROUNDS; k++) {
		test_fill_pattern(mine, sizeof(mine), w->i * 1000 + k);
		gpstore_seek(w->c, h, w->i * REGION, TEE_DATA_SEEK_SET);
		w->errors += gpstore_write(w->c, h, mine, sizeof(mine)) != 0;
		/* Others write elsewhere: my region is what I wrote. */
		gpstore_seek(w->c, h, -REGION, TEE_DATA_SEEK_CUR);
		if (gpstore_read(w->c, h, got, sizeof(got), &n) ||
		    n != sizeof(got) || memcmp(got, mine, n))
			w->errors++;
	}
	w->errors += gpstore_close(w->c, h) != 0;
	return NULL;
}

static void test_parallel_one_object(void)
{
	struct worker w[NTHREADS];
	uint8_t want[REGION], got[REGION];
	struct gpstore_client *c;
	uint32_t h = 0;
	size_t n = 0;
	int i;

	REQUIRE(gt_env_open(&env, "gps-thr2", GPSTORE_CORRUPT_KEEP));
	c = gt_client(&env, &gt_ta_a, false);
	REQUIRE(gpstore_create(c, GT_PRIV, "shared", 6, 0, NULL, NULL, 0,
			       NULL) == TEE_SUCCESS);
	memset(w, 0, sizeof(w));
	for (i = 0; i < NTHREADS; i++) {
		w[i].i = i;
		w[i].c = gt_client(&env, &gt_ta_a, false);
	}
	CHECK_EQ(run(one_object, w), 0);
	REQUIRE(gpstore_open(c, GT_PRIV, "shared", 6, R, &h) == TEE_SUCCESS);
	for (i = 0; i < NTHREADS; i++) {
		test_fill_pattern(want, sizeof(want), i * 1000 + ROUNDS - 1);
		CHECK_EQ(gpstore_read(c, h, got, sizeof(got), &n), TEE_SUCCESS);
		CHECK(n == REGION && !memcmp(got, want, REGION));
	}
	for (i = 0; i < NTHREADS; i++)
		gpstore_client_destroy(w[i].c);
	gpstore_client_destroy(c);
	gt_env_close(&env);
}

static void *churn(void *arg)
{
	static const uint32_t fl[] = {R | SR, W | SW, R | W | META, R | SR | SW,
				      0};
	struct worker *w = arg;
	uint64_t seed = (uint64_t)w->i + 1;
	uint8_t b;
	size_t n;
	int k;

	for (k = 0; k < CHURN; k++) {
		uint32_t f = fl[test_rand(&seed) % 5], h = 0;
		TEE_Result res;

		res = gpstore_open(w->c, GT_PRIV, "c", 1, f, &h);
		/* Held exclusively by another worker, or renamed away to "d"
		 * by it for a moment: both are GP's answers. */
		if (res == TEE_ERROR_ACCESS_CONFLICT ||
		    res == TEE_ERROR_ITEM_NOT_FOUND)
			continue;
		if (res) {
			w->errors++;
			continue;
		}
		if ((f & R) && gpstore_read(w->c, h, &b, 1, &n))
			w->errors++;
		if (k % 7 == 0 && (f & META)) {
			/* Exclusive: rename away and back. */
			w->errors += gpstore_rename(w->c, h, "d", 1) != 0;
			{
				TEE_Result r2 = gpstore_rename(w->c, h, "c", 1);
				if (r2)
					fprintf(stderr, "DBG ren2 0x%x\n", r2);
				w->errors += r2 != 0;
			}
		}
		w->errors += gpstore_close(w->c, h) != 0;
	}
	return NULL;
}

static void test_parallel_open_close_churn(void)
{
	struct worker w[NTHREADS];
	struct gpstore_stats st;
	uint32_t h = 0;
	int i;

	REQUIRE(gt_env_open(&env, "gps-thr3", GPSTORE_CORRUPT_KEEP));
	memset(w, 0, sizeof(w));
	for (i = 0; i < NTHREADS; i++) {
		w[i].i = i;
		w[i].c = gt_client(&env, &gt_ta_a, false);
	}
	REQUIRE(gpstore_create(w[0].c, GT_PRIV, "c", 1, 0, NULL, "x", 1,
			       NULL) == TEE_SUCCESS);
	CHECK_EQ(run(churn, w), 0);
	gpstore_get_stats(env.g, &st);
	CHECK_EQ(st.handles, 0);
	CHECK_EQ(st.shared_objects, 0);
	/* Every rename away came back: "c" is there, "d" is not. (A rename
	 * back refused for another worker's open of "c" in flight, which
	 * finds nothing, left the object as "d": gps_share.c waits now.) */
	CHECK_EQ(gpstore_open(w[0].c, GT_PRIV, "c", 1, R, &h), TEE_SUCCESS);
	CHECK_EQ(gpstore_close(w[0].c, h), TEE_SUCCESS);
	CHECK_EQ(gpstore_open(w[0].c, GT_PRIV, "d", 1, R, &h),
		 TEE_ERROR_ITEM_NOT_FOUND);
	for (i = 0; i < NTHREADS; i++)
		gpstore_client_destroy(w[i].c);
	gt_env_close(&env);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: %s [--backend posix|fake] [--storage ree|rpmb]\n"
		       "Tests gpstore with many instances in parallel.\n",
		       argv[0]);
		return 0;
	}
	gt_set_kind(argc, argv);
	RUN(test_parallel_distinct_objects);
	RUN(test_parallel_one_object);
	RUN(test_parallel_open_close_churn);
	return test_report();
}
