/*
 * Shared by the gpstore tests: a gpstore over a backend chosen with
 * `--backend posix|fake`, fixed TA UUIDs, and helpers that damage an
 * object's file from below (the normal world's view).
 */
#ifndef TEESTORE_GPS_TEST_H
#define TEESTORE_GPS_TEST_H

#include "backend.h"
#include "gpstore.h"

#define GT_RW                                                                  \
	(TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE |              \
	 TEE_DATA_FLAG_ACCESS_WRITE_META)
#define GT_REE TEE_STORAGE_PRIVATE_REE
/*
 * The storage ID under test: TEE_STORAGE_PRIVATE (the REE FS), or with
 * `--storage rpmb` TEE_STORAGE_PRIVATE_RPMB (the RPMB FS on an emulated
 * device in memory, docs/rpmbfs.md). GT_ALIAS: another ID of the same
 * storage (PRIVATE_REE; RPMB has no other).
 */
extern uint32_t gt_storage;
#define GT_PRIV	 gt_storage
#define GT_ALIAS (gt_rpmb() ? TEE_STORAGE_PRIVATE_RPMB : GT_REE)
bool gt_rpmb(void);

struct crash_disk;
struct rpmb_dev;
struct rpmbfs;

extern const TEE_UUID gt_ta_a, gt_ta_b;

/* One store under test: the raw backend and gpstore on it. */
struct gt_env {
	const char *kind;
	char dir[256];
	struct backend *be;
	struct gpstore *g;
	enum gpstore_corrupt_policy policy;
	/* --storage rpmb: the device (kept over restarts) and the FS. */
	struct crash_disk *disk;
	struct rpmb_dev *dev;
	struct rpmbfs *rpmb;
};

/* Shorthands for the data flags, as the tests' tables use them. */
#define R    TEE_DATA_FLAG_ACCESS_READ
#define W    TEE_DATA_FLAG_ACCESS_WRITE
#define META TEE_DATA_FLAG_ACCESS_WRITE_META
#define SR   TEE_DATA_FLAG_SHARE_READ
#define SW   TEE_DATA_FLAG_SHARE_WRITE
#define OVW  TEE_DATA_FLAG_OVERWRITE

/* Picks the kind from argv (default "fake") and --storage ree|rpmb. */
void gt_set_kind(int argc, char **argv);
const char *gt_kind(void);

/* A fresh empty store (tag names the posix directory). NULL on error. */
bool gt_env_open(struct gt_env *e, const char *tag,
		 enum gpstore_corrupt_policy policy);
/* gt_env_open, or the test program exits: nothing can run without it. */
void gt_env_must_open(struct gt_env *e, const char *tag,
		      enum gpstore_corrupt_policy policy);
/* Closes gpstore and opens it again on the same backend (a restart). */
bool gt_env_restart(struct gt_env *e);
void gt_env_close(struct gt_env *e);

/* A client for ta; aborts the test program on failure. */
struct gpstore_client *gt_client(struct gt_env *e, const TEE_UUID *ta,
				 bool dont_close);

/* Creates (OVERWRITE) a data object holding data; closed after. */
TEE_Result gt_put(struct gpstore_client *c, const char *id, const void *data,
		  size_t len);
/* Opens id read-only and reads it whole into buf (cap). */
TEE_Result gt_get(struct gpstore_client *c, const char *id, void *buf,
		  size_t cap, size_t *len);

/* The object's file name ("%x") in the backend; false if none. */
bool gt_file_of(struct gt_env *e, const TEE_UUID *ta, const char *id,
		char name[16]);
/* XORs 0xff into len bytes at off of a backend file (both syncs). */
bool gt_flip(struct gt_env *e, const char *name, uint64_t off, size_t len);
/* True if the backend holds a file of that name. */
bool gt_has_file(struct gt_env *e, const char *name);
/* Number of backend files whose name starts with prefix. */
size_t gt_count_files(struct gt_env *e, const char *prefix);

#endif
