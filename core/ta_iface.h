/*
 * The seam inside teed between its client side (driver ABI, sessions of
 * client connections: core/driver/) and its TA side (TA instances in
 * sandboxed processes: core/ta_*.c). The client side turns driver messages
 * into these calls; the TA side finds or starts the TA instance and
 * carries the call to it.
 *
 * Memory references are always (shared memory object, offset, size), as
 * in Linux's TEE ABI: libteec turns temporary and registered memrefs into
 * shared memory before the call, so the TA side sees one kind only.
 */
#ifndef TEESTORE_TA_IFACE_H
#define TEESTORE_TA_IFACE_H

#include <stdatomic.h>
#include <stdint.h>

#include "tee_api_types.h"

/*
 * A shared memory object of a client: a memfd of `size` bytes. Reference
 * counted: the client's registry holds one reference, each call in flight
 * that uses it holds one. The TA side passes fd to the TA process, which
 * maps it; nobody trusts anything in the contents.
 */
struct tee_shm {
	int fd;
	uint64_t size;
	uint64_t id; /* the client's handle for it */
	atomic_uint refs;
};

void tee_shm_get(struct tee_shm *shm);
/* Drops a reference; the last one closes fd and frees. */
void tee_shm_put(struct tee_shm *shm);

struct ta_param {
	uint32_t type; /* TEE_PARAM_TYPE_* */
	union {
		struct {
			uint32_t a;
			uint32_t b;
		} value;
		struct {
			struct tee_shm *shm; /* NULL: a null memref */
			uint64_t offs;
			uint64_t
			    size; /* in: given size; out: size the TA set */
		} memref;
	} u;
};

struct ta_params {
	struct ta_param p[TEE_NUM_PARAMS];
};

/* Identity of the client, established by teed from socket credentials. */
struct ta_client_identity {
	uint32_t login; /* TEE_LOGIN_* */
	TEE_UUID uuid;	/* derived from login method, uid/gid, exe */
	uint32_t pid, uid, gid;
};

struct ta_session;

/*
 * Opens a session on the TA with this UUID: loads it (<uuid>.ta in the TA
 * directory) and starts an instance if needed, honouring
 * TA_FLAG_SINGLE_INSTANCE / MULTI_SESSION / INSTANCE_KEEP_ALIVE.
 * On failure *origin says who failed (TEE_ORIGIN_TEE or _TRUSTED_APP).
 * Values and memref sizes in params are updated on return.
 *
 * ta_open_session_watched also lets the caller cancel the opening session (GP:
 * TEEC_RequestCancellation of a TEEC_OpenSession): started(arg, s) is called
 * just before the TA's open entry point runs, and from then on
 * ta_request_cancel(s) reaches it (or the open, if the TA has not been called
 * yet); ended(arg, s) right after it returned, before s may be freed: the
 * caller must not pass s to ta_request_cancel after ended() returned. Both run
 * on the opening thread, once per attempt (an instance found dying is
 * replaced).
 */
struct ta_open_watch {
	void (*started)(void *arg, struct ta_session *s);
	void (*ended)(void *arg, struct ta_session *s);
	void *arg;
};

TEE_Result ta_open_session_watched(const TEE_UUID *uuid,
				   const struct ta_client_identity *client,
				   struct ta_params *params, uint32_t *origin,
				   struct ta_session **out,
				   const struct ta_open_watch *w);

static inline TEE_Result
ta_open_session(const TEE_UUID *uuid, const struct ta_client_identity *client,
		struct ta_params *params, uint32_t *origin,
		struct ta_session **out)
{
	return ta_open_session_watched(uuid, client, params, origin, out, NULL);
}

/* Blocks until the TA answers, the instance dies (TARGET_DEAD) or ... */
TEE_Result ta_invoke(struct ta_session *s, uint32_t cmd,
		     struct ta_params *params, uint32_t *origin);

/* Sets the cancellation flag seen by the call in flight (if any). */
void ta_request_cancel(struct ta_session *s);

/* Closes the session (CloseSessionEntryPoint) and frees s. */
void ta_close_session(struct ta_session *s);

/* Starts and stops the TA side (TA directory, limits). */
struct ta_config {
	const char *ta_dir;
	size_t max_instances;
	/*
	 * Added by the TA side: path of teestore-ta-host; NULL means the
	 * TEESTORE_TA_HOST environment variable, else the one of this build.
	 */
	const char *ta_host;
};
int ta_side_init(const struct ta_config *cfg);
void ta_side_shutdown(void);

/*
 * Trusted storage for TAs (added with it, docs/gp-storage-ta.md): the GP
 * object layer that instances started from now on use (each gets its own
 * client of g, destroyed when the instance ends). NULL: no storage (TAs
 * get ITEM_NOT_FOUND). g must outlive every instance started with it:
 * call ta_side_shutdown() before gpstore_destroy().
 */
struct gpstore;
void ta_side_set_storage(struct gpstore *g);

#endif
