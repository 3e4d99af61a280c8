/*
 * libteec end to end against teed_double (teed with the TA-side test
 * double, ta_double.h): every parameter type, shared memory of every
 * kind, SHORT_BUFFER, return origins, threads, many clients, a copied
 * TEEC_Session, cancellation, a client killed mid-call, login identities
 * and limits. Usage: test_client_api TEED_DOUBLE
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bytes.h"
#include "client_fixture.h"
#include "drv_cred.h"
#include "ta_double.h"
#include "test.h"

static const char *teed_path;
static struct teed_proc teed;
static const TEEC_UUID echo_uuid = DBL_UUID_ECHO;

/* (double's sessions, clients, shm objects, driver sessions) */
static void stats(TEEC_Session *s, uint32_t out[4])
{
	TEEC_Operation op;
	uint32_t origin;

	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_VALUE_OUTPUT,
					 TEEC_NONE, TEEC_NONE);
	CHECK_EQ(TEEC_InvokeCommand(s, DBL_CMD_STATS, &op, &origin), 0);
	out[0] = op.params[0].value.a;
	out[1] = op.params[0].value.b;
	out[2] = op.params[1].value.a;
	out[3] = op.params[1].value.b;
}

static void test_context_bad_path(void)
{
	TEEC_Context ctx;

	CHECK_EQ(TEEC_InitializeContext("/nonexistent/teed.sock", &ctx),
		 TEEC_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(TEEC_InitializeContext(NULL, NULL), TEEC_ERROR_BAD_PARAMETERS);
}

static void test_context_name_is_path(void)
{
	TEEC_Context ctx;
	char *saved = strdup(getenv("TEESTORE_SOCKET"));

	unsetenv("TEESTORE_SOCKET");
	CHECK_EQ(TEEC_InitializeContext(teed.socket, &ctx), TEEC_SUCCESS);
	CHECK(ctx.imp.reg_mem && ctx.imp.memref_null);
	TEEC_FinalizeContext(&ctx);
	setenv("TEESTORE_SOCKET", saved, 1);
	free(saved);
}

static void test_open_origins(void)
{
	TEEC_Context ctx;
	TEEC_Session s;
	TEEC_UUID none = DBL_UUID_NONE, refuse = DBL_UUID_REFUSE;
	uint32_t origin = 0;

	REQUIRE(TEEC_InitializeContext(NULL, &ctx) == TEEC_SUCCESS);
	CHECK_EQ(TEEC_OpenSession(&ctx, &s, &none, TEEC_LOGIN_PUBLIC, NULL,
				  NULL, &origin),
		 TEEC_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(origin, TEEC_ORIGIN_TEE);
	CHECK_EQ(TEEC_OpenSession(&ctx, &s, &refuse, TEEC_LOGIN_PUBLIC, NULL,
				  NULL, &origin),
		 TEEC_ERROR_ACCESS_DENIED);
	CHECK_EQ(origin, TEEC_ORIGIN_TRUSTED_APP);
	CHECK_EQ(TEEC_OpenSession(&ctx, &s, NULL, TEEC_LOGIN_PUBLIC, NULL, NULL,
				  &origin),
		 TEEC_ERROR_BAD_PARAMETERS);
	CHECK_EQ(origin, TEEC_ORIGIN_API);
	/* GROUP logins need the gid as connectionData. */
	CHECK_EQ(TEEC_OpenSession(&ctx, &s, &echo_uuid, TEEC_LOGIN_GROUP, NULL,
				  NULL, &origin),
		 TEEC_ERROR_BAD_PARAMETERS);
	TEEC_FinalizeContext(&ctx);
}

static void test_open_with_params(void)
{
	TEEC_Context ctx;
	TEEC_Session s;
	TEEC_Operation op;
	uint32_t origin;

	REQUIRE(TEEC_InitializeContext(NULL, &ctx) == TEEC_SUCCESS);
	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT,
					 TEEC_NONE, TEEC_NONE);
	op.params[0].value.a = 5;
	op.params[0].value.b = 6;
	REQUIRE(TEEC_OpenSession(&ctx, &s, &echo_uuid, TEEC_LOGIN_PUBLIC, NULL,
				 &op, &origin) == TEEC_SUCCESS);
	CHECK_EQ(op.params[1].value.a, 0x1001);
	CHECK_EQ(op.params[1].value.b, 11);
	CHECK(op.imp.session == &s);
	client_close(&ctx, &s);
}

static void test_values_every_direction(void)
{
	TEEC_Context ctx;
	TEEC_Session s;
	TEEC_Operation op;
	uint32_t origin;

	REQUIRE(client_open(&ctx, &s, &echo_uuid));
	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT,
					 TEEC_VALUE_INOUT, TEEC_NONE);
	op.params[0].value.a = 100;
	op.params[0].value.b = 0xFFFFFF00u;
	op.params[2].value.a = 7;
	op.params[2].value.b = 0xFFFFFFFFu;
	CHECK_EQ(TEEC_InvokeCommand(&s, DBL_CMD_PARAMS, &op, &origin), 0);
	CHECK_EQ(origin, TEEC_ORIGIN_TRUSTED_APP);
	/* acc = 100 + 0xFFFFFF00 + 7 + 0xFFFFFFFF (mod 2^32) */
	CHECK_EQ(op.params[1].value.a, 0x1001);
	CHECK_EQ(op.params[1].value.b,
		 (uint32_t)(100u + 0xFFFFFF00u + 7u + 0xFFFFFFFFu));
	CHECK_EQ(op.params[2].value.a, 8);
	CHECK_EQ(op.params[2].value.b, 1);   /* wraps */
	CHECK_EQ(op.params[0].value.a, 100); /* inputs untouched */
	client_close(&ctx, &s);
}

