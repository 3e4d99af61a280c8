/*
 * End to end with the real TA side: libteec -> teed -> sandboxed TA
 * processes running the test TAs of tests/ta/ (test_ta_ids.h). Hello
 * world through every parameter type, SHORT_BUFFER, shared memory of
 * every kind (allocated memory reaching the TA in place), panicking and
 * crashing TAs (TARGET_DEAD, origin TEE, then a fresh instance),
 * cancellation, a client killed mid-call, and the login seen by the TA.
 * Usage: test_client_ta TEED TA_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_fixture.h"
#include "test.h"
#include "test_ta_ids.h"

static struct teed_proc teed;
static const TEEC_UUID hello = TEST_TA_HELLO_UUID;

static TEEC_Result inc(TEEC_Session *s, uint32_t *v, uint32_t *origin)
{
	TEEC_Operation op;
	TEEC_Result res;

	memset(&op, 0, sizeof(op));
	op.paramTypes =
	    TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
	op.params[0].value.a = *v;
	res = TEEC_InvokeCommand(s, TEST_CMD_INC_VALUE, &op, origin);
	*v = op.params[0].value.a;
	return res;
}

static void test_hello_world_value(void)
{
	TEEC_Context ctx;
	TEEC_Session s;
	uint32_t v = 41, origin;

	REQUIRE(client_open(&ctx, &s, &hello));
	CHECK_EQ(inc(&s, &v, &origin), TEEC_SUCCESS);
	CHECK_EQ(v, 42);
	client_close(&ctx, &s);
}

/* ECHO from src (p0) to dst (p1) with the memref kinds given. */
static TEEC_Result echo(TEEC_Session *s, TEEC_Operation *op, uint32_t t0,
			uint32_t t1, uint32_t *origin)
{
	op->paramTypes = TEEC_PARAM_TYPES(t0, t1, TEEC_NONE, TEEC_NONE);
	return TEEC_InvokeCommand(s, TEST_CMD_ECHO, op, origin);
}

static void test_echo_tmpref_and_short_buffer(void)
{
	TEEC_Context ctx;
	TEEC_Session s;
	TEEC_Operation op;
	uint8_t in[1000], out[1000];
	uint32_t origin;

	REQUIRE(client_open(&ctx, &s, &hello));
	test_fill_pattern(in, sizeof(in), 9);
	memset(out, 0, sizeof(out));
	memset(&op, 0, sizeof(op));
	op.params[0].tmpref.buffer = in;
	op.params[0].tmpref.size = sizeof(in);
	op.params[1].tmpref.buffer = out;
	op.params[1].tmpref.size = 10;
	CHECK_EQ(echo(&s, &op, TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT,
		      &origin),
		 TEEC_ERROR_SHORT_BUFFER);
	CHECK_EQ(origin, TEEC_ORIGIN_TRUSTED_APP);
	CHECK_EQ(op.params[1].tmpref.size, sizeof(in));
	op.params[1].tmpref.size = sizeof(out);
	CHECK_EQ(echo(&s, &op, TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT,
		      &origin),
		 TEEC_SUCCESS);
	CHECK_EQ(op.params[1].tmpref.size, sizeof(in));
	CHECK_MEM(out, in, sizeof(in));
	/* A NULL output buffer learns the size too. */
	op.params[1].tmpref.buffer = NULL;
	op.params[1].tmpref.size = 0;
	CHECK_EQ(echo(&s, &op, TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT,
		      &origin),
		 TEEC_ERROR_SHORT_BUFFER);
	CHECK_EQ(op.params[1].tmpref.size, sizeof(in));
	client_close(&ctx, &s);
}

static void shm_init(TEEC_SharedMemory *shm, void *buf, size_t size,
		     uint32_t flags)
{
	memset(shm, 0, sizeof(*shm));
	shm->buffer = buf;
	shm->size = size;
	shm->flags = flags;
}

/*
 * ECHO needs p0 MEMREF_INPUT and p1 MEMREF_OUTPUT: a WHOLE memref takes
 * its direction from its block, so WHOLE uses one-way blocks here.
 */
