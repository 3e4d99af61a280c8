/*
 * One call on a TA channel (docs/protocol-ta.md): wait for the channel,
 * encode the request with its memrefs (shared memory fds the TA has not
 * mapped yet ride along), then read what the TA sends - syscalls, a
 * panic notice - until its reply. Any failure of the TA process or of
 * the protocol kills the instance: the caller gets TARGET_DEAD.
 */
#include <errno.h>
#include <string.h>

#include "bytes.h"
#include "log.h"
#include "ta_side.h"
#include "wire.h"

static TEE_Result acquire(struct ta_instance *inst, struct ta_session *s,
			  uint32_t *req, bool *cancelled)
{
	pthread_mutex_lock(&inst->lock);
	if (s)
		s->waiting++;
	while (inst->busy && !inst->dead)
		pthread_cond_wait(&inst->cv, &inst->lock);
	if (s)
		s->waiting--;
	if (inst->dead) {
		pthread_mutex_unlock(&inst->lock);
		return TEE_ERROR_TARGET_DEAD;
	}
	inst->busy = true;
	inst->active = s;
	*req = inst->active_req = ++inst->next_req_id;
	*cancelled = s && s->cancel_pending;
	if (s)
		s->cancel_pending = false;
	pthread_mutex_unlock(&inst->lock);
	return TEE_SUCCESS;
}

static void release(struct ta_instance *inst)
{
	pthread_mutex_lock(&inst->lock);
	inst->busy = false;
	inst->active = NULL;
	pthread_cond_broadcast(&inst->cv);
	pthread_mutex_unlock(&inst->lock);
}

static bool type_valid(uint32_t t)
{
	return t <= TEE_PARAM_TYPE_VALUE_INOUT ||
	       (t >= TEE_PARAM_TYPE_MEMREF_INPUT &&
		t <= TEE_PARAM_TYPE_MEMREF_INOUT);
}

/* Checks the parameters before the shm cache is touched. */
static TEE_Result params_check(const struct ta_params *params)
{
	size_t i;

	for (i = 0; params && i < TEE_NUM_PARAMS; i++) {
		const struct ta_param *p = &params->p[i];

		if (!type_valid(p->type))
			return TEE_ERROR_BAD_PARAMETERS;
		if (p->type < TEE_PARAM_TYPE_MEMREF_INPUT || !p->u.memref.shm)
			continue;
		if (p->u.memref.offs > p->u.memref.shm->size ||
		    p->u.memref.size > p->u.memref.shm->size - p->u.memref.offs)
			return TEE_ERROR_BAD_PARAMETERS;
	}
	return TEE_SUCCESS;
}

static int params_encode(struct ta_instance *inst,
			 const struct ta_params *params,
			 struct ta_msg_param mp[TEE_NUM_PARAMS],
			 uint32_t *types, int fds[IPC_MAX_FDS], size_t *nfds)
{
	size_t i;

	memset(mp, 0, sizeof(*mp) * TEE_NUM_PARAMS);
	*types = 0;
	*nfds = 0;
	for (i = 0; params && i < TEE_NUM_PARAMS; i++) {
		const struct ta_param *p = &params->p[i];
		bool is_new;

		mp[i].type = p->type;
		*types |= p->type << (4 * i);
		if (p->type == TEE_PARAM_TYPE_NONE)
			continue;
		if (p->type <= TEE_PARAM_TYPE_VALUE_INOUT) {
			mp[i].a = p->u.value.a;
			mp[i].b = p->u.value.b;
			continue;
		}
		mp[i].size = p->u.memref.size;
		if (!p->u.memref.shm) {
			mp[i].flags = TA_PARAM_F_NULL;
			continue;
		}
		if (ta_shm_cache_lookup(&inst->cache, p->u.memref.shm,
					&mp[i].key, &is_new))
			return -ENOSPC;
		mp[i].offs = p->u.memref.offs;
		mp[i].shm_size = p->u.memref.shm->size;
		if (is_new) {
			mp[i].flags = TA_PARAM_F_NEWFD;
			fds[(*nfds)++] = p->u.memref.shm->fd;
		}
	}
	return 0;
}

static void params_update(struct ta_instance *inst, struct ta_params *params,
			  const struct ta_msg_from_ta *d)
{
	size_t i;

	for (i = 0; params && i < TEE_NUM_PARAMS; i++) {
		struct ta_param *p = &params->p[i];

		if (p->type == TEE_PARAM_TYPE_VALUE_OUTPUT ||
		    p->type == TEE_PARAM_TYPE_VALUE_INOUT) {
			p->u.value.a = d->p[i].a;
			p->u.value.b = d->p[i].b;
		} else if (p->type == TEE_PARAM_TYPE_MEMREF_OUTPUT ||
			   p->type == TEE_PARAM_TYPE_MEMREF_INOUT) {
			/* Larger than given only to say what is needed. */
			if (!d->result && d->p[i].size > p->u.memref.size)
				log_warnx("TA %s: output size beyond the "
					  "buffer ignored",
					  inst->name);
			else
				p->u.memref.size = d->p[i].size;
		}
	}
}

