/* Backends for the engine tests by name (test_backend.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend_fake.h"
#include "backend_posix.h"
#include "tee_error.h"
#include "test_backend.h"
#ifdef TEST_BACKEND_RPC
#include "test_backend_rpc.h" /* tests/supplicant/ */
#endif

struct backend *test_backend_new(const char *kind, const char *dir)
{
	struct backend *be = NULL;
	TEE_Result res = TEE_ERROR_NOT_SUPPORTED;

	if (!strcmp(kind, "fake"))
		res = backend_fake_new(&be);
	else if (!strcmp(kind, "posix") && dir)
		res = backend_posix_open(dir, &be);
#ifdef TEST_BACKEND_RPC
	else if (!strcmp(kind, "rpc") && dir) {
		be = test_backend_rpc_new(dir);
		res = be ? TEE_SUCCESS : TEE_ERROR_STORAGE_NOT_AVAILABLE;
	}
#endif
	if (res) {
		fprintf(stderr, "test_backend_new(%s, %s): %s\n", kind,
			dir ? dir : "-", tee_error_name(res));
		return NULL;
	}
	return be;
}

const char *test_backend_kind(int argc, char **argv, const char *def)
{
	int i;

	for (i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--backend"))
			return argv[i + 1];
	return def;
}

bool test_backend_is_fake(const char *kind)
{
	return !strcmp(kind, "fake");
}

/* dir/name for the file kinds; refuses names that could leave dir. */
static TEE_Result file_path(const char *dir, const char *name, char *path)
{
	int n;

	if (!dir || !*name || strchr(name, '/') || !strcmp(name, "..") ||
	    !strcmp(name, "."))
		return TEE_ERROR_BAD_PARAMETERS;
	n = snprintf(path, PATH_MAX, "%s/%s", dir, name);
	if (n < 0 || n >= PATH_MAX)
		return TEE_ERROR_BAD_PARAMETERS;
	return TEE_SUCCESS;
}

static TEE_Result fake_get(struct backend *be, const char *name, uint8_t **data,
			   size_t *len)
{
	uint8_t *img = NULL;
	TEE_Result res = backend_fake_file_data(be, name, &img, len);

	if (res)
		return res;
	*data = malloc(*len ? *len : 1);
	if (!*data)
		return TEE_ERROR_OUT_OF_MEMORY;
	memcpy(*data, img, *len);
	return TEE_SUCCESS;
}

/* The whole file at fd into a new buffer. */
static TEE_Result read_all(int fd, uint8_t **data, size_t *len)
{
	struct stat st;
	size_t done = 0;
	ssize_t n;

	if (fstat(fd, &st) < 0)
		return tee_error_from_errno(errno);
	*data = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!*data)
		return TEE_ERROR_OUT_OF_MEMORY;
	while (done < (size_t)st.st_size) {
		n = read(fd, *data + done, (size_t)st.st_size - done);
		if (n <= 0) {
			free(*data);
			*data = NULL;
			return n < 0 ? tee_error_from_errno(errno)
				     : TEE_ERROR_SHORT_BUFFER;
		}
		done += (size_t)n;
	}
	*len = done;
	return TEE_SUCCESS;
}

TEE_Result test_backend_file_get(struct backend *be, const char *dir,
				 const char *name, uint8_t **data, size_t *len)
{
	char path[PATH_MAX];
	TEE_Result res;
	int fd;

	*data = NULL;
	*len = 0;
	if (test_backend_is_fake(be->ops->kind))
		return fake_get(be, name, data, len);
	res = file_path(dir, name, path);
	if (res)
		return res;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? TEE_ERROR_ITEM_NOT_FOUND
				       : tee_error_from_errno(errno);
	res = read_all(fd, data, len);
	close(fd);
	return res;
}

static TEE_Result write_all(int fd, const uint8_t *data, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? tee_error_from_errno(errno)
				     : TEE_ERROR_STORAGE_NO_SPACE;
		data += n;
		len -= (size_t)n;
	}
	return TEE_SUCCESS;
}

TEE_Result test_backend_file_set(struct backend *be, const char *dir,
				 const char *name, const void *data, size_t len)
{
	char path[PATH_MAX];
	TEE_Result res;
	int fd;

	if (test_backend_is_fake(be->ops->kind))
		return backend_fake_file_set(be, name, data, len);
	res = file_path(dir, name, path);
	if (res)
		return res;
	/* O_TRUNC, not a rename: the inode open handles refer to. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return tee_error_from_errno(errno);
	res = write_all(fd, data, len);
	if (close(fd) < 0 && !res)
		res = tee_error_from_errno(errno);
	return res;
}
