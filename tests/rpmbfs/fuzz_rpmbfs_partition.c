/*
 * Fuzz target: a partition image the RPMB FS did not write (another TEE
 * with the same key, an older OP-TEE, a bug): the input becomes the first
 * blocks of a 128 KiB emulated device (header, FAT, anything), written
 * with the right key, then the FS mounts, lists, opens, reads, writes
 * and creates. Nothing may crash or read out of bounds; errors are fine.
 */
#include <stdlib.h>
#include <string.h>

#include "crash_io.h"
#include "keys.h"
#include "log.h"
#include "rfs_support.h"
#include "rpmb_dev_test.h"
#include "rpmb_host.h"
#include "rpmbfs_dev_transport.h"

#define MAX_BLOCKS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(struct rpmbfs *fs)
{
	static const struct tstore_head h = {0,		  0,	       0,
					     0xffffffffu, 0xa00000bfu, 0};
	uint8_t id[64], buf[600];
	struct rpmbfs_obj *o;
	uint64_t cursor = 0;
	struct tstore_info info;
	size_t len, got;
	TEE_UUID ta;
	int n = 0;

	while (n++ < 40 && rpmbfs_enum_next(fs, NULL, &cursor, &ta, id, &len) ==
			       TEE_SUCCESS) {
		if (rpmbfs_open_obj(fs, &ta, id, len, &o))
			continue;
		rpmbfs_info(o, &info);
		rpmbfs_read(o, 0, buf, sizeof(buf), &got);
		rpmbfs_read_attrs(o, buf, sizeof(buf), &got);
		rpmbfs_write(o, 3, "fuzz", 4);
		rpmbfs_write(o, 5000, "grow", 4);
		rpmbfs_truncate(o, 1);
		rpmbfs_release(o);
	}
	rpmbfs_raw_read(fs, "dirfile.db.hash", buf, sizeof(buf), &got);
	rpmbfs_create(fs, &rfs_ta, "new", 3, &h, NULL, 0, buf, 300, true, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpmb_dev_config cfg = {
	    .size_mult = 1, .rel_wr_sec_c = 4, .create = true};
	uint8_t key[32], info[RPMB_DEV_INFO_SIZE];
	uint8_t img[MAX_BLOCKS * 256];
	struct crash_disk *disk = crash_disk_new();
	struct rpmb_dev *d = NULL;
	struct rpmbfs *fs = NULL;
	struct rfs_link l;
	uint32_t counter = 0, blk;

	log_set_level(LOG_LEVEL_ERROR);
	if (!disk || rpmb_dev_open_io(crash_disk_io(disk), &cfg, &d)) {
		crash_disk_free(disk);
		return 0;
	}
	rfs_link_init(&l, d);
	if (rfs_mount(&l, true, &fs) == TEE_SUCCESS)
		rpmbfs_close(fs); /* provisioned and formatted */
	fs = NULL;
	memset(img, 0, sizeof(img));
	if (size > sizeof(img))
		size = sizeof(img);
	memcpy(img, data, size);
	rpmb_dev_get_info(d, info);
	keys_derive_rpmb_key(rfs_huk, sizeof(rfs_huk), info, true, key);
	host_read_counter(d, key, &counter);
	for (blk = 0; blk * 256 < size; blk += 8)
		host_write(d, key, (uint16_t)blk, img + blk * 256, 8, &counter);
	if (rfs_mount(&l, false, &fs) == TEE_SUCCESS) {
		exercise(fs);
		rpmbfs_close(fs);
	}
	rfs_link_free(&l);
	rpmb_dev_close(d);
	crash_disk_free(disk);
	return 0;
}
