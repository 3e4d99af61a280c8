/*
 * The test TA behind every variant of tests/ta/variants/: one command per
 * behaviour the TA side must get right (include/test_ta_ids.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <tee_internal_api.h>
#include <tee_internal_api_extensions.h>
#include <test_ta_ids.h>
#include <user_ta_header_defines.h>

static uint32_t counter;
static bool inside;

TEE_Result TA_CreateEntryPoint(void)
{
	DMSG("has been called");
	return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void)
{
	DMSG("has been called");
}

TEE_Result TA_OpenSessionEntryPoint(uint32_t paramTypes,
				    TEE_Param params[TEE_NUM_PARAMS],
				    void **sessionContext)
{
	(void)params;
	(void)sessionContext;
	if (paramTypes !=
		TEE_PARAM_TYPES(TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
				TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE) &&
	    TEE_PARAM_TYPE_GET(paramTypes, 0) != TEE_PARAM_TYPE_VALUE_INPUT)
		return TEE_ERROR_BAD_PARAMETERS;
	/* value.a == 0xbad in p0: refuse the session (origin TA). */
	if (TEE_PARAM_TYPE_GET(paramTypes, 0) == TEE_PARAM_TYPE_VALUE_INPUT &&
	    params[0].value.a == 0xbad)
		return TEE_ERROR_ACCESS_DENIED;
	TEE_UnmaskCancellation();
	if (TEE_PARAM_TYPE_GET(paramTypes, 0) == TEE_PARAM_TYPE_VALUE_INPUT &&
	    params[0].value.a == TEST_OPEN_WAIT)
		return TEE_Wait(params[0].value.b);
	return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *sessionContext)
{
	(void)sessionContext;
}

