/*
 * GlobalPlatform TEE Client API 1.0 as teestore's libteec provides it.
 *
 * Names, values and structure layouts are those of OP-TEE's
 * tee_client_api.h (optee_client, including the `imp` members), so client
 * applications written for OP-TEE build against this header and link with
 * -lteec unchanged. What the implementation-defined members mean here:
 *
 *   TEEC_Context.imp.fd            the socket connected to teed
 *   TEEC_Session.imp               (context, session id): a session copied
 *                                  by value keeps working
 *   TEEC_SharedMemory.imp.id       teed's id of the block
 *   .imp.alloced_size              bytes of the memfd behind it
 *   .imp.shadow_buffer             registered memory: the memfd mapping
 *                                  data is copied through around a call
 *   .imp.registered_fd             the context's imp.fd (the owner)
 *   .imp.flags                     allocated (1) or registered (2)
 *   TEEC_Operation.imp.session     the session the operation last ran on
 *
 * teestore's choice of TEE: TEEC_InitializeContext(name) connects to name
 * when it is a path (contains '/'), else to $TEESTORE_SOCKET, else to
 * $XDG_RUNTIME_DIR/teestore.sock or /tmp/teestore-<uid>.sock.
 */
#ifndef TEE_CLIENT_API_H
#define TEE_CLIENT_API_H

