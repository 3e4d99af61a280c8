/*
 * The supplicant link: listener thread, attach/refuse, round trips. See
 * suppl_link.h and docs/protocol-supplicant.md.
 */
#include "suppl_link_int.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "tee_error.h"
#include "wire.h"

#define DEFAULT_TIMEOUT_MS   30000
#define HANDSHAKE_TIMEOUT_MS 5000

static uint32_t next_request_id(struct suppl_link *l)
{
	if (++l->next_id == 0)
		l->next_id = 1;
	return l->next_id;
}

void suppl_link_drop(struct suppl_link *l, const char *why)
{
	if (l->sock < 0)
		return;
	log_warnx("supplicant cut off: %s", why);
	shutdown(l->sock, SHUT_RDWR);
	close(l->sock);
	l->sock = -1;
	shm_destroy(&l->shm);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until sock is readable; 0, or -ETIMEDOUT. */
static int wait_readable(int sock, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	struct pollfd p = {.fd = sock, .events = POLLIN};
	int n;

	for (;;) {
		int64_t left = end - now_ms();

		if (left < 0)
			left = 0;
		n = poll(&p, 1, (int)left);
		if (n > 0)
			return 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/*
 * Receives the answer with the given id into buf. Returns the payload
 * length, or -ETIMEDOUT / -ECONNRESET (gone) / -EBADMSG (malformed).
 */
static int recv_answer(int sock, uint32_t id, int timeout_ms, uint8_t *buf,
		       size_t cap)
{
	struct ipc_msg m;
	int rc = wait_readable(sock, timeout_ms);

	if (rc)
		return rc;
	rc = ipc_recv(sock, &m, buf, cap);
	if (rc == -EBADMSG || rc == -EMSGSIZE)
		return -EBADMSG;
	if (rc)
		return -ECONNRESET;
	if (m.nfds) {
		ipc_msg_close_fds(&m);
		return -EBADMSG;
	}
	if (m.hdr.type != SUPPL_MSG_ANSWER || m.hdr.id != id)
		return -EBADMSG;
	return (int)m.hdr.len;
}

TEE_Result suppl_link_call(struct suppl_link *l, uint32_t type, const void *req,
			   size_t len, size_t *ans_len)
{
	uint32_t id = next_request_id(l);
	int rc;

	if (l->sock < 0)
		return TEE_ERROR_STORAGE_NOT_AVAILABLE;
	rc = ipc_send(l->sock, type, id, req, len, NULL, 0);
	if (rc) {
		suppl_link_drop(l, "send failed");
		return TEE_ERROR_STORAGE_NOT_AVAILABLE;
	}
	rc = recv_answer(l->sock, id, l->timeout_ms, l->ans, sizeof(l->ans));
	if (rc == -EBADMSG) {
		suppl_link_drop(l, "malformed or unexpected answer");
		return TEE_ERROR_COMMUNICATION;
	}
	if (rc < 0) {
		suppl_link_drop(l, rc == -ETIMEDOUT ? "no answer in time"
						    : "connection lost");
		return TEE_ERROR_STORAGE_NOT_AVAILABLE;
	}
	*ans_len = (size_t)rc;
	l->stats.round_trips++;
	return TEE_SUCCESS;
}

TEE_Result suppl_link_check_result(struct suppl_link *l, uint32_t res)
{
	switch (res) {
	case TEE_SUCCESS:
	case TEE_ERROR_ITEM_NOT_FOUND:
	case TEE_ERROR_STORAGE_NO_SPACE:
	case TEE_ERROR_ACCESS_DENIED:
	case TEE_ERROR_ACCESS_CONFLICT:
	case TEE_ERROR_STORAGE_NOT_AVAILABLE:
	case TEE_ERROR_BAD_PARAMETERS:
	case TEE_ERROR_BAD_STATE:
	case TEE_ERROR_OUT_OF_MEMORY:
	case TEE_ERROR_BUSY:
	case TEE_ERROR_NOT_SUPPORTED:
	case TEE_ERROR_GENERIC:
		return res;
	default:
		suppl_link_drop(l, "unknown result code");
		return TEE_ERROR_COMMUNICATION;
	}
}

/* SO_PEERCRED: the same user as teed, or root. */
static bool peer_allowed(int s)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return false;
	return cr.uid == geteuid() || cr.uid == 0;
}

/* True when the attached supplicant's socket shows no hang-up. */
static bool current_alive(struct suppl_link *l)
{
	struct pollfd p = {.fd = l->sock, .events = POLLRDHUP};

	if (l->sock < 0)
		return false;
	if (poll(&p, 1, 0) == 1 &&
	    (p.revents & (POLLHUP | POLLRDHUP | POLLERR | POLLNVAL))) {
		suppl_link_drop(l, "it hung up");
		return false;
	}
	return true;
}

/* HELLO both ways, then the window; 0 or -errno. */
static int handshake(struct suppl_link *l, int s, struct shm_region *shm)
{
	struct timeval tv = {.tv_sec = HANDSHAKE_TIMEOUT_MS / 1000};
	uint8_t buf[64];
	struct wire_rd r;
	int rc;

	/* Bounds every blocking call here, and later sends too. */
	if (setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	rc = ipc_send_hello(s, SUPPL_MAGIC, SUPPL_VERSION);
	if (!rc)
		rc = ipc_expect_hello(s, SUPPL_MAGIC, SUPPL_VERSION);
	if (!rc)
		rc = shm_create(shm, "teestore-suppl", l->shm_size);
	if (rc)
		return rc;
	rc = ipc_send(s, SUPPL_MSG_SHM, 1, NULL, 0, &shm->fd, 1);
	if (!rc)
		rc = recv_answer(s, 1, HANDSHAKE_TIMEOUT_MS, buf, sizeof(buf));
	if (rc < 0)
		goto fail;
	r = wire_rd_init(buf, (size_t)rc);
	if (wire_get_u32(&r) != TEE_SUCCESS || !wire_rd_done(&r)) {
		rc = -EPROTO;
		goto fail;
	}
	return 0;
fail:
	shm_destroy(shm);
	return rc;
}

/* Takes over s as the attached supplicant, or refuses it. */
static void attach(struct suppl_link *l, int s)
{
	struct shm_region shm = {.fd = -1};
	int rc;

	pthread_mutex_lock(&l->lock);
	if (current_alive(l)) {
		l->stats.refused++;
		pthread_mutex_unlock(&l->lock);
		log_warnx("second supplicant refused: one is attached");
		close(s);
		return;
	}
	pthread_mutex_unlock(&l->lock);

	/* Outside the lock: a slow peer must not stall storage calls. */
	rc = handshake(l, s, &shm);
	if (rc) {
		log_warnx("supplicant handshake failed: %s", strerror(-rc));
		close(s);
		return;
	}
	pthread_mutex_lock(&l->lock);
	if (current_alive(l) || l->stopping) {
		l->stats.refused++;
		shm_destroy(&shm);
		close(s);
	} else {
		l->sock = s;
		l->shm = shm;
		l->gen++;
		l->stats.attaches++;
		pthread_cond_broadcast(&l->attached);
		log_info("supplicant attached");
	}
	pthread_mutex_unlock(&l->lock);
}

static void *listener_main(void *arg)
{
	struct suppl_link *l = arg;
	struct pollfd p[2] = {
	    {.fd = l->listen_fd, .events = POLLIN},
	    {.fd = l->wake_fd, .events = POLLIN},
	};
	int s;

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_warn("supplicant listener: poll");
			break;
		}
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		s = accept4(l->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (s < 0)
			continue; /* ECONNABORTED, EMFILE...: try again */
		if (!peer_allowed(s)) {
			log_warnx("supplicant of another user refused");
			close(s);
			continue;
		}
		attach(l, s);
	}
	return NULL;
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int s, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	/* A stale socket of a previous teed goes; any other file stays. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	/*
	 * bind then chmod leaves a short window with the umask's mode: the
	 * SO_PEERCRED check on every connection is what keeps others out.
	 */
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0600) < 0 || listen(s, 4) < 0) {
		err = errno;
		close(s);
		return -err;
	}
	return s;
}

