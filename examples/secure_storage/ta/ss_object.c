/*
 * Stored objects of the secure storage TA: the header, whole-object reads
 * through a small heap buffer, and the commit of a finished transfer by
 * rename (docs/secure-storage-app.md, "Commit and crashes").
 */
#include <string.h>

#include "ss_ta.h"

/* Heap buffer for reads the TA checks itself (verify, resume). */
#define SS_IO_BUF (16 * 1024)

/*
 * Reads the header at the start of obj. Leaves the position at the first
 * byte of the file's data: after the header, or at 0 for an object
 * without one (*legacy, whose size is its data size and hash unknown).
 */
TEE_Result ss_obj_read_hdr(TEE_ObjectHandle obj, struct ss_hdr *h, bool *legacy)
{
	uint8_t raw[SS_HDR_SIZE];
	TEE_ObjectInfo info;
	size_t n = 0;
	TEE_Result res;

	res = TEE_GetObjectInfo1(obj, &info);
	if (res != TEE_SUCCESS)
		return res;
	res = TEE_SeekObjectData(obj, 0, TEE_DATA_SEEK_SET);
	if (res != TEE_SUCCESS)
		return res;
	if (info.dataSize >= SS_HDR_SIZE) {
		res = TEE_ReadObjectData(obj, raw, sizeof(raw), &n);
		if (res != TEE_SUCCESS)
			return res;
	}
	*legacy = n != SS_HDR_SIZE || !ss_hdr_decode(raw, h);
	if (!*legacy) {
		/* A header that claims more data than there is: damage. */
		if ((h->flags & SS_HDR_COMPLETE) &&
		    h->size != info.dataSize - SS_HDR_SIZE)
			return TEE_ERROR_CORRUPT_OBJECT;
		return TEE_SUCCESS;
	}
	memset(h, 0, sizeof(*h));
	h->flags = SS_HDR_COMPLETE;
	h->size = info.dataSize;
	return TEE_SeekObjectData(obj, 0, TEE_DATA_SEEK_SET);
}

/*
 * Reads obj from its position to its end into the digest, SS_IO_BUF
 * bytes at a time; *n is the number of bytes read.
 */
TEE_Result ss_obj_read_all(TEE_ObjectHandle obj, size_t from,
			   TEE_OperationHandle digest, uint64_t *n)
{
	TEE_Result res;
	uint8_t *buf;
	size_t got;

	*n = 0;
	buf = TEE_Malloc(SS_IO_BUF, TEE_MALLOC_FILL_ZERO);
	if (!buf)
		return TEE_ERROR_OUT_OF_MEMORY;
	res = TEE_SeekObjectData(obj, (intmax_t)from, TEE_DATA_SEEK_SET);
	while (res == TEE_SUCCESS) {
		got = 0;
		res = TEE_ReadObjectData(obj, buf, SS_IO_BUF, &got);
		if (res != TEE_SUCCESS || got == 0)
			break;
		TEE_DigestUpdate(digest, buf, got);
		*n += got;
	}
	TEE_Free(buf);
	return res;
}

TEE_Result ss_digest_new(TEE_OperationHandle *op)
{
	return TEE_AllocateOperation(op, TEE_ALG_SHA256, TEE_MODE_DIGEST, 0);
}

TEE_Result ss_digest_final(TEE_OperationHandle op, uint8_t out[SS_SHA256_LEN])
{
	size_t len = SS_SHA256_LEN;
	TEE_Result res;

	res = TEE_DigestDoFinal(op, NULL, 0, out, &len);
	if (res == TEE_SUCCESS && len != SS_SHA256_LEN)
		res = TEE_ERROR_GENERIC;
	return res;
}

/*
 * Replaces id with the finished partial object part (opened with
 * WRITE_META, its header already COMPLETE and durable).
 * TEE_RenamePersistentObject refuses an existing name, so the old object
 * is deleted first. A crash between the delete and the rename leaves no
 * object under id and a COMPLETE ".part/<id>": ss_obj_recover() finishes
 * the rename the next time id is used. The old version is never deleted
 * before the new one is complete.
 */
