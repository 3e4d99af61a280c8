/*
 * Conformance of the GP trusted storage API as TAs see it: the storage
 * test TAs (ta/storage_ta.c) driven through core/ta_iface.h with teed's TA
 * side and gpstore over a real backend (POSIX files in a temp dir, or a
 * real tee-supplicant with --backend rpc). Every function's exact return
 * codes, per storage ID, plus isolation between TAs, sharing across
 * sessions and instances, panics, handle release on death, restart
 * persistence, key objects in OP-TEE's blob format, digests and 1 MiB
 * transfers in one call.
 * Usage: test_tastore TA_DIR [--backend posix|rpc]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bytes.h"
#include "gpstore.h"
#include "storage_ta_ids.h"
#include "ta_iface.h"
#include "test.h"
#include "backend_fake.h"
#include "test_backend.h"
#include "test_shm.h"
#include "tstore.h"

#define IO_SIZE (128 * 1024)
#define BOGUS	0x7ABCDEF1U

static const TEE_UUID uuid_a = STORAGE_TA_A_UUID;
static const TEE_UUID uuid_b = STORAGE_TA_B_UUID;
static const TEE_UUID uuid_multi = STORAGE_TA_MULTI_UUID;
static const struct ta_client_identity client = {.login = TEE_LOGIN_PUBLIC};
static const uint8_t huk[16] = "tastore-test-huk";

static const char *kind, *ta_dir;
static char store_dir[512];
static struct backend *be;
static struct gpstore *gps;
static uint32_t sid; /* the storage ID under test */
static char pfx[8];  /* ID prefix of the current storage ID run */
/* p1 of every call: one shared memory object per thread. */
static _Thread_local struct tee_shm *io;
static _Thread_local uint8_t *io_addr;

/* ---- set-up ---- */

static int store_up(void)
{
	struct ta_config tc = {.ta_dir = ta_dir, .max_instances = 32};
	struct gpstore_config cfg;

	be = test_backend_new(kind, store_dir);
	if (!be)
		return -1;
	gpstore_config_init(&cfg, be, huk, sizeof(huk));
	if (gpstore_new(&cfg, &gps)) {
		fprintf(stderr, "test_tastore: gpstore_new failed\n");
		return -1;
	}
	ta_side_set_storage(gps);
	return ta_side_init(&tc);
}

static void store_down(void)
{
	ta_side_shutdown();
	ta_side_set_storage(NULL);
	gpstore_destroy(gps);
	backend_destroy(be);
	gps = NULL;
	be = NULL;
}

/* ---- calling the TA ---- */

struct call {
	uint32_t a0, b0, a2, b2, a3, b3; /* in; a3/b3 also out */
	const void *in;			 /* p1 input (size in_len) */
	size_t in_len;
	size_t out_cap; /* p1 output room (when in is NULL) */
	size_t out_len; /* out: p1 size the TA set */
	uint32_t origin;
};

static struct ta_session *sess(const TEE_UUID *u)
{
	struct ta_params p = {0};
	struct ta_session *s = NULL;
	uint32_t origin;

	if (ta_open_session(u, &client, &p, &origin, &s))
		return NULL;
	return s;
}

static TEE_Result call(struct ta_session *s, uint32_t cmd, struct call *c)
{
	struct ta_params p = {0};
	TEE_Result res;

	p.p[0].type = TEE_PARAM_TYPE_VALUE_INOUT;
	p.p[0].u.value.a = c->a0;
	p.p[0].u.value.b = c->b0;
	p.p[1].type = TEE_PARAM_TYPE_MEMREF_INOUT;
	p.p[1].u.memref.shm = io;
	p.p[1].u.memref.size = c->in ? c->in_len : c->out_cap;
	if (c->in && c->in_len)
		memcpy(io_addr, c->in, c->in_len);
	p.p[2].type = TEE_PARAM_TYPE_VALUE_INPUT;
	p.p[2].u.value.a = c->a2;
	p.p[2].u.value.b = c->b2;
	p.p[3].type = TEE_PARAM_TYPE_VALUE_INOUT;
	p.p[3].u.value.a = c->a3;
	p.p[3].u.value.b = c->b3;
	res = ta_invoke(s, cmd, &p, &c->origin);
	c->a3 = p.p[3].u.value.a;
	c->b3 = p.p[3].u.value.b;
	c->out_len = p.p[1].u.memref.size;
	return res;
}

/* A call that must panic the TA: TARGET_DEAD from the TEE. */
static bool panics(struct ta_session *s, uint32_t cmd, struct call *c)
{
	TEE_Result res = call(s, cmd, c);

	return res == TEE_ERROR_TARGET_DEAD && c->origin == TEE_ORIGIN_TEE;
}

static const char *id_of(const char *name, char *buf)
{
	snprintf(buf, 64, "%s%s", pfx, name);
	return buf;
}

static TEE_Result create(struct ta_session *s, const char *name, uint32_t flags,
			 uint32_t attrs, uint32_t dlen, uint32_t *h)
{
	char id[64];
	struct call c = {
	    .a0 = sid, .b0 = flags, .b2 = attrs, .a3 = dlen, .b3 = 9};
	TEE_Result res;

	c.in = id_of(name, id);
	c.in_len = strlen(id);
	res = call(s, ST_CMD_CREATE, &c);
	if (h)
		*h = c.a3;
	return res;
}

static TEE_Result open_obj(struct ta_session *s, const char *name,
			   uint32_t flags, uint32_t *h)
{
	char id[64];
	struct call c = {.a0 = sid, .b0 = flags};
	TEE_Result res;

	c.in = id_of(name, id);
	c.in_len = strlen(id);
	res = call(s, ST_CMD_OPEN, &c);
	if (h)
		*h = c.a3;
	return res;
}

static TEE_Result h_op(struct ta_session *s, uint32_t cmd, uint32_t h,
		       uint32_t b)
{
	struct call c = {.a0 = h, .b0 = b};

	return call(s, cmd, &c);
}

static TEE_Result write_str(struct ta_session *s, uint32_t h, const char *d)
{
	struct call c = {.a0 = h, .in = d, .in_len = strlen(d)};

	return call(s, ST_CMD_WRITE, &c);
}

/* Reads up to cap bytes into buf; returns the count or -1. */
static long read_obj(struct ta_session *s, uint32_t h, void *buf, size_t cap)
{
	struct call c = {.a0 = h, .out_cap = cap};

	if (call(s, ST_CMD_READ, &c))
		return -1;
	memcpy(buf, io_addr, c.a3);
	return c.a3;
}

static TEE_Result seek(struct ta_session *s, uint32_t h, int64_t off,
		       uint32_t whence)
{
	struct call c = {.a0 = h,
			 .b0 = whence,
			 .a2 = (uint32_t)off,
			 .b2 = (uint32_t)((uint64_t)off >> 32)};

	return call(s, ST_CMD_SEEK, &c);
}

/* info[7]: type, size, max, usage, dataSize, dataPosition, flags. */
static TEE_Result info(struct ta_session *s, uint32_t h, uint32_t out[7])
{
	struct call c = {.a0 = h, .out_cap = 28};
	TEE_Result res = call(s, ST_CMD_INFO, &c);

	memcpy(out, io_addr, 28);
	return res;
}

static const uint32_t RW =
    TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE;
static const uint32_t ALL = TEE_DATA_FLAG_ACCESS_READ |
			    TEE_DATA_FLAG_ACCESS_WRITE |
			    TEE_DATA_FLAG_ACCESS_WRITE_META;
static const uint32_t SHARED =
    TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE |
    TEE_DATA_FLAG_SHARE_READ | TEE_DATA_FLAG_SHARE_WRITE;