static int env_timeout(void)
{
	const char *v = getenv("TEESTORE_SUPPL_TIMEOUT_MS");
	long t = v ? strtol(v, NULL, 10) : 0;

	return t > 0 && t < 24L * 3600 * 1000 ? (int)t : DEFAULT_TIMEOUT_MS;
}

int suppl_link_start_opts(const char *socket_path,
			  const struct suppl_link_opts *opts,
			  struct suppl_link **out)
{
	struct suppl_link *l = calloc(1, sizeof(*l));
	int rc;

	if (!l)
		return -ENOMEM;
	l->sock = -1;
	l->shm.fd = -1;
	l->wake_fd = -1;
	l->timeout_ms =
	    opts && opts->timeout_ms > 0 ? opts->timeout_ms : env_timeout();
	l->shm_size =
	    opts && opts->shm_size ? opts->shm_size : SUPPL_SHM_DEFAULT;
	if (l->shm_size < SUPPL_SHM_MIN || l->shm_size > SUPPL_SHM_MAX) {
		free(l);
		return -EINVAL;
	}
	pthread_mutex_init(&l->lock, NULL);
	pthread_mutex_init(&l->qlock, NULL);
	pthread_cond_init(&l->attached, NULL);
	backend_rpc_init(l);
	l->path = strdup(socket_path);
	l->listen_fd = l->path ? listen_on(socket_path) : -ENOMEM;
	if (l->listen_fd < 0) {
		rc = l->listen_fd;
		goto fail;
	}
	l->wake_fd = eventfd(0, EFD_CLOEXEC);
	if (l->wake_fd < 0) {
		rc = -errno;
		goto fail;
	}
	rc = -pthread_create(&l->thread, NULL, listener_main, l);
	if (rc)
		goto fail;
	*out = l;
	return 0;
fail:
	if (l->listen_fd >= 0) {
		close(l->listen_fd);
		unlink(l->path);
	}
	if (l->wake_fd >= 0)
		close(l->wake_fd);
	pthread_cond_destroy(&l->attached);
	pthread_mutex_destroy(&l->lock);
	pthread_mutex_destroy(&l->qlock);
	free(l->path);
	free(l);
	return rc;
}

