/*
 * OP-TEE's TA trace macros. TRACE_LEVEL (the dev kit sets it from
 * CFG_TEE_TA_LOG_LEVEL) removes the calls above it at compile time; the
 * runtime writes the rest to the TA process's stderr (teed's), prefixed
 * with the level and the TA's UUID.
 */
#ifndef TRACE_H
#define TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <trace_levels.h>

#define MAX_PRINT_SIZE      256
#define MAX_FUNC_PRINT_SIZE 32

#ifndef TRACE_LEVEL
#define TRACE_LEVEL TRACE_MAX
#endif

void trace_set_level(int level);
int trace_get_level(void);
void trace_ext_puts(const char *str);
void trace_printf(const char *func, int line, int level, bool level_ok,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define trace_printf_helper(level, level_ok, ...)                              \
	trace_printf(__func__, __LINE__, (level), (level_ok), __VA_ARGS__)

/* Always printed, without level or location. */
#define MSG(...) trace_printf_helper(0, false, __VA_ARGS__)
#define MSG_RAW(...) trace_printf(NULL, 0, 0, false, __VA_ARGS__)

#if (TRACE_LEVEL < TRACE_ERROR)
#define EMSG(...) (void)0
#define EMSG_RAW(...) (void)0
#else
#define EMSG(...) trace_printf_helper(TRACE_ERROR, true, __VA_ARGS__)
#define EMSG_RAW(...) trace_printf(NULL, 0, TRACE_ERROR, true, __VA_ARGS__)
#endif

#if (TRACE_LEVEL < TRACE_INFO)
#define IMSG(...) (void)0
#define IMSG_RAW(...) (void)0
#else
#define IMSG(...) trace_printf_helper(TRACE_INFO, true, __VA_ARGS__)
#define IMSG_RAW(...) trace_printf(NULL, 0, TRACE_INFO, true, __VA_ARGS__)
#endif

#if (TRACE_LEVEL < TRACE_DEBUG)
#define DMSG(...) (void)0
#define DMSG_RAW(...) (void)0
#else
#define DMSG(...) trace_printf_helper(TRACE_DEBUG, true, __VA_ARGS__)
#define DMSG_RAW(...) trace_printf(NULL, 0, TRACE_DEBUG, true, __VA_ARGS__)
#endif

#if (TRACE_LEVEL < TRACE_FLOW)
#define FMSG(...) (void)0
#define FMSG_RAW(...) (void)0
#else
#define FMSG(...) trace_printf_helper(TRACE_FLOW, true, __VA_ARGS__)
#define FMSG_RAW(...) trace_printf(NULL, 0, TRACE_FLOW, true, __VA_ARGS__)
#endif

#define INMSG(...) FMSG("> " __VA_ARGS__)
#define OUTMSG(...) FMSG("< " __VA_ARGS__)
#define OUTRMSG(r)                                                             \
	do {                                                                   \
		OUTMSG("r=[%x]", r);                                           \
		return r;                                                      \
	} while (0)

#endif /* TRACE_H */
