/* libteec's connections to teed: see teec_conn.h. */
#include "teec_conn.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bytes.h"

/* A caller waiting for its reply. */
struct teec_wait {
	struct teec_wait *next;
	uint32_t id;
	bool done;
	const TEEC_Operation *op;
	uint32_t session, cancel_id;
	struct teec_reply *rep;
};

struct teec_conn {
	int sock;
	unsigned refs;	      /* under table_lock */
	pthread_mutex_t lock; /* protects what follows */
	pthread_cond_t cv;    /* a reply arrived or the reader left */
	bool reading;	      /* some thread is in recvmsg */
	bool dead;	      /* the socket failed: every call fails */
	uint32_t next_id, next_cancel;
	struct teec_wait *waits;
};

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct teec_conn **table; /* indexed by socket fd */
static size_t table_cap;

static bool table_put(int fd, struct teec_conn *c)
{
	if ((size_t)fd >= table_cap) {
		size_t cap = (size_t)fd + 16;
		struct teec_conn **t = realloc(table, cap * sizeof(*t));

		if (!t)
			return false;
		memset(t + table_cap, 0, (cap - table_cap) * sizeof(*t));
		table = t;
		table_cap = cap;
	}
	table[fd] = c;
	return true;
}

static void conn_free(struct teec_conn *c)
{
	close(c->sock);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->cv);
	free(c);
}

struct teec_conn *teec_conn_get(int fd)
{
	struct teec_conn *c = NULL;

	pthread_mutex_lock(&table_lock);
	if (fd >= 0 && (size_t)fd < table_cap && table[fd]) {
		c = table[fd];
		c->refs++;
	}
	pthread_mutex_unlock(&table_lock);
	return c;
}

void teec_conn_put(struct teec_conn *c)
{
	bool last;

	pthread_mutex_lock(&table_lock);
	last = --c->refs == 0;
	pthread_mutex_unlock(&table_lock);
	if (last)
		conn_free(c);
}

static int connect_to(const char *path)
{
	struct sockaddr_un a;
	int s;

	if (strlen(path) >= sizeof(a.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	strcpy(a.sun_path, path);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int err = errno;

		close(s);
		errno = err;
		return -1;
	}
	return s;
}

TEEC_Result teec_conn_open(const char *path, int *fd_out)
{
	struct teec_conn *c;
	int s = connect_to(path);

	if (s < 0)
		return errno == ENOENT || errno == ECONNREFUSED
			   ? TEEC_ERROR_ITEM_NOT_FOUND
			   : TEEC_ERROR_COMMUNICATION;
	if (ipc_expect_hello(s, DRV_MAGIC, DRV_VERSION) ||
	    ipc_send_hello(s, DRV_MAGIC, DRV_VERSION)) {
		close(s);
		return TEEC_ERROR_COMMUNICATION;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(s);
		return TEEC_ERROR_OUT_OF_MEMORY;
	}
	c->sock = s;
	c->refs = 1;
	c->next_id = 1;
	c->next_cancel = 1;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cv, NULL);
	pthread_mutex_lock(&table_lock);
	if (!table_put(s, c)) {
		pthread_mutex_unlock(&table_lock);
		conn_free(c);
		return TEEC_ERROR_OUT_OF_MEMORY;
	}
	pthread_mutex_unlock(&table_lock);
	*fd_out = s;
	return TEEC_SUCCESS;
}

void teec_conn_close(int fd)
{
	struct teec_conn *c = NULL;

	pthread_mutex_lock(&table_lock);
	if (fd >= 0 && (size_t)fd < table_cap) {
		c = table[fd];
		table[fd] = NULL;
	}
	pthread_mutex_unlock(&table_lock);
	if (!c)
		return;
	/* Threads still inside a call see the end of the stream and fail. */
	shutdown(c->sock, SHUT_RDWR);
	teec_conn_put(c);
}

uint32_t teec_conn_cancel_id(struct teec_conn *c)
{
	uint32_t id;

	pthread_mutex_lock(&c->lock);
	id = c->next_cancel++;
	pthread_mutex_unlock(&c->lock);
	return id;
}

