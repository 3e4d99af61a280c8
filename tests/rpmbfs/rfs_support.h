/*
 * Test support for rpmbfs: emulated devices in a temporary directory and
 * a misbehaving transport (cut at request n, lose one answer, drop and
 * hold back one request, replay read answers).
 */
#ifndef TEESTORE_TEST_RFS_SUPPORT_H
#define TEESTORE_TEST_RFS_SUPPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "rpmb_dev.h"
#include "rpmbfs.h"

extern const uint8_t rfs_huk[16];
extern const TEE_UUID rfs_ta;

/* Opens (creating) dir/name; size_mult 0 = default. NULL on failure. */
struct rpmb_dev *rfs_dev_open(const char *dir, const char *name,
			      uint32_t size_mult);

enum rfs_fault {
	RFS_NONE,
	RFS_CUT_BEFORE, /* request n never reaches the device; then dead */
	RFS_CUT_AFTER,	/* request n executes, its answer is lost; dead */
	RFS_LOSE_ONCE,	/* request n executes, answer lost; then fine */
	RFS_HOLD_ONCE,	/* request n is kept back (not sent); then fine */
};

struct rfs_link {
	struct rpmb_dev *dev;
	struct rpmb_transport t; /* what rpmbfs gets */
	enum rfs_fault fault;
	long fault_at;	  /* data request index */
	long fault_span;  /* RFS_LOSE_ONCE: answers lost from fault_at (0: 1) */
	bool only_writes; /* count authenticated writes only */
	long requests;	  /* data requests counted */
	bool fired;
	bool dead;
	bool replay_reads; /* answer reads with the previous read's answer */
	/* Swallow writes, answering with the previous write's answer. */
	bool replay_writes;
	uint8_t last_write[RPMB_FRAME_SIZE];
	bool have_last_write;
	uint8_t *last_read;
	size_t last_read_len;
	uint8_t *held; /* RFS_HOLD_ONCE: the request kept back */
	size_t held_len;
};

void rfs_link_init(struct rfs_link *l, struct rpmb_dev *dev);
void rfs_link_free(struct rfs_link *l);
/* Sends the held-back request to the device now; returns its result. */
int rfs_link_release_held(struct rfs_link *l);

/* Mounts with rfs_huk (provisioning first when provision is set). */
TEE_Result rfs_mount(struct rfs_link *l, bool provision, struct rpmbfs **out);

#endif
