/*
 * Inside the supplicant link: the state shared by the listener
 * (suppl_link.c), the RPC backend (backend_rpc.c) and the RPMB RPC
 * (rpmb_rpc.c). Not for use outside core/suppl/.
 */
#ifndef TEESTORE_SUPPL_LINK_INT_H
#define TEESTORE_SUPPL_LINK_INT_H

#include <pthread.h>
#include <stdbool.h>

#include "shm.h"
#include "suppl_link.h"
#include "suppl_msg.h"

/* A backend handle: a name, and where it is open on which connection. */
struct rpc_handle {
	bool used;
	bool orphan;	 /* its name was removed or renamed over */
	uint64_t gen;	 /* connection it is open on (0: none) */
	uint32_t remote; /* the supplicant's handle on that connection */
	char name[SUPPL_NAME_MAX + 1];
};

/* Where one op (or the part of it that fits the window) went in a SUBMIT. */
struct rpc_piece {
	uint32_t op;	 /* index in the caller's ops */
	uint32_t len;	 /* bytes of this piece (READ/WRITE) */
	uint64_t op_off; /* offset of the piece inside the op's buffer */
	uint32_t shm_off;
};

struct rpc_member;

struct suppl_link {
	struct backend be; /* backend_rpc.c; first member */
	char *path;
	int listen_fd;
	int wake_fd; /* eventfd: tells the listener to stop */
	pthread_t thread;
	int timeout_ms;
	size_t shm_size;

	/* Everything below is protected by lock, held per round trip. */
	pthread_mutex_t lock;
	pthread_cond_t attached;
	int sock;	       /* the supplicant, or -1 */
	struct shm_region shm; /* its window */
	uint64_t gen;	       /* connection generation, ++ per attach */
	uint32_t next_id;
	bool stopping;
	struct suppl_link_stats stats;
	struct rpc_handle handles[SUPPL_MAX_HANDLES];
	uint8_t ans[SUPPL_ANSWER_MAX + 16]; /* the last answer's payload */
	uint8_t req[SUPPL_FS_REQ_MAX];	    /* a SUBMIT being built */
	struct rpc_piece pieces[SUPPL_MAX_OPS];

	/* Submits waiting to be combined (backend_rpc.c). qlock is taken
	 * with or without lock, never lock while holding it, and never
	 * across a round trip. */
	pthread_mutex_t qlock;
	struct rpc_member *queue;
};

/*
 * One round trip, with l->lock held: sends a request of the given type and
 * payload, waits for its answer and leaves the answer's payload in
 * l->ans[0, *ans_len). Any failure cuts the supplicant off: no supplicant,
 * death or timeout -> TEE_ERROR_STORAGE_NOT_AVAILABLE; a malformed or
 * unexpected answer -> TEE_ERROR_COMMUNICATION.
 */
TEE_Result suppl_link_call(struct suppl_link *l, uint32_t type, const void *req,
			   size_t len, size_t *ans_len);

/* Cuts the supplicant off (l->lock held); why goes to the log. */
void suppl_link_drop(struct suppl_link *l, const char *why);

/*
 * Checks a supplicant's result code: TEE_SUCCESS and the errors a file
 * service may report pass; anything else is a protocol violation and
 * cuts the supplicant off (TEE_ERROR_COMMUNICATION).
 */
TEE_Result suppl_link_check_result(struct suppl_link *l, uint32_t res);

void backend_rpc_init(struct suppl_link *l);

#endif
