/*
 * A client connection's threads and lifetime: see drv_conn.h for how the
 * threads share the socket.
 */
#include "drv_conn.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "bytes.h"
#include "drv_decode.h"
#include "ipc.h"
#include "log.h"
#include "tee_api_defines.h"

#define HELLO_TIMEOUT_S 5
/* A client that leaves its replies unread this long is cut off. */
#define SEND_TIMEOUT_S 10

static void *conn_thread(void *arg);

/* Starts one more thread of c; c->lock held. Returns 0/-errno. */
static int conn_spawn(struct drv_conn *c)
{
	pthread_attr_t at;
	pthread_t t;
	int rc;

	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&at, 256 * 1024);
	rc = pthread_create(&t, &at, conn_thread, c);
	pthread_attr_destroy(&at);
	if (rc)
		return -rc;
	c->nthreads++;
	return 0;
}

void drv_conn_close_locked(struct drv_conn *c)
{
	struct drv_call *k;

	if (c->closing)
		return;
	c->closing = true;
	/* Wakes a reader blocked in recvmsg and fails further replies. */
	shutdown(c->sock, SHUT_RDWR);
	for (k = c->calls; k; k = k->next) {
		k->cancelled = true;
		if (k->ts)
			ta_request_cancel(k->ts);
	}
	/* Level-triggered and never drained: wakes every waiting thread. */
	if (eventfd_write(c->closefd, 1) < 0)
		log_warn("eventfd");
	pthread_cond_broadcast(&c->drain_cv);
}

void drv_conn_send(struct drv_conn *c, uint32_t type, uint32_t id,
		   const void *p, size_t len, const int *fds, size_t nfds)
{
	int rc = ipc_send(c->sock, type, id, p, len, fds, nfds);

	if (!rc)
		return;
	log_debug("client pid %d: reply not sent (%s), closing",
		  (int)c->cred.pid, strerror(-rc));
	pthread_mutex_lock(&c->lock);
	drv_conn_close_locked(c);
	pthread_mutex_unlock(&c->lock);
}

/* Frees everything once the last thread has left. */
static void conn_destroy(struct drv_conn *c)
{
	size_t i;

	drv_listen_remove(c);
	for (i = 0; i < c->nsess; i++) {
		ta_close_session(c->sess[i]->ts);
		free(c->sess[i]);
	}
	free(c->sess);
	drv_shm_table_clear(&c->shm);
	close(c->sock);
	close(c->ep);
	close(c->closefd);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->drain_cv);
	free(c);
}

static int conn_hello(struct drv_conn *c)
{
	struct timeval tv = {HELLO_TIMEOUT_S, 0}, none = {0, 0};
	int rc;

	/* A client that never says HELLO must not hold a thread forever. */
	setsockopt(c->sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	rc = ipc_send_hello(c->sock, DRV_MAGIC, DRV_VERSION);
	if (!rc)
		rc = ipc_expect_hello(c->sock, DRV_MAGIC, DRV_VERSION);
	setsockopt(c->sock, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
	if (rc)
		log_debug("client pid %d: handshake failed (%s)",
			  (int)c->cred.pid, strerror(-rc));
	return rc;
}

/* Lets the next message in: one waiting thread will get it. */
static void conn_rearm(struct drv_conn *c)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT,
				 .data.u32 = 0};

	if (epoll_ctl(c->ep, EPOLL_CTL_MOD, c->sock, &ev) < 0) {
		log_warn("epoll_ctl");
		pthread_mutex_lock(&c->lock);
		drv_conn_close_locked(c);
		pthread_mutex_unlock(&c->lock);
	}
}

/*
 * Before running a blocking request: make sure a thread will be waiting
 * for the next message (start one within the bound). c->lock held.
 */
static void conn_ensure_waiter(struct drv_conn *c)
{
	if (!c->nidle && c->nthreads < c->lim->max_sessions + 2)
		conn_spawn(c); /* on failure we read again after the call */
}

/*
 * Registers an OPEN_SESSION or INVOKE as in flight before the reader role
 * is handed on, so a CANCEL read right after it finds it. c->lock held.
 */
static struct drv_call *conn_track_call(struct drv_conn *c,
					const struct drv_req *q)
{
	struct drv_call *k;

	if (q->type != DRV_MSG_OPEN_SESSION && q->type != DRV_MSG_INVOKE)
		return NULL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	if (q->type == DRV_MSG_OPEN_SESSION) {
		k->cancel_id = q->u.open.cancel_id;
	} else {
		k->session_id = q->u.invoke.session;
		k->cancel_id = q->u.invoke.cancel_id;
	}
	k->next = c->calls;
	c->calls = k;
	return k;
}

static void reply_error(struct drv_conn *c, uint32_t type, uint32_t id,
			TEE_Result res)
{
	uint8_t p[DRV_REP_STATUS_LEN];
	uint32_t rtype =
	    res == TEE_ERROR_NOT_SUPPORTED ? DRV_MSG_ERROR : type | DRV_REPLY;

	put_le32(p, res);
	put_le32(p + 4, TEE_ORIGIN_COMMS);
	drv_conn_send(c, rtype, id, p, sizeof(p), NULL, 0);
}

