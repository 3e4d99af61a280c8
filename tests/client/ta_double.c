/* The TA-side test double: see ta_double.h. */
#include "ta_double.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "bytes.h"
#include "driver.h"
#include "ta_iface.h"
#include "tee_api_defines.h"
#include "uuid.h"

struct ta_session {
	struct ta_client_identity client;
	atomic_bool cancel;
};

static atomic_uint open_sessions;

static const TEE_UUID uuid_echo = DBL_UUID_ECHO;
static const TEE_UUID uuid_refuse = DBL_UUID_REFUSE;

int ta_side_init(const struct ta_config *cfg)
{
	(void)cfg;
	return 0;
}

/* The double has no storage: teed_double never gets a supplicant. */
void ta_side_set_storage(struct gpstore *g)
{
	(void)g;
}

void ta_side_shutdown(void)
{
}

/*
 * Mappings of registered shared memory, kept across calls as a TA process
 * would keep them (ids are never reused, so an id names one memfd). Temporary
 * memrefs (id 0) are mapped per call.
 */
#define MAP_CACHE 8

static struct {
	pthread_mutex_t lock;
	struct {
		uint64_t id;
		uint8_t *addr;
		size_t len;
	} e[MAP_CACHE];
	unsigned next;
} maps = {.lock = PTHREAD_MUTEX_INITIALIZER};

static uint8_t *map_cached(const struct tee_shm *shm)
{
	uint8_t *m = NULL;
	unsigned i;

	pthread_mutex_lock(&maps.lock);
	for (i = 0; i < MAP_CACHE; i++)
		if (maps.e[i].addr && maps.e[i].id == shm->id) {
			m = maps.e[i].addr;
			break;
		}
	if (!m) {
		m = mmap(NULL, shm->size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_POPULATE, shm->fd, 0);
		if (m == MAP_FAILED) {
			m = NULL;
		} else {
			i = maps.next++ % MAP_CACHE;
			if (maps.e[i].addr)
				munmap(maps.e[i].addr, maps.e[i].len);
			maps.e[i].id = shm->id;
			maps.e[i].addr = m;
			maps.e[i].len = shm->size;
		}
	}
	pthread_mutex_unlock(&maps.lock);
	return m;
}

/* Maps a memref's bytes; *base receives a per-call mapping to unmap. */
static uint8_t *map_ref(const struct ta_param *p, void **base, size_t *len)
{
	const struct tee_shm *shm = p->u.memref.shm;
	uint8_t *m;

	*base = NULL;
	*len = 0;
	if (!shm || !shm->size)
		return NULL;
	if (shm->id) {
		m = map_cached(shm);
		return m ? m + p->u.memref.offs : NULL;
	}
	m = mmap(NULL, shm->size, PROT_READ | PROT_WRITE, MAP_SHARED, shm->fd,
		 0);
	if (m == MAP_FAILED)
		return NULL;
	*base = m;
	*len = shm->size;
	return m + p->u.memref.offs;
}

static void unmap_ref(void *base, size_t len)
{
	if (base)
		munmap(base, len);
}

static uint32_t params_in(const struct ta_params *ps)
{
	uint32_t acc = 0;
	size_t i, j;

	for (i = 0; i < TEE_NUM_PARAMS; i++) {
		const struct ta_param *p = &ps->p[i];
		void *base;
		size_t len;
		uint8_t *d;

		if (p->type == TEE_PARAM_TYPE_VALUE_INPUT ||
		    p->type == TEE_PARAM_TYPE_VALUE_INOUT)
			acc += p->u.value.a + p->u.value.b;
		if (p->type != TEE_PARAM_TYPE_MEMREF_INPUT &&
		    p->type != TEE_PARAM_TYPE_MEMREF_INOUT)
			continue;
		acc += (uint32_t)p->u.memref.size;
		d = map_ref(p, &base, &len);
		for (j = 0; d && j < p->u.memref.size; j++)
			acc += d[j];
		unmap_ref(base, len);
	}
	return acc;
}

