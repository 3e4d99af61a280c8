/* teed's storage bring-up: see teed_storage.h. */
#include "teed_storage.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "backend_posix.h"
#include "log.h"
#include "rpmbfs.h"
#include "secmem.h"
#include "suppl_link.h"
#include "ta_iface.h"
#include "tee_error.h"
#include "teed_anchor.h"
#include "teed_huk.h"
#include "teed_rpmb_anchor.h"

/* Protected by ts_lock; the thread owns link and gps until stop(). */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	pthread_t thread;
	bool thread_running;
	bool stopping;
	bool ready;
	bool refused; /* storage refused for good (a detected rollback) */
	struct suppl_link *link;
	struct gpstore *gps;
	enum gpstore_corrupt_policy policy;
	struct backend *state; /* the state dir: the rollback anchor's file */
	bool counter_on;       /* the rollback counter is wanted */
	struct teed_anchor *anchor; /* NULL: no rollback counter */
	/* The REE store's anchor when RPMB is mounted (docs/rollback.md). */
	struct teed_rpmb_anchor *rpmb_anchor;
	bool rpmb_missing; /* refused: RPMB-anchored, RPMB unavailable */
	bool reset;
	struct rpmbfs *rpmb; /* TEE_STORAGE_PRIVATE_RPMB; NULL: none */
	bool rpmb_provision; /* --rpmb-provision: once, at bring-up */
	bool rpmb_tried;
} ts = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .changed = PTHREAD_COND_INITIALIZER,
};

/* The RPMB FS's transport: OP-TEE's legacy RPMB RPC over the link. */
static TEE_Result link_rpmb_request(void *arg, uint32_t cmd, const void *req,
				    size_t req_len, void *resp, size_t resp_len)
{
	return suppl_link_rpmb(arg, cmd, 0, req, req_len, resp, resp_len);
}

/*
 * Mounts the RPMB FS (provisioning first if asked). Never fatal: without
 * it TAs have no TEE_STORAGE_PRIVATE_RPMB, the REE storage is unaffected.
 */
static void rpmb_open(const uint8_t *huk, size_t huk_len)
{
	struct rpmb_transport t = {link_rpmb_request, ts.link};
	struct rpmbfs_config cfg;
	TEE_Result res;

	ts.rpmb_tried = true;
	rpmbfs_config_init(&cfg, huk, huk_len);
	if (ts.rpmb_provision) {
		res = rpmbfs_provision(&t, &cfg);
		if (res && res != TEE_ERROR_NOT_SUPPORTED)
			log_warnx("--rpmb-provision failed: %s",
				  tee_error_name(res));
	}
	res = rpmbfs_open(&t, &cfg, &ts.rpmb);
	if (res == TEE_ERROR_NOT_SUPPORTED)
		log_info("tee-supplicant has no RPMB device: no "
			 "TEE_STORAGE_PRIVATE_RPMB");
	else if (res == TEE_ERROR_SECURITY)
		log_warnx("RPMB storage UNAVAILABLE: the device's RPMB key is "
			  "not the one derived from this HUK and its CID");
	else if (res == TEE_ERROR_ITEM_NOT_FOUND)
		log_info("RPMB storage unavailable: no RPMB key programmed "
			 "(start teed once with --rpmb-provision)");
	else if (res)
		log_warnx("RPMB storage unavailable: %s", tee_error_name(res));
	else
		log_info("RPMB storage ready (TEE_STORAGE_PRIVATE_RPMB)");
	secmem_wipe(&cfg, sizeof(cfg));
}

/*
 * The REE store's anchor (docs/rollback.md, "RPMB anchor"): RPMB mounted
 * -> the RPMB hash (level 1000), checked against teed's counter while
 * RPMB holds no hash yet; else teed's counter (level 100), but never for
 * a store marked RPMB-anchored unless the administrator resets it
 * (*unmark: clear the marker once the store is open).
 */
