/*
 * Tampering at store level, over every backend kind: the normal world
 * edits the REE files between operations (test_backend_file_get/set: the
 * fake's image, or the files in the directory the posix backend or the
 * real tee-supplicant serves). Every edit must give CORRUPT_OBJECT (or
 * SECURITY) for the object concerned, or, for bytes the committed state
 * does not use, the right data: never wrong plaintext, never a crash;
 * other objects stay readable.
 *
 * Objects are opened afresh after every edit; the one-shot edits are
 * checked both on the running store and on one reopened after the edit,
 * so that nothing the store keeps in memory (its dirf index) or a handle
 * the backend or supplicant keeps open can hide an edit.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "dirf.h"
#include "engine_util.h"
#include "log.h"
#include "tee_error.h"
#include "test.h"
#include "test_backend.h"

static const char *kind;

struct fx {
	char dir[PATH_MAX]; /* the files of posix and rpc */
	struct backend *be;
	struct tstore *s;
	struct model m;
};

static void add(struct fx *f, int ta, const char *id, size_t len, uint64_t seed)
{
	struct eng_op op;

	memset(&op, 0, sizeof(op));
	op.kind = OP_CREATE;
	op.ta = ta;
	eng_op_id(&op, id, NULL);
	op.len = len;
	op.seed = seed;
	op.attr_len = 16;
	CHECK_EQ(eng_op_store(f->s, &op), 0);
	eng_op_model(&f->m, &op);
}

static bool fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%s", test_tmpdir("tamper"));
	f->be = test_backend_new(kind, f->dir);
	if (!f->be || eng_open(f->be, &f->s))
		return false;
	model_init(&f->m);
	add(f, 0, "a", 20000, 1);
	add(f, 0, "b", 20000, 2);
	add(f, 1, "a", 20000, 3);
	add(f, 2, "small", 100, 4);
	return true;
}

static void fx_free(struct fx *f)
{
	tstore_close(f->s);
	model_free(&f->m);
	backend_destroy(f->be);
	test_rmtree(f->dir);
}

/* As after a restart: the edits must be seen by a fresh store too. */
static void fx_reopen(struct fx *f)
{
	tstore_close(f->s);
	f->s = NULL;
	REQUIRE(eng_open(f->be, &f->s) == 0);
}

static void fname_of(struct fx *f, int ta, const char *id, char *name)
{
	struct tstore_obj *o = NULL;
	struct tstore_info info = {0};

	if (!tstore_open_obj(f->s, &eng_ta[ta], id, strlen(id), &o))
		tstore_info(o, &info);
	tstore_release(o);
	dirf_fname(info.file_number, name);
}

/* A copy of a file's bytes (caller frees), NULL if there is none. */
static uint8_t *file_copy(struct fx *f, const char *name, size_t *len)
{
	uint8_t *data = NULL;

	if (test_backend_file_get(f->be, f->dir, name, &data, len))
		return NULL;
	return data;
}

static TEE_Result file_set(struct fx *f, const char *name, const void *data,
			   size_t len)
{
	return test_backend_file_set(f->be, f->dir, name, data, len);
}

static bool is_detected(TEE_Result res)
{
	return res == TEE_ERROR_CORRUPT_OBJECT || res == TEE_ERROR_SECURITY;
}

/* Opens and reads the object: detected, or exactly the model's data. */
static TEE_Result verify_obj(struct fx *f, int ta, const char *id, bool *wrong)
{
	struct mobj *mo = model_find(&f->m, ta, id, strlen(id));
	struct tstore_obj *o = NULL;
	uint8_t *buf = malloc(mo->len + 1);
	size_t got = 0;
	TEE_Result res;

	*wrong = false;
	res = tstore_open_obj(f->s, &eng_ta[ta], id, strlen(id), &o);
	if (!res)
		res = tstore_read(o, 0, buf, mo->len + 1, &got);
	if (!res && (got != mo->len || memcmp(buf, mo->data, got)))
		*wrong = true;
	tstore_release(o);
	free(buf);
	return res;
}

