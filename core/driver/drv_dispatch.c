/*
 * Runs one decoded driver request of a connection and sends its reply
 * (layouts: lib/ipc/driver_msg.h, docs/protocol-driver.md). Errors teed
 * raises itself carry TEE_ORIGIN_TEE; the TA side's results and origins
 * pass through unchanged.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "drv_conn.h"
#include "drv_decode.h"
#include "log.h"
#include "tee_api_defines.h"
#include "wire.h"

/* Shared memory a call holds while it runs. */
struct call_shm {
	struct tee_shm *shm[DRV_NUM_PARAMS];
	uint64_t temp_bytes; /* temporary memrefs, counted in call_bytes */
};

static void reply_status(struct drv_conn *c, const struct drv_req *q,
			 TEE_Result res, uint32_t origin)
{
	uint8_t p[DRV_REP_STATUS_LEN];

	put_le32(p, res);
	put_le32(p + 4, origin);
	drv_conn_send(c, q->type | DRV_REPLY, q->id, p, sizeof(p), NULL, 0);
}

static void reply_call(struct drv_conn *c, const struct drv_req *q,
		       TEE_Result res, uint32_t origin, uint32_t session,
		       const struct ta_params *tp)
{
	uint8_t p[DRV_REP_CALL_LEN];
	struct wire_wr w = wire_wr_init(p, sizeof(p));
	size_t i;

	wire_put_u32(&w, res);
	wire_put_u32(&w, origin);
	wire_put_u32(&w, session);
	wire_put_u32(&w, 0);
	for (i = 0; i < DRV_NUM_PARAMS; i++) {
		const struct ta_param *t = &tp->p[i];
		uint32_t ty = t->type;

		if (ty >= TEE_PARAM_TYPE_MEMREF_INPUT) {
			wire_put_u64(&w, 0);
			wire_put_u64(&w, t->u.memref.size);
		} else {
			wire_put_u64(&w, ty ? t->u.value.a : 0);
			wire_put_u64(&w, ty ? t->u.value.b : 0);
		}
	}
	drv_conn_send(c, q->type | DRV_REPLY, q->id, p, w.len, NULL, 0);
}