/* Deletes an object if it exists (open with WRITE_META, delete). */
static void remove_obj(struct ta_session *s, const char *name)
{
	uint32_t h;

	if (!open_obj(s, name, TEE_DATA_FLAG_ACCESS_WRITE_META, &h))
		CHECK_EQ(h_op(s, ST_CMD_CLOSE_DELETE, h, 0), 0);
}

/* ---- persistent objects ---- */

static void test_create_open_delete(void)
{
	struct ta_session *s = sess(&uuid_a);
	uint32_t h, h2, inf[7];
	char id[64];
	struct call c = {0};

	REQUIRE(s);
	CHECK_EQ(open_obj(s, "obj", TEE_DATA_FLAG_ACCESS_READ, &h),
		 TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(h, 0);
	CHECK_EQ(create(s, "obj", ALL, 0, 0, &h), 0);
	CHECK(h != 0 && h < 0x80000000U);
	/* Without OVERWRITE an existing object is a conflict. */
	CHECK_EQ(create(s, "obj", RW, 0, 0, &h2), TEE_ERROR_ACCESS_CONFLICT);
	CHECK_EQ(h2, 0);
	/* A data object: TEE_TYPE_DATA, size 0, all usages. */
	CHECK_EQ(info(s, h, inf), 0);
	CHECK_EQ(inf[0], TEE_TYPE_DATA);
	CHECK_EQ(inf[1], 0);
	CHECK_EQ(inf[3], 0xFFFFFFFFU);
	CHECK_EQ(inf[4], 0);
	CHECK_EQ(inf[6], TEE_HANDLE_FLAG_PERSISTENT |
			     TEE_HANDLE_FLAG_INITIALIZED | ALL);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE, h, 0), 0);
	CHECK_EQ(create(s, "obj", RW | TEE_DATA_FLAG_OVERWRITE, 0, 100, &h), 0);
	CHECK_EQ(info(s, h, inf), 0);
	CHECK_EQ(inf[4], 100);
	CHECK_EQ(inf[5], 0);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE, h, 0), 0);
	/* Deprecated GetObjectInfo answers the same. */
	CHECK_EQ(open_obj(s, "obj", ALL, &h), 0);
	c.a0 = h;
	c.b0 = 1;
	c.out_cap = 28;
	CHECK_EQ(call(s, ST_CMD_INFO, &c), 0);
	CHECK_EQ(get_le32(io_addr + 16), 100);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE_DELETE, h, 0), 0);
	CHECK_EQ(open_obj(s, "obj", TEE_DATA_FLAG_ACCESS_READ, &h),
		 TEE_ERROR_ITEM_NOT_FOUND);
	/* object NULL: created and closed; the deprecated delete. */
	memset(&c, 0, sizeof(c));
	c.a0 = sid;
	c.b0 = ALL;
	c.a2 = ST_NO_HANDLE;
	c.in = id_of("nohandle", id);
	c.in_len = strlen(id);
	CHECK_EQ(call(s, ST_CMD_CREATE, &c), 0);
	CHECK_EQ(c.a3, 0);
	CHECK_EQ(open_obj(s, "nohandle", ALL, &h), 0);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE_DELETE, h, 1), 0);
	/* Zero-length IDs are valid objects too; NULL ones as well. */
	memset(&c, 0, sizeof(c));
	c.a0 = sid;
	c.b0 = ALL;
	c.a2 = ST_ID_NULL;
	CHECK_EQ(call(s, ST_CMD_CREATE, &c), 0);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE_DELETE, c.a3, 0), 0);
	/* Close and delete of TEE_HANDLE_NULL is SUCCESS; close a no-op. */
	CHECK_EQ(h_op(s, ST_CMD_CLOSE_DELETE, 0, 0), 0);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE, 0, 0), 0);
	ta_close_session(s);
}

static void test_unknown_storage(void)
{
	struct ta_session *s = sess(&uuid_a);
	uint32_t ids[] = {0, TEE_STORAGE_PERSO, TEE_STORAGE_ILLEGAL_VALUE,
			  0x12345678, TEE_STORAGE_PRIVATE_REE + 1};
	struct call c = {.in = "x", .in_len = 1};
	size_t i;

	REQUIRE(s);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		c.a0 = ids[i];
		c.b0 = ALL;
		CHECK_EQ(call(s, ST_CMD_OPEN, &c), TEE_ERROR_ITEM_NOT_FOUND);
		c.a0 = ids[i];
		c.b0 = ALL;
		c.a3 = 0;
		CHECK_EQ(call(s, ST_CMD_CREATE, &c), TEE_ERROR_ITEM_NOT_FOUND);
	}
	ta_close_session(s);
}

static void test_data_stream(void)
{
	struct ta_session *s = sess(&uuid_a);
	uint8_t buf[64], zero[10] = {0};
	uint32_t h, inf[7];

	REQUIRE(s);
	REQUIRE(create(s, "data", ALL | TEE_DATA_FLAG_OVERWRITE, 0, 0, &h) ==
		0);
	CHECK_EQ(write_str(s, h, "hello world"), 0);
	CHECK_EQ(read_obj(s, h, buf, sizeof(buf)), 0); /* at the end */
	CHECK_EQ(seek(s, h, 0, TEE_DATA_SEEK_SET), 0);
	CHECK_EQ(read_obj(s, h, buf, sizeof(buf)), 11);
	CHECK_MEM(buf, "hello world", 11);
	CHECK_EQ(seek(s, h, 6, TEE_DATA_SEEK_SET), 0);
	CHECK_EQ(read_obj(s, h, buf, 3), 3);
	CHECK_MEM(buf, "wor", 3);
	/* A write past the end zero-fills the gap. */
	CHECK_EQ(seek(s, h, 10, TEE_DATA_SEEK_END), 0);
	CHECK_EQ(write_str(s, h, "x"), 0);
	CHECK_EQ(info(s, h, inf), 0);
	CHECK_EQ(inf[4], 22);
	CHECK_EQ(inf[5], 22);
	CHECK_EQ(seek(s, h, -11, TEE_DATA_SEEK_CUR), 0);
	CHECK_EQ(read_obj(s, h, buf, sizeof(buf)), 11);
	CHECK_MEM(buf, zero, 10);
	CHECK_EQ(buf[10], 'x');
	/* Truncate keeps the position. */
	{
		struct call c = {.a0 = h, .a2 = 5};

		CHECK_EQ(call(s, ST_CMD_TRUNCATE, &c), 0);
	}
	CHECK_EQ(info(s, h, inf), 0);
	CHECK_EQ(inf[4], 5);
	CHECK_EQ(inf[5], 22);
	CHECK_EQ(read_obj(s, h, buf, sizeof(buf)), 0);
	CHECK_EQ(seek(s, h, 0, TEE_DATA_SEEK_SET), 0);
	CHECK_EQ(read_obj(s, h, buf, sizeof(buf)), 5);
	CHECK_MEM(buf, "hello", 5);
	{
		struct call c = {.a0 = h, .a2 = 8};

		CHECK_EQ(call(s, ST_CMD_TRUNCATE, &c), 0); /* extends */
	}
	CHECK_EQ(seek(s, h, 0, TEE_DATA_SEEK_SET), 0);
	CHECK_EQ(read_obj(s, h, buf, sizeof(buf)), 8);
	CHECK_MEM(buf + 5, zero, 3);
	/* Seek: negative clamps to 0; beyond TEE_DATA_MAX_POSITION. */
	CHECK_EQ(seek(s, h, -100, TEE_DATA_SEEK_CUR), 0);
	CHECK_EQ(info(s, h, inf), 0);
	CHECK_EQ(inf[5], 0);
	CHECK_EQ(seek(s, h, 0x100000000LL, TEE_DATA_SEEK_SET),
		 TEE_ERROR_OVERFLOW);
	CHECK_EQ(seek(s, h, 0xFFFFFFFFLL, TEE_DATA_SEEK_SET), 0);
	CHECK_EQ(write_str(s, h, "y"), TEE_ERROR_OVERFLOW);
	CHECK_EQ(seek(s, h, 0xFFFFFFFELL, TEE_DATA_SEEK_SET), 0);
	CHECK_EQ(seek(s, h, 2, TEE_DATA_SEEK_CUR), TEE_ERROR_OVERFLOW);
	CHECK_EQ(info(s, h, inf), 0);
	CHECK_EQ(inf[5], 0xFFFFFFFEU); /* unchanged by the failed seek */
	CHECK_EQ(h_op(s, ST_CMD_CLOSE_DELETE, h, 0), 0);
	ta_close_session(s);
}