#ifdef __cplusplus
extern "C" {
#endif

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parameters in one operation. */
#define TEEC_CONFIG_PAYLOAD_REF_COUNT 4

/* No limit of the API itself; teed has configurable ones. */
#define TEEC_CONFIG_SHAREDMEM_MAX_SIZE ULONG_MAX

/* Parameter types (TEEC_Operation.paramTypes, 4 bits each). */
#define TEEC_NONE		   0x00000000
#define TEEC_VALUE_INPUT	   0x00000001
#define TEEC_VALUE_OUTPUT	   0x00000002
#define TEEC_VALUE_INOUT	   0x00000003
#define TEEC_MEMREF_TEMP_INPUT	   0x00000005
#define TEEC_MEMREF_TEMP_OUTPUT	   0x00000006
#define TEEC_MEMREF_TEMP_INOUT	   0x00000007
#define TEEC_MEMREF_WHOLE	   0x0000000C
#define TEEC_MEMREF_PARTIAL_INPUT  0x0000000D
#define TEEC_MEMREF_PARTIAL_OUTPUT 0x0000000E
#define TEEC_MEMREF_PARTIAL_INOUT  0x0000000F

/* Shared memory directions (TEEC_SharedMemory.flags). */
#define TEEC_MEM_INPUT	0x00000001
#define TEEC_MEM_OUTPUT 0x00000002

/* Results. */
#define TEEC_SUCCESS			 0x00000000
#define TEEC_ERROR_STORAGE_NOT_AVAILABLE 0xF0100003
#define TEEC_ERROR_GENERIC		 0xFFFF0000
#define TEEC_ERROR_ACCESS_DENIED	 0xFFFF0001
#define TEEC_ERROR_CANCEL		 0xFFFF0002
#define TEEC_ERROR_ACCESS_CONFLICT	 0xFFFF0003
#define TEEC_ERROR_EXCESS_DATA		 0xFFFF0004
#define TEEC_ERROR_BAD_FORMAT		 0xFFFF0005
#define TEEC_ERROR_BAD_PARAMETERS	 0xFFFF0006
#define TEEC_ERROR_BAD_STATE		 0xFFFF0007
#define TEEC_ERROR_ITEM_NOT_FOUND	 0xFFFF0008
#define TEEC_ERROR_NOT_IMPLEMENTED	 0xFFFF0009
#define TEEC_ERROR_NOT_SUPPORTED	 0xFFFF000A
#define TEEC_ERROR_NO_DATA		 0xFFFF000B
#define TEEC_ERROR_OUT_OF_MEMORY	 0xFFFF000C
#define TEEC_ERROR_BUSY			 0xFFFF000D
#define TEEC_ERROR_COMMUNICATION	 0xFFFF000E
#define TEEC_ERROR_SECURITY		 0xFFFF000F
#define TEEC_ERROR_SHORT_BUFFER		 0xFFFF0010
#define TEEC_ERROR_EXTERNAL_CANCEL	 0xFFFF0011
#define TEEC_ERROR_TARGET_DEAD		 0xFFFF3024
#define TEEC_ERROR_STORAGE_NO_SPACE	 0xFFFF3041
/*
 * The TEE_ERROR_* names OP-TEE's client header also defines. Guarded, so
 * that a client including tee_api_defines.h too (as test suites do)
 * builds whichever header comes first (same spelling as teestore's
 * tee_api_defines.h, so a repeated definition is identical).
 */
#ifndef TEE_ERROR_EXTERNAL_CANCEL
#define TEE_ERROR_EXTERNAL_CANCEL   0xFFFF0011U
#define TEE_ERROR_OVERFLOW	    0xFFFF300FU
#define TEE_ERROR_TARGET_DEAD	    0xFFFF3024U
#define TEE_ERROR_STORAGE_NO_SPACE  0xFFFF3041U
#define TEE_ERROR_MAC_INVALID	    0xFFFF3071U
#define TEE_ERROR_SIGNATURE_INVALID 0xFFFF3072U
#define TEE_ERROR_TIME_NOT_SET	    0xFFFF5000U
#define TEE_ERROR_TIME_NEEDS_RESET  0xFFFF5001U
#endif

/* Where a result comes from (returnOrigin). */
#define TEEC_ORIGIN_API		0x00000001
#define TEEC_ORIGIN_COMMS	0x00000002
#define TEEC_ORIGIN_TEE		0x00000003
#define TEEC_ORIGIN_TRUSTED_APP 0x00000004

/*
 * Login methods (connectionMethod). teed takes the identity from the
 * socket's peer credentials; for the GROUP methods connectionData points
 * to the gid (uint32_t) to log in with, one of the caller's groups.
 */
#define TEEC_LOGIN_PUBLIC	     0x00000000
#define TEEC_LOGIN_USER		     0x00000001
#define TEEC_LOGIN_GROUP	     0x00000002
#define TEEC_LOGIN_APPLICATION	     0x00000004
#define TEEC_LOGIN_USER_APPLICATION  0x00000005
#define TEEC_LOGIN_GROUP_APPLICATION 0x00000006

#define TEEC_PARAM_TYPES(p0, p1, p2, p3)                                       \
	((p0) | ((p1) << 4) | ((p2) << 8) | ((p3) << 12))

#define TEEC_PARAM_TYPE_GET(p, i) (((p) >> (i * 4)) & 0xF)

typedef uint32_t TEEC_Result;

typedef struct {
	struct {
		int fd;
		bool reg_mem;
		bool memref_null;
	} imp;
} TEEC_Context;

typedef struct {
	uint32_t timeLow;
	uint16_t timeMid;
	uint16_t timeHiAndVersion;
	uint8_t clockSeqAndNode[8];
} TEEC_UUID;

typedef struct {
	void *buffer;
	size_t size;
	uint32_t flags;
	struct {
		int id;
		size_t alloced_size;
		void *shadow_buffer;
		int registered_fd;
		uint32_t flags;
	} imp;
} TEEC_SharedMemory;

typedef struct {
	void *buffer;
	size_t size;
} TEEC_TempMemoryReference;

typedef struct {
	TEEC_SharedMemory *parent;
	size_t size;
	size_t offset;
} TEEC_RegisteredMemoryReference;

typedef struct {
	uint32_t a;
	uint32_t b;
} TEEC_Value;

typedef union {
	TEEC_TempMemoryReference tmpref;
	TEEC_RegisteredMemoryReference memref;
	TEEC_Value value;
} TEEC_Parameter;

typedef struct {
	struct {
		TEEC_Context *ctx;
		uint32_t session_id;
	} imp;
} TEEC_Session;

typedef struct {
	uint32_t started;
	uint32_t paramTypes;
	TEEC_Parameter params[TEEC_CONFIG_PAYLOAD_REF_COUNT];
	struct {
		TEEC_Session *session;
	} imp;
} TEEC_Operation;

TEEC_Result TEEC_InitializeContext(const char *name, TEEC_Context *context);

void TEEC_FinalizeContext(TEEC_Context *context);

TEEC_Result TEEC_OpenSession(TEEC_Context *context, TEEC_Session *session,
			     const TEEC_UUID *destination,
			     uint32_t connectionMethod,
			     const void *connectionData,
			     TEEC_Operation *operation, uint32_t *returnOrigin);

void TEEC_CloseSession(TEEC_Session *session);

TEEC_Result TEEC_InvokeCommand(TEEC_Session *session, uint32_t commandID,
			       TEEC_Operation *operation,
			       uint32_t *returnOrigin);

TEEC_Result TEEC_RegisterSharedMemory(TEEC_Context *context,
				      TEEC_SharedMemory *sharedMem);

TEEC_Result TEEC_AllocateSharedMemory(TEEC_Context *context,
				      TEEC_SharedMemory *sharedMem);

void TEEC_ReleaseSharedMemory(TEEC_SharedMemory *sharedMemory);

void TEEC_RequestCancellation(TEEC_Operation *operation);

#ifdef __cplusplus
}
#endif

#endif
