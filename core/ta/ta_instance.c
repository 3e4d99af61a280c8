/*
 * TA instances: finding the live instance of a single-instance TA or
 * starting a new one (<uuid>.ta in the TA directory), reference counting,
 * and ending them (TA_DestroyEntryPoint, or death).
 */
#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "tee_error.h"
#include "ta_side.h"
#include "user_ta_header.h"

static struct ta_instance *registry_find(const TEE_UUID *uuid)
{
	struct ta_instance *i;

	for (i = ta_g.list; i; i = i->next)
		if (ta_flag(i, TA_FLAG_SINGLE_INSTANCE) &&
		    uuid_equal(&i->uuid, uuid) && !i->dead)
			return i;
	return NULL;
}

static bool is_loading(const TEE_UUID *uuid)
{
	struct ta_loading *l;

	for (l = ta_g.loading; l; l = l->next)
		if (uuid_equal(&l->uuid, uuid))
			return true;
	return false;
}

static void loading_remove(struct ta_loading *me)
{
	struct ta_loading **pp;

	for (pp = &ta_g.loading; *pp; pp = &(*pp)->next)
		if (*pp == me) {
			*pp = me->next;
			return;
		}
}

static struct ta_instance *inst_alloc(const TEE_UUID *uuid, pid_t pid, int sock,
				      uint32_t flags)
{
	struct ta_instance *inst = calloc(1, sizeof(*inst));

	if (!inst)
		return NULL;
	inst->rxbuf = malloc(IPC_MAX_PAYLOAD);
	inst->txbuf = malloc(IPC_MAX_PAYLOAD);
	if (!inst->rxbuf || !inst->txbuf) {
		free(inst->rxbuf);
		free(inst->txbuf);
		free(inst);
		return NULL;
	}
	inst->uuid = *uuid;
	uuid_format(uuid, inst->name);
	inst->pid = pid;
	inst->sock = sock;
	inst->flags = flags;
	pthread_mutex_init(&inst->lock, NULL);
	pthread_mutex_init(&inst->send_lock, NULL);
	pthread_cond_init(&inst->cv, NULL);
	return inst;
}

static void inst_free(struct ta_instance *inst)
{
	ta_storage_detach(inst);
	ta_shm_cache_clear(&inst->cache);
	pthread_mutex_destroy(&inst->lock);
	pthread_mutex_destroy(&inst->send_lock);
	pthread_cond_destroy(&inst->cv);
	free(inst->rxbuf);
	free(inst->txbuf);
	free(inst);
}

void ta_inst_kill(struct ta_instance *inst, const char *why, bool kill_now)
{
	bool reap;

	pthread_mutex_lock(&inst->lock);
	if (!inst->dead && why)
		log_warnx("TA %s (pid %d): %s", inst->name, (int)inst->pid,
			  why);
	inst->dead = true;
	reap = !inst->reaped;
	inst->reaped = true;
	pthread_mutex_unlock(&inst->lock);
	if (!reap)
		return;
	pthread_mutex_lock(&inst->send_lock);
	close(inst->sock);
	inst->sock = -1;
	pthread_mutex_unlock(&inst->send_lock);
	ta_reap(inst->name, inst->pid, kill_now);
	ta_shm_cache_clear(&inst->cache);
	/* Its handles and enumerators go with it (the channel holder or
	 * the last owner runs this: no storage syscall is in progress). */
	ta_storage_detach(inst);
}

/* Reads the PROPS message and checks it against the UUID asked for. */
static TEE_Result read_props(const char *path, const TEE_UUID *uuid, int sock,
			     struct ta_msg_props *props)
{
	uint8_t buf[128];
	struct ta_msg_from_ta d;
	struct ipc_msg m;
	char got[UUID_STR_LEN + 1];
	int rc;

	rc = ta_recv_timeout(sock, &m, buf, sizeof(buf), TA_START_TIMEOUT_MS);
	if (rc) {
		log_warnx("%s: no answer from the TA host (%s)", path,
			  strerror(-rc));
		return TEE_ERROR_GENERIC;
	}
	rc = ta_msg_decode_from_ta(&m, &d);
	ipc_msg_close_fds(&m);
	if (rc || d.type != TA_MSG_PROPS) {
		log_warnx("%s: malformed TA properties", path);
		return TEE_ERROR_GENERIC;
	}
	*props = d.props;
	if (props->load_result) {
		log_warnx("%s: cannot be loaded (%s)", path,
			  tee_error_name(props->load_result));
		return props->load_result;
	}
	if (!uuid_equal(&props->uuid, uuid)) {
		uuid_format(&props->uuid, got);
		log_warnx("%s: the TA's header says it is %s", path, got);
		return TEE_ERROR_BAD_FORMAT;
	}
	return TEE_SUCCESS;
}