/*
 * Reads and runs one request; the socket is armed for us alone. Returns
 * false when the connection ends.
 */
static bool conn_serve_one(struct drv_conn *c, uint8_t *buf)
{
	struct ipc_msg m;
	struct drv_req q;
	struct drv_call *call = NULL;
	TEE_Result res;
	bool blocks;
	int rc = ipc_recv(c->sock, &m, buf, DRV_MAX_MSG);

	if (rc) {
		if (rc != -ECONNRESET)
			log_debug("client pid %d: %s, closing",
				  (int)c->cred.pid, strerror(-rc));
		return false;
	}
	res = drv_decode_request(m.hdr.type, m.hdr.id, m.payload, m.hdr.len,
				 m.nfds, &q);
	if (res) {
		log_debug("client pid %d: bad request type 0x%x: %s",
			  (int)c->cred.pid, m.hdr.type,
			  res == TEE_ERROR_NOT_SUPPORTED ? "unknown type"
							 : "malformed");
		ipc_msg_close_fds(&m);
		reply_error(c, m.hdr.type, m.hdr.id, res);
		conn_rearm(c);
		return true;
	}
	blocks = drv_req_blocks(q.type);
	if (blocks) {
		pthread_mutex_lock(&c->lock);
		call = conn_track_call(c, &q);
		conn_ensure_waiter(c);
		pthread_mutex_unlock(&c->lock);
		conn_rearm(c);
	}
	drv_dispatch(c, &q, m.fds, call);
	if (!blocks) /* quick requests are handled in order */
		conn_rearm(c);
	return true;
}

/* Waits for the socket or for the end. Returns true if the socket is ours. */
static bool conn_wait(struct drv_conn *c)
{
	struct epoll_event ev;
	int n;

	pthread_mutex_lock(&c->lock);
	if (c->closing) {
		pthread_mutex_unlock(&c->lock);
		return false;
	}
	c->nidle++;
	pthread_mutex_unlock(&c->lock);
	do
		n = epoll_wait(c->ep, &ev, 1, -1);
	while (n < 0 && errno == EINTR);
	pthread_mutex_lock(&c->lock);
	c->nidle--;
	if (n < 0)
		drv_conn_close_locked(c);
	n = n == 1 && ev.data.u32 == 0 && !c->closing;
	pthread_mutex_unlock(&c->lock);
	return n;
}

static void *conn_thread(void *arg)
{
	struct drv_conn *c = arg;
	uint8_t buf[DRV_MAX_MSG];
	bool first, last;

	pthread_mutex_lock(&c->lock);
	first = !c->said_hello;
	c->said_hello = true;
	pthread_mutex_unlock(&c->lock);
	/* The first thread shakes hands, then arms the socket for all. */
	if (first) {
		if (conn_hello(c)) {
			pthread_mutex_lock(&c->lock);
			drv_conn_close_locked(c);
			pthread_mutex_unlock(&c->lock);
		} else {
			conn_rearm(c);
		}
	}
	while (conn_wait(c))
		if (!conn_serve_one(c, buf)) {
			pthread_mutex_lock(&c->lock);
			drv_conn_close_locked(c);
			pthread_mutex_unlock(&c->lock);
			break;
		}
	/*
	 * Free this thread's OpenSSL state (drv_cred hashes) now: once the
	 * connection is gone teed may exit, and OpenSSL's exit clean-up
	 * would race the thread's own destructor (LeakSanitizer saw it).
	 */
	OPENSSL_thread_stop();
	pthread_mutex_lock(&c->lock);
	last = --c->nthreads == 0;
	pthread_mutex_unlock(&c->lock);
	if (last)
		conn_destroy(c);
	return NULL;
}

int drv_conn_start(int sock, const struct driver_limits *lim)
{
	struct drv_conn *c = calloc(1, sizeof(*c));
	struct epoll_event ev = {.events = 0, .data.u32 = 0};
	struct epoll_event cev = {.events = EPOLLIN, .data.u32 = 1};
	int rc;

	if (!c) {
		close(sock);
		return -ENOMEM;
	}
	c->sock = sock;
	c->lim = lim;
	setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO,
		   &(struct timeval){SEND_TIMEOUT_S, 0},
		   sizeof(struct timeval));
	c->ep = epoll_create1(EPOLL_CLOEXEC);
	c->closefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	rc = drv_cred_from_socket(sock, &c->cred);
	/* The socket joins disarmed: the first thread arms it after HELLO. */
	if (!rc && (c->ep < 0 || c->closefd < 0 ||
		    epoll_ctl(c->ep, EPOLL_CTL_ADD, sock, &ev) < 0 ||
		    epoll_ctl(c->ep, EPOLL_CTL_ADD, c->closefd, &cev) < 0))
		rc = -errno;
	if (rc)
		goto fail;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->drain_cv, NULL);
	drv_listen_add(c);
	pthread_mutex_lock(&c->lock);
	rc = conn_spawn(c);
	pthread_mutex_unlock(&c->lock);
	if (!rc)
		return 0;
	drv_listen_remove(c);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->drain_cv);
fail:
	if (c->ep >= 0)
		close(c->ep);
	if (c->closefd >= 0)
		close(c->closefd);
	close(sock);
	free(c);
	return rc;
}