static void test_echo_registered_and_allocated(void)
{
	TEEC_Context ctx;
	TEEC_Session s;
	TEEC_Operation op;
	TEEC_SharedMemory reg_in, reg_out, alloc, inout;
	static uint8_t in[4096], out[4096];
	uint8_t *a;
	uint32_t origin;

	REQUIRE(client_open(&ctx, &s, &hello));
	shm_init(&reg_in, in, sizeof(in), TEEC_MEM_INPUT);
	shm_init(&reg_out, out, sizeof(out), TEEC_MEM_OUTPUT);
	shm_init(&alloc, NULL, 4096, TEEC_MEM_INPUT | TEEC_MEM_OUTPUT);
	shm_init(&inout, NULL, 64, TEEC_MEM_INPUT | TEEC_MEM_OUTPUT);
	REQUIRE(TEEC_RegisterSharedMemory(&ctx, &reg_in) == 0);
	REQUIRE(TEEC_RegisterSharedMemory(&ctx, &reg_out) == 0);
	REQUIRE(TEEC_AllocateSharedMemory(&ctx, &alloc) == 0);
	REQUIRE(TEEC_AllocateSharedMemory(&ctx, &inout) == 0);
	a = alloc.buffer;
	test_fill_pattern(in, sizeof(in), 4);
	memset(a, 0, 4096);
	/* registered WHOLE (4096) -> allocated PARTIAL_OUTPUT of 4000. */
	memset(&op, 0, sizeof(op));
	op.params[0].memref.parent = &reg_in;
	op.params[1].memref.parent = &alloc;
	op.params[1].memref.offset = 96;
	op.params[1].memref.size = 4000;
	CHECK_EQ(echo(&s, &op, TEEC_MEMREF_WHOLE, TEEC_MEMREF_PARTIAL_OUTPUT,
		      &origin),
		 TEEC_ERROR_SHORT_BUFFER);
	CHECK_EQ(op.params[1].memref.size, 4096);
	/* registered PARTIAL_INPUT [100, 300) -> allocated PARTIAL_OUTPUT. */
	op.params[0].memref.offset = 100;
	op.params[0].memref.size = 200;
	op.params[1].memref.size = 4000;
	CHECK_EQ(echo(&s, &op, TEEC_MEMREF_PARTIAL_INPUT,
		      TEEC_MEMREF_PARTIAL_OUTPUT, &origin),
		 TEEC_SUCCESS);
	CHECK_EQ(op.params[1].memref.size, 200);
	CHECK_MEM(a + 96, in + 100, 200);
	CHECK_EQ(a[95], 0);
	/* allocated PARTIAL_INPUT [0, 3000) -> registered WHOLE (output). */
	test_fill_pattern(a, 4096, 5);
	memset(out, 0, sizeof(out));
	op.params[0].memref.parent = &alloc;
	op.params[0].memref.offset = 0;
	op.params[0].memref.size = 3000;
	op.params[1].memref.parent = &reg_out;
	CHECK_EQ(echo(&s, &op, TEEC_MEMREF_PARTIAL_INPUT, TEEC_MEMREF_WHOLE,
		      &origin),
		 TEEC_SUCCESS);
	CHECK_EQ(op.params[1].memref.size, 3000);
	CHECK_MEM(out, a, 3000);
	CHECK_EQ(out[3000], 0);
	/* WHOLE on an INOUT block is MEMREF_INOUT: ECHO refuses it. */
	op.params[0].memref.parent = &inout;
	CHECK_EQ(echo(&s, &op, TEEC_MEMREF_WHOLE, TEEC_MEMREF_WHOLE, &origin),
		 TEEC_ERROR_BAD_PARAMETERS);
	CHECK_EQ(origin, TEEC_ORIGIN_TRUSTED_APP);
	TEEC_ReleaseSharedMemory(&reg_in);
	TEEC_ReleaseSharedMemory(&reg_out);
	TEEC_ReleaseSharedMemory(&alloc);
	TEEC_ReleaseSharedMemory(&inout);
	client_close(&ctx, &s);
}

