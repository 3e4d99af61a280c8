/*
 * tee-run: CMD's exit status comes back unchanged, CMD reaches teed
 * through TEESTORE_SOCKET, the state dir gets its layout, and teed is
 * stopped afterwards. Usage: test_tee_run TEE_RUN TEED_DOUBLE
 * (invoked as "test_tee_run --client" it is the CMD that uses libteec).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ta_double.h"
#include "tee_client_api.h"
#include "test.h"

static const char *tee_run, *teed;
static char self[4096];
static char state[420];
static char tmp[400];

static int client_main(void)
{
	static const TEEC_UUID echo = DBL_UUID_ECHO;
	TEEC_Context ctx;
	TEEC_Session s;
	TEEC_Operation op;
	uint32_t origin;

	if (TEEC_InitializeContext(NULL, &ctx) ||
	    TEEC_OpenSession(&ctx, &s, &echo, TEEC_LOGIN_PUBLIC, NULL, NULL,
			     &origin))
		return 10;
	memset(&op, 0, sizeof(op));
	op.paramTypes =
	    TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
	op.params[0].value.a = 41;
	if (TEEC_InvokeCommand(&s, DBL_CMD_PARAMS, &op, &origin) ||
	    op.params[0].value.a != 42)
		return 11;
	TEEC_CloseSession(&s);
	TEEC_FinalizeContext(&ctx);
	return 0;
}

/* Runs tee-run with extra options pre (may be NULL) and CMD...; returns
 * its exit status. */
static int run_with(const char *const *pre, const char *const *cmd)
{
	const char *argv[32];
	int n = 0, st, i;
	pid_t pid;

	argv[n++] = tee_run;
	argv[n++] = "--teed";
	argv[n++] = teed;
	argv[n++] = "--supplicant";
	argv[n++] = "/nonexistent/tee-supplicant";
	argv[n++] = "--state-dir";
	argv[n++] = state;
	argv[n++] = "--huk-zero";
	for (i = 0; pre && pre[i] && n < 20; i++)
		argv[n++] = pre[i];
	argv[n++] = "--";
	for (i = 0; cmd[i] && n < 31; i++)
		argv[n++] = cmd[i];
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		setenv("TEESTORE_LOG", "error", 1);
		execv(tee_run, (char *const *)argv);
		_exit(126);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int run(const char *const *cmd)
{
	return run_with(NULL, cmd);
}

/* --teed-arg reaches teed: a bad one stops it, a good one is used. */
static void test_teed_args_passed(void)
{
	static const char *const ok[] = {"true", NULL};
	static const char *const bogus[] = {"--teed-arg", "--no-such-option",
					    NULL};
	static const char *const limit[] = {"--teed-arg", "--max-sessions",
					    "--teed-arg", "4", NULL};
	static const char *const bad_limit[] = {"--teed-arg", "--max-sessions",
						"--teed-arg", "zero", NULL};

	CHECK_EQ(run_with(bogus, ok), 125);
	CHECK_EQ(run_with(limit, ok), 0);
	CHECK_EQ(run_with(bad_limit, ok), 125);
}

/* A second TEE on the same state dir is refused (teed_lock.h): the
 * inner tee-run's teed cannot start while the outer one runs. */
static void test_state_in_use(void)
{
	const char *const inner[] = {tee_run,
				     "--teed",
				     teed,
				     "--supplicant",
				     "/nonexistent/tee-supplicant",
				     "--state-dir",
				     state,
				     "--huk-zero",
				     "--",
				     "true",
				     NULL};
	static const char *const ok[] = {"true", NULL};

	CHECK_EQ(run(inner), 125);
	/* ...and the state is free again once the outer one has stopped. */
	CHECK_EQ(run(ok), 0);
}

static void test_exit_status_passthrough(void)
{
	static const char *const ok[] = {"true", NULL};
	static const char *const seven[] = {"sh", "-c", "exit 7", NULL};
	static const char *const sig[] = {"sh", "-c", "kill -9 $$", NULL};
	static const char *const missing[] = {"/nonexistent/cmd", NULL};

	CHECK_EQ(run(ok), 0);
	CHECK_EQ(run(seven), 7);
	CHECK_EQ(run(sig), 128 + 9);
	CHECK_EQ(run(missing), 127);
}

static void test_cmd_reaches_teed(void)
{
	const char *const client[] = {self, "--client", NULL};
	static const char *const env[] = {"sh", "-c",
					  "test -S \"$TEESTORE_SOCKET\"", NULL};
	char p[600];
	struct stat st;

	CHECK_EQ(run(client), 0);
	CHECK_EQ(run(env), 0);
	snprintf(p, sizeof(p), "%s/ree", state);
	CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode));
	snprintf(p, sizeof(p), "%s/teed", state);
	CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode));
}

/* After tee-run returns, nothing answers on the socket it used. */
static void test_teed_stopped_after(void)
{
	static const char *const save[] = {
	    "sh", "-c", "echo \"$TEESTORE_SOCKET\" > \"$0\"", NULL, NULL};
	const char *cmd[5];
	char file[600], sock[600] = "";
	FILE *f;

	snprintf(file, sizeof(file), "%s/sockname", state);
	memcpy(cmd, save, sizeof(save));
	cmd[3] = file;
	CHECK_EQ(run(cmd), 0);
	f = fopen(file, "r");
	REQUIRE(f != NULL);
	CHECK(fgets(sock, sizeof(sock), f) != NULL);
	fclose(f);
	sock[strcspn(sock, "\n")] = 0;
	CHECK(sock[0] == '/');
	CHECK(access(sock, F_OK) != 0); /* socket and runtime dir removed */
}

int main(int argc, char **argv)
{
	ssize_t n;

	if (argc == 2 && !strcmp(argv[1], "--client"))
		return client_main();
	if (argc != 3) {
		fprintf(stderr, "usage: %s TEE_RUN TEED_DOUBLE\n", argv[0]);
		return 2;
	}
	tee_run = argv[1];
	teed = argv[2];
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 1;
	self[n] = 0;
	snprintf(tmp, sizeof(tmp), "%s", test_tmpdir("tee-run"));
	snprintf(state, sizeof(state), "%s/state", tmp);
	RUN(test_exit_status_passthrough);
	RUN(test_teed_args_passed);
	RUN(test_state_in_use);
	RUN(test_cmd_reaches_teed);
	RUN(test_teed_stopped_after);
	test_rmtree(tmp);
	return test_report();
}
