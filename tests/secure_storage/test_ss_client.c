/*
 * The secure_storage client's parts that need no TEE: the command line,
 * the ID rules and their messages, chunk size negotiation, the progress
 * line and the mapping of TEE results to messages and exit codes.
 */
#include <stdarg.h>
#include <string.h>

#include "ss_cli.h"
#include "tee_api_defines.h"
#include "test.h"

static int parse(struct ss_opts *o, char *err, const char *a0, ...)
{
	char *argv[16];
	int argc = 0;
	va_list ap;
	const char *s;

	argv[argc++] = (char *)"secure_storage";
	va_start(ap, a0);
	for (s = a0; s && argc < 15; s = va_arg(ap, const char *))
		argv[argc++] = (char *)s;
	va_end(ap);
	argv[argc] = NULL;
	err[0] = '\0';
	return ss_args_parse(argc, argv, o, err, 256);
}

static void test_args_commands(void)
{
	struct ss_opts o;
	char err[256];

	CHECK_EQ(parse(&o, err, "put", "a.bin", NULL), SS_EXIT_OK);
	CHECK(o.cmd == SS_CMD_PUT && !strcmp(o.file, "a.bin") && !o.id);
	CHECK_EQ(o.storage, TEE_STORAGE_PRIVATE);
	CHECK_EQ(parse(&o, err, "put", "a.bin", "id1", NULL), SS_EXIT_OK);
	CHECK(!strcmp(o.id, "id1"));
	CHECK_EQ(parse(&o, err, "get", "id1", "-", NULL), SS_EXIT_OK);
	CHECK(o.cmd == SS_CMD_GET && !strcmp(o.id, "id1") &&
	      !strcmp(o.file, "-"));
	CHECK_EQ(parse(&o, err, "ls", NULL), SS_EXIT_OK);
	CHECK(o.cmd == SS_CMD_LS);
	CHECK_EQ(parse(&o, err, "stat", "x", NULL), SS_EXIT_OK);
	CHECK_EQ(parse(&o, err, "rm", "x", NULL), SS_EXIT_OK);
	CHECK(o.cmd == SS_CMD_RM);
	CHECK_EQ(parse(&o, err, "verify", "x", NULL), SS_EXIT_OK);
	CHECK(o.cmd == SS_CMD_VERIFY);
	CHECK_EQ(parse(&o, err, "--help", NULL), SS_EXIT_OK);
	CHECK(o.cmd == SS_CMD_HELP);
	CHECK_EQ(parse(&o, err, "stat", "-h", NULL), SS_EXIT_OK);
	CHECK(o.cmd == SS_CMD_HELP);
}

static void test_args_options(void)
{
	struct ss_opts o;
	char err[256];

	CHECK_EQ(parse(&o, err, "--storage", "ree", "--chunk-size", "64K",
		       "--resume", "put", "f", NULL),
		 SS_EXIT_OK);
	CHECK_EQ(o.storage, TEE_STORAGE_PRIVATE_REE);
	CHECK_EQ(o.chunk_size, 65536);
	CHECK(o.resume);
	CHECK(!o.serial);
	CHECK_EQ(parse(&o, err, "get", "x", "--serial", NULL), SS_EXIT_OK);
	CHECK(o.serial);
	/* options after the command too */
	CHECK_EQ(parse(&o, err, "put", "f", "--storage=rpmb", "--resume",
		       "--chunk-size", "1M", NULL),
		 SS_EXIT_OK);
	CHECK_EQ(o.storage, TEE_STORAGE_PRIVATE_RPMB);
	CHECK_EQ(o.chunk_size, 1048576);
	CHECK_EQ(parse(&o, err, "--chunk-size", "20000", "ls", NULL),
		 SS_EXIT_OK);
	CHECK_EQ(o.chunk_size, 20000);
	CHECK_EQ(parse(&o, err, "--no-progress", "ls", NULL), SS_EXIT_OK);
	CHECK_EQ(o.progress, 0);
	CHECK_EQ(parse(&o, err, "--progress", "ls", NULL), SS_EXIT_OK);
	CHECK_EQ(o.progress, 1);
	/* "--" lets a file start with '-' */
	CHECK_EQ(parse(&o, err, "put", "--", "-odd", NULL), SS_EXIT_OK);
	CHECK(!strcmp(o.file, "-odd"));
}

