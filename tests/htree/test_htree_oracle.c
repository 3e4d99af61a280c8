/*
 * Cross-check with an independent reader: files written by storage/htree
 * are verified and decrypted by tools/oracle/optee_fs.py (Python, written
 * from the format reference, not from this code) bit-exact, and a file
 * the oracle writes is read by storage/htree. Skips (77) when python3 or
 * its cryptography module is missing.
 *
 * Usage: test_htree_oracle PATH/TO/optee_fs.py
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "htree_testutil.h"
#include "keys.h"
#include "test.h"
#include "uuid.h"

#define PYTHON "/usr/bin/python3"

static const char *oracle;
static const char *dir;
static uint8_t tsk[KEYS_TSK_SIZE];
static const uint8_t huk[16] = {0, 1, 2,  3,  4,  5,  6,  7,
				8, 9, 10, 11, 12, 13, 14, 15};
static const char *ta = "8aaaf200-2450-11e4-abe2-0002a5d5c51b";
static const char *huk_hex = "000102030405060708090a0b0c0d0e0f";

static void hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static int run(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int file_equals(const char *path, const uint8_t *want, size_t len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = malloc(len + 1);
	size_t got;

	if (!fp || !buf) {
		free(buf);
		if (fp)
			fclose(fp);
		return 0;
	}
	got = fread(buf, 1, len + 1, fp);
	fclose(fp);
	got = got == len && (!len || !memcmp(buf, want, len));
	free(buf);
	return (int)got;
}

static void write_file(const char *path, const uint8_t *p, size_t len)
{
	FILE *fp = fopen(path, "wb");

	if (!fp || (len && fwrite(p, 1, len, fp) != len) || fclose(fp))
		abort();
}

/* Has the oracle read `name` (by hash, then by counter) as want? */
static void oracle_reads(struct backend *be, const char *name,
			 const uint8_t hash[HTREE_HASH_SIZE], uint32_t counter,
			 const uint8_t *want, size_t len, int hash_size)
{
	char path[512], out[600], cmd[2048], hh[65];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(out, sizeof(out), "%s/%s.out", dir, name);
	REQUIRE(mem_file_save(be, name, path) == 0);
	hex(hash, HTREE_HASH_SIZE, hh);
	snprintf(cmd, sizeof(cmd),
		 PYTHON " %s read %s --huk %s --uuid %s --hash-size %d "
			"--hash %s -o %s",
		 oracle, path, huk_hex, ta, hash_size, hh, out);
	CHECK(run(cmd) == 0);
	CHECK(file_equals(out, want, len));
	remove(out);
	snprintf(cmd, sizeof(cmd),
		 PYTHON " %s read %s --huk %s --uuid %s --hash-size %d "
			"--min-counter %u -o %s",
		 oracle, path, huk_hex, ta, hash_size, counter, out);
	CHECK(run(cmd) == 0);
	CHECK(file_equals(out, want, len));
	remove(out);
	/* One wrong byte of the committed header: the oracle refuses. */
	{
		size_t flen;
		uint8_t *f = mem_file(be, name, &flen);
		size_t at = 68 * (counter & 1) + 20;

		f[at] ^= 1;
		REQUIRE(mem_file_save(be, name, path) == 0);
		f[at] ^= 1;
		snprintf(cmd, sizeof(cmd),
			 PYTHON " %s read %s --tsk %s --hash %s -o %s "
				"2>/dev/null",
			 oracle, path, "00", hh, out);
		CHECK(run(cmd) != 0);
	}
	remove(path);
}

static void c_writes_oracle_reads(size_t size, uint64_t shrink_to, bool compat)
{
	struct backend *be = mem_backend_new();
	struct htree_config cfg = {.hash_size_compat = compat};
	struct htree *ht = NULL;
	uint8_t hash[HTREE_HASH_SIZE];
	uint8_t *data = malloc(size + 1);
	struct batch b;
	uint32_t fh;
	size_t len = size;

	REQUIRE(data);
	test_fill_pattern(data, size, size);
	REQUIRE(batch_init(&b, be, BATCH_DEFAULT_DATA_CAP,
			   BATCH_DEFAULT_OPS_CAP) == TEE_SUCCESS);
	REQUIRE(backend_create(be, "f", &fh) == TEE_SUCCESS);
	REQUIRE(htree_create(be, fh, tsk, &cfg, 0, &b, &ht) == TEE_SUCCESS);
	REQUIRE(htree_write(ht, &b, 0, data, size) == TEE_SUCCESS);
	REQUIRE(tu_commit(ht, &b, hash) == TEE_SUCCESS);
	if (shrink_to) {
		/* Also a partial overwrite in the same commit. */
		memset(data + 10, 0x5a, 5000);
		REQUIRE(htree_write(ht, &b, 10, data + 10, 5000) ==
			TEE_SUCCESS);
		REQUIRE(htree_truncate(ht, &b, shrink_to) == TEE_SUCCESS);
		REQUIRE(tu_commit(ht, &b, hash) == TEE_SUCCESS);
		len = shrink_to;
	}
	oracle_reads(be, "f", hash, htree_committed_counter(ht), data, len,
		     compat ? 16 : 32);
	htree_close(ht);
	batch_free(&b);
	backend_destroy(be);
	free(data);
}

