/*
 * The GP TEE Internal Core API 1.3.1 functions this TA calls, declared as
 * GP and OP-TEE declare them, for a dev kit whose tee_api.h does not yet
 * declare trusted storage and digests. Included only when the build found
 * no TEE_OpenPersistentObject in the dev kit's headers
 * (SS_NEED_GP_PROTOTYPES, set by CMakeLists.txt and sub.mk); once the dev
 * kit declares them this file is unused. The .ta resolves the symbols
 * against the TA runtime when it is loaded.
 */
#ifndef SS_GP_PROTOTYPES_H
#define SS_GP_PROTOTYPES_H

#include <stddef.h>
#include <stdint.h>

#include <tee_api_types.h>

/* Persistent objects (5.7) */
TEE_Result TEE_OpenPersistentObject(uint32_t storageID, const void *objectID,
				    size_t objectIDLen, uint32_t flags,
				    TEE_ObjectHandle *object);
TEE_Result TEE_CreatePersistentObject(uint32_t storageID, const void *objectID,
				      size_t objectIDLen, uint32_t flags,
				      TEE_ObjectHandle attributes,
				      const void *initialData,
				      size_t initialDataLen,
				      TEE_ObjectHandle *object);
TEE_Result TEE_CloseAndDeletePersistentObject1(TEE_ObjectHandle object);
TEE_Result TEE_RenamePersistentObject(TEE_ObjectHandle object,
				      const void *newObjectID,
				      size_t newObjectIDLen);
void TEE_CloseObject(TEE_ObjectHandle object);
TEE_Result TEE_GetObjectInfo1(TEE_ObjectHandle object,
			      TEE_ObjectInfo *objectInfo);

/* Enumerators (5.8) */
TEE_Result
TEE_AllocatePersistentObjectEnumerator(TEE_ObjectEnumHandle *objectEnumerator);
void TEE_FreePersistentObjectEnumerator(TEE_ObjectEnumHandle objectEnumerator);
void TEE_ResetPersistentObjectEnumerator(TEE_ObjectEnumHandle objectEnumerator);
TEE_Result
TEE_StartPersistentObjectEnumerator(TEE_ObjectEnumHandle objectEnumerator,
				    uint32_t storageID);
TEE_Result TEE_GetNextPersistentObject(TEE_ObjectEnumHandle objectEnumerator,
				       TEE_ObjectInfo *objectInfo,
				       void *objectID, size_t *objectIDLen);

/* Data stream (5.9) */
TEE_Result TEE_ReadObjectData(TEE_ObjectHandle object, void *buffer,
			      size_t size, size_t *count);
TEE_Result TEE_WriteObjectData(TEE_ObjectHandle object, const void *buffer,
			       size_t size);
TEE_Result TEE_TruncateObjectData(TEE_ObjectHandle object, size_t size);
TEE_Result TEE_SeekObjectData(TEE_ObjectHandle object, intmax_t offset,
			      TEE_Whence whence);

/* Digests (6.2, 6.3) */
TEE_Result TEE_AllocateOperation(TEE_OperationHandle *operation,
				 uint32_t algorithm, uint32_t mode,
				 uint32_t maxKeySize);
void TEE_FreeOperation(TEE_OperationHandle operation);
void TEE_DigestUpdate(TEE_OperationHandle operation, const void *chunk,
		      size_t chunkSize);
TEE_Result TEE_DigestDoFinal(TEE_OperationHandle operation, const void *chunk,
			     size_t chunkLen, void *hash, size_t *hashLen);

#endif /* SS_GP_PROTOTYPES_H */