/* Starts a process for the TA and runs TA_CreateEntryPoint. */
static TEE_Result inst_load(const TEE_UUID *uuid, struct ta_instance **out,
			    uint32_t *origin)
{
	char path[PATH_MAX + UUID_STR_LEN + 8], name[UUID_STR_LEN + 1];
	struct ta_msg_props props;
	struct ta_instance *inst;
	struct stat st;
	TEE_Result res;
	pid_t pid;
	int sock, rc;

	*origin = TEE_ORIGIN_TEE;
	uuid_format(uuid, name);
	snprintf(path, sizeof(path), "%s/%s.ta", ta_g.ta_dir, name);
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return TEE_ERROR_ITEM_NOT_FOUND;
	rc = ta_spawn(ta_g.host, path, &pid, &sock);
	if (rc) {
		log_warnx("%s: cannot start %s: %s", path, ta_g.host,
			  strerror(-rc));
		return TEE_ERROR_GENERIC;
	}
	res = read_props(path, uuid, sock, &props);
	inst = res ? NULL : inst_alloc(uuid, pid, sock, props.flags);
	if (inst) {
		res = ta_storage_attach(inst);
		if (res) {
			inst_free(inst);
			inst = NULL;
		}
	}
	if (!inst) {
		close(sock);
		ta_reap(name, pid, true);
		return res ? res : TEE_ERROR_OUT_OF_MEMORY;
	}
	res = ta_call(inst, NULL, TA_MSG_CREATE, 0, NULL, origin);
	if (res) {
		ta_inst_kill(inst, NULL, false);
		inst_free(inst);
		return res;
	}
	*out = inst;
	return TEE_SUCCESS;
}

TEE_Result ta_inst_get(const TEE_UUID *uuid, struct ta_instance **out,
		       uint32_t *origin)
{
	struct ta_loading me = {.uuid = *uuid};
	struct ta_instance *inst;
	TEE_Result res;

	*origin = TEE_ORIGIN_TEE;
	pthread_mutex_lock(&ta_g.lock);
	for (;;) {
		if (!ta_g.up) {
			pthread_mutex_unlock(&ta_g.lock);
			return TEE_ERROR_BAD_STATE;
		}
		inst = registry_find(uuid);
		if (inst) {
			pthread_mutex_lock(&inst->lock);
			inst->refs++;
			pthread_mutex_unlock(&inst->lock);
			pthread_mutex_unlock(&ta_g.lock);
			*out = inst;
			return TEE_SUCCESS;
		}
		/* One load per UUID at a time: it may be single-instance. */
		if (!is_loading(uuid))
			break;
		pthread_cond_wait(&ta_g.loaded, &ta_g.lock);
	}
	if (ta_g.count >= ta_g.max_instances) {
		pthread_mutex_unlock(&ta_g.lock);
		log_warnx("TA instance limit (%zu) reached",
			  ta_g.max_instances);
		return TEE_ERROR_OUT_OF_MEMORY;
	}
	ta_g.count++;
	me.next = ta_g.loading;
	ta_g.loading = &me;
	pthread_mutex_unlock(&ta_g.lock);

	res = inst_load(uuid, &inst, origin);

	pthread_mutex_lock(&ta_g.lock);
	loading_remove(&me);
	if (res) {
		ta_g.count--;
	} else {
		inst->refs = 1;
		if (ta_flag(inst, TA_FLAG_SINGLE_INSTANCE) &&
		    ta_flag(inst, TA_FLAG_INSTANCE_KEEP_ALIVE)) {
			inst->refs++;
			inst->registry_ref = true;
		}
		inst->next = ta_g.list;
		ta_g.list = inst;
		*out = inst;
	}
	pthread_cond_broadcast(&ta_g.loaded);
	pthread_mutex_unlock(&ta_g.lock);
	return res;
}

static void list_remove(struct ta_instance *inst)
{
	struct ta_instance **pp;

	for (pp = &ta_g.list; *pp; pp = &(*pp)->next)
		if (*pp == inst) {
			*pp = inst->next;
			ta_g.count--;
			return;
		}
}

void ta_inst_put(struct ta_instance *inst)
{
	uint32_t origin;
	bool last;

	pthread_mutex_lock(&ta_g.lock);
	pthread_mutex_lock(&inst->lock);
	last = --inst->refs == 0;
	if (last)
		list_remove(inst);
	pthread_mutex_unlock(&inst->lock);
	pthread_mutex_unlock(&ta_g.lock);
	if (!last)
		return;
	/* Nobody else can reach it now. */
	if (!inst->dead)
		ta_call(inst, NULL, TA_MSG_DESTROY, 0, NULL, &origin);
	ta_inst_kill(inst, NULL, false);
	inst_free(inst);
}
