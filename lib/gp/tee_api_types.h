/*
 * GlobalPlatform TEE Internal Core API 1.3.1 types, laid out as OP-TEE
 * lays them out (size_t memref sizes and object ID lengths). Shared by the
 * storage engine, teed, the TA runtime and the TA dev kit.
 */
#ifndef TEE_API_TYPES_H
#define TEE_API_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include "tee_api_defines.h"

typedef uint32_t TEE_Result;

/* In memory: timeLow, timeMid, timeHiAndVersion in host (little) endian. */
typedef struct {
	uint32_t timeLow;
	uint16_t timeMid;
	uint16_t timeHiAndVersion;
	uint8_t clockSeqAndNode[8];
} TEE_UUID;

typedef struct {
	uint32_t login;
	TEE_UUID uuid;
} TEE_Identity;

typedef union {
	struct {
		void *buffer;
		size_t size;
	} memref;
	struct {
		uint32_t a;
		uint32_t b;
	} value;
} TEE_Param;

typedef struct {
	uint32_t attributeID;
	union {
		struct {
			void *buffer;
			size_t length;
		} ref;
		struct {
			uint32_t a;
			uint32_t b;
		} value;
	} content;
} TEE_Attribute;

typedef struct {
	uint32_t objectType;
	union {
		uint32_t keySize;
		uint32_t objectSize;
	};
	union {
		uint32_t maxKeySize;
		uint32_t maxObjectSize;
	};
	uint32_t objectUsage;
	size_t dataSize;
	size_t dataPosition;
	uint32_t handleFlags;
} TEE_ObjectInfo;

typedef enum {
	TEE_DATA_SEEK_SET = 0,
	TEE_DATA_SEEK_CUR = 1,
	TEE_DATA_SEEK_END = 2,
} TEE_Whence;

typedef enum {
	TEE_MODE_ENCRYPT = 0,
	TEE_MODE_DECRYPT = 1,
	TEE_MODE_SIGN = 2,
	TEE_MODE_VERIFY = 3,
	TEE_MODE_MAC = 4,
	TEE_MODE_DIGEST = 5,
	TEE_MODE_DERIVE = 6,
} TEE_OperationMode;

typedef struct {
	uint32_t algorithm;
	uint32_t operationClass;
	uint32_t mode;
	uint32_t digestLength;
	uint32_t maxKeySize;
	uint32_t keySize;
	uint32_t requiredKeyUsage;
	uint32_t handleState;
} TEE_OperationInfo;

typedef struct {
	uint32_t seconds;
	uint32_t millis;
} TEE_Time;

typedef uint32_t TEE_ObjectType;

/* Opaque handles: the TA runtime hands out small integers cast to these. */
typedef struct __TEE_ObjectHandle *TEE_ObjectHandle;
typedef struct __TEE_ObjectEnumHandle *TEE_ObjectEnumHandle;
typedef struct __TEE_OperationHandle *TEE_OperationHandle;
typedef struct __TEE_TASessionHandle *TEE_TASessionHandle;
typedef struct __TEE_PropSetHandle *TEE_PropSetHandle;

#define TEE_HANDLE_NULL 0

#endif /* TEE_API_TYPES_H */
