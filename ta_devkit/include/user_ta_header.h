/*
 * What a TA binary carries about itself, read by teestore-ta-host when it
 * loads a .ta: its header (UUID, stack size, flags), its heap size and its
 * property table (gpd.ta.* plus TA_CURRENT_TA_EXT_PROPERTIES). The dev
 * kit compiles src/user_ta_header.c, which fills these in from the TA's
 * user_ta_header_defines.h, into every TA (as OP-TEE does).
 * Names and values follow OP-TEE's user_ta_header.h.
 */
#ifndef USER_TA_HEADER_H
#define USER_TA_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include <tee_api_types.h>

#define TA_FLAG_USER_MODE      0	/* Deprecated, was (1 << 0) */
#define TA_FLAG_EXEC_DDR       0	/* Deprecated, was (1 << 1) */
#define TA_FLAG_SINGLE_INSTANCE (1 << 2)
#define TA_FLAG_MULTI_SESSION  (1 << 3)
#define TA_FLAG_INSTANCE_KEEP_ALIVE (1 << 4)
#define TA_FLAG_SECURE_DATA_PATH (1 << 5)
#define TA_FLAG_REMAP_SUPPORT  0	/* Deprecated, was (1 << 6) */
#define TA_FLAG_CACHE_MAINTENANCE (1 << 7)
#define TA_FLAG_CONCURRENT     (1 << 8)
#define TA_FLAG_DEVICE_ENUM    (1 << 9)
#define TA_FLAG_DEVICE_ENUM_SUPP (1 << 10)
#define TA_FLAG_DONT_CLOSE_HANDLE_ON_CORRUPT_OBJECT (1 << 11)
#define TA_FLAG_DEVICE_ENUM_TEE_STORAGE_PRIVATE (1 << 12)
#define TA_FLAG_INSTANCE_KEEP_CRASHED (1 << 13)

/* Version of the binary interface between a .ta and teestore-ta-host. */
#define TEESTORE_TA_ABI_VERSION 1U

struct ta_head {
	TEE_UUID uuid;
	uint32_t stack_size;
	uint32_t flags;
	uint64_t depr_entry; /* unused: kept for OP-TEE's layout */
};

enum user_ta_prop_type {
	USER_TA_PROP_TYPE_BOOL,	/* bool */
	USER_TA_PROP_TYPE_U32,	/* uint32_t */
	USER_TA_PROP_TYPE_UUID,	/* TEE_UUID */
	USER_TA_PROP_TYPE_IDENTITY, /* TEE_Identity */
	USER_TA_PROP_TYPE_STRING, /* zero terminated string of char */
	USER_TA_PROP_TYPE_BINARY_BLOCK, /* zero terminated base64 coded string */
	USER_TA_PROP_TYPE_U64,	/* uint64_t */
	USER_TA_PROP_TYPE_INVALID, /* invalid value */
};

struct user_ta_property {
	const char *name;
	enum user_ta_prop_type type;
	const void *value;
};

#define TA_PROP_STR_SINGLE_INSTANCE "gpd.ta.singleInstance"
#define TA_PROP_STR_MULTI_SESSION   "gpd.ta.multiSession"
#define TA_PROP_STR_KEEP_ALIVE      "gpd.ta.instanceKeepAlive"
#define TA_PROP_STR_KEEP_CRASHED    "gpd.ta.instanceKeepCrashed"
#define TA_PROP_STR_DATA_SIZE       "gpd.ta.dataSize"
#define TA_PROP_STR_STACK_SIZE      "gpd.ta.stackSize"
#define TA_PROP_STR_VERSION         "gpd.ta.version"
#define TA_PROP_STR_DESCRIPTION     "gpd.ta.description"
#define TA_PROP_STR_ENDIAN          "gpd.ta.endian"
#define TA_PROP_STR_APP_ID          "gpd.ta.appID"
#define TA_PROP_STR_DOES_NOT_CLOSE_HANDLE_ON_CORRUPT_OBJECT                    \
	"gpd.ta.doesNotCloseHandleOnCorruptObject"

/* Defined in every TA by src/user_ta_header.c. */
extern const struct ta_head ta_head;
extern const size_t ta_heap_size;
extern const struct user_ta_property ta_props[];
extern const size_t ta_num_props;
extern const uint32_t ta_teestore_abi;

#endif /* USER_TA_HEADER_H */
