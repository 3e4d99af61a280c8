/*
 * One tee-supplicant connection to teed: the HELLO exchange, the shared
 * memory window, then the loop "receive a request, serve it, answer it"
 * (OP-TEE's TEE_IOC_SUPPL_RECV / SUPPL_SEND). Single-threaded: requests
 * are served in the order they arrive. Protocol: suppl_msg.h and
 * docs/protocol-supplicant.md.
 */
#ifndef TEESTORE_SUPPL_SERVER_H
#define TEESTORE_SUPPL_SERVER_H

#include <stdint.h>

#include "suppl_req.h"

/*
 * Serves one RPMB request (req->type == SUPPL_MSG_RPMB, decoded): request
 * frames at shm[0, nreq*512), response frames to follow them; for
 * SUPPL_RPMB_CMD_INFO fills info. Returns a TEE_Result for the answer.
 */
typedef TEE_Result (*suppl_rpmb_fn)(void *arg, const struct suppl_req *req,
				    uint8_t *shm,
				    uint8_t info[SUPPL_RPMB_INFO_LEN]);

struct suppl_server_cfg {
	int dirfd;	    /* the --fs-parent-path directory */
	int stop_fd;	    /* readable = stop (a signalfd), or -1 */
	suppl_rpmb_fn rpmb; /* NULL: RPMB requests get NOT_SUPPORTED */
	void *rpmb_arg;
};

/* What ended suppl_serve(). */
enum suppl_serve_end {
	SUPPL_END_PEER = 0, /* teed closed the connection (or refused us) */
	SUPPL_END_STOP = 1, /* stop_fd became readable */
};

/*
 * Serves the connected socket sock until teed closes it or stop_fd fires.
 * Every handle opened on the connection is closed before it returns.
 * Returns an enum suppl_serve_end, or -errno if the connection broke
 * (-EPROTO: wrong magic or version in HELLO).
 */
int suppl_serve(int sock, const struct suppl_server_cfg *cfg);

#endif
