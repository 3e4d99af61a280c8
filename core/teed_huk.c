/* The HUK of teed: see teed_huk.h. */
#include "teed_huk.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "secmem.h"

#define HUK_GENERATED_LEN 16

static uint8_t huk[TEED_HUK_MAX];
static size_t huk_len;

/* Reads a whole key file of 16 or 32 bytes into huk. */
static int read_key(const char *path, bool private_only)
{
	uint8_t buf[TEED_HUK_MAX + 1];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	int err;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		err = errno ? -errno : -EINVAL;
		close(fd);
		log_warnx("%s: not a regular file", path);
		return err;
	}
	if (private_only && (st.st_mode & 077)) {
		close(fd);
		log_warnx("%s: readable by group or others (chmod 600 it)",
			  path);
		return -EPERM;
	}
	n = read(fd, buf, sizeof(buf));
	err = errno;
	close(fd);
	if (n != 16 && n != 32) {
		secmem_wipe(buf, sizeof(buf));
		log_warnx("%s: a HUK is 16 or 32 raw bytes (read %zd)", path,
			  n);
		return n < 0 ? -err : -EINVAL;
	}
	memcpy(huk, buf, (size_t)n);
	huk_len = (size_t)n;
	secmem_wipe(buf, sizeof(buf));
	return 0;
}

static int generate_key(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (RAND_bytes(huk, HUK_GENERATED_LEN) != 1) {
		err = -EIO;
	} else if (write(fd, huk, HUK_GENERATED_LEN) != HUK_GENERATED_LEN ||
		   fsync(fd) < 0) {
		err = errno ? -errno : -EIO;
	}
	close(fd);
	if (err) {
		unlink(path);
		secmem_wipe(huk, sizeof(huk));
		return err;
	}
	huk_len = HUK_GENERATED_LEN;
	log_info("generated a new HUK in %s", path);
	return 0;
}

int teed_huk_load(const char *state_dir, const char *huk_file, bool zero)
{
	char path[PATH_MAX];
	int rc;

	/* Keep the key out of swap and core dumps where we can. */
	if (mlock(huk, sizeof(huk)) < 0)
		log_debug("cannot mlock the HUK buffer");
	if (huk_file)
		return read_key(huk_file, false);
	if (zero) {
		memset(huk, 0, sizeof(huk));
		huk_len = 16;
		log_warnx("using the all-zero HUK (insecure, OP-TEE QEMU "
			  "compatible)");
		return 0;
	}
	if (snprintf(path, sizeof(path), "%s/huk", state_dir) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	rc = read_key(path, true);
	if (rc == -ENOENT)
		rc = generate_key(path);
	if (rc)
		log_warnx("%s: cannot load the HUK: %s", path, strerror(-rc));
	return rc;
}

int teed_huk(uint8_t *out, size_t *len)
{
	if (!huk_len)
		return -ENOENT;
	if (*len < huk_len)
		return -ENOSPC;
	memcpy(out, huk, huk_len);
	*len = huk_len;
	return 0;
}

void teed_huk_wipe(void)
{
	secmem_wipe(huk, sizeof(huk));
	huk_len = 0;
}
