/*
 * teed's side of the supplicant channel (docs/protocol-supplicant.md): a
 * listener on the supplicant socket that attaches one tee-supplicant at a
 * time, the storage backend over its RPC (backend.h, kind "rpc") and the
 * legacy RPMB RPC.
 *
 * The link keeps working across supplicant deaths: while none is attached
 * every call fails with TEE_ERROR_STORAGE_NOT_AVAILABLE; when a new one
 * attaches, calls work again, and backend handles opened before are
 * reopened by name on their next use (see backend_rpc.c).
 *
 * Thread safety: any number of threads may call at once. One mutex is held
 * for a whole round trip (request, wait, answer), so requests reach the
 * single-threaded supplicant one at a time and the shared-memory window
 * belongs to one request at a time; request ids still tag every message
 * so that an answer that is not the one awaited is detected. A supplicant
 * that does not answer within the timeout is cut off (it may still write
 * into the old window: the next one gets a fresh window).
 */
#ifndef TEESTORE_SUPPL_LINK_H
#define TEESTORE_SUPPL_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "tee_api_types.h"

struct suppl_link;

struct suppl_link_opts {
	/* Answer timeout; 0: $TEESTORE_SUPPL_TIMEOUT_MS or 30000. */
	int timeout_ms;
	/* Shared-memory window per connection; 0: SUPPL_SHM_DEFAULT. */
	size_t shm_size;
};

/*
 * Listens on socket_path (replacing a stale socket file; mode 0600) and
 * starts the listener thread. Returns 0 or -errno.
 */
int suppl_link_start(const char *socket_path, struct suppl_link **out);
int suppl_link_start_opts(const char *socket_path,
			  const struct suppl_link_opts *opts,
			  struct suppl_link **out);

/*
 * Waits up to timeout_ms (-1: forever) for a supplicant to be attached.
 * Returns 0 when one is, -ETIMEDOUT otherwise.
 */
int suppl_link_wait(struct suppl_link *l, int timeout_ms);

/*
 * The backend over the RPC. Owned by the link: valid until
 * suppl_link_stop(); its destroy() does nothing.
 */
struct backend *suppl_link_backend(struct suppl_link *l);

/*
 * OP-TEE's legacy RPMB RPC. cmd SUPPL_RPMB_CMD_DATA (0): req holds
 * req_len/512 request frames, resp receives resp_len/512 response frames;
 * cmd SUPPL_RPMB_CMD_INFO (1): req_len 0, resp receives the 19-byte device
 * info (cid[16], rpmb_size_mult, rel_wr_sec_c, ret_code). The device's
 * verdict is inside the frames; the result says whether the RPC worked.
 */
TEE_Result suppl_link_rpmb(struct suppl_link *l, uint32_t cmd, uint16_t dev_id,
			   const void *req, size_t req_len, void *resp,
			   size_t resp_len);

struct suppl_link_stats {
	uint64_t round_trips; /* requests answered */
	uint64_t attaches;    /* supplicants attached so far */
	uint64_t refused;     /* connections refused */
	uint64_t combined;    /* submits sent in another thread's request */
};

void suppl_link_get_stats(struct suppl_link *l, struct suppl_link_stats *st);

/* Cuts off the current supplicant (tests: as if it had misbehaved). */
void suppl_link_detach(struct suppl_link *l);

/* Stops the listener, cuts off the supplicant, removes the socket file. */
void suppl_link_stop(struct suppl_link *l);

#endif
