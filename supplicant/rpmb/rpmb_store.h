/*
 * The persistent state of the emulated RPMB device in its backing file:
 * authentication key, key-programmed flag, write counter and the data
 * blocks, updated atomically and durably (a commit is entirely on disk or
 * not at all, and the counter never goes back after a power loss). The
 * file layout and the update protocol are in docs/rpmb-device.md; every
 * byte goes through the rpmb_io seam.
 *
 * Not thread safe: the device (rpmb_dev.c) serialises calls.
 */
#ifndef TEESTORE_RPMB_STORE_H
#define TEESTORE_RPMB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpmb_frame.h"
#include "rpmb_io.h"

/* What a device is made with; fixed for the life of the file. */
struct rpmb_store_geometry {
	uint32_t size_mult;   /* partition = size_mult * 128 KiB, 1..255 */
	uint8_t rel_wr_sec_c; /* reliable write sectors, 1..255 */
	uint8_t cid[RPMB_CID_SIZE];
};

/* What authenticated operations change. */
struct rpmb_store_state {
	uint32_t write_counter;
	bool key_programmed;
	uint8_t key[RPMB_KEY_SIZE];
};

struct rpmb_store;

/* Writes a fresh device (no key, counter 0, zero data) over io. */
int rpmb_store_format(struct rpmb_io *io, const struct rpmb_store_geometry *g);

/*
 * Validates the file behind io (magic, version, sizes, checksums), finishes
 * an interrupted commit and returns the store. A file that is not a valid
 * device gives -EUCLEAN with the reason logged. Read-only: nothing is
 * written; an unfinished commit is served from memory. io stays the
 * caller's and must outlive the store.
 */
int rpmb_store_open(struct rpmb_io *io, bool read_only,
		    struct rpmb_store **out);

/* Wipes the key from memory and frees the store (not io). */
void rpmb_store_close(struct rpmb_store *s);

const struct rpmb_store_geometry *
rpmb_store_geometry(const struct rpmb_store *s);
const struct rpmb_store_state *rpmb_store_state(const struct rpmb_store *s);

/* Number of 256-byte blocks in the partition. */
uint32_t rpmb_store_blocks(const struct rpmb_store *s);

/* Sequence number of the current header (for inspection tools). */
uint64_t rpmb_store_seq(const struct rpmb_store *s);

/*
 * Reads n blocks from block blk; block i goes to out + i * stride (so a
 * caller can read straight into frames). -EINVAL if out of range.
 */
int rpmb_store_read(struct rpmb_store *s, uint32_t blk, uint32_t n,
		    uint8_t *out, size_t stride);

/*
 * Atomically replaces the state with *next and, when n > 0, writes n
 * blocks at blk (block i read from data + i * stride; n at most
 * rpmb_max_write_blocks()). Returns 0 once durable. Any I/O error leaves
 * the store broken (every later call gives -EIO): the file then holds the
 * old or the new state, which the next open finds.
 */
int rpmb_store_commit(struct rpmb_store *s, const struct rpmb_store_state *next,
		      uint32_t blk, uint32_t n, const uint8_t *data,
		      size_t stride);

#endif