static void test_args_errors(void)
{
	struct ss_opts o;
	char err[256];

	CHECK_EQ(parse(&o, err, NULL), SS_EXIT_USAGE);
	CHECK(strstr(err, "no command"));
	CHECK_EQ(parse(&o, err, "copy", NULL), SS_EXIT_USAGE);
	CHECK(strstr(err, "unknown command 'copy'"));
	CHECK_EQ(parse(&o, err, "put", NULL), SS_EXIT_USAGE);
	CHECK(strstr(err, "wrong number"));
	CHECK_EQ(parse(&o, err, "get", "a", "b", "c", NULL), SS_EXIT_USAGE);
	CHECK_EQ(parse(&o, err, "ls", "x", NULL), SS_EXIT_USAGE);
	CHECK_EQ(parse(&o, err, "--storage", "tpm", "ls", NULL), SS_EXIT_USAGE);
	CHECK(strstr(err, "'tpm'"));
	CHECK_EQ(parse(&o, err, "--chunk-size", "1K", "ls", NULL),
		 SS_EXIT_USAGE);
	CHECK_EQ(parse(&o, err, "--chunk-size", "lots", "ls", NULL),
		 SS_EXIT_USAGE);
	CHECK_EQ(parse(&o, err, "--chunk-size", "65M", "ls", NULL),
		 SS_EXIT_USAGE);
	CHECK_EQ(parse(&o, err, "--chunk-size", "99999999999999999999999", "ls",
		       NULL),
		 SS_EXIT_USAGE);
	CHECK_EQ(parse(&o, err, "--resume", "get", "x", NULL), SS_EXIT_USAGE);
	CHECK(strstr(err, "--resume"));
	CHECK_EQ(parse(&o, err, "--bogus", "ls", NULL), SS_EXIT_USAGE);
	CHECK(strstr(err, "--bogus"));
	CHECK_EQ(parse(&o, err, "ls", "--storage", NULL), SS_EXIT_USAGE);
}

static void test_id_rules(void)
{
	char err[256], id[128], name[64], longid[SS_ID_MAX + 2];

	CHECK_EQ(ss_id_check("report-2024_v1.2+final", err, sizeof(err)), 0);
	CHECK_EQ(ss_id_check("dir/a:b@c#d%e~f=g,h", err, sizeof(err)), 0);
	CHECK(ss_id_check("", err, sizeof(err)) != 0);
	CHECK(strstr(err, "empty"));
	CHECK(ss_id_check(".secret", err, sizeof(err)) != 0);
	CHECK(strstr(err, "starts with '.'"));
	CHECK(ss_id_check("a b", err, sizeof(err)) != 0);
	CHECK(strstr(err, "' ' at position 2"));
	CHECK(ss_id_check("ab\tc", err, sizeof(err)) != 0);
	CHECK(strstr(err, "byte 0x09 at position 3"));
	CHECK(ss_id_check("caf\xc3\xa9", err, sizeof(err)) != 0);
	CHECK(strstr(err, "byte 0xc3"));
	memset(longid, 'x', sizeof(longid));
	longid[SS_ID_MAX] = '\0';
	CHECK_EQ(ss_id_check(longid, err, sizeof(err)), 0);
	longid[SS_ID_MAX] = 'x';
	longid[SS_ID_MAX + 1] = '\0';
	CHECK(ss_id_check(longid, err, sizeof(err)) != 0);
	CHECK(strstr(err, "59 characters long, at most 58"));
	/* IDs from file names and back */
	CHECK_EQ(ss_id_from_file("/tmp/dir/data.bin", id, sizeof(id), err,
				 sizeof(err)),
		 0);
	CHECK(!strcmp(id, "data.bin"));
	CHECK(ss_id_from_file("/tmp/.hidden", id, sizeof(id), err,
			      sizeof(err)) != 0);
	CHECK(strstr(err, "give an ID"));
	CHECK(ss_id_from_file("dir/", id, sizeof(id), err, sizeof(err)) != 0);
	CHECK(ss_id_from_file("my file", id, sizeof(id), err, sizeof(err)) !=
	      0);
	CHECK_EQ(ss_file_from_id("backups/db.img", name, sizeof(name), err,
				 sizeof(err)),
		 0);
	CHECK(!strcmp(name, "db.img"));
	CHECK(ss_file_from_id("a/..", name, sizeof(name), err, sizeof(err)) !=
	      0);
	CHECK(ss_file_from_id("a/", name, sizeof(name), err, sizeof(err)) != 0);
}

static void test_chunk_negotiation(void)
{
	const size_t K = 1024, M = 1024 * 1024;

	/* the largest the TA takes, for a large file */
	CHECK_EQ(ss_chunk_first(0, M, 16 * K, 100 * M), M);
	CHECK_EQ(ss_chunk_first(0, 256 * K, 16 * K, 100 * M), 256 * K);
	/* the user's limit */
	CHECK_EQ(ss_chunk_first(64 * K, M, 16 * K, 100 * M), 64 * K);
	CHECK_EQ(ss_chunk_first(8 * M, M, 16 * K, 100 * M), M);
	/* a small file: no bigger than it needs, never below the minimum */
	CHECK_EQ(ss_chunk_first(0, M, 16 * K, 100000), 102400);
	CHECK_EQ(ss_chunk_first(0, M, 16 * K, 10), 16 * K);
	CHECK_EQ(ss_chunk_first(0, M, 16 * K, 0), 16 * K);
	/* a TA claiming a tiny minimum still gets 16 KiB */
	CHECK_EQ(ss_chunk_first(0, M, 0, 0), 16 * K);
	/* refused by the TEE: halve down to the minimum, then give up */
	CHECK_EQ(ss_chunk_next(M, 16 * K), 512 * K);
	CHECK_EQ(ss_chunk_next(20 * K, 16 * K), 16 * K);
	CHECK_EQ(ss_chunk_next(16 * K, 16 * K), 0);
	{
		size_t sz = M;
		int steps = 0;

		while (sz) {
			sz = ss_chunk_next(sz, 16 * K);
			steps++;
		}
		CHECK_EQ(steps, 7); /* 512K 256K 128K 64K 32K 16K 0 */
	}
}

