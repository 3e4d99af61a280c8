/* The handful of OP-TEE <util.h> helpers TAs commonly use. */
#ifndef TEESTORE_TA_UTIL_H
#define TEESTORE_TA_UTIL_H

#include <stddef.h>
#include <stdint.h>

#ifndef MAX
#define MAX(a, b) (((a) > (b)) ? (a) : (b))
#endif
#ifndef MIN
#define MIN(a, b) (((a) < (b)) ? (a) : (b))
#endif
#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
#define ROUNDUP(v, size) (((v) + ((__typeof__(v))(size) - 1)) & \
			  ~((__typeof__(v))(size) - 1))
#define ROUNDDOWN(v, size) ((v) & ~((__typeof__(v))(size) - 1))
#define IS_ALIGNED(x, a) (((x) & ((a) - 1)) == 0)
#define BIT32(nr) ((uint32_t)1 << (nr))
#define BIT64(nr) ((uint64_t)1 << (nr))
#define BIT(nr) BIT32(nr)
#define SHIFT_U32(v, shift) ((uint32_t)(v) << (shift))
#define SHIFT_U64(v, shift) ((uint64_t)(v) << (shift))

#endif
