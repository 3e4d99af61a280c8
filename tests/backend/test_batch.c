/* The write-behind batch (storage/backend/batch.h) over a recording
 * backend that keeps a copy of every op it is given. */
#include <stdlib.h>

#include "batch.h"
#include "tee_api_defines.h"
#include "test.h"

#define REC_MAX 64

struct rec_backend {
	struct backend be;
	struct backend_op ops[REC_MAX];
	uint8_t data[REC_MAX][256]; /* copy of each WRITE's first bytes */
	size_t nops;
	unsigned submits;
	size_t last_n;
	TEE_Result fail; /* returned by the next submit, then cleared */
};

static TEE_Result rec_submit(struct backend *be, struct backend_op *ops,
			     size_t n)
{
	struct rec_backend *r = (struct rec_backend *)be;
	TEE_Result res = r->fail;
	size_t i;

	r->submits++;
	r->last_n = n;
	r->fail = TEE_SUCCESS;
	if (res)
		return res;
	for (i = 0; i < n && r->nops < REC_MAX; i++, r->nops++) {
		r->ops[r->nops] = ops[i];
		if (ops[i].type == BACKEND_OP_WRITE)
			memcpy(r->data[r->nops], ops[i].buf,
			       ops[i].len < 256 ? ops[i].len : 256);
	}
	return TEE_SUCCESS;
}

static const struct backend_ops rec_ops = {
    .kind = "recording",
    .submit = rec_submit,
};

static void rec_init(struct rec_backend *r)
{
	memset(r, 0, sizeof(*r));
	r->be.ops = &rec_ops;
}

static void test_batch_preserves_order(void)
{
	struct rec_backend r;
	struct batch b;

	rec_init(&r);
	REQUIRE(batch_init(&b, &r.be, 1024, 16) == TEE_SUCCESS);
	CHECK_EQ(batch_write(&b, 1, 0, "aaaa", 4), TEE_SUCCESS);
	CHECK_EQ(batch_truncate(&b, 1, 100), TEE_SUCCESS);
	CHECK_EQ(batch_write(&b, 2, 8, "bb", 2), TEE_SUCCESS);
	CHECK_EQ(batch_sync(&b, 1), TEE_SUCCESS);
	CHECK_EQ(batch_sync_dir(&b), TEE_SUCCESS);
	CHECK_EQ(r.submits, 0); /* nothing reaches the backend yet */
	CHECK_EQ(batch_flush(&b), TEE_SUCCESS);
	CHECK_EQ(r.submits, 1);
	REQUIRE(r.nops == 5);
	CHECK_EQ(r.ops[0].type, BACKEND_OP_WRITE);
	CHECK_EQ(r.ops[0].fh, 1);
	CHECK_EQ(r.ops[0].len, 4);
	CHECK_MEM(r.data[0], "aaaa", 4);
	CHECK_EQ(r.ops[1].type, BACKEND_OP_TRUNCATE);
	CHECK_EQ(r.ops[1].off, 100);
	CHECK_EQ(r.ops[2].type, BACKEND_OP_WRITE);
	CHECK_EQ(r.ops[2].fh, 2);
	CHECK_EQ(r.ops[2].off, 8);
	CHECK_MEM(r.data[2], "bb", 2);
	CHECK_EQ(r.ops[3].type, BACKEND_OP_SYNC);
	CHECK_EQ(r.ops[3].fh, 1);
	CHECK_EQ(r.ops[4].type, BACKEND_OP_SYNC_DIR);
	/* An empty flush is not a round trip. */
	CHECK_EQ(batch_flush(&b), TEE_SUCCESS);
	CHECK_EQ(r.submits, 1);
	batch_free(&b);
}

