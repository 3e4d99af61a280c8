/*
 * tee-supplicant's RPMB service: OP-TEE's legacy RPMB RPC (data request,
 * device info) served by the emulated eMMC RPMB device (rpmb/rpmb_dev.h).
 * Built only when supplicant/rpmb/ is present (TEESTORE_HAVE_RPMB).
 */
#ifndef TEESTORE_SUPPL_RPMB_H
#define TEESTORE_SUPPL_RPMB_H

#include "suppl_server.h"

struct rpmb_dev;

/* A suppl_rpmb_fn; arg is the struct rpmb_dev *. */
TEE_Result suppl_rpmb_serve(void *arg, const struct suppl_req *req,
			    uint8_t *shm, uint8_t info[SUPPL_RPMB_INFO_LEN]);

#endif
