/*
 * A minimal test harness: CHECK* macros report the failing expression with
 * file and line and count failures; test_main() returns the exit status.
 *
 *	static void test_uuid_roundtrip(void) { CHECK(...); }
 *	int main(void) { RUN(test_uuid_roundtrip); return test_report(); }
 *
 * A test program exits 0 only if every CHECK held. Messages go to stderr;
 * CTest shows them with --output-on-failure.
 */
#ifndef TEESTORE_TEST_H
#define TEESTORE_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

extern unsigned test_failures;
extern unsigned test_checks;
extern const char *test_current;

#define CHECK(cond)                                                            \
	do {                                                                   \
		test_checks++;                                                 \
		if (!(cond)) {                                                 \
			test_failures++;                                       \
			fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n",       \
				__FILE__, __LINE__, test_current, #cond);      \
		}                                                              \
	} while (0)

#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		uint64_t va_ = (uint64_t)(a), vb_ = (uint64_t)(b);             \
		test_checks++;                                                 \
		if (va_ != vb_) {                                              \
			test_failures++;                                       \
			fprintf(stderr,                                        \
				"%s:%d: %s: %s == %s failed: 0x%" PRIx64       \
				" != 0x%" PRIx64 "\n",                         \
				__FILE__, __LINE__, test_current, #a, #b, va_, \
				vb_);                                          \
		}                                                              \
	} while (0)

#define CHECK_MEM(a, b, n) CHECK(memcmp((a), (b), (n)) == 0)

/* Stops the current test function when cond is false. cond is evaluated
 * once (it may have side effects: REQUIRE(pthread_create(...) == 0)). */
#define REQUIRE(cond)                                                          \
	do {                                                                   \
		unsigned require_failures_ = test_failures;                    \
		CHECK(cond);                                                   \
		if (test_failures != require_failures_)                        \
			return;                                                \
	} while (0)

#define RUN(fn)                                                                \
	do {                                                                   \
		unsigned before_ = test_failures;                              \
		test_current = #fn;                                            \
		fn();                                                          \
		fprintf(stderr, "%s %s\n",                                     \
			test_failures == before_ ? "ok  " : "FAIL", #fn);      \
	} while (0)

/* Prints a summary; returns 0 if nothing failed, 1 otherwise. */
int test_report(void);

/* Fills buf with deterministic pseudo-random bytes from seed. */
void test_fill_pattern(void *buf, size_t len, uint64_t seed);

/* A small deterministic PRNG for randomized tests (xorshift64*). */
uint64_t test_rand(uint64_t *state);

/* Creates a fresh empty directory under $TMPDIR; returns a static path. */
const char *test_tmpdir(const char *tag);

/* rm -rf of a test directory (only below $TMPDIR or /tmp). */
void test_rmtree(const char *path);

#endif
