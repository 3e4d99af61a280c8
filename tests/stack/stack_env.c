/* Starting and killing teed and tee-supplicant (stack_env.h). */
#include "stack_env.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

#define SOCKET_WAIT_MS 20000

void stack_sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static bool fmt(char *out, const char *dir, const char *name)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);

	return n > 0 && n < PATH_MAX;
}

int stack_env_init(struct stack_env *e, const char *teed_bin,
		   const char *suppl_bin, const char *ta_dir, const char *tag)
{
	memset(e, 0, sizeof(*e));
	e->teed_bin = teed_bin;
	e->suppl_bin = suppl_bin;
	e->ta_dir = ta_dir;
	snprintf(e->dir, sizeof(e->dir), "%s", test_tmpdir(tag));
	if (!fmt(e->sock, e->dir, "teed.sock") ||
	    !fmt(e->ssock, e->dir, "suppl.sock") ||
	    !fmt(e->teed_state, e->dir, "teed") ||
	    !fmt(e->ree, e->dir, "ree") || !fmt(e->rpmb, e->dir, "rpmb.img"))
		return -1;
	if (strlen(e->sock) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return -1;
	if (mkdir(e->ree, 0700) < 0 || mkdir(e->teed_state, 0700) < 0)
		return -1;
	return setenv("TEESTORE_SOCKET", e->sock, 1);
}

static pid_t spawn(char *const argv[])
{
	pid_t pid = fork();

	if (pid == 0) {
		/* never outlive a test that died (CTest timeout, crash) */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execv(argv[0], argv);
		fprintf(stderr, "stack: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	return pid;
}

static bool socket_accepts(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	bool ok;

	if (s < 0)
		return false;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		close(s);
		return false;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ok = connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(s);
	return ok;
}

int stack_start_teed(struct stack_env *e)
{
	char *argv[] = {(char *)e->teed_bin,
			"--foreground",
			"--socket",
			e->sock,
			"--supplicant-socket",
			e->ssock,
			"--ta-dir",
			(char *)e->ta_dir,
			"--state-dir",
			e->teed_state,
			"--huk-zero",
			NULL};
	unsigned waited;

	e->teed = spawn(argv);
	if (e->teed < 0) {
		e->teed = 0;
		return -1;
	}
	for (waited = 0; waited < SOCKET_WAIT_MS; waited += 5) {
		if (!stack_alive(&e->teed))
			return -1;
		if (socket_accepts(e->sock))
			return 0;
		stack_sleep_ms(5);
	}
	fprintf(stderr, "stack: teed does not accept on %s\n", e->sock);
	return -1;
}

int stack_start_suppl(struct stack_env *e)
{
	char *argv[] = {(char *)e->suppl_bin,
			"--fs-parent-path",
			e->ree,
			"--rpmb-file",
			e->rpmb,
			"--socket",
			e->ssock,
			NULL};

	e->suppl = spawn(argv);
	if (e->suppl < 0) {
		e->suppl = 0;
		return -1;
	}
	return 0;
}

int stack_start(struct stack_env *e)
{
	if (!e->suppl && stack_start_suppl(e))
		return -1;
	if (!e->teed && stack_start_teed(e))
		return -1;
	return 0;
}

int stack_kill(pid_t *pid, int sig)
{
	int st;

	if (!*pid)
		return 0;
	kill(*pid, sig);
	while (waitpid(*pid, &st, 0) < 0)
		if (errno != EINTR) {
			st = -1;
			break;
		}
	*pid = 0;
	return st;
}

bool stack_alive(pid_t *pid)
{
	int st;

	if (!*pid)
		return false;
	if (waitpid(*pid, &st, WNOHANG) == 0)
		return true;
	*pid = 0;
	return false;
}

int stack_wait_child(pid_t pid, unsigned ms)
{
	unsigned waited;
	int st;

	for (waited = 0;; waited += 2) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return st;
		if (r < 0 && errno != EINTR)
			return -1;
		if (waited >= ms)
			return -1;
		stack_sleep_ms(2);
	}
}

static bool stop_one(pid_t *pid)
{
	pid_t p = *pid;
	int st;

	if (!p)
		return true;
	kill(p, SIGTERM);
	st = stack_wait_child(p, 10000);
	if (st == -1) {
		fprintf(stderr, "stack: pid %d ignores SIGTERM\n", (int)p);
		stack_kill(pid, SIGKILL);
		return false;
	}
	*pid = 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

bool stack_stop(struct stack_env *e)
{
	bool s = stop_one(&e->suppl);
	bool t = stop_one(&e->teed);

	return s && t;
}

/* A private mount namespace (as root, else in a user namespace) and the
 * tmpfs on the supplicant's directory; false to skip. */
bool stack_env_mount_ree(struct stack_env *e, const char *opts)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	char map[64];
	int fd;

	if (unshare(CLONE_NEWNS) < 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
			fprintf(stderr, "skipped: unshare: %s\n",
				strerror(errno));
			return false;
		}
		fd = open("/proc/self/setgroups", O_WRONLY);
		if (fd >= 0) {
			(void)!write(fd, "deny", 4);
			close(fd);
		}
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		fd = open("/proc/self/uid_map", O_WRONLY);
		if (fd < 0 || write(fd, map, strlen(map)) < 0)
			fprintf(stderr, "uid_map: %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
		fd = open("/proc/self/gid_map", O_WRONLY);
		if (fd < 0 || write(fd, map, strlen(map)) < 0)
			fprintf(stderr, "gid_map: %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", e->ree, "tmpfs", 0, opts) < 0) {
		fprintf(stderr, "skipped: mount tmpfs: %s\n", strerror(errno));
		return false;
	}
	e->mounted = true;
	return true;
}

void stack_env_fini(struct stack_env *e)
{
	stack_stop(e);
	if (e->mounted)
		umount2(e->ree, MNT_DETACH);
	test_rmtree(e->dir);
}
