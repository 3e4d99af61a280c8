/*
 * Internal interface of teestore-ta-host, the program that hosts one TA
 * instance: it loads the .ta, locks itself down (sandbox.c), then serves
 * teed's requests (dispatch.c) by calling the TA's entry points on the
 * TA's own stack (stack.c). The GP functions the TA calls live in the
 * other files of this folder and share the state below. The process is
 * single-threaded: nothing here needs a lock.
 */
#ifndef TEESTORE_TA_RUNTIME_H
#define TEESTORE_TA_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc.h"
#include "ta_msg.h"
#include "tee_api_types.h"
#include "user_ta_header.h"

#define RT_MAX_SESSIONS 64
#define RT_SHM_SLOTS	32
#define RT_MAX_SEGS	16
/*
 * Runtime functions (formatting, channel I/O) run on the TA's stack too,
 * where in OP-TEE they would run in the kernel: this much is added to
 * TA_STACK_SIZE so that a TA keeps the stack its header asks for.
 */
#ifdef TEESTORE_SANITIZE
#define RT_STACK_RESERVE (256 * 1024)
#else
#define RT_STACK_RESERVE (32 * 1024)
#endif

/* Exit statuses of the host process (teed logs them). */
#define RT_EXIT_OK    0
#define RT_EXIT_USAGE 2
#define RT_EXIT_PROTO 3
#define RT_EXIT_PANIC 4
#define RT_EXIT_LOAD  5

typedef TEE_Result (*rt_create_fn)(void);
typedef void (*rt_destroy_fn)(void);
typedef TEE_Result (*rt_open_fn)(uint32_t, TEE_Param *, void **);
typedef void (*rt_close_fn)(void *);
typedef TEE_Result (*rt_invoke_fn)(void *, uint32_t, uint32_t, TEE_Param *);

struct rt_session {
	bool used;
	uint32_t id; /* teed's session id on this instance */
	void *ctx;   /* the TA's sessionContext */
	TEE_Identity client;
	bool cancel_masked;
};

struct rt_segment {
	uintptr_t start, end;
	bool writable;
};

/* A shared memory mapping cached under teed's key (shm_map.c). */
struct rt_shm {
	bool used;
	uint32_t key;
	uint8_t *addr;
	size_t size;
};

struct rt_state {
	int sock;
	const char *path;
	char uuid_str[37];

	/* The loaded TA (loader.c). */
	const struct ta_head *head;
	const struct user_ta_property *props;
	size_t nprops;
	size_t data_size;
	rt_create_fn create;
	rt_destroy_fn destroy;
	rt_open_fn open;
	rt_close_fn close;
	rt_invoke_fn invoke;
	struct rt_segment segs[RT_MAX_SEGS];
	size_t nsegs;

	struct rt_session sessions[RT_MAX_SESSIONS];
	struct rt_shm shm[RT_SHM_SLOTS];

	/* The call in flight, if any. */
	bool in_call;
	uint32_t req_id;
	bool cancel_flag;
	struct rt_session *cur; /* NULL during Create/Destroy */

	const void *instance_data;

	/* teed's bulk buffer for storage transfers (storage_mem.c). */
	uint8_t *bulk; /* NULL: none */
	size_t bulk_size;
};

extern struct rt_state rt;

/* loader.c: dlopen the .ta and read its header. TEE_Result on failure. */
TEE_Result rt_load(const char *path);

/* sandbox.c: the seccomp filter; 0 or -errno. */
int rt_sandbox_enter(void);
/* landlock.c: confines the filesystem to the .ta and the libraries,
 * before loading it. 0, -ENOSYS without Landlock, or -errno. */
int rt_landlock_enter(const char *ta_path);

/* stack.c: the TA's stack; rt_stack_run calls fn(arg) on it. */
int rt_stack_init(size_t size);
void rt_stack_run(void (*fn)(void *), void *arg);
bool rt_stack_contains(uintptr_t start, uintptr_t end);

/* heap.c: the TA heap (TEE_Malloc) of TA_DATA_SIZE bytes. */
int rt_heap_init(size_t size);
bool rt_heap_contains(uintptr_t start, uintptr_t end);

/* shm_map.c */
void rt_shm_evict(uint32_t key);
/* Maps fd (taken) under key; 0 or -errno. */
int rt_shm_add(uint32_t key, int fd, uint64_t size);
struct rt_shm *rt_shm_find(uint32_t key);
/* 1: [start,end) inside a shm mapping, -1: overlaps one, 0: neither. */
int rt_shm_check(uintptr_t start, uintptr_t end);
/* The shm mapping holding all of [start,end), NULL if none does. */
struct rt_shm *rt_shm_locate(uintptr_t start, uintptr_t end);

/* storage_mem.c: maps teed's bulk buffer (fd taken). */
void rt_bulk_map(int fd, uint32_t size);

/* dispatch.c: serves teed until DESTROY; never returns. */
void rt_serve(void) __attribute__((noreturn));

/*
 * channel.c: waits up to timeout_ms (-1: forever) for a message from teed
 * during a call; a CANCEL for the call sets rt.cancel_flag. Returns 1 if
 * a SYSCALL_REPLY arrived (decoded into *rep, data copied to buf), 0 on
 * timeout or after a CANCEL. A protocol violation ends the process.
 */
int rt_chan_poll(int timeout_ms, struct ta_msg_req *rep, void *buf, size_t cap);
/* Sends a syscall and waits for its answer (data copied to out). */
TEE_Result rt_syscall(uint32_t nr, const void *args, size_t len, void *out,
		      size_t cap, size_t *out_len);
/* Ends the process: the channel is broken or teed broke the protocol. */
void rt_die_proto(const char *why) __attribute__((noreturn));

/* trace.c: a line to stderr with the TA prefix. */
void rt_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
