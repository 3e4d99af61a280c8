/* The secure storage TA's properties, as OP-TEE's dev kit expects them. */
#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include <secure_storage_ta.h>

#define TA_UUID TA_SECURE_STORAGE_UUID

/*
 * No TA_FLAG_SINGLE_INSTANCE: every session gets its own instance, so
 * two clients transfer in parallel. The heap only holds the session
 * state and a 16 KiB read buffer, whatever the file size.
 */
#define TA_FLAGS      TA_FLAG_EXEC_DDR
#define TA_STACK_SIZE (4 * 1024)
#define TA_DATA_SIZE  (64 * 1024)

#define TA_CURRENT_TA_EXT_PROPERTIES                                           \
	{"gp.ta.description", USER_TA_PROP_TYPE_STRING,                        \
	 "Secure storage: files of any size, chunked, SHA-256 checked"},       \
	{                                                                      \
		"gp.ta.version", USER_TA_PROP_TYPE_U32, &(const uint32_t)      \
		{                                                              \
			0x0200                                                 \
		}                                                              \
	}

#endif /* USER_TA_HEADER_DEFINES_H */
