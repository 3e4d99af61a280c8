/* What rpmb_dev.c and rpmb_dev_open.c share, nobody else. */
#ifndef TEESTORE_RPMB_DEV_INTERNAL_H
#define TEESTORE_RPMB_DEV_INTERNAL_H

#include "rpmb_dev.h"
#include "rpmb_store.h"

/* The geometry a new device gets from cfg (defaults filled in). */
int rpmb_dev_config_geometry(const struct rpmb_dev_config *cfg,
			     struct rpmb_store_geometry *g);

#endif