static void test_tmpref_every_direction(void)
{
	TEEC_Context ctx;
	TEEC_Session s;
	TEEC_Operation op;
	uint8_t in[300], out[200], io[100], want[100];
	uint32_t origin, acc = 0;
	size_t i;

	REQUIRE(client_open(&ctx, &s, &echo_uuid));
	test_fill_pattern(in, sizeof(in), 1);
	test_fill_pattern(io, sizeof(io), 2);
	memset(out, 0, sizeof(out));
	for (i = 0; i < sizeof(in); i++)
		acc += in[i];
	for (i = 0; i < sizeof(io); i++) {
		acc += io[i];
		want[i] = (uint8_t)(0xff ^ io[i]);
	}
	acc += sizeof(in) + sizeof(io);
	memset(&op, 0, sizeof(op));
	op.paramTypes =
	    TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT,
			     TEEC_MEMREF_TEMP_INOUT, TEEC_VALUE_OUTPUT);
	op.params[0].tmpref.buffer = in;
	op.params[0].tmpref.size = sizeof(in);
	op.params[1].tmpref.buffer = out;
	op.params[1].tmpref.size = sizeof(out);
	op.params[2].tmpref.buffer = io;
	op.params[2].tmpref.size = sizeof(io);
	CHECK_EQ(TEEC_InvokeCommand(&s, DBL_CMD_PARAMS, &op, &origin), 0);
	CHECK_EQ(op.params[3].value.b, acc);
	for (i = 0; i < sizeof(out); i++)
		if (out[i] != 0xA1)
			break;
	CHECK_EQ(i, sizeof(out));
	CHECK_MEM(io, want, sizeof(io));
	CHECK_EQ(op.params[1].tmpref.size, sizeof(out));
	CHECK_EQ(op.params[0].tmpref.size, sizeof(in));
	client_close(&ctx, &s);
}

static void test_tmpref_null_and_empty(void)
{
	TEEC_Context ctx;
	TEEC_Session s;
	TEEC_Operation op;
	uint8_t b[1];
	uint32_t origin;

	REQUIRE(client_open(&ctx, &s, &echo_uuid));
	memset(&op, 0, sizeof(op));
	op.paramTypes =
	    TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_INOUT,
			     TEEC_MEMREF_TEMP_OUTPUT, TEEC_VALUE_OUTPUT);
	op.params[0].tmpref.buffer = NULL; /* NULL, size 0 */
	op.params[1].tmpref.buffer = b;	   /* non-NULL, size 0 */
	op.params[2].tmpref.buffer = NULL;
	CHECK_EQ(TEEC_InvokeCommand(&s, DBL_CMD_PARAMS, &op, &origin), 0);
	CHECK_EQ(op.params[3].value.b, 0);
	CHECK_EQ(op.params[1].tmpref.size, 0);
	/* A NULL output buffer asks the TA which size it needs. */
	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(
	    TEEC_MEMREF_TEMP_OUTPUT, TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE);
	op.params[1].value.a = 48;
	CHECK_EQ(TEEC_InvokeCommand(&s, DBL_CMD_SHORT, &op, &origin),
		 TEEC_ERROR_SHORT_BUFFER);
	CHECK_EQ(origin, TEEC_ORIGIN_TRUSTED_APP);
	CHECK_EQ(op.params[0].tmpref.size, 48);
	client_close(&ctx, &s);
}

