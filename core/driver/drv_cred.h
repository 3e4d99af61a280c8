/*
 * Who a client is, as the kernel tells teed (SO_PEERCRED, SO_PEERGROUPS,
 * /proc/<pid>/exe at accept time), and the GP client identity derived from
 * it for each login method. Nothing here comes from the client's word: the
 * only client input is which login method (and, for GROUP logins, which of
 * its groups) it asks for.
 *
 * Client UUIDs follow Linux's tee_session_calc_client_uuid(): a UUIDv5 in
 * the namespace 58ac9ca0-2086-4683-a1b8-ec4bc08e01b6 over "uid=<hex>" or
 * "gid=<hex>"; teestore extends it to the application logins with
 * "app=<exe>", "uid=<hex>:app=<exe>", "gid=<hex>:app=<exe>".
 */
#ifndef TEESTORE_DRV_CRED_H
#define TEESTORE_DRV_CRED_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ta_iface.h"

#define DRV_MAX_GROUPS 64

struct drv_cred {
	pid_t pid;
	uid_t uid; /* effective ids at connect() time */
	gid_t gid;
	gid_t groups[DRV_MAX_GROUPS]; /* supplementary groups */
	size_t ngroups;
	bool has_exe;
	char exe[PATH_MAX];
};

/* Fills c from a connected socket. Returns 0 or -errno. */
int drv_cred_from_socket(int sock, struct drv_cred *c);

/*
 * The identity for a session opened with this login method. GROUP logins
 * need gid to be the client's primary or supplementary group, and
 * application logins need a readable /proc/<pid>/exe:
 * TEE_ERROR_ACCESS_DENIED otherwise. Unknown methods: BAD_PARAMETERS.
 */
TEE_Result drv_cred_identity(const struct drv_cred *c, uint32_t login,
			     uint32_t gid, struct ta_client_identity *id);

/* UUIDv5 of name in the client namespace (exposed for tests). */
void drv_client_uuid(const char *name, size_t len, TEE_UUID *out);

#endif
