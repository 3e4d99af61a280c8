/*
 * tsfs: read, write and verify an OP-TEE REE FS secure-storage directory
 * offline (the directory tee-supplicant serves: dirf.db and the object
 * files), with the device's HUK. docs/engine.md, "tsfs".
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend_posix.h"
#include "secmem.h"
#include "tee_error.h"
#include "tsfs_teed.h"
#include "tstore.h"
#include "uuid.h"

#define CHUNK (4 * 1024 * 1024)

static void usage(FILE *f)
{
	fprintf(
	    f, "usage: tsfs --dir DIR (--huk-file FILE | --huk-zero | "
	       "--teed-state DIR)\n"
	       "            [options] COMMAND ...\n"
	       "commands:\n"
	       "  ls [UUID]            list objects (of one TA)\n"
	       "  cat UUID ID          write an object's data to stdout\n"
	       "  put UUID ID [FILE]   store FILE (or stdin) as a data object,"
	       " replacing it\n"
	       "  rm UUID ID           remove an object\n"
	       "  verify [UUID]        open and fully verify every object\n"
	       "options:\n"
	       "  --dir DIR            the REE FS directory (tee-supplicant's"
	       " fs-parent-path)\n"
	       "  --huk-file FILE      the hardware unique key (1..32 bytes)\n"
	       "  --huk-zero           16 zero bytes (OP-TEE's default stub,"
	       " QEMU)\n"
	       "  --teed-state DIR     a teestore store: teed's state directory"
	       " (tee-run's\n"
	       "                       STATE/teed): its HUK (unless given), its"
	       " lock (not while\n"
	       "                       teed runs) and its rollback counter, so"
	       " teed accepts\n"
	       "                       the store afterwards\n"
	       "  --no-compat          CFG_CORE_HUK_SUBKEY_COMPAT=n\n"
	       "  --hash32             CFG_REE_FS_HTREE_HASH_SIZE_COMPAT=n\n"
	       "ID is the object ID as text, or hex:ABCD... for binary IDs.\n");
}

static int fail(const char *what, TEE_Result res)
{
	fprintf(stderr, "tsfs: %s: %s\n", what, tee_error_name(res));
	if (res == TEE_ERROR_CORRUPT_OBJECT || res == TEE_ERROR_SECURITY)
		fprintf(stderr, "tsfs: integrity check failed: the stored "
				"data was modified, is stale, or the HUK is "
				"wrong\n");
	return 1;
}

static bool parse_id(const char *s, uint8_t *id, size_t *len)
{
	size_t n, i;

	if (strncmp(s, "hex:", 4)) {
		n = strlen(s);
		if (n > TSTORE_ID_MAX)
			return false;
		memcpy(id, s, n);
		*len = n;
		return true;
	}
	s += 4;
	n = strlen(s);
	if (n % 2 || n / 2 > TSTORE_ID_MAX)
		return false;
	for (i = 0; i < n / 2; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return false;
		id[i] = (uint8_t)v;
	}
	*len = n / 2;
	return true;
}

static void print_id(const uint8_t *id, size_t len)
{
	size_t i;
	bool text = len > 0;

	for (i = 0; i < len; i++)
		if (id[i] < 0x21 || id[i] > 0x7e ||
		    (!i && len >= 4 && !memcmp(id, "hex:", 4)))
			text = false;
	if (text) {
		printf("%.*s", (int)len, (const char *)id);
		return;
	}
	printf("hex:");
	for (i = 0; i < len; i++)
		printf("%02x", id[i]);
}

static int load_huk(const char *file, uint8_t *huk, size_t *len)
{
	int fd = open(file, O_RDONLY);
	uint8_t buf[33];
	ssize_t n;

	if (fd < 0) {
		fprintf(stderr, "tsfs: %s: %s\n", file, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 1 || n > 32) {
		fprintf(stderr, "tsfs: %s: a HUK is 1 to 32 bytes\n", file);
		secmem_wipe(buf, sizeof(buf));
		return -1;
	}
	memcpy(huk, buf, (size_t)n);
	secmem_wipe(buf, sizeof(buf));
	*len = (size_t)n;
	return 0;
}

/* teed's own HUK file in its state directory (--teed-state). */
static int load_teed_huk(const char *state_dir, uint8_t *huk, size_t *len)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/" TSFS_TEED_HUK_FILE, state_dir);
	return load_huk(path, huk, len);
}