static void test_short_buffer_roundtrip(void)
{
	TEEC_Context ctx;
	TEEC_Session s;
	TEEC_Operation op;
	uint8_t buf[200];
	uint32_t origin;
	size_t i;

	REQUIRE(client_open(&ctx, &s, &echo_uuid));
	memset(buf, 0xEE, sizeof(buf));
	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(
	    TEEC_MEMREF_TEMP_OUTPUT, TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE);
	op.params[0].tmpref.buffer = buf;
	op.params[0].tmpref.size = 10;
	op.params[1].value.a = 150;
	CHECK_EQ(TEEC_InvokeCommand(&s, DBL_CMD_SHORT, &op, &origin),
		 TEEC_ERROR_SHORT_BUFFER);
	CHECK_EQ(op.params[0].tmpref.size, 150);
	CHECK_EQ(buf[0], 0xEE); /* nothing copied back */
	op.params[0].tmpref.size = sizeof(buf);
	CHECK_EQ(TEEC_InvokeCommand(&s, DBL_CMD_SHORT, &op, &origin), 0);
	CHECK_EQ(op.params[0].tmpref.size, 150);
	for (i = 0; i < 150 && buf[i] == (uint8_t)i; i++)
		;
	CHECK_EQ(i, 150);
	CHECK_EQ(buf[150], 0xEE);
	client_close(&ctx, &s);
}

/* WHOLE and the three PARTIAL kinds over one shared memory block. */
static void check_registered_kinds(TEEC_Session *s, TEEC_SharedMemory *shm)
{
	TEEC_Operation op;
	uint8_t *b = shm->buffer, ref[4096];
	uint32_t origin, acc = 0;
	size_t i;

	test_fill_pattern(b, 4096, 3);
	memcpy(ref, b, sizeof(ref));
	/* WHOLE (INOUT block): every byte inverted. */
	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE, TEEC_NONE,
					 TEEC_NONE, TEEC_NONE);
	op.params[0].memref.parent = shm;
	CHECK_EQ(TEEC_InvokeCommand(s, DBL_CMD_PARAMS, &op, &origin), 0);
	for (i = 0; i < 4096; i++)
		if ((b[i] ^ ref[i]) != 0xff)
			break;
	CHECK_EQ(i, 4096);
	CHECK_EQ(op.params[0].memref.size, 4096);
	memcpy(ref, b, sizeof(ref));
	/* PARTIAL_INPUT [100, 164), PARTIAL_OUTPUT [1000, 1100),
	 * PARTIAL_INOUT [2000, 2010). */
	for (i = 100; i < 164; i++)
		acc += ref[i];
	for (i = 2000; i < 2010; i++)
		acc += ref[i];
	acc += 64 + 10;
	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(
	    TEEC_MEMREF_PARTIAL_INPUT, TEEC_MEMREF_PARTIAL_OUTPUT,
	    TEEC_MEMREF_PARTIAL_INOUT, TEEC_VALUE_OUTPUT);
	op.params[0].memref.parent = shm;
	op.params[0].memref.offset = 100;
	op.params[0].memref.size = 64;
	op.params[1].memref.parent = shm;
	op.params[1].memref.offset = 1000;
	op.params[1].memref.size = 100;
	op.params[2].memref.parent = shm;
	op.params[2].memref.offset = 2000;
	op.params[2].memref.size = 10;
	CHECK_EQ(TEEC_InvokeCommand(s, DBL_CMD_PARAMS, &op, &origin), 0);
	CHECK_EQ(op.params[3].value.b, acc);
	for (i = 0; i < 4096; i++) {
		uint8_t want = ref[i];

		if (i >= 1000 && i < 1100)
			want = 0xA1;
		else if (i >= 2000 && i < 2010)
			want = (uint8_t)(0xff ^ ref[i]);
		if (b[i] != want)
			break;
	}
	CHECK_EQ(i, 4096);
	/* SHORT_BUFFER through a partial memref. */
	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(
	    TEEC_MEMREF_PARTIAL_OUTPUT, TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE);
	op.params[0].memref.parent = shm;
	op.params[0].memref.offset = 4000;
	op.params[0].memref.size = 50;
	op.params[1].value.a = 80;
	CHECK_EQ(TEEC_InvokeCommand(s, DBL_CMD_SHORT, &op, &origin),
		 TEEC_ERROR_SHORT_BUFFER);
	CHECK_EQ(op.params[0].memref.size, 80);
}

static void test_allocated_shm_every_kind(void)
{
	TEEC_Context ctx;
	TEEC_Session s;
	TEEC_SharedMemory shm;

	REQUIRE(client_open(&ctx, &s, &echo_uuid));
	memset(&shm, 0, sizeof(shm));
	shm.size = 4096;
	shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
	REQUIRE(TEEC_AllocateSharedMemory(&ctx, &shm) == TEEC_SUCCESS);
	CHECK(shm.buffer != NULL);
	CHECK(shm.imp.shadow_buffer == NULL);
	check_registered_kinds(&s, &shm);
	TEEC_ReleaseSharedMemory(&shm);
	CHECK(shm.buffer == NULL);
	client_close(&ctx, &s);
}