static void test_batch_merges_contiguous_writes(void)
{
	struct rec_backend r;
	struct batch b;

	rec_init(&r);
	REQUIRE(batch_init(&b, &r.be, 1024, 16) == TEE_SUCCESS);
	CHECK_EQ(batch_write(&b, 3, 10, "ab", 2), TEE_SUCCESS);
	CHECK_EQ(batch_write(&b, 3, 12, "cd", 2), TEE_SUCCESS);
	/* Not contiguous in the file: a new op. */
	CHECK_EQ(batch_write(&b, 3, 20, "ef", 2), TEE_SUCCESS);
	/* Other file: a new op. */
	CHECK_EQ(batch_write(&b, 4, 22, "gh", 2), TEE_SUCCESS);
	CHECK_EQ(batch_flush(&b), TEE_SUCCESS);
	REQUIRE(r.nops == 3);
	CHECK_EQ(r.ops[0].off, 10);
	CHECK_EQ(r.ops[0].len, 4);
	CHECK_MEM(r.data[0], "abcd", 4);
	CHECK_EQ(r.ops[1].off, 20);
	CHECK_EQ(r.ops[2].fh, 4);
	batch_free(&b);
}

static void test_batch_flushes_when_data_full(void)
{
	struct rec_backend r;
	struct batch b;
	uint8_t blk[100];
	int i;

	rec_init(&r);
	REQUIRE(batch_init(&b, &r.be, 256, 16) == TEE_SUCCESS);
	for (i = 0; i < 3; i++) {
		memset(blk, 'a' + i, sizeof(blk));
		/* Gaps between offsets: one op each. */
		CHECK_EQ(batch_write(&b, 1, i * 1000, blk, sizeof(blk)),
			 TEE_SUCCESS);
	}
	/* The third write did not fit in 256 bytes: the first two went. */
	CHECK_EQ(r.submits, 1);
	CHECK_EQ(r.last_n, 2);
	CHECK_EQ(b.nops, 1);
	CHECK_EQ(b.data_used, 100);
	CHECK_EQ(batch_flush(&b), TEE_SUCCESS);
	REQUIRE(r.nops == 3);
	CHECK_EQ(r.ops[2].off, 2000);
	CHECK_EQ(r.data[2][0], 'c');
	CHECK_EQ(r.data[2][99], 'c');
	CHECK_EQ(b.bytes_written, 300);
	CHECK_EQ(b.submits, 2);
	/* Larger than the whole buffer: refused, nothing queued. */
	{
		void *dst;

		CHECK_EQ(batch_reserve_write(&b, 1, 0, 257, &dst),
			 TEE_ERROR_BAD_PARAMETERS);
		CHECK(dst == NULL);
		CHECK_EQ(b.nops, 0);
	}
	batch_free(&b);
}

static void test_batch_flushes_when_ops_full(void)
{
	struct rec_backend r;
	struct batch b;
	int i;

	rec_init(&r);
	REQUIRE(batch_init(&b, &r.be, 1024, 4) == TEE_SUCCESS);
	for (i = 0; i < 9; i++)
		CHECK_EQ(batch_sync(&b, (uint32_t)i), TEE_SUCCESS);
	CHECK_EQ(r.submits, 2);
	CHECK_EQ(b.nops, 1);
	CHECK_EQ(batch_flush(&b), TEE_SUCCESS);
	REQUIRE(r.nops == 9);
	for (i = 0; i < 9; i++)
		CHECK_EQ(r.ops[i].fh, i);
	batch_free(&b);
}

static void test_batch_reserve_pointer(void)
{
	struct rec_backend r;
	struct batch b;
	void *d1, *d2;

	rec_init(&r);
	REQUIRE(batch_init(&b, &r.be, 64, 8) == TEE_SUCCESS);
	CHECK_EQ(batch_reserve_write(&b, 1, 0, 8, &d1), TEE_SUCCESS);
	REQUIRE(d1 != NULL);
	memcpy(d1, "12345678", 8); /* filled after reserving */
	CHECK_EQ(batch_reserve_write(&b, 1, 100, 8, &d2), TEE_SUCCESS);
	REQUIRE(d2 != NULL);
	CHECK((uint8_t *)d2 == (uint8_t *)d1 + 8); /* no overlap */
	memcpy(d2, "abcdefgh", 8);
	/* A zero-length reservation is valid and queues no bytes. */
	CHECK_EQ(batch_reserve_write(&b, 2, 0, 0, &d1), TEE_SUCCESS);
	CHECK_EQ(batch_flush(&b), TEE_SUCCESS);
	REQUIRE(r.nops == 3);
	CHECK_MEM(r.data[0], "12345678", 8);
	CHECK_MEM(r.data[1], "abcdefgh", 8);
	batch_free(&b);
}

