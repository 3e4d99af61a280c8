/*
 * Sessions: the ta_iface.h entry points the client side calls. GP's
 * instance rules (docs/protocol-ta.md, "Instances"): a single-instance TA
 * has one live instance shared by its sessions, which without
 * MULTI_SESSION allows one session (others get BUSY, as on OP-TEE); any
 * other TA gets a fresh instance per session.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ta_side.h"
#include "user_ta_header.h"

/* Reserves a session slot on inst; TA_RES_RETRY if it died meanwhile. */
static TEE_Result session_reserve(struct ta_instance *inst,
				  struct ta_session *s)
{
	TEE_Result res = TEE_SUCCESS;

	pthread_mutex_lock(&inst->lock);
	if (inst->dead)
		res = TA_RES_RETRY;
	else if (ta_flag(inst, TA_FLAG_SINGLE_INSTANCE) &&
		 !ta_flag(inst, TA_FLAG_MULTI_SESSION) &&
		 inst->nsessions + inst->opening > 0)
		res = TEE_ERROR_BUSY;
	else if (inst->nsessions + inst->opening >= TA_SESSIONS_MAX)
		res = TEE_ERROR_OUT_OF_MEMORY;
	if (!res) {
		inst->opening++;
		s->id = ++inst->next_session_id;
	}
	pthread_mutex_unlock(&inst->lock);
	return res;
}

/* The watched part of an open: from started() to ended() a cancel may
 * name s (ta_request_cancel records it for the OPEN call if it comes
 * before the call starts). */
static void watch_start(struct ta_session *s, const struct ta_open_watch *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&s->inst->lock);
	s->opening = true;
	pthread_mutex_unlock(&s->inst->lock);
	w->started(w->arg, s);
}

static void watch_end(struct ta_session *s, const struct ta_open_watch *w)
{
	if (!w)
		return;
	w->ended(w->arg, s);
	/* No cancel can name s now: none may outlive the open either. */
	pthread_mutex_lock(&s->inst->lock);
	s->opening = false;
	s->cancel_pending = false;
	pthread_mutex_unlock(&s->inst->lock);
}

TEE_Result ta_open_session_watched(const TEE_UUID *uuid,
				   const struct ta_client_identity *client,
				   struct ta_params *params, uint32_t *origin,
				   struct ta_session **out,
				   const struct ta_open_watch *w)
{
	struct ta_instance *inst;
	struct ta_session *s;
	TEE_Result res;
	int attempt;

	*out = NULL;
	*origin = TEE_ORIGIN_TEE;
	s = calloc(1, sizeof(*s));
	if (!s)
		return TEE_ERROR_OUT_OF_MEMORY;
	s->client = *client;
	/* An instance found dying before our call is replaced, not fatal. */
	for (attempt = 0; attempt < 3; attempt++) {
		res = ta_inst_get(uuid, &inst, origin);
		if (res)
			break;
		res = session_reserve(inst, s);
		if (res == TEE_SUCCESS) {
			s->inst = inst;
			watch_start(s, w);
			res = ta_call(inst, s, TA_MSG_OPEN_SESSION, 0, params,
				      origin);
			watch_end(s, w);
			pthread_mutex_lock(&inst->lock);
			inst->opening--;
			if (!res)
				inst->nsessions++;
			pthread_mutex_unlock(&inst->lock);
			if (!res) {
				*out = s;
				return TEE_SUCCESS;
			}
		}
		ta_inst_put(inst);
		if (res != TA_RES_RETRY)
			break;
		*origin = TEE_ORIGIN_TEE;
		res = TEE_ERROR_TARGET_DEAD;
	}
	free(s);
	return res;
}

TEE_Result ta_invoke(struct ta_session *s, uint32_t cmd,
		     struct ta_params *params, uint32_t *origin)
{
	return ta_call(s->inst, s, TA_MSG_INVOKE, cmd, params, origin);
}

void ta_request_cancel(struct ta_session *s)
{
	struct ta_instance *inst = s->inst;
	uint8_t buf[4];
	int len;

	pthread_mutex_lock(&inst->lock);
	if (inst->busy && inst->active == s && !inst->dead) {
		/* Under inst->lock: the call cannot end and another begin. */
		len = ta_msg_encode_u32(buf, sizeof(buf), inst->active_req);
		pthread_mutex_lock(&inst->send_lock);
		if (len > 0 && inst->sock >= 0)
			(void)ipc_send(inst->sock, TA_MSG_CANCEL, 0, buf,
				       (size_t)len, NULL, 0);
		pthread_mutex_unlock(&inst->send_lock);
	} else if (s->waiting || s->opening) {
		s->cancel_pending = true;
	}
	pthread_mutex_unlock(&inst->lock);
}

void ta_close_session(struct ta_session *s)
{
	struct ta_instance *inst = s->inst;
	uint32_t origin;

	/* A dead instance cannot run CloseSessionEntryPoint: just forget. */
	(void)ta_call(inst, s, TA_MSG_CLOSE_SESSION, 0, NULL, &origin);
	pthread_mutex_lock(&inst->lock);
	inst->nsessions--;
	pthread_mutex_unlock(&inst->lock);
	ta_inst_put(inst);
	free(s);
}
