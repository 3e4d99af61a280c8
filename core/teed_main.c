/*
 * teed, the TEE core daemon (docs/teed.md): loads the HUK, starts the TA
 * side, serves client applications on the driver socket until SIGTERM or
 * SIGINT, then closes every client and stops.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"
#include "driver_msg.h"
#include "log.h"
#include "ta_iface.h"
#include "teed_huk.h"
#include "teed_lock.h"
#include "teed_storage.h"

struct teed_opts {
	const char *socket_path;
	const char *suppl_socket;
	const char *ta_dir;
	const char *state_dir;
	const char *huk_file;
	bool huk_zero;
	bool foreground;
	bool no_rollback_counter;
	bool reset_storage;
	bool rpmb_provision;
	enum gpstore_corrupt_policy corrupt_policy;
	int suppl_wait_ms;
	struct driver_limits lim;
};

static void usage(FILE *f)
{
	fprintf(
	    f, "usage: teed --ta-dir DIR --state-dir DIR [options]\n"
	       "  --socket PATH             client socket (default: "
	       "$TEESTORE_SOCKET,\n"
	       "                            $XDG_RUNTIME_DIR/teestore.sock or "
	       "/tmp/teestore-UID.sock)\n"
	       "  --supplicant-socket PATH  socket tee-supplicant connects "
	       "to\n"
	       "  --ta-dir DIR              trusted applications (<uuid>.ta)\n"
	       "  --state-dir DIR           teed's private state (the HUK, the "
	       "rollback\n"
	       "                            counter)\n"
	       "  --huk-file FILE           raw 16 or 32 byte HUK\n"
	       "  --huk-zero                all-zero HUK (OP-TEE QEMU "
	       "compatible, insecure)\n"
	       "  --max-sessions N          sessions per client (64)\n"
	       "  --max-shm-call BYTES      memref bytes per call (64 MiB)\n"
	       "  --max-shm-client BYTES    shared memory per client (256 "
	       "MiB)\n"
	       "  --max-clients N           clients at once (256)\n"
	       "  --corrupt-policy keep|delete\n"
	       "                            a corrupt object is kept aside for "
	       "analysis\n"
	       "                            (default) or deleted as OP-TEE "
	       "does\n"
	       "  --supplicant-wait SECONDS wait this long for tee-supplicant "
	       "before\n"
	       "                            serving clients (10)\n"
	       "  --no-rollback-counter     keep no minimum counter of the REE "
	       "storage:\n"
	       "                            a restored old copy of it is then "
	       "accepted\n"
	       "                            (weaker; OP-TEE's default). With "
	       "RPMB\n"
	       "                            storage mounted the REE storage is "
	       "anchored\n"
	       "                            in RPMB instead, as OP-TEE does\n"
	       "  --reset-storage           accept the REE storage as it is as "
	       "the new\n"
	       "                            rollback baseline (explicit, "
	       "logged; in\n"
	       "                            RPMB when mounted, else teed's "
	       "counter)\n"
	       "  --rpmb-provision          program the RPMB key derived from "
	       "the HUK\n"
	       "                            and the device CID (one-time, "
	       "logged)\n"
	       "  --foreground              do not detach\n"
	       "  --help                    this text\n");
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v > max || v == 0)
		return false;
	*out = v;
	return true;
}

enum {
	OPT_SOCKET = 256,
	OPT_SUPPL,
	OPT_TA,
	OPT_STATE,
	OPT_HUKF,
	OPT_HUKZ,
	OPT_FG,
	OPT_HELP,
	OPT_MSESS,
	OPT_MCALL,
	OPT_MCLIENT,
	OPT_MCLIENTS,
	OPT_CORRUPT,
	OPT_SWAIT,
	OPT_NORBC,
	OPT_RESET,
	OPT_RPMBPROV
};

static const struct option longopts[] = {
    {"socket", required_argument, NULL, OPT_SOCKET},
    {"supplicant-socket", required_argument, NULL, OPT_SUPPL},
    {"ta-dir", required_argument, NULL, OPT_TA},
    {"state-dir", required_argument, NULL, OPT_STATE},
    {"huk-file", required_argument, NULL, OPT_HUKF},
    {"huk-zero", no_argument, NULL, OPT_HUKZ},
    {"foreground", no_argument, NULL, OPT_FG},
    {"help", no_argument, NULL, OPT_HELP},
    {"max-sessions", required_argument, NULL, OPT_MSESS},
    {"max-shm-call", required_argument, NULL, OPT_MCALL},
    {"max-shm-client", required_argument, NULL, OPT_MCLIENT},
    {"max-clients", required_argument, NULL, OPT_MCLIENTS},
    {"corrupt-policy", required_argument, NULL, OPT_CORRUPT},
    {"supplicant-wait", required_argument, NULL, OPT_SWAIT},
    {"no-rollback-counter", no_argument, NULL, OPT_NORBC},
    {"reset-storage", no_argument, NULL, OPT_RESET},
    {"rpmb-provision", no_argument, NULL, OPT_RPMBPROV},
    {NULL, 0, NULL, 0},
};

static bool parse_limit(int opt, const char *arg, struct driver_limits *l)
{
	uint64_t v;

	if (!parse_u64(arg,
		       opt == OPT_MSESS || opt == OPT_MCLIENTS
			   ? 65536
			   : UINT64_MAX >> 1,
		       &v))
		return false;
	if (opt == OPT_MSESS)
		l->max_sessions = (uint32_t)v;
	else if (opt == OPT_MCLIENTS)
		l->max_clients = (uint32_t)v;
	else if (opt == OPT_MCALL)
		l->max_shm_call = v;
	else
		l->max_shm_client = v;
	return true;
}

static void parse_args(int argc, char **argv, struct teed_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	driver_limits_default(&o->lim);
	o->corrupt_policy = GPSTORE_CORRUPT_KEEP;
	o->suppl_wait_ms = 10000;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SOCKET:
			o->socket_path = optarg;
			break;
		case OPT_SUPPL:
			o->suppl_socket = optarg;
			break;
		case OPT_TA:
			o->ta_dir = optarg;
			break;
		case OPT_STATE:
			o->state_dir = optarg;
			break;
		case OPT_HUKF:
			o->huk_file = optarg;
			break;
		case OPT_HUKZ:
			o->huk_zero = true;
			break;
		case OPT_FG:
			o->foreground = true;
			break;
		case OPT_NORBC:
			o->no_rollback_counter = true;
			break;
		case OPT_RESET:
			o->reset_storage = true;
			break;
		case OPT_RPMBPROV:
			o->rpmb_provision = true;
			break;
		case OPT_HELP:
			usage(stdout);
			exit(0);
		case OPT_CORRUPT:
			if (!strcmp(optarg, "keep"))
				o->corrupt_policy = GPSTORE_CORRUPT_KEEP;
			else if (!strcmp(optarg, "delete"))
				o->corrupt_policy = GPSTORE_CORRUPT_DELETE;
			else
				fatalx("--corrupt-policy: keep or delete, not "
				       "%s",
				       optarg);
			break;
		case OPT_SWAIT: {
			uint64_t v;

			if (!parse_u64(optarg, 3600, &v))
				fatalx("--supplicant-wait: 1..3600 seconds, "
				       "not %s",
				       optarg);
			o->suppl_wait_ms = (int)v * 1000;
			break;
		}
		case OPT_MSESS:
		case OPT_MCALL:
		case OPT_MCLIENT:
		case OPT_MCLIENTS:
			if (!parse_limit(c, optarg, &o->lim))
				fatalx("--%s: not a valid number: %s",
				       longopts[c - OPT_SOCKET].name, optarg);
			break;
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc)
		fatalx("unexpected argument: %s (see --help)", argv[optind]);
	if (!o->ta_dir || !o->state_dir)
		fatalx("--ta-dir and --state-dir are required (see --help)");
	if (o->huk_file && o->huk_zero)
		fatalx("--huk-file and --huk-zero exclude each other");
	if (o->reset_storage && o->no_rollback_counter)
		fatalx("--reset-storage resets the rollback counter: not with "
		       "--no-rollback-counter");
	if (o->rpmb_provision && !o->suppl_socket)
		fatalx("--rpmb-provision needs --supplicant-socket (the RPMB "
		       "device is tee-supplicant's)");
	if (o->reset_storage && !o->suppl_socket)
		fatalx("--reset-storage needs --supplicant-socket (storage)");
}

/*
 * Without --foreground: fork; the parent waits on a pipe until the child
 * is serving (or has failed), so "teed && client" works.
 */