static int encode(struct ta_instance *inst, struct ta_session *s, uint32_t type,
		  uint32_t cmd, bool cancelled, const struct ta_params *params,
		  int fds[IPC_MAX_FDS], size_t *nfds)
{
	struct ta_msg_param mp[TEE_NUM_PARAMS];
	TEE_Identity client;
	uint32_t types;

	*nfds = 0;
	switch (type) {
	case TA_MSG_CREATE:
	case TA_MSG_DESTROY:
		return 0;
	case TA_MSG_CLOSE_SESSION:
		return ta_msg_encode_u32(inst->txbuf, IPC_MAX_PAYLOAD, s->id);
	default:
		break;
	}
	ta_shm_cache_begin(&inst->cache);
	if (params_encode(inst, params, mp, &types, fds, nfds)) {
		ta_shm_cache_abort(&inst->cache);
		return -ENOSPC;
	}
	client.login = s->client.login;
	client.uuid = s->client.uuid;
	return ta_msg_encode_call(
	    inst->txbuf, IPC_MAX_PAYLOAD, s->id, cmd, cancelled,
	    type == TA_MSG_OPEN_SESSION ? &client : NULL, inst->cache.evict,
	    inst->cache.nevict, types, mp);
}

static int send_locked(struct ta_instance *inst, uint32_t type, uint32_t id,
		       const void *p, size_t len, const int *fds, size_t nfds)
{
	int rc = -EPIPE;

	pthread_mutex_lock(&inst->send_lock);
	if (inst->sock >= 0)
		rc = ipc_send(inst->sock, type, id, p, len, fds, nfds);
	pthread_mutex_unlock(&inst->send_lock);
	return rc;
}

static void serve_syscall(struct ta_instance *inst, struct ta_session *s,
			  const struct ipc_msg *m,
			  const struct ta_msg_from_ta *d)
{
	struct wire_wr w = wire_wr_init(inst->txbuf, IPC_MAX_PAYLOAD);
	TEE_Result res;

	wire_put_u32(&w, 0); /* the result, set below */
	res = ta_syscall_dispatch(inst, s, d->sys_nr, d->sys_args, d->sys_len,
				  &w);
	if (w.overflow || res) {
		w.overflow = false;
		w.len = 4;
		if (!res)
			res = TEE_ERROR_SHORT_BUFFER;
	}
	put_le32(inst->txbuf, res);
	if (send_locked(inst, TA_MSG_SYSCALL_REPLY, m->hdr.id, inst->txbuf,
			w.len, NULL, 0))
		ta_inst_kill(inst, "cannot answer a syscall", true);
}

/* Reads until the reply to req; TARGET_DEAD if the TA dies first. */
static TEE_Result wait_reply(struct ta_instance *inst, struct ta_session *s,
			     uint32_t req, int timeout_ms,
			     struct ta_msg_from_ta *d)
{
	struct ipc_msg m;
	int rc;

	for (;;) {
		if (inst->sock < 0)
			return TEE_ERROR_TARGET_DEAD;
		rc = ta_recv_timeout(inst->sock, &m, inst->rxbuf,
				     IPC_MAX_PAYLOAD, timeout_ms);
		if (rc == -ETIMEDOUT) {
			ta_inst_kill(inst, "no answer in time", true);
			return TEE_ERROR_TARGET_DEAD;
		}
		if (rc) {
			ta_inst_kill(inst, "died during a call", false);
			return TEE_ERROR_TARGET_DEAD;
		}
		rc = ta_msg_decode_from_ta(&m, d);
		ipc_msg_close_fds(&m);
		if (rc)
			goto violation;
		switch (d->type) {
		case TA_MSG_REPLY:
			if (m.hdr.id != req)
				goto violation;
			return TEE_SUCCESS;
		case TA_MSG_SYSCALL:
			serve_syscall(inst, s, &m, d);
			break;
		case TA_MSG_PANIC:
			log_warnx("TA %s panicked with code 0x%08x", inst->name,
				  d->panic_code);
			break;
		default:
			goto violation;
		}
	}
violation:
	ta_inst_kill(inst, "broke the TA channel protocol", true);
	return TEE_ERROR_TARGET_DEAD;
}

TEE_Result ta_call(struct ta_instance *inst, struct ta_session *s,
		   uint32_t type, uint32_t cmd, struct ta_params *params,
		   uint32_t *origin)
{
	struct ta_msg_from_ta d;
	int fds[IPC_MAX_FDS];
	bool cancelled;
	TEE_Result res;
	uint32_t req;
	size_t nfds;
	int len;

	*origin = TEE_ORIGIN_TEE;
	res = params_check(params);
	if (res)
		return res;
	res = acquire(inst, s, &req, &cancelled);
	if (res) /* died before our turn: an opener takes a fresh one */
		return type == TA_MSG_OPEN_SESSION ? TA_RES_RETRY : res;
	len = encode(inst, s, type, cmd, cancelled, params, fds, &nfds);
	if (len < 0) {
		res = TEE_ERROR_OUT_OF_MEMORY;
		goto out;
	}
	if (send_locked(inst, type, req, inst->txbuf, (size_t)len, fds, nfds)) {
		ta_shm_cache_abort(&inst->cache);
		ta_inst_kill(inst, "channel closed", false);
		res = TEE_ERROR_TARGET_DEAD;
		goto out;
	}
	ta_shm_cache_sent(&inst->cache);
	res =
	    wait_reply(inst, s, req,
		       type == TA_MSG_DESTROY ? TA_DESTROY_TIMEOUT_MS : -1, &d);
	if (!res) {
		params_update(inst, params, &d);
		*origin = d.origin;
		res = d.result;
	}
out:
	release(inst);
	return res;
}