static void test_sharing_rules(void)
{
	struct ta_session *s = sess(&uuid_a);
	uint32_t h1, h2, h3;
	uint8_t buf[16];

	REQUIRE(s);
	REQUIRE(create(s, "share", ALL | TEE_DATA_FLAG_OVERWRITE, 0, 0, &h1) ==
		0);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE, h1, 0), 0);
	const uint32_t rs =
	    TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_SHARE_READ;
	CHECK_EQ(open_obj(s, "share", rs, &h1), 0);
	CHECK_EQ(open_obj(s, "share", rs, &h2), 0);
	CHECK_EQ(open_obj(s, "share", TEE_DATA_FLAG_ACCESS_WRITE, &h3),
		 TEE_ERROR_ACCESS_CONFLICT);
	CHECK_EQ(open_obj(s, "share", TEE_DATA_FLAG_ACCESS_WRITE_META, &h3),
		 TEE_ERROR_ACCESS_CONFLICT);
	CHECK_EQ(create(s, "share", RW, 0, 0, &h3), TEE_ERROR_ACCESS_CONFLICT);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE, h1, 0), 0);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE, h2, 0), 0);
	/* Two shared writers see each other's writes at once. */
	CHECK_EQ(open_obj(s, "share", SHARED, &h1), 0);
	CHECK_EQ(open_obj(s, "share", SHARED, &h2), 0);
	CHECK_EQ(write_str(s, h1, "from h1"), 0);
	CHECK_EQ(read_obj(s, h2, buf, sizeof(buf)), 7);
	CHECK_MEM(buf, "from h1", 7);
	CHECK_EQ(write_str(s, h2, "+h2"), 0);
	CHECK_EQ(seek(s, h1, 0, TEE_DATA_SEEK_SET), 0);
	CHECK_EQ(read_obj(s, h1, buf, sizeof(buf)), 10);
	CHECK_MEM(buf, "from h1+h2", 10);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE, h1, 0), 0);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE, h2, 0), 0);
	remove_obj(s, "share");
	ta_close_session(s);
}

/* Sessions of a multi-session TA share the instance and its handles. */
static void test_sharing_across_sessions(void)
{
	struct ta_session *s1 = sess(&uuid_multi), *s2 = sess(&uuid_multi);
	uint32_t h, h2;
	uint8_t buf[8];

	REQUIRE(s1 && s2);
	REQUIRE(create(s1, "m", ALL | TEE_DATA_FLAG_OVERWRITE, 0, 0, &h) == 0);
	CHECK_EQ(open_obj(s2, "m", TEE_DATA_FLAG_ACCESS_READ, &h2),
		 TEE_ERROR_ACCESS_CONFLICT);
	CHECK_EQ(write_str(s1, h, "abc"), 0);
	CHECK_EQ(seek(s2, h, 0, TEE_DATA_SEEK_SET), 0); /* same instance */
	CHECK_EQ(read_obj(s2, h, buf, sizeof(buf)), 3);
	CHECK_EQ(h_op(s2, ST_CMD_CLOSE, h, 0), 0);
	CHECK_EQ(open_obj(s2, "m", ALL, &h2), 0);
	CHECK_EQ(h_op(s2, ST_CMD_CLOSE_DELETE, h2, 0), 0);
	ta_close_session(s1);
	ta_close_session(s2);
}

/* Instances of one TA share objects; an instance's end frees handles. */
static void test_sharing_across_instances(void)
{
	struct ta_session *s1 = sess(&uuid_a), *s2 = sess(&uuid_a);
	uint32_t h1, h2;
	uint8_t buf[8];

	REQUIRE(s1 && s2);
	REQUIRE(create(s1, "inst", ALL | TEE_DATA_FLAG_OVERWRITE, 0, 0, &h1) ==
		0);
	CHECK_EQ(open_obj(s2, "inst", TEE_DATA_FLAG_ACCESS_READ, &h2),
		 TEE_ERROR_ACCESS_CONFLICT);
	CHECK_EQ(write_str(s1, h1, "one"), 0);
	ta_close_session(s1); /* the instance ends: its handle is closed */
	CHECK_EQ(open_obj(s2, "inst", ALL, &h2), 0);
	CHECK_EQ(read_obj(s2, h2, buf, sizeof(buf)), 3);
	CHECK_MEM(buf, "one", 3);
	/* A handle of another instance is bogus here: TARGET_DEAD. */
	s1 = sess(&uuid_a);
	REQUIRE(s1);
	{
		struct call c = {.a0 = h2, .b0 = ST_BOGUS_INFO};

		CHECK(panics(s1, ST_CMD_PANIC_BOGUS, &c));
	}
	ta_close_session(s1);
	CHECK_EQ(h_op(s2, ST_CMD_CLOSE_DELETE, h2, 0), 0);
	ta_close_session(s2);
}

static void test_isolation_between_tas(void)
{
	struct ta_session *a = sess(&uuid_a), *b = sess(&uuid_b);
	uint32_t ha, hb, e;
	uint8_t buf[8];
	struct call c = {0};

	REQUIRE(a && b);
	REQUIRE(create(a, "same-id", ALL | TEE_DATA_FLAG_OVERWRITE, 0, 0,
		       &ha) == 0);
	CHECK_EQ(write_str(a, ha, "AAA"), 0);
	CHECK_EQ(open_obj(b, "same-id", TEE_DATA_FLAG_ACCESS_READ, &hb),
		 TEE_ERROR_ITEM_NOT_FOUND);
	/* B's object of the same ID is its own; A's is untouched. */
	CHECK_EQ(create(b, "same-id", ALL, 0, 0, &hb), 0);
	CHECK_EQ(write_str(b, hb, "B"), 0);
	CHECK_EQ(seek(a, ha, 0, TEE_DATA_SEEK_SET), 0);
	CHECK_EQ(read_obj(a, ha, buf, sizeof(buf)), 3);
	CHECK_MEM(buf, "AAA", 3);
	/* B's enumeration sees its objects only. */
	CHECK_EQ(call(b, ST_CMD_ENUM_ALLOC, &c), 0);
	e = c.a3;
	CHECK_EQ(h_op(b, ST_CMD_ENUM_START, e, sid), 0);
	for (;;) {
		memset(&c, 0, sizeof(c));
		c.a0 = e;
		c.out_cap = 64;
		if (call(b, ST_CMD_ENUM_NEXT, &c))
			break;
		CHECK(c.out_len == strlen(pfx) + 7 &&
		      !memcmp(io_addr + strlen(pfx), "same-id", 7));
	}
	CHECK_EQ(h_op(b, ST_CMD_ENUM_FREE, e, 0), 0);
	/* A handle of A means nothing to B: its instance dies. */
	memset(&c, 0, sizeof(c));
	c.a0 = ha;
	c.b0 = ST_BOGUS_READ;
	if (ha != hb)
		CHECK(panics(b, ST_CMD_PANIC_BOGUS, &c));
	ta_close_session(b);
	b = sess(&uuid_b);
	REQUIRE(b);
	remove_obj(b, "same-id");
	CHECK_EQ(h_op(a, ST_CMD_CLOSE_DELETE, ha, 0), 0);
	ta_close_session(a);
	ta_close_session(b);
}

