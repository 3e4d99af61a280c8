/*
 * The TA channel: messages between teed and one TA instance process
 * (teestore-ta-host), over the ipc.h framing. Protocol, layouts and the
 * rules each side checks are described once in docs/protocol-ta.md.
 *
 * teed -> TA: CREATE, OPEN_SESSION, INVOKE, CLOSE_SESSION, DESTROY (each
 *   answered by one REPLY with the same header id), CANCEL (no answer) and
 *   SYSCALL_REPLY (answers a SYSCALL).
 * TA -> teed: PROPS (once, right after HELLO), REPLY, SYSCALL (a request
 *   the runtime cannot serve itself; numbers in ranges, see TA_SYS_*),
 *   PANIC (just before the process exits).
 *
 * Memory references travel as (shm key, offset, size); the first time a
 * shared memory object is used on an instance its memfd rides along
 * (SCM_RIGHTS) and the TA keeps the mapping under the key until teed
 * evicts it (a later request lists the keys to unmap). Zero copy.
 *
 * Decoding: teed decodes what the TA sends with ta_msg_decode_from_ta(),
 * the only function that reads a TA's payload (fuzzed by
 * tests/ta/fuzz_ta_msg.c). The runtime decodes teed's requests with
 * ta_msg_decode_to_ta(). Both check every length, count and enum before
 * anything else looks at a field.
 */
#ifndef TEESTORE_TA_MSG_H
#define TEESTORE_TA_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc.h"
#include "tee_api_types.h"
#include "wire.h"

#define TA_MSG_MAGIC   0x54415348U /* "TASH" in the HELLO exchange */
#define TA_MSG_VERSION 1U

enum ta_msg_type {
	/* teed -> TA */
	TA_MSG_CREATE = IPC_TYPE_TA_BASE + 0x01,
	TA_MSG_OPEN_SESSION = IPC_TYPE_TA_BASE + 0x02,
	TA_MSG_INVOKE = IPC_TYPE_TA_BASE + 0x03,
	TA_MSG_CLOSE_SESSION = IPC_TYPE_TA_BASE + 0x04,
	TA_MSG_DESTROY = IPC_TYPE_TA_BASE + 0x05,
	TA_MSG_CANCEL = IPC_TYPE_TA_BASE + 0x06,
	TA_MSG_SYSCALL_REPLY = IPC_TYPE_TA_BASE + 0x07,
	TA_MSG_BULK = IPC_TYPE_TA_BASE + 0x08, /* u32 size + memfd; no answer */
	/* TA -> teed */
	TA_MSG_PROPS = IPC_TYPE_TA_BASE + 0x10,
	TA_MSG_REPLY = IPC_TYPE_TA_BASE + 0x11,
	TA_MSG_SYSCALL = IPC_TYPE_TA_BASE + 0x12,
	TA_MSG_PANIC = IPC_TYPE_TA_BASE + 0x13,
};

/*
 * Syscall numbers, in ranges so that each subsystem of teed owns one
 * (core/ta/ta_syscall.c dispatches on the range, then the handler on the
 * number). Storage arrives with the trusted storage issue.
 */
#define TA_SYS_CORE_BASE    0x0000U
#define TA_SYS_STORAGE_BASE 0x1000U /* reserved: persistent objects */
#define TA_SYS_CRYPTO_BASE  0x2000U /* reserved */
#define TA_SYS_RANGE_SIZE   0x1000U
/* Returns the TEE property set (gpd.tee.*) as a property list. */
#define TA_SYS_GET_TEE_PROPS (TA_SYS_CORE_BASE + 0x01)
/* Writes a line to teed's log (the TA may also write stderr itself). */
#define TA_SYS_LOG (TA_SYS_CORE_BASE + 0x02)

/* Limits checked by both decoders. */
#define TA_MSG_MAX_EVICT      8
#define TA_MSG_MAX_SYS_ARGS   (IPC_MAX_PAYLOAD - 8)
#define TA_MSG_MAX_STACK_SIZE (64U << 20)
#define TA_MSG_MAX_DATA_SIZE  (1U << 30)
#define TA_LOG_MAX	      1024

/* Flags of a memref parameter in a request. */
#define TA_PARAM_F_NULL	 0x1U /* a null memref: no shared memory */
#define TA_PARAM_F_NEWFD 0x2U /* this shm's fd is attached (next fd) */
#define TA_PARAM_F_ALL	 (TA_PARAM_F_NULL | TA_PARAM_F_NEWFD)

