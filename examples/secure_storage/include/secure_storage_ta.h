/*
 * The secure storage TA's interface, shared by the TA and its clients.
 *
 * Commands 0-2 are OP-TEE's optee_examples secure_storage commands with
 * their exact parameter layout, so OP-TEE's client runs unmodified;
 * 3-4 are the chunked WRITE_RAW extension; 0x10 and up are the streaming
 * protocol of the `secure_storage` client. Every command, its parameters,
 * the object layout and the crash analysis: docs/secure-storage-app.md.
 *
 * 64-bit quantities travel in value parameters as (a = low 32 bits,
 * b = high 32 bits). Commands that take an optional storage parameter
 * default to TEE_STORAGE_PRIVATE when it is absent (TEEC_NONE).
 */
#ifndef SECURE_STORAGE_TA_H
#define SECURE_STORAGE_TA_H

/* UUID of the trusted application (OP-TEE's example's UUID) */
#define TA_SECURE_STORAGE_UUID                                                 \
	{                                                                      \
		0xf4e750bb, 0x1437, 0x4fbf,                                    \
		{                                                              \
			0x87, 0x85, 0x8d, 0x35, 0x80, 0xc3, 0x49, 0x94         \
		}                                                              \
	}

/*
 * READ_RAW: read a whole object.
 * [0] MEMREF_INPUT  object ID
 * [1] MEMREF_OUTPUT data; too small: SHORT_BUFFER and the size needed
 * [2] VALUE_INPUT   (optional) a = storage ID
 */
#define TA_SECURE_STORAGE_CMD_READ_RAW 0

/*
 * WRITE_RAW: create or replace an object with the data, atomically.
 * [0] MEMREF_INPUT object ID
 * [1] MEMREF_INPUT data
 * [2] VALUE_INPUT  (optional) a = storage ID
 */
#define TA_SECURE_STORAGE_CMD_WRITE_RAW 1

/*
 * DELETE: delete an object (and an unfinished transfer to it).
 * [0] MEMREF_INPUT object ID
 * [1] VALUE_INPUT  (optional) a = storage ID
 */
#define TA_SECURE_STORAGE_CMD_DELETE 2

/*
 * WRITE_RAW_CHUNK: append data to the session's chunked write of the
 * object (the first call starts it); the object appears at FINAL.
 * [0] MEMREF_INPUT object ID (the same in every call of one write)
 * [1] MEMREF_INPUT data (at most SS_MAX_CHUNK bytes)
 * [2] VALUE_INPUT  (optional, first call) a = storage ID
 */
#define TA_SECURE_STORAGE_CMD_WRITE_RAW_CHUNK 3

/*
 * WRITE_RAW_FINAL: finish the chunked write: the object is replaced.
 * [0] MEMREF_INPUT object ID
 */
#define TA_SECURE_STORAGE_CMD_WRITE_RAW_FINAL 4

/*
 * INFO: what this TA accepts.
 * [0] VALUE_OUTPUT a = largest chunk (bytes), b = SS_PROTOCOL_VERSION
 * [1] VALUE_OUTPUT a = longest object ID, b = smallest chunk
 */
#define TA_SECURE_STORAGE_CMD_INFO 0x10

/*
 * PUT_BEGIN: start (or, with SS_PUT_RESUME, continue) a transfer.
 * [0] MEMREF_INPUT  object ID
 * [1] VALUE_INPUT   expected size (a low, b high)
 * [2] VALUE_INPUT   a = storage ID, b = SS_PUT_* flags
 * [3] VALUE_OUTPUT  offset of the next chunk (0 for a new transfer)
 * Without RESUME an unfinished transfer to the same ID is discarded.
 * With RESUME and no usable partial object (none, or another expected
 * size) the transfer starts at 0.
 */
#define TA_SECURE_STORAGE_CMD_PUT_BEGIN 0x11
#define SS_PUT_RESUME			1u

/*
 * PUT_CHUNK: the bytes at offset; chunks come in order, without gaps.
 * [0] MEMREF_INPUT data (1..largest chunk bytes)
 * [1] VALUE_INPUT  offset (a low, b high): must be the next one
 * Out of order: BAD_PARAMETERS; past the expected size: OVERFLOW.
 */
#define TA_SECURE_STORAGE_CMD_PUT_CHUNK 0x12

/*
 * PUT_FINAL: the client's SHA-256 of the whole file; on a match the
 * object replaces the old one, else TEE_ERROR_SECURITY and the transfer
 * is discarded.
 * [0] MEMREF_INPUT SHA-256 (32 bytes)
 */
#define TA_SECURE_STORAGE_CMD_PUT_FINAL 0x13

