/*
 * secure_storage: stores files of any size in the TEE's trusted storage
 * through the secure storage TA. `secure_storage --help`;
 * docs/secure-storage-app.md.
 */
#include <signal.h>
#include <string.h>

#include "ss_tee.h"

volatile int ss_interrupted;

static void on_signal(int sig)
{
	(void)sig;
	ss_interrupted = 1;
}

/* SIGINT/SIGTERM end a transfer cleanly after the current chunk;
 * without SA_RESTART, a blocked read returns EINTR. */
static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
	struct ss_opts o;
	char err[256];

	if (ss_args_parse(argc, argv, &o, err, sizeof(err)) != SS_EXIT_OK) {
		fprintf(stderr, "secure_storage: %s\n", err);
		return SS_EXIT_USAGE;
	}
	catch_signals();
	switch (o.cmd) {
	case SS_CMD_HELP:
		ss_usage(stdout);
		return SS_EXIT_OK;
	case SS_CMD_PUT:
		return ss_cmd_put(&o);
	case SS_CMD_GET:
		return ss_cmd_get(&o);
	case SS_CMD_LS:
		return ss_cmd_ls(&o);
	case SS_CMD_STAT:
		return ss_cmd_stat(&o);
	case SS_CMD_RM:
		return ss_cmd_rm(&o);
	case SS_CMD_VERIFY:
		return ss_cmd_verify(&o);
	default:
		return SS_EXIT_USAGE;
	}
}
