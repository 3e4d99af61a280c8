/*
 * Internals of teed's TA side (core/ta_iface.h is its public face).
 *
 * A TA instance is one teestore-ta-host process and its channel. At most
 * one call is in flight on an instance: the thread that holds the channel
 * ("busy") sends the request and reads everything the TA sends until the
 * reply, serving the TA's syscalls on the way; other callers queue on the
 * instance's condition variable. A dead instance (process gone, protocol
 * broken) answers TARGET_DEAD to every call and is never found again by a
 * new session. Locks: ta_g.lock before inst->lock before inst->send_lock.
 */
#ifndef TEESTORE_TA_SIDE_H
#define TEESTORE_TA_SIDE_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "ta_iface.h"
#include "ta_msg.h"
#include "uuid.h"
#include "wire.h"

#define TA_SHM_CACHE_SLOTS    16
#define TA_SESSIONS_MAX	      64    /* per instance; the runtime's limit */
#define TA_START_TIMEOUT_MS   30000 /* HELLO + PROPS from a new process */
#define TA_DESTROY_TIMEOUT_MS 5000

/* Shared memory the TA has mapped, under a key (ta_shm_cache.c). */
struct ta_shm_slot {
	struct tee_shm *shm; /* holds a reference; NULL: free slot */
	uint32_t key;
	uint64_t last_use;
	bool in_call; /* referenced by the call being built */
	bool is_new;  /* added by it: the TA does not know the key yet */
};

struct ta_shm_cache {
	struct ta_shm_slot slot[TA_SHM_CACHE_SLOTS];
	uint32_t next_key;
	uint64_t clock;
	uint32_t evict[TA_MSG_MAX_EVICT];
	uint32_t nevict;
};

struct ta_instance {
	/* Set before the instance is shared, then read-only. */
	TEE_UUID uuid;
	char name[UUID_STR_LEN + 1];
	uint32_t flags; /* TA_FLAG_* */
	pid_t pid;

	/* sock is closed (and set to -1) only with send_lock held. */
	pthread_mutex_t send_lock;
	int sock;

	pthread_mutex_t lock; /* protects the fields below */
	pthread_cond_t cv;    /* signalled when busy drops */
	bool busy;
	bool dead;
	bool reaped;
	unsigned refs; /* sessions, openers, registry (keep-alive) */
	unsigned nsessions;
	unsigned opening;
	bool registry_ref;
	uint32_t next_session_id;
	uint32_t next_req_id;
	struct ta_session *active; /* whose call is in flight */
	uint32_t active_req;

	/* Owned by the thread holding the channel (busy). */
	struct ta_shm_cache cache;
	uint8_t *rxbuf;
	uint8_t *txbuf;
	/*
	 * Trusted storage context (ta_storage_syscall.c): made before the
	 * instance is shared, used by the channel holder, freed at death.
	 */
	struct ta_storage *storage;

	struct ta_instance *next; /* ta_g.list, under ta_g.lock */
};

struct ta_session {
	struct ta_instance *inst;
	uint32_t id;
	struct ta_client_identity client;
	unsigned waiting;    /* calls queued for the channel (inst->lock) */
	bool cancel_pending; /* for the next queued call (inst->lock) */
	bool opening;	     /* its OPEN_SESSION is watched (inst->lock) */
};

/* Global state of the TA side (ta_config.c). */
struct ta_loading {
	TEE_UUID uuid;
	struct ta_loading *next;
};

struct ta_global {
	pthread_mutex_t lock; /* protects everything below */
	pthread_cond_t loaded;
	bool up;
	struct ta_instance *list;
	size_t count;
	struct ta_loading *loading;
	size_t max_instances;
	char ta_dir[PATH_MAX];
	char host[PATH_MAX];
};

extern struct ta_global ta_g;

static inline bool ta_flag(const struct ta_instance *i, uint32_t f)
{
	return (i->flags & f) != 0;
}

/* ta_instance.c */
#define TA_RES_RETRY 0xFFFFFFFFU /* internal: instance died before use */
TEE_Result ta_inst_get(const TEE_UUID *uuid, struct ta_instance **out,
		       uint32_t *origin);
void ta_inst_put(struct ta_instance *inst);
/*
 * Marks the instance dead, closes the channel and reaps the process
 * (kill_now: SIGKILL first, for a TA that broke the protocol). why, if
 * not NULL, is logged. Called by the channel holder or the last owner.
 */
void ta_inst_kill(struct ta_instance *inst, const char *why, bool kill_now);

/* ta_spawn.c */
int ta_spawn(const char *host, const char *ta_path, pid_t *pid, int *sock);
/* Waits (up to timeout_ms, -1 forever) for one message. 0 or -errno. */
int ta_recv_timeout(int sock, struct ipc_msg *m, void *buf, size_t cap,
		    int timeout_ms);
/*
 * Reaps pid, killing it first (kill_now) or if it does not exit within
 * 200 ms; logs an abnormal end (a crash shows its signal).
 */
void ta_reap(const char *name, pid_t pid, bool kill_now);

/*
 * ta_call.c: one request on the channel (waits for it, sends, serves
 * syscalls, reads the reply). type is TA_MSG_CREATE, _OPEN_SESSION,
 * _INVOKE, _CLOSE_SESSION or _DESTROY; s may be NULL for CREATE/DESTROY.
 */
TEE_Result ta_call(struct ta_instance *inst, struct ta_session *s,
		   uint32_t type, uint32_t cmd, struct ta_params *params,
		   uint32_t *origin);

/* ta_syscall.c: serves one SYSCALL; writes the answer into out. */
TEE_Result ta_syscall_dispatch(struct ta_instance *inst, struct ta_session *s,
			       uint32_t nr, const uint8_t *args, size_t len,
			       struct wire_wr *out);

/*
 * ta_storage_syscall.c: the instance's gpstore client (attach after PROPS,
 * detach at death: releases its handles), the storage syscall range, and
 * the gpd.tee.trustedStorage.* properties (0 without a gpstore).
 */
TEE_Result ta_storage_attach(struct ta_instance *inst);
void ta_storage_detach(struct ta_instance *inst);
TEE_Result ta_sys_storage(struct ta_instance *inst, struct ta_session *s,
			  uint32_t nr, const uint8_t *args, size_t len,
			  struct wire_wr *out);
size_t ta_storage_props(const char *names[], uint32_t values[], size_t max);

/* ta_shm_cache.c (owned by the busy holder) */
void ta_shm_cache_begin(struct ta_shm_cache *c);
/* Key of shm on the instance; *is_new when its fd must ride along. */
int ta_shm_cache_lookup(struct ta_shm_cache *c, struct tee_shm *shm,
			uint32_t *key, bool *is_new);
/*
 * The shm the TA knows under key (storage syscalls naming client memory),
 * NULL if none. The cache keeps its reference.
 */
struct tee_shm *ta_shm_cache_find(const struct ta_shm_cache *c, uint32_t key);
/* Undoes the slots added by a call that was not sent. */
void ta_shm_cache_abort(struct ta_shm_cache *c);
/* The call went out: the evictions and new keys are the TA's now. */
void ta_shm_cache_sent(struct ta_shm_cache *c);
void ta_shm_cache_clear(struct ta_shm_cache *c);

#endif
