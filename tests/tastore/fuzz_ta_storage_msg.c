/*
 * libFuzzer target for ta_msg_decode_st(), teed's decoder of the storage
 * syscalls a TA sends. Input: u8 syscall number (offset in the storage
 * range), then the argument bytes. A decoded message must re-encode to
 * the same bytes (the encoder is the runtime's).
 */
#include <stdint.h>
#include <string.h>

#include "ta_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t re[IPC_MAX_PAYLOAD];
	struct ta_st_args a;
	int n;

	if (size < 1 || size - 1 > TA_MSG_MAX_SYS_ARGS)
		return 0;
	if (ta_msg_decode_st(TA_SYS_STORAGE_BASE + data[0], data + 1, size - 1,
			     &a))
		return 0;
	if (a.id_len > TA_ST_ID_MAX || a.data_len > TA_ST_CHUNK ||
	    (a.has_key && a.key.attr_len > TA_ST_ATTRS_MAX))
		__builtin_trap();
	n = ta_msg_encode_st(re, sizeof(re), &a);
	if (n != (int)(size - 1) || memcmp(re, data + 1, size - 1))
		__builtin_trap();
	return 0;
}