static void test_batch_has_writes(void)
{
	struct rec_backend r;
	struct batch b;

	rec_init(&r);
	REQUIRE(batch_init(&b, &r.be, 64, 8) == TEE_SUCCESS);
	CHECK(!batch_has_writes(&b, 1));
	CHECK_EQ(batch_sync(&b, 1), TEE_SUCCESS);
	CHECK(!batch_has_writes(&b, 1)); /* a sync changes no bytes */
	CHECK_EQ(batch_write(&b, 2, 0, "x", 1), TEE_SUCCESS);
	CHECK(!batch_has_writes(&b, 1));
	CHECK(batch_has_writes(&b, 2));
	CHECK_EQ(batch_truncate(&b, 1, 0), TEE_SUCCESS);
	CHECK(batch_has_writes(&b, 1));
	CHECK_EQ(batch_flush(&b), TEE_SUCCESS);
	CHECK(!batch_has_writes(&b, 1));
	CHECK(!batch_has_writes(&b, 2));
	batch_free(&b);
}

static void test_batch_discard_and_failure(void)
{
	struct rec_backend r;
	struct batch b;

	rec_init(&r);
	REQUIRE(batch_init(&b, &r.be, 64, 8) == TEE_SUCCESS);
	CHECK_EQ(batch_write(&b, 1, 0, "x", 1), TEE_SUCCESS);
	batch_discard(&b);
	CHECK_EQ(b.nops, 0);
	CHECK_EQ(b.data_used, 0);
	CHECK_EQ(batch_flush(&b), TEE_SUCCESS);
	CHECK_EQ(r.submits, 0);
	/* A failed flush reports the backend's error and empties the batch. */
	CHECK_EQ(batch_write(&b, 1, 0, "y", 1), TEE_SUCCESS);
	r.fail = TEE_ERROR_STORAGE_NO_SPACE;
	CHECK_EQ(batch_flush(&b), TEE_ERROR_STORAGE_NO_SPACE);
	CHECK_EQ(b.nops, 0);
	CHECK_EQ(b.bytes_written, 0);
	CHECK_EQ(b.submits, 1);
	/* A failure during an automatic flush reaches the caller too. */
	CHECK_EQ(batch_write(&b, 1, 0,
			     "0123456789012345678901234567890123456789", 40),
		 TEE_SUCCESS);
	r.fail = TEE_ERROR_STORAGE_NOT_AVAILABLE;
	CHECK_EQ(batch_write(&b, 1, 100,
			     "0123456789012345678901234567890123456789", 40),
		 TEE_ERROR_STORAGE_NOT_AVAILABLE);
	batch_free(&b);
	/* Bad arguments to init. */
	CHECK_EQ(batch_init(&b, &r.be, 0, 8), TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(batch_init(&b, NULL, 8, 8), TEE_ERROR_BAD_PARAMETERS);
	batch_free(&b);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		printf("usage: %s\nTests the write-behind batch.\n", argv[0]);
		return strcmp(argv[1], "--help") ? 2 : 0;
	}
	RUN(test_batch_preserves_order);
	RUN(test_batch_merges_contiguous_writes);
	RUN(test_batch_flushes_when_data_full);
	RUN(test_batch_flushes_when_ops_full);
	RUN(test_batch_reserve_pointer);
	RUN(test_batch_has_writes);
	RUN(test_batch_discard_and_failure);
	return test_report();
}