TEE_Result ss_obj_commit(uint32_t storage, const struct ss_id *id,
			 TEE_ObjectHandle part)
{
	TEE_ObjectHandle old = TEE_HANDLE_NULL;
	TEE_Result res;

	res = TEE_OpenPersistentObject(storage, id->id, id->len,
				       TEE_DATA_FLAG_ACCESS_WRITE_META, &old);
	if (res == TEE_SUCCESS) {
		res = TEE_CloseAndDeletePersistentObject1(old);
		if (res != TEE_SUCCESS)
			return res;
	} else if (res != TEE_ERROR_ITEM_NOT_FOUND) {
		return res; /* e.g. ACCESS_CONFLICT: someone reads it */
	}
	return TEE_RenamePersistentObject(part, id->id, id->len);
}

/*
 * Finishes a commit a crash interrupted: when id does not exist and its
 * partial object is COMPLETE, renames the partial object to id. Anything
 * else (id exists, no partial object, an unfinished one, one another
 * session holds) is left alone. Errors other than those (e.g.
 * CORRUPT_OBJECT for id) are returned.
 */
TEE_Result ss_obj_recover(uint32_t storage, const struct ss_id *id)
{
	TEE_ObjectHandle obj = TEE_HANDLE_NULL;
	struct ss_id part;
	struct ss_hdr h;
	bool legacy;
	TEE_Result res;

	res = TEE_OpenPersistentObject(
	    storage, id->id, id->len,
	    TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_SHARE_READ, &obj);
	if (res != TEE_ERROR_ITEM_NOT_FOUND) {
		TEE_CloseObject(obj);
		/* CORRUPT_OBJECT must reach the client: the TEE reports it
		 * once and takes the object away. */
		return res == TEE_ERROR_ACCESS_CONFLICT ? TEE_SUCCESS : res;
	}
	ss_id_part(id, &part);
	res = TEE_OpenPersistentObject(
	    storage, part.id, part.len,
	    TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE_META, &obj);
	if (res != TEE_SUCCESS)
		return TEE_SUCCESS;
	res = ss_obj_read_hdr(obj, &h, &legacy);
	if (res == TEE_SUCCESS && !legacy && (h.flags & SS_HDR_COMPLETE)) {
		res = TEE_RenamePersistentObject(obj, id->id, id->len);
		if (res == TEE_SUCCESS)
			IMSG("finished an interrupted commit of %.*s",
			     (int)id->len, id->id);
	}
	TEE_CloseObject(obj);
	return res == TEE_ERROR_ACCESS_CONFLICT ? TEE_SUCCESS : res;
}

/* Deletes id and its partial object; ITEM_NOT_FOUND if neither exists. */
TEE_Result ss_obj_delete(uint32_t storage, const struct ss_id *id)
{
	TEE_ObjectHandle obj = TEE_HANDLE_NULL;
	struct ss_id part;
	TEE_Result res, res2;

	ss_id_part(id, &part);
	res = TEE_OpenPersistentObject(storage, id->id, id->len,
				       TEE_DATA_FLAG_ACCESS_WRITE_META, &obj);
	if (res == TEE_SUCCESS)
		res = TEE_CloseAndDeletePersistentObject1(obj);
	obj = TEE_HANDLE_NULL;
	res2 = TEE_OpenPersistentObject(storage, part.id, part.len,
					TEE_DATA_FLAG_ACCESS_WRITE_META, &obj);
	if (res2 == TEE_SUCCESS)
		res2 = TEE_CloseAndDeletePersistentObject1(obj);
	if (res == TEE_ERROR_ITEM_NOT_FOUND)
		return res2;
	if (res == TEE_SUCCESS && res2 != TEE_ERROR_ITEM_NOT_FOUND)
		return res2;
	return res;
}
