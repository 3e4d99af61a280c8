/* Logging: one line per message on stderr, prefixed with the program name. */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *log_progname = "teestore";
static enum log_level log_level = LOG_LEVEL_WARN;

void log_init(const char *progname)
{
	const char *env = getenv("TEESTORE_LOG");

	if (progname)
		log_progname = progname;
	if (!env)
		return;
	if (!strcmp(env, "error"))
		log_level = LOG_LEVEL_ERROR;
	else if (!strcmp(env, "warn"))
		log_level = LOG_LEVEL_WARN;
	else if (!strcmp(env, "info"))
		log_level = LOG_LEVEL_INFO;
	else if (!strcmp(env, "debug"))
		log_level = LOG_LEVEL_DEBUG;
}

void log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level log_get_level(void)
{
	return log_level;
}

__attribute__((format(printf, 1, 0))) static void
log_vline(const char *fmt, va_list ap, int errnum)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (errnum)
		fprintf(stderr, "%s: %s: %s\n", log_progname, line,
			strerror(errnum));
	else
		fprintf(stderr, "%s: %s\n", log_progname, line);
}

#define LOG_BODY(level, errnum)                                                \
	do {                                                                   \
		va_list ap;                                                    \
		if (log_level < (level))                                       \
			return;                                                \
		va_start(ap, fmt);                                             \
		log_vline(fmt, ap, errnum);                                    \
		va_end(ap);                                                    \
	} while (0)

void log_warn(const char *fmt, ...)
{
	int saved = errno;

	LOG_BODY(LOG_LEVEL_WARN, saved);
}

void log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_WARN, 0);
}

void log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_INFO, 0);
}

void log_debug(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_DEBUG, 0);
}

void fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vline(fmt, ap, saved);
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(fmt, ap, 0);
	va_end(ap);
	exit(1);
}
