/* The state directory's lock: see teed_lock.h. */
#include "teed_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

int teed_state_lock(const char *state_dir)
{
	char path[4096];
	int fd, err;

	if ((size_t)snprintf(path, sizeof(path), "%s/" TEED_LOCK_FILE,
			     state_dir) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	err = errno == EWOULDBLOCK ? EBUSY : errno;
	close(fd);
	return -err;
}
