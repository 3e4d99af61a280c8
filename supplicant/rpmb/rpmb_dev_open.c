/*
 * Opening the device file: defaults, the built-in CID and the atomic
 * creation of a new file (format a temporary file, then rename it).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "rpmb_dev.h"
#include "rpmb_dev_internal.h"
#include "rpmb_dev_test.h"
#include "rpmb_store.h"

/* CRC7 (x^7 + x^3 + 1) of the CID's first 15 bytes, as the eMMC has it. */
static uint8_t cid_crc7(const uint8_t *p, size_t len)
{
	uint8_t crc = 0;
	size_t i;
	int bit;

	for (i = 0; i < len; i++) {
		for (bit = 7; bit >= 0; bit--) {
			uint8_t in = (uint8_t)((p[i] >> bit) & 1);
			uint8_t top = (uint8_t)((crc >> 6) & 1);

			crc = (uint8_t)((crc << 1) & 0x7f);
			if (in ^ top)
				crc ^= 0x09;
		}
	}
	return crc;
}

/*
 * A made-up but well-formed CID: manufacturer 0x00, BGA, product name
 * "TSRPMB", revision 1.0, serial 1, January 2024, CRC7. OP-TEE derives
 * the RPMB key from the HUK and the CID, so it must stay the same for a
 * given device file: it is stored in the file at creation.
 */
static void default_cid(uint8_t cid[RPMB_CID_SIZE])
{
	static const uint8_t head[RPMB_CID_SIZE - 1] = {
	    0x00, 0x01, 0x00, 'T',  'S',  'R',	'P',  'M',
	    'B',  0x10, 0x00, 0x00, 0x00, 0x01, 0x11,
	};

	memcpy(cid, head, sizeof(head));
	cid[RPMB_CID_SIZE - 1] =
	    (uint8_t)(cid_crc7(head, sizeof(head)) << 1 | 1);
}

int rpmb_dev_config_geometry(const struct rpmb_dev_config *cfg,
			     struct rpmb_store_geometry *g)
{
	static const uint8_t zero_cid[RPMB_CID_SIZE];

	if (cfg->size_mult > 255)
		return -EINVAL;
	g->size_mult =
	    cfg->size_mult ? cfg->size_mult : RPMB_DEV_DEFAULT_SIZE_MULT;
	g->rel_wr_sec_c =
	    cfg->rel_wr_sec_c ? cfg->rel_wr_sec_c : RPMB_DEV_DEFAULT_REL_WR;
	if (memcmp(cfg->cid, zero_cid, RPMB_CID_SIZE) != 0)
		memcpy(g->cid, cfg->cid, RPMB_CID_SIZE);
	else
		default_cid(g->cid);
	return 0;
}

static int sync_parent_dir(const char *path)
{
	char copy[PATH_MAX];
	int fd, rc = 0;

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return -ENAMETOOLONG;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* Formats path.new and renames it to path: a new device appears whole. */
static int create_file(const struct rpmb_dev_config *cfg)
{
	struct rpmb_store_geometry g;
	struct rpmb_io *io;
	char tmp[PATH_MAX];
	int rc;

	rc = rpmb_dev_config_geometry(cfg, &g);
	if (rc)
		return rc;
	if (snprintf(tmp, sizeof(tmp), "%s.new", cfg->path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	unlink(tmp); /* left over by a crash during an earlier creation */
	rc = rpmb_io_posix_open(tmp, false, true, &io);
	if (rc)
		return rc;
	rc = rpmb_store_format(io, &g);
	io->ops->close(io);
	/* link() fails if another process created path meanwhile. */
	if (rc == 0 && link(tmp, cfg->path) < 0)
		rc = -errno;
	unlink(tmp);
	if (rc == 0)
		rc = sync_parent_dir(cfg->path);
	return rc == -EEXIST ? 0 : rc;
}

int rpmb_dev_open(const struct rpmb_dev_config *cfg, struct rpmb_dev **out)
{
	struct rpmb_io *io;
	int rc;

	if (!cfg || !cfg->path || !out || cfg->size_mult > 255)
		return -EINVAL;
	rc = rpmb_io_posix_open(cfg->path, cfg->read_only, false, &io);
	if (rc == -ENOENT && cfg->create && !cfg->read_only) {
		rc = create_file(cfg);
		if (rc == 0)
			rc = rpmb_io_posix_open(cfg->path, false, false, &io);
	}
	if (rc) {
		log_warnx("rpmb: %s: %s", cfg->path, strerror(-rc));
		return rc;
	}
	return rpmb_dev_open_io(io, cfg, out);
}
