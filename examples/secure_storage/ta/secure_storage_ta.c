/*
 * The secure storage TA: OP-TEE's secure_storage example (READ_RAW,
 * WRITE_RAW, DELETE, with the same UUID and parameters) grown into a
 * store for files of any size: chunked transfers with a per-session
 * state, a SHA-256 computed as data arrives and checked on every read,
 * atomic replacement, resume. Only chunk-sized work memory: the heap
 * (TA_DATA_SIZE) holds the session state and one 16 KiB buffer.
 * docs/secure-storage-app.md describes the commands.
 */
#include <tee_internal_api.h>
#include <tee_internal_api_extensions.h>

#include "ss_ta.h"

TEE_Result TA_CreateEntryPoint(void)
{
	return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void)
{
}

TEE_Result TA_OpenSessionEntryPoint(uint32_t param_types,
				    TEE_Param __maybe_unused params[4],
				    void **session)
{
	struct ss_session *s;

	if (param_types !=
	    TEE_PARAM_TYPES(TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
			    TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	s = TEE_Malloc(sizeof(*s), TEE_MALLOC_FILL_ZERO);
	if (!s)
		return TEE_ERROR_OUT_OF_MEMORY;
	*session = s;
	return TEE_SUCCESS;
}

/* A put left unfinished keeps its durable partial object for a resume. */
void TA_CloseSessionEntryPoint(void *session)
{
	struct ss_session *s = session;

	ss_xfer_reset(&s->x);
	if (s->list)
		TEE_FreePersistentObjectEnumerator(s->list);
	TEE_Free(s);
}

TEE_Result TA_InvokeCommandEntryPoint(void *session, uint32_t command,
				      uint32_t param_types, TEE_Param params[4])
{
	struct ss_session *s = session;

	switch (command) {
	case TA_SECURE_STORAGE_CMD_READ_RAW:
		return ss_read_raw(s, param_types, params);
	case TA_SECURE_STORAGE_CMD_WRITE_RAW:
		return ss_write_raw(s, param_types, params);
	case TA_SECURE_STORAGE_CMD_DELETE:
		return ss_delete(s, param_types, params);
	case TA_SECURE_STORAGE_CMD_WRITE_RAW_CHUNK:
		return ss_write_raw_chunk(s, param_types, params);
	case TA_SECURE_STORAGE_CMD_WRITE_RAW_FINAL:
		return ss_write_raw_final(s, param_types, params);
	case TA_SECURE_STORAGE_CMD_INFO:
		return ss_info(param_types, params);
	case TA_SECURE_STORAGE_CMD_PUT_BEGIN:
		return ss_put_begin(s, param_types, params);
	case TA_SECURE_STORAGE_CMD_PUT_CHUNK:
		return ss_put_chunk(s, param_types, params);
	case TA_SECURE_STORAGE_CMD_PUT_FINAL:
		return ss_put_final(s, param_types, params);
	case TA_SECURE_STORAGE_CMD_PUT_ABORT:
		return ss_put_abort(s, param_types);
	case TA_SECURE_STORAGE_CMD_PUT_STATUS:
		return ss_put_status(s, param_types, params);
	case TA_SECURE_STORAGE_CMD_GET_BEGIN:
		return ss_get_begin(s, param_types, params);
	case TA_SECURE_STORAGE_CMD_GET_CHUNK:
		return ss_get_chunk(s, param_types, params);
	case TA_SECURE_STORAGE_CMD_STAT:
		return ss_stat(s, param_types, params);
	case TA_SECURE_STORAGE_CMD_LIST:
		return ss_list(s, param_types, params);
	case TA_SECURE_STORAGE_CMD_VERIFY:
		return ss_verify(s, param_types, params);
	default:
		EMSG("Command ID 0x%x is not supported", command);
		return TEE_ERROR_NOT_SUPPORTED;
	}
}
