/*
 * libFuzzer target for the driver ABI decoder (core/driver/drv_decode.c).
 * Input: byte 0 = number of fds (mod 5), then a 16-byte ipc header
 * (type, len, id, nfds; len and nfds are replaced by what ipc_recv would
 * have enforced), then the payload.
 */
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "drv_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct drv_req q;
	size_t nfds, i;
	TEE_Result res;
	unsigned used = 0;

	if (size < 1 + IPC_HDR_SIZE)
		return 0;
	nfds = data[0] % 5;
	data++;
	size--;
	if (size - IPC_HDR_SIZE > DRV_MAX_MSG)
		return 0;
	res = drv_decode_request(get_le32(data), get_le32(data + 8),
				 data + IPC_HDR_SIZE, size - IPC_HDR_SIZE, nfds,
				 &q);
	if (res || (q.type != DRV_MSG_INVOKE && q.type != DRV_MSG_OPEN_SESSION))
		return 0;
	/* What the decoder promises: fd indices in range, each used once. */
	for (i = 0; i < DRV_NUM_PARAMS; i++) {
		const struct drv_param_req *p = q.type == DRV_MSG_INVOKE
						    ? &q.u.invoke.p[i]
						    : &q.u.open.p[i];

		if (p->attr & DRV_PARAM_FD) {
			if (p->c >= nfds || (used & (1u << p->c)))
				__builtin_trap();
			used |= 1u << p->c;
		}
		if (p->a + p->b < p->a)
			__builtin_trap();
	}
	if (used != (1u << nfds) - 1)
		__builtin_trap();
	return 0;
}
