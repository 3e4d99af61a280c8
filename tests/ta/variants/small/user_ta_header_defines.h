/* Header of the "small" test TA (see tests/ta/include/test_ta_ids.h). */
#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include <test_ta_ids.h>

#define TA_UUID TEST_TA_UUID(5)
#define TA_FLAGS (0)
#define TA_STACK_SIZE (16 * 1024)
#define TA_DATA_SIZE (16 * 1024)
#define TA_DESCRIPTION "teestore test TA (small)"
#define TA_CURRENT_TA_EXT_PROPERTIES                                           \
	{ "test.ta.answer", USER_TA_PROP_TYPE_U32, &(const uint32_t){ 42 } },

#endif
