/*
 * Compiled into every TA by the dev kit (mk/ta_dev_kit.mk) and by
 * teestore_add_ta() (cmake/ta.cmake): turns the TA's
 * user_ta_header_defines.h into the header and property table that
 * teestore-ta-host reads when it loads the .ta (user_ta_header.h).
 */
#include <stdbool.h>
#include <stdint.h>

#include <tee_internal_api.h>
#include <user_ta_header.h>
#include <user_ta_header_defines.h>

#ifndef TA_VERSION
#define TA_VERSION "Undefined version"
#endif
#ifndef TA_DESCRIPTION
#define TA_DESCRIPTION "Undefined description"
#endif

#define TA_VISIBLE __attribute__((visibility("default")))

TA_VISIBLE const struct ta_head ta_head = {
	.uuid = TA_UUID,
	.stack_size = TA_STACK_SIZE,
	.flags = TA_FLAGS,
};

TA_VISIBLE const size_t ta_heap_size = TA_DATA_SIZE;
TA_VISIBLE const uint32_t ta_teestore_abi = TEESTORE_TA_ABI_VERSION;

TA_VISIBLE const struct user_ta_property ta_props[] = {
	{ TA_PROP_STR_APP_ID, USER_TA_PROP_TYPE_UUID,
	  &(const TEE_UUID)TA_UUID },
	{ TA_PROP_STR_SINGLE_INSTANCE, USER_TA_PROP_TYPE_BOOL,
	  &(const bool){ (TA_FLAGS & TA_FLAG_SINGLE_INSTANCE) != 0 } },
	{ TA_PROP_STR_MULTI_SESSION, USER_TA_PROP_TYPE_BOOL,
	  &(const bool){ (TA_FLAGS & TA_FLAG_MULTI_SESSION) != 0 } },
	{ TA_PROP_STR_KEEP_ALIVE, USER_TA_PROP_TYPE_BOOL,
	  &(const bool){ (TA_FLAGS & TA_FLAG_INSTANCE_KEEP_ALIVE) != 0 } },
	{ TA_PROP_STR_DATA_SIZE, USER_TA_PROP_TYPE_U32,
	  &(const uint32_t){ TA_DATA_SIZE } },
	{ TA_PROP_STR_STACK_SIZE, USER_TA_PROP_TYPE_U32,
	  &(const uint32_t){ TA_STACK_SIZE } },
	{ TA_PROP_STR_VERSION, USER_TA_PROP_TYPE_STRING, TA_VERSION },
	{ TA_PROP_STR_DESCRIPTION, USER_TA_PROP_TYPE_STRING, TA_DESCRIPTION },
	{ TA_PROP_STR_ENDIAN, USER_TA_PROP_TYPE_U32, &(const uint32_t){ 0 } },
	{ TA_PROP_STR_DOES_NOT_CLOSE_HANDLE_ON_CORRUPT_OBJECT,
	  USER_TA_PROP_TYPE_BOOL,
	  &(const bool){ (TA_FLAGS &
			  TA_FLAG_DONT_CLOSE_HANDLE_ON_CORRUPT_OBJECT) != 0 } },
#ifdef TA_CURRENT_TA_EXT_PROPERTIES
	TA_CURRENT_TA_EXT_PROPERTIES
#endif
};

TA_VISIBLE const size_t ta_num_props = sizeof(ta_props) / sizeof(ta_props[0]);
