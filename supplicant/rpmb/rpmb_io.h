/*
 * The one seam for every byte the emulated RPMB device reads from or writes
 * to its backing file (SQLite's VFS idea): the device never calls pread,
 * pwrite or fdatasync itself. rpmb_io_posix.c is the real file; the tests
 * put a power-cutting fake behind the same table to prove the device's
 * update protocol crash-safe (tests/rpmb/crash_io.c).
 *
 * Durability contract the device relies on: a write is volatile until the
 * next sync() returns 0; after a power loss any subset of the writes since
 * the last sync, each possibly torn, may have reached the disk.
 */
#ifndef TEESTORE_RPMB_IO_H
#define TEESTORE_RPMB_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rpmb_io;

struct rpmb_io_ops {
	/* Reads exactly len bytes at off; -EIO if the file is shorter. */
	int (*read)(struct rpmb_io *io, void *buf, size_t len, uint64_t off);
	/* Writes exactly len bytes at off. */
	int (*write)(struct rpmb_io *io, const void *buf, size_t len,
		     uint64_t off);
	/* Makes every earlier write durable (fdatasync). */
	int (*sync)(struct rpmb_io *io);
	/* Current length of the file. */
	int (*size)(struct rpmb_io *io, uint64_t *size);
	/* Sets the length of the file (new bytes read as zero). */
	int (*truncate)(struct rpmb_io *io, uint64_t size);
	void (*close)(struct rpmb_io *io);
};

struct rpmb_io {
	const struct rpmb_io_ops *ops;
};

/*
 * Opens path as a device file: read-write with an exclusive lock (one
 * device user at a time, -EBUSY otherwise), or read-only with a shared
 * lock. With create, the file is created (O_EXCL, mode 0600). Returns 0 or
 * -errno.
 */
int rpmb_io_posix_open(const char *path, bool read_only, bool create,
		       struct rpmb_io **out);

#endif
