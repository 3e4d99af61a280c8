/*
 * trace.h for TAs: formatted lines written straight to the inherited
 * stderr (teed's), one write() per line so lines of concurrent TA
 * processes do not interleave.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime.h"
#include "trace.h"

static int trace_level = TRACE_MAX;

void trace_set_level(int level)
{
	trace_level = level;
}

int trace_get_level(void)
{
	return trace_level;
}

static void put_line(char *buf, size_t len, size_t cap)
{
	if (len >= cap - 1)
		len = cap - 2;
	buf[len++] = '\n';
	if (write(STDERR_FILENO, buf, len) < 0) {
		/* stderr is gone: nothing else to tell */
	}
}

void trace_ext_puts(const char *str)
{
	char buf[MAX_PRINT_SIZE + 64];
	int n = snprintf(buf, sizeof(buf), "%s", str);

	if (n > 0)
		put_line(buf, (size_t)n, sizeof(buf));
}

void trace_printf(const char *func, int line, int level, bool level_ok,
		  const char *fmt, ...)
{
	static const char lvl[] = "?EIDF";
	char buf[MAX_PRINT_SIZE + 64];
	size_t len = 0;
	va_list ap;
	int n;

	if (level_ok && level > trace_level)
		return;
	n = snprintf(buf, sizeof(buf), "%c/TA %.8s: ",
		     level >= 1 && level <= 4 ? lvl[level] : ' ', rt.uuid_str);
	if (n > 0)
		len = (size_t)n;
	if (func && level_ok && level >= TRACE_DEBUG && len < sizeof(buf)) {
		n = snprintf(buf + len, sizeof(buf) - len, "%.*s:%d ",
			     MAX_FUNC_PRINT_SIZE, func, line);
		if (n > 0)
			len += (size_t)n;
	}
	if (len < sizeof(buf)) {
		va_start(ap, fmt);
		n = vsnprintf(buf + len, sizeof(buf) - len, fmt, ap);
		va_end(ap);
		if (n > 0)
			len += (size_t)n;
	}
	if (len > sizeof(buf) - 1)
		len = sizeof(buf) - 1;
	put_line(buf, len, sizeof(buf));
}

void rt_log(const char *fmt, ...)
{
	char buf[512];
	size_t len = 0;
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "teestore-ta-host[%s]: ", rt.uuid_str);
	if (n > 0)
		len = (size_t)n;
	va_start(ap, fmt);
	n = vsnprintf(buf + len, sizeof(buf) - len, fmt, ap);
	va_end(ap);
	if (n > 0)
		len += (size_t)n;
	if (len > sizeof(buf) - 1)
		len = sizeof(buf) - 1;
	put_line(buf, len, sizeof(buf));
}
