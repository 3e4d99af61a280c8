/*
 * Few syscalls for a run of writes to one file. A commit writes its data
 * blocks in long runs but its hash-tree nodes as 66-byte images at a
 * 132-byte stride (the other version lies in between), a few hundred per
 * 1 MiB committed: one pwrite each cost more than the data's copy. Here
 * writes that touch one another go out as one pwritev(), and writes a few
 * bytes apart as one pwrite() of the whole span, the bytes between them
 * read from the file first. The page cache writes whole pages back in
 * any case, so the disk sees the same bytes either way.
 *
 * Used by the POSIX backend and by tee-supplicant for a run of WRITE ops
 * (backend.h: a submit's writes are volatile until its SYNC, in any
 * order). The caller must be the file's only writer for the call: the
 * bytes between two joined writes are written back as read.
 */
#ifndef TEESTORE_WRITE_GATHER_H
#define TEESTORE_WRITE_GATHER_H

#include <stddef.h>
#include <stdint.h>

/* Writes per call at most. */
#define WRITE_GATHER_MAX 1024
/* Two writes at most this many bytes apart are joined through a read. */
#define WRITE_GATHER_GAP 512
/* A joined span (with gaps) is at most this long. */
#define WRITE_GATHER_SPAN (64 * 1024)

struct write_gather_op {
	uint64_t off;
	const void *buf;
	size_t len;
};

/*
 * Performs w[0..n) (n <= WRITE_GATHER_MAX, in submit order) on fd, as
 * if one by one in that order: writes that overlap are done in order and
 * not joined. Returns 0 or -errno (-ENOSPC for a write that makes no
 * progress). After a failure any of the writes may or may not have taken
 * effect, as after a failed single write.
 */
int write_gather(int fd, const struct write_gather_op *w, size_t n);

#endif