static void test_rename(void)
{
	struct ta_session *s = sess(&uuid_a);
	uint32_t h, h2;
	char id[64];
	struct call c = {0};

	REQUIRE(s);
	REQUIRE(create(s, "old", ALL | TEE_DATA_FLAG_OVERWRITE, 0, 5, &h) == 0);
	REQUIRE(create(s, "taken", ALL | TEE_DATA_FLAG_OVERWRITE, 0, 0, &h2) ==
		0);
	c.a0 = h;
	c.in = id_of("taken", id);
	c.in_len = strlen(id);
	CHECK_EQ(call(s, ST_CMD_RENAME, &c), TEE_ERROR_ACCESS_CONFLICT);
	c.a0 = h;
	c.in = id_of("old", id);
	c.in_len = strlen(id);
	CHECK_EQ(call(s, ST_CMD_RENAME, &c), TEE_ERROR_ACCESS_CONFLICT);
	c.a0 = h;
	c.in = id_of("new", id);
	c.in_len = strlen(id);
	CHECK_EQ(call(s, ST_CMD_RENAME, &c), 0);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE, h, 0), 0);
	CHECK_EQ(open_obj(s, "old", TEE_DATA_FLAG_ACCESS_READ, &h),
		 TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(open_obj(s, "new", ALL, &h), 0);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE_DELETE, h, 0), 0);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE_DELETE, h2, 0), 0);
	ta_close_session(s);
}

static void test_enumerator(void)
{
	static const char *const names[] = {"e1", "e2", "e3"};
	struct ta_session *s = sess(&uuid_a);
	unsigned seen = 0, n = 0, i;
	struct call c = {0};
	uint32_t e, h;

	REQUIRE(s);
	for (i = 0; i < 3; i++) {
		REQUIRE(create(s, names[i], ALL | TEE_DATA_FLAG_OVERWRITE, 0,
			       10 * i, &h) == 0);
		CHECK_EQ(h_op(s, ST_CMD_CLOSE, h, 0), 0);
	}
	CHECK_EQ(call(s, ST_CMD_ENUM_ALLOC, &c), 0);
	e = c.a3;
	CHECK(e != 0);
	memset(&c, 0, sizeof(c));
	c.a0 = e;
	c.out_cap = 64;
	CHECK_EQ(call(s, ST_CMD_ENUM_NEXT, &c), TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(h_op(s, ST_CMD_ENUM_START, e, sid), 0);
	for (;;) {
		memset(&c, 0, sizeof(c));
		c.a0 = e;
		c.a2 = 1;
		c.out_cap = 64;
		if (call(s, ST_CMD_ENUM_NEXT, &c) == TEE_ERROR_ITEM_NOT_FOUND)
			break;
		n++;
		for (i = 0; i < 3; i++)
			if (c.out_len == strlen(pfx) + 2 &&
			    !memcmp(io_addr, pfx, strlen(pfx)) &&
			    !memcmp(io_addr + strlen(pfx), names[i], 2)) {
				seen |= 1U << i;
				CHECK_EQ(c.a3, TEE_TYPE_DATA);
				CHECK_EQ(c.b3, 10 * i);
			}
		REQUIRE(n < 1000);
	}
	CHECK_EQ(seen, 7);
	memset(&c, 0, sizeof(c));
	c.a0 = e;
	c.out_cap = 64;
	CHECK_EQ(call(s, ST_CMD_ENUM_NEXT, &c), TEE_ERROR_ITEM_NOT_FOUND);
	/* Reset: not started again. Start again: from the beginning. */
	CHECK_EQ(h_op(s, ST_CMD_ENUM_RESET, e, 0), 0);
	CHECK_EQ(call(s, ST_CMD_ENUM_NEXT, &c), TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(h_op(s, ST_CMD_ENUM_START, e, sid), 0);
	memset(&c, 0, sizeof(c));
	c.a0 = e;
	c.out_cap = 64;
	CHECK_EQ(call(s, ST_CMD_ENUM_NEXT, &c), 0);
	CHECK_EQ(h_op(s, ST_CMD_ENUM_START, e, 0x12345678),
		 TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(h_op(s, ST_CMD_ENUM_FREE, e, 0), 0);
	CHECK_EQ(h_op(s, ST_CMD_ENUM_FREE, 0, 0), 0); /* NULL: no-op */
	CHECK_EQ(h_op(s, ST_CMD_ENUM_RESET, 0, 0), 0);
	for (i = 0; i < 3; i++)
		remove_obj(s, names[i]);
	ta_close_session(s);
}

/* A TA without objects: ITEM_NOT_FOUND when the enumeration starts. */
static void test_enumerator_empty(void)
{
	struct ta_session *s = sess(&uuid_b);
	struct call c = {0};

	REQUIRE(s);
	CHECK_EQ(call(s, ST_CMD_ENUM_ALLOC, &c), 0);
	CHECK_EQ(h_op(s, ST_CMD_ENUM_START, c.a3, sid),
		 TEE_ERROR_ITEM_NOT_FOUND);
	ta_close_session(s);
}

/* ---- panics: the instance dies, teed and other instances do not ---- */

static void expect_panic(uint32_t cmd, struct call *c, const char *what)
{
	struct ta_session *s = sess(&uuid_a);
	struct call ok = {0};

	REQUIRE(s);
	if (!panics(s, cmd, c))
		fprintf(stderr, "  no panic: %s\n", what);
	CHECK_EQ(c->origin, TEE_ORIGIN_TEE);
	/* Every later call on the dead instance's session: TARGET_DEAD. */
	CHECK_EQ(call(s, ST_CMD_ENUM_ALLOC, &ok), TEE_ERROR_TARGET_DEAD);
	ta_close_session(s);
}

static void test_panics(void)
{
	struct ta_session *s;
	char id[64];
	struct call c;
	uint32_t h, t;

	memset(&c, 0, sizeof(c));
	c.a0 = sid, c.b0 = ALL, c.a2 = ST_ID_LONG;
	expect_panic(ST_CMD_OPEN, &c, "open with a 65-byte ID");
	memset(&c, 0, sizeof(c));
	c.a0 = sid, c.b0 = ALL, c.a2 = ST_ID_LONG;
	expect_panic(ST_CMD_CREATE, &c, "create with a 65-byte ID");
	memset(&c, 0, sizeof(c));
	c.a0 = sid, c.b0 = ALL, c.a2 = ST_ID_SHM, c.in = "in-shm", c.in_len = 6;
	expect_panic(ST_CMD_OPEN, &c, "open with an ID in shared memory");
	memset(&c, 0, sizeof(c));
	c.a0 = sid, c.b0 = ALL, c.a2 = ST_ID_SHM, c.in = "in-shm", c.in_len = 6;
	expect_panic(ST_CMD_CREATE, &c, "create with an ID in shared memory");
	memset(&c, 0, sizeof(c));
	c.a0 = sid, c.b0 = 0x8000, c.in = "x", c.in_len = 1;
	expect_panic(ST_CMD_OPEN, &c, "open with bad flags");
	memset(&c, 0, sizeof(c));
	c.a0 = BOGUS, c.b0 = ST_BOGUS_CLOSE;
	expect_panic(ST_CMD_PANIC_BOGUS, &c, "close of a bogus handle");
	memset(&c, 0, sizeof(c));
	c.a0 = BOGUS, c.b0 = ST_BOGUS_READ;
	expect_panic(ST_CMD_PANIC_BOGUS, &c, "read of a bogus handle");
	memset(&c, 0, sizeof(c));
	c.a0 = 0x80001234, c.b0 = ST_BOGUS_FREE_TRANSIENT;
	expect_panic(ST_CMD_PANIC_BOGUS, &c, "bogus transient handle");
	memset(&c, 0, sizeof(c));
	c.a0 = BOGUS, c.b0 = ST_BOGUS_ENUM_START;
	expect_panic(ST_CMD_PANIC_BOGUS, &c, "bogus enumerator");
	memset(&c, 0, sizeof(c));
	c.a0 = 0xC0005678, c.b0 = ST_BOGUS_DIGEST;
	expect_panic(ST_CMD_PANIC_BOGUS, &c, "bogus operation");

	/* Rights: read without READ, delete/rename without WRITE_META. */
	s = sess(&uuid_a);
	REQUIRE(s);
	REQUIRE(create(s, "rights", ALL | TEE_DATA_FLAG_OVERWRITE, 0, 4, &h) ==
		0);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE, h, 0), 0);
	memset(&c, 0, sizeof(c));
	c.a0 = TEE_TYPE_AES, c.b0 = 128;
	CHECK_EQ(call(s, ST_CMD_ALLOC_TRANSIENT, &c), 0);
	t = c.a3;
	memset(&c, 0, sizeof(c));
	c.a0 = t, c.b0 = ST_BOGUS_SEEK_TRANSIENT;
	CHECK(panics(s, ST_CMD_PANIC_BOGUS, &c)); /* seek on a transient */
	ta_close_session(s);

	s = sess(&uuid_a);
	REQUIRE(s);
	CHECK_EQ(open_obj(s, "rights", TEE_DATA_FLAG_ACCESS_WRITE, &h), 0);
	memset(&c, 0, sizeof(c));
	c.a0 = h, c.out_cap = 4;
	CHECK(panics(s, ST_CMD_READ, &c));
	ta_close_session(s);

	s = sess(&uuid_a);
	REQUIRE(s);
	CHECK_EQ(open_obj(s, "rights", TEE_DATA_FLAG_ACCESS_READ, &h), 0);
	memset(&c, 0, sizeof(c));
	c.a0 = h, c.in = "x", c.in_len = 1;
	CHECK(panics(s, ST_CMD_WRITE, &c));
	ta_close_session(s);

	s = sess(&uuid_a);
	REQUIRE(s);
	CHECK_EQ(open_obj(s, "rights", RW, &h), 0);
	memset(&c, 0, sizeof(c));
	c.a0 = h;
	c.in = id_of("renamed", id);
	c.in_len = strlen(id);
	CHECK(panics(s, ST_CMD_RENAME, &c));
	ta_close_session(s);

	s = sess(&uuid_a);
	REQUIRE(s);
	CHECK_EQ(open_obj(s, "rights", RW, &h), 0);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE_DELETE, h, 0), TEE_ERROR_TARGET_DEAD);
	ta_close_session(s);

	/* teed is fine: a new instance works and the object is there. */
	s = sess(&uuid_a);
	REQUIRE(s);
	CHECK_EQ(open_obj(s, "rights", ALL, &h), 0);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE_DELETE, h, 0), 0);
	ta_close_session(s);
}