static TEE_Result choose_anchor(struct gpstore_config *cfg, bool *unmark)
{
	const struct tstore_anchor *counter =
	    ts.anchor ? teed_anchor_hook(ts.anchor) : NULL;
	bool marked = false;
	TEE_Result res;

	*unmark = false;
	if (ts.rpmb) {
		res = teed_rpmb_anchor_new(ts.rpmb, ts.state, counter, ts.reset,
					   &ts.rpmb_anchor);
		if (res)
			return res;
		cfg->ree_cfg.anchor = teed_rpmb_anchor_hook(ts.rpmb_anchor);
		cfg->ree_cfg.anchor_reset = ts.reset;
		cfg->anti_rollback_level = 1000;
		if (ts.reset)
			log_warnx("--reset-storage: the REE storage is "
				  "re-anchored in RPMB (%s) as it is",
				  TEED_RPMB_ANCHOR_FILE);
		return TEE_SUCCESS;
	}
	if (ts.state) {
		res = teed_rpmb_marker_get(ts.state, &marked);
		if (res) {
			log_warnx("cannot read the RPMB anchor marker: %s",
				  tee_error_name(res));
			return res;
		}
	}
	if (marked && !ts.reset) {
		log_warnx("trusted storage REFUSED: the REE storage is "
			  "anchored in RPMB but RPMB storage is unavailable; "
			  "it is not downgraded to the weaker rollback "
			  "counter. Restart teed with the RPMB device back, "
			  "or with --reset-storage to re-anchor it with the "
			  "counter (level 100)");
		ts.rpmb_missing = true;
		return TEE_ERROR_SECURITY;
	}
	if (marked) {
		log_warnx("ADMINISTRATOR RESET: the RPMB-anchored REE storage "
			  "is re-anchored with teed's rollback counter "
			  "(protection level 100): RPMB is unavailable");
		*unmark = true;
	}
	if (counter) {
		cfg->ree_cfg.anchor = counter;
		cfg->ree_cfg.anchor_reset = ts.reset;
	}
	return TEE_SUCCESS;
}

/* Opens gpstore over the link's backend; the HUK copy is wiped here. */
static TEE_Result storage_open(struct gpstore **out)
{
	struct gpstore_config cfg;
	uint8_t huk[TEED_HUK_MAX];
	size_t huk_len = sizeof(huk);
	bool unmark = false;
	TEE_Result res;

	if (teed_huk(huk, &huk_len))
		return TEE_ERROR_BAD_STATE;
	gpstore_config_init(&cfg, suppl_link_backend(ts.link), huk, huk_len);
	cfg.corrupt_policy = ts.policy;
	/*
	 * GP's levels: 100 is rollback protection enforced by the REE
	 * (teed's counter lives in a normal-world file system), 1000 needs
	 * TEE-controlled hardware (RPMB: choose_anchor). OP-TEE says 100
	 * without RPMB too.
	 */
	cfg.anti_rollback_level = 100;
	res = TEE_SUCCESS;
	if (ts.state && ts.counter_on && !ts.anchor)
		res = teed_anchor_new(ts.state, huk, huk_len, &ts.anchor);
	/* RPMB first: it decides the REE store's anchor. */
	if (!res && !ts.rpmb_tried)
		rpmb_open(huk, huk_len);
	cfg.rpmb = ts.rpmb;
	if (!res)
		res = choose_anchor(&cfg, &unmark);
	if (!res)
		res = gpstore_new(&cfg, out);
	if (!res) {
		ts.reset = false; /* done once */
		if (unmark && teed_rpmb_marker_clear(ts.state))
			log_warnx("cannot remove the RPMB anchor marker %s",
				  TEED_RPMB_MARKER_FILE);
	} else {
		teed_rpmb_anchor_free(ts.rpmb_anchor);
		ts.rpmb_anchor = NULL;
	}
	secmem_wipe(huk, sizeof(huk));
	secmem_wipe(&cfg, sizeof(cfg));
	return res;
}

static bool stopping(void)
{
	bool s;

	pthread_mutex_lock(&ts.lock);
	s = ts.stopping;
	pthread_mutex_unlock(&ts.lock);
	return s;
}

