/* Backends for the engine tests by name (test_backend.h). */
#include <stdio.h>
#include <string.h>

#include "backend_fake.h"
#include "backend_posix.h"
#include "tee_error.h"
#include "test_backend.h"
#ifdef TEST_BACKEND_RPC
#include "test_backend_rpc.h" /* tests/supplicant/ */
#endif

struct backend *test_backend_new(const char *kind, const char *dir)
{
	struct backend *be = NULL;
	TEE_Result res = TEE_ERROR_NOT_SUPPORTED;

	if (!strcmp(kind, "fake"))
		res = backend_fake_new(&be);
	else if (!strcmp(kind, "posix") && dir)
		res = backend_posix_open(dir, &be);
#ifdef TEST_BACKEND_RPC
	else if (!strcmp(kind, "rpc") && dir) {
		be = test_backend_rpc_new(dir);
		res = be ? TEE_SUCCESS : TEE_ERROR_STORAGE_NOT_AVAILABLE;
	}
#endif
	if (res) {
		fprintf(stderr, "test_backend_new(%s, %s): %s\n", kind,
			dir ? dir : "-", tee_error_name(res));
		return NULL;
	}
	return be;
}

const char *test_backend_kind(int argc, char **argv, const char *def)
{
	int i;

	for (i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--backend"))
			return argv[i + 1];
	return def;
}

bool test_backend_is_fake(const char *kind)
{
	return !strcmp(kind, "fake");
}