/* A dead instance's handles are released: others may open its objects. */
static void test_death_releases_handles(void)
{
	struct ta_session *s1 = sess(&uuid_a), *s2 = sess(&uuid_a);
	struct call c = {.a0 = BOGUS, .b0 = ST_BOGUS_CLOSE};
	uint32_t h, h2, e;

	REQUIRE(s1 && s2);
	REQUIRE(create(s1, "dies", ALL | TEE_DATA_FLAG_OVERWRITE, 0, 0, &h) ==
		0);
	memset(&c, 0, sizeof(c));
	CHECK_EQ(call(s1, ST_CMD_ENUM_ALLOC, &c), 0);
	e = c.a3;
	(void)e;
	CHECK_EQ(open_obj(s2, "dies", TEE_DATA_FLAG_ACCESS_READ, &h2),
		 TEE_ERROR_ACCESS_CONFLICT);
	memset(&c, 0, sizeof(c));
	c.a0 = BOGUS, c.b0 = ST_BOGUS_CLOSE;
	CHECK(panics(s1, ST_CMD_PANIC_BOGUS, &c));
	CHECK_EQ(open_obj(s2, "dies", ALL, &h2), 0);
	CHECK_EQ(h_op(s2, ST_CMD_CLOSE_DELETE, h2, 0), 0);
	ta_close_session(s1);
	ta_close_session(s2);
}

/* ---- key objects ---- */

static TEE_Result get_attr(struct ta_session *s, uint32_t h, uint32_t id,
			   uint8_t *out, size_t cap, size_t *len)
{
	struct call c = {.a0 = h, .b0 = id, .out_cap = cap};
	TEE_Result res = call(s, ST_CMD_GET_BUF_ATTR, &c);

	*len = c.out_len;
	if (!res)
		memcpy(out, io_addr, c.out_len);
	return res;
}

static uint32_t alloc_transient(struct ta_session *s, uint32_t type,
				uint32_t max, TEE_Result *res)
{
	struct call c = {.a0 = type, .b0 = max};

	*res = call(s, ST_CMD_ALLOC_TRANSIENT, &c);
	return c.a3;
}

/* The persistent object's head and blob, read through the engine. */
static void check_blob_on_store(const TEE_UUID *ta, const char *name,
				const uint8_t *key, size_t key_len)
{
	struct tstore *ts = gpstore_tstore(gps, sid);
	struct tstore_info ti;
	struct tstore_obj *o;
	uint8_t blob[64];
	size_t blen = 0;
	char id[64];

	REQUIRE(ts);
	id_of(name, id);
	REQUIRE(tstore_open_obj(ts, ta, id, strlen(id), &o) == 0);
	CHECK_EQ(tstore_info(o, &ti), 0);
	CHECK_EQ(ti.head.object_type, TEE_TYPE_AES);
	CHECK_EQ(ti.head.object_size, key_len * 8);
	CHECK_EQ(ti.head.max_object_size, 256);
	CHECK_EQ(ti.head.have_attrs, 1);
	CHECK_EQ(ti.head.attr_size, 4 + key_len);
	CHECK_EQ(tstore_read_attrs(o, blob, sizeof(blob), &blen), 0);
	CHECK_EQ(blen, 4 + key_len);
	CHECK_EQ(get_be32(blob), key_len); /* u32 big-endian length */
	CHECK_MEM(blob + 4, key, key_len);
	tstore_release(o);
}

