/*
 * Time, waiting, cancellation and randomness (GP 4.10, 6.6, 7). Waits
 * are cancellable: TEE_Wait sleeps in poll() on the TA channel, so a
 * CANCEL from teed wakes it at once (channel.c).
 */
#include <errno.h>
#include <sys/random.h>
#include <time.h>

#include "runtime.h"
#include "tee_api.h"

static void clock_to_tee(clockid_t id, TEE_Time *t)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) < 0)
		TEE_Panic(TEE_ERROR_GENERIC);
	t->seconds = (uint32_t)ts.tv_sec;
	t->millis = (uint32_t)(ts.tv_nsec / 1000000);
}

void TEE_GetSystemTime(TEE_Time *time)
{
	clock_to_tee(CLOCK_MONOTONIC, time);
}

void TEE_GetREETime(TEE_Time *time)
{
	clock_to_tee(CLOCK_REALTIME, time);
}

/* Persistent TA time needs trusted storage: not yet (docs/ta-devkit.md). */
TEE_Result TEE_GetTAPersistentTime(TEE_Time *time)
{
	time->seconds = 0;
	time->millis = 0;
	return TEE_ERROR_NOT_SUPPORTED;
}

TEE_Result TEE_SetTAPersistentTime(const TEE_Time *time)
{
	(void)time;
	return TEE_ERROR_NOT_SUPPORTED;
}

static bool masked(void)
{
	return rt.cur ? rt.cur->cancel_masked : true;
}

/* Takes in any CANCEL already queued on the channel. */
static void drain_cancels(void)
{
	while (rt.in_call && rt_chan_poll(0, NULL, NULL, 0) == 2)
		;
}

bool TEE_GetCancellationFlag(void)
{
	drain_cancels();
	return rt.cancel_flag && !masked();
}

bool TEE_UnmaskCancellation(void)
{
	bool old = masked();

	if (rt.cur)
		rt.cur->cancel_masked = false;
	return old;
}

bool TEE_MaskCancellation(void)
{
	bool old = masked();

	if (rt.cur)
		rt.cur->cancel_masked = true;
	return old;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

TEE_Result TEE_Wait(uint32_t timeout)
{
	int64_t deadline = now_ms() + timeout;

	drain_cancels();
	for (;;) {
		int64_t left = deadline - now_ms();
		int ms;

		if (rt.cancel_flag && !masked())
			return TEE_ERROR_CANCEL;
		if (timeout != TEE_TIMEOUT_INFINITE && left <= 0)
			return TEE_SUCCESS;
		ms = timeout == TEE_TIMEOUT_INFINITE ? -1
		     : left > 60000		     ? 60000
						     : (int)left;
		rt_chan_poll(ms, NULL, NULL, 0);
	}
}

void TEE_GenerateRandom(void *randomBuffer, size_t randomBufferLen)
{
	uint8_t *p = randomBuffer;

	while (randomBufferLen) {
		ssize_t n = getrandom(p, randomBufferLen, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			TEE_Panic(TEE_ERROR_GENERIC);
		p += n;
		randomBufferLen -= (size_t)n;
	}
}
