/*
 * Disk full at TA level (docs/gp-storage.md, "Whole-stack tests"): the
 * supplicant's directory is a small tmpfs mounted in a private mount
 * namespace (exit 77 where that is not allowed). Through libteec and the
 * storage test TA: creates fill the disk until TEE_ERROR_STORAGE_NO_SPACE;
 * then appending writes, a growing truncate and a rename on the full disk;
 * after every NO_SPACE the store is checked: every acknowledged object
 * intact (content, size, enumeration), the failed operation without trace
 * (no object, no new file in the supplicant's directory). Deleting an
 * object through the TA must work on the full disk and make room: writing
 * goes on. Finally teed and the supplicant restart and everything is
 * checked again; and once more after filling up and SIGKILLing both.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stack_env.h"
#include "stack_ta.h"
#include "tee_api_defines.h"
#include "test.h"

#define SKIP	   77
#define TMPFS_OPTS "size=768k,mode=0700"
#define OBJ_SIZE   40000
#define MAX_OBJS   64
#define MAX_BYTES  (1024 * 1024)
#define CHUNK	   16384
#define RW	   (TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE)
#define MAX_FILES  256
#define NAME_LEN   64

static const char *teed_bin, *suppl_bin, *ta_dir;

/* The acknowledged objects: what the store must hold. */
struct obj {
	char id[32];
	uint32_t size;
	uint8_t *data; /* MAX_BYTES */
};
static struct obj objs[MAX_OBJS];
static int nobjs;
static struct stack_env env;
static struct st_sess sess;
static uint64_t rng = 77;

struct file_list {
	int n;
	char name[MAX_FILES][NAME_LEN];
};

static void list_files(struct file_list *l)
{
	DIR *d = opendir(env.ree);
	struct dirent *de;

	l->n = 0;
	if (!d)
		return;
	while ((de = readdir(d)) && l->n < MAX_FILES)
		snprintf(l->name[l->n++], NAME_LEN, "%.*s", NAME_LEN - 1,
			 de->d_name);
	closedir(d);
}

static bool listed(const struct file_list *l, const char *name)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->name[i], name))
			return true;
	return false;
}

/* The failed operation left no new file behind (and removed none). */
static void check_same_files(const struct file_list *before, const char *op)
{
	struct file_list *after = malloc(sizeof(*after));
	int i;

	REQUIRE(after);
	list_files(after);
	for (i = 0; i < after->n; i++)
		if (!listed(before, after->name[i])) {
			fprintf(stderr, "%s: left file %s behind\n", op,
				after->name[i]);
			CHECK(!"no new file");
		}
	for (i = 0; i < before->n; i++)
		if (!listed(after, before->name[i])) {
			fprintf(stderr, "%s: file %s disappeared\n", op,
				before->name[i]);
			CHECK(!"no file lost");
		}
	free(after);
}

static struct obj *add_obj(const char *id, uint32_t size, uint32_t seed)
{
	struct obj *o = &objs[nobjs++];
	uint32_t i;

	snprintf(o->id, sizeof(o->id), "%s", id);
	o->data = calloc(1, MAX_BYTES);
	o->size = size;
	for (i = 0; i < size; i++)
		o->data[i] = st_pattern(i, seed);
	return o;
}

static void drop_obj(int k)
{
	free(objs[k].data);
	objs[k] = objs[--nobjs];
}

struct enum_ctx {
	int seen, stray;
};

static void on_id(const char *id, void *arg)
{
	struct enum_ctx *c = arg;
	int i;

	for (i = 0; i < nobjs; i++)
		if (!strcmp(objs[i].id, id)) {
			c->seen++;
			return;
		}
	fprintf(stderr, "enumeration lists '%s', which is not acked\n", id);
	c->stray++;
}

