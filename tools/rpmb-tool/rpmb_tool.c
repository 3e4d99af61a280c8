/*
 * rpmb-tool: inspect (and create) the backing file of tee-supplicant's
 * emulated RPMB device. Inspection opens the file read-only under a shared
 * lock, so it refuses a file a running supplicant holds, and never writes
 * (an unfinished commit is shown as the next open will complete it). The
 * authentication key is never printed. File format: docs/rpmb-device.md.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "rpmb_dev.h"
#include "rpmb_io.h"
#include "rpmb_store.h"

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: rpmb-tool --file FILE COMMAND [ARGS]\n"
	    "\n"
	    "Inspects the file of tee-supplicant's emulated RPMB device.\n"
	    "\n"
	    "commands:\n"
	    "  info                   geometry, CID, key state, counter\n"
	    "  read-counter           the write counter, in decimal\n"
	    "  dump [BLOCK [COUNT]]   hex dump of COUNT (default 1) raw\n"
	    "                         256-byte blocks from BLOCK (default 0)\n"
	    "  create [SIZE_MULT [REL_WR_SEC_C]]\n"
	    "                         make a new device (default 32 x 128 "
	    "KiB,\n"
	    "                         64 sectors per reliable write)\n"
	    "\n"
	    "options:\n"
	    "  -f, --file FILE        the device file (required)\n"
	    "  -h, --help             this text\n");
}

static int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *s == '\0' || *end != '\0' || v > max) {
		fprintf(stderr, "rpmb-tool: bad number '%s' (0..%" PRIu32 ")\n",
			s, max);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static int open_store(const char *path, struct rpmb_io **io,
		      struct rpmb_store **s)
{
	int rc = rpmb_io_posix_open(path, true, false, io);

	if (rc) {
		fprintf(stderr, "rpmb-tool: %s: %s%s\n", path, strerror(-rc),
			rc == -EBUSY ? " (is tee-supplicant using it?)" : "");
		return rc;
	}
	rc = rpmb_store_open(*io, true, s);
	if (rc) {
		fprintf(stderr, "rpmb-tool: %s: %s\n", path,
			rc == -EUCLEAN ? "not a valid RPMB device file"
				       : strerror(-rc));
		(*io)->ops->close(*io);
	}
	return rc;
}

static void print_info(const char *path, const struct rpmb_store *s)
{
	const struct rpmb_store_geometry *g = rpmb_store_geometry(s);
	const struct rpmb_store_state *st = rpmb_store_state(s);
	int i;

	printf("file:           %s\n", path);
	printf("size:           %" PRIu32 " x 128 KiB (%" PRIu32
	       " blocks of 256 bytes)\n",
	       g->size_mult, rpmb_store_blocks(s));
	printf("rel_wr_sec_c:   %u (up to %" PRIu32 " frames per write)\n",
	       g->rel_wr_sec_c, rpmb_max_write_blocks(g->rel_wr_sec_c));
	printf("cid:            ");
	for (i = 0; i < RPMB_CID_SIZE; i++)
		printf("%02x", g->cid[i]);
	printf("\nkey:            %s\n",
	       st->key_programmed ? "programmed" : "not programmed");
	printf("write counter:  %" PRIu32 "%s\n", st->write_counter,
	       st->write_counter == RPMB_WRITE_COUNTER_MAX ? " (expired)" : "");
	printf("commit seq:     %" PRIu64 "\n", rpmb_store_seq(s));
}

static int dump(struct rpmb_store *s, uint32_t blk, uint32_t count)
{
	uint8_t buf[RPMB_BLOCK_SIZE];
	uint32_t i, j;
	int rc;

	if (blk > rpmb_store_blocks(s) || count > rpmb_store_blocks(s) - blk) {
		fprintf(stderr,
			"rpmb-tool: blocks %" PRIu32 "+%" PRIu32
			" beyond the %" PRIu32 "-block partition\n",
			blk, count, rpmb_store_blocks(s));
		return -ERANGE;
	}
	for (i = 0; i < count; i++) {
		rc = rpmb_store_read(s, blk + i, 1, buf, RPMB_BLOCK_SIZE);
		if (rc) {
			fprintf(stderr, "rpmb-tool: read: %s\n", strerror(-rc));
			return rc;
		}
		for (j = 0; j < RPMB_BLOCK_SIZE; j += 16) {
			int k;

			printf("%08" PRIx64 ":",
			       (uint64_t)(blk + i) * RPMB_BLOCK_SIZE + j);
			for (k = 0; k < 16; k++)
				printf(" %02x", buf[j + k]);
			printf("\n");
		}
	}
	return 0;
}

static int cmd_create(const char *path, int argc, char **argv)
{
	struct rpmb_dev_config cfg = {.path = path, .create = true};
	struct rpmb_dev *d;
	uint32_t v;
	int rc;

	if (argc > 2)
		return -EINVAL;
	if (argc > 0) {
		if (parse_u32(argv[0], 255, &v) || v == 0)
			return -EINVAL;
		cfg.size_mult = v;
	}
	if (argc > 1) {
		if (parse_u32(argv[1], 255, &v) || v == 0)
			return -EINVAL;
		cfg.rel_wr_sec_c = (uint8_t)v;
	}
	if (access(path, F_OK) == 0) {
		fprintf(stderr, "rpmb-tool: %s exists\n", path);
		return -EEXIST;
	}
	rc = rpmb_dev_open(&cfg, &d);
	if (rc == 0)
		rpmb_dev_close(d);
	return rc;
}

static int cmd_inspect(const char *path, const char *cmd, int argc, char **argv)
{
	struct rpmb_store *s;
	struct rpmb_io *io;
	uint32_t blk = 0, count = 1;
	int rc;

	if (strcmp(cmd, "dump") == 0) {
		if (argc > 2 ||
		    (argc > 0 && parse_u32(argv[0], UINT16_MAX, &blk)) ||
		    (argc > 1 && parse_u32(argv[1], UINT16_MAX + 1u, &count)))
			return -EINVAL;
	} else if (argc > 0) {
		return -EINVAL;
	}
	rc = open_store(path, &io, &s);
	if (rc)
		return rc;
	if (strcmp(cmd, "info") == 0)
		print_info(path, s);
	else if (strcmp(cmd, "read-counter") == 0)
		printf("%" PRIu32 "\n", rpmb_store_state(s)->write_counter);
	else
		rc = dump(s, blk, count);
	rpmb_store_close(s);
	io->ops->close(io);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"file", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *path = NULL, *cmd;
	int c, rc;

	log_init("rpmb-tool");
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!path || optind >= argc) {
		fprintf(stderr, "rpmb-tool: %s\n",
			path ? "missing command" : "--file is required");
		usage(stderr);
		return 2;
	}
	cmd = argv[optind++];
	if (strcmp(cmd, "create") == 0) {
		rc = cmd_create(path, argc - optind, argv + optind);
	} else if (strcmp(cmd, "info") == 0 ||
		   strcmp(cmd, "read-counter") == 0 ||
		   strcmp(cmd, "dump") == 0) {
		rc = cmd_inspect(path, cmd, argc - optind, argv + optind);
	} else {
		fprintf(stderr, "rpmb-tool: unknown command '%s'\n", cmd);
		usage(stderr);
		return 2;
	}
	if (rc == -EINVAL) {
		usage(stderr);
		return 2;
	}
	return rc ? 1 : 0;
}
