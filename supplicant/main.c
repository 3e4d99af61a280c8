/*
 * tee-supplicant: the normal-world file service and RPMB device for teed
 * (docs/protocol-supplicant.md). Connects to teed's supplicant socket and
 * serves it; when teed goes away (restart) it reconnects with backoff,
 * until SIGTERM/SIGINT (clean exit 0) or, with --once, after the first
 * connection ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "suppl_server.h"
#ifdef TEESTORE_HAVE_RPMB
#include "rpmb_dev.h"
#include "suppl_rpmb.h"
#endif

#define BACKOFF_MIN_MS 20
#define BACKOFF_MAX_MS 2000

struct options {
	const char *fs_dir;
	const char *rpmb_file;
	uint32_t rpmb_size_mult;
	const char *socket;
	bool once;
};

static void usage(FILE *f)
{
	fprintf(
	    f, "usage: tee-supplicant --fs-parent-path DIR [--rpmb-file FILE]\n"
	       "                      [--rpmb-size-mult N] [--socket PATH] "
	       "[--once]\n"
	       "\n"
	       "Serves teed's REE file system requests on the files under DIR\n"
	       "(created 0700) and, with --rpmb-file, an emulated eMMC RPMB\n"
	       "partition persisted in FILE (N x 128 KiB, default 32 = 4 MiB;\n"
	       "an existing FILE keeps its size).\n"
	       "\n"
	       "  --socket PATH  teed's supplicant socket (default: "
	       "$TEESTORE_SUPPL_SOCKET)\n"
	       "  --once         exit when the connection to teed ends instead "
	       "of\n"
	       "                 reconnecting\n"
	       "  --help         this text\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	    {"fs-parent-path", required_argument, NULL, 'd'},
	    {"rpmb-file", required_argument, NULL, 'r'},
	    {"rpmb-size-mult", required_argument, NULL, 'm'},
	    {"socket", required_argument, NULL, 's'},
	    {"once", no_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	char *end;
	unsigned long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->socket = getenv("TEESTORE_SUPPL_SOCKET");
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->fs_dir = optarg;
			break;
		case 'r':
			o->rpmb_file = optarg;
			break;
		case 'm':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || v < 1 || v > 255) {
				fprintf(stderr, "tee-supplicant: "
						"--rpmb-size-mult: 1..255\n");
				return 2;
			}
			o->rpmb_size_mult = (uint32_t)v;
			break;
		case 's':
			o->socket = optarg;
			break;
		case 'o':
			o->once = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !o->fs_dir || !o->socket || !*o->socket) {
		fprintf(stderr, "tee-supplicant: %s\n",
			optind != argc ? "unexpected argument"
			: !o->fs_dir   ? "--fs-parent-path is required"
				       : "no socket: use --socket or set "
					 "TEESTORE_SUPPL_SOCKET");
		usage(stderr);
		return 2;
	}
	return 0;
}

/* mkdir -p with mode 0700 for what it creates; then opens the leaf. */
static int open_root(const char *path)
{
	char buf[PATH_MAX];
	size_t i, len = strlen(path);
	int fd;

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0700) < 0 && errno != EEXIST)
			return -errno;
		buf[i] = path[i];
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* A signalfd for SIGTERM and SIGINT (both blocked); SIGPIPE ignored. */
static int stop_signals(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC);
}

static int connect_socket(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int s;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = errno;

		close(s);
		return -err;
	}
	return s;
}

/* Sleeps ms unless a stop signal arrives first; true = stop. */
static bool sleep_or_stop(int stop_fd, int ms)
{
	struct pollfd p = {.fd = stop_fd, .events = POLLIN};

	return poll(&p, 1, ms) > 0;
}

static int run(const struct options *o, struct suppl_server_cfg *cfg)
{
	int backoff = BACKOFF_MIN_MS, rc, s;

	for (;;) {
		s = connect_socket(o->socket);
		if (s >= 0) {
			log_info("connected to teed at %s", o->socket);
			rc = suppl_serve(s, cfg);
			close(s);
			if (rc == SUPPL_END_STOP)
				return 0;
			if (rc < 0)
				log_warnx("connection to teed: %s",
					  strerror(-rc));
			else
				log_info("teed closed the connection");
			if (o->once)
				return rc < 0 ? 1 : 0;
			backoff = BACKOFF_MIN_MS;
		} else if (o->once) {
			log_warnx("cannot connect to %s: %s", o->socket,
				  strerror(-s));
			return 1;
		}
		if (sleep_or_stop(cfg->stop_fd, backoff))
			return 0;
		backoff =
		    backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
	}
}

#ifdef TEESTORE_HAVE_RPMB
static int open_rpmb(const struct options *o, struct rpmb_dev **dev)
{
	/* Zero = the device's defaults, or what an existing file holds. */
	struct rpmb_dev_config c = {
	    .path = o->rpmb_file,
	    .size_mult = o->rpmb_size_mult,
	    .create = true,
	};
	int rc = rpmb_dev_open(&c, dev);

	if (rc)
		log_warnx("%s: cannot open the RPMB device: %s", o->rpmb_file,
			  strerror(-rc));
	return rc;
}
#endif

int main(int argc, char **argv)
{
	struct suppl_server_cfg cfg = {.stop_fd = -1};
	struct options o;
	int rc, ret = 1;
#ifdef TEESTORE_HAVE_RPMB
	struct rpmb_dev *dev = NULL;
#endif

	log_init("tee-supplicant");
	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc;
	cfg.dirfd = open_root(o.fs_dir);
	if (cfg.dirfd < 0) {
		log_warnx("%s: %s", o.fs_dir, strerror(-cfg.dirfd));
		return 1;
	}
	cfg.stop_fd = stop_signals();
	if (cfg.stop_fd < 0)
		fatal("signalfd");
	if (o.rpmb_file) {
#ifdef TEESTORE_HAVE_RPMB
		if (open_rpmb(&o, &dev))
			goto out;
		cfg.rpmb = suppl_rpmb_serve;
		cfg.rpmb_arg = dev;
#else
		log_warnx("--rpmb-file: built without the RPMB device");
		goto out;
#endif
	}
	ret = run(&o, &cfg);
out:
#ifdef TEESTORE_HAVE_RPMB
	rpmb_dev_close(dev);
#endif
	close(cfg.stop_fd);
	close(cfg.dirfd);
	return ret;
}
