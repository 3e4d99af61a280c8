/*
 * The "rpc" kind of test_backend_new() (tests/support/test_backend.h): a
 * supplicant link on a temporary socket with a real tee-supplicant
 * serving dir; backend_destroy() stops both.
 */
#ifndef TEESTORE_TEST_BACKEND_RPC_H
#define TEESTORE_TEST_BACKEND_RPC_H

#include "backend.h"

struct backend *test_backend_rpc_new(const char *dir);

#endif
