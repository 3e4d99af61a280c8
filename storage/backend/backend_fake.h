/*
 * The fake backend: an in-memory backend.h that simulates power loss,
 * I/O errors and a full disk, for the engine's crash and error tests (in
 * the spirit of SQLite's test6.c). docs/crash-model.md describes the model
 * and what a test over it proves.
 *
 * State. Every file is an inode with a durable image (what the disk holds)
 * and a volatile one (what reads see), plus the list of WRITE/TRUNCATE ops
 * applied to the volatile image since the inode's last SYNC. The
 * namespace (name -> inode) likewise has a durable and a volatile version
 * and the list of create/remove/rename ops since the last SYNC_DIR.
 *	SYNC(fh)    applies the inode's pending ops to its durable image;
 *	SYNC_DIR    makes the volatile namespace the durable one.
 * A file created and synced whose directory was never synced is lost at
 * power loss, exactly as on a real file system.
 *
 * Events. Every WRITE, TRUNCATE, SYNC, SYNC_DIR op and every create (of a
 * new name: create of an existing name is a truncate), remove and rename
 * call is one event, numbered from 1 in call order (since creation or the
 * last reboot). READ, open, close and list are not events.
 *
 * Power loss. backend_fake_set_crash_at(be, n, mode, seed): event n does
 * not happen; the power fails instead, and every later call on the
 * backend returns TEE_ERROR_STORAGE_NOT_AVAILABLE. backend_fake_reboot()
 * then replaces the state by what the disk holds after the crash, per mode:
 *	DROP  nothing pending survives (data or namespace);
 *	KEEP  everything pending survives (as if it had been synced);
 *	TEAR  pending ops are replayed in order onto the durable state, each
 *	      512-byte sector of each pending write (sectors aligned on file
 *	      offsets) independently surviving or not, each pending truncate,
 *	      create, remove and rename surviving or not, all decided by a
 *	      PRNG seeded with `seed` (the same seed gives the same image).
 * A sector is atomic (backend.h's assumption): it holds either its old
 * or its new bytes, never a mix.
 *
 * Thread-safe (one mutex): the fake is for tests, not for speed.
 */
#ifndef TEESTORE_BACKEND_FAKE_H
#define TEESTORE_BACKEND_FAKE_H

#include "backend.h"

#define BACKEND_FAKE_SECTOR	 512
#define BACKEND_FAKE_MAX_HANDLES 4096

enum backend_fake_mode {
	BACKEND_FAKE_DROP = 0,
	BACKEND_FAKE_KEEP = 1,
	BACKEND_FAKE_TEAR = 2,
};

struct backend_fake_stats {
	uint64_t events;  /* events so far (see above) */
	uint64_t submits; /* submit() calls */
	uint64_t ops;	  /* ops in those calls */
	uint64_t reads, bytes_read;
	uint64_t writes, bytes_written;
	uint64_t truncates;
	uint64_t syncs;	    /* SYNC ops */
	uint64_t sync_dirs; /* SYNC_DIR ops */
	uint64_t creates, removes, renames;
};

/* A new, empty fake disk. Free with backend_destroy(). */
TEE_Result backend_fake_new(struct backend **out);

/*
 * A deep copy of be (durable and volatile state, pending ops, open
 * handles, counters and injection settings): run a workload prefix once,
 * then branch many crash scenarios from it.
 */
TEE_Result backend_fake_clone(struct backend *be, struct backend **out);

/* Power fails instead of event n (n >= 1; 0 disarms). */
void backend_fake_set_crash_at(struct backend *be, uint64_t n,
			       enum backend_fake_mode mode, uint64_t seed);
/* Power fails now (as if the next event were the crash point). */
void backend_fake_crash_now(struct backend *be, enum backend_fake_mode mode,
			    uint64_t seed);
bool backend_fake_powered_off(struct backend *be);

/*
 * Replaces the state by the post-crash disk image in place (same
 * pointer): pending ops resolved by the crash mode (DROP if the power
 * never failed: a reboot is a power cut), volatile = durable, every
 * handle closed, the power back on, the event counter and the crash and
 * fail settings reset. The engine on top must have been dropped before.
 * Fails only for lack of memory.
 */
TEE_Result backend_fake_reboot(struct backend *be);

/* Number of events so far (the n of the next event is this + 1). */
uint64_t backend_fake_event_count(struct backend *be);

/*
 * Event n fails with err and has no effect; later events run normally
 * (no power loss). n = 0 disarms.
 */
void backend_fake_set_fail_at(struct backend *be, uint64_t n, TEE_Result err);

/*
 * A full disk: a WRITE or TRUNCATE that would bring the total
 * size of all files above `bytes` fails with TEE_ERROR_STORAGE_NO_SPACE
 * and has no effect. 0 = unlimited (the default).
 */
void backend_fake_set_capacity(struct backend *be, uint64_t bytes);

void backend_fake_get_stats(struct backend *be, struct backend_fake_stats *st);

/*
 * Tampering and inspection (not events, not subject to power state):
 * the volatile bytes of a file. *data stays valid until the next call
 * on be; writing through it changes only the volatile image.
 */
TEE_Result backend_fake_file_data(struct backend *be, const char *name,
				  uint8_t **data, size_t *len);
/*
 * An offline edit of the disk: sets the file's content to data[0..len),
 * durable and volatile at once, creating the name (durably) if missing.
 * Pending ops of that file are forgotten.
 */
TEE_Result backend_fake_file_set(struct backend *be, const char *name,
				 const void *data, size_t len);

#endif