/* FILL writes in place: the client sees it in its own mapping. */
static void test_allocated_memory_filled_in_place(void)
{
	TEEC_Context ctx;
	TEEC_Session s;
	TEEC_Operation op;
	TEEC_SharedMemory shm;
	uint8_t *b;
	uint32_t origin, addr_a = 0;
	size_t i;

	REQUIRE(client_open(&ctx, &s, &hello));
	memset(&shm, 0, sizeof(shm));
	shm.size = 1 << 20;
	shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
	REQUIRE(TEEC_AllocateSharedMemory(&ctx, &shm) == 0);
	b = shm.buffer;
	for (i = 0; i < 3; i++) {
		memset(&op, 0, sizeof(op));
		op.paramTypes =
		    TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE, TEEC_VALUE_INPUT,
				     TEEC_VALUE_OUTPUT, TEEC_NONE);
		op.params[0].memref.parent = &shm;
		op.params[1].value.a = 0x30 + (uint32_t)i;
		CHECK_EQ(TEEC_InvokeCommand(&s, TEST_CMD_FILL, &op, &origin),
			 0);
		CHECK_EQ(b[0], 0x30 + i);
		CHECK_EQ(b[(1 << 20) - 1], 0x30 + i);
		/* The TA keeps the block mapped: same address each call. */
		if (i)
			CHECK_EQ(op.params[2].value.a, addr_a);
		addr_a = op.params[2].value.a;
	}
	TEEC_ReleaseSharedMemory(&shm);
	client_close(&ctx, &s);
}

/* FILL through a temporary INOUT memref and a partial INOUT one. */
static void test_fill_tmpref_and_partial_inout(void)
{
	TEEC_Context ctx;
	TEEC_Session s;
	TEEC_Operation op;
	TEEC_SharedMemory shm;
	uint8_t buf[300], *b;
	uint32_t origin;

	REQUIRE(client_open(&ctx, &s, &hello));
	memset(buf, 0, sizeof(buf));
	memset(&op, 0, sizeof(op));
	op.paramTypes =
	    TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INOUT, TEEC_VALUE_INPUT,
			     TEEC_VALUE_OUTPUT, TEEC_NONE);
	op.params[0].tmpref.buffer = buf + 100;
	op.params[0].tmpref.size = 100;
	op.params[1].value.a = 0x77;
	CHECK_EQ(TEEC_InvokeCommand(&s, TEST_CMD_FILL, &op, &origin), 0);
	CHECK_EQ(buf[99], 0);
	CHECK_EQ(buf[100], 0x77);
	CHECK_EQ(buf[199], 0x77);
	CHECK_EQ(buf[200], 0);
	memset(&shm, 0, sizeof(shm));
	shm.size = 300;
	shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
	REQUIRE(TEEC_AllocateSharedMemory(&ctx, &shm) == 0);
	b = shm.buffer;
	memset(b, 0, 300);
	op.paramTypes =
	    TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INOUT, TEEC_VALUE_INPUT,
			     TEEC_VALUE_OUTPUT, TEEC_NONE);
	op.params[0].memref.parent = &shm;
	op.params[0].memref.offset = 50;
	op.params[0].memref.size = 10;
	CHECK_EQ(TEEC_InvokeCommand(&s, TEST_CMD_FILL, &op, &origin), 0);
	CHECK_EQ(b[49], 0);
	CHECK_EQ(b[50], 0x77);
	CHECK_EQ(b[59], 0x77);
	CHECK_EQ(b[60], 0);
	TEEC_ReleaseSharedMemory(&shm);
	client_close(&ctx, &s);
}

static void test_panic_and_crash_are_target_dead(void)
{
	TEEC_Context ctx;
	TEEC_Session s;
	uint32_t origin = 0, v = 1;
	uint32_t cmds[2] = {TEST_CMD_PANIC, TEST_CMD_CRASH};
	int i;

	for (i = 0; i < 2; i++) {
		REQUIRE(client_open(&ctx, &s, &hello));
		CHECK_EQ(TEEC_InvokeCommand(&s, cmds[i], NULL, &origin),
			 TEEC_ERROR_TARGET_DEAD);
		CHECK_EQ(origin, TEEC_ORIGIN_TEE);
		/* The dead session stays dead... */
		CHECK_EQ(inc(&s, &v, &origin), TEEC_ERROR_TARGET_DEAD);
		TEEC_CloseSession(&s);
		/* ...and a new one starts a fresh instance. */
		REQUIRE(TEEC_OpenSession(&ctx, &s, &hello, 0, NULL, NULL,
					 &origin) == 0);
		v = 1;
		CHECK_EQ(inc(&s, &v, &origin), 0);
		CHECK_EQ(v, 2);
		client_close(&ctx, &s);
	}
}

