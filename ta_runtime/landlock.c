/*
 * The TA process's first confinement, before the .ta is loaded: a
 * Landlock ruleset, so that the TA's own code that runs inside dlopen()
 * (ELF constructors) can read only the .ta file and the system's
 * libraries, not teed's state directory (the HUK), the REE files or
 * anything else of the user teed runs as (root included: Landlock binds
 * root too). Where the kernel knows them, TCP and the scopes are denied
 * as well: no TCP bind/connect, no abstract unix socket and no signal
 * outside the process. The seccomp filter (sandbox.c) follows once the
 * .ta is loaded and closes the rest.
 *
 * Without Landlock (kernel < 5.13, or the LSM off) the process goes on
 * and says so: everything after the load is still under seccomp.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime.h"

/* Where dlopen() may look for what a .ta needs (read and map only). */
static const char *const lib_dirs[] = {
    "/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib",
};
static const char *const lib_files[] = {"/etc/ld.so.cache"};

/*
 * The kernel's uapi values of the rights and scopes newer than the build
 * machine's headers may know (Debian 12 ships ABI 2's); which of them are
 * used depends on the running kernel's ABI (ll_abi()).
 */
#define LL_FS_ABI1	     ((1ULL << 13) - 1) /* EXECUTE .. MAKE_SYM */
#define LL_FS_REFER	     (1ULL << 13)	/* ABI 2 */
#define LL_FS_TRUNCATE	     (1ULL << 14)	/* ABI 3 */
#define LL_FS_IOCTL_DEV	     (1ULL << 15)	/* ABI 5 */
#define LL_NET_BIND_TCP	     (1ULL << 0)	/* ABI 4 */
#define LL_NET_CONNECT_TCP   (1ULL << 1)
#define LL_SCOPE_ABSTRACT_UN (1ULL << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL	     (1ULL << 1)

/* struct landlock_ruleset_attr as of ABI 6; older ABIs take a prefix. */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

#define LL_FILE_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_EXECUTE)
#define LL_DIR_READ  (LL_FILE_READ | LANDLOCK_ACCESS_FS_READ_DIR)

static int ll_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0,
			 LANDLOCK_CREATE_RULESET_VERSION);

	return v < 0 ? 0 : (int)v;
}

/* Every filesystem right the kernel's ABI knows: all are denied but the
 * rules' ones. */
static uint64_t fs_rights(int abi)
{
	uint64_t r = LL_FS_ABI1;

	if (abi >= 2)
		r |= LL_FS_REFER;
	if (abi >= 3)
		r |= LL_FS_TRUNCATE;
	if (abi >= 5)
		r |= LL_FS_IOCTL_DEV;
	return r;
}

/*
 * Allows access (within the handled rights) beneath path. A library
 * directory that cannot be opened (missing, unreadable) is skipped: it
 * then stays closed, which only matters to a .ta that needs it.
 */
static int ll_allow(int ruleset, const char *path, uint64_t access,
		    bool required)
{
	struct landlock_path_beneath_attr pb = {.allowed_access = access};
	int rc = 0;

	pb.parent_fd = open(path, O_PATH | O_CLOEXEC);
	if (pb.parent_fd < 0)
		return required ? -errno : 0;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH,
		    &pb, 0))
		rc = -errno;
	close(pb.parent_fd);
	return rc;
}

static int ll_ruleset(int abi)
{
	struct ll_ruleset_attr attr = {.handled_access_fs = fs_rights(abi)};
	size_t size = sizeof(attr);

	if (abi >= 4)
		attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
	if (abi >= 6)
		attr.scoped = LL_SCOPE_ABSTRACT_UN | LL_SCOPE_SIGNAL;
	else if (abi >= 4)
		size = offsetof(struct ll_ruleset_attr, scoped);
	else
		size = offsetof(struct ll_ruleset_attr, handled_access_net);
	return (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
}

int rt_landlock_enter(const char *ta_path)
{
	int abi = ll_abi(), ruleset, rc = 0;
	size_t i;

	if (abi < 1)
		return -ENOSYS;
	ruleset = ll_ruleset(abi);
	if (ruleset < 0)
		return -errno;
	rc = ll_allow(ruleset, ta_path, LL_FILE_READ, true);
	for (i = 0; !rc && i < sizeof(lib_dirs) / sizeof(lib_dirs[0]); i++)
		rc = ll_allow(ruleset, lib_dirs[i], LL_DIR_READ, false);
	for (i = 0; !rc && i < sizeof(lib_files) / sizeof(lib_files[0]); i++)
		rc = ll_allow(ruleset, lib_files[i],
			      LANDLOCK_ACCESS_FS_READ_FILE, false);
	if (!rc && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		rc = -errno;
	if (!rc && syscall(SYS_landlock_restrict_self, ruleset, 0))
		rc = -errno;
	close(ruleset);
	return rc;
}