/* Every acknowledged object is there, byte for byte, and nothing else. */
static void check_store(const char *when)
{
	static uint8_t buf[MAX_BYTES + 1];
	struct enum_ctx c = {0};
	unsigned failures = test_failures;
	int i;

	for (i = 0; i < nobjs; i++) {
		uint32_t h = 0;
		size_t n = 0;

		CHECK_EQ(st_open_obj(&sess, objs[i].id,
				     TEE_DATA_FLAG_ACCESS_READ, &h),
			 TEEC_SUCCESS);
		CHECK_EQ(st_read(&sess, h, buf, sizeof(buf), &n), TEEC_SUCCESS);
		CHECK_EQ(n, objs[i].size);
		CHECK(n == objs[i].size && !memcmp(buf, objs[i].data, n));
		st_close_obj(&sess, h);
	}
	CHECK_EQ(st_enum(&sess, on_id, &c), TEEC_SUCCESS);
	CHECK_EQ(c.seen, nobjs);
	CHECK_EQ(c.stray, 0);
	if (test_failures != failures)
		fprintf(stderr, "store check failed %s\n", when);
}

/* Creates until the disk is full. */
static void fill_with_creates(const char *prefix)
{
	struct file_list *before = malloc(sizeof(*before));
	TEEC_Result res = TEEC_SUCCESS;
	char id[32];
	uint32_t h;
	int i, had = nobjs;

	REQUIRE(before);
	for (i = 0; nobjs < MAX_OBJS - 4; i++) {
		snprintf(id, sizeof(id), "%s-%d", prefix, i);
		list_files(before);
		res = st_create(&sess, id, RW, OBJ_SIZE, (uint32_t)i);
		if (res)
			break;
		add_obj(id, OBJ_SIZE, (uint32_t)i);
	}
	fprintf(stderr,
		"%d more objects of %u bytes fit (%d in all); the next: "
		"0x%08x\n",
		nobjs - had, OBJ_SIZE, nobjs, res);
	CHECK_EQ(res, TEEC_ERROR_STORAGE_NO_SPACE);
	CHECK(nobjs - had >= 1);
	check_same_files(before, "failed create");
	CHECK_EQ(st_open_obj(&sess, id, TEE_DATA_FLAG_ACCESS_READ, &h),
		 TEEC_ERROR_ITEM_NOT_FOUND);
	check_store("after the failed create");
	free(before);
}

/* Appends to objs[k] until NO_SPACE (or max chunks); 1 if it hit it. */
static int append_until_full(int k, int max)
{
	struct file_list *before = malloc(sizeof(*before));
	static uint8_t chunk[CHUNK];
	struct obj *o = &objs[k];
	TEEC_Result res = TEEC_SUCCESS;
	uint32_t h = 0;
	int i, hit = 0;

	if (!before)
		return -1;
	CHECK_EQ(st_open_obj(&sess, o->id, RW, &h), TEEC_SUCCESS);
	CHECK_EQ(st_seek(&sess, h, o->size), TEEC_SUCCESS);
	for (i = 0; i < max && o->size + CHUNK <= MAX_BYTES; i++) {
		test_fill_pattern(chunk, sizeof(chunk), test_rand(&rng));
		list_files(before);
		res = st_write(&sess, h, chunk, sizeof(chunk));
		if (res)
			break;
		memcpy(o->data + o->size, chunk, CHUNK);
		o->size += CHUNK;
	}
	if (res) {
		CHECK_EQ(res, TEEC_ERROR_STORAGE_NO_SPACE);
		check_same_files(before, "failed write");
		hit = 1;
	}
	st_close_obj(&sess, h);
	check_store("after appending");
	free(before);
	return hit;
}

static void full_disk_ops(void)
{
	struct file_list *before = malloc(sizeof(*before));
	struct obj *o = &objs[1];
	TEEC_Result res;
	uint32_t h = 0;

	REQUIRE(before);
	/* an appending write on the full disk */
	CHECK_EQ(append_until_full(0, 64), 1);
	/* a growing truncate: NO_SPACE, or done (sparse) and then zeros */
	CHECK_EQ(st_open_obj(&sess, o->id, TEE_DATA_FLAG_ACCESS_WRITE, &h),
		 TEEC_SUCCESS);
	list_files(before);
	res = st_truncate(&sess, h, MAX_BYTES);
	fprintf(stderr, "truncate to 1 MiB on the full disk: 0x%08x\n", res);
	if (res) {
		CHECK_EQ(res, TEEC_ERROR_STORAGE_NO_SPACE);
		check_same_files(before, "failed truncate");
	} else {
		memset(o->data + o->size, 0, MAX_BYTES - o->size);
		o->size = MAX_BYTES;
	}
	st_close_obj(&sess, h);
	check_store("after the truncate");
	/* replacing an object (OVERWRITE, staged data) on the full disk: the
	   old one stays */
	list_files(before);
	res = st_create(&sess, objs[3].id, RW | TEE_DATA_FLAG_OVERWRITE, 200000,
			3000);
	CHECK_EQ(res, TEEC_ERROR_STORAGE_NO_SPACE);
	check_same_files(before, "failed overwrite");
	check_store("after the overwrite");
	/* a rename on the full disk: done or NO_SPACE, never half */
	CHECK_EQ(
	    st_open_obj(&sess, objs[2].id, TEE_DATA_FLAG_ACCESS_WRITE_META, &h),
	    TEEC_SUCCESS);
	res = st_rename(&sess, h, "renamed-2");
	fprintf(stderr, "rename on the full disk: 0x%08x\n", res);
	if (res)
		CHECK_EQ(res, TEEC_ERROR_STORAGE_NO_SPACE);
	else
		snprintf(objs[2].id, sizeof(objs[2].id), "renamed-2");
	st_close_obj(&sess, h);
	check_store("after the rename");
	free(before);
}