static void test_key_objects(void)
{
	struct ta_session *s = sess(&uuid_a);
	uint8_t key[64], key2[64], hkey[20];
	uint32_t t, t2, h, inf[7];
	size_t len, len2;
	TEE_Result res;
	struct call c;

	REQUIRE(s);
	CHECK_EQ(alloc_transient(s, TEE_TYPE_AES, 100, &res), 0);
	CHECK_EQ(res, TEE_ERROR_NOT_SUPPORTED);
	alloc_transient(s, TEE_TYPE_DATA, 0, &res);
	CHECK_EQ(res, TEE_ERROR_NOT_SUPPORTED);
	t = alloc_transient(s, TEE_TYPE_AES, 256, &res);
	REQUIRE(res == 0 && (t & 0xC0000000U) == 0x80000000U);
	CHECK_EQ(info(s, t, inf), 0);
	CHECK_EQ(inf[0], TEE_TYPE_AES);
	CHECK_EQ(inf[1], 0);
	CHECK_EQ(inf[2], 256);
	CHECK_EQ(inf[6], 0); /* not initialised */
	CHECK_EQ(h_op(s, ST_CMD_GENERATE_KEY, t, 100),
		 TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(h_op(s, ST_CMD_GENERATE_KEY, t, 256), 0);
	CHECK_EQ(info(s, t, inf), 0);
	CHECK_EQ(inf[1], 256);
	CHECK_EQ(inf[6], TEE_HANDLE_FLAG_INITIALIZED);
	/* SHORT_BUFFER gives the size needed. */
	CHECK_EQ(get_attr(s, t, TEE_ATTR_SECRET_VALUE, key, 4, &len),
		 TEE_ERROR_SHORT_BUFFER);
	CHECK_EQ(len, 32);
	CHECK_EQ(get_attr(s, t, TEE_ATTR_SECRET_VALUE, key, 64, &len), 0);
	CHECK_EQ(len, 32);
	CHECK_EQ(get_attr(s, t, TEE_ATTR_RSA_MODULUS, key2, 64, &len2),
		 TEE_ERROR_ITEM_NOT_FOUND);
	/* The transient key becomes a persistent key object. */
	REQUIRE(create(s, "aes-key", ALL | TEE_DATA_FLAG_OVERWRITE, t, 3, &h) ==
		0);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE, h, 0), 0);
	check_blob_on_store(&uuid_a, "aes-key", key, 32);
	CHECK_EQ(open_obj(s, "aes-key", ALL, &h), 0);
	CHECK_EQ(info(s, h, inf), 0);
	CHECK_EQ(inf[0], TEE_TYPE_AES);
	CHECK_EQ(inf[1], 256);
	CHECK_EQ(inf[2], 256);
	CHECK_EQ(inf[3], 0xFFFFFFFFU);
	CHECK_EQ(inf[4], 3);
	CHECK_EQ(get_attr(s, h, TEE_ATTR_SECRET_VALUE, key2, 64, &len2), 0);
	CHECK_EQ(len2, 32);
	CHECK_MEM(key2, key, 32);
	/* Copy from the persistent object into a new transient one. */
	t2 = alloc_transient(s, TEE_TYPE_AES, 256, &res);
	CHECK_EQ(res, 0);
	CHECK_EQ(h_op(s, ST_CMD_COPY_ATTRS, t2, h), 0);
	CHECK_EQ(get_attr(s, t2, TEE_ATTR_SECRET_VALUE, key2, 64, &len2), 0);
	CHECK_MEM(key2, key, 32);
	/* A value attribute the type lacks. */
	memset(&c, 0, sizeof(c));
	c.a0 = h, c.b0 = TEE_ATTR_ECC_CURVE;
	CHECK_EQ(call(s, ST_CMD_GET_VAL_ATTR, &c), TEE_ERROR_ITEM_NOT_FOUND);
	/* RestrictObjectUsage1 is persisted with the object. */
	CHECK_EQ(h_op(s, ST_CMD_RESTRICT, h, ~TEE_USAGE_EXTRACTABLE), 0);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE, h, 0), 0);
	CHECK_EQ(open_obj(s, "aes-key", ALL, &h), 0);
	CHECK_EQ(info(s, h, inf), 0);
	CHECK_EQ(inf[3], ~TEE_USAGE_EXTRACTABLE);
	/* Reset: uninitialised again; free. */
	CHECK_EQ(h_op(s, ST_CMD_RESET_TRANSIENT, t, 0), 0);
	CHECK_EQ(info(s, t, inf), 0);
	CHECK_EQ(inf[1], 0);
	CHECK_EQ(inf[6], 0);
	CHECK_EQ(h_op(s, ST_CMD_FREE_TRANSIENT, t, 0), 0);
	CHECK_EQ(h_op(s, ST_CMD_FREE_TRANSIENT, 0, 0), 0);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE, t2, 0), 0); /* CloseObject frees */
	/* HMAC and generic secrets: sizes per GP. */
	t = alloc_transient(s, TEE_TYPE_HMAC_SHA256, 256, &res);
	CHECK_EQ(res, 0);
	CHECK_EQ(h_op(s, ST_CMD_GENERATE_KEY, t, 184),
		 TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(h_op(s, ST_CMD_GENERATE_KEY, t, 256), 0);
	CHECK_EQ(h_op(s, ST_CMD_FREE_TRANSIENT, t, 0), 0);
	alloc_transient(s, TEE_TYPE_HMAC_SHA1, 72, &res);
	CHECK_EQ(res, TEE_ERROR_NOT_SUPPORTED);
	t = alloc_transient(s, TEE_TYPE_GENERIC_SECRET, 256, &res);
	CHECK_EQ(res, 0);
	memset(hkey, 0x5c, sizeof(hkey));
	memset(&c, 0, sizeof(c));
	c.a0 = t, c.b0 = TEE_ATTR_SECRET_VALUE, c.in = hkey, c.in_len = 20;
	c.a2 = 1;
	CHECK_EQ(call(s, ST_CMD_POPULATE, &c), 0);
	CHECK_EQ(info(s, t, inf), 0);
	CHECK_EQ(inf[1], 160);
	CHECK_EQ(get_attr(s, t, TEE_ATTR_SECRET_VALUE, key2, 64, &len2), 0);
	CHECK_EQ(len2, 20);
	CHECK_MEM(key2, hkey, 20);
	/* Populating an initialised object panics. */
	memset(&c, 0, sizeof(c));
	c.a0 = t, c.b0 = TEE_ATTR_SECRET_VALUE, c.in = hkey, c.in_len = 20;
	c.a2 = 1;
	CHECK(panics(s, ST_CMD_POPULATE, &c));
	ta_close_session(s);

	/* A secret of a non-extractable object cannot be read: panic. */
	s = sess(&uuid_a);
	REQUIRE(s);
	CHECK_EQ(open_obj(s, "aes-key", ALL, &h), 0);
	CHECK_EQ(get_attr(s, h, TEE_ATTR_SECRET_VALUE, key2, 64, &len2),
		 TEE_ERROR_TARGET_DEAD);
	ta_close_session(s);
}

/* ---- digests ---- */

struct kat {
	uint32_t alg;
	const char *hex;
};

