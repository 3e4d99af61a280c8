/*
 * write_gather (lib/common/write_gather.h): random runs of writes against
 * a model that applies them one by one in order. The file starts with
 * known bytes, so a gap joined through a read must come back unchanged;
 * runs overlap (kept in order), touch, sit a few bytes apart (joined) or
 * far apart, and reach past the end of the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "write_gather.h"

#define FILE_CAP (256 * 1024)

struct model {
	uint8_t bytes[FILE_CAP];
	size_t size;
};

static void model_write(struct model *m, const struct write_gather_op *w)
{
	if (!w->len)
		return;
	if (w->off > m->size)
		memset(m->bytes + m->size, 0, w->off - m->size);
	memcpy(m->bytes + w->off, w->buf, w->len);
	if (w->off + w->len > m->size)
		m->size = w->off + w->len;
}

/* The next write of a run: near the previous one, or anywhere. */
static void random_write(uint64_t *rng, const struct write_gather_op *prev,
			 uint8_t *src, struct write_gather_op *w)
{
	uint64_t r = test_rand(rng) % 8, off;
	size_t len = test_rand(rng) % 5 == 0 ? test_rand(rng) % 20000
					     : 1 + test_rand(rng) % 200;

	if (!prev || r == 0)
		off = test_rand(rng) % (FILE_CAP / 2);
	else if (r <= 2)
		off = prev->off + prev->len; /* touching */
	else if (r <= 5)
		off =
		    prev->off + prev->len + 1 + test_rand(rng) % 700; /* gap */
	else if (r == 6)
		off =
		    prev->off + test_rand(rng) % (prev->len + 1); /* overlap */
	else
		off = prev->off > 300 ? prev->off - test_rand(rng) % 300 : 0;
	if (off + len > FILE_CAP)
		len = FILE_CAP - off;
	if (test_rand(rng) % 50 == 0)
		len = 0;
	test_fill_pattern(src, len, test_rand(rng));
	*w = (struct write_gather_op){off, src, len};
}

static void check_file(int fd, const struct model *m)
{
	static uint8_t got[FILE_CAP];
	struct stat st;
	ssize_t n;

	REQUIRE(fstat(fd, &st) == 0);
	CHECK_EQ((size_t)st.st_size, m->size);
	n = pread(fd, got, FILE_CAP, 0);
	CHECK_EQ(n, (ssize_t)m->size);
	CHECK(n >= 0 && memcmp(got, m->bytes, (size_t)n) == 0);
}

static void test_random_runs(void)
{
	static struct model m;
	static uint8_t srcs[64][20000];
	struct write_gather_op w[64];
	const char *dir = test_tmpdir("write-gather");
	char path[512];
	uint64_t rng = 42;
	int fd, round;
	size_t n, i;

	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	REQUIRE(fd >= 0);
	/* Known bytes first: gaps read back must keep them. */
	m.size = FILE_CAP / 2;
	test_fill_pattern(m.bytes, m.size, 7);
	REQUIRE(pwrite(fd, m.bytes, m.size, 0) == (ssize_t)m.size);
	for (round = 0; round < 3000; round++) {
		n = 1 + test_rand(&rng) % 64;
		for (i = 0; i < n; i++)
			random_write(&rng, i ? &w[i - 1] : NULL, srcs[i],
				     &w[i]);
		CHECK_EQ(write_gather(fd, w, n), 0);
		for (i = 0; i < n; i++)
			model_write(&m, &w[i]);
		if (round % 100 == 0 || round == 2999)
			check_file(fd, &m);
	}
	close(fd);
	test_rmtree(dir);
}

/* A hash tree's node slots: 66 bytes at a 132-byte stride, in any order;
 * the other slots (between them) are untouched. */
static void test_node_slots(void)
{
	const char *dir = test_tmpdir("write-gather-nodes");
	struct write_gather_op w[31];
	uint8_t before[4096], after[4096], img[31][66];
	char path[512];
	int fd;
	size_t i, k;

	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	REQUIRE(fd >= 0);
	test_fill_pattern(before, sizeof(before), 3);
	REQUIRE(pwrite(fd, before, sizeof(before), 4096) == 4096);
	for (i = 0; i < 31; i++) {
		k = (i * 17) % 31; /* not in file order */
		memset(img[i], (int)(i + 1), sizeof(img[i]));
		w[i] =
		    (struct write_gather_op){4096 + k * 132 + 66, img[i], 66};
	}
	CHECK_EQ(write_gather(fd, w, 31), 0);
	REQUIRE(pread(fd, after, sizeof(after), 4096) == 4096);
	for (i = 0; i < 31; i++) {
		k = (i * 17) % 31;
		CHECK_MEM(after + k * 132, before + k * 132, 66);
		CHECK_MEM(after + k * 132 + 66, img[i], 66);
	}
	CHECK_MEM(after + 31 * 132, before + 31 * 132, 4096 - 31 * 132);
	close(fd);
	test_rmtree(dir);
}

static void test_errors(void)
{
	const char *dir = test_tmpdir("write-gather-err");
	struct write_gather_op w[2] = {{0, "ab", 2}, {10, "cd", 2}};
	static struct write_gather_op many[WRITE_GATHER_MAX + 1];
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_RDONLY | O_CREAT | O_TRUNC, 0600);
	REQUIRE(fd >= 0);
	CHECK_EQ(write_gather(fd, w, 2), -EBADF);
	CHECK_EQ(write_gather(fd, many, WRITE_GATHER_MAX + 1), -EINVAL);
	CHECK_EQ(write_gather(fd, w, 0), 0);
	close(fd);
	test_rmtree(dir);
}

int main(void)
{
	RUN(test_random_runs);
	RUN(test_node_slots);
	RUN(test_errors);
	return test_report();
}
