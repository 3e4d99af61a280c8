/*
 * The file service keeps the cause of every error (suppl_fs.h): each errno
 * mapping is provoked for real where the machine allows it.
 *   test_suppl_errno          ENOENT, EACCES, EEXIST, ELOOP, EFBIG, EIO
 *   test_suppl_errno --mount  ENOSPC and EROFS on a private tmpfs (needs
 *                             a mount namespace; exit 77 = skipped)
 * Each case runs in a child process, so a mount namespace or a dropped
 * uid never leaks into the next one.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suppl_fs.h"
#include "test.h"

#define SKIP 77

static uint8_t shm[256 * 1024];
static struct suppl_req req;

/* Runs one request on the directory fd; returns the answer's result. */
static TEE_Result serve(struct suppl_fs *fs)
{
	uint8_t out[SUPPL_ANSWER_MAX + 64];
	struct wire_wr w = wire_wr_init(out, sizeof(out));

	suppl_fs_serve(fs, &req, shm, sizeof(shm), &w);
	return get_le32(out);
}

static TEE_Result do_name(struct suppl_fs *fs, uint32_t cmd, const char *name)
{
	memset(&req, 0, sizeof(req));
	req.type = SUPPL_MSG_FS;
	req.cmd = cmd;
	snprintf(req.name, sizeof(req.name), "%s", name);
	return serve(fs);
}

static TEE_Result do_write(struct suppl_fs *fs, uint32_t h, uint64_t off,
			   uint32_t len)
{
	memset(&req, 0, sizeof(req));
	req.type = SUPPL_MSG_FS;
	req.cmd = SUPPL_FS_SUBMIT;
	req.nops = 2;
	req.ops[0] = (struct suppl_op_desc){SUPPL_OP_WRITE, h, off, len, 0};
	req.ops[1] = (struct suppl_op_desc){SUPPL_OP_SYNC, h, 0, 0, 0};
	return serve(fs);
}

/* Runs fn(dir) in a child; the child's exit status is the verdict. */
static int in_child(int (*fn)(const char *), const char *dir)
{
	pid_t pid = fork();
	int status;

	if (pid == 0)
		_exit(fn(dir));
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status);
}

static int open_fs(const char *dir, struct suppl_fs *fs)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	suppl_fs_init(fs, fd);
	return 0;
}

static int case_enoent(const char *dir)
{
	struct suppl_fs fs;

	if (open_fs(dir, &fs))
		return 1;
	if (do_name(&fs, SUPPL_FS_OPEN, "ab") != TEE_ERROR_ITEM_NOT_FOUND ||
	    do_name(&fs, SUPPL_FS_REMOVE, "ab") != TEE_ERROR_ITEM_NOT_FOUND)
		return 1;
	return 0;
}

/* EACCES: a 0400 file opened for writing by a user without privileges. */
static int case_eacces(const char *dir)
{
	char p[512];
	struct suppl_fs fs;
	int fd;

	snprintf(p, sizeof(p), "%s/1", dir);
	fd = open(p, O_CREAT | O_WRONLY, 0400);
	if (fd < 0)
		return 1;
	close(fd);
	if (open_fs(dir, &fs))
		return 1;
	if (geteuid() == 0) {
		/* root ignores modes: become nobody, owning nothing here. */
		if (fchmod(fs.dirfd, 0711) < 0 || chown(p, 65534, 65534) < 0 ||
		    setgid(65534) < 0 || setuid(65534) < 0)
			return SKIP;
	}
	return do_name(&fs, SUPPL_FS_OPEN, "1") == TEE_ERROR_ACCESS_DENIED ? 0
									   : 1;
}

/* EFBIG past the file size limit: reported as STORAGE_NO_SPACE. */
static int case_efbig(const char *dir)
{
	struct rlimit rl = {4096, 4096};
	struct suppl_fs fs;

	signal(SIGXFSZ, SIG_IGN);
	if (open_fs(dir, &fs) || setrlimit(RLIMIT_FSIZE, &rl) < 0)
		return 1;
	if (do_name(&fs, SUPPL_FS_CREATE, "2") != TEE_SUCCESS)
		return 1;
	return do_write(&fs, 0, 8192, 100) == TEE_ERROR_STORAGE_NO_SPACE ? 0
									 : 1;
}

