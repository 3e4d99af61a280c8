#include "tee_error.h"

#include <errno.h>
#include <stdio.h>

struct tee_error_entry {
	TEE_Result code;
	const char *name;
};

#define E(x) { x, #x }
static const struct tee_error_entry tee_error_table[] = {
	E(TEE_SUCCESS),
	E(TEE_ERROR_CORRUPT_OBJECT),
	E(TEE_ERROR_CORRUPT_OBJECT_2),
	E(TEE_ERROR_STORAGE_NOT_AVAILABLE),
	E(TEE_ERROR_STORAGE_NOT_AVAILABLE_2),
	E(TEE_ERROR_CIPHERTEXT_INVALID),
	E(TEE_ERROR_GENERIC),
	E(TEE_ERROR_ACCESS_DENIED),
	E(TEE_ERROR_CANCEL),
	E(TEE_ERROR_ACCESS_CONFLICT),
	E(TEE_ERROR_EXCESS_DATA),
	E(TEE_ERROR_BAD_FORMAT),
	E(TEE_ERROR_BAD_PARAMETERS),
	E(TEE_ERROR_BAD_STATE),
	E(TEE_ERROR_ITEM_NOT_FOUND),
	E(TEE_ERROR_NOT_IMPLEMENTED),
	E(TEE_ERROR_NOT_SUPPORTED),
	E(TEE_ERROR_NO_DATA),
	E(TEE_ERROR_OUT_OF_MEMORY),
	E(TEE_ERROR_BUSY),
	E(TEE_ERROR_COMMUNICATION),
	E(TEE_ERROR_SECURITY),
	E(TEE_ERROR_SHORT_BUFFER),
	E(TEE_ERROR_EXTERNAL_CANCEL),
	E(TEE_ERROR_OVERFLOW),
	E(TEE_ERROR_TARGET_DEAD),
	E(TEE_ERROR_STORAGE_NO_SPACE),
	E(TEE_ERROR_MAC_INVALID),
	E(TEE_ERROR_SIGNATURE_INVALID),
	E(TEE_ERROR_TIME_NOT_SET),
	E(TEE_ERROR_TIME_NEEDS_RESET),
};
#undef E

const char *tee_error_name(TEE_Result res)
{
	static _Thread_local char unknown[32];
	size_t i;

	for (i = 0; i < sizeof(tee_error_table) / sizeof(tee_error_table[0]);
	     i++)
		if (tee_error_table[i].code == res)
			return tee_error_table[i].name;
	snprintf(unknown, sizeof(unknown), "TEE_ERROR_0x%08x", res);
	return unknown;
}

const char *tee_origin_name(uint32_t origin)
{
	switch (origin) {
	case TEE_ORIGIN_API:
		return "TEE_ORIGIN_API";
	case TEE_ORIGIN_COMMS:
		return "TEE_ORIGIN_COMMS";
	case TEE_ORIGIN_TEE:
		return "TEE_ORIGIN_TEE";
	case TEE_ORIGIN_TRUSTED_APP:
		return "TEE_ORIGIN_TRUSTED_APP";
	default:
		return "TEE_ORIGIN_UNKNOWN";
	}
}

TEE_Result tee_error_from_errno(int err)
{
	switch (err) {
	case 0:
		return TEE_SUCCESS;
	case ENOENT:
		return TEE_ERROR_ITEM_NOT_FOUND;
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
		return TEE_ERROR_STORAGE_NO_SPACE;
	case ENOMEM:
		return TEE_ERROR_OUT_OF_MEMORY;
	case EACCES:
	case EPERM:
		return TEE_ERROR_ACCESS_DENIED;
	case EROFS:
	case EIO:
	case ENODEV:
	case ENXIO:
		return TEE_ERROR_STORAGE_NOT_AVAILABLE;
	case EEXIST:
		return TEE_ERROR_ACCESS_CONFLICT;
	case EINVAL:
	case ENAMETOOLONG:
		return TEE_ERROR_BAD_PARAMETERS;
	case EBUSY:
		return TEE_ERROR_BUSY;
	default:
		return TEE_ERROR_GENERIC;
	}
}