/* One parameter of a request, as encoded (48 bytes on the wire). */
struct ta_msg_param {
	uint32_t type;	   /* TEE_PARAM_TYPE_* */
	uint32_t flags;	   /* TA_PARAM_F_* (memrefs only) */
	uint32_t a, b;	   /* values */
	uint32_t key;	   /* memrefs: shm key on this instance */
	uint64_t offs;	   /* memrefs: offset into the shm */
	uint64_t size;	   /* memrefs: size of the reference */
	uint64_t shm_size; /* memrefs: size of the whole shm */
};

/* One parameter of a REPLY (24 bytes): what the TA hands back. */
struct ta_msg_param_out {
	uint32_t a, b; /* value outputs */
	uint64_t size; /* memref size set by the TA */
};

/* A decoded request from teed (ta_msg_decode_to_ta). */
struct ta_msg_req {
	uint32_t type;
	uint32_t session;    /* OPEN/INVOKE/CLOSE */
	uint32_t cmd;	     /* INVOKE */
	uint32_t cancel_req; /* CANCEL: request id to cancel */
	bool cancelled;	     /* OPEN/INVOKE: cancel requested already */
	TEE_Identity client; /* OPEN */
	uint32_t nevict;     /* OPEN/INVOKE: keys to unmap first */
	uint32_t evict[TA_MSG_MAX_EVICT];
	uint32_t param_types; /* OPEN/INVOKE */
	struct ta_msg_param p[TEE_NUM_PARAMS];
	uint32_t nnewfd; /* params with TA_PARAM_F_NEWFD == msg nfds */
	/* BULK: the instance's bulk buffer (the memfd is the message's fd) */
	uint32_t bulk_size;
	/* SYSCALL_REPLY */
	TEE_Result sys_result;
	const uint8_t *sys_data; /* points into the message payload */
	size_t sys_len;
};

/* TA header values sent once after HELLO (TA_MSG_PROPS). */
struct ta_msg_props {
	TEE_Result load_result; /* non-zero: the .ta could not be loaded */
	TEE_UUID uuid;
	uint32_t flags;	     /* TA_FLAG_* */
	uint32_t stack_size; /* TA_STACK_SIZE */
	uint32_t data_size;  /* TA_DATA_SIZE */
};

/* A decoded message from a TA (ta_msg_decode_from_ta). */
struct ta_msg_from_ta {
	uint32_t type;
	struct ta_msg_props props;		   /* PROPS */
	TEE_Result result;			   /* REPLY */
	uint32_t origin;			   /* REPLY */
	struct ta_msg_param_out p[TEE_NUM_PARAMS]; /* REPLY */
	uint32_t sys_nr;			   /* SYSCALL */
	const uint8_t *sys_args;		   /* SYSCALL, in payload */
	size_t sys_len;
	uint32_t panic_code; /* PANIC */
};

/*
 * The teed-side decoder: validates one message received from a TA process
 * (type known and allowed from a TA, exact payload length, enums in range,
 * no file descriptors). Returns 0 or -EBADMSG; on error nothing in out may
 * be used. The caller closes any fds (a TA never sends any).
 */
int ta_msg_decode_from_ta(const struct ipc_msg *m, struct ta_msg_from_ta *out);

/* The runtime-side decoder for teed's requests. 0 or -EBADMSG. */
int ta_msg_decode_to_ta(const struct ipc_msg *m, struct ta_msg_req *out);

/*
 * Encoders. Each returns the payload length written into buf (cap bytes),
 * or -EMSGSIZE.
 */
int ta_msg_encode_props(void *buf, size_t cap, const struct ta_msg_props *p);
int ta_msg_encode_reply(void *buf, size_t cap, TEE_Result res, uint32_t origin,
			const struct ta_msg_param_out p[TEE_NUM_PARAMS]);
/* OPEN (client != NULL) or INVOKE (client == NULL). */
int ta_msg_encode_call(void *buf, size_t cap, uint32_t session, uint32_t cmd,
		       bool cancelled, const TEE_Identity *client,
		       const uint32_t *evict, uint32_t nevict,
		       uint32_t param_types,
		       const struct ta_msg_param p[TEE_NUM_PARAMS]);
int ta_msg_encode_u32(void *buf, size_t cap, uint32_t v);
int ta_msg_encode_syscall(void *buf, size_t cap, uint32_t nr, const void *args,
			  size_t len);