#define T(a, b, c, d)                                                          \
	TEE_PARAM_TYPES(TEE_PARAM_TYPE_##a, TEE_PARAM_TYPE_##b,                \
			TEE_PARAM_TYPE_##c, TEE_PARAM_TYPE_##d)

static TEE_Result echo(TEE_Param p[TEE_NUM_PARAMS])
{
	if (p[1].memref.size < p[0].memref.size) {
		p[1].memref.size = p[0].memref.size;
		return TEE_ERROR_SHORT_BUFFER;
	}
	TEE_MemMove(p[1].memref.buffer, p[0].memref.buffer, p[0].memref.size);
	p[1].memref.size = p[0].memref.size;
	return TEE_SUCCESS;
}

static TEE_Result fill(TEE_Param p[TEE_NUM_PARAMS])
{
	uintptr_t a = (uintptr_t)p[0].memref.buffer;

	TEE_MemFill(p[0].memref.buffer, p[1].value.a, p[0].memref.size);
	p[2].value.a = (uint32_t)a;
	p[2].value.b = (uint32_t)((uint64_t)a >> 32);
	return TEE_SUCCESS;
}

static TEE_Result heap_probe(TEE_Param p[TEE_NUM_PARAMS])
{
	void *blocks[1024];
	void *zero = TEE_Malloc(0, TEE_MALLOC_FILL_ZERO);
	size_t n = 0, i;

	while (n < 1024 && (blocks[n] = TEE_Malloc(1024, 0)))
		n++;
	p[0].value.a = (uint32_t)(n * 1024);
	p[0].value.b = zero != NULL;
	for (i = 0; i < n; i++)
		TEE_Free(blocks[i]);
	TEE_Free(zero);
	/* Everything freed must be reusable: one big block fits again. */
	zero = TEE_Malloc(n * 1024 / 2, 0);
	if (n && !zero)
		return TEE_ERROR_GENERIC;
	TEE_Free(zero);
	return TEE_SUCCESS;
}

/* Allocated by a constructor, while the .ta was being loaded: the heap is
 * set up before the TA's own constructors (ta_libc_heap.c). */
static void *ctor_malloc, *ctor_tee_malloc;

__attribute__((constructor)) static void ctor_alloc(void)
{
	ctor_malloc = malloc(64);
	ctor_tee_malloc = TEE_Malloc(64, TEE_MALLOC_FILL_ZERO);
}

/* The libc calls a TA may make, on the TA heap (TEST_CMD_MALLOC_PROBE). */
static uint32_t malloc_checks(void)
{
	/* volatile: the compiler would refuse the overflowing call */
	volatile size_t huge = SIZE_MAX / 2;
	uint32_t ok = 0;
	uint8_t *z = calloc(16, 4), *r = malloc(8);
	char *d = strdup("host heap");

	ok |= calloc(huge, 4) == NULL ? 1 : 0;
	if (z && !z[0] && !z[63])
		ok |= 2;
	if (r) {
		memcpy(r, "12345678", 8);
		r = realloc(r, 4000);
		if (r && !memcmp(r, "12345678", 8))
			ok |= 4;
	}
	if (d && !strcmp(d, "host heap")) {
		free(d); /* libc's memory: back to libc, no panic */
		ok |= 8;
	}
	free(z);
	TEE_Free(r); /* one heap: TEE_Free takes malloc's blocks */
	ok |= 16;
	r = reallocarray(NULL, 4, 2);
	if (r) {
		memcpy(r, "abcdefgh", 8);
		r = reallocarray(r, 100, 8);
		if (r && !memcmp(r, "abcdefgh", 8) &&
		    !reallocarray(r, huge, 4))
			ok |= 64;
		free(r);
	}
	return ok;
}

static TEE_Result malloc_probe(TEE_Param p[TEE_NUM_PARAMS])
{
	void *blocks[1024];
	size_t n = 0, i;
	uint32_t ctor_ok = ctor_malloc && ctor_tee_malloc ? 32 : 0;

	/* The constructor's blocks go first: the probe measures all. */
	free(ctor_malloc);
	TEE_Free(ctor_tee_malloc);
	ctor_malloc = ctor_tee_malloc = NULL;

	while (n < 1024 && (blocks[n] = malloc(1024)))
		n++;
	p[0].value.a = (uint32_t)(n * 1024);
	for (i = 0; i < n; i++)
		free(blocks[i]);
	p[0].value.b = malloc_checks() | ctor_ok;
	return TEE_SUCCESS;
}

static TEE_Result heap_exhaust(void)
{
	while (TEE_Malloc(4096, TEE_MALLOC_NO_FILL))
		;
	EMSG("heap exhausted");
	TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
}

/* What the TA's code could do while dlopen() ran it, before seccomp. */
static int ctor_open_errno = -1;

__attribute__((constructor)) static void ctor_probe(void)
{
	int fd = open("/etc/passwd", O_RDONLY);

	ctor_open_errno = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
}

static TEE_Result sandbox(TEE_Param p[TEE_NUM_PARAMS])
{
	int fd = open("/etc/hostname", O_RDONLY);
	pid_t pid;

	p[0].value.a = fd < 0 ? (uint32_t)errno : 0;
	if (fd >= 0)
		close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	p[0].value.b = fd < 0 ? (uint32_t)errno : 0;
	if (fd >= 0)
		close(fd);
	pid = fork();
	if (pid == 0)
		_exit(0);
	p[1].value.a = pid < 0 ? (uint32_t)errno : 0;
	if (pid > 0)
		waitpid(pid, NULL, 0);
	p[1].value.b = (uint32_t)ctor_open_errno;
	IMSG("open: %u, socket: %u, fork: %u", p[0].value.a, p[0].value.b,
	     p[1].value.a);
	return TEE_SUCCESS;
}

static TEE_Result cancel_flag(uint32_t ms)
{
	uint32_t waited;
	bool old = TEE_MaskCancellation();
	TEE_Result res = TEE_SUCCESS;

	for (waited = 0; waited < ms; waited += 10) {
		TEE_UnmaskCancellation();
		if (TEE_GetCancellationFlag()) {
			res = TEE_ERROR_CANCEL;
			break;
		}
		TEE_MaskCancellation();
		TEE_Wait(10); /* masked: not cut short */
	}
	if (!old)
		TEE_UnmaskCancellation();
	return res;
}

/* Uses about depth KiB of stack; volatile so nothing is optimised away. */
static uint32_t use_stack(uint32_t depth)
{
	volatile uint8_t frame[1024];

	frame[0] = (uint8_t)depth;
	frame[sizeof(frame) - 1] = (uint8_t)depth;
	if (depth <= 1)
		return frame[0];
	return use_stack(depth - 1) + frame[sizeof(frame) - 1];
}

static TEE_Result props(TEE_Param p[TEE_NUM_PARAMS])
{
	const TEE_UUID me = TA_UUID;
	TEE_PropSetHandle e;
	TEE_Identity id;
	TEE_UUID uuid;
	uint32_t v = 0, n = 0;
	bool single = false;
	TEE_Result res;

	if (TEE_GetPropertyAsU32(TEE_PROPSET_CURRENT_TA, "gpd.ta.dataSize",
				 &p[0].value.a) ||
	    TEE_GetPropertyAsBool(TEE_PROPSET_CURRENT_TA,
				  "gpd.ta.singleInstance", &single))
		return TEE_ERROR_GENERIC;
	p[0].value.b = single;
	res = TEE_GetPropertyAsString(TEE_PROPSET_TEE_IMPLEMENTATION,
				      "gpd.tee.apiversion", p[1].memref.buffer,
				      &p[1].memref.size);
	if (res)
		return res;
	if (TEE_GetPropertyAsIdentity(TEE_PROPSET_CURRENT_CLIENT,
				      "gpd.client.identity", &id) ||
	    TEE_GetPropertyAsUUID(TEE_PROPSET_CURRENT_TA, "gpd.ta.appID",
				  &uuid))
		return TEE_ERROR_GENERIC;
	p[2].value.a = id.login;
	p[2].value.b = !TEE_MemCompare(&uuid, &me, sizeof(me));
	if (TEE_AllocatePropertyEnumerator(&e))
		return TEE_ERROR_GENERIC;
	TEE_StartPropertyEnumerator(e, TEE_PROPSET_CURRENT_TA);
	do
		n++;
	while (!TEE_GetNextProperty(e));
	TEE_FreePropertyEnumerator(e);
	p[3].value.a = n;
	p[3].value.b = !TEE_GetPropertyAsU32(TEE_PROPSET_CURRENT_TA,
					     "test.ta.answer", &v) &&
		       v == 42;
	return TEE_SUCCESS;
}

static TEE_Result exclusive(uint32_t ms)
{
	TEE_Result res;

	if (inside)
		return TEE_ERROR_BAD_STATE;
	inside = true;
	res = TEE_Wait(ms);
	inside = false;
	return res;
}

static TEE_Result mem_access(TEE_Param p[TEE_NUM_PARAMS])
{
	const uint32_t rw = TEE_MEMORY_ACCESS_READ | TEE_MEMORY_ACCESS_WRITE;
	uint8_t local[64];
	void *heap = TEE_Malloc(64, 0);
	bool ok;

	ok = TEE_CheckMemoryAccessRights(rw, p[0].memref.buffer,
					 p[0].memref.size) ==
		 TEE_ERROR_ACCESS_DENIED &&
	     TEE_CheckMemoryAccessRights(rw | TEE_MEMORY_ACCESS_ANY_OWNER,
					 p[0].memref.buffer,
					 p[0].memref.size) == TEE_SUCCESS &&
	     heap && TEE_CheckMemoryAccessRights(rw, heap, 64) == TEE_SUCCESS &&
	     TEE_CheckMemoryAccessRights(rw, local, sizeof(local)) ==
		 TEE_SUCCESS &&
	     TEE_CheckMemoryAccessRights(TEE_MEMORY_ACCESS_WRITE,
					 (void *)(uintptr_t)mem_access,
					 16) == TEE_ERROR_ACCESS_DENIED;
	TEE_Free(heap);
	return ok ? TEE_SUCCESS : TEE_ERROR_GENERIC;
}

static TEE_Result random_time(TEE_Param p[TEE_NUM_PARAMS])
{
	TEE_Time sys, ree;

	TEE_GenerateRandom(p[0].memref.buffer, p[0].memref.size);
	TEE_GetSystemTime(&sys);
	TEE_GetREETime(&ree);
	p[1].value.a = sys.seconds;
	p[1].value.b = ree.seconds;
	return TEE_SUCCESS;
}

TEE_Result TA_InvokeCommandEntryPoint(void *sessionContext, uint32_t cmd,
				      uint32_t pt, TEE_Param p[TEE_NUM_PARAMS])
{
	(void)sessionContext;
	switch (cmd) {
	case TEST_CMD_INC_VALUE:
		if (pt != T(VALUE_INOUT, NONE, NONE, NONE))
			return TEE_ERROR_BAD_PARAMETERS;
		IMSG("Got value: %u from NW", p[0].value.a);
		p[0].value.a++;
		return TEE_SUCCESS;
	case TEST_CMD_ECHO:
		if (pt != T(MEMREF_INPUT, MEMREF_OUTPUT, NONE, NONE))
			return TEE_ERROR_BAD_PARAMETERS;
		return echo(p);
	case TEST_CMD_FILL:
		if (pt != T(MEMREF_INOUT, VALUE_INPUT, VALUE_OUTPUT, NONE))
			return TEE_ERROR_BAD_PARAMETERS;
		return fill(p);
	case TEST_CMD_PANIC:
		TEE_Panic(TEST_PANIC_CODE);
	case TEST_CMD_CRASH:
		*(volatile int *)(uintptr_t)p[0].value.a = 1; /* a is 0 */
		return TEE_ERROR_GENERIC;
	case TEST_CMD_HEAP_PROBE:
		return heap_probe(p);
	case TEST_CMD_HEAP_EXHAUST:
		return heap_exhaust();
	case TEST_CMD_SANDBOX:
		return sandbox(p);
	case TEST_CMD_WAIT:
		return TEE_Wait(p[0].value.a);
	case TEST_CMD_CANCEL_FLAG:
		return cancel_flag(p[0].value.a);
	case TEST_CMD_STACK:
		use_stack(p[0].value.a / 1024);
		return TEE_SUCCESS;
	case TEST_CMD_PROPS:
		return props(p);
	case TEST_CMD_COUNTER:
		p[0].value.a = ++counter;
		return TEE_SUCCESS;
	case TEST_CMD_EXCLUSIVE:
		return exclusive(p[0].value.a);
	case TEST_CMD_MEM_ACCESS:
		return mem_access(p);
	case TEST_CMD_RANDOM_TIME:
		return random_time(p);
	case TEST_CMD_MALLOC_PROBE:
		return malloc_probe(p);
	default:
		return TEE_ERROR_NOT_SUPPORTED;
	}
}
