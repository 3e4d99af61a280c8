/*
 * Backends for the engine tests, chosen by name so that the same test
 * program runs over every backend CTest registers it for:
 *	"posix"  files in a directory (dir; created if missing),
 *	"fake"   the crash-simulating in-memory fake (dir unused),
 *	"rpc"    (later) a real tee-supplicant serving dir.
 * A test takes the kind from its command line: `--backend KIND`.
 */
#ifndef TEESTORE_TEST_BACKEND_H
#define TEESTORE_TEST_BACKEND_H

#include "backend.h"

/* NULL (with a message on stderr) for an unknown kind or a failure. */
struct backend *test_backend_new(const char *kind, const char *dir);

/* The KIND of `--backend KIND` in argv, or def if there is none. */
const char *test_backend_kind(int argc, char **argv, const char *def);

/* True if kind is "fake" (tests that need crash/tamper hooks). */
bool test_backend_is_fake(const char *kind);

#endif
