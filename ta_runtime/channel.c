/* The TA side of the TA channel during a call (runtime.h, ta_msg.h). */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "runtime.h"

static uint8_t chan_buf[IPC_MAX_PAYLOAD];
static uint32_t sys_seq;

void rt_die_proto(const char *why)
{
	rt_log("TA channel: %s; exiting", why);
	_exit(RT_EXIT_PROTO);
}

int rt_chan_poll(int timeout_ms, struct ta_msg_req *rep, void *buf, size_t cap)
{
	struct pollfd pfd = {.fd = rt.sock, .events = POLLIN};
	struct ta_msg_req req;
	struct ipc_msg m;
	int rc;

	do
		rc = poll(&pfd, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		rt_die_proto("poll failed");
	if (rc == 0)
		return 0;
	rc = ipc_recv(rt.sock, &m, chan_buf, sizeof(chan_buf));
	if (rc)
		rt_die_proto(rc == -ECONNRESET ? "closed by teed"
					       : "receive failed");
	if (ta_msg_decode_to_ta(&m, &req)) {
		ipc_msg_close_fds(&m);
		rt_die_proto("malformed message during a call");
	}
	if (req.type == TA_MSG_CANCEL) {
		if (rt.in_call && req.cancel_req == rt.req_id)
			rt.cancel_flag = true;
		return 2;
	}
	if (req.type != TA_MSG_SYSCALL_REPLY || !rep || m.hdr.id != sys_seq)
		rt_die_proto("unexpected message during a call");
	if (req.sys_len > cap)
		rt_die_proto("syscall answer too long");
	memcpy(buf, req.sys_data, req.sys_len);
	*rep = req;
	rep->sys_data = buf;
	return 1;
}

TEE_Result rt_syscall(uint32_t nr, const void *args, size_t len, void *out,
		      size_t cap, size_t *out_len)
{
	static uint8_t sbuf[IPC_MAX_PAYLOAD];
	struct ta_msg_req rep;
	int n;

	n = ta_msg_encode_syscall(sbuf, sizeof(sbuf), nr, args, len);
	if (n < 0)
		return TEE_ERROR_EXCESS_DATA;
	sys_seq++;
	if (ipc_send(rt.sock, TA_MSG_SYSCALL, sys_seq, sbuf, (size_t)n, NULL,
		     0))
		rt_die_proto("cannot send a syscall");
	while (rt_chan_poll(-1, &rep, out, cap) != 1)
		;
	if (out_len)
		*out_len = rep.sys_len;
	return rep.sys_result;
}