/* PUT_ABORT: discard the session's transfer and its partial object. */
#define TA_SECURE_STORAGE_CMD_PUT_ABORT 0x14

/*
 * PUT_STATUS: how far the durable partial object of an interrupted
 * transfer got; prepares the session to continue it (PUT_BEGIN RESUME).
 * [0] MEMREF_INPUT  object ID
 * [1] VALUE_INPUT   a = storage ID
 * [2] VALUE_OUTPUT  durable bytes (a low, b high)
 * [3] MEMREF_OUTPUT struct ss_wire_status (SS_WIRE_STATUS_SIZE bytes)
 * No partial object: ITEM_NOT_FOUND.
 */
#define TA_SECURE_STORAGE_CMD_PUT_STATUS 0x15

/*
 * GET_BEGIN: open an object for a chunked read.
 * [0] MEMREF_INPUT  object ID
 * [1] VALUE_INPUT   a = storage ID
 * [2] VALUE_OUTPUT  size (a low, b high)
 * [3] MEMREF_OUTPUT the stored SHA-256 (32 bytes)
 */
#define TA_SECURE_STORAGE_CMD_GET_BEGIN 0x16

/*
 * GET_CHUNK: the next bytes of the object, in order.
 * [0] MEMREF_OUTPUT buffer (the size set to the bytes read)
 * [1] VALUE_INPUT   offset (a low, b high): must be the next one
 * [2] VALUE_OUTPUT  a = 1 when this chunk ended the object and the
 *                   SHA-256 of everything read matched the stored one
 * A mismatch at the end: TEE_ERROR_CORRUPT_OBJECT.
 */
#define TA_SECURE_STORAGE_CMD_GET_CHUNK 0x17

/*
 * STAT: size, hash and transfer state of an object.
 * [0] MEMREF_INPUT  object ID
 * [1] VALUE_INPUT   a = storage ID
 * [2] MEMREF_OUTPUT struct ss_wire_status (SS_WIRE_STATUS_SIZE bytes)
 * ITEM_NOT_FOUND when there is neither an object nor a partial one.
 */
#define TA_SECURE_STORAGE_CMD_STAT 0x18

/*
 * LIST: the objects of a storage, a bufferful per call.
 * [0] VALUE_INPUT   a = storage ID, b = 1 to start from the beginning
 * [1] MEMREF_OUTPUT entries (SS_WIRE_ENTRY_* layout)
 * [2] VALUE_OUTPUT  a = entries written, b = 1 when there are more
 */
#define TA_SECURE_STORAGE_CMD_LIST 0x19

/*
 * VERIFY: read an object whole and check its SHA-256.
 * [0] MEMREF_INPUT object ID
 * [1] VALUE_INPUT  a = storage ID
 * [2] VALUE_OUTPUT size (a low, b high)
 * A mismatch: TEE_ERROR_CORRUPT_OBJECT.
 */
#define TA_SECURE_STORAGE_CMD_VERIFY 0x1A

#define SS_PROTOCOL_VERSION 1

/* Object IDs: 1..SS_ID_MAX bytes of SS_ID_CHARS, not starting with '.'
 * (the TA keeps ".part/<ID>" for unfinished transfers). */
#define SS_ID_MAX 58
#define SS_ID_CHARS                                                            \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"       \
	"._-+=,:@#%~/"
#define SS_PART_PREFIX	   ".part/"
#define SS_PART_PREFIX_LEN 6

#define SS_MIN_CHUNK (16u * 1024)
#define SS_MAX_CHUNK (1024u * 1024)

#define SS_SHA256_LEN 32

/*
 * ss_wire_status (little-endian, SS_WIRE_STATUS_SIZE bytes):
 *   0  u64 size        object size (0 if none)
 *   8  u32 flags       SS_STAT_*
 *  12  u32 reserved    0
 *  16  u8[32] sha256   of the object (SS_STAT_OBJECT) or, for PUT_STATUS,
 *                      of the durable prefix of the partial object
 *  48  u64 part_done   durable bytes of the partial object
 *  56  u64 part_size   expected size of the partial object
 */
#define SS_WIRE_STATUS_SIZE 64
#define SS_STAT_OBJECT	    1u /* a complete object exists */
#define SS_STAT_PARTIAL	    2u /* an unfinished transfer exists */
#define SS_STAT_LEGACY	    4u /* stored without our header: no hash */
#define SS_STAT_CORRUPT	    8u /* LIST: the TEE refused it as corrupt */

/*
 * LIST entry: u8 id_len, u8 flags (SS_STAT_*), u64 size (LE), id bytes.
 */
#define SS_WIRE_ENTRY_HEAD 10

#endif /* SECURE_STORAGE_TA_H */
