/*
 * Starting and reaping TA processes. teed forks and immediately execs
 * teestore-ta-host, so the TA process never holds a copy of teed's memory
 * (keys included); the child keeps only the TA channel (as fd 3) and
 * stdin/stdout/stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bytes.h"
#include "log.h"
#include "ta_side.h"

#define TA_CHILD_FD 3

/* Only async-signal-safe calls between fork and exec: teed has threads. */
static void child_exec(char *const argv[], int sock)
{
	sigset_t all;

	if (sock == TA_CHILD_FD) {
		int fl = fcntl(sock, F_GETFD);

		if (fl < 0 || fcntl(sock, F_SETFD, fl & ~FD_CLOEXEC) < 0)
			_exit(127);
	} else if (dup2(sock, TA_CHILD_FD) < 0) {
		_exit(127);
	}
	if (close_range(TA_CHILD_FD + 1, ~0U, 0) < 0) {
		int fd;

		for (fd = TA_CHILD_FD + 1; fd < 4096; fd++)
			close(fd);
	}
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	execv(argv[0], argv);
	_exit(127);
}

int ta_spawn(const char *host, const char *ta_path, pid_t *pid, int *sock)
{
	char *argv[] = {(char *)host, "--fd", "3", (char *)ta_path, NULL};
	int sv[2], rc, err;
	pid_t p;

	rc = ipc_socketpair(sv);
	if (rc)
		return rc;
	p = fork();
	if (p < 0) {
		err = errno;
		close(sv[0]);
		close(sv[1]);
		return -err;
	}
	if (p == 0)
		child_exec(argv, sv[1]);
	close(sv[1]);
	rc = ipc_send_hello(sv[0], TA_MSG_MAGIC, TA_MSG_VERSION);
	if (!rc) {
		uint8_t buf[64];
		struct ipc_msg m;

		rc = ta_recv_timeout(sv[0], &m, buf, sizeof(buf),
				     TA_START_TIMEOUT_MS);
		if (!rc) {
			ipc_msg_close_fds(&m);
			if (m.hdr.type != IPC_TYPE_HELLO || m.hdr.len != 8 ||
			    get_le32(buf) != TA_MSG_MAGIC ||
			    get_le32(buf + 4) != TA_MSG_VERSION)
				rc = -EPROTO;
		}
	}
	if (rc) {
		close(sv[0]);
		ta_reap(ta_path, p, true);
		return rc;
	}
	*pid = p;
	*sock = sv[0];
	return 0;
}

int ta_recv_timeout(int sock, struct ipc_msg *m, void *buf, size_t cap,
		    int timeout_ms)
{
	struct pollfd pfd = {.fd = sock, .events = POLLIN};
	int rc;

	if (timeout_ms >= 0) {
		do
			rc = poll(&pfd, 1, timeout_ms);
		while (rc < 0 && errno == EINTR);
		if (rc < 0)
			return -errno;
		if (rc == 0)
			return -ETIMEDOUT;
	}
	return ipc_recv(sock, m, buf, cap);
}

static void log_status(const char *name, pid_t pid, int st, bool killed)
{
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return;
	if (WIFEXITED(st))
		log_warnx("TA %s (pid %d) exited with status %d", name,
			  (int)pid, WEXITSTATUS(st));
	else if (WIFSIGNALED(st) && !(killed && WTERMSIG(st) == SIGKILL))
		log_warnx("TA %s (pid %d) killed by signal %d (%s)", name,
			  (int)pid, WTERMSIG(st), strsignal(WTERMSIG(st)));
}

void ta_reap(const char *name, pid_t pid, bool kill_now)
{
	struct timespec ms = {0, 1000000};
	int st = 0, i;
	pid_t r;

	/* A process whose channel closed is usually exiting already. */
	for (i = 0; i < 200 && !kill_now; i++) {
		r = waitpid(pid, &st, WNOHANG);
		if (r == pid) {
			log_status(name, pid, st, false);
			return;
		}
		if (r < 0 && errno != EINTR)
			return; /* ECHILD: SIGCHLD ignored, already reaped */
		nanosleep(&ms, NULL);
	}
	kill(pid, SIGKILL);
	do
		r = waitpid(pid, &st, 0);
	while (r < 0 && errno == EINTR);
	if (r == pid)
		log_status(name, pid, st, true);
}
