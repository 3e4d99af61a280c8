/*
 * A write-behind batch of backend ops with a bounded payload buffer: the
 * engine queues encrypted blocks, nodes and headers here and they reach
 * the backend in one submit() (one round trip) per buffer-full or barrier.
 *
 * Queued writes are not visible to reads through the backend until the
 * batch is flushed: a reader that may need them flushes first
 * (batch_has_writes()).
 *
 * Memory is fixed at init (data_cap bytes of payload, ops_cap ops): a
 * batch never grows with the amount of data written through it. When a
 * reservation does not fit, the batch flushes itself first; that is safe
 * because everything the engine queues before a commit record goes to
 * uncommitted slots.
 */
#ifndef TEESTORE_BATCH_H
#define TEESTORE_BATCH_H

#include "backend.h"

struct batch {
	struct backend *be;
	struct backend_op *ops;
	size_t nops;
	size_t ops_cap;
	uint8_t *data;
	size_t data_used;
	size_t data_cap;
	/* Statistics, for tests and the benchmark. */
	uint64_t submits;
	uint64_t bytes_written;
};

#define BATCH_DEFAULT_DATA_CAP (1024 * 1024)
#define BATCH_DEFAULT_OPS_CAP  1024

TEE_Result batch_init(struct batch *b, struct backend *be, size_t data_cap,
		      size_t ops_cap);
/* Frees the buffers; queued ops are dropped (call batch_flush first). */
void batch_free(struct batch *b);

/*
 * Queues a write of len bytes at off of fh and returns where to put the
 * bytes. The pointer is valid until the next call on this batch.
 * len must be <= data_cap.
 */
TEE_Result batch_reserve_write(struct batch *b, uint32_t fh, uint64_t off,
			       size_t len, void **dst);
/* Queues a copy of src. */
TEE_Result batch_write(struct batch *b, uint32_t fh, uint64_t off,
		       const void *src, size_t len);
TEE_Result batch_truncate(struct batch *b, uint32_t fh, uint64_t len);
TEE_Result batch_sync(struct batch *b, uint32_t fh);
TEE_Result batch_sync_dir(struct batch *b);

/* Submits everything queued, in order, and empties the batch. */
TEE_Result batch_flush(struct batch *b);
/* Drops everything queued without submitting it. */
void batch_discard(struct batch *b);

bool batch_has_writes(const struct batch *b, uint32_t fh);

#endif
