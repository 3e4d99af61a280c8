/* teed processes for tests: see teed_proc.h. */
#include "teed_proc.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

bool teed_proc_wait_socket(const char *path, unsigned ms)
{
	struct sockaddr_un a;
	unsigned waited;

	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a.sun_path))
		return false;
	memcpy(a.sun_path, path, strlen(path));
	for (waited = 0; waited <= ms; waited += 10) {
		int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		int ok =
		    s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;

		if (s >= 0)
			close(s);
		if (ok)
			return true;
		usleep(10000);
	}
	return false;
}

int teed_proc_start(struct teed_proc *t, const char *teed, const char *tag,
		    const char *const *extra)
{
	const char *argv[32];
	char state[300];
	size_t n = 0, i;

	snprintf(t->dir, sizeof(t->dir), "%s", test_tmpdir(tag));
	snprintf(t->socket, sizeof(t->socket), "%s/teed.sock", t->dir);
	snprintf(state, sizeof(state), "%s/state", t->dir);
	argv[n++] = teed;
	argv[n++] = "--foreground";
	argv[n++] = "--socket";
	argv[n++] = t->socket;
	argv[n++] = "--ta-dir";
	argv[n++] = t->dir;
	argv[n++] = "--state-dir";
	argv[n++] = state;
	argv[n++] = "--huk-zero";
	for (i = 0; extra && extra[i] && n < 31; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	t->pid = fork();
	if (t->pid < 0)
		return -1;
	if (t->pid == 0) {
		/* teed's warnings would clutter the test output. */
		setenv("TEESTORE_LOG", "error", 1);
		execv(teed, (char *const *)argv);
		_exit(127);
	}
	if (!teed_proc_wait_socket(t->socket, 10000)) {
		teed_proc_stop(t);
		return -1;
	}
	return 0;
}

bool teed_proc_alive(const struct teed_proc *t)
{
	return t->pid > 0 && waitpid(t->pid, NULL, WNOHANG) == 0;
}

int teed_proc_stop(struct teed_proc *t)
{
	int st;

	if (t->pid <= 0)
		return -1;
	kill(t->pid, SIGTERM);
	if (waitpid(t->pid, &st, 0) < 0)
		return -1;
	t->pid = 0;
	test_rmtree(t->dir);
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
}
