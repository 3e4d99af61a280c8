/*
 * Logging for every teestore program, in the spirit of OpenBSD's log.c:
 * fatal conditions are loud and end the process (fatal/fatalx), ordinary
 * failures are reported and returned. Keys and plaintext never go here.
 */
#ifndef TEESTORE_LOG_H
#define TEESTORE_LOG_H

#include <stdarg.h>

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO,
		 LOG_LEVEL_DEBUG };

/* Name printed before each line; level from TEESTORE_LOG (error..debug). */
void log_init(const char *progname);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* fatal appends strerror(errno); fatalx does not. Both exit(1). */
void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#endif
