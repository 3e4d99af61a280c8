/* Steps the client tests share: see client_fixture.h. */
#include "client_fixture.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

int client_teed_start(struct teed_proc *t, const char *teed, const char *tag,
		      const char *const *extra)
{
	/* A teed that dies under a test must fail it, not kill it. */
	signal(SIGPIPE, SIG_IGN);
	if (teed_proc_start(t, teed, tag, extra)) {
		fprintf(stderr, "cannot start %s\n", teed);
		return -1;
	}
	setenv("TEESTORE_SOCKET", t->socket, 1);
	return 0;
}

void client_teed_stop(struct teed_proc *t)
{
	CHECK(teed_proc_alive(t));
	/* SIGTERM: a clean shutdown, exit status 0. */
	CHECK_EQ(teed_proc_stop(t), 0);
}

bool client_open(TEEC_Context *ctx, TEEC_Session *s, const TEEC_UUID *uuid)
{
	uint32_t origin;

	if (TEEC_InitializeContext(NULL, ctx) != TEEC_SUCCESS)
		return false;
	if (TEEC_OpenSession(ctx, s, uuid, TEEC_LOGIN_PUBLIC, NULL, NULL,
			     &origin) != TEEC_SUCCESS) {
		TEEC_FinalizeContext(ctx);
		return false;
	}
	return true;
}

void client_close(TEEC_Context *ctx, TEEC_Session *s)
{
	TEEC_CloseSession(s);
	TEEC_FinalizeContext(ctx);
}

void client_value_op(TEEC_Operation *op, uint32_t a)
{
	memset(op, 0, sizeof(*op));
	op->paramTypes =
	    TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
	op->params[0].value.a = a;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double client_cancel_after(void *(*call)(void *), void *arg, TEEC_Operation *op,
			   unsigned delay_us)
{
	double t0 = now_s();
	pthread_t t;

	if (pthread_create(&t, NULL, call, arg))
		return -1;
	usleep(delay_us);
	TEEC_RequestCancellation(op);
	pthread_join(t, NULL);
	return now_s() - t0;
}

bool client_kill_after(pid_t pid, unsigned delay_us)
{
	int st;

	usleep(delay_us);
	kill(pid, SIGKILL);
	if (waitpid(pid, &st, 0) != pid)
		return false;
	return WIFSIGNALED(st);
}