static void test_oracle_reads_c_files(void)
{
	static const size_t sizes[] = {0,    1,	     4095,	    4096,
				       4097, 150000, 31 * 4096 + 1, 400000};
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		c_writes_oracle_reads(sizes[i], 0, true);
	c_writes_oracle_reads(150000, 70000, true);
	c_writes_oracle_reads(300000, 1, true);
	c_writes_oracle_reads(100000, 0, false);
}

static void oracle_writes_c_reads(size_t size)
{
	struct backend *be = mem_backend_new();
	struct htree *ht = NULL;
	uint8_t data[4096], hash[HTREE_HASH_SIZE], more[20000];
	char path[512], dpath[600], cmd[2048], hh[80] = "";
	struct batch b;
	uint32_t fh;
	FILE *fp;
	size_t i;

	test_fill_pattern(data, size, 1000 + size);
	snprintf(path, sizeof(path), "%s/py", dir);
	snprintf(dpath, sizeof(dpath), "%s/py.data", dir);
	write_file(dpath, data, size);
	snprintf(cmd, sizeof(cmd),
		 PYTHON " %s write-one %s --huk %s --uuid %s --data %s", oracle,
		 path, huk_hex, ta, dpath);
	fp = popen(cmd, "r");
	REQUIRE(fp);
	CHECK(fgets(hh, sizeof(hh), fp) != NULL);
	CHECK(pclose(fp) == 0);
	REQUIRE(strlen(hh) >= 64);
	for (i = 0; i < HTREE_HASH_SIZE; i++) {
		unsigned v;

		REQUIRE(sscanf(hh + 2 * i, "%2x", &v) == 1);
		hash[i] = (uint8_t)v;
	}
	REQUIRE(mem_file_load(be, "py", path) == 0);
	REQUIRE(batch_init(&b, be, BATCH_DEFAULT_DATA_CAP,
			   BATCH_DEFAULT_OPS_CAP) == TEE_SUCCESS);
	REQUIRE(backend_open(be, "py", &fh) == TEE_SUCCESS);
	CHECK(htree_open(be, fh, tsk, hash, 0, &test_cfg, &ht) == TEE_SUCCESS);
	REQUIRE(ht);
	CHECK(tu_same(ht, &b, data, size) == 0);
	CHECK_EQ(htree_committed_counter(ht), 2);
	htree_close(ht);
	CHECK(htree_open(be, fh, tsk, NULL, 2, &test_cfg, &ht) == TEE_SUCCESS);
	REQUIRE(ht);
	CHECK(tu_same(ht, &b, data, size) == 0);
	/* Grow it with the C code; the oracle follows. */
	test_fill_pattern(more, sizeof(more), 77);
	CHECK(htree_write(ht, &b, size, more, sizeof(more)) == TEE_SUCCESS);
	CHECK(tu_commit(ht, &b, hash) == TEE_SUCCESS);
	{
		uint8_t all[4096 + 20000];

		memcpy(all, data, size);
		memcpy(all + size, more, sizeof(more));
		oracle_reads(be, "py", hash, htree_committed_counter(ht), all,
			     size + sizeof(more), 16);
	}
	htree_close(ht);
	batch_free(&b);
	backend_destroy(be);
	remove(path);
	remove(dpath);
}

static void test_c_reads_oracle_files(void)
{
	oracle_writes_c_reads(0);
	oracle_writes_c_reads(100);
	oracle_writes_c_reads(4096);
}

int main(int argc, char **argv)
{
	struct keys *k = NULL;
	TEE_UUID u;
	char cmd[1024];

	if (argc != 2 || !strcmp(argv[1], "--help")) {
		fprintf(stderr,
			"usage: %s PATH/TO/optee_fs.py\nChecks hash-tree files "
			"against the independent Python reader.\n",
			argv[0]);
		return argc == 2 ? 0 : 2;
	}
	oracle = argv[1];
	snprintf(cmd, sizeof(cmd),
		 PYTHON " -c 'import cryptography' >/dev/null 2>&1");
	if (run(cmd) != 0) {
		fprintf(stderr, "SKIP: " PYTHON " with the cryptography module "
				"(python3-cryptography) is missing\n");
		return 77;
	}
	if (keys_create(huk, sizeof(huk), true, &k) || !uuid_parse(ta, &u) ||
	    keys_derive_ta_tsk(k, &u, tsk)) {
		fprintf(stderr, "key derivation failed\n");
		return 1;
	}
	keys_destroy(k);
	dir = test_tmpdir("htree-oracle");
	RUN(test_oracle_reads_c_files);
	RUN(test_c_reads_oracle_files);
	test_rmtree(dir);
	return test_report();
}