struct cancel_arg {
	TEEC_Session *s;
	TEEC_Operation op;
	TEEC_Result res;
	uint32_t origin;
};

static void *cancel_thread(void *p)
{
	struct cancel_arg *a = p;

	a->res =
	    TEEC_InvokeCommand(a->s, TEST_CMD_CANCEL_FLAG, &a->op, &a->origin);
	return NULL;
}

static void test_cancellation_reaches_the_ta(void)
{
	TEEC_Context ctx;
	TEEC_Session s;
	struct cancel_arg a;
	double took;

	REQUIRE(client_open(&ctx, &s, &hello));
	memset(&a, 0, sizeof(a));
	a.s = &s;
	client_value_op(&a.op, 10000);
	took = client_cancel_after(cancel_thread, &a, &a.op, 200000);
	REQUIRE(took >= 0);
	CHECK_EQ(a.res, TEEC_ERROR_CANCEL);
	CHECK(took < 5);
	client_close(&ctx, &s);
}

static void test_client_killed_mid_call(void)
{
	TEEC_Context ctx;
	TEEC_Session s;
	uint32_t origin, v = 7;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		TEEC_Context c2;
		TEEC_Session s2;
		TEEC_Operation op;

		if (!client_open(&c2, &s2, &hello))
			_exit(1);
		client_value_op(&op, 30000);
		TEEC_InvokeCommand(&s2, TEST_CMD_CANCEL_FLAG, &op, NULL);
		_exit(3);
	}
	REQUIRE(pid > 0);
	CHECK(client_kill_after(pid, 400000));
	CHECK(teed_proc_alive(&teed));
	REQUIRE(client_open(&ctx, &s, &hello));
	CHECK_EQ(inc(&s, &v, &origin), 0);
	CHECK_EQ(v, 8);
	client_close(&ctx, &s);
}

static void test_login_reaches_the_ta(void)
{
	TEEC_Context ctx;
	TEEC_Session s;
	TEEC_Operation op;
	char api[64];
	uint32_t origin;

	REQUIRE(TEEC_InitializeContext(NULL, &ctx) == 0);
	REQUIRE(TEEC_OpenSession(&ctx, &s, &hello, TEEC_LOGIN_USER, NULL, NULL,
				 &origin) == 0);
	memset(&op, 0, sizeof(op));
	op.paramTypes =
	    TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_MEMREF_TEMP_OUTPUT,
			     TEEC_VALUE_OUTPUT, TEEC_VALUE_OUTPUT);
	op.params[1].tmpref.buffer = api;
	op.params[1].tmpref.size = sizeof(api);
	CHECK_EQ(TEEC_InvokeCommand(&s, TEST_CMD_PROPS, &op, &origin), 0);
	CHECK_EQ(op.params[2].value.a, TEEC_LOGIN_USER);
	client_close(&ctx, &s);
}

int main(int argc, char **argv)
{
	const char *extra[] = {"--ta-dir", NULL, NULL};

	if (argc != 3) {
		fprintf(stderr, "usage: %s TEED TA_DIR\n", argv[0]);
		return 2;
	}
	extra[1] = argv[2];
	if (client_teed_start(&teed, argv[1], "client-ta", extra))
		return 1;
	RUN(test_hello_world_value);
	RUN(test_echo_tmpref_and_short_buffer);
	RUN(test_echo_registered_and_allocated);
	RUN(test_allocated_memory_filled_in_place);
	RUN(test_fill_tmpref_and_partial_inout);
	RUN(test_panic_and_crash_are_target_dead);
	RUN(test_cancellation_reaches_the_ta);
	RUN(test_client_killed_mid_call);
	RUN(test_login_reaches_the_ta);
	client_teed_stop(&teed);
	return test_report();
}
