/*
 * teed's TA side driven directly through core/ta_iface.h (no daemon):
 * GP TA semantics, instance rules, deaths, limits, cancellation and the
 * sandbox, with the test TAs of include/test_ta_ids.h.
 * Usage: test_ta_side TA_BUILD_DIR (where the test .ta files are).
 */
#include <dirent.h>
#include <errno.h>
#include <sys/syscall.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ta_iface.h"
#include "test.h"
#include "test_shm.h"
#include "test_ta_ids.h"

static const TEE_UUID hello_uuid = TEST_TA_HELLO_UUID;
static const TEE_UUID single_uuid = TEST_TA_SINGLE_UUID;
static const TEE_UUID multi_uuid = TEST_TA_MULTI_UUID;
static const TEE_UUID keepalive_uuid = TEST_TA_KEEPALIVE_UUID;
static const TEE_UUID small_uuid = TEST_TA_SMALL_UUID;
static const TEE_UUID garbage_uuid = TEST_TA_UUID(0xf0);
static const TEE_UUID misnamed_uuid = TEST_TA_UUID(0xf1);
static const TEE_UUID missing_uuid = TEST_TA_UUID(0xf2);

static const struct ta_client_identity public_client = {
    .login = TEE_LOGIN_PUBLIC,
};

static void pval(struct ta_params *p, int i, uint32_t type, uint32_t a,
		 uint32_t b)
{
	p->p[i].type = type;
	p->p[i].u.value.a = a;
	p->p[i].u.value.b = b;
}

static void pmem(struct ta_params *p, int i, uint32_t type, struct tee_shm *shm,
		 uint64_t offs, uint64_t size)
{
	p->p[i].type = type;
	p->p[i].u.memref.shm = shm;
	p->p[i].u.memref.offs = offs;
	p->p[i].u.memref.size = size;
}

static struct ta_session *open_ta(const TEE_UUID *u)
{
	struct ta_params p = {0};
	struct ta_session *s = NULL;
	uint32_t origin;
	TEE_Result res = ta_open_session(u, &public_client, &p, &origin, &s);

	if (res)
		fprintf(stderr, "open session: 0x%08x origin %u\n", res,
			origin);
	return res ? NULL : s;
}