int ta_msg_encode_sys_reply(void *buf, size_t cap, TEE_Result res,
			    const void *data, size_t len);

/*
 * The bulk buffer (docs/gp-storage-ta.md, "Bulk data"): a memfd teed
 * creates per instance and sends once, before CREATE, in TA_MSG_BULK
 * (payload u32 size, the fd attached). The TA maps it; storage syscalls
 * name it as memory key 0.
 */
#define TA_MSG_BULK_MIN (64U * 1024)
#define TA_MSG_BULK_MAX (64U << 20)

/* Property lists (TA_SYS_GET_TEE_PROPS answers): see docs/protocol-ta.md. */
#define TA_PROP_NAME_MAX  64
#define TA_PROP_VALUE_MAX 256
#define TA_PROP_MAX_COUNT 64

/*
 * Trusted storage syscalls (range TA_SYS_STORAGE_BASE): the runtime's GP
 * persistent-object functions call teed's object layer (core/gpstore)
 * through these. Layouts, answers and the staging of large transfers are
 * described in docs/gp-storage-ta.md. teed decodes the arguments with
 * ta_msg_decode_st() (everything checked before use), the runtime
 * encodes them with ta_msg_encode_st().
 */
#define TA_SYS_ST_OPEN	       (TA_SYS_STORAGE_BASE + 0x01)
#define TA_SYS_ST_CREATE       (TA_SYS_STORAGE_BASE + 0x02)
#define TA_SYS_ST_CLOSE	       (TA_SYS_STORAGE_BASE + 0x03)
#define TA_SYS_ST_CLOSE_DELETE (TA_SYS_STORAGE_BASE + 0x04)
#define TA_SYS_ST_RENAME       (TA_SYS_STORAGE_BASE + 0x05)
#define TA_SYS_ST_READ	       (TA_SYS_STORAGE_BASE + 0x06)
#define TA_SYS_ST_WRITE	       (TA_SYS_STORAGE_BASE + 0x07)
#define TA_SYS_ST_TRUNCATE     (TA_SYS_STORAGE_BASE + 0x08)
#define TA_SYS_ST_SEEK	       (TA_SYS_STORAGE_BASE + 0x09)
#define TA_SYS_ST_INFO	       (TA_SYS_STORAGE_BASE + 0x0a)
#define TA_SYS_ST_RESTRICT     (TA_SYS_STORAGE_BASE + 0x0b)
#define TA_SYS_ST_GET_ATTRS    (TA_SYS_STORAGE_BASE + 0x0c)
#define TA_SYS_ST_ENUM_ALLOC   (TA_SYS_STORAGE_BASE + 0x10)
#define TA_SYS_ST_ENUM_FREE    (TA_SYS_STORAGE_BASE + 0x11)
#define TA_SYS_ST_ENUM_RESET   (TA_SYS_STORAGE_BASE + 0x12)
#define TA_SYS_ST_ENUM_START   (TA_SYS_STORAGE_BASE + 0x13)
#define TA_SYS_ST_ENUM_NEXT    (TA_SYS_STORAGE_BASE + 0x14)
/* Staging of transfers larger than one message (one atomic call). */
#define TA_SYS_ST_STAGE_BEGIN  (TA_SYS_STORAGE_BASE + 0x20)
#define TA_SYS_ST_STAGE_PUT    (TA_SYS_STORAGE_BASE + 0x21)
#define TA_SYS_ST_WRITE_STAGED (TA_SYS_STORAGE_BASE + 0x22)
#define TA_SYS_ST_READ_STAGED  (TA_SYS_STORAGE_BASE + 0x23)
#define TA_SYS_ST_STAGE_GET    (TA_SYS_STORAGE_BASE + 0x24)
#define TA_SYS_ST_STAGE_END    (TA_SYS_STORAGE_BASE + 0x25)
/*
 * Bulk data in shared memory (one syscall per transfer instead of one
 * message per 60 KiB): the bytes are in the instance's bulk buffer
 * (mem.key 0) or in a client shared memory the TA has mapped (mem.key =
 * its shm key), at [mem.off, mem.off + mem.len).
 */
#define TA_SYS_ST_WRITE_MEM	(TA_SYS_STORAGE_BASE + 0x26)
#define TA_SYS_ST_READ_MEM	(TA_SYS_STORAGE_BASE + 0x27)
#define TA_SYS_ST_STAGE_PUT_MEM (TA_SYS_STORAGE_BASE + 0x28)
#define TA_SYS_ST_STAGE_GET_MEM (TA_SYS_STORAGE_BASE + 0x29)

