/* Header of the "b" storage test TA (include/storage_ta_ids.h). */
#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include <storage_ta_ids.h>

#define TA_UUID	       STORAGE_TA_UUID(2)
#define TA_FLAGS       0
#define TA_STACK_SIZE  (64 * 1024)
#define TA_DATA_SIZE   (4 * 1024 * 1024)
#define TA_DESCRIPTION "teestore storage test TA (b)"

#endif
