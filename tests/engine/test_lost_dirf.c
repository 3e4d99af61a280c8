/*
 * A store whose dirf.db is gone (deleted by an attacker or an admin) but
 * whose object files are still there: the engine makes a new, empty
 * dirf.db, and must neither delete those files as crash orphans nor let a
 * new object overwrite them: they are kept, byte for byte, as "<n>.lost".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dirf.h"
#include "engine_util.h"
#include "test.h"
#include "test_backend.h"

static const char *kind;

static const struct tstore_head data_head = {
    .object_type = 0xA00000BF,
    .object_usage = 0xFFFFFFFF,
};

/* Reads a whole file through the backend into buf (cap bytes). */
static size_t file_bytes(struct backend *be, const char *name, uint8_t *buf,
			 size_t cap)
{
	uint32_t fh;
	size_t got = 0;

	if (backend_open(be, name, &fh))
		return 0;
	if (backend_pread(be, fh, 0, buf, cap, &got))
		got = 0;
	backend_close(be, fh);
	return got;
}

static void test_lost_dirf_keeps_object_files(void)
{
	const char *dir = test_tmpdir("lostdirf");
	struct backend *be = test_backend_new(kind, dir);
	static uint8_t before[2][65536], after[65536];
	size_t len[2];
	struct tstore *s;
	struct tstore_obj *o;
	char name[DIRF_FNAME_SIZE];
	int i;

	REQUIRE(be);
	REQUIRE(eng_open(be, &s) == TEE_SUCCESS);
	CHECK_EQ(tstore_create(s, &eng_ta[0], "a", 1, &data_head, NULL, 0,
			       "first", 5, false, NULL),
		 TEE_SUCCESS);
	CHECK_EQ(tstore_create(s, &eng_ta[0], "b", 1, &data_head, NULL, 0,
			       "second", 6, false, NULL),
		 TEE_SUCCESS);
	tstore_close(s);
	for (i = 0; i < 2; i++) {
		dirf_fname((uint32_t)i, name);
		len[i] = file_bytes(be, name, before[i], sizeof(before[i]));
		CHECK(len[i] > 0);
	}

	/* The directory file disappears. */
	REQUIRE(backend_remove(be, "dirf.db") == TEE_SUCCESS);
	REQUIRE(eng_open(be, &s) == TEE_SUCCESS);
	CHECK_EQ(tstore_open_obj(s, &eng_ta[0], "a", 1, &o),
		 TEE_ERROR_ITEM_NOT_FOUND);
	/* New objects get new numbers; the old files stay byte for byte. */
	CHECK_EQ(tstore_create(s, &eng_ta[0], "c", 1, &data_head, NULL, 0,
			       "third", 5, false, NULL),
		 TEE_SUCCESS);
	tstore_close(s);
	REQUIRE(eng_open(be, &s) == TEE_SUCCESS); /* a second open, too */
	tstore_close(s);
	for (i = 0; i < 2; i++) {
		char lost[DIRF_FNAME_SIZE + 8];

		dirf_fname((uint32_t)i, name);
		snprintf(lost, sizeof(lost), "%s.lost", name);
		CHECK_EQ(file_bytes(be, lost, after, sizeof(after)), len[i]);
		CHECK_MEM(after, before[i], len[i]);
	}
	backend_destroy(be);
	if (!test_backend_is_fake(kind))
		test_rmtree(dir);
}

int main(int argc, char **argv)
{
	kind = test_backend_kind(argc, argv, "posix");
	RUN(test_lost_dirf_keeps_object_files);
	return test_report();
}
