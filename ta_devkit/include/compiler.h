/* OP-TEE's <compiler.h> attribute shorthands. */
#ifndef TEESTORE_TA_COMPILER_H
#define TEESTORE_TA_COMPILER_H

#define __unused __attribute__((unused))
#define __maybe_unused __attribute__((unused))
#define __noreturn __attribute__((noreturn))
#define __packed __attribute__((packed))
#define __aligned(x) __attribute__((aligned(x)))
#define __weak __attribute__((weak))
#define __printf(a, b) __attribute__((format(printf, (a), (b))))
#define __must_check __attribute__((warn_unused_result))

#endif