/* Waits for a supplicant, opens the store; retries until it works. */
static void *bringup_thread(void *arg)
{
	unsigned backoff_ms = 50;
	TEE_Result last = TEE_SUCCESS;

	(void)arg;
	while (!stopping()) {
		struct gpstore *g = NULL;
		TEE_Result res;

		if (suppl_link_wait(ts.link, 500))
			continue; /* no supplicant yet */
		res = storage_open(&g);
		if (!res) {
			ta_side_set_storage(g);
			pthread_mutex_lock(&ts.lock);
			ts.gps = g;
			ts.ready = true;
			pthread_cond_broadcast(&ts.changed);
			pthread_mutex_unlock(&ts.lock);
			log_info("trusted storage ready");
			return NULL;
		}
		if (res == TEE_ERROR_SECURITY) {
			/* Not transient: the administrator decides. */
			if (!ts.rpmb_missing)
				log_warnx(
				    "trusted storage REFUSED: rollback "
				    "detected "
				    "(docs/rollback.md); TAs have no storage. "
				    "Restore the directory, or restart teed "
				    "with "
				    "--reset-storage to accept it as it is");
			pthread_mutex_lock(&ts.lock);
			ts.refused = true;
			pthread_cond_broadcast(&ts.changed);
			pthread_mutex_unlock(&ts.lock);
			return NULL;
		}
		if (res != last)
			log_warnx("cannot open trusted storage: %s (retrying)",
				  tee_error_name(res));
		last = res;
		nanosleep(&(struct timespec){0, backoff_ms * 1000000L}, NULL);
		if (backoff_ms < 2000)
			backoff_ms *= 2;
	}
	return NULL;
}

static void deadline_after(struct timespec *ts_out, int ms)
{
	clock_gettime(CLOCK_REALTIME, ts_out);
	ts_out->tv_sec += ms / 1000;
	ts_out->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts_out->tv_nsec >= 1000000000L) {
		ts_out->tv_sec++;
		ts_out->tv_nsec -= 1000000000L;
	}
}

int teed_storage_start(const struct teed_storage_opts *o)
{
	struct timespec until;
	TEE_Result res;
	int rc;

	ts.policy = o->corrupt_policy;
	ts.reset = o->reset_storage;
	ts.rpmb_provision = o->rpmb_provision;
	ts.counter_on = o->rollback_counter;
	/* Also without the counter: the RPMB anchor's marker lives there. */
	res = backend_posix_open(o->state_dir, &ts.state);
	if (res) {
		log_warnx("%s: cannot open for the rollback anchors: %s",
			  o->state_dir, tee_error_name(res));
		return -EIO;
	}
	if (!o->rollback_counter)
		log_warnx("rollback counter disabled (--no-rollback-counter): "
			  "without RPMB a restored old copy of the REE storage "
			  "directory will be accepted");
	rc = suppl_link_start(o->suppl_socket, &ts.link);
	if (!rc) {
		rc = -pthread_create(&ts.thread, NULL, bringup_thread, NULL);
		if (rc) {
			suppl_link_stop(ts.link);
			ts.link = NULL;
		}
	}
	if (rc) {
		backend_destroy(ts.state);
		ts.state = NULL;
		return rc;
	}
	ts.thread_running = true;
	deadline_after(&until, o->wait_ms);
	pthread_mutex_lock(&ts.lock);
	while (!ts.ready && !ts.refused &&
	       pthread_cond_timedwait(&ts.changed, &ts.lock, &until) == 0)
		;
	if (!ts.ready && !ts.refused)
		log_warnx("no tee-supplicant after %d ms: TAs have no storage "
			  "until one attaches",
			  o->wait_ms);
	pthread_mutex_unlock(&ts.lock);
	return 0;
}

bool teed_storage_ready(void)
{
	bool r;

	pthread_mutex_lock(&ts.lock);
	r = ts.ready;
	pthread_mutex_unlock(&ts.lock);
	return r;
}

void teed_storage_stop(void)
{
	pthread_mutex_lock(&ts.lock);
	ts.stopping = true;
	pthread_mutex_unlock(&ts.lock);
	if (ts.thread_running)
		pthread_join(ts.thread, NULL);
	ts.thread_running = false;
	ta_side_set_storage(NULL);
	gpstore_destroy(ts.gps);
	ts.gps = NULL;
	teed_rpmb_anchor_free(ts.rpmb_anchor); /* before its RPMB FS */
	ts.rpmb_anchor = NULL;
	rpmbfs_close(ts.rpmb);
	ts.rpmb = NULL;
	ts.rpmb_tried = false;
	teed_anchor_free(ts.anchor);
	ts.anchor = NULL;
	backend_destroy(ts.state);
	ts.state = NULL;
	if (ts.link)
		suppl_link_stop(ts.link);
	ts.link = NULL;
}
