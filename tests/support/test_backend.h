/*
 * Backends for the engine tests, chosen by name so that the same test
 * program runs over every backend CTest registers it for:
 *	"posix"  files in a directory (dir; created if missing),
 *	"fake"   the crash-simulating in-memory fake (dir unused),
 *	"rpc"    a real tee-supplicant serving dir (tests/supplicant/).
 * A test takes the kind from its command line: `--backend KIND`.
 */
#ifndef TEESTORE_TEST_BACKEND_H
#define TEESTORE_TEST_BACKEND_H

#include "backend.h"

/* NULL (with a message on stderr) for an unknown kind or a failure. */
struct backend *test_backend_new(const char *kind, const char *dir);

/* The KIND of `--backend KIND` in argv, or def if there is none. */
const char *test_backend_kind(int argc, char **argv, const char *def);

/* True if kind is "fake" (tests that need its crash hooks). */
bool test_backend_is_fake(const char *kind);

/*
 * A stored file's raw bytes by name, as an attacker in the normal world
 * sees them (tamper tests): the fake's image through its API; for
 * "posix" and "rpc" the file named name in dir, the directory given to
 * test_backend_new (the rpc kind's supplicant serves that very directory).
 * Edit only between engine operations, as a real attacker would.
 *
 * test_backend_file_get: a malloc'ed copy in *data (caller frees);
 * TEE_ERROR_ITEM_NOT_FOUND if there is no such file.
 * test_backend_file_set: replaces the whole content, in place (the same
 * inode, so handles the backend or supplicant keeps open see the edit),
 * creating the file if missing.
 */
TEE_Result test_backend_file_get(struct backend *be, const char *dir,
				 const char *name, uint8_t **data, size_t *len);
TEE_Result test_backend_file_set(struct backend *be, const char *dir,
				 const char *name, const void *data,
				 size_t len);

#endif
