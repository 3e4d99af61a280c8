/* The header every GP TA includes: types, constants, functions, traces. */
#ifndef TEE_INTERNAL_API_H
#define TEE_INTERNAL_API_H

#include <compiler.h> /* OP-TEE TAs rely on __maybe_unused & co. */
#include <tee_api_defines.h>
#include <tee_api_types.h>
#include <trace.h>
#include <tee_api.h>
#include <tee_ta_api.h>

#endif /* TEE_INTERNAL_API_H */