static void test_registered_shm_every_kind(void)
{
	TEEC_Context ctx;
	TEEC_Session s;
	TEEC_SharedMemory shm;
	static uint8_t mem[4096];

	REQUIRE(client_open(&ctx, &s, &echo_uuid));
	memset(&shm, 0, sizeof(shm));
	shm.buffer = mem;
	shm.size = sizeof(mem);
	shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
	REQUIRE(TEEC_RegisterSharedMemory(&ctx, &shm) == TEEC_SUCCESS);
	check_registered_kinds(&s, &shm);
	TEEC_ReleaseSharedMemory(&shm);
	client_close(&ctx, &s);
}

struct wait_byte_arg {
	TEEC_Session *s;
	TEEC_SharedMemory *shm;
	TEEC_Result res;
};

static void *wait_byte_thread(void *p)
{
	struct wait_byte_arg *a = p;
	TEEC_Operation op;
	uint32_t origin;

	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE, TEEC_NONE,
					 TEEC_NONE, TEEC_NONE);
	op.params[0].memref.parent = a->shm;
	a->res = TEEC_InvokeCommand(a->s, DBL_CMD_WAIT_BYTE, &op, &origin);
	return NULL;
}

/* The TA sees a write the client makes while the call is in flight. */
static void test_allocated_shm_is_shared_live(void)
{
	TEEC_Context ctx;
	TEEC_Session s;
	TEEC_SharedMemory shm;
	struct wait_byte_arg a;
	pthread_t t;
	volatile uint8_t *b;

	REQUIRE(client_open(&ctx, &s, &echo_uuid));
	memset(&shm, 0, sizeof(shm));
	shm.size = 64;
	shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
	REQUIRE(TEEC_AllocateSharedMemory(&ctx, &shm) == TEEC_SUCCESS);
	b = shm.buffer;
	a.s = &s;
	a.shm = &shm;
	a.res = 1;
	REQUIRE(pthread_create(&t, NULL, wait_byte_thread, &a) == 0);
	usleep(50000);
	b[0] = 1;
	/* And the TA's answer is visible before the call returns. */
	while (b[1] != 0x55)
		usleep(500);
	pthread_join(t, NULL);
	CHECK_EQ(a.res, TEEC_SUCCESS);
	TEEC_ReleaseSharedMemory(&shm);
	client_close(&ctx, &s);
}

static void test_memref_bad_params(void)
{
	TEEC_Context ctx, ctx2;
	TEEC_Session s;
	TEEC_SharedMemory in_only, other;
	TEEC_Operation op;
	uint32_t origin;

	REQUIRE(client_open(&ctx, &s, &echo_uuid));
	REQUIRE(TEEC_InitializeContext(NULL, &ctx2) == TEEC_SUCCESS);
	memset(&in_only, 0, sizeof(in_only));
	in_only.size = 100;
	in_only.flags = TEEC_MEM_INPUT;
	REQUIRE(TEEC_AllocateSharedMemory(&ctx, &in_only) == 0);
	memset(&other, 0, sizeof(other));
	other.size = 100;
	other.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
	REQUIRE(TEEC_AllocateSharedMemory(&ctx2, &other) == 0);
	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INPUT, TEEC_NONE,
					 TEEC_NONE, TEEC_NONE);
	op.params[0].memref.parent = &in_only;
	op.params[0].memref.offset = 90;
	op.params[0].memref.size = 11; /* past the end */
	CHECK_EQ(TEEC_InvokeCommand(&s, DBL_CMD_PARAMS, &op, &origin),
		 TEEC_ERROR_BAD_PARAMETERS);
	CHECK_EQ(origin, TEEC_ORIGIN_API);
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_OUTPUT, TEEC_NONE,
					 TEEC_NONE, TEEC_NONE);
	op.params[0].memref.size = 10; /* direction the block lacks */
	CHECK_EQ(TEEC_InvokeCommand(&s, DBL_CMD_PARAMS, &op, &origin),
		 TEEC_ERROR_BAD_PARAMETERS);
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE, TEEC_NONE,
					 TEEC_NONE, TEEC_NONE);
	op.params[0].memref.parent = &other; /* another context's block */
	CHECK_EQ(TEEC_InvokeCommand(&s, DBL_CMD_PARAMS, &op, &origin),
		 TEEC_ERROR_BAD_PARAMETERS);
	op.paramTypes = 4; /* no such type */
	CHECK_EQ(TEEC_InvokeCommand(&s, DBL_CMD_PARAMS, &op, &origin),
		 TEEC_ERROR_BAD_PARAMETERS);
	CHECK_EQ(origin, TEEC_ORIGIN_API);
	TEEC_ReleaseSharedMemory(&in_only);
	TEEC_ReleaseSharedMemory(&other);
	TEEC_FinalizeContext(&ctx2);
	client_close(&ctx, &s);
}