int suppl_link_start(const char *socket_path, struct suppl_link **out)
{
	return suppl_link_start_opts(socket_path, NULL, out);
}

int suppl_link_wait(struct suppl_link *l, int timeout_ms)
{
	struct timespec ts;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&l->lock);
	while (!current_alive(l) && rc == 0) {
		if (timeout_ms < 0)
			pthread_cond_wait(&l->attached, &l->lock);
		else
			rc =
			    pthread_cond_timedwait(&l->attached, &l->lock, &ts);
	}
	rc = current_alive(l) ? 0 : -ETIMEDOUT;
	pthread_mutex_unlock(&l->lock);
	return rc;
}

void suppl_link_get_stats(struct suppl_link *l, struct suppl_link_stats *st)
{
	pthread_mutex_lock(&l->lock);
	*st = l->stats;
	pthread_mutex_unlock(&l->lock);
}

void suppl_link_detach(struct suppl_link *l)
{
	pthread_mutex_lock(&l->lock);
	suppl_link_drop(l, "detached");
	pthread_mutex_unlock(&l->lock);
}

void suppl_link_stop(struct suppl_link *l)
{
	uint64_t one = 1;

	if (!l)
		return;
	pthread_mutex_lock(&l->lock);
	l->stopping = true;
	pthread_mutex_unlock(&l->lock);
	if (write(l->wake_fd, &one, sizeof(one)) != sizeof(one))
		log_warn("supplicant listener: wake");
	pthread_join(l->thread, NULL);
	if (l->sock >= 0)
		close(l->sock);
	shm_destroy(&l->shm);
	close(l->listen_fd);
	close(l->wake_fd);
	unlink(l->path);
	pthread_cond_destroy(&l->attached);
	pthread_mutex_destroy(&l->lock);
	pthread_mutex_destroy(&l->qlock);
	free(l->path);
	free(l);
}
