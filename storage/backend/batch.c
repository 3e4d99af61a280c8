/*
 * The write-behind batch (batch.h): ops and their payload accumulate in
 * two fixed arrays and reach the backend in one submit().
 *
 * A write that continues the previous queued write (same file, next
 * offset, next bytes of the payload buffer) extends that op instead of
 * taking a new one: the engine writes runs of consecutive blocks, and one
 * op per run means fewer syscalls (POSIX) and smaller messages (RPC).
 * Order is preserved either way: only the last op is ever extended.
 */
#include <stdlib.h>
#include <string.h>

#include "batch.h"

TEE_Result batch_init(struct batch *b, struct backend *be, size_t data_cap,
		      size_t ops_cap)
{
	memset(b, 0, sizeof(*b));
	if (!be || !data_cap || !ops_cap)
		return TEE_ERROR_BAD_PARAMETERS;
	b->ops = calloc(ops_cap, sizeof(*b->ops));
	b->data = malloc(data_cap);
	if (!b->ops || !b->data) {
		batch_free(b);
		return TEE_ERROR_OUT_OF_MEMORY;
	}
	b->be = be;
	b->ops_cap = ops_cap;
	b->data_cap = data_cap;
	return TEE_SUCCESS;
}

void batch_free(struct batch *b)
{
	free(b->ops);
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void batch_discard(struct batch *b)
{
	b->nops = 0;
	b->data_used = 0;
}

/*
 * Empties the batch whether or not submit() succeeded: after a failure
 * the caller aborts its commit (everything queued went to uncommitted
 * slots), so replaying the rest would be wrong.
 */
TEE_Result batch_flush(struct batch *b)
{
	TEE_Result res;
	uint64_t bytes = 0;
	size_t i;

	if (!b->nops)
		return TEE_SUCCESS;
	for (i = 0; i < b->nops; i++)
		if (b->ops[i].type == BACKEND_OP_WRITE)
			bytes += b->ops[i].len;
	res = backend_submit(b->be, b->ops, b->nops);
	b->submits++;
	if (res == TEE_SUCCESS)
		b->bytes_written += bytes;
	batch_discard(b);
	return res;
}

/* Makes room for one more op (flushing if the op array is full). */
static TEE_Result batch_new_op(struct batch *b, struct backend_op **op)
{
	TEE_Result res;

	if (b->nops == b->ops_cap) {
		res = batch_flush(b);
		if (res)
			return res;
	}
	*op = &b->ops[b->nops++];
	memset(*op, 0, sizeof(**op));
	return TEE_SUCCESS;
}

/* The last op, if the write (fh, off) at the current end of the payload
 * buffer continues it. */
static struct backend_op *batch_extendable(struct batch *b, uint32_t fh,
					   uint64_t off)
{
	struct backend_op *last;

	if (!b->nops)
		return NULL;
	last = &b->ops[b->nops - 1];
	if (last->type != BACKEND_OP_WRITE || last->fh != fh ||
	    last->off + last->len != off ||
	    (uint8_t *)last->buf + last->len != b->data + b->data_used)
		return NULL;
	return last;
}

TEE_Result batch_reserve_write(struct batch *b, uint32_t fh, uint64_t off,
			       size_t len, void **dst)
{
	struct backend_op *op;
	TEE_Result res;

	*dst = NULL;
	if (len > b->data_cap || off > UINT64_MAX - len)
		return TEE_ERROR_BAD_PARAMETERS;
	if (len > b->data_cap - b->data_used) {
		res = batch_flush(b);
		if (res)
			return res;
	}
	op = batch_extendable(b, fh, off);
	if (op) {
		op->len += len;
	} else {
		res = batch_new_op(b, &op);
		if (res)
			return res;
		/* batch_new_op may have flushed: data_used is current. */
		op->type = BACKEND_OP_WRITE;
		op->fh = fh;
		op->off = off;
		op->buf = b->data + b->data_used;
		op->len = len;
	}
	*dst = b->data + b->data_used;
	b->data_used += len;
	return TEE_SUCCESS;
}

TEE_Result batch_write(struct batch *b, uint32_t fh, uint64_t off,
		       const void *src, size_t len)
{
	void *dst;
	TEE_Result res = batch_reserve_write(b, fh, off, len, &dst);

	if (res == TEE_SUCCESS && len)
		memcpy(dst, src, len);
	return res;
}

static TEE_Result batch_queue(struct batch *b, uint32_t type, uint32_t fh,
			      uint64_t off)
{
	struct backend_op *op;
	TEE_Result res = batch_new_op(b, &op);

	if (res)
		return res;
	op->type = type;
	op->fh = fh;
	op->off = off;
	return TEE_SUCCESS;
}

TEE_Result batch_truncate(struct batch *b, uint32_t fh, uint64_t len)
{
	return batch_queue(b, BACKEND_OP_TRUNCATE, fh, len);
}

TEE_Result batch_sync(struct batch *b, uint32_t fh)
{
	return batch_queue(b, BACKEND_OP_SYNC, fh, 0);
}

TEE_Result batch_sync_dir(struct batch *b)
{
	return batch_queue(b, BACKEND_OP_SYNC_DIR, 0, 0);
}

/*
 * True if a queued op changes what a read of fh would see: a write or a
 * truncate (the caller flushes before reading).
 */
bool batch_has_writes(const struct batch *b, uint32_t fh)
{
	size_t i;

	for (i = 0; i < b->nops; i++)
		if (b->ops[i].fh == fh &&
		    (b->ops[i].type == BACKEND_OP_WRITE ||
		     b->ops[i].type == BACKEND_OP_TRUNCATE))
			return true;
	return false;
}