static const struct kat abc_kats[] = {
    {TEE_ALG_SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d"},
    {TEE_ALG_SHA224,
     "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"},
    {TEE_ALG_SHA256,
     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {TEE_ALG_SHA384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b"
		     "605a43ff5bed8086072ba1e7cc2358baeca134c825a7"},
    {TEE_ALG_SHA512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9e"
		     "eee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423"
		     "643ce80e2a9ac94fa54ca49f"},
};

static void unhex(const char *h, uint8_t *out, size_t *len)
{
	size_t i;

	for (i = 0; h[2 * i]; i++) {
		unsigned v;

		sscanf(h + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
	*len = i;
}

static void test_digest_known_answers(void)
{
	struct ta_session *s = sess(&uuid_a);
	uint8_t want[64], msg[64] = "abc";
	size_t wlen, i, split;
	struct call c;

	REQUIRE(s);
	for (i = 0; i < sizeof(abc_kats) / sizeof(abc_kats[0]); i++) {
		unhex(abc_kats[i].hex, want, &wlen);
		for (split = 0; split <= 3; split++) {
			memset(&c, 0, sizeof(c));
			c.a0 = abc_kats[i].alg, c.b0 = (uint32_t)split;
			c.in = msg, c.in_len = 64, c.a2 = 3;
			c.a3 = 64;
			CHECK_EQ(call(s, ST_CMD_DIGEST, &c), 0);
			CHECK_EQ(c.a3, 0);
			CHECK_EQ(c.b3, wlen);
			CHECK_EQ(c.out_len, wlen);
			CHECK_MEM(io_addr, want, wlen);
		}
		/* Too small a buffer: SHORT_BUFFER and the length needed,
		 * then the same operation still gives the right hash. */
		memset(&c, 0, sizeof(c));
		c.a0 = abc_kats[i].alg, c.b0 = 1, c.in = msg, c.in_len = 64;
		c.a2 = 3;
		c.a3 = (uint32_t)wlen - 1;
		CHECK_EQ(call(s, ST_CMD_DIGEST, &c), 0);
		CHECK_EQ(c.a3, TEE_ERROR_SHORT_BUFFER);
		CHECK_EQ(c.b3, wlen);
		CHECK_MEM(io_addr, want, wlen);
		memset(&c, 0, sizeof(c));
		c.a0 = abc_kats[i].alg;
		CHECK_EQ(call(s, ST_CMD_DIGEST_INFO, &c), 0);
		CHECK_EQ(c.a3, wlen);
		CHECK_EQ(c.b3,
			 TEE_HANDLE_FLAG_KEY_SET | TEE_HANDLE_FLAG_INITIALIZED);
	}
	/* SHA-256 of the empty message. */
	unhex(
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    want, &wlen);
	memset(&c, 0, sizeof(c));
	c.a0 = TEE_ALG_SHA256, c.in = msg, c.in_len = 64, c.a3 = 64;
	CHECK_EQ(call(s, ST_CMD_DIGEST, &c), 0);
	CHECK_MEM(io_addr, want, 32);
	memset(&c, 0, sizeof(c));
	c.a0 = TEE_ALG_AES_CBC_NOPAD;
	CHECK_EQ(call(s, ST_CMD_DIGEST_INFO, &c), TEE_ERROR_NOT_SUPPORTED);
	ta_close_session(s);
}

/* ---- large transfers: one call each, one commit per write ---- */

static uint64_t commits(void)
{
	struct tstore_stats st;

	tstore_get_stats(gpstore_tstore(gps, sid), &st);
	return st.commits;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void test_one_mib_in_one_call(void)
{
	double t0, t1, t2;
	const uint32_t mib = 1U << 20;
	struct ta_session *s = sess(&uuid_a);
	uint32_t h, inf[7];
	uint64_t before;
	struct call c;

	REQUIRE(s);
	REQUIRE(create(s, "big", ALL | TEE_DATA_FLAG_OVERWRITE, 0, 0, &h) == 0);
	before = commits();
	memset(&c, 0, sizeof(c));
	c.a0 = h, c.b0 = mib, c.a2 = 5;
	t0 = now_ms();
	CHECK_EQ(call(s, ST_CMD_BIG_WRITE, &c), 0);
	t1 = now_ms();
	CHECK_EQ(commits() - before, 1); /* one atomic commit */
	CHECK_EQ(info(s, h, inf), 0);
	CHECK_EQ(inf[4], mib);
	CHECK_EQ(inf[5], mib);
	CHECK_EQ(seek(s, h, 0, TEE_DATA_SEEK_SET), 0);
	memset(&c, 0, sizeof(c));
	c.a0 = h, c.b0 = mib, c.a2 = 5;
	t2 = now_ms();
	CHECK_EQ(call(s, ST_CMD_BIG_READ, &c), 0);
	fprintf(stderr,
		"  1 MiB TEE_WriteObjectData %.1f ms, "
		"TEE_ReadObjectData %.1f ms (%s)\n",
		t1 - t0, now_ms() - t2, kind);
	CHECK_EQ(c.a3, mib);
	CHECK_EQ(c.b3, 1);
	/* Reading more than there is: the count is what was there. */
	CHECK_EQ(seek(s, h, mib / 2, TEE_DATA_SEEK_SET), 0);
	memset(&c, 0, sizeof(c));
	c.a0 = h, c.b0 = mib, c.a2 = 5;
	CHECK_EQ(call(s, ST_CMD_BIG_READ, &c), 0);
	CHECK_EQ(c.a3, mib / 2);
	memset(&c, 0, sizeof(c));
	c.a0 = h, c.b0 = mib, c.a2 = 5;
	CHECK_EQ(call(s, ST_CMD_BIG_READ, &c), 0); /* at the end */
	CHECK_EQ(c.a3, 0);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE_DELETE, h, 0), 0);
	/* Initial data beyond one message (staged): one create. */
	before = commits();
	REQUIRE(create(s, "big2", ALL | TEE_DATA_FLAG_OVERWRITE, 0,
		       200 * 1024 + 3, &h) == 0);
	CHECK_EQ(commits() - before, 1);
	memset(&c, 0, sizeof(c));
	c.a0 = h, c.b0 = 300 * 1024, c.a2 = 9;
	CHECK_EQ(call(s, ST_CMD_BIG_READ, &c), 0);
	CHECK_EQ(c.a3, 200 * 1024 + 3);
	CHECK_EQ(c.b3, 1);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE_DELETE, h, 0), 0);
	ta_close_session(s);
}

/*
 * Beyond the instance's 1 MiB bulk buffer (docs/gp-storage-ta.md, "Bulk
 * data"): a write from the TA's heap goes in bulk-buffer pieces into the
 * stage and is still one commit; a read is one staged read fetched in
 * pieces.
 */
static void test_beyond_bulk_buffer(void)
{
	const uint32_t size = 3 * (1U << 20) + 5;
	struct ta_session *s = sess(&uuid_a);
	uint64_t before;
	struct call c;
	uint32_t h;

	REQUIRE(s);
	REQUIRE(create(s, "big3", ALL | TEE_DATA_FLAG_OVERWRITE, 0, 0, &h) ==
		0);
	before = commits();
	memset(&c, 0, sizeof(c));
	c.a0 = h, c.b0 = size, c.a2 = 7;
	CHECK_EQ(call(s, ST_CMD_BIG_WRITE, &c), 0);
	CHECK_EQ(commits() - before, 1);
	CHECK_EQ(seek(s, h, 0, TEE_DATA_SEEK_SET), 0);
	memset(&c, 0, sizeof(c));
	c.a0 = h, c.b0 = size, c.a2 = 7;
	CHECK_EQ(call(s, ST_CMD_BIG_READ, &c), 0);
	CHECK_EQ(c.a3, size);
	CHECK_EQ(c.b3, 1);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE_DELETE, h, 0), 0);
	ta_close_session(s);
}

/* ---- corrupt objects: CORRUPT_OBJECT, then kept aside (posix only) ---- */

static uint32_t file_number(const TEE_UUID *ta, const char *name)
{
	struct tstore *ts = gpstore_tstore(gps, sid);
	struct tstore_info ti = {0};
	struct tstore_obj *o;
	char id[64];

	id_of(name, id);
	if (!ts || tstore_open_obj(ts, ta, id, strlen(id), &o))
		return 0;
	tstore_info(o, &ti);
	tstore_release(o);
	return ti.file_number;
}

/* Flips one byte in every 512 of the object's REE file. */
static bool corrupt_file(uint32_t fnum)
{
	char path[600];
	uint8_t buf[512];
	FILE *f;
	long off;

	snprintf(path, sizeof(path), "%s/%x", store_dir, fnum);
	f = fopen(path, "r+b");
	if (!f)
		return false;
	for (off = 0; fseek(f, off, SEEK_SET) == 0 &&
		      fread(buf, 1, sizeof(buf), f) == sizeof(buf);
	     off += sizeof(buf)) {
		buf[100] ^= 0x5a;
		fseek(f, off, SEEK_SET);
		fwrite(buf, 1, sizeof(buf), f);
	}
	fclose(f);
	return true;
}