static void check_others(struct fx *f, int ta, const char *id)
{
	static const struct {
		int ta;
		const char *id;
	} all[] = {{0, "a"}, {0, "b"}, {1, "a"}, {2, "small"}};
	size_t i;
	bool wrong;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (all[i].ta == ta && !strcmp(all[i].id, id))
			continue;
		CHECK_EQ(verify_obj(f, all[i].ta, all[i].id, &wrong), 0);
		CHECK(!wrong);
	}
}

/* The object's result on the running store and on a reopened one. */
static void expect(struct fx *f, int ta, const char *id, TEE_Result want)
{
	TEE_Result res;
	bool wrong;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		if (pass)
			fx_reopen(f);
		res = verify_obj(f, ta, id, &wrong);
		CHECK_EQ(res, want);
		CHECK(!wrong);
		if (res != want || wrong)
			fprintf(stderr, "  object %d/%s, %s store\n", ta, id,
				pass ? "reopened" : "running");
	}
}

/* Flip one byte in every 97 of an object file: detected or harmless. */
static void test_flipped_bytes_in_object_file(void)
{
	struct fx f;
	char name[DIRF_FNAME_SIZE];
	uint8_t *data;
	size_t len = 0, off;
	unsigned detected = 0, harmless = 0;
	bool wrong;

	REQUIRE(fx_init(&f));
	fname_of(&f, 0, "a", name);
	data = file_copy(&f, name, &len);
	REQUIRE(data);
	for (off = 0; off < len; off += 97) {
		TEE_Result res;

		data[off] ^= 0x20;
		REQUIRE(file_set(&f, name, data, len) == 0);
		res = verify_obj(&f, 0, "a", &wrong);
		CHECK(!wrong);
		CHECK(res == TEE_SUCCESS || is_detected(res));
		if (res)
			detected++;
		else
			harmless++;
		data[off] ^= 0x20;
	}
	REQUIRE(file_set(&f, name, data, len) == 0);
	CHECK_EQ(verify_obj(&f, 0, "a", &wrong), 0);
	CHECK(!wrong);
	check_others(&f, 0, "a");
	fprintf(stderr, "flips: %u detected, %u in unused bytes\n", detected,
		harmless);
	CHECK(detected > len / 97 / 3);
	free(data);
	fx_free(&f);
}

static void swap_files(struct fx *f, const char *n1, const char *n2)
{
	size_t l1 = 0, l2 = 0;
	uint8_t *d1 = file_copy(f, n1, &l1), *d2 = file_copy(f, n2, &l2);

	REQUIRE(d1 && d2);
	CHECK_EQ(file_set(f, n1, d2, l2), 0);
	CHECK_EQ(file_set(f, n2, d1, l1), 0);
	free(d1);
	free(d2);
}

static void test_swapped_files_same_ta_and_across_tas(void)
{
	struct fx f;
	char a[DIRF_FNAME_SIZE], b[DIRF_FNAME_SIZE], c[DIRF_FNAME_SIZE];

	REQUIRE(fx_init(&f));
	fname_of(&f, 0, "a", a);
	fname_of(&f, 0, "b", b);
	fname_of(&f, 1, "a", c);
	swap_files(&f, a, b);
	expect(&f, 0, "a", TEE_ERROR_CORRUPT_OBJECT);
	expect(&f, 0, "b", TEE_ERROR_CORRUPT_OBJECT);
	expect(&f, 1, "a", 0);
	swap_files(&f, a, b);
	expect(&f, 0, "a", 0);
	/* Same object ID in two TAs: different keys. */
	swap_files(&f, a, c);
	expect(&f, 0, "a", TEE_ERROR_CORRUPT_OBJECT);
	expect(&f, 1, "a", TEE_ERROR_CORRUPT_OBJECT);
	expect(&f, 0, "b", 0);
	expect(&f, 2, "small", 0);
	fx_free(&f);
}