static void test_target_dead_origin(void)
{
	TEEC_Context ctx;
	TEEC_Session s;
	uint32_t origin = 0;

	REQUIRE(client_open(&ctx, &s, &echo_uuid));
	CHECK_EQ(TEEC_InvokeCommand(&s, DBL_CMD_DEAD, NULL, &origin),
		 TEEC_ERROR_TARGET_DEAD);
	CHECK_EQ(origin, TEEC_ORIGIN_TEE);
	CHECK_EQ(TEEC_InvokeCommand(&s, 0x777, NULL, &origin),
		 TEEC_ERROR_NOT_SUPPORTED);
	CHECK_EQ(origin, TEEC_ORIGIN_TRUSTED_APP);
	client_close(&ctx, &s);
}

static void test_session_copied_by_value(void)
{
	TEEC_Context ctx;
	TEEC_Session s, copy;
	TEEC_Operation op;
	uint32_t origin;

	REQUIRE(client_open(&ctx, &s, &echo_uuid));
	memcpy(&copy, &s, sizeof(s));
	memset(&s, 0xAB, sizeof(s)); /* the original is gone */
	memset(&op, 0, sizeof(op));
	op.paramTypes =
	    TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
	CHECK_EQ(TEEC_InvokeCommand(&copy, DBL_CMD_PARAMS, &op, &origin), 0);
	CHECK_EQ(op.params[0].value.a, 1);
	client_close(&ctx, &copy);
}

struct thread_arg {
	TEEC_Context *ctx;
	TEEC_Session shared;
	unsigned failures;
	unsigned seed;
};

static void *invoke_thread(void *p)
{
	struct thread_arg *a = p;
	TEEC_Session own, use;
	TEEC_Operation op;
	uint8_t buf[64];
	uint32_t origin;
	unsigned i;

	if (TEEC_OpenSession(a->ctx, &own, &echo_uuid, TEEC_LOGIN_PUBLIC, NULL,
			     NULL, &origin)) {
		a->failures++;
		return NULL;
	}
	for (i = 0; i < 150; i++) {
		use = i & 1 ? own : a->shared; /* copies by value, too */
		memset(&op, 0, sizeof(op));
		op.paramTypes =
		    TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_MEMREF_TEMP_INOUT,
				     TEEC_NONE, TEEC_NONE);
		op.params[0].value.a = a->seed + i;
		memset(buf, (int)i, sizeof(buf));
		op.params[1].tmpref.buffer = buf;
		op.params[1].tmpref.size = sizeof(buf);
		if (TEEC_InvokeCommand(&use, DBL_CMD_PARAMS, &op, &origin) ||
		    op.params[0].value.a != a->seed + i + 1 ||
		    buf[63] != (uint8_t)(0xff ^ i))
			a->failures++;
	}
	TEEC_CloseSession(&own);
	return NULL;
}

