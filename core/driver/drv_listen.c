/*
 * The driver socket: listening, accepting, the list of live connections
 * (for shutdown and stats), and the limits every connection shares.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "drv_conn.h"
#include "log.h"

static struct {
	pthread_mutex_t lock; /* protects conns, nconns */
	pthread_cond_t gone;  /* a connection was freed */
	struct drv_conn *conns;
	uint32_t nconns;
	int lsock;
	struct driver_limits lim;
	struct sockaddr_un addr;
} drv = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .gone = PTHREAD_COND_INITIALIZER,
    .lsock = -1,
};

void driver_limits_default(struct driver_limits *lim)
{
	lim->max_sessions = 64;
	lim->max_shm_call = 64u << 20;
	lim->max_shm_client = 256u << 20;
	lim->max_clients = 256;
}

/* True if something accepts connections on addr. */
static bool socket_alive(const struct sockaddr_un *addr)
{
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	bool alive;

	if (s < 0)
		return false;
	alive = connect(s, (const struct sockaddr *)addr, sizeof(*addr)) == 0;
	close(s);
	return alive;
}

int driver_listen(const char *path, const struct driver_limits *lim)
{
	struct sockaddr_un *a = &drv.addr;
	mode_t old;
	int s, err;

	if (strlen(path) >= sizeof(a->sun_path))
		return -ENAMETOOLONG;
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	strcpy(a->sun_path, path);
	if (socket_alive(a))
		return -EADDRINUSE;
	unlink(path); /* a stale socket of a teed that died */
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	old = umask(0117);
	err =
	    bind(s, (struct sockaddr *)a, sizeof(*a)) < 0 || listen(s, 64) < 0;
	umask(old);
	if (err) {
		err = -errno;
		close(s);
		return err;
	}
	drv.lim = *lim;
	drv.lsock = s;
	return 0;
}

static void accept_one(void)
{
	int s = accept4(drv.lsock, NULL, NULL, SOCK_CLOEXEC);
	bool full;
	int rc;

	if (s < 0) {
		if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
			log_warn("accept");
		return;
	}
	pthread_mutex_lock(&drv.lock);
	full = drv.nconns >= drv.lim.max_clients;
	pthread_mutex_unlock(&drv.lock);
	if (full) {
		log_warnx("max_clients (%u) reached, refusing a client",
			  drv.lim.max_clients);
		close(s);
		return;
	}
	rc = drv_conn_start(s, &drv.lim);
	if (rc)
		log_warnx("cannot serve a client: %s", strerror(-rc));
}

int driver_serve(int stop_fd)
{
	struct pollfd pf[2] = {{drv.lsock, POLLIN, 0}, {stop_fd, POLLIN, 0}};

	for (;;) {
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pf[1].revents)
			return 0;
		if (pf[0].revents & POLLIN)
			accept_one();
		else if (pf[0].revents)
			return -EIO;
	}
}

void drv_listen_add(struct drv_conn *c)
{
	pthread_mutex_lock(&drv.lock);
	c->next = drv.conns;
	drv.conns = c;
	drv.nconns++;
	pthread_mutex_unlock(&drv.lock);
}

void drv_listen_remove(struct drv_conn *c)
{
	struct drv_conn **pp;

	pthread_mutex_lock(&drv.lock);
	for (pp = &drv.conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			drv.nconns--;
			break;
		}
	pthread_cond_broadcast(&drv.gone);
	pthread_mutex_unlock(&drv.lock);
}

void driver_shutdown(unsigned timeout_ms)
{
	struct drv_conn *c;
	struct timespec until;

	if (drv.lsock >= 0) {
		close(drv.lsock);
		drv.lsock = -1;
		unlink(drv.addr.sun_path);
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&drv.lock);
	for (c = drv.conns; c; c = c->next) {
		pthread_mutex_lock(&c->lock);
		drv_conn_close_locked(c);
		pthread_mutex_unlock(&c->lock);
	}
	while (drv.nconns)
		if (pthread_cond_timedwait(&drv.gone, &drv.lock, &until)) {
			log_warnx("%u clients still busy at shutdown",
				  drv.nconns);
			break;
		}
	pthread_mutex_unlock(&drv.lock);
}

void driver_get_stats(struct driver_stats *st)
{
	struct drv_conn *c;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&drv.lock);
	st->clients = drv.nconns;
	for (c = drv.conns; c; c = c->next) {
		pthread_mutex_lock(&c->lock);
		st->sessions += (uint32_t)c->nsess;
		pthread_mutex_unlock(&c->lock);
	}
	pthread_mutex_unlock(&drv.lock);
	drv_shm_stats(&st->shm_objects, &st->shm_bytes);
}
