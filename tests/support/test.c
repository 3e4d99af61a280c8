#include "test.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

unsigned test_failures;
unsigned test_checks;
const char *test_current = "main";

int test_report(void)
{
	fprintf(stderr, "%u checks, %u failed\n", test_checks, test_failures);
	return test_failures ? 1 : 0;
}

uint64_t test_rand(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x9E3779B97F4A7C15ULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

void test_fill_pattern(void *buf, size_t len, uint64_t seed)
{
	uint8_t *p = buf;
	uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 1;
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 8 == 0)
			s = test_rand(&s);
		p[i] = (uint8_t)(s >> (8 * (i % 8)));
	}
}

const char *test_tmpdir(const char *tag)
{
	static char path[PATH_MAX];
	const char *base = getenv("TMPDIR");

	if (!base || !*base)
		base = "/tmp";
	snprintf(path, sizeof(path), "%s/teestore-%s-XXXXXX", base, tag);
	if (!mkdtemp(path)) {
		perror("mkdtemp");
		exit(2);
	}
	return path;
}

static void rmtree_at(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char child[PATH_MAX];

	if (!d) {
		unlink(path);
		return;
	}
	while ((e = readdir(d))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
		if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
			rmtree_at(child);
		else
			unlink(child);
	}
	closedir(d);
	rmdir(path);
}

void test_rmtree(const char *path)
{
	if (!path || strstr(path, "teestore-") == NULL)
		return; /* only what test_tmpdir made */
	rmtree_at(path);
}
