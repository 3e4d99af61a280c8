/*
 * A power-cutting disk behind the RPMB device's I/O seam (rpmb_io.h), in
 * the spirit of SQLite's test6.c. The disk keeps what is durable apart
 * from the writes since the last sync. Every write and every sync is an
 * event; armed at event n, the disk loses power just before it: the
 * pending writes are dropped, kept or torn (each one dropped, kept, cut
 * to a random subset of its 512-byte sectors or to a random byte prefix)
 * and every later call fails with -EIO. "Rebooting" is making a new disk
 * from the durable image.
 */
#ifndef TEESTORE_TEST_CRASH_IO_H
#define TEESTORE_TEST_CRASH_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "rpmb_io.h"

enum crash_mode { CRASH_DROP, CRASH_KEEP, CRASH_TEAR };

struct crash_disk;

struct crash_disk *crash_disk_new(void);
/* A new disk holding d's durable image (a reboot after a power cut). */
struct crash_disk *crash_disk_reboot(const struct crash_disk *d);
void crash_disk_free(struct crash_disk *d);

/* A new rpmb_io on d; closing it leaves d alone. */
struct rpmb_io *crash_disk_io(struct crash_disk *d);

/* Power cut just before event n (0 = the first write or sync). */
void crash_disk_arm(struct crash_disk *d, long n, enum crash_mode mode,
		    uint64_t seed);
/* Event n fails with err instead of happening (no power cut). */
void crash_disk_fail_at(struct crash_disk *d, long n, int err);

long crash_disk_events(const struct crash_disk *d);
bool crash_disk_crashed(const struct crash_disk *d);

/* Read access to the current (volatile) image, for corruption tests. */
uint8_t *crash_disk_image(struct crash_disk *d, uint64_t *size);

#endif
