/*
 * An rpmb_transport straight on the emulated device (supplicant/rpmb):
 * for tests, benchmarks and offline tools, without a supplicant between.
 */
#ifndef TEESTORE_RPMBFS_DEV_TRANSPORT_H
#define TEESTORE_RPMBFS_DEV_TRANSPORT_H

#include "rpmb_dev.h"
#include "rpmbfs.h"

/* t->arg = d; d stays the caller's. */
void rpmbfs_dev_transport(struct rpmb_dev *d, struct rpmb_transport *t);

#endif
