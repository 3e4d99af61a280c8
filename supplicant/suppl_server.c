/* One connection to teed: see suppl_server.h. */
#include "suppl_server.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "shm.h"
#include "tee_error.h"
#include "suppl_fs.h"
#include "wire.h"

struct serve_ctx {
	int sock;
	const struct suppl_server_cfg *cfg;
	struct suppl_fs fs;
	struct shm_region shm;
	struct suppl_req req; /* ~25 KiB: kept off the stack */
	uint8_t in[IPC_MAX_PAYLOAD];
	uint8_t out[SUPPL_ANSWER_MAX + 64];
};

static int answer(struct serve_ctx *c, uint32_t id, const struct wire_wr *w)
{
	return ipc_send(c->sock, SUPPL_MSG_ANSWER, id, w->buf, w->len, NULL, 0);
}

static int answer_result(struct serve_ctx *c, uint32_t id, TEE_Result res)
{
	struct wire_wr w = wire_wr_init(c->out, sizeof(c->out));

	wire_put_u32(&w, res);
	return answer(c, id, &w);
}

/* SUPPL_MSG_SHM: (re)maps the window teed gives us. */
static int handle_shm(struct serve_ctx *c, struct ipc_msg *m)
{
	int rc;

	if (m->nfds != 1 || m->hdr.len != 0) {
		ipc_msg_close_fds(m);
		return answer_result(c, m->hdr.id, TEE_ERROR_BAD_PARAMETERS);
	}
	shm_destroy(&c->shm);
	m->nfds = 0; /* shm_map_fd owns the fd from here */
	rc = shm_map_fd(&c->shm, m->fds[0], SUPPL_SHM_MIN, SUPPL_SHM_MAX);
	if (rc) {
		log_warnx("shared memory from teed refused: %s", strerror(-rc));
		return answer_result(c, m->hdr.id, TEE_ERROR_BAD_PARAMETERS);
	}
	return answer_result(c, m->hdr.id, TEE_SUCCESS);
}

static void serve_rpmb(struct serve_ctx *c, struct wire_wr *w)
{
	uint8_t info[SUPPL_RPMB_INFO_LEN] = {0};
	TEE_Result res = TEE_ERROR_NOT_SUPPORTED;

	if (c->cfg->rpmb)
		res =
		    c->cfg->rpmb(c->cfg->rpmb_arg, &c->req, c->shm.addr, info);
	wire_put_u32(w, res);
	if (res == TEE_SUCCESS && c->req.cmd == SUPPL_RPMB_CMD_INFO)
		wire_put_bytes(w, info, sizeof(info));
}

/* A request: decode, serve, answer. Returns 0 or -errno (send failed). */
static int handle_request(struct serve_ctx *c, struct ipc_msg *m)
{
	struct wire_wr w = wire_wr_init(c->out, sizeof(c->out));
	TEE_Result res;

	if (m->nfds) {
		ipc_msg_close_fds(m);
		return answer_result(c, m->hdr.id, TEE_ERROR_BAD_PARAMETERS);
	}
	if (!c->shm.addr)
		return answer_result(c, m->hdr.id, TEE_ERROR_BAD_STATE);
	res = suppl_req_decode(m->hdr.type, m->payload, m->hdr.len, c->shm.size,
			       &c->req);
	if (res != TEE_SUCCESS) {
		log_debug("request 0x%x refused: %s", m->hdr.type,
			  tee_error_name(res));
		return answer_result(c, m->hdr.id, res);
	}
	if (c->req.type == SUPPL_MSG_RPMB)
		serve_rpmb(c, &w);
	else
		suppl_fs_serve(&c->fs, &c->req, c->shm.addr, c->shm.size, &w);
	if (w.overflow)
		return -EMSGSIZE; /* cannot happen: out is sized for the max */
	return answer(c, m->hdr.id, &w);
}

/* Waits for a message or a stop; 1 = stop, 0 = readable, -errno. */
static int wait_input(struct serve_ctx *c)
{
	struct pollfd p[2] = {
	    {.fd = c->sock, .events = POLLIN},
	    {.fd = c->cfg->stop_fd, .events = POLLIN},
	};
	int n;

	do
		n = poll(p, c->cfg->stop_fd >= 0 ? 2 : 1, -1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (c->cfg->stop_fd >= 0 && (p[1].revents & POLLIN))
		return 1;
	return 0;
}

static int serve_loop(struct serve_ctx *c)
{
	struct ipc_msg m;
	int rc;

	for (;;) {
		rc = wait_input(c);
		if (rc)
			return rc < 0 ? rc : SUPPL_END_STOP;
		rc = ipc_recv(c->sock, &m, c->in, sizeof(c->in));
		if (rc == -ECONNRESET)
			return SUPPL_END_PEER;
		if (rc == -EBADMSG) {
			log_warnx("malformed frame from teed dropped");
			continue;
		}
		if (rc)
			return rc;
		if (m.hdr.type == SUPPL_MSG_SHM)
			rc = handle_shm(c, &m);
		else
			rc = handle_request(c, &m);
		if (rc)
			return rc;
	}
}

int suppl_serve(int sock, const struct suppl_server_cfg *cfg)
{
	struct serve_ctx *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return -ENOMEM;
	c->sock = sock;
	c->cfg = cfg;
	c->shm.fd = -1;
	suppl_fs_init(&c->fs, cfg->dirfd);
	rc = ipc_send_hello(sock, SUPPL_MAGIC, SUPPL_VERSION);
	if (rc == 0)
		rc = ipc_expect_hello(sock, SUPPL_MAGIC, SUPPL_VERSION);
	if (rc == -ECONNRESET || rc == -EPIPE)
		rc = SUPPL_END_PEER;
	else if (rc == 0)
		rc = serve_loop(c);
	suppl_fs_close_all(&c->fs);
	shm_destroy(&c->shm);
	free(c);
	return rc;
}
