/*
 * The REE file service: serves decoded FS requests (suppl_req.h) on the
 * files of one directory, opened relative to its fd with O_NOFOLLOW. The
 * handles it gives out are indexes into its own table (never raw fds), at
 * most SUPPL_MAX_HANDLES files and SUPPL_MAX_DIRS directory streams per
 * connection; suppl_fs_close_all() releases them when teed goes away.
 *
 * Durability is explicit (backend.h's contract): writes, truncates,
 * creates, renames and removes reach the disk at the SYNC (fdatasync of
 * the file) and SYNC_DIR (fsync of the directory) barriers teed asks for.
 * Every error keeps its cause: see suppl_fs_error().
 */
#ifndef TEESTORE_SUPPL_FS_H
#define TEESTORE_SUPPL_FS_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>

#include "suppl_req.h"
#include "tee_api_types.h"
#include "wire.h"

struct suppl_fs {
	int dirfd; /* the root, not owned */
	int fds[SUPPL_MAX_HANDLES];
	DIR *dirs[SUPPL_MAX_DIRS];
};

void suppl_fs_init(struct suppl_fs *fs, int dirfd);
void suppl_fs_close_all(struct suppl_fs *fs);

/*
 * Serves one FS request. shm is the window (shm_size bytes; the decoder
 * checked every range against it). Writes the whole answer payload
 * (suppl_msg.h) to ans, whose capacity is at least SUPPL_ANSWER_MAX.
 */
void suppl_fs_serve(struct suppl_fs *fs, const struct suppl_req *req,
		    uint8_t *shm, size_t shm_size, struct wire_wr *ans);

/* The TEE_Result teed sees for an errno of the file service. */
TEE_Result suppl_fs_error(int err);

#endif