static void params_out(struct ta_params *ps, uint32_t acc)
{
	size_t i, j;

	for (i = 0; i < TEE_NUM_PARAMS; i++) {
		struct ta_param *p = &ps->p[i];
		void *base;
		size_t len;
		uint8_t *d;

		switch (p->type) {
		case TEE_PARAM_TYPE_VALUE_OUTPUT:
			p->u.value.a = 0x1000 + (uint32_t)i;
			p->u.value.b = acc;
			break;
		case TEE_PARAM_TYPE_VALUE_INOUT:
			p->u.value.a += 1;
			p->u.value.b += 2;
			break;
		case TEE_PARAM_TYPE_MEMREF_OUTPUT:
		case TEE_PARAM_TYPE_MEMREF_INOUT:
			d = map_ref(p, &base, &len);
			for (j = 0; d && j < p->u.memref.size; j++)
				d[j] = p->type == TEE_PARAM_TYPE_MEMREF_OUTPUT
					   ? (uint8_t)(0xA0 + i)
					   : (uint8_t)~d[j];
			unmap_ref(base, len);
			break;
		}
	}
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* DBL_OPEN_WAIT: the open waits for a cancel, watched as the TA side's. */
static TEE_Result open_wait(struct ta_session *s, const struct ta_params *p,
			    const struct ta_open_watch *w)
{
	uint64_t until = now_ms() + p->p[0].u.value.a;
	TEE_Result res = TEE_SUCCESS;

	if (w)
		w->started(w->arg, s);
	while (now_ms() < until) {
		if (atomic_exchange(&s->cancel, false)) {
			res = TEE_ERROR_CANCEL;
			break;
		}
		usleep(1000);
	}
	if (w)
		w->ended(w->arg, s);
	return res;
}

TEE_Result ta_open_session_watched(const TEE_UUID *uuid,
				   const struct ta_client_identity *client,
				   struct ta_params *params, uint32_t *origin,
				   struct ta_session **out,
				   const struct ta_open_watch *w)
{
	struct ta_session *s;
	TEE_Result res;

	*origin = TEE_ORIGIN_TEE;
	if (uuid_equal(uuid, &uuid_refuse)) {
		*origin = TEE_ORIGIN_TRUSTED_APP;
		return TEE_ERROR_ACCESS_DENIED;
	}
	if (!uuid_equal(uuid, &uuid_echo))
		return TEE_ERROR_ITEM_NOT_FOUND;
	s = calloc(1, sizeof(*s));
	if (!s)
		return TEE_ERROR_OUT_OF_MEMORY;
	s->client = *client;
	if (params->p[0].type == TEE_PARAM_TYPE_VALUE_INPUT &&
	    params->p[0].u.value.b == DBL_OPEN_WAIT) {
		res = open_wait(s, params, w);
		if (res) {
			free(s);
			*origin = TEE_ORIGIN_TRUSTED_APP;
			return res;
		}
	}
	params_out(params, params_in(params));
	atomic_fetch_add(&open_sessions, 1);
	*origin = TEE_ORIGIN_TRUSTED_APP;
	*out = s;
	return TEE_SUCCESS;
}

static TEE_Result cmd_short(struct ta_params *ps)
{
	struct ta_param *p = &ps->p[0];
	uint32_t need = ps->p[1].u.value.a, j;
	void *base;
	size_t len;
	uint8_t *d;

	if (p->u.memref.size < need) {
		p->u.memref.size = need;
		return TEE_ERROR_SHORT_BUFFER;
	}
	d = map_ref(p, &base, &len);
	for (j = 0; d && j < need; j++)
		d[j] = (uint8_t)j;
	unmap_ref(base, len);
	p->u.memref.size = need;
	return TEE_SUCCESS;
}

static TEE_Result cmd_wait_cancel(struct ta_session *s, struct ta_params *ps)
{
	uint64_t until = now_ms() + ps->p[0].u.value.a;

	while (now_ms() < until) {
		if (atomic_exchange(&s->cancel, false))
			return TEE_ERROR_CANCEL;
		usleep(1000);
	}
	return TEE_SUCCESS;
}

static TEE_Result cmd_stats(struct ta_params *ps)
{
	struct driver_stats st;

	driver_get_stats(&st);
	ps->p[0].u.value.a = atomic_load(&open_sessions);
	ps->p[0].u.value.b = st.clients;
	ps->p[1].u.value.a = (uint32_t)st.shm_objects;
	ps->p[1].u.value.b = st.sessions;
	return TEE_SUCCESS;
}

static TEE_Result cmd_identity(struct ta_session *s, struct ta_params *ps)
{
	const struct ta_client_identity *c = &s->client;
	void *base;
	size_t len;
	uint8_t *d;

	ps->p[0].u.value.a = c->login;
	ps->p[0].u.value.b = c->uid;
	ps->p[1].u.value.a = c->gid;
	ps->p[1].u.value.b = c->pid;
	if (ps->p[2].u.memref.size < 16) {
		ps->p[2].u.memref.size = 16;
		return TEE_ERROR_SHORT_BUFFER;
	}
	d = map_ref(&ps->p[2], &base, &len);
	if (d) {
		put_be32(d, c->uuid.timeLow);
		put_be16(d + 4, c->uuid.timeMid);
		put_be16(d + 6, c->uuid.timeHiAndVersion);
		memcpy(d + 8, c->uuid.clockSeqAndNode, 8);
	}
	unmap_ref(base, len);
	ps->p[2].u.memref.size = 16;
	return TEE_SUCCESS;
}

/* Sums 64-bit words; a plain loop the compiler can vectorize. */
static uint64_t sum_words(const uint64_t *w, size_t n)
{
	uint64_t sum = 0;
	size_t j;

	for (j = 0; j < n; j++)
		sum += w[j];
	return sum;
}

static TEE_Result cmd_sum(struct ta_params *ps)
{
	const struct ta_param *p = &ps->p[0];
	void *base;
	size_t len;
	uint8_t *d = map_ref(p, &base, &len);
	uint64_t sum = 0;

	if (d && !((uintptr_t)d & 7))
		sum = sum_words((const uint64_t *)(void *)d,
				p->u.memref.size / 8);
	unmap_ref(base, len);
	ps->p[1].u.value.a = (uint32_t)sum;
	return TEE_SUCCESS;
}

static TEE_Result cmd_wait_byte(struct ta_params *ps)
{
	volatile uint8_t *d;
	uint64_t until = now_ms() + 5000;
	TEE_Result res = TEE_ERROR_GENERIC;
	void *base;
	size_t len;

	d = map_ref(&ps->p[0], &base, &len);
	if (!d || ps->p[0].u.memref.size < 2)
		res = TEE_ERROR_BAD_PARAMETERS;
	while (d && res == TEE_ERROR_GENERIC && now_ms() < until) {
		if (d[0]) {
			d[1] = 0x55;
			res = TEE_SUCCESS;
		}
		usleep(500);
	}
	unmap_ref(base, len);
	return res;
}

TEE_Result ta_invoke(struct ta_session *s, uint32_t cmd,
		     struct ta_params *params, uint32_t *origin)
{
	*origin = TEE_ORIGIN_TRUSTED_APP;
	switch (cmd) {
	case DBL_CMD_EMPTY:
		return TEE_SUCCESS;
	case DBL_CMD_PARAMS:
		params_out(params, params_in(params));
		return TEE_SUCCESS;
	case DBL_CMD_SHORT:
		return cmd_short(params);
	case DBL_CMD_WAIT_CANCEL:
		return cmd_wait_cancel(s, params);
	case DBL_CMD_STATS:
		return cmd_stats(params);
	case DBL_CMD_IDENTITY:
		return cmd_identity(s, params);
	case DBL_CMD_DEAD:
		*origin = TEE_ORIGIN_TEE;
		return TEE_ERROR_TARGET_DEAD;
	case DBL_CMD_SUM:
		return cmd_sum(params);
	case DBL_CMD_WAIT_BYTE:
		return cmd_wait_byte(params);
	default:
		return TEE_ERROR_NOT_SUPPORTED;
	}
}

void ta_request_cancel(struct ta_session *s)
{
	atomic_store(&s->cancel, true);
}

void ta_close_session(struct ta_session *s)
{
	atomic_fetch_sub(&open_sessions, 1);
	free(s);
}