static void test_many_threads_one_context(void)
{
	TEEC_Context ctx;
	TEEC_Session shared;
	struct thread_arg args[8];
	pthread_t t[8];
	unsigned i, fails = 0;

	REQUIRE(client_open(&ctx, &shared, &echo_uuid));
	for (i = 0; i < 8; i++) {
		args[i].ctx = &ctx;
		args[i].shared = shared;
		args[i].failures = 0;
		args[i].seed = i * 100000;
		REQUIRE(pthread_create(&t[i], NULL, invoke_thread, &args[i]) ==
			0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		fails += args[i].failures;
	}
	CHECK_EQ(fails, 0);
	client_close(&ctx, &shared);
}

static void test_many_clients(void)
{
	pid_t pids[6];
	int i, st, ok = 0;

	for (i = 0; i < 6; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			TEEC_Context ctx;
			struct thread_arg a = {&ctx, {{NULL, 0}}, 0, 7};

			if (!client_open(&ctx, &a.shared, &echo_uuid))
				_exit(2);
			invoke_thread(&a);
			client_close(&ctx, &a.shared);
			_exit(a.failures ? 1 : 0);
		}
	}
	for (i = 0; i < 6; i++)
		if (pids[i] > 0 && waitpid(pids[i], &st, 0) == pids[i] &&
		    WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
	CHECK_EQ(ok, 6);
}

/* An operation of 8 s (the double's wait) to cancel from another thread:
 * an INVOKE on s, or (s NULL) an OPEN_SESSION on ctx. */
struct cancel_arg {
	TEEC_Context *ctx;
	TEEC_Session *s;
	TEEC_Session opened;
	TEEC_Operation op;
	TEEC_Result res;
	uint32_t origin;
};

static void *cancel_thread(void *p)
{
	struct cancel_arg *a = p;

	if (a->s)
		a->res = TEEC_InvokeCommand(a->s, DBL_CMD_WAIT_CANCEL, &a->op,
					    &a->origin);
	else
		a->res = TEEC_OpenSession(a->ctx, &a->opened, &echo_uuid,
					  TEEC_LOGIN_PUBLIC, NULL, &a->op,
					  &a->origin);
	return NULL;
}

/* Starts a's operation, cancels it 100 ms later: the TA saw it. */
static void check_cancelled(struct cancel_arg *a, uint32_t b)
{
	double took;

	client_value_op(&a->op, 8000);
	a->op.params[0].value.b = b;
	took = client_cancel_after(cancel_thread, a, &a->op, 100000);
	REQUIRE(took >= 0);
	CHECK_EQ(a->res, TEEC_ERROR_CANCEL);
	CHECK_EQ(a->origin, TEEC_ORIGIN_TRUSTED_APP);
	CHECK(took < 4.0);
}

static void test_cancellation_reaches_ta(void)
{
	TEEC_Context ctx;
	TEEC_Session s;
	struct cancel_arg a;

	REQUIRE(client_open(&ctx, &s, &echo_uuid));
	memset(&a, 0, sizeof(a));
	a.s = &s;
	check_cancelled(&a, 0);
	/* Cancelling an operation not in flight is harmless. */
	TEEC_RequestCancellation(&a.op);
	client_close(&ctx, &s);
}

/* GP: TEEC_RequestCancellation also reaches a TEEC_OpenSession in flight
 * (the TA's open entry point sees its cancellation flag). */
static void test_cancellation_reaches_open(void)
{
	TEEC_Context ctx;
	struct cancel_arg a;

	REQUIRE(TEEC_InitializeContext(NULL, &ctx) == TEEC_SUCCESS);
	memset(&a, 0, sizeof(a));
	a.ctx = &ctx;
	check_cancelled(&a, DBL_OPEN_WAIT);
	TEEC_FinalizeContext(&ctx);
}

static bool wait_stats(TEEC_Session *s, uint32_t sessions, uint32_t shms)
{
	uint32_t st[4];
	int i;

	for (i = 0; i < 300; i++) {
		stats(s, st);
		if (st[0] == sessions && st[2] == shms && st[1] == 1)
			return true;
		usleep(10000);
	}
	fprintf(stderr, "stats: sessions %u clients %u shm %u\n", st[0], st[1],
		st[2]);
	return false;
}

static void test_client_killed_mid_call(void)
{
	TEEC_Context ctx;
	TEEC_Session s;
	pid_t pid;

	REQUIRE(client_open(&ctx, &s, &echo_uuid));
	CHECK(wait_stats(&s, 1, 0));
	pid = fork();
	if (pid == 0) {
		TEEC_Context c2;
		TEEC_Session s2, s3;
		TEEC_SharedMemory shm;
		TEEC_Operation op;

		if (!client_open(&c2, &s2, &echo_uuid) ||
		    TEEC_OpenSession(&c2, &s3, &echo_uuid, 0, NULL, NULL, NULL))
			_exit(1);
		memset(&shm, 0, sizeof(shm));
		shm.size = 1 << 20;
		shm.flags = TEEC_MEM_INPUT;
		if (TEEC_AllocateSharedMemory(&c2, &shm))
			_exit(1);
		client_value_op(&op, 30000);
		TEEC_InvokeCommand(&s2, DBL_CMD_WAIT_CANCEL, &op, NULL);
		_exit(3);
	}
	REQUIRE(pid > 0);
	CHECK(client_kill_after(pid, 300000));
	/* Its two sessions and its shared memory are gone, teed is fine. */
	CHECK(wait_stats(&s, 1, 0));
	CHECK(teed_proc_alive(&teed));
	client_close(&ctx, &s);
}

static void test_shm_release_frees(void)
{
	TEEC_Context ctx;
	TEEC_Session s;
	TEEC_SharedMemory a, b;
	static uint8_t mem[100];
	uint32_t st[4];

	REQUIRE(client_open(&ctx, &s, &echo_uuid));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.size = 0; /* zero-size blocks are valid */
	a.flags = TEEC_MEM_INPUT;
	b.buffer = mem;
	b.size = sizeof(mem);
	b.flags = TEEC_MEM_OUTPUT;
	REQUIRE(TEEC_AllocateSharedMemory(&ctx, &a) == 0);
	REQUIRE(TEEC_RegisterSharedMemory(&ctx, &b) == 0);
	stats(&s, st);
	CHECK_EQ(st[2], 2);
	TEEC_ReleaseSharedMemory(&a);
	TEEC_ReleaseSharedMemory(&b);
	stats(&s, st);
	CHECK_EQ(st[2], 0);
	/* Bad flags are refused by the API. */
	a.flags = 0x100;
	CHECK_EQ(TEEC_AllocateSharedMemory(&ctx, &a),
		 TEEC_ERROR_BAD_PARAMETERS);
	client_close(&ctx, &s);
}

static void identity(TEEC_Context *ctx, uint32_t method, const void *data,
		     TEEC_Result *res, uint32_t v[4], uint8_t uuid[16])
{
	TEEC_Session s;
	TEEC_Operation op;
	uint32_t origin;

	*res =
	    TEEC_OpenSession(ctx, &s, &echo_uuid, method, data, NULL, &origin);
	if (*res)
		return;
	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_VALUE_OUTPUT,
					 TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE);
	op.params[2].tmpref.buffer = uuid;
	op.params[2].tmpref.size = 16;
	*res = TEEC_InvokeCommand(&s, DBL_CMD_IDENTITY, &op, &origin);
	v[0] = op.params[0].value.a;
	v[1] = op.params[0].value.b;
	v[2] = op.params[1].value.a;
	v[3] = op.params[1].value.b;
	TEEC_CloseSession(&s);
}