/* Gives a received message to the caller waiting for it; c->lock held. */
static void deliver(struct teec_conn *c, struct ipc_msg *m)
{
	struct teec_wait *w;

	for (w = c->waits; w; w = w->next)
		if (w->id == m->hdr.id && !w->done)
			break;
	if (!w) { /* nobody asked: drop it */
		ipc_msg_close_fds(m);
		return;
	}
	w->rep->type = m->hdr.type;
	w->rep->len = m->hdr.len;
	memcpy(w->rep->buf, m->payload, m->hdr.len);
	w->rep->fd = -1;
	if (m->nfds) {
		w->rep->fd = m->fds[0];
		m->fds[0] = -1;
		memmove(m->fds, m->fds + 1, (m->nfds - 1) * sizeof(int));
		m->nfds--;
	}
	ipc_msg_close_fds(m);
	w->done = true;
}

/* Reads one message as the reader; called and returns with c->lock held. */
static void read_one(struct teec_conn *c)
{
	uint8_t buf[DRV_MAX_MSG];
	struct ipc_msg m;
	int rc;

	c->reading = true;
	pthread_mutex_unlock(&c->lock);
	rc = ipc_recv(c->sock, &m, buf, sizeof(buf));
	pthread_mutex_lock(&c->lock);
	c->reading = false;
	if (rc)
		c->dead = true;
	else
		deliver(c, &m);
	pthread_cond_broadcast(&c->cv);
}

static void unlink_wait(struct teec_conn *c, struct teec_wait *w)
{
	struct teec_wait **pp;

	for (pp = &c->waits; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			return;
		}
}

TEEC_Result teec_conn_call(struct teec_conn *c, uint32_t type,
			   const void *payload, size_t len, const int *fds,
			   size_t nfds, const TEEC_Operation *op,
			   uint32_t session, uint32_t cancel_id,
			   struct teec_reply *rep)
{
	struct teec_wait w = {
	    .op = op, .session = session, .cancel_id = cancel_id, .rep = rep};
	bool ok;

	pthread_mutex_lock(&c->lock);
	if (c->dead) {
		pthread_mutex_unlock(&c->lock);
		return TEEC_ERROR_COMMUNICATION;
	}
	do
		w.id = c->next_id++;
	while (!w.id);
	/* Registered before sending: the reply cannot come back unclaimed. */
	w.next = c->waits;
	c->waits = &w;
	pthread_mutex_unlock(&c->lock);

	ok = ipc_send(c->sock, type, w.id, payload, len, fds, nfds) == 0;

	pthread_mutex_lock(&c->lock);
	while (ok && !w.done && !c->dead) {
		if (c->reading)
			pthread_cond_wait(&c->cv, &c->lock);
		else
			read_one(c);
	}
	unlink_wait(c, &w);
	pthread_mutex_unlock(&c->lock);
	if (!ok || !w.done)
		return TEEC_ERROR_COMMUNICATION;
	if (rep->type != (type | DRV_REPLY) && rep->type != DRV_MSG_ERROR) {
		if (rep->fd >= 0)
			close(rep->fd);
		rep->fd = -1;
		return TEEC_ERROR_COMMUNICATION;
	}
	return TEEC_SUCCESS;
}

/* Finds op among c's calls in flight; c->lock held. */
static bool find_op(struct teec_conn *c, const TEEC_Operation *op,
		    uint32_t *session, uint32_t *cancel_id)
{
	struct teec_wait *w;

	for (w = c->waits; w; w = w->next)
		if (w->op == op && !w->done) {
			*session = w->session;
			*cancel_id = w->cancel_id;
			return true;
		}
	return false;
}

void teec_conn_cancel(const TEEC_Operation *op)
{
	struct teec_conn *c = NULL;
	struct teec_reply rep;
	uint8_t p[DRV_REQ_CANCEL_LEN];
	uint32_t session = 0, cancel_id = 0;
	size_t i;

	pthread_mutex_lock(&table_lock);
	for (i = 0; i < table_cap && !c; i++) {
		bool found;

		if (!table[i])
			continue;
		pthread_mutex_lock(&table[i]->lock);
		found = find_op(table[i], op, &session, &cancel_id);
		pthread_mutex_unlock(&table[i]->lock);
		if (found) {
			c = table[i];
			c->refs++;
		}
	}
	pthread_mutex_unlock(&table_lock);
	if (!c)
		return;
	put_le32(p, session);
	put_le32(p + 4, cancel_id);
	if (teec_conn_call(c, DRV_MSG_CANCEL, p, sizeof(p), NULL, 0, NULL, 0, 0,
			   &rep) == TEEC_SUCCESS &&
	    rep.fd >= 0)
		close(rep.fd);
	teec_conn_put(c);
}