static void test_progress_line(void)
{
	char line[256], s[32];
	const uint64_t M = 1024 * 1024;

	ss_progress_format(line, sizeof(line), "put", 50 * M, 100 * M, 2.0, 10);
	CHECK(!strcmp(line, "put [=====>    ]  50% 50.0 MiB/100.0 MiB "
			    "25.0 MiB/s ETA 0:02"));
	ss_progress_format(line, sizeof(line), "get", 100 * M, 100 * M, 4.0, 4);
	CHECK(!strcmp(line, "get [====] 100% 100.0 MiB/100.0 MiB 25.0 MiB/s "
			    "ETA done"));
	/* no rate yet: unknown ETA */
	ss_progress_format(line, sizeof(line), "put", 0, 10 * M, 0, 4);
	CHECK(strstr(line, "ETA --:--") && strstr(line, "  0%"));
	/* hours */
	ss_progress_format(line, sizeof(line), "put", M, 4000 * M, 1.0, 0);
	CHECK(strstr(line, "ETA 1:06:39"));
	/* an empty file is complete at once */
	ss_progress_format(line, sizeof(line), "put", 0, 0, 0, 2);
	CHECK(strstr(line, "100%") && strstr(line, "done"));
	ss_format_size(s, sizeof(s), 1023);
	CHECK(!strcmp(s, "1023 B"));
	ss_format_size(s, sizeof(s), 1536);
	CHECK(!strcmp(s, "1.5 KiB"));
	ss_format_size(s, sizeof(s), 3.0 * 1024 * 1024 * 1024);
	CHECK(!strcmp(s, "3.0 GiB"));
}

static void test_errors_and_exit_codes(void)
{
	char d[320];

	CHECK_EQ(ss_exit_for(TEE_SUCCESS), SS_EXIT_OK);
	CHECK_EQ(ss_exit_for(TEE_ERROR_ITEM_NOT_FOUND), SS_EXIT_NOT_FOUND);
	CHECK_EQ(ss_exit_for(TEE_ERROR_CORRUPT_OBJECT), SS_EXIT_INTEGRITY);
	CHECK_EQ(ss_exit_for(TEE_ERROR_SECURITY), SS_EXIT_INTEGRITY);
	CHECK_EQ(ss_exit_for(TEE_ERROR_TARGET_DEAD), SS_EXIT_TEE);
	CHECK_EQ(ss_exit_for(TEE_ERROR_COMMUNICATION), SS_EXIT_TEE);
	CHECK_EQ(ss_exit_for(TEE_ERROR_STORAGE_NOT_AVAILABLE), SS_EXIT_TEE);
	CHECK_EQ(ss_exit_for(TEE_ERROR_ACCESS_CONFLICT), SS_EXIT_BUSY);
	CHECK_EQ(ss_exit_for(TEE_ERROR_STORAGE_NO_SPACE), SS_EXIT_NO_SPACE);
	CHECK_EQ(ss_exit_for(TEE_ERROR_GENERIC), SS_EXIT_FAILURE);
	ss_err_describe(d, sizeof(d), TEE_ERROR_CORRUPT_OBJECT, TEE_ORIGIN_TEE);
	CHECK(strstr(d, "TEE_ERROR_CORRUPT_OBJECT (0xf0100001) from "
			"TEE_ORIGIN_TEE: integrity error"));
	ss_err_describe(d, sizeof(d), TEE_ERROR_ITEM_NOT_FOUND,
			TEE_ORIGIN_TRUSTED_APP);
	CHECK(strstr(d, "TEE_ORIGIN_TRUSTED_APP: no such object"));
	ss_err_describe(d, sizeof(d), 0x12345678, TEE_ORIGIN_API);
	CHECK(strstr(d, "0x12345678"));
}

int main(void)
{
	RUN(test_args_commands);
	RUN(test_args_options);
	RUN(test_args_errors);
	RUN(test_id_rules);
	RUN(test_chunk_negotiation);
	RUN(test_progress_line);
	RUN(test_errors_and_exit_codes);
	return test_report();
}