static void test_corrupt_object(void)
{
	struct ta_session *s;
	uint32_t h, fnum;

	if (strcmp(kind, "posix"))
		return; /* the file layout is the POSIX backend's */
	s = sess(&uuid_a);
	REQUIRE(s);
	REQUIRE(create(s, "corrupt", ALL | TEE_DATA_FLAG_OVERWRITE, 0, 9000,
		       &h) == 0);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE, h, 0), 0);
	fnum = file_number(&uuid_a, "corrupt");
	REQUIRE(fnum != 0);
	REQUIRE(corrupt_file(fnum));
	CHECK_EQ(open_obj(s, "corrupt", ALL, &h), TEE_ERROR_CORRUPT_OBJECT);
	CHECK_EQ(h, 0);
	/* Kept aside for analysis: the ID is free again, teed is fine. */
	CHECK_EQ(open_obj(s, "corrupt", ALL, &h), TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(create(s, "corrupt", ALL, 0, 0, &h), 0);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE_DELETE, h, 0), 0);
	ta_close_session(s);
}

static void test_props(void)
{
	struct ta_session *s = sess(&uuid_a);
	struct call c = {0};

	REQUIRE(s);
	CHECK_EQ(call(s, ST_CMD_PROP, &c), 0);
	CHECK_EQ(c.a3, 100); /* no RPMB anchor: rollback undetectable */
	ta_close_session(s);
}

/* ---- threads: sessions storing at once ---- */

#define NTHREADS 4

static void *worker(void *arg)
{
	struct ta_session *s;
	uintptr_t n = (uintptr_t)arg, i;
	char name[16], data[32], buf[32];
	long got;
	uint32_t h = 0;
	bool ok;

	io = test_shm_new(IO_SIZE, (void **)&io_addr);
	s = io ? sess(&uuid_a) : NULL;
	ok = s != NULL;

	snprintf(name, sizeof(name), "thr%u", (unsigned)n);
	if (ok)
		ok = !create(s, name, ALL | TEE_DATA_FLAG_OVERWRITE, 0, 0, &h);
	for (i = 0; ok && i < 10; i++) {
		snprintf(data, sizeof(data), "t%u-%u", (unsigned)n,
			 (unsigned)i);
		ok = !seek(s, h, 0, TEE_DATA_SEEK_SET) &&
		     !write_str(s, h, data) &&
		     !seek(s, h, 0, TEE_DATA_SEEK_SET);
		got = ok ? read_obj(s, h, buf, sizeof(buf)) : -1;
		ok = ok && got >= (long)strlen(data) &&
		     !memcmp(buf, data, strlen(data));
	}
	if (ok)
		ok = !h_op(s, ST_CMD_CLOSE_DELETE, h, 0);
	if (s)
		ta_close_session(s);
	if (io)
		test_shm_release(io, io_addr);
	return ok ? arg : NULL;
}

static void test_parallel_sessions(void)
{
	pthread_t t[NTHREADS];
	uintptr_t i;
	void *r;

	for (i = 0; i < NTHREADS; i++)
		REQUIRE(pthread_create(&t[i], NULL, worker, (void *)(i + 1)) ==
			0);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], &r);
		CHECK(r == (void *)(i + 1));
	}
}

/* ---- restart: objects survive teed's TA side and gpstore ---- */

static void test_restart_persistence(void)
{
	struct ta_session *s = sess(&uuid_a);
	uint8_t buf[32];
	uint32_t h;

	REQUIRE(s);
	REQUIRE(create(s, "persist", ALL | TEE_DATA_FLAG_OVERWRITE, 0, 0, &h) ==
		0);
	CHECK_EQ(write_str(s, h, "survives a restart"), 0);
	ta_close_session(s);
	store_down();
	REQUIRE(store_up() == 0);
	s = sess(&uuid_a);
	REQUIRE(s);
	CHECK_EQ(open_obj(s, "persist", ALL, &h), 0);
	CHECK_EQ(read_obj(s, h, buf, sizeof(buf)), 18);
	CHECK_MEM(buf, "survives a restart", 18);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE_DELETE, h, 0), 0);
	remove_obj(s, "aes-key");
	ta_close_session(s);
}

/* The next backend event fails as on a full disk (fake backend). */
static void fail_next_as_full(void)
{
	backend_fake_set_fail_at(be, backend_fake_event_count(be) + 1,
				 TEE_ERROR_STORAGE_NO_SPACE);
}

/*
 * On a full disk, TEE_RenamePersistentObject and
 * TEE_CloseAndDeletePersistentObject1 give the TA STORAGE_NO_SPACE (GP
 * lists it for neither; OP-TEE's libutee panics) and change nothing. Run
 * once, over a fake backend for its failure injection.
 */
static void test_full_disk_rename_delete(void)
{
	const char *was = kind;
	struct ta_session *s;
	struct call c = {0};
	char id[64];
	uint32_t h;

	store_down();
	kind = "fake";
	REQUIRE(store_up() == 0);
	s = sess(&uuid_a);
	REQUIRE(s);
	REQUIRE(create(s, "full", ALL | TEE_DATA_FLAG_OVERWRITE, 0, 100, &h) ==
		0);
	c.a0 = h;
	c.in = id_of("full-2", id);
	c.in_len = strlen(id);
	fail_next_as_full();
	CHECK_EQ(call(s, ST_CMD_RENAME, &c), TEE_ERROR_STORAGE_NO_SPACE);
	fail_next_as_full();
	CHECK_EQ(h_op(s, ST_CMD_CLOSE_DELETE, h, 0),
		 TEE_ERROR_STORAGE_NO_SPACE);
	/* The TA lives on, and the object is as it was. */
	CHECK_EQ(open_obj(s, "full-2", ALL, &h), TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(open_obj(s, "full", ALL, &h), 0);
	CHECK_EQ(h_op(s, ST_CMD_CLOSE_DELETE, h, 0), 0);
	ta_close_session(s);
	store_down();
	kind = was;
	REQUIRE(store_up() == 0);
}

static void run_suite(uint32_t storage_id, const char *prefix)
{
	sid = storage_id;
	snprintf(pfx, sizeof(pfx), "%s", prefix);
	fprintf(stderr, "-- storage ID 0x%08x\n", sid);
	RUN(test_enumerator_empty);
	RUN(test_create_open_delete);
	RUN(test_unknown_storage);
	RUN(test_data_stream);
	RUN(test_sharing_rules);
	RUN(test_sharing_across_sessions);
	RUN(test_sharing_across_instances);
	RUN(test_isolation_between_tas);
	RUN(test_rename);
	RUN(test_enumerator);
	RUN(test_panics);
	RUN(test_death_releases_handles);
	RUN(test_key_objects);
	RUN(test_digest_known_answers);
	RUN(test_one_mib_in_one_call);
	RUN(test_beyond_bulk_buffer);
	RUN(test_corrupt_object);
	RUN(test_props);
	RUN(test_parallel_sessions);
	RUN(test_restart_persistence);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: test_tastore TA_DIR [--backend posix|rpc]\n"
		   "GP trusted storage conformance through teed's TA side: "
		   "the storage test TAs\n(TA_DIR holds their .ta files) "
		   "over gpstore on the given backend.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	ta_dir = argv[1];
	kind = test_backend_kind(argc, argv, "posix");
	snprintf(store_dir, sizeof(store_dir), "%s", test_tmpdir("tastore"));
	io = test_shm_new(IO_SIZE, (void **)&io_addr);
	if (!io || store_up()) {
		fprintf(stderr, "test_tastore: cannot set up (%s backend)\n",
			kind);
		return 1;
	}
	run_suite(TEE_STORAGE_PRIVATE, "p-");
	run_suite(TEE_STORAGE_PRIVATE_REE, "r-");
	RUN(test_full_disk_rename_delete);
	store_down();
	test_shm_release(io, io_addr);
	test_rmtree(store_dir);
	return test_report();
}
