/*
 * teed's HUK (core/teed_huk.c): --huk-file of 16 or 32 bytes, anything
 * else refused; generated once into <state>/huk (0600) and read back the
 * same; refused when group/other readable; --huk-zero is 16 zero bytes.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "teed_huk.h"
#include "test.h"

static const char *dir;

static void write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	REQUIRE(fd >= 0);
	CHECK_EQ(write(fd, p, n), n);
	close(fd);
}

static void test_huk_file_sizes(void)
{
	uint8_t k[40], out[TEED_HUK_MAX];
	size_t len = sizeof(out);
	char path[512];

	test_fill_pattern(k, sizeof(k), 1);
	snprintf(path, sizeof(path), "%s/k", dir);
	write_file(path, k, 32);
	CHECK_EQ(teed_huk_load(dir, path, false), 0);
	CHECK_EQ(teed_huk(out, &len), 0);
	CHECK_EQ(len, 32);
	CHECK_MEM(out, k, 32);
	write_file(path, k, 16);
	CHECK_EQ(teed_huk_load(dir, path, false), 0);
	len = sizeof(out);
	CHECK_EQ(teed_huk(out, &len), 0);
	CHECK_EQ(len, 16);
	CHECK_MEM(out, k, 16);
	/* A too small buffer is refused, not overrun. */
	len = 8;
	CHECK(teed_huk(out, &len) < 0);
	write_file(path, k, 20);
	CHECK(teed_huk_load(dir, path, false) < 0);
	write_file(path, k, 40);
	CHECK(teed_huk_load(dir, path, false) < 0);
	CHECK(teed_huk_load(dir, "/nonexistent/huk", false) < 0);
}

static void test_huk_generated_once(void)
{
	uint8_t a[TEED_HUK_MAX], b[TEED_HUK_MAX], zero[16] = {0};
	size_t la = sizeof(a), lb = sizeof(b);
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/huk", dir);
	unlink(path);
	CHECK_EQ(teed_huk_load(dir, NULL, false), 0);
	CHECK_EQ(teed_huk(a, &la), 0);
	CHECK_EQ(la, 16);
	CHECK(memcmp(a, zero, 16) != 0);
	REQUIRE(stat(path, &st) == 0);
	CHECK_EQ(st.st_mode & 0777, 0600);
	CHECK_EQ(st.st_size, 16);
	teed_huk_wipe();
	CHECK(teed_huk(b, &lb) < 0); /* wiped: nothing to hand out */
	CHECK_EQ(teed_huk_load(dir, NULL, false), 0);
	lb = sizeof(b);
	CHECK_EQ(teed_huk(b, &lb), 0);
	CHECK_EQ(lb, 16);
	CHECK_MEM(a, b, 16); /* the same key on the next start */
	REQUIRE(chmod(path, 0640) == 0);
	CHECK(teed_huk_load(dir, NULL, false) < 0);
}

static void test_huk_zero(void)
{
	uint8_t k[TEED_HUK_MAX], zero[16] = {0};
	size_t len = sizeof(k);

	CHECK_EQ(teed_huk_load(dir, NULL, true), 0);
	CHECK_EQ(teed_huk(k, &len), 0);
	CHECK_EQ(len, 16);
	CHECK_MEM(k, zero, 16);
}

int main(void)
{
	dir = test_tmpdir("teed-huk");
	setenv("TEESTORE_LOG", "error", 1);
	log_init("test_teed_huk");
	RUN(test_huk_file_sizes);
	RUN(test_huk_generated_once);
	RUN(test_huk_zero);
	test_rmtree(dir);
	return test_report();
}