static int daemonize(void)
{
	int p[2];
	pid_t pid;
	char ok = 0;

	if (pipe(p) < 0)
		fatal("pipe");
	pid = fork();
	if (pid < 0)
		fatal("fork");
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &ok, 1) != 1)
			ok = 0;
		exit(ok ? 0 : 1);
	}
	close(p[0]);
	setsid();
	return p[1];
}

static void ready(int fd)
{
	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			log_warn("readiness pipe");
		close(fd);
	}
}

int main(int argc, char **argv)
{
	struct teed_opts o;
	char defsock[108];
	sigset_t sigs;
	int sfd, rc, readyfd = -1;
	struct ta_config tcfg;

	log_init("teed");
	/* teed's memory holds the keys: no core dumps, and no ptrace or
	 * /proc/PID/mem by other processes of the same user (root aside). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		log_warn("cannot make teed non-dumpable");
	parse_args(argc, argv, &o);
	if (!o.socket_path)
		o.socket_path = getenv("TEESTORE_SOCKET");
	if (!o.socket_path) {
		if (drv_default_socket_path(defsock, sizeof(defsock)) < 0)
			fatalx("default socket path too long; use --socket");
		o.socket_path = defsock;
	}
	if (mkdir(o.state_dir, 0700) < 0 && errno != EEXIST)
		fatal("%s", o.state_dir);
	/* Held until exit (the fd stays open; daemonize's child keeps it). */
	rc = teed_state_lock(o.state_dir);
	if (rc == -EBUSY)
		fatalx("%s is in use by another teed or by tsfs", o.state_dir);
	if (rc < 0)
		fatalx("cannot lock %s: %s", o.state_dir, strerror(-rc));
	if (!o.foreground)
		readyfd = daemonize();
	/* After the fork: a child does not inherit the parent's mlock() of
	 * the HUK's page (a failure here still fails the parent's wait). */
	if (teed_huk_load(o.state_dir, o.huk_file, o.huk_zero))
		fatalx("no HUK, not starting");

	/* Signals arrive only through sfd, in the main thread. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sfd < 0)
		fatal("signalfd");

	memset(&tcfg, 0, sizeof(tcfg)); /* 0/NULL: the TA side's defaults */
	tcfg.ta_dir = o.ta_dir;
	if (ta_side_init(&tcfg))
		fatalx("cannot start the TA side (ta dir %s)", o.ta_dir);

	/*
	 * Storage before clients: a TA instance started before storage is
	 * up would have none (teed_storage.h).
	 */
	if (o.suppl_socket) {
		struct teed_storage_opts so = {
		    .suppl_socket = o.suppl_socket,
		    .corrupt_policy = o.corrupt_policy,
		    .wait_ms = o.suppl_wait_ms,
		    .state_dir = o.state_dir,
		    .rollback_counter = !o.no_rollback_counter,
		    .reset_storage = o.reset_storage,
		    .rpmb_provision = o.rpmb_provision,
		};

		if (o.reset_storage)
			log_warnx("--reset-storage: the REE storage directory "
				  "will be accepted AS IT IS as the new "
				  "rollback baseline, even if it was rolled "
				  "back");

		rc = teed_storage_start(&so);
		if (rc)
			fatalx("%s: cannot listen for tee-supplicant: %s",
			       o.suppl_socket, strerror(-rc));
	} else {
		log_warnx("no --supplicant-socket: TAs have no storage");
	}

	rc = driver_listen(o.socket_path, &o.lim);
	if (rc)
		fatalx("%s: cannot listen: %s", o.socket_path, strerror(-rc));
	log_info("serving on %s", o.socket_path);
	ready(readyfd);
	rc = driver_serve(sfd);
	if (rc)
		log_warnx("accept loop failed: %s", strerror(-rc));
	log_info("shutting down");
	driver_shutdown(5000);
	ta_side_shutdown();
	if (o.suppl_socket)
		teed_storage_stop();
	teed_huk_wipe();
	close(sfd);
	return rc ? 1 : 0;
}
