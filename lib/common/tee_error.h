/* Names of TEE_Result codes, for messages a person reads. */
#ifndef TEESTORE_TEE_ERROR_H
#define TEESTORE_TEE_ERROR_H

#include "tee_api_types.h"

/* "TEE_ERROR_CORRUPT_OBJECT", or "TEE_ERROR_0x12345678" if unknown. */
const char *tee_error_name(TEE_Result res);

/* "TEE_ORIGIN_TEE" etc. */
const char *tee_origin_name(uint32_t origin);

/* Maps an errno value to the TEE_Result the storage stack reports. */
TEE_Result tee_error_from_errno(int err);

#endif