/* Deletes through the TA on the full disk; then writing goes on. */
static void free_and_continue(void)
{
	uint32_t h = 0;
	int i;

	for (i = 0; i < 4; i++) {
		CHECK_EQ(st_open_obj(&sess, objs[0].id,
				     TEE_DATA_FLAG_ACCESS_WRITE_META, &h),
			 TEEC_SUCCESS);
		CHECK_EQ(st_delete(&sess, h), TEEC_SUCCESS);
		drop_obj(0);
	}
	check_store("after deleting four objects");
	CHECK_EQ(st_create(&sess, "after-0", RW, OBJ_SIZE, 1000), TEEC_SUCCESS);
	add_obj("after-0", OBJ_SIZE, 1000);
	CHECK_EQ(append_until_full(nobjs - 1, 2), 0);
	check_store("after writing again");
}

static void test_disk_full(void)
{
	REQUIRE(stack_start(&env) == 0);
	REQUIRE(st_open(&sess) == TEEC_SUCCESS);
	fill_with_creates("fill");
	REQUIRE(nobjs >= 3);
	full_disk_ops();
	free_and_continue();
	/* fill it up again: NO_SPACE again, then a restart keeps all */
	fill_with_creates("refill");
	st_close(&sess);
	CHECK(stack_stop(&env));
	REQUIRE(stack_start(&env) == 0);
	REQUIRE(st_open(&sess) == TEEC_SUCCESS);
	check_store("after a restart");
	/* full again, then both killed: the same after the restart */
	CHECK_EQ(append_until_full(nobjs - 1, 64), 1);
	st_close(&sess);
	stack_kill(&env.suppl, SIGKILL);
	stack_kill(&env.teed, SIGKILL);
	REQUIRE(stack_start(&env) == 0);
	REQUIRE(st_open(&sess) == TEEC_SUCCESS);
	check_store("after SIGKILL and a restart on the full disk");
	CHECK_EQ(st_create(&sess, "last", RW, OBJ_SIZE, 5),
		 TEEC_ERROR_STORAGE_NO_SPACE);
	st_close(&sess);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: test_stack_nospace TEED TEE-SUPPLICANT TA_DIR\n"
		   "Fills a small tmpfs under tee-supplicant through the "
		   "storage test TA until\nSTORAGE_NO_SPACE and checks the "
		   "store stays consistent and usable (exit 77\nwhen a "
		   "tmpfs cannot be mounted).\n");
}

int main(int argc, char **argv)
{
	int i;

	if (argc == 2 && !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (argc != 4) {
		usage(stderr);
		return 2;
	}
	teed_bin = argv[1];
	suppl_bin = argv[2];
	ta_dir = argv[3];
	if (stack_env_init(&env, teed_bin, suppl_bin, ta_dir,
			   "stack-nospace")) {
		fprintf(stderr, "cannot make the test's directories\n");
		return 2;
	}
	if (!stack_env_mount_ree(&env, TMPFS_OPTS)) {
		test_rmtree(env.dir);
		return SKIP;
	}
	RUN(test_disk_full);
	stack_stop(&env);
	stack_env_fini(&env);
	for (i = 0; i < nobjs; i++)
		free(objs[i].data);
	return test_report();
}
