/*
 * TEE results as a person and a script see them: the GP name, the
 * origin, what it means here, and the exit code.
 */
#include <string.h>

#include "ss_cli.h"
#include "tee_api_defines.h"
#include "tee_error.h"

int ss_exit_for(uint32_t res)
{
	switch (res) {
	case TEE_SUCCESS:
		return SS_EXIT_OK;
	case TEE_ERROR_ITEM_NOT_FOUND:
		return SS_EXIT_NOT_FOUND;
	case TEE_ERROR_CORRUPT_OBJECT:
	case TEE_ERROR_CORRUPT_OBJECT_2:
	case TEE_ERROR_SECURITY:
	case TEE_ERROR_MAC_INVALID:
		return SS_EXIT_INTEGRITY;
	case TEE_ERROR_COMMUNICATION:
	case TEE_ERROR_TARGET_DEAD:
	case TEE_ERROR_STORAGE_NOT_AVAILABLE:
	case TEE_ERROR_STORAGE_NOT_AVAILABLE_2:
		return SS_EXIT_TEE;
	case TEE_ERROR_ACCESS_CONFLICT:
	case TEE_ERROR_BUSY:
		return SS_EXIT_BUSY;
	case TEE_ERROR_STORAGE_NO_SPACE:
		return SS_EXIT_NO_SPACE;
	default:
		return SS_EXIT_FAILURE;
	}
}

static const char *ss_err_meaning(uint32_t res, uint32_t origin)
{
	switch (res) {
	case TEE_ERROR_ITEM_NOT_FOUND:
		return "no such object";
	case TEE_ERROR_CORRUPT_OBJECT:
	case TEE_ERROR_CORRUPT_OBJECT_2:
		return "integrity error: the stored data was changed or "
		       "damaged outside the TEE and is refused";
	case TEE_ERROR_SECURITY:
		return "the SHA-256 the TEE computed over the received data "
		       "differs from the file's: the transfer was refused and "
		       "discarded";
	case TEE_ERROR_ACCESS_CONFLICT:
		return "another client is using this object right now";
	case TEE_ERROR_BUSY:
		return "the TEE is busy";
	case TEE_ERROR_STORAGE_NO_SPACE:
		return "the trusted storage is full";
	case TEE_ERROR_STORAGE_NOT_AVAILABLE:
	case TEE_ERROR_STORAGE_NOT_AVAILABLE_2:
		return "the trusted storage is not available (is "
		       "tee-supplicant running? did teed refuse the store "
		       "as rolled back? see teed's log)";
	case TEE_ERROR_TARGET_DEAD:
		return "the trusted application died";
	case TEE_ERROR_COMMUNICATION:
		return "cannot talk to the TEE (is teed running? tee-run sets "
		       "TEESTORE_SOCKET)";
	case TEE_ERROR_OVERFLOW:
		return "too large for an object (at most 4 GiB - 65 bytes)";
	case TEE_ERROR_OUT_OF_MEMORY:
		return origin == TEE_ORIGIN_API
			   ? "the TEE refused the shared memory"
			   : "the TEE is out of memory";
	case TEE_ERROR_BAD_PARAMETERS:
		return "the TA refused the request";
	case TEE_ERROR_BAD_STATE:
		return "the TA was not expecting this request now";
	case TEE_ERROR_NOT_SUPPORTED:
		return "this TA does not know the command (an older TA?)";
	default:
		return NULL;
	}
}

void ss_err_describe(char *buf, size_t len, uint32_t res, uint32_t origin)
{
	const char *m = ss_err_meaning(res, origin);

	snprintf(buf, len, "%s (0x%08x) from %s%s%s", tee_error_name(res),
		 (unsigned)res, tee_origin_name(origin), m ? ": " : "",
		 m ? m : "");
}

int ss_err_report(const char *what, uint32_t res, uint32_t origin)
{
	char d[320];

	ss_err_describe(d, sizeof(d), res, origin);
	fprintf(stderr, "secure_storage: %s: %s\n", what, d);
	return ss_exit_for(res);
}
