/*
 * Inside the secure storage TA: the stored object's layout, the
 * per-session state and the command handlers. The protocol, the layout
 * and the crash analysis are described in docs/secure-storage-app.md.
 */
#ifndef SS_TA_H
#define SS_TA_H

#include <tee_internal_api.h>

#include "secure_storage_ta.h"

/*
 * Every object this TA writes starts with this header (SS_HDR_SIZE bytes,
 * little-endian), the file's bytes follow:
 *   0  u32 magic      SS_HDR_MAGIC
 *   4  u32 hdr_size   SS_HDR_SIZE
 *   8  u32 flags      SS_HDR_COMPLETE once the hash below is final
 *  12  u32 reserved   0
 *  16  u64 size       the file's size (expected size while partial;
 *                     SS_SIZE_UNKNOWN for a WRITE_RAW_CHUNK transfer)
 *  24  u8[32] sha256  SHA-256 of the file's bytes (zero while partial)
 *  56  u64 reserved   0
 * An object without the magic was written by someone else (e.g. OP-TEE's
 * own example TA): it is served as raw data, without a hash.
 */
#define SS_HDR_SIZE	64
#define SS_HDR_MAGIC	0x31465353u /* "SSF1" */
#define SS_HDR_COMPLETE 1u
#define SS_SIZE_UNKNOWN UINT64_MAX

struct ss_hdr {
	uint32_t flags;
	uint64_t size;
	uint8_t sha256[SS_SHA256_LEN];
};

/* An object ID as this TA stores it: at most 64 bytes with the prefix. */
struct ss_id {
	char id[TEE_OBJECT_ID_MAX_LEN];
	size_t len;
};

enum ss_xfer_kind {
	SS_XFER_NONE,
	SS_XFER_PUT, /* PUT_BEGIN .. PUT_FINAL */
	SS_XFER_RAW, /* WRITE_RAW_CHUNK .. WRITE_RAW_FINAL */
	SS_XFER_GET, /* GET_BEGIN .. last GET_CHUNK */
};

/*
 * The session's one transfer. A put holds the partial object open with
 * WRITE_META and no sharing, so no other session can touch it; a get
 * holds the object open for shared reading.
 */
struct ss_xfer {
	enum ss_xfer_kind kind;
	uint32_t storage;
	struct ss_id id;      /* the user's ID */
	TEE_ObjectHandle obj; /* partial object (put) or object (get) */
	TEE_OperationHandle digest;
	uint64_t size;		       /* expected (put) or stored (get) size */
	uint64_t done;		       /* bytes received / sent so far */
	bool prepared;		       /* PUT_STATUS opened it for a RESUME */
	bool legacy;		       /* get of an object without our header */
	uint8_t sha256[SS_SHA256_LEN]; /* get: the stored hash */
};

struct ss_session {
	struct ss_xfer x;
	TEE_ObjectEnumHandle list;
	uint32_t list_storage;
	bool list_started;
};

/* ss_util.c: parameters, IDs, headers */
TEE_Result ss_param_storage(uint32_t types, TEE_Param params[4], int idx,
			    uint32_t *storage);
uint64_t ss_param_u64(const TEE_Param *p);
void ss_param_set_u64(TEE_Param *p, uint64_t v);
TEE_Result ss_id_from_param(const TEE_Param *p, struct ss_id *id);
void ss_id_part(const struct ss_id *id, struct ss_id *part);
void ss_hdr_encode(const struct ss_hdr *h, uint8_t out[SS_HDR_SIZE]);
bool ss_hdr_decode(const uint8_t in[SS_HDR_SIZE], struct ss_hdr *h);
bool ss_equal_ct(const uint8_t *a, const uint8_t *b, size_t n);

/* ss_object.c: objects, partial objects and the commit by rename */
TEE_Result ss_obj_read_hdr(TEE_ObjectHandle obj, struct ss_hdr *h,
			   bool *legacy);
TEE_Result ss_obj_read_all(TEE_ObjectHandle obj, size_t from,
			   TEE_OperationHandle digest, uint64_t *n);
TEE_Result ss_obj_commit(uint32_t storage, const struct ss_id *id,
			 TEE_ObjectHandle part);
TEE_Result ss_obj_recover(uint32_t storage, const struct ss_id *id);
TEE_Result ss_obj_delete(uint32_t storage, const struct ss_id *id);
TEE_Result ss_digest_new(TEE_OperationHandle *op);
TEE_Result ss_digest_final(TEE_OperationHandle op, uint8_t out[SS_SHA256_LEN]);

/* ss_put.c: writes */
void ss_xfer_reset(struct ss_xfer *x);
TEE_Result ss_put_begin(struct ss_session *s, uint32_t types,
			TEE_Param params[4]);
TEE_Result ss_put_chunk(struct ss_session *s, uint32_t types,
			TEE_Param params[4]);
TEE_Result ss_put_final(struct ss_session *s, uint32_t types,
			TEE_Param params[4]);
TEE_Result ss_put_abort(struct ss_session *s, uint32_t types);
TEE_Result ss_put_status(struct ss_session *s, uint32_t types,
			 TEE_Param params[4]);
TEE_Result ss_write_raw(struct ss_session *s, uint32_t types,
			TEE_Param params[4]);
TEE_Result ss_write_raw_chunk(struct ss_session *s, uint32_t types,
			      TEE_Param params[4]);
TEE_Result ss_write_raw_final(struct ss_session *s, uint32_t types,
			      TEE_Param params[4]);

/* ss_get.c: reads */
TEE_Result ss_get_begin(struct ss_session *s, uint32_t types,
			TEE_Param params[4]);
TEE_Result ss_get_chunk(struct ss_session *s, uint32_t types,
			TEE_Param params[4]);
TEE_Result ss_read_raw(struct ss_session *s, uint32_t types,
		       TEE_Param params[4]);
TEE_Result ss_verify(struct ss_session *s, uint32_t types, TEE_Param params[4]);

/* ss_info.c: stat, list, delete, info */
TEE_Result ss_stat(struct ss_session *s, uint32_t types, TEE_Param params[4]);
TEE_Result ss_list(struct ss_session *s, uint32_t types, TEE_Param params[4]);
TEE_Result ss_delete(struct ss_session *s, uint32_t types, TEE_Param params[4]);
TEE_Result ss_info(uint32_t types, TEE_Param params[4]);

#endif /* SS_TA_H */
