/*
 * The POSIX backend on a real full disk and a read-only file system: a
 * 64 KiB tmpfs mounted in a private mount namespace (so nothing leaks to
 * the host, even if the test dies). Needs CAP_SYS_ADMIN (root, or a user
 * namespace); exits 77 (skipped) when it cannot mount.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include "backend_posix.h"
#include "conformance.h"
#include "tee_api_defines.h"
#include "test.h"

#define SKIP 77

static char mnt[512];

/* A private mount namespace with a tiny tmpfs at mnt; false to skip. */
static bool mount_tiny_tmpfs(void)
{
	if (unshare(CLONE_NEWNS) < 0) {
		fprintf(stderr, "skipped: unshare(CLONE_NEWNS): %s\n",
			strerror(errno));
		return false;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", mnt, "tmpfs", 0, "size=64k,mode=0700") < 0) {
		fprintf(stderr, "skipped: mount tmpfs: %s\n", strerror(errno));
		return false;
	}
	return true;
}

static void test_posix_enospc_is_no_space(void)
{
	static uint8_t buf[16384];
	struct backend *be;
	uint32_t fh;
	TEE_Result res = TEE_SUCCESS;
	int i;

	REQUIRE(backend_posix_open(mnt, &be) == TEE_SUCCESS);
	REQUIRE(backend_create(be, "big", &fh) == TEE_SUCCESS);
	/* 64 KiB of tmpfs cannot take 128 KiB. */
	for (i = 0; i < 8 && res == TEE_SUCCESS; i++)
		res = backend_pwrite(be, fh, (uint64_t)i * sizeof(buf), buf,
				     sizeof(buf));
	CHECK_EQ(res, TEE_ERROR_STORAGE_NO_SPACE);
	/* The disk is usable again once space is freed. */
	CHECK_EQ(backend_truncate(be, fh, 0), TEE_SUCCESS);
	CHECK_EQ(backend_pwrite(be, fh, 0, buf, sizeof(buf)), TEE_SUCCESS);
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	backend_destroy(be);
}

static void test_posix_readonly_fs_is_not_available(void)
{
	struct backend *be;
	uint32_t fh;

	REQUIRE(backend_posix_open(mnt, &be) == TEE_SUCCESS);
	REQUIRE(mount(NULL, mnt, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0);
	CHECK_EQ(backend_create(be, "new", &fh),
		 TEE_ERROR_STORAGE_NOT_AVAILABLE);
	CHECK_EQ(backend_remove(be, "big"), TEE_ERROR_STORAGE_NOT_AVAILABLE);
	/* Opening for read-write fails too; the error is reported. */
	CHECK_EQ(backend_open(be, "big", &fh), TEE_ERROR_STORAGE_NOT_AVAILABLE);
	CHECK_EQ(conf_count(be), 1);
	backend_destroy(be);
}

int main(int argc, char **argv)
{
	int rc;

	if (argc > 1) {
		printf("usage: %s\nTests the POSIX backend on a full and a "
		       "read-only tmpfs (exit 77 if it cannot mount one).\n",
		       argv[0]);
		return strcmp(argv[1], "--help") ? 2 : 0;
	}
	snprintf(mnt, sizeof(mnt), "%s", test_tmpdir("enospc"));
	if (!mount_tiny_tmpfs()) {
		test_rmtree(mnt);
		return SKIP;
	}
	RUN(test_posix_enospc_is_no_space);
	RUN(test_posix_readonly_fs_is_not_available);
	rc = test_report();
	umount2(mnt, MNT_DETACH);
	test_rmtree(mnt);
	return rc;
}