static void close_fds(int *fds, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

static TEE_Result resolve_memref(struct drv_conn *c,
				 const struct drv_param_req *p, int *fds,
				 struct ta_param *t, struct call_shm *cs)
{
	uint32_t fl = p->attr & ~DRV_PARAM_TYPE_MASK;
	struct tee_shm *shm = NULL;
	TEE_Result res;

	if (fl == DRV_PARAM_FD) {
		res = drv_shm_from_fd(fds[p->c], p->a + p->b,
				      c->lim->max_shm_call, &shm);
		fds[p->c] = -1;
		if (res)
			return res;
		cs->temp_bytes += shm->size;
	} else if (fl == 0) {
		pthread_mutex_lock(&c->lock);
		shm = drv_shm_table_get(&c->shm, p->c);
		pthread_mutex_unlock(&c->lock);
		if (!shm)
			return TEE_ERROR_BAD_PARAMETERS;
		if (p->a + p->b > shm->size) {
			tee_shm_put(shm);
			return TEE_ERROR_BAD_PARAMETERS;
		}
	}
	t->u.memref.shm = shm;
	t->u.memref.offs = p->a;
	t->u.memref.size = p->b;
	return TEE_SUCCESS;
}

static TEE_Result params_resolve(struct drv_conn *c,
				 const struct drv_param_req *p, int *fds,
				 size_t nfds, struct ta_params *tp,
				 struct call_shm *cs)
{
	const struct driver_limits *lim = c->lim;
	uint64_t total = 0;
	TEE_Result res = TEE_SUCCESS;
	size_t i;

	memset(tp, 0, sizeof(*tp));
	memset(cs, 0, sizeof(*cs));
	for (i = 0; i < DRV_NUM_PARAMS && !res; i++) {
		uint32_t t = p[i].attr & DRV_PARAM_TYPE_MASK;

		tp->p[i].type = t;
		if (t < TEE_PARAM_TYPE_MEMREF_INPUT) {
			tp->p[i].u.value.a = (uint32_t)p[i].a;
			tp->p[i].u.value.b = (uint32_t)p[i].b;
			continue;
		}
		total += p[i].b; /* each b < 2^64 - a: no wrap over 4 */
		if (total > lim->max_shm_call || total < p[i].b) {
			log_warnx("client pid %d: call exceeds max_shm_call",
				  (int)c->cred.pid);
			res = TEE_ERROR_EXCESS_DATA;
			break;
		}
		res = resolve_memref(c, &p[i], fds, &tp->p[i], cs);
		cs->shm[i] = tp->p[i].u.memref.shm;
	}
	close_fds(fds, nfds);
	/* temp_bytes counts in call_bytes only once accepted below. */
	if (res || !cs->temp_bytes) {
		cs->temp_bytes = 0;
		return res;
	}
	pthread_mutex_lock(&c->lock);
	if (c->shm.bytes + c->call_bytes + cs->temp_bytes >
	    lim->max_shm_client) {
		res = TEE_ERROR_OUT_OF_MEMORY;
		log_warnx("client pid %d: temporary memrefs exceed "
			  "max_shm_client",
			  (int)c->cred.pid);
		cs->temp_bytes = 0;
	} else {
		c->call_bytes += cs->temp_bytes;
	}
	pthread_mutex_unlock(&c->lock);
	return res;
}

static void params_release(struct drv_conn *c, struct call_shm *cs)
{
	size_t i;

	for (i = 0; i < DRV_NUM_PARAMS; i++)
		tee_shm_put(cs->shm[i]);
	if (cs->temp_bytes) {
		pthread_mutex_lock(&c->lock);
		c->call_bytes -= cs->temp_bytes;
		pthread_mutex_unlock(&c->lock);
	}
}

/* Forgets a tracked call; c->lock held. */
static void untrack_locked(struct drv_conn *c, struct drv_call *call)
{
	struct drv_call **pp;

	for (pp = &c->calls; *pp; pp = &(*pp)->next)
		if (*pp == call) {
			*pp = call->next;
			free(call);
			return;
		}
}

static struct drv_session *session_find(struct drv_conn *c, uint32_t id,
					size_t *idx)
{
	size_t i;

	for (i = 0; i < c->nsess; i++)
		if (c->sess[i]->id == id && !c->sess[i]->closing) {
			if (idx)
				*idx = i;
			return c->sess[i];
		}
	return NULL;
}

static atomic_uint_fast32_t next_session_id = 1;

/* Adds a session under a fresh id; c->lock held. Returns 0 if none. */
static uint32_t session_add(struct drv_conn *c, struct ta_session *ts)
{
	struct drv_session *s;

	if (c->nsess == c->capsess) {
		size_t cap = c->capsess ? c->capsess * 2 : 8;
		struct drv_session **v = realloc(c->sess, cap * sizeof(*v));

		if (!v)
			return 0;
		c->sess = v;
		c->capsess = cap;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return 0;
	s->ts = ts;
	/*
	 * Ids come from one counter for all connections but are looked up
	 * per connection: another client's id, or a session of another
	 * context of the same client, is simply unknown here.
	 */
	do
		s->id = (uint32_t)atomic_fetch_add(&next_session_id, 1);
	while (!s->id || session_find(c, s->id, NULL));
	c->sess[c->nsess++] = s;
	return s->id;
}

static void uuid_from_be(const uint8_t b[16], TEE_UUID *u)
{
	u->timeLow = get_be32(b);
	u->timeMid = get_be16(b + 4);
	u->timeHiAndVersion = get_be16(b + 6);
	memcpy(u->clockSeqAndNode, b + 8, 8);
}

/* The open's call becomes cancellable once its TA session exists. */
struct open_watch_arg {
	struct drv_conn *c;
	struct drv_call *call;
};

static void open_started(void *arg, struct ta_session *ts)
{
	struct open_watch_arg *a = arg;

	pthread_mutex_lock(&a->c->lock);
	a->call->ts = ts;
	if (a->call->cancelled)
		ta_request_cancel(ts);
	pthread_mutex_unlock(&a->c->lock);
}

static void open_ended(void *arg, struct ta_session *ts)
{
	struct open_watch_arg *a = arg;

	(void)ts;
	pthread_mutex_lock(&a->c->lock);
	a->call->ts = NULL;
	pthread_mutex_unlock(&a->c->lock);
}

static void handle_open(struct drv_conn *c, struct drv_req *q, int *fds,
			struct drv_call *call)
{
	struct open_watch_arg wa = {c, call};
	const struct ta_open_watch watch = {open_started, open_ended, &wa};
	struct ta_client_identity ident;
	struct ta_session *ts = NULL;
	struct ta_params tp;
	struct call_shm cs;
	uint32_t origin = TEE_ORIGIN_TEE, sid = 0;
	TEE_UUID uuid;
	TEE_Result res = TEE_SUCCESS;

	memset(&tp, 0, sizeof(tp));
	memset(&cs, 0, sizeof(cs));
	pthread_mutex_lock(&c->lock);
	if (c->nsess + c->opening >= c->lim->max_sessions) {
		log_warnx("client pid %d: max_sessions (%u) reached",
			  (int)c->cred.pid, c->lim->max_sessions);
		res = TEE_ERROR_BUSY;
	} else {
		c->opening++;
	}
	pthread_mutex_unlock(&c->lock);
	if (res) {
		close_fds(fds, q->nfds);
		goto out;
	}
	res = drv_cred_identity(&c->cred, q->u.open.login, q->u.open.login_gid,
				&ident);
	if (!res)
		res = params_resolve(c, q->u.open.p, fds, q->nfds, &tp, &cs);
	else
		close_fds(fds, q->nfds);
	uuid_from_be(q->u.open.uuid, &uuid);
	if (!res)
		res = ta_open_session_watched(&uuid, &ident, &tp, &origin, &ts,
					      call ? &watch : NULL);
	pthread_mutex_lock(&c->lock);
	c->opening--;
	if (!res) {
		sid = session_add(c, ts);
		if (!sid)
			res = TEE_ERROR_OUT_OF_MEMORY;
	}
	pthread_mutex_unlock(&c->lock);
	if (res && ts) {
		ta_close_session(ts);
		origin = TEE_ORIGIN_TEE;
	}
	params_release(c, &cs);
out:
	pthread_mutex_lock(&c->lock);
	untrack_locked(c, call);
	pthread_mutex_unlock(&c->lock);
	reply_call(c, q, res, res ? origin : TEE_ORIGIN_TRUSTED_APP, sid, &tp);
}

static void handle_invoke(struct drv_conn *c, struct drv_req *q, int *fds,
			  struct drv_call *call)
{
	struct drv_session *s;
	struct ta_params tp;
	struct call_shm cs;
	uint32_t origin = TEE_ORIGIN_TEE;
	TEE_Result res = TEE_SUCCESS;

	memset(&tp, 0, sizeof(tp));
	memset(&cs, 0, sizeof(cs));
	pthread_mutex_lock(&c->lock);
	s = session_find(c, q->u.invoke.session, NULL);
	if (s) {
		s->calls++;
		if (call) {
			call->ts = s->ts;
			if (call->cancelled)
				ta_request_cancel(s->ts);
		}
	}
	pthread_mutex_unlock(&c->lock);
	if (!s) {
		close_fds(fds, q->nfds);
		res = TEE_ERROR_BAD_PARAMETERS;
	} else {
		res = params_resolve(c, q->u.invoke.p, fds, q->nfds, &tp, &cs);
		if (!res)
			res = ta_invoke(s->ts, q->u.invoke.func, &tp, &origin);
		params_release(c, &cs);
	}
	pthread_mutex_lock(&c->lock);
	if (s && --s->calls == 0 && s->closing)
		pthread_cond_broadcast(&c->drain_cv);
	untrack_locked(c, call);
	pthread_mutex_unlock(&c->lock);
	reply_call(c, q, res, res ? origin : TEE_ORIGIN_TRUSTED_APP,
		   q->u.invoke.session, &tp);
}

static void handle_close(struct drv_conn *c, struct drv_req *q)
{
	struct drv_session *s;
	size_t i;

	pthread_mutex_lock(&c->lock);
	s = session_find(c, q->u.close.session, &i);
	if (!s) {
		pthread_mutex_unlock(&c->lock);
		reply_status(c, q, TEE_ERROR_BAD_PARAMETERS, TEE_ORIGIN_TEE);
		return;
	}
	s->closing = true;
	/* Calls in flight on it finish first (a CANCEL may speed them). */
	while (s->calls)
		pthread_cond_wait(&c->drain_cv, &c->lock);
	for (i = 0; i < c->nsess; i++)
		if (c->sess[i] == s)
			break;
	c->sess[i] = c->sess[--c->nsess];
	pthread_mutex_unlock(&c->lock);
	ta_close_session(s->ts);
	free(s);
	reply_status(c, q, TEE_SUCCESS, TEE_ORIGIN_TEE);
}

static void handle_cancel(struct drv_conn *c, struct drv_req *q)
{
	struct drv_call *k;

	pthread_mutex_lock(&c->lock);
	for (k = c->calls; k; k = k->next) {
		if (k->session_id != q->u.cancel.session ||
		    k->cancel_id != q->u.cancel.cancel_id)
			continue;
		k->cancelled = true;
		if (k->ts)
			ta_request_cancel(k->ts);
	}
	pthread_mutex_unlock(&c->lock);
	reply_status(c, q, TEE_SUCCESS, TEE_ORIGIN_TEE);
}

static void handle_version(struct drv_conn *c, struct drv_req *q)
{
	uint8_t p[DRV_REP_VERSION_LEN];
	struct wire_wr w = wire_wr_init(p, sizeof(p));

	wire_put_u32(&w, TEE_SUCCESS);
	wire_put_u32(&w, TEE_ORIGIN_TEE);
	wire_put_u32(&w, DRV_IMPL_ID);
	wire_put_u32(&w, DRV_GEN_CAP_GP | DRV_GEN_CAP_REG_MEM |
			     DRV_GEN_CAP_MEMREF_NULL);
	wire_put_u32(&w, c->lim->max_sessions);
	wire_put_u32(&w, 0);
	wire_put_u64(&w, c->lim->max_shm_call);
	wire_put_u64(&w, c->lim->max_shm_client);
	drv_conn_send(c, q->type | DRV_REPLY, q->id, p, w.len, NULL, 0);
}

/* Room for size more bytes of shared memory? c->lock held. */
static bool shm_room_locked(struct drv_conn *c, uint64_t size)
{
	uint64_t used = c->shm.bytes + c->call_bytes;

	return size <= c->lim->max_shm_client &&
	       used <= c->lim->max_shm_client - size;
}

static void handle_shm_alloc(struct drv_conn *c, struct drv_req *q)
{
	uint8_t p[DRV_REP_SHM_ALLOC_LEN];
	struct tee_shm *shm = NULL;
	TEE_Result res = TEE_SUCCESS;
	bool room;

	pthread_mutex_lock(&c->lock);
	room = shm_room_locked(c, q->u.shm.size);
	pthread_mutex_unlock(&c->lock);
	if (!room)
		res = TEE_ERROR_OUT_OF_MEMORY;
	else
		res = drv_shm_alloc(q->u.shm.size, &shm);
	if (!res) {
		pthread_mutex_lock(&c->lock);
		res = drv_shm_table_add(&c->shm, shm,
					c->lim->max_shm_client - c->call_bytes);
		if (!res)
			tee_shm_get(shm); /* held while we send its fd */
		pthread_mutex_unlock(&c->lock);
		if (res)
			tee_shm_put(shm);
	}
	if (res) {
		log_warnx("client pid %d: SHM_ALLOC of %llu bytes refused",
			  (int)c->cred.pid, (unsigned long long)q->u.shm.size);
		reply_status(c, q, res, TEE_ORIGIN_TEE);
		return;
	}
	put_le32(p, TEE_SUCCESS);
	put_le32(p + 4, TEE_ORIGIN_TEE);
	put_le32(p + 8, (uint32_t)shm->id);
	put_le32(p + 12, 0);
	put_le64(p + 16, shm->size);
	drv_conn_send(c, q->type | DRV_REPLY, q->id, p, sizeof(p), &shm->fd, 1);
	tee_shm_put(shm);
}

static void handle_shm_register(struct drv_conn *c, struct drv_req *q, int *fds)
{
	uint8_t p[DRV_REP_SHM_REG_LEN];
	struct tee_shm *shm = NULL;
	TEE_Result res;

	res = drv_shm_from_fd(fds[0], q->u.shm.size, c->lim->max_shm_client,
			      &shm);
	fds[0] = -1;
	if (!res) {
		pthread_mutex_lock(&c->lock);
		res = drv_shm_table_add(&c->shm, shm,
					c->lim->max_shm_client - c->call_bytes);
		pthread_mutex_unlock(&c->lock);
		if (res)
			tee_shm_put(shm);
	}
	if (res) {
		reply_status(c, q, res, TEE_ORIGIN_TEE);
		return;
	}
	put_le32(p, TEE_SUCCESS);
	put_le32(p + 4, TEE_ORIGIN_TEE);
	put_le32(p + 8, (uint32_t)shm->id);
	put_le32(p + 12, 0);
	drv_conn_send(c, q->type | DRV_REPLY, q->id, p, sizeof(p), NULL, 0);
}

static void handle_shm_release(struct drv_conn *c, struct drv_req *q)
{
	TEE_Result res;

	pthread_mutex_lock(&c->lock);
	res = drv_shm_table_remove(&c->shm, q->u.release.shm_id);
	pthread_mutex_unlock(&c->lock);
	reply_status(c, q, res, TEE_ORIGIN_TEE);
}

void drv_dispatch(struct drv_conn *c, struct drv_req *q, int *fds,
		  struct drv_call *call)
{
	switch (q->type) {
	case DRV_MSG_VERSION:
		handle_version(c, q);
		break;
	case DRV_MSG_SHM_ALLOC:
		handle_shm_alloc(c, q);
		break;
	case DRV_MSG_SHM_REGISTER:
		handle_shm_register(c, q, fds);
		break;
	case DRV_MSG_SHM_RELEASE:
		handle_shm_release(c, q);
		break;
	case DRV_MSG_OPEN_SESSION:
		handle_open(c, q, fds, call);
		break;
	case DRV_MSG_INVOKE:
		handle_invoke(c, q, fds, call);
		break;
	case DRV_MSG_CANCEL:
		handle_cancel(c, q);
		break;
	case DRV_MSG_CLOSE_SESSION:
		handle_close(c, q);
		break;
	}
}