static int cmd_ls(struct tstore *s, const TEE_UUID *ta, bool verify)
{
	uint8_t id[TSTORE_ID_MAX];
	char ustr[UUID_STR_LEN + 1];
	uint64_t cursor = 0;
	TEE_UUID u;
	size_t len;
	int bad = 0, n = 0;

	while (!tstore_enum_next(s, ta, &cursor, &u, id, &len)) {
		struct tstore_obj *o = NULL;
		struct tstore_info info;
		TEE_Result res = tstore_open_obj(s, &u, id, len, &o);

		if (!res)
			res = tstore_info(o, &info);
		uuid_format(&u, ustr);
		printf("%s  ", ustr);
		print_id(id, len);
		if (res) {
			printf("  %s\n", tee_error_name(res));
			bad++;
		} else if (verify) {
			printf("  OK\n");
		} else {
			printf("  size %llu type 0x%08x attrs %u file %x\n",
			       (unsigned long long)info.data_size,
			       info.head.object_type, info.head.attr_size,
			       info.file_number);
		}
		tstore_release(o);
		n++;
	}
	if (verify)
		fprintf(stderr, "tsfs: %d objects, %d failed verification\n", n,
			bad);
	return bad ? 1 : 0;
}

static int cmd_cat(struct tstore *s, const TEE_UUID *ta, const uint8_t *id,
		   size_t len)
{
	struct tstore_obj *o = NULL;
	uint8_t *buf = malloc(CHUNK);
	uint64_t pos = 0;
	TEE_Result res;
	size_t got;
	int rc = 0;

	if (!buf)
		return fail("cat", TEE_ERROR_OUT_OF_MEMORY);
	res = tstore_open_obj(s, ta, id, len, &o);
	while (!res) {
		res = tstore_read(o, pos, buf, CHUNK, &got);
		if (res || !got)
			break;
		if (fwrite(buf, 1, got, stdout) != got) {
			fprintf(stderr, "tsfs: stdout: %s\n", strerror(errno));
			rc = 1;
			break;
		}
		pos += got;
	}
	if (res)
		rc = fail("cat", res);
	tstore_release(o);
	free(buf);
	return rc;
}