static int case_eexist_eloop(const char *dir)
{
	char p[512];
	struct suppl_fs fs;

	if (open_fs(dir, &fs))
		return 1;
	snprintf(p, sizeof(p), "%s/9", dir);
	if (symlink("/etc/hostname", p) < 0)
		return 1;
	if (do_name(&fs, SUPPL_FS_OPEN, "9") != TEE_ERROR_ACCESS_DENIED)
		return 1;
	if (do_name(&fs, SUPPL_FS_CREATE, "3") ||
	    do_name(&fs, SUPPL_FS_CREATE, "4"))
		return 1;
	memset(&req, 0, sizeof(req));
	req.cmd = SUPPL_FS_RENAME;
	strcpy(req.name, "3");
	strcpy(req.name2, "4");
	return serve(&fs) == TEE_ERROR_ACCESS_CONFLICT ? 0 : 1;
}

static void test_errno_mappings(void)
{
	char dir[256];

	snprintf(dir, sizeof(dir), "%s", test_tmpdir("suppl-errno"));
	CHECK_EQ(in_child(case_enoent, dir), 0);
	CHECK_EQ(in_child(case_eexist_eloop, dir), 0);
	CHECK_EQ(in_child(case_efbig, dir), 0);
	{
		int rc = in_child(case_eacces, dir);

		if (rc == SKIP)
			fprintf(stderr, "EACCES: cannot drop privileges\n");
		else
			CHECK_EQ(rc, 0);
	}
	test_rmtree(dir);
	/* EIO needs a failing device; its mapping is checked directly. */
	CHECK_EQ(suppl_fs_error(EIO), TEE_ERROR_STORAGE_NOT_AVAILABLE);
	CHECK_EQ(suppl_fs_error(EROFS), TEE_ERROR_STORAGE_NOT_AVAILABLE);
	CHECK_EQ(suppl_fs_error(ENOSPC), TEE_ERROR_STORAGE_NO_SPACE);
	CHECK_EQ(suppl_fs_error(EDQUOT), TEE_ERROR_STORAGE_NO_SPACE);
	CHECK_EQ(suppl_fs_error(EACCES), TEE_ERROR_ACCESS_DENIED);
	CHECK_EQ(suppl_fs_error(ENOENT), TEE_ERROR_ITEM_NOT_FOUND);
}

/* A private mount namespace with a 64 KiB tmpfs on dir; false if denied. */
static bool private_tmpfs(const char *dir)
{
	if (unshare(CLONE_NEWNS) < 0) {
		/* Not root: a user namespace gives us the right to mount. */
		uid_t uid = getuid();
		char map[64];
		int fd;

		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
			return false;
		fd = open("/proc/self/setgroups", O_WRONLY);
		if (fd >= 0) {
			(void)!write(fd, "deny", 4);
			close(fd);
		}
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		fd = open("/proc/self/uid_map", O_WRONLY);
		if (fd < 0 || write(fd, map, strlen(map)) < 0)
			return false;
		close(fd);
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return false;
	return mount("tmpfs", dir, "tmpfs", 0, "size=64k,mode=0700") == 0;
}

static int case_enospc_erofs(const char *dir)
{
	struct suppl_fs fs;

	if (!private_tmpfs(dir))
		return SKIP;
	if (open_fs(dir, &fs) || do_name(&fs, SUPPL_FS_CREATE, "a"))
		return 1;
	/* 256 KiB into 64 KiB. */
	if (do_write(&fs, 0, 0, sizeof(shm)) != TEE_ERROR_STORAGE_NO_SPACE)
		return 2;
	suppl_fs_close_all(&fs);
	if (mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, "size=64k") < 0)
		return SKIP;
	if (do_name(&fs, SUPPL_FS_CREATE, "b") !=
	    TEE_ERROR_STORAGE_NOT_AVAILABLE)
		return 3;
	if (do_name(&fs, SUPPL_FS_REMOVE, "a") !=
	    TEE_ERROR_STORAGE_NOT_AVAILABLE)
		return 4;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--mount")) {
		char dir[256];
		int rc;

		snprintf(dir, sizeof(dir), "%s", test_tmpdir("suppl-mnt"));
		rc = in_child(case_enospc_erofs, dir);
		test_rmtree(dir);
		if (rc == SKIP) {
			fprintf(stderr,
				"no private mount namespace: skipped\n");
			return SKIP;
		}
		test_current = "test_enospc_erofs_on_small_tmpfs";
		CHECK_EQ(rc, 0);
		fprintf(stderr, "%s test_enospc_erofs_on_small_tmpfs\n",
			rc ? "FAIL" : "ok  ");
		return test_report();
	}
	RUN(test_errno_mappings);
	return test_report();
}
