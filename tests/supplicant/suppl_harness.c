/* See suppl_harness.h. TEE_SUPPLICANT_PATH comes from CMake. */
#include "suppl_harness.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

pid_t harness_spawn_nowait(struct harness *h)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* No orphan: it would reconnect forever to a dead teed. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (h->rpmb[0])
			execl(TEE_SUPPLICANT_PATH, "tee-supplicant",
			      "--fs-parent-path", h->fs, "--socket", h->sock,
			      "--rpmb-file", h->rpmb, (char *)NULL);
		else
			execl(TEE_SUPPLICANT_PATH, "tee-supplicant",
			      "--fs-parent-path", h->fs, "--socket", h->sock,
			      (char *)NULL);
		_exit(127);
	}
	return pid;
}

int harness_spawn(struct harness *h)
{
	pid_t pid = harness_spawn_nowait(h);

	if (pid < 0)
		return (int)pid;
	h->pid = pid;
	return suppl_link_wait(h->link, 10000);
}

int harness_kill(struct harness *h, int sig)
{
	int status = -1;

	if (h->pid <= 0)
		return -1;
	kill(h->pid, sig);
	while (waitpid(h->pid, &status, 0) < 0 && errno == EINTR)
		;
	h->pid = 0;
	return status;
}

int harness_start_ex(struct harness *h, const char *tag,
		     const struct suppl_link_opts *opts, const char *fs_dir,
		     bool rpmb)
{
	const char *base = getenv("TMPDIR");
	int rc;

	memset(h, 0, sizeof(*h));
	if (!base || !*base)
		base = "/tmp";
	/* Our own temp dir: test_tmpdir()'s static buffer may be fs_dir. */
	snprintf(h->root, sizeof(h->root), "%s/teestore-%s-XXXXXX", base, tag);
	if (!mkdtemp(h->root))
		return -errno;
	snprintf(h->sock, sizeof(h->sock), "%s/suppl.sock", h->root);
	if (fs_dir)
		snprintf(h->fs, sizeof(h->fs), "%s", fs_dir);
	else
		snprintf(h->fs, sizeof(h->fs), "%s/fs", h->root);
	if (rpmb)
		snprintf(h->rpmb, sizeof(h->rpmb), "%s/rpmb", h->root);
	signal(SIGPIPE, SIG_IGN);
	rc = suppl_link_start_opts(h->sock, opts, &h->link);
	if (rc)
		return rc;
	return harness_spawn(h);
}

int harness_start(struct harness *h, const char *tag,
		  const struct suppl_link_opts *opts)
{
	return harness_start_ex(h, tag, opts, NULL, false);
}

void harness_stop(struct harness *h)
{
	harness_kill(h, SIGKILL);
	suppl_link_stop(h->link);
	h->link = NULL;
	test_rmtree(h->root);
}