static int cmd_put(struct tstore *s, const TEE_UUID *ta, const uint8_t *id,
		   size_t len, const char *file)
{
	static const struct tstore_head head = {.object_type = 0xA00000BF,
						.object_usage = 0xFFFFFFFF};
	FILE *in = file && strcmp(file, "-") ? fopen(file, "rb") : stdin;
	struct tstore_obj *o = NULL;
	uint8_t *buf = malloc(CHUNK);
	uint64_t pos = 0;
	TEE_Result res = TEE_ERROR_OUT_OF_MEMORY;
	size_t n;

	if (!in) {
		fprintf(stderr, "tsfs: %s: %s\n", file, strerror(errno));
		free(buf);
		return 1;
	}
	/* The first chunk goes with the create; the rest, chunk by chunk. */
	if (buf) {
		n = fread(buf, 1, CHUNK, in);
		res = tstore_create(s, ta, id, len, &head, NULL, 0, buf, n,
				    true, &o);
		pos = n;
	}
	while (!res && !feof(in) && !ferror(in)) {
		n = fread(buf, 1, CHUNK, in);
		if (n)
			res = tstore_write(o, pos, buf, n);
		pos += n;
	}
	if (!res && ferror(in)) {
		fprintf(stderr, "tsfs: read error on input\n");
		res = TEE_ERROR_GENERIC;
	}
	tstore_release(o);
	free(buf);
	if (in != stdin)
		fclose(in);
	return res ? fail("put", res) : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"huk-file", required_argument, NULL, 'k'},
	    {"huk-zero", no_argument, NULL, 'z'},
	    {"teed-state", required_argument, NULL, 't'},
	    {"no-compat", no_argument, NULL, 'n'},
	    {"hash32", no_argument, NULL, '3'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *dir = NULL, *teed_state = NULL, *cmd;
	struct tsfs_teed *teed = NULL;
	uint8_t huk[32], id[TSTORE_ID_MAX];
	size_t huk_len = 0, id_len = 0;
	bool have_huk = false, compat = true, hash_compat = true, has_ta;
	struct tstore_config cfg;
	struct backend *be = NULL;
	struct tstore *s = NULL;
	TEE_UUID ta;
	TEE_Result res;
	int c, rc = 2;

	while ((c = getopt_long(argc, argv, "d:k:zt:n3h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'k':
			if (load_huk(optarg, huk, &huk_len))
				return 2;
			have_huk = true;
			break;
		case 'z':
			memset(huk, 0, 16);
			huk_len = 16;
			have_huk = true;
			break;
		case 't':
			teed_state = optarg;
			break;
		case 'n':
			compat = false;
			break;
		case '3':
			hash_compat = false;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!dir || (!have_huk && !teed_state) || optind >= argc) {
		fprintf(stderr, "tsfs: %s\n",
			!dir ? "--dir is required"
			: (!have_huk && !teed_state)
			    ? "--huk-file, --huk-zero or --teed-state is "
			      "required"
			    : "no command");
		usage(stderr);
		return 2;
	}
	cmd = argv[optind++];
	has_ta = optind < argc;
	if (has_ta && !uuid_parse(argv[optind], &ta)) {
		fprintf(stderr, "tsfs: %s: not a UUID\n", argv[optind]);
		return 2;
	}
	if (has_ta)
		optind++;
	if (!strcmp(cmd, "cat") || !strcmp(cmd, "put") || !strcmp(cmd, "rm")) {
		if (!has_ta || optind >= argc ||
		    !parse_id(argv[optind], id, &id_len)) {
			fprintf(stderr,
				"tsfs: %s needs UUID and a valid ID "
				"(at most 64 bytes)\n",
				cmd);
			return 2;
		}
		optind++;
	} else if (strcmp(cmd, "ls") && strcmp(cmd, "verify")) {
		fprintf(stderr, "tsfs: unknown command %s\n", cmd);
		usage(stderr);
		return 2;
	}

	if (strcmp(cmd, "put")) {
		char path[4096];

		/* Reading commands never create a store. */
		snprintf(path, sizeof(path), "%s/dirf.db", dir);
		if (access(path, F_OK)) {
			fprintf(stderr, "tsfs: %s: %s\n", path,
				strerror(errno));
			return 1;
		}
	}
	if (teed_state) {
		teed = tsfs_teed_open(teed_state);
		if (!teed)
			return 1;
		if (!have_huk && load_teed_huk(teed_state, huk, &huk_len)) {
			tsfs_teed_close(teed);
			return 1;
		}
	}
	res = backend_posix_open(dir, &be);
	if (res) {
		tsfs_teed_close(teed);
		return fail(dir, res);
	}
	tstore_config_init(&cfg, huk, huk_len);
	cfg.subkey_compat = compat;
	cfg.hash_size_compat = hash_compat;
	if (teed)
		res = tsfs_teed_anchor(teed, huk, huk_len, &cfg.anchor);
	if (!res)
		res = tstore_open(be, &cfg, &s);
	secmem_wipe(huk, sizeof(huk));
	if (res) {
		backend_destroy(be);
		tsfs_teed_close(teed);
		return fail("opening dirf.db", res);
	}
	if (!strcmp(cmd, "ls"))
		rc = cmd_ls(s, has_ta ? &ta : NULL, false);
	else if (!strcmp(cmd, "verify"))
		rc = cmd_ls(s, has_ta ? &ta : NULL, true);
	else if (!strcmp(cmd, "cat"))
		rc = cmd_cat(s, &ta, id, id_len);
	else if (!strcmp(cmd, "put"))
		rc = cmd_put(s, &ta, id, id_len,
			     optind < argc ? argv[optind] : NULL);
	else if (!strcmp(cmd, "rm"))
		rc = (res = tstore_remove_id(s, &ta, id, id_len))
			 ? fail("rm", res)
			 : 0;
	tstore_close(s);
	backend_destroy(be);
	tsfs_teed_close(teed);
	return rc;
}