static void expect_uuid(const uint8_t got[16], const char *name)
{
	TEE_UUID u;
	uint8_t want[16];

	drv_client_uuid(name, strlen(name), &u);
	put_be32(want, u.timeLow);
	put_be16(want + 4, u.timeMid);
	put_be16(want + 6, u.timeHiAndVersion);
	memcpy(want + 8, u.clockSeqAndNode, 8);
	CHECK_MEM(got, want, 16);
}

static void test_login_identity_from_credentials(void)
{
	TEEC_Context ctx;
	TEEC_Result res;
	uint32_t v[4], gid = (uint32_t)getgid(), bad = 0x7ffffff0;
	uint8_t uuid[16], zero[16] = {0};
	char name[4200], exe[4096];
	ssize_t n;

	REQUIRE(TEEC_InitializeContext(NULL, &ctx) == TEEC_SUCCESS);
	identity(&ctx, TEEC_LOGIN_PUBLIC, NULL, &res, v, uuid);
	CHECK_EQ(res, 0);
	CHECK_EQ(v[0], TEEC_LOGIN_PUBLIC);
	CHECK_EQ(v[1], getuid());
	CHECK_EQ(v[3], getpid());
	CHECK_MEM(uuid, zero, 16);
	identity(&ctx, TEEC_LOGIN_USER, NULL, &res, v, uuid);
	CHECK_EQ(res, 0);
	CHECK_EQ(v[0], TEEC_LOGIN_USER);
	snprintf(name, sizeof(name), "uid=%x", (unsigned)geteuid());
	expect_uuid(uuid, name);
	identity(&ctx, TEEC_LOGIN_GROUP, &gid, &res, v, uuid);
	CHECK_EQ(res, 0);
	snprintf(name, sizeof(name), "gid=%x", (unsigned)gid);
	expect_uuid(uuid, name);
	/* A group the caller is not in: the client's word is not enough. */
	identity(&ctx, TEEC_LOGIN_GROUP, &bad, &res, v, uuid);
	CHECK_EQ(res, TEEC_ERROR_ACCESS_DENIED);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	REQUIRE(n > 0);
	exe[n] = 0;
	identity(&ctx, TEEC_LOGIN_APPLICATION, NULL, &res, v, uuid);
	CHECK_EQ(res, 0);
	snprintf(name, sizeof(name), "app=%s", exe);
	expect_uuid(uuid, name);
	identity(&ctx, TEEC_LOGIN_USER_APPLICATION, NULL, &res, v, uuid);
	CHECK_EQ(res, 0);
	snprintf(name, sizeof(name), "uid=%x:app=%s", (unsigned)geteuid(), exe);
	expect_uuid(uuid, name);
	identity(&ctx, 3, NULL, &res, v, uuid); /* no such method */
	CHECK_EQ(res, TEEC_ERROR_BAD_PARAMETERS);
	TEEC_FinalizeContext(&ctx);
}

