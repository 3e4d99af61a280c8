/* The background job (ss_bg.h): a thread per chunk. Starting a thread
 * costs tens of microseconds against milliseconds of work per chunk. */
#include "ss_bg.h"

static void *bg_main(void *arg)
{
	struct ss_bg *b = arg;

	b->rc = b->fn(b->arg);
	return NULL;
}

void ss_bg_start(struct ss_bg *b, int (*fn)(void *arg), void *arg,
		 bool inline_run)
{
	b->fn = fn;
	b->arg = arg;
	b->rc = 0;
	b->running =
	    !inline_run && pthread_create(&b->thread, NULL, bg_main, b) == 0;
	if (!b->running)
		b->rc = fn(arg);
}

int ss_bg_join(struct ss_bg *b)
{
	if (b->running) {
		pthread_join(b->thread, NULL);
		b->running = false;
	}
	return b->rc;
}
