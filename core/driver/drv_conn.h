/*
 * One client connection inside teed (private to core/driver). Threads
 * wait for the socket in epoll_wait on the connection's epoll set, where
 * the socket is armed EPOLLONESHOT: each incoming message wakes exactly
 * one thread, which reads it. A quick request (VERSION, SHM_*, CANCEL) is
 * handled before the socket is re-armed, so they stay in order; a request
 * that may block in a TA (OPEN_SESSION, INVOKE, CLOSE_SESSION) re-arms the
 * socket first, so CANCEL and further calls are read while it runs by
 * another thread of the connection (started on demand, bounded). Nobody
 * is woken until a message actually arrives: a lone client's calls cost
 * no thread switch inside teed. The last thread to leave a closed
 * connection closes its sessions, frees its shared memory and the
 * connection.
 */
#ifndef TEESTORE_DRV_CONN_H
#define TEESTORE_DRV_CONN_H

#include <pthread.h>
#include <stdbool.h>

#include "driver.h"
#include "drv_cred.h"
#include "drv_shm.h"

/* An OPEN_SESSION or INVOKE in flight, findable by CANCEL. */
struct drv_call {
	struct drv_call *next;
	uint32_t session_id; /* 0 while a session is being opened */
	uint32_t cancel_id;
	struct ta_session *ts; /* NULL while opening */
	bool cancelled;
};

struct drv_session {
	uint32_t id;
	struct ta_session *ts;
	unsigned calls; /* calls in flight on it */
	bool closing;	/* CLOSE_SESSION seen: no new calls */
};

struct drv_conn {
	int sock;
	struct drv_cred cred;
	const struct driver_limits *lim;

	pthread_mutex_t lock;	 /* protects everything below */
	pthread_cond_t drain_cv; /* a session's calls finished */
	int ep;			 /* epoll set: sock (oneshot), closefd */
	int closefd;		 /* eventfd, readable once closing */
	bool said_hello;	 /* the first thread took the HELLO */
	bool closing;
	unsigned nthreads, nidle; /* nidle: threads in epoll_wait */

	struct drv_shm_table shm;
	uint64_t call_bytes; /* temporary memrefs of calls in flight */
	struct drv_session **sess;
	size_t nsess, capsess;
	uint32_t opening; /* OPEN_SESSIONs in flight */
	struct drv_call *calls;

	struct drv_conn *next; /* driver's list of connections */
};

/* Starts serving an accepted socket (takes ownership). Returns 0/-errno. */
int drv_conn_start(int sock, const struct driver_limits *lim);

/*
 * Sends a reply; a failure (the client is gone or has not read its
 * replies for SEND_TIMEOUT_S) closes the connection. c->lock not held.
 */
void drv_conn_send(struct drv_conn *c, uint32_t type, uint32_t id,
		   const void *p, size_t len, const int *fds, size_t nfds);

/* Marks the connection closing; conn->lock must be held. */
void drv_conn_close_locked(struct drv_conn *c);

/* Handles one decoded request and replies (drv_dispatch.c). */
struct drv_req;
void drv_dispatch(struct drv_conn *c, struct drv_req *req, int *fds,
		  struct drv_call *call);

/* Registered by drv_listen.c: list membership and stats. */
void drv_listen_add(struct drv_conn *c);
void drv_listen_remove(struct drv_conn *c);

#endif
