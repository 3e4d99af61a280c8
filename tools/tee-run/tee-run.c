/*
 * tee-run: runs a command against a private teed and tee-supplicant
 * (docs/teed.md). Creates a runtime dir (mkdtemp) for the sockets, starts
 * teed, then tee-supplicant when it can be found, waits until teed
 * accepts, runs CMD with TEESTORE_SOCKET pointing at teed, stops both
 * (SIGTERM, then wait) and exits with CMD's status.
 *
 * The state dir persists: ree/ (the supplicant's files), rpmb.img (its
 * RPMB device) and teed/ (teed's private state, e.g. the HUK).
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS	 5000
#define TEED_ARGS_MAX	 8

struct opts {
	const char *state_dir;
	const char *ta_dir;
	const char *huk_file;
	bool huk_zero;
	const char *teed;
	const char *supplicant;
	const char *teed_args[TEED_ARGS_MAX]; /* --teed-arg, in order */
	int nteed_args;
	char **cmd;
};

static void usage(FILE *f)
{
	fprintf(
	    f, "usage: tee-run [options] -- CMD [ARGS...]\n"
	       "Runs CMD against a private teed and tee-supplicant; exits "
	       "with CMD's status.\n"
	       "  --state-dir DIR    persistent state: ree/, rpmb.img, teed/ "
	       "(default\n"
	       "                     ./teestore-state)\n"
	       "  --ta-dir DIR       trusted applications (default "
	       "$TEESTORE_TA_DIR,\n"
	       "                     else STATE/ta)\n"
	       "  --huk-file FILE    raw 16 or 32 byte HUK for teed\n"
	       "  --huk-zero         all-zero HUK (OP-TEE QEMU compatible)\n"
	       "  --teed PATH        teed binary (default: next to tee-run, "
	       "the build\n"
	       "                     tree, or PATH; or $TEESTORE_TEED)\n"
	       "  --supplicant PATH  tee-supplicant binary (default: found "
	       "like teed;\n"
	       "                     without one, runs without it and "
	       "warns)\n"
	       "  --teed-arg ARG     one more argument for teed, e.g. "
	       "--teed-arg\n"
	       "                     --rpmb-provision (repeatable, at most 8)\n"
	       "  --help             this text\n");
}

static void die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tee-run: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(125);
}

/* dir/name into out, or false if it does not fit. */
static bool join(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);

	return n >= 0 && (size_t)n < cap;
}

static void parse(int argc, char **argv, struct opts *o)
{
	enum { STATE = 256, TA, HUKF, HUKZ, TEED, SUPPL, TEEDARG, HELP };
	static const struct option lo[] = {
	    {"state-dir", required_argument, NULL, STATE},
	    {"ta-dir", required_argument, NULL, TA},
	    {"huk-file", required_argument, NULL, HUKF},
	    {"huk-zero", no_argument, NULL, HUKZ},
	    {"teed", required_argument, NULL, TEED},
	    {"supplicant", required_argument, NULL, SUPPL},
	    {"teed-arg", required_argument, NULL, TEEDARG},
	    {"help", no_argument, NULL, HELP},
	    {NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->state_dir = "./teestore-state";
	while ((c = getopt_long(argc, argv, "+", lo, NULL)) != -1) {
		switch (c) {
		case STATE:
			o->state_dir = optarg;
			break;
		case TA:
			o->ta_dir = optarg;
			break;
		case HUKF:
			o->huk_file = optarg;
			break;
		case HUKZ:
			o->huk_zero = true;
			break;
		case TEED:
			o->teed = optarg;
			break;
		case SUPPL:
			o->supplicant = optarg;
			break;
		case TEEDARG:
			if (o->nteed_args == TEED_ARGS_MAX)
				die("at most %d --teed-arg", TEED_ARGS_MAX);
			o->teed_args[o->nteed_args++] = optarg;
			break;
		case HELP:
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(125);
		}
	}
	if (optind >= argc)
		die("no command given (tee-run [options] -- CMD ...)");
	o->cmd = argv + optind;
}

static bool executable(const char *p)
{
	return access(p, X_OK) == 0;
}

/*
 * Finds a program: next to tee-run, in the build tree (build_rel from
 * tee-run's dir), then in PATH. Returns a static buffer or NULL.
 */
static const char *find_prog(const char *name, const char *build_rel)
{
	static char buf[2][PATH_MAX];
	static int which;
	char self[PATH_MAX], *slash, *path, *save = NULL, *dir;
	char *out = buf[which++ & 1];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			char rel[PATH_MAX];

			if (join(out, PATH_MAX, self, name) && executable(out))
				return out;
			if (join(rel, sizeof(rel), self, build_rel) &&
			    join(out, PATH_MAX, rel, name) && executable(out))
				return out;
		}
	}
	path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	for (dir = path ? strtok_r(path, ":", &save) : NULL; dir;
	     dir = strtok_r(NULL, ":", &save)) {
		if (join(out, PATH_MAX, dir, name) && executable(out)) {
			free(path);
			return out;
		}
	}
	free(path);
	return NULL;
}

static void mkdir_or_die(const char *p, mode_t mode)
{
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		die("cannot create %s", p);
}

static pid_t spawn(char *const argv[], const char *sock_env)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (sock_env)
			setenv("TEESTORE_SOCKET", sock_env, 1);
		execvp(argv[0], argv);
		fprintf(stderr, "tee-run: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	return pid;
}

/*
 * Waits until teed's socket accepts, or teed dies, or time runs out.
 * If teed exits meanwhile it is reaped
 * here and *pid becomes 0, so that nobody signals a pid that may since
 * belong to another process.
 */
