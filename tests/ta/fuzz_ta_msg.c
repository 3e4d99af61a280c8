/*
 * libFuzzer target for ta_msg_decode_from_ta(), the decoder teed runs on
 * everything a TA process sends. Input: u32 type (LE), u8 nfds, payload.
 * Also checks the runtime-side decoder on the same bytes, and that a
 * decoded REPLY re-encodes to the same payload.
 */
#include <stdint.h>
#include <string.h>

#include "bytes.h"
#include "ta_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t payload[IPC_MAX_PAYLOAD];
	struct ta_msg_from_ta d;
	struct ta_msg_req r;
	struct ipc_msg m;
	uint8_t re[128];
	int n;

	if (size < 5 || size - 5 > sizeof(payload))
		return 0;
	memset(&m, 0, sizeof(m));
	m.hdr.type = IPC_TYPE_TA_BASE | (get_le32(data) & 0xff);
	m.nfds = data[4] % (IPC_MAX_FDS + 1);
	m.hdr.nfds = (uint32_t)m.nfds;
	m.hdr.len = (uint32_t)(size - 5);
	memcpy(payload, data + 5, size - 5);
	m.payload = payload;
	for (n = 0; n < IPC_MAX_FDS; n++)
		m.fds[n] = -1;
	if (!ta_msg_decode_from_ta(&m, &d) && d.type == TA_MSG_REPLY) {
		n = ta_msg_encode_reply(re, sizeof(re), d.result, d.origin,
					d.p);
		if (n != (int)m.hdr.len || memcmp(re, payload, (size_t)n))
			__builtin_trap();
	}
	if (!ta_msg_decode_to_ta(&m, &r) &&
	    (r.type == TA_MSG_OPEN_SESSION || r.type == TA_MSG_INVOKE)) {
		size_t i;

		for (i = 0; i < TEE_NUM_PARAMS; i++)
			if (r.p[i].type >= TEE_PARAM_TYPE_MEMREF_INPUT &&
			    !(r.p[i].flags & TA_PARAM_F_NULL) &&
			    r.p[i].offs + r.p[i].size > r.p[i].shm_size)
				__builtin_trap();
	}
	return 0;
}