static void test_older_copy_of_object_file(void)
{
	struct fx f;
	char a[DIRF_FNAME_SIZE];
	uint8_t *old;
	size_t len = 0;
	struct eng_op op;
	int i;

	REQUIRE(fx_init(&f));
	fname_of(&f, 0, "a", a);
	old = file_copy(&f, a, &len);
	REQUIRE(old);
	memset(&op, 0, sizeof(op));
	op.kind = OP_WRITE;
	eng_op_id(&op, "a", NULL);
	/* Two commits: neither root version of the old copy is current. */
	for (i = 0; i < 2; i++) {
		op.pos = 100 + (uint64_t)i * 5000;
		op.len = 50;
		op.seed = 77 + (uint64_t)i;
		CHECK_EQ(eng_op_store(f.s, &op), 0);
		eng_op_model(&f.m, &op);
	}
	CHECK_EQ(file_set(&f, a, old, len), 0);
	expect(&f, 0, "a", TEE_ERROR_CORRUPT_OBJECT);
	check_others(&f, 0, "a");
	free(old);
	fx_free(&f);
}

static void test_missing_and_truncated_file(void)
{
	struct fx f;
	char a[DIRF_FNAME_SIZE], b[DIRF_FNAME_SIZE];
	uint8_t *copy;
	size_t len = 0;

	REQUIRE(fx_init(&f));
	fname_of(&f, 0, "a", a);
	fname_of(&f, 0, "b", b);
	CHECK_EQ(backend_remove(f.be, a), 0);
	expect(&f, 0, "a", TEE_ERROR_CORRUPT_OBJECT);
	check_others(&f, 0, "a");
	copy = file_copy(&f, b, &len);
	REQUIRE(copy);
	REQUIRE(len > 4096 * 3);
	CHECK_EQ(file_set(&f, b, copy, 4096 * 3), 0);
	expect(&f, 0, "b", TEE_ERROR_CORRUPT_OBJECT);
	free(copy);
	CHECK_EQ(file_set(&f, b, NULL, 0), 0);
	expect(&f, 0, "b", TEE_ERROR_CORRUPT_OBJECT);
	/* A corrupt object can still be removed, by ID. */
	CHECK_EQ(tstore_remove_id(f.s, &eng_ta[0], "b", 1), 0);
	copy = file_copy(&f, b, &len);
	CHECK(copy == NULL);
	free(copy);
	CHECK_EQ(tstore_remove_id(f.s, &eng_ta[0], "b", 1),
		 TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(tstore_remove_id(f.s, &eng_ta[0], "a", 1), 0);
	expect(&f, 1, "a", 0);
	expect(&f, 2, "small", 0);
	fx_free(&f);
}

/* dirf.db edits past its headers: the store refuses or is intact. */
static void test_flipped_bytes_in_dirf(void)
{
	struct fx f;
	uint8_t *data;
	size_t len = 0, off;
	unsigned detected = 0;
	char why[256];

	REQUIRE(fx_init(&f));
	tstore_close(f.s);
	f.s = NULL;
	data = file_copy(&f, DIRF_FILE_NAME, &len);
	REQUIRE(data);
	for (off = 136; off < len; off += 61) {
		TEE_Result res;

		data[off] ^= 0x01;
		REQUIRE(file_set(&f, DIRF_FILE_NAME, data, len) == 0);
		res = eng_open(f.be, &f.s);
		if (!res) {
			res = eng_check(f.s, &f.m, why, sizeof(why));
			CHECK(res == TEE_SUCCESS);
			tstore_close(f.s);
			f.s = NULL;
		} else {
			CHECK(is_detected(res));
			detected++;
		}
		data[off] ^= 0x01;
	}
	CHECK(detected > 0);
	REQUIRE(file_set(&f, DIRF_FILE_NAME, data, len) == 0);
	REQUIRE(eng_open(f.be, &f.s) == 0);
	CHECK(!eng_check(f.s, &f.m, why, sizeof(why)));
	free(data);
	fx_free(&f);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: %s [--backend fake|posix|rpc]\n"
		       "Edits the stored files between operations; every edit "
		       "must be detected.\n",
		       argv[0]);
		return 0;
	}
	kind = test_backend_kind(argc, argv, "fake");
	log_set_level(LOG_LEVEL_ERROR);
	RUN(test_flipped_bytes_in_object_file);
	RUN(test_swapped_files_same_ta_and_across_tas);
	RUN(test_older_copy_of_object_file);
	RUN(test_missing_and_truncated_file);
	RUN(test_flipped_bytes_in_dirf);
	return test_report();
}