#define TA_ST_ID_MAX	64	    /* TEE_OBJECT_ID_MAX_LEN */
#define TA_ST_CHUNK	(60 * 1024) /* data bytes per message */
#define TA_ST_ATTRS_MAX (16 * 1024) /* attribute blob in one message */
#define TA_ST_INFO_SIZE 40	    /* encoded struct ta_st_info */
/* Largest single transfer teed stages (one write, create or read). */
#define TA_ST_STAGE_MAX (256U << 20)
#define TA_ST_MEM_BULK	0U /* mem.key of the bulk buffer */

/* CREATE: where the initial data is. */
#define TA_ST_DATA_INLINE 0U /* in the message (data_len <= TA_ST_CHUNK) */
#define TA_ST_DATA_STAGED 1U /* in the stage (STAGE_BEGIN/PUT before) */

/* CREATE: the attributes of a key object (gpstore_key). */
struct ta_st_key {
	uint32_t object_type;
	uint32_t object_size;
	uint32_t max_object_size;
	uint32_t object_usage;
	uint32_t have_attrs;
	const uint8_t *attrs; /* OP-TEE's attribute blob */
	uint32_t attr_len;    /* <= TA_ST_ATTRS_MAX */
};

/* Memory holding bulk data (the *_MEM syscalls). */
struct ta_st_mem {
	uint32_t key; /* TA_ST_MEM_BULK or a client shm key */
	uint64_t off;
	uint64_t len; /* <= TA_ST_STAGE_MAX; off + len does not wrap */
};

/*
 * The arguments of one storage syscall; which fields a number uses is in
 * docs/gp-storage-ta.md. Pointers point into the message payload.
 */
struct ta_st_args {
	uint32_t nr;
	uint32_t handle;     /* object or enumerator handle */
	uint32_t storage_id; /* OPEN, CREATE, ENUM_START */
	uint32_t flags;	     /* OPEN, CREATE */
	/*
	 * RESTRICT: usage; SEEK: whence; ENUM_NEXT: 1 = want info; READ,
	 * STAGE_GET: length; CREATE: 1 = keep the handle open.
	 */
	uint32_t value;
	/*
	 * TRUNCATE: size; SEEK: offset (int64 two's complement);
	 * STAGE_BEGIN: total bytes; READ_STAGED: length; STAGE_GET,
	 * STAGE_GET_MEM: offset in the stage.
	 */
	uint64_t u64;
	const uint8_t *id; /* OPEN, CREATE, RENAME */
	uint32_t id_len;   /* <= TA_ST_ID_MAX */
	bool has_key;	   /* CREATE */
	struct ta_st_key key;
	uint32_t data_mode;   /* CREATE: TA_ST_DATA_* */
	const uint8_t *data;  /* CREATE (inline), WRITE, STAGE_PUT */
	size_t data_len;      /* <= TA_ST_CHUNK */
	struct ta_st_mem mem; /* *_MEM */
};

/* GetObjectInfo1 / enumeration answer (gpstore_info on the wire). */
struct ta_st_info {
	uint32_t object_type;
	uint32_t object_size;
	uint32_t max_object_size;
	uint32_t object_usage;
	uint32_t handle_flags;
	uint32_t have_attrs;
	uint64_t data_size;
	uint64_t data_position;
};

/*
 * The runtime's encoder: the argument bytes of syscall a->nr (rt_syscall
 * adds the number). Returns the length or -EMSGSIZE / -EINVAL (a field
 * beyond its limit or an unknown number).
 */
int ta_msg_encode_st(void *buf, size_t cap, const struct ta_st_args *a);
/*
 * teed's decoder: validates the argument bytes of storage syscall nr
 * completely (exact length, id_len <= 64, attr_len and data lengths
 * within their limits, data_mode known). 0 or -EBADMSG (unknown number
 * included).
 */
int ta_msg_decode_st(uint32_t nr, const uint8_t *args, size_t len,
		     struct ta_st_args *out);
/* struct ta_st_info, TA_ST_INFO_SIZE bytes. */
void ta_msg_put_st_info(struct wire_wr *w, const struct ta_st_info *i);
/* 0 or -EBADMSG if fewer than TA_ST_INFO_SIZE bytes are left. */
int ta_msg_get_st_info(struct wire_rd *r, struct ta_st_info *i);

#endif
