/* Starting and stopping teed's TA side (ta_iface.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "ta_side.h"

#ifndef TEESTORE_TA_HOST_DEFAULT
#define TEESTORE_TA_HOST_DEFAULT "teestore-ta-host"
#endif

struct ta_global ta_g = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .loaded = PTHREAD_COND_INITIALIZER,
};

static int copy_path(char *dst, const char *src, const char *what)
{
	if (!src || !*src || strlen(src) >= PATH_MAX) {
		log_warnx("TA side: bad %s path", what);
		return -EINVAL;
	}
	strcpy(dst, src);
	return 0;
}

int ta_side_init(const struct ta_config *cfg)
{
	const char *host = cfg->ta_host;
	int rc;

	if (!host)
		host = getenv("TEESTORE_TA_HOST");
	if (!host)
		host = TEESTORE_TA_HOST_DEFAULT;
	pthread_mutex_lock(&ta_g.lock);
	rc = copy_path(ta_g.ta_dir, cfg->ta_dir, "TA directory");
	if (!rc)
		rc = copy_path(ta_g.host, host, "TA host");
	if (!rc && access(ta_g.host, X_OK) < 0) {
		rc = -errno;
		log_warnx("TA side: cannot run %s: %s", ta_g.host,
			  strerror(errno));
	}
	if (!rc) {
		ta_g.max_instances =
		    cfg->max_instances ? cfg->max_instances : 64;
		ta_g.up = true;
	}
	pthread_mutex_unlock(&ta_g.lock);
	return rc;
}

/*
 * Ends the instances nobody holds but the registry (keep-alive TAs).
 * Sessions still open belong to the client side, which closes them first.
 */
void ta_side_shutdown(void)
{
	struct ta_instance *inst;

	pthread_mutex_lock(&ta_g.lock);
	ta_g.up = false;
	for (;;) {
		for (inst = ta_g.list; inst && !inst->registry_ref;
		     inst = inst->next)
			;
		if (!inst)
			break;
		inst->registry_ref = false;
		pthread_mutex_unlock(&ta_g.lock);
		ta_inst_put(inst);
		pthread_mutex_lock(&ta_g.lock);
	}
	pthread_mutex_unlock(&ta_g.lock);
}