static bool wait_ready(const char *path, pid_t *pid)
{
	struct sockaddr_un a;
	int waited;

	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a.sun_path))
		return false;
	memcpy(a.sun_path, path, strlen(path));
	for (waited = 0; waited < START_TIMEOUT_MS; waited += 10) {
		int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		bool ok =
		    s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;

		if (s >= 0)
			close(s);
		if (ok)
			return true;
		if (waitpid(*pid, NULL, WNOHANG) == *pid) {
			*pid = 0;
			return false;
		}
		usleep(10000);
	}
	return false;
}

/* SIGTERM, then up to STOP_TIMEOUT_MS for it to exit, then SIGKILL. */
static void stop(pid_t pid, const char *what)
{
	int waited;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (waited = 0; waited < STOP_TIMEOUT_MS; waited += 10) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(10000);
	}
	fprintf(stderr, "tee-run: %s did not stop, killing it\n", what);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static int exit_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 125;
}

static void make_runtime_dir(char *out, size_t cap)
{
	const char *base = getenv("XDG_RUNTIME_DIR");

	if (!base || base[0] != '/' || access(base, W_OK) != 0)
		base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	if (!join(out, cap, base, "tee-run.XXXXXX") || !mkdtemp(out))
		die("cannot create a runtime dir: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	struct opts o;
	char run[PATH_MAX], sock[PATH_MAX + 16], ssock[PATH_MAX + 16];
	char ree[PATH_MAX + 8], rpmb[PATH_MAX + 16], teed_state[PATH_MAX + 8];
	char ta[PATH_MAX + 8];
	const char *targv[16 + TEED_ARGS_MAX], *sargv[12];
	pid_t teed, suppl = 0, cmd;
	int n = 0, st;
	sigset_t sigs;

	parse(argc, argv, &o);
	if (!o.teed)
		o.teed = getenv("TEESTORE_TEED");
	if (!o.teed)
		o.teed = find_prog("teed", "../../core");
	if (!o.teed)
		die("cannot find teed (use --teed)");
	if (!o.supplicant)
		o.supplicant = find_prog("tee-supplicant", "../../supplicant");
	if (o.supplicant && access(o.supplicant, X_OK) < 0) {
		fprintf(stderr, "tee-run: warning: %s: %s\n", o.supplicant,
			strerror(errno));
		o.supplicant = NULL;
	}

	mkdir_or_die(o.state_dir, 0700);
	if (!join(ree, sizeof(ree), o.state_dir, "ree") ||
	    !join(rpmb, sizeof(rpmb), o.state_dir, "rpmb.img") ||
	    !join(teed_state, sizeof(teed_state), o.state_dir, "teed"))
		die("state dir path too long: %s", o.state_dir);
	mkdir_or_die(ree, 0700);
	mkdir_or_die(teed_state, 0700);
	if (!o.ta_dir)
		o.ta_dir = getenv("TEESTORE_TA_DIR");
	if (!o.ta_dir) {
		if (!join(ta, sizeof(ta), o.state_dir, "ta"))
			die("state dir path too long: %s", o.state_dir);
		mkdir_or_die(ta, 0700);
		o.ta_dir = ta;
	}
	make_runtime_dir(run, sizeof(run));
	if (!join(sock, sizeof(sock), run, "teed.sock") ||
	    !join(ssock, sizeof(ssock), run, "supplicant.sock"))
		die("runtime dir path too long: %s", run);

	/* Signals to tee-run go to CMD; tee-run cleans up after it. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);

	targv[n++] = o.teed;
	targv[n++] = "--foreground";
	targv[n++] = "--socket";
	targv[n++] = sock;
	/* Without a supplicant teed must not wait for one. */
	if (o.supplicant) {
		targv[n++] = "--supplicant-socket";
		targv[n++] = ssock;
	}
	targv[n++] = "--ta-dir";
	targv[n++] = o.ta_dir;
	targv[n++] = "--state-dir";
	targv[n++] = teed_state;
	if (o.huk_file) {
		targv[n++] = "--huk-file";
		targv[n++] = o.huk_file;
	} else if (o.huk_zero) {
		targv[n++] = "--huk-zero";
	}
	for (int i = 0; i < o.nteed_args; i++)
		targv[n++] = o.teed_args[i];
	targv[n] = NULL;
	teed = spawn((char *const *)targv, NULL);
	if (o.supplicant) {
		n = 0;
		sargv[n++] = o.supplicant;
		sargv[n++] = "--fs-parent-path";
		sargv[n++] = ree;
		sargv[n++] = "--rpmb-file";
		sargv[n++] = rpmb;
		sargv[n++] = "--socket";
		sargv[n++] = ssock;
		sargv[n] = NULL;
		suppl = spawn((char *const *)sargv, NULL);
	} else {
		fprintf(stderr, "tee-run: warning: tee-supplicant not found, "
				"running without storage\n");
	}
	/*
	 * The supplicant starts with teed (it retries until teed listens):
	 * teed brings its storage up before it serves clients.
	 */
	if (!wait_ready(sock, &teed)) {
		fprintf(stderr, "tee-run: teed did not start\n");
		stop(suppl, "tee-supplicant");
		stop(teed, "teed");
		rmdir(run);
		return 125;
	}

	cmd = spawn(o.cmd, sock);
	for (;;) {
		siginfo_t si;
		struct timespec tick = {0, 50 * 1000000};
		pid_t r = waitpid(cmd, &st, WNOHANG);

		if (r == cmd)
			break;
		if (sigtimedwait(&sigs, &si, &tick) > 0)
			kill(cmd, si.si_signo);
	}
	stop(suppl, "tee-supplicant");
	stop(teed, "teed");
	unlink(sock);
	unlink(ssock);
	rmdir(run);
	return exit_status(st);
}