static TEE_Result call_value(struct ta_session *s, uint32_t cmd, uint32_t a,
			     uint32_t *out_a, uint32_t *origin)
{
	struct ta_params p = {0};
	TEE_Result res;

	pval(&p, 0, TEE_PARAM_TYPE_VALUE_INOUT, a, 0);
	if (cmd != TEST_CMD_INC_VALUE)
		p.p[0].type = cmd == TEST_CMD_COUNTER
				  ? TEE_PARAM_TYPE_VALUE_OUTPUT
				  : TEE_PARAM_TYPE_VALUE_INPUT;
	res = ta_invoke(s, cmd, &p, origin);
	if (out_a)
		*out_a = p.p[0].u.value.a;
	return res;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static void test_hello_inc_value(void)
{
	struct ta_session *s = open_ta(&hello_uuid);
	uint32_t v = 0, origin = 0;

	REQUIRE(s);
	CHECK_EQ(call_value(s, TEST_CMD_INC_VALUE, 42, &v, &origin), 0);
	CHECK_EQ(v, 43);
	CHECK_EQ(origin, TEE_ORIGIN_TRUSTED_APP);
	ta_close_session(s);
}

static void test_echo_short_buffer_and_partial(void)
{
	struct ta_session *s = open_ta(&hello_uuid);
	struct ta_params p = {0};
	struct tee_shm *in, *out;
	void *ia, *oa;
	uint32_t origin;

	REQUIRE(s);
	in = test_shm_new(64, &ia);
	out = test_shm_new(64, &oa);
	REQUIRE(in && out);
	memcpy((uint8_t *)ia + 8, "0123456789abcdef", 16);
	/* Partial input at offset 8; output too small: size needed back. */
	pmem(&p, 0, TEE_PARAM_TYPE_MEMREF_INPUT, in, 8, 16);
	pmem(&p, 1, TEE_PARAM_TYPE_MEMREF_OUTPUT, out, 4, 5);
	CHECK_EQ(ta_invoke(s, TEST_CMD_ECHO, &p, &origin),
		 TEE_ERROR_SHORT_BUFFER);
	CHECK_EQ(origin, TEE_ORIGIN_TRUSTED_APP);
	CHECK_EQ(p.p[1].u.memref.size, 16);
	/* A null output memref asks for the size the same way. */
	pmem(&p, 1, TEE_PARAM_TYPE_MEMREF_OUTPUT, NULL, 0, 0);
	CHECK_EQ(ta_invoke(s, TEST_CMD_ECHO, &p, &origin),
		 TEE_ERROR_SHORT_BUFFER);
	CHECK_EQ(p.p[1].u.memref.size, 16);
	pmem(&p, 1, TEE_PARAM_TYPE_MEMREF_OUTPUT, out, 4, 40);
	CHECK_EQ(ta_invoke(s, TEST_CMD_ECHO, &p, &origin), 0);
	CHECK_EQ(p.p[1].u.memref.size, 16);
	CHECK_MEM((uint8_t *)oa + 4, "0123456789abcdef", 16);
	/* A memref beyond its shared memory never reaches the TA. */
	pmem(&p, 1, TEE_PARAM_TYPE_MEMREF_OUTPUT, out, 60, 8);
	CHECK_EQ(ta_invoke(s, TEST_CMD_ECHO, &p, &origin),
		 TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(origin, TEE_ORIGIN_TEE);
	ta_close_session(s);
	test_shm_release(in, ia);
	test_shm_release(out, oa);
}

static void test_shm_zero_copy_and_cache(void)
{
	struct ta_session *s = open_ta(&multi_uuid);
	struct ta_params p = {0};
	struct tee_shm *shm;
	uint64_t addr1, addr2;
	unsigned live_before;
	uint8_t *a;
	uint32_t origin;
	size_t i, bad = 0;

	REQUIRE(s);
	live_before = test_shm_live();
	shm = test_shm_new(1 << 20, (void **)&a);
	REQUIRE(shm);
	pmem(&p, 0, TEE_PARAM_TYPE_MEMREF_INOUT, shm, 0, 1 << 20);
	pval(&p, 1, TEE_PARAM_TYPE_VALUE_INPUT, 0xa5, 0);
	pval(&p, 2, TEE_PARAM_TYPE_VALUE_OUTPUT, 0, 0);
	CHECK_EQ(ta_invoke(s, TEST_CMD_FILL, &p, &origin), 0);
	addr1 = p.p[2].u.value.a | (uint64_t)p.p[2].u.value.b << 32;
	/* The TA wrote into the very pages the client has mapped. */
	for (i = 0; i < (1 << 20); i++)
		bad += a[i] != 0xa5;
	CHECK_EQ(bad, 0);
	pval(&p, 1, TEE_PARAM_TYPE_VALUE_INPUT, 0x3c, 0);
	CHECK_EQ(ta_invoke(s, TEST_CMD_FILL, &p, &origin), 0);
	addr2 = p.p[2].u.value.a | (uint64_t)p.p[2].u.value.b << 32;
	CHECK_EQ(addr1, addr2); /* mapped once, reused */
	CHECK_EQ(a[12345], 0x3c);
	/* Released by the client: the instance lets go at its next call. */
	test_shm_release(shm, a);
	CHECK_EQ(test_shm_live(), live_before + 1);
	CHECK_EQ(call_value(s, TEST_CMD_COUNTER, 0, NULL, &origin), 0);
	CHECK_EQ(test_shm_live(), live_before);
	ta_close_session(s);
}

static void test_memory_access_rights(void)
{
	struct ta_session *s = open_ta(&hello_uuid);
	struct ta_params p = {0};
	struct tee_shm *shm;
	uint32_t origin;
	void *a;

	REQUIRE(s);
	shm = test_shm_new(4096, &a);
	REQUIRE(shm);
	pmem(&p, 0, TEE_PARAM_TYPE_MEMREF_INOUT, shm, 0, 4096);
	CHECK_EQ(ta_invoke(s, TEST_CMD_MEM_ACCESS, &p, &origin), 0);
	ta_close_session(s);
	test_shm_release(shm, a);
}

/* A call that kills the instance: TARGET_DEAD, and a fresh one next. */
static void check_death(const TEE_UUID *u, uint32_t cmd)
{
	struct ta_session *s = open_ta(u), *s2;
	uint32_t origin = 0, v = 0;

	REQUIRE(s);
	CHECK_EQ(call_value(s, cmd, 0, NULL, &origin), TEE_ERROR_TARGET_DEAD);
	CHECK_EQ(origin, TEE_ORIGIN_TEE);
	CHECK_EQ(call_value(s, TEST_CMD_INC_VALUE, 1, &v, &origin),
		 TEE_ERROR_TARGET_DEAD);
	CHECK_EQ(origin, TEE_ORIGIN_TEE);
	ta_close_session(s);
	s2 = open_ta(u);
	REQUIRE(s2);
	CHECK_EQ(call_value(s2, TEST_CMD_INC_VALUE, 1, &v, &origin), 0);
	CHECK_EQ(v, 2);
	ta_close_session(s2);
}

static void test_panic_kills_instance_only(void)
{
	struct ta_session *other = open_ta(&hello_uuid);
	uint32_t v = 0, origin;

	REQUIRE(other);
	check_death(&hello_uuid, TEST_CMD_PANIC);
	/* Another instance of the same TA is untouched. */
	CHECK_EQ(call_value(other, TEST_CMD_INC_VALUE, 7, &v, &origin), 0);
	CHECK_EQ(v, 8);
	ta_close_session(other);
}

static void test_crash_is_target_dead(void)
{
	check_death(&hello_uuid, TEST_CMD_CRASH);
}

static void test_heap_exhaustion_is_target_dead(void)
{
	check_death(&small_uuid, TEST_CMD_HEAP_EXHAUST);
}

static void test_panic_in_shared_instance(void)
{
	/* Both sessions of a shared instance see it die. */
	struct ta_session *a = open_ta(&multi_uuid), *b = open_ta(&multi_uuid);
	uint32_t origin, v;

	REQUIRE(a && b);
	CHECK_EQ(call_value(a, TEST_CMD_PANIC, 0, NULL, &origin),
		 TEE_ERROR_TARGET_DEAD);
	CHECK_EQ(call_value(b, TEST_CMD_COUNTER, 0, &v, &origin),
		 TEE_ERROR_TARGET_DEAD);
	ta_close_session(a);
	ta_close_session(b);
	a = open_ta(&multi_uuid);
	REQUIRE(a);
	CHECK_EQ(call_value(a, TEST_CMD_COUNTER, 0, &v, &origin), 0);
	CHECK_EQ(v, 1); /* a fresh instance */
	ta_close_session(a);
}

/*
 * A heap probe (cmd): nearly all of TA_DATA_SIZE, never more, and the
 * probe's other checks (value b) as expected.
 */
static void check_heap(const TEE_UUID *u, uint32_t cmd, uint32_t data_size,
		       uint32_t checks)
{
	struct ta_session *s = open_ta(u);
	struct ta_params p = {0};
	uint32_t origin;

	REQUIRE(s);
	pval(&p, 0, TEE_PARAM_TYPE_VALUE_OUTPUT, 0, 0);
	CHECK_EQ(ta_invoke(s, cmd, &p, &origin), 0);
	CHECK(p.p[0].u.value.a <= data_size);
	CHECK(p.p[0].u.value.a >= data_size * 3 / 4);
	CHECK_EQ(p.p[0].u.value.b, checks);
	ta_close_session(s);
}

static void test_heap_limited_to_data_size(void)
{
	/* b = 1: TEE_Malloc(0) != NULL */
	check_heap(&small_uuid, TEST_CMD_HEAP_PROBE, 16 * 1024, 1);
	check_heap(&hello_uuid, TEST_CMD_HEAP_PROBE, 64 * 1024, 1);
}

/* malloc in a TA takes the TA heap too, as OP-TEE's libutils gives it:
 * a TA that outgrows TA_DATA_SIZE fails here as on the device. b = 127:
 * every check of the TA's malloc_checks(), and allocations in an ELF
 * constructor. */
static void test_malloc_limited_to_data_size(void)
{
	check_heap(&small_uuid, TEST_CMD_MALLOC_PROBE, 16 * 1024, 127);
	check_heap(&hello_uuid, TEST_CMD_MALLOC_PROBE, 64 * 1024, 127);
}

static bool landlock_available(void)
{
	/* LANDLOCK_CREATE_RULESET_VERSION: the ABI version, or an error. */
	return syscall(SYS_landlock_create_ruleset, NULL, 0, 1U << 0) >= 1;
}

static void test_sandbox_denies_open_socket_fork(void)
{
	struct ta_session *s = open_ta(&hello_uuid);
	struct ta_params p = {0};
	uint32_t origin;

	REQUIRE(s);
	pval(&p, 0, TEE_PARAM_TYPE_VALUE_OUTPUT, 0, 0);
	pval(&p, 1, TEE_PARAM_TYPE_VALUE_OUTPUT, 0, 0);
	CHECK_EQ(ta_invoke(s, TEST_CMD_SANDBOX, &p, &origin), 0);
	CHECK_EQ(p.p[0].u.value.a, EPERM); /* open */
	CHECK_EQ(p.p[0].u.value.b, EPERM); /* socket */
	CHECK_EQ(p.p[1].u.value.a, EPERM); /* fork */
	/* The TA's constructor, run by dlopen before seccomp: Landlock
	 * already confined it to the .ta and the libraries. */
	if (landlock_available())
		CHECK_EQ(p.p[1].u.value.b, EACCES);
	else
		printf("note: no Landlock here: constructor open gave %u\n",
		       p.p[1].u.value.b);
	ta_close_session(s);
}

static void test_single_instance_busy(void)
{
	struct ta_session *a = open_ta(&single_uuid), *b = NULL;
	struct ta_params p = {0};
	uint32_t origin = 0;

	REQUIRE(a);
	CHECK_EQ(ta_open_session(&single_uuid, &public_client, &p, &origin, &b),
		 TEE_ERROR_BUSY);
	CHECK_EQ(origin, TEE_ORIGIN_TEE);
	CHECK(!b);
	ta_close_session(a);
	b = open_ta(&single_uuid);
	CHECK(b);
	if (b)
		ta_close_session(b);
}

static void test_instances_per_session(void)
{
	struct ta_session *a = open_ta(&hello_uuid), *b = open_ta(&hello_uuid);
	uint32_t va = 0, vb = 0, origin;

	REQUIRE(a && b);
	CHECK_EQ(call_value(a, TEST_CMD_COUNTER, 0, &va, &origin), 0);
	CHECK_EQ(call_value(b, TEST_CMD_COUNTER, 0, &vb, &origin), 0);
	CHECK_EQ(va, 1);
	CHECK_EQ(vb, 1);
	ta_close_session(a);
	ta_close_session(b);
}

struct excl_arg {
	struct ta_session *s;
	TEE_Result res;
};

static void *excl_thread(void *p)
{
	struct excl_arg *x = p;
	uint32_t origin;

	x->res = call_value(x->s, TEST_CMD_EXCLUSIVE, 150, NULL, &origin);
	return NULL;
}

static void test_multi_session_shared_and_queued(void)
{
	struct excl_arg x[3];
	pthread_t th[3];
	uint32_t v = 0, origin;
	uint64_t t0;
	int i;

	for (i = 0; i < 3; i++) {
		x[i].s = open_ta(&multi_uuid);
		REQUIRE(x[i].s);
	}
	for (i = 0; i < 3; i++) {
		CHECK_EQ(call_value(x[i].s, TEST_CMD_COUNTER, 0, &v, &origin),
			 0);
		CHECK_EQ(v, (uint32_t)i + 1); /* one instance for all */
	}
	t0 = now_ms();
	for (i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, excl_thread, &x[i]);
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 3; i++)
		CHECK_EQ(x[i].res, 0); /* never two calls inside at once */
	CHECK(now_ms() - t0 >= 450);
	for (i = 0; i < 3; i++)
		ta_close_session(x[i].s);
	/* Last session gone: the instance ended (no keep-alive). */
	x[0].s = open_ta(&multi_uuid);
	REQUIRE(x[0].s);
	CHECK_EQ(call_value(x[0].s, TEST_CMD_COUNTER, 0, &v, &origin), 0);
	CHECK_EQ(v, 1);
	ta_close_session(x[0].s);
}

static void test_keep_alive(void)
{
	struct ta_session *s = open_ta(&keepalive_uuid);
	uint32_t v = 0, origin;

	REQUIRE(s);
	CHECK_EQ(call_value(s, TEST_CMD_COUNTER, 0, &v, &origin), 0);
	CHECK_EQ(v, 1);
	ta_close_session(s);
	s = open_ta(&keepalive_uuid);
	REQUIRE(s);
	CHECK_EQ(call_value(s, TEST_CMD_COUNTER, 0, &v, &origin), 0);
	CHECK_EQ(v, 2); /* the same instance survived with no session */
	ta_close_session(s);
}

struct cancel_arg {
	struct ta_session *s;
	uint32_t cmd, ms;
	TEE_Result res;
	uint32_t origin;
};

static void *cancel_thread(void *p)
{
	struct cancel_arg *c = p;

	c->res = call_value(c->s, c->cmd, c->ms, NULL, &c->origin);
	return NULL;
}

static void check_cancel(uint32_t cmd, uint32_t ms)
{
	struct cancel_arg c = {.cmd = cmd, .ms = ms};
	pthread_t th;
	uint64_t t0;

	c.s = open_ta(&hello_uuid);
	REQUIRE(c.s);
	t0 = now_ms();
	pthread_create(&th, NULL, cancel_thread, &c);
	sleep_ms(100);
	ta_request_cancel(c.s);
	pthread_join(th, NULL);
	CHECK_EQ(c.res, TEE_ERROR_CANCEL);
	CHECK_EQ(c.origin, TEE_ORIGIN_TRUSTED_APP);
	CHECK(now_ms() - t0 < 4000);
	/* The next call is not cancelled. */
	CHECK_EQ(call_value(c.s, TEST_CMD_WAIT, 10, NULL, &c.origin), 0);
	ta_close_session(c.s);
}

/* A cancel during the TA's open entry point (ta_open_session_watched). */
struct open_cancel {
	pthread_mutex_t lock;
	struct ta_session *s; /* between started and ended */
	bool cancel_now;      /* cancel in started(): before the TA runs */
	bool cancel_late;     /* cancel in ended(): after the TA returned */
};

static void oc_started(void *arg, struct ta_session *s)
{
	struct open_cancel *oc = arg;

	pthread_mutex_lock(&oc->lock);
	oc->s = s;
	if (oc->cancel_now)
		ta_request_cancel(s);
	pthread_mutex_unlock(&oc->lock);
}

static void oc_ended(void *arg, struct ta_session *s)
{
	struct open_cancel *oc = arg;

	pthread_mutex_lock(&oc->lock);
	if (oc->cancel_late)
		ta_request_cancel(s);
	oc->s = NULL;
	pthread_mutex_unlock(&oc->lock);
}

static void *oc_canceller(void *arg)
{
	struct open_cancel *oc = arg;
	int i;

	for (i = 0; i < 400; i++) {
		sleep_ms(10);
		pthread_mutex_lock(&oc->lock);
		if (oc->s) {
			sleep_ms(50); /* well inside TEE_Wait */
			ta_request_cancel(oc->s);
			pthread_mutex_unlock(&oc->lock);
			return NULL;
		}
		pthread_mutex_unlock(&oc->lock);
	}
	return NULL;
}

static TEE_Result open_waiting(struct open_cancel *oc, uint32_t ms,
			       struct ta_session **s, uint32_t *origin)
{
	const struct ta_open_watch w = {oc_started, oc_ended, oc};
	struct ta_params p = {0};

	pval(&p, 0, TEE_PARAM_TYPE_VALUE_INPUT, TEST_OPEN_WAIT, ms);
	return ta_open_session_watched(&hello_uuid, &public_client, &p, origin,
				       s, &w);
}

static void test_cancel_open(void)
{
	struct open_cancel oc = {.lock = PTHREAD_MUTEX_INITIALIZER};
	struct ta_session *s = NULL;
	uint32_t origin;
	pthread_t th;
	uint64_t t0 = now_ms();

	/* While the TA's open entry point waits. */
	REQUIRE(pthread_create(&th, NULL, oc_canceller, &oc) == 0);
	CHECK_EQ(open_waiting(&oc, 8000, &s, &origin), TEE_ERROR_CANCEL);
	CHECK_EQ(origin, TEE_ORIGIN_TRUSTED_APP);
	CHECK(now_ms() - t0 < 4000);
	pthread_join(th, NULL);
	CHECK(s == NULL);
	/* Before the TA is called: the OPEN carries the cancellation. */
	oc.cancel_now = true;
	t0 = now_ms();
	CHECK_EQ(open_waiting(&oc, 8000, &s, &origin), TEE_ERROR_CANCEL);
	CHECK(now_ms() - t0 < 4000);
	/* A cancel that comes as the open ends does not outlive it: the
	 * session's first call is not cancelled. */
	oc.cancel_now = false;
	oc.cancel_late = true;
	CHECK_EQ(open_waiting(&oc, 10, &s, &origin), TEE_SUCCESS);
	REQUIRE(s);
	CHECK_EQ(call_value(s, TEST_CMD_WAIT, 10, NULL, &origin), 0);
	ta_close_session(s);
}

static void test_cancel_wait(void)
{
	check_cancel(TEST_CMD_WAIT, TEE_TIMEOUT_INFINITE);
}

static void test_cancel_flag(void)
{
	check_cancel(TEST_CMD_CANCEL_FLAG, 10000);
}

static void test_wait_times_out(void)
{
	struct ta_session *s = open_ta(&hello_uuid);
	uint32_t origin;
	uint64_t t0;

	REQUIRE(s);
	t0 = now_ms();
	CHECK_EQ(call_value(s, TEST_CMD_WAIT, 80, NULL, &origin), 0);
	CHECK(now_ms() - t0 >= 80);
	ta_close_session(s);
}

static void test_stack_size(void)
{
	struct ta_session *s = open_ta(&small_uuid);
	uint32_t origin;

	REQUIRE(s);
	/* Within TA_STACK_SIZE (16 KiB): fine. */
	CHECK_EQ(call_value(s, TEST_CMD_STACK, 12 * 1024, NULL, &origin), 0);
	/* Far beyond: the guard page ends the instance. */
	CHECK_EQ(call_value(s, TEST_CMD_STACK, 4 << 20, NULL, &origin),
		 TEE_ERROR_TARGET_DEAD);
	ta_close_session(s);
	s = open_ta(&hello_uuid);
	REQUIRE(s);
	/* hello has 64 KiB. */
	CHECK_EQ(call_value(s, TEST_CMD_STACK, 56 * 1024, NULL, &origin), 0);
	ta_close_session(s);
}

static void test_properties(void)
{
	struct ta_client_identity user = {.login = TEE_LOGIN_USER, .uid = 7};
	struct ta_params p = {0};
	struct ta_session *s = NULL;
	struct tee_shm *shm;
	uint32_t origin;
	char *a;

	REQUIRE(ta_open_session(&hello_uuid, &user, &p, &origin, &s) == 0);
	shm = test_shm_new(64, (void **)&a);
	REQUIRE(shm);
	pval(&p, 0, TEE_PARAM_TYPE_VALUE_OUTPUT, 0, 0);
	pmem(&p, 1, TEE_PARAM_TYPE_MEMREF_OUTPUT, shm, 0, 64);
	pval(&p, 2, TEE_PARAM_TYPE_VALUE_OUTPUT, 0, 0);
	pval(&p, 3, TEE_PARAM_TYPE_VALUE_OUTPUT, 0, 0);
	CHECK_EQ(ta_invoke(s, TEST_CMD_PROPS, &p, &origin), 0);
	CHECK_EQ(p.p[0].u.value.a, 64 * 1024);
	CHECK_EQ(p.p[0].u.value.b, 0);
	CHECK_EQ(p.p[1].u.memref.size, 6);
	CHECK(!strcmp(a, "1.3.1"));
	CHECK_EQ(p.p[2].u.value.a, TEE_LOGIN_USER);
	CHECK_EQ(p.p[2].u.value.b, 1);
	CHECK_EQ(p.p[3].u.value.a, 11); /* 10 standard + 1 extension */
	CHECK_EQ(p.p[3].u.value.b, 1);
	/* Too small for the string: SHORT_BUFFER with the size. */
	pmem(&p, 1, TEE_PARAM_TYPE_MEMREF_OUTPUT, shm, 0, 3);
	CHECK_EQ(ta_invoke(s, TEST_CMD_PROPS, &p, &origin),
		 TEE_ERROR_SHORT_BUFFER);
	CHECK_EQ(p.p[1].u.memref.size, 6);
	ta_close_session(s);
	test_shm_release(shm, a);
}

static void test_random_and_time(void)
{
	struct ta_session *s = open_ta(&hello_uuid);
	struct ta_params p = {0};
	struct tee_shm *shm;
	uint8_t *a, zero[32] = {0};
	uint32_t origin;
	time_t now = time(NULL);

	REQUIRE(s);
	shm = test_shm_new(32, (void **)&a);
	REQUIRE(shm);
	pmem(&p, 0, TEE_PARAM_TYPE_MEMREF_OUTPUT, shm, 0, 32);
	pval(&p, 1, TEE_PARAM_TYPE_VALUE_OUTPUT, 0, 0);
	CHECK_EQ(ta_invoke(s, TEST_CMD_RANDOM_TIME, &p, &origin), 0);
	CHECK(memcmp(a, zero, 32) != 0);
	CHECK(p.p[1].u.value.b + 5 >= (uint32_t)now &&
	      p.p[1].u.value.b <= (uint32_t)now + 5);
	ta_close_session(s);
	test_shm_release(shm, a);
}

static void test_open_errors(void)
{
	struct ta_params p = {0};
	struct ta_session *s = NULL;
	uint32_t origin = 0;

	CHECK_EQ(
	    ta_open_session(&missing_uuid, &public_client, &p, &origin, &s),
	    TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(origin, TEE_ORIGIN_TEE);
	CHECK_EQ(
	    ta_open_session(&garbage_uuid, &public_client, &p, &origin, &s),
	    TEE_ERROR_BAD_FORMAT);
	CHECK_EQ(origin, TEE_ORIGIN_TEE);
	CHECK_EQ(
	    ta_open_session(&misnamed_uuid, &public_client, &p, &origin, &s),
	    TEE_ERROR_BAD_FORMAT);
	/* The TA refuses the session itself. */
	pval(&p, 0, TEE_PARAM_TYPE_VALUE_INPUT, 0xbad, 0);
	CHECK_EQ(ta_open_session(&hello_uuid, &public_client, &p, &origin, &s),
		 TEE_ERROR_ACCESS_DENIED);
	CHECK_EQ(origin, TEE_ORIGIN_TRUSTED_APP);
	CHECK(!s);
}

static void *stress_thread(void *arg)
{
	unsigned *fails = arg;
	uint32_t v, origin;
	int i;

	for (i = 0; i < 3; i++) {
		const TEE_UUID *u = i % 2 ? &multi_uuid : &hello_uuid;
		struct ta_session *s = open_ta(u);

		if (!s || call_value(s, TEST_CMD_INC_VALUE, 5, &v, &origin) ||
		    v != 6)
			__atomic_add_fetch(fails, 1, __ATOMIC_RELAXED);
		if (s)
			ta_close_session(s);
	}
	return NULL;
}

static void test_concurrent_sessions(void)
{
	pthread_t th[6];
	unsigned fails = 0;
	int i;

	for (i = 0; i < 6; i++)
		pthread_create(&th[i], NULL, stress_thread, &fails);
	for (i = 0; i < 6; i++)
		pthread_join(th[i], NULL);
	CHECK_EQ(fails, 0);
}

static void test_no_zombies_after_shutdown(void)
{
	int st;

	ta_side_shutdown(); /* ends the keep-alive instance */
	errno = 0;
	CHECK_EQ(waitpid(-1, &st, WNOHANG), -1);
	CHECK_EQ(errno, ECHILD);
	CHECK_EQ(test_shm_live(), 0);
}

/* Copies the test TAs and two broken ones into a fresh TA directory. */
static const char *make_ta_dir(const char *build_dir)
{
	static const char *names[] = {
	    TEST_TA_HELLO_UUID_STR, TEST_TA_SINGLE_UUID_STR,
	    TEST_TA_MULTI_UUID_STR, TEST_TA_KEEPALIVE_UUID_STR,
	    TEST_TA_SMALL_UUID_STR,
	};
	const char *dir = test_tmpdir("ta_side");
	char cmd[4096];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(cmd, sizeof(cmd), "cp '%s/%s.ta' '%s/'", build_dir,
			 names[i], dir);
		if (system(cmd))
			return NULL;
	}
	snprintf(
	    cmd, sizeof(cmd),
	    "echo 'not an ELF' > '%s/5a7e00f0-7e57-4a11-8000-746573747461.ta'"
	    " && cp '%s/%s.ta' '%s/5a7e00f1-7e57-4a11-8000-746573747461.ta'",
	    dir, build_dir, TEST_TA_HELLO_UUID_STR, dir);
	return system(cmd) ? NULL : dir;
}

int main(int argc, char **argv)
{
	struct ta_config cfg = {.max_instances = 32};
	const char *dir;

	if (argc != 2 || !strcmp(argv[1], "--help")) {
		fprintf(argc == 2 ? stdout : stderr,
			"usage: test_ta_side TA_BUILD_DIR\n");
		return argc == 2 ? 0 : 2;
	}
	dir = make_ta_dir(argv[1]);
	if (!dir || (cfg.ta_dir = dir, ta_side_init(&cfg))) {
		fprintf(stderr, "test_ta_side: cannot set up the TA side\n");
		return 1;
	}
	RUN(test_hello_inc_value);
	RUN(test_echo_short_buffer_and_partial);
	RUN(test_shm_zero_copy_and_cache);
	RUN(test_memory_access_rights);
	RUN(test_panic_kills_instance_only);
	RUN(test_crash_is_target_dead);
	RUN(test_heap_exhaustion_is_target_dead);
	RUN(test_panic_in_shared_instance);
	RUN(test_heap_limited_to_data_size);
	RUN(test_malloc_limited_to_data_size);
	RUN(test_sandbox_denies_open_socket_fork);
	RUN(test_single_instance_busy);
	RUN(test_instances_per_session);
	RUN(test_multi_session_shared_and_queued);
	RUN(test_keep_alive);
	RUN(test_cancel_wait);
	RUN(test_cancel_open);
	RUN(test_cancel_flag);
	RUN(test_wait_times_out);
	RUN(test_stack_size);
	RUN(test_properties);
	RUN(test_random_and_time);
	RUN(test_open_errors);
	RUN(test_concurrent_sessions);
	RUN(test_no_zombies_after_shutdown);
	test_rmtree(dir);
	return test_report();
}
