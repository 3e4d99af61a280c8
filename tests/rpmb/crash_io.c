/* The power-cutting disk of the RPMB tests (crash_io.h). */
#include "crash_io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#define SECTOR 512

struct pending {
	uint64_t off;
	size_t len;
	uint8_t *data;
};

struct crash_disk {
	uint8_t *durable; /* what survives a power cut */
	uint8_t *live;	  /* what reads see: durable + pending */
	uint64_t size;
	struct pending *pend;
	size_t npend, cap;
	long events;
	long crash_at, fail_at;
	int fail_err;
	enum crash_mode mode;
	uint64_t rng;
	bool crashed;
};

struct crash_io {
	struct rpmb_io io;
	struct crash_disk *d;
};

static void *xrealloc(void *p, size_t len)
{
	p = realloc(p, len ? len : 1);
	if (!p) {
		perror("realloc");
		exit(2);
	}
	return p;
}

struct crash_disk *crash_disk_new(void)
{
	struct crash_disk *d = xrealloc(NULL, sizeof(*d));

	memset(d, 0, sizeof(*d));
	d->crash_at = -1;
	d->fail_at = -1;
	return d;
}

struct crash_disk *crash_disk_reboot(const struct crash_disk *old)
{
	struct crash_disk *d = crash_disk_new();

	d->size = old->size;
	d->durable = xrealloc(NULL, d->size);
	d->live = xrealloc(NULL, d->size);
	memcpy(d->durable, old->durable, d->size);
	memcpy(d->live, old->durable, d->size);
	return d;
}

static void pending_clear(struct crash_disk *d)
{
	size_t i;

	for (i = 0; i < d->npend; i++)
		free(d->pend[i].data);
	d->npend = 0;
}

void crash_disk_free(struct crash_disk *d)
{
	if (!d)
		return;
	pending_clear(d);
	free(d->pend);
	free(d->durable);
	free(d->live);
	free(d);
}

void crash_disk_arm(struct crash_disk *d, long n, enum crash_mode mode,
		    uint64_t seed)
{
	d->crash_at = d->events + n;
	d->mode = mode;
	d->rng = seed;
}

void crash_disk_fail_at(struct crash_disk *d, long n, int err)
{
	d->fail_at = d->events + n;
	d->fail_err = err;
}

long crash_disk_events(const struct crash_disk *d)
{
	return d->events;
}

bool crash_disk_crashed(const struct crash_disk *d)
{
	return d->crashed;
}

uint8_t *crash_disk_image(struct crash_disk *d, uint64_t *size)
{
	*size = d->size;
	return d->live;
}

/* Persists the part of a pending write that the torn mode lets through. */
static void tear_one(struct crash_disk *d, const struct pending *p)
{
	uint64_t r = test_rand(&d->rng);
	size_t i, cut;

	switch (r % 4) {
	case 0: /* lost */
		return;
	case 1: /* whole */
		memcpy(d->durable + p->off, p->data, p->len);
		return;
	case 2: /* a random subset of the (absolute) sectors it touches */
		for (i = 0; i < p->len;) {
			size_t end =
			    (size_t)((p->off + i) / SECTOR + 1) * SECTOR -
			    (size_t)p->off;

			if (end > p->len)
				end = p->len;
			if (test_rand(&d->rng) & 1)
				memcpy(d->durable + p->off + i, p->data + i,
				       end - i);
			i = end;
		}
		return;
	default: /* a prefix torn in the middle of a sector */
		cut = (size_t)(test_rand(&d->rng) % p->len);
		memcpy(d->durable + p->off, p->data, cut);
		return;
	}
}

static void power_cut(struct crash_disk *d)
{
	size_t i;

	for (i = 0; i < d->npend; i++) {
		if (d->mode == CRASH_KEEP)
			memcpy(d->durable + d->pend[i].off, d->pend[i].data,
			       d->pend[i].len);
		else if (d->mode == CRASH_TEAR)
			tear_one(d, &d->pend[i]);
	}
	pending_clear(d);
	d->crashed = true;
}

/* Counts an event; nonzero when it must not happen. */
static int event(struct crash_disk *d)
{
	long n = d->events++;

	if (d->crashed)
		return -EIO;
	if (n == d->crash_at) {
		power_cut(d);
		return -EIO;
	}
	if (n == d->fail_at)
		return d->fail_err;
	return 0;
}

static struct crash_disk *disk_of(struct rpmb_io *io)
{
	return ((struct crash_io *)io)->d;
}

static int cio_read(struct rpmb_io *io, void *buf, size_t len, uint64_t off)
{
	struct crash_disk *d = disk_of(io);

	if (d->crashed)
		return -EIO;
	if (off > d->size || len > d->size - off)
		return -EIO;
	memcpy(buf, d->live + off, len);
	return 0;
}

static int cio_write(struct rpmb_io *io, const void *buf, size_t len,
		     uint64_t off)
{
	struct crash_disk *d = disk_of(io);
	struct pending *p;
	int rc = event(d);

	if (rc)
		return rc;
	if (off > d->size || len > d->size - off)
		return -ENOSPC; /* the device never grows its file */
	if (d->npend == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		d->pend = xrealloc(d->pend, d->cap * sizeof(*d->pend));
	}
	p = &d->pend[d->npend++];
	p->off = off;
	p->len = len;
	p->data = xrealloc(NULL, len);
	memcpy(p->data, buf, len);
	memcpy(d->live + off, buf, len);
	return 0;
}

static int cio_sync(struct rpmb_io *io)
{
	struct crash_disk *d = disk_of(io);
	size_t i;
	int rc = event(d);

	if (rc)
		return rc;
	for (i = 0; i < d->npend; i++)
		memcpy(d->durable + d->pend[i].off, d->pend[i].data,
		       d->pend[i].len);
	pending_clear(d);
	return 0;
}

static int cio_size(struct rpmb_io *io, uint64_t *size)
{
	*size = disk_of(io)->size;
	return 0;
}

/* Only formatting truncates (an empty disk): made durable at once. */
static int cio_truncate(struct rpmb_io *io, uint64_t size)
{
	struct crash_disk *d = disk_of(io);

	if (d->crashed)
		return -EIO;
	d->durable = xrealloc(d->durable, size);
	d->live = xrealloc(d->live, size);
	if (size > d->size) {
		memset(d->durable + d->size, 0, size - d->size);
		memset(d->live + d->size, 0, size - d->size);
	}
	d->size = size;
	return 0;
}

static void cio_close(struct rpmb_io *io)
{
	free(io);
}

static const struct rpmb_io_ops crash_ops = {
    .read = cio_read,
    .write = cio_write,
    .sync = cio_sync,
    .size = cio_size,
    .truncate = cio_truncate,
    .close = cio_close,
};

struct rpmb_io *crash_disk_io(struct crash_disk *d)
{
	struct crash_io *c = xrealloc(NULL, sizeof(*c));

	c->io.ops = &crash_ops;
	c->d = d;
	return &c->io;
}
