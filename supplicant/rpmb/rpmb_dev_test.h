/*
 * Entry points of the emulated RPMB device for tests: open over any
 * rpmb_io (the crash-simulating fake of tests/rpmb/; rpmb_dev_open itself
 * ends here with the POSIX io), and force the write counter (to test
 * counter expiry without 2^32 writes; tee-supplicant never calls it).
 */
#ifndef TEESTORE_RPMB_DEV_TEST_H
#define TEESTORE_RPMB_DEV_TEST_H

#include "rpmb_dev.h"
#include "rpmb_io.h"

/*
 * Like rpmb_dev_open over io (cfg->path unused). An empty io is formatted
 * when cfg->create is set. On success the device owns io and closes it in
 * rpmb_dev_close; on failure io is closed too.
 */
int rpmb_dev_open_io(struct rpmb_io *io, const struct rpmb_dev_config *cfg,
		     struct rpmb_dev **out);

/* Durably sets the write counter (a commit like any other). */
int rpmb_dev_test_set_counter(struct rpmb_dev *d, uint32_t counter);

#endif
