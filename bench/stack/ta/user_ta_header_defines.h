/* Header of the storage benchmark TA (../bench_stack_ta.h). */
#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include "bench_stack_ta.h"

#define TA_UUID	      BENCH_STACK_TA_UUID
#define TA_FLAGS      0
#define TA_STACK_SIZE (16 * 1024)
/* One chunk of up to 1 MiB in the heap, as xtest's benchmark TA has. */
#define TA_DATA_SIZE   (2 * 1024 * 1024)
#define TA_DESCRIPTION "teestore storage benchmark TA"

#endif