static void test_limits_clear_errors(void)
{
	static const char *const lim[] = {"--max-sessions",
					  "2",
					  "--max-shm-call",
					  "65536",
					  "--max-shm-client",
					  "262144",
					  "--max-clients",
					  "2",
					  NULL};
	struct teed_proc t2;
	TEEC_Context ctx, c2, c3;
	TEEC_Session s[3];
	TEEC_SharedMemory a, b;
	TEEC_Operation op;
	static uint8_t big[70000];
	uint32_t origin;
	int i;

	REQUIRE(teed_proc_start(&t2, teed_path, "client-limits", lim) == 0);
	REQUIRE(TEEC_InitializeContext(t2.socket, &ctx) == TEEC_SUCCESS);
	CHECK_EQ(
	    TEEC_OpenSession(&ctx, &s[0], &echo_uuid, 0, NULL, NULL, &origin),
	    0);
	CHECK_EQ(
	    TEEC_OpenSession(&ctx, &s[1], &echo_uuid, 0, NULL, NULL, &origin),
	    0);
	CHECK_EQ(
	    TEEC_OpenSession(&ctx, &s[2], &echo_uuid, 0, NULL, NULL, &origin),
	    TEEC_ERROR_BUSY);
	CHECK_EQ(origin, TEEC_ORIGIN_TEE);
	TEEC_CloseSession(&s[1]);
	CHECK_EQ(
	    TEEC_OpenSession(&ctx, &s[1], &echo_uuid, 0, NULL, NULL, &origin),
	    0);
	/* Per call: two tmprefs of 35000 exceed 65536 together. */
	memset(&op, 0, sizeof(op));
	op.paramTypes =
	    TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_INPUT,
			     TEEC_NONE, TEEC_NONE);
	op.params[0].tmpref.buffer = big;
	op.params[0].tmpref.size = 35000;
	op.params[1].tmpref.buffer = big;
	op.params[1].tmpref.size = 35000;
	CHECK_EQ(TEEC_InvokeCommand(&s[0], DBL_CMD_PARAMS, &op, &origin),
		 TEEC_ERROR_EXCESS_DATA);
	CHECK_EQ(origin, TEEC_ORIGIN_TEE);
	op.params[1].tmpref.size = 30000;
	CHECK_EQ(TEEC_InvokeCommand(&s[0], DBL_CMD_PARAMS, &op, &origin), 0);
	/* Per client: 200000 + 100000 > 262144. */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.size = 200000;
	b.size = 100000;
	a.flags = b.flags = TEEC_MEM_INPUT;
	CHECK_EQ(TEEC_AllocateSharedMemory(&ctx, &a), 0);
	CHECK_EQ(TEEC_AllocateSharedMemory(&ctx, &b), TEEC_ERROR_OUT_OF_MEMORY);
	TEEC_ReleaseSharedMemory(&a);
	CHECK_EQ(TEEC_AllocateSharedMemory(&ctx, &b), 0);
	TEEC_ReleaseSharedMemory(&b);
	/*
	 * Clients: a third connection is refused while two are open. The
	 * readiness probe of teed_proc_start counts until teed has seen it
	 * close, so the second client may need a moment.
	 */
	for (i = 0; i < 100; i++) {
		if (TEEC_InitializeContext(t2.socket, &c2) == TEEC_SUCCESS)
			break;
		usleep(10000);
	}
	CHECK(i < 100);
	CHECK(TEEC_InitializeContext(t2.socket, &c3) != TEEC_SUCCESS);
	TEEC_FinalizeContext(&c2);
	usleep(100000); /* teed notices c2 is gone */
	CHECK_EQ(TEEC_InitializeContext(t2.socket, &c3), 0);
	TEEC_FinalizeContext(&c3);
	TEEC_CloseSession(&s[0]);
	TEEC_CloseSession(&s[1]);
	TEEC_FinalizeContext(&ctx);
	CHECK_EQ(teed_proc_stop(&t2), 0);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s TEED_DOUBLE\n", argv[0]);
		return 2;
	}
	teed_path = argv[1];
	if (client_teed_start(&teed, teed_path, "client-api", NULL))
		return 1;
	RUN(test_context_bad_path);
	RUN(test_context_name_is_path);
	RUN(test_open_origins);
	RUN(test_open_with_params);
	RUN(test_values_every_direction);
	RUN(test_tmpref_every_direction);
	RUN(test_tmpref_null_and_empty);
	RUN(test_short_buffer_roundtrip);
	RUN(test_allocated_shm_every_kind);
	RUN(test_registered_shm_every_kind);
	RUN(test_allocated_shm_is_shared_live);
	RUN(test_memref_bad_params);
	RUN(test_target_dead_origin);
	RUN(test_session_copied_by_value);
	RUN(test_many_threads_one_context);
	RUN(test_many_clients);
	RUN(test_cancellation_reaches_ta);
	RUN(test_cancellation_reaches_open);
	RUN(test_client_killed_mid_call);
	RUN(test_shm_release_frees);
	RUN(test_login_identity_from_credentials);
	RUN(test_limits_clear_errors);
	client_teed_stop(&teed);
	return test_report();
}
