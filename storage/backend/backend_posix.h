/*
 * The POSIX backend: the backend.h seam over regular files in one
 * directory (the offline tool, tee-supplicant's file service, tests and
 * the benchmark).
 *
 * Every name is checked with backend_name_valid() and opened relative to
 * the directory's fd (openat, O_NOFOLLOW): a name can never leave the
 * directory or follow a symlink. Files are created 0600, the directory
 * 0700. Only regular files are opened or listed, and list() skips names
 * the backend would refuse (too long, say).
 *
 * Durability maps one to one: SYNC is fdatasync(fh), SYNC_DIR is
 * fsync(directory). Errors keep their cause (tee_error_from_errno():
 * ENOSPC -> STORAGE_NO_SPACE, ENOENT -> ITEM_NOT_FOUND, EIO/EROFS ->
 * STORAGE_NOT_AVAILABLE, ...).
 *
 * Handles are small integers (1..BACKEND_POSIX_MAX_HANDLES) mapped to file
 * descriptors; an unknown or closed handle gives BAD_PARAMETERS, a full
 * table OUT_OF_MEMORY. Thread-safe; closing a handle while another thread
 * still uses it is the caller's bug (as with close(2)).
 */
#ifndef TEESTORE_BACKEND_POSIX_H
#define TEESTORE_BACKEND_POSIX_H

#include "backend.h"

#define BACKEND_POSIX_MAX_HANDLES 1024

/*
 * Opens a backend rooted at dir, creating it (and missing parents) with
 * mode 0700 if needed. Free with backend_destroy().
 */
TEE_Result backend_posix_open(const char *dir, struct backend **out);

#endif
