/*
 * The secure storage TA's protocol logic, run against the in-memory GP
 * storage of fake_gp.c (no TEE): round trips of the sizes that broke
 * OP-TEE's example, chunk order and size checks, hash mismatch, atomic
 * replacement, resume in a new session, a crash before every storage
 * operation of a replacing put, OP-TEE's commands, listing, tampering,
 * ID checks, concurrent sessions and the TA heap bound.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <tee_internal_api.h>

#include "fake_gp.h"
#include "secure_storage_ta.h"
#include "test.h"

#define PRIV	      TEE_STORAGE_PRIVATE
#define T(a, b, c, d) TEE_PARAM_TYPES(a, b, c, d)
#define NONE	      TEE_PARAM_TYPE_NONE
#define VIN	      TEE_PARAM_TYPE_VALUE_INPUT
#define VOUT	      TEE_PARAM_TYPE_VALUE_OUTPUT
#define MIN	      TEE_PARAM_TYPE_MEMREF_INPUT
#define MOUT	      TEE_PARAM_TYPE_MEMREF_OUTPUT

/* The TA's entry points (ta/secure_storage_ta.c). */
TEE_Result TA_OpenSessionEntryPoint(uint32_t, TEE_Param[4], void **);
void TA_CloseSessionEntryPoint(void *);
TEE_Result TA_InvokeCommandEntryPoint(void *, uint32_t, uint32_t, TEE_Param[4]);

static void *sess_open(void)
{
	TEE_Param p[4];
	void *s = NULL;

	memset(p, 0, sizeof(p));
	if (TA_OpenSessionEntryPoint(0, p, &s) != TEE_SUCCESS)
		abort();
	return s;
}

static void sha256(const void *d, size_t n, uint8_t out[32])
{
	unsigned int len;

	EVP_Digest(d, n, out, &len, EVP_sha256(), NULL);
}

static void mref(TEE_Param *p, const void *buf, size_t n)
{
	p->memref.buffer = (void *)buf;
	p->memref.size = n;
}

static void u64(TEE_Param *p, uint64_t v)
{
	p->value.a = (uint32_t)v;
	p->value.b = (uint32_t)(v >> 32);
}

static uint64_t get64(const TEE_Param *p)
{
	return (uint64_t)p->value.b << 32 | p->value.a;
}

static TEE_Result begin(void *s, const char *id, uint64_t size, bool resume,
			uint64_t *off)
{
	TEE_Param p[4];
	TEE_Result r;

	memset(p, 0, sizeof(p));
	mref(&p[0], id, strlen(id));
	u64(&p[1], size);
	p[2].value.a = PRIV;
	p[2].value.b = resume ? SS_PUT_RESUME : 0;
	r = TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_PUT_BEGIN,
				       T(MIN, VIN, VIN, VOUT), p);
	if (off)
		*off = get64(&p[3]);
	return r;
}

static TEE_Result chunk(void *s, const void *d, size_t n, uint64_t off)
{
	TEE_Param p[4];

	memset(p, 0, sizeof(p));
	mref(&p[0], d, n);
	u64(&p[1], off);
	return TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_PUT_CHUNK,
					  T(MIN, VIN, NONE, NONE), p);
}

static TEE_Result final(void *s, const uint8_t sum[32])
{
	TEE_Param p[4];

	memset(p, 0, sizeof(p));
	mref(&p[0], sum, 32);
	return TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_PUT_FINAL,
					  T(MIN, NONE, NONE, NONE), p);
}

/* A whole put in chunks of cs bytes from offset from. */
static TEE_Result put_from(void *s, const char *id, const uint8_t *d, size_t n,
			   size_t cs, bool resume)
{
	uint8_t sum[32];
	uint64_t off;
	TEE_Result r;
	size_t k;

	r = begin(s, id, n, resume, &off);
	for (; r == TEE_SUCCESS && off < n; off += k) {
		k = n - off < cs ? n - off : cs;
		r = chunk(s, d + off, k, off);
	}
	if (r != TEE_SUCCESS)
		return r;
	sha256(d, n, sum);
	return final(s, sum);
}

static TEE_Result put(void *s, const char *id, const uint8_t *d, size_t n,
		      size_t cs)
{
	return put_from(s, id, d, n, cs, false);
}

/* A whole get into out (cap bytes) in chunks of cs; *verified from the
 * last chunk. */
static TEE_Result get(void *s, const char *id, uint8_t *out, size_t cap,
		      size_t cs, size_t *len, bool *verified)
{
	uint8_t sum[32];
	TEE_Param p[4];
	uint64_t size, off = 0;
	TEE_Result r;

	*len = 0;
	*verified = false;
	memset(p, 0, sizeof(p));
	mref(&p[0], id, strlen(id));
	p[1].value.a = PRIV;
	mref(&p[3], sum, sizeof(sum));
	r = TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_GET_BEGIN,
				       T(MIN, VIN, VOUT, MOUT), p);
	if (r != TEE_SUCCESS)
		return r;
	size = get64(&p[2]);
	if (size > cap)
		return TEE_ERROR_SHORT_BUFFER;
	do {
		memset(p, 0, sizeof(p));
		mref(&p[0], out + off, cs);
		u64(&p[1], off);
		r = TA_InvokeCommandEntryPoint(s,
					       TA_SECURE_STORAGE_CMD_GET_CHUNK,
					       T(MOUT, VIN, VOUT, NONE), p);
		if (r != TEE_SUCCESS)
			return r;
		off += p[0].memref.size;
	} while (off < size && p[0].memref.size);
	*len = off;
	*verified = p[2].value.a == 1;
	return TEE_SUCCESS;
}

static TEE_Result simple(void *s, uint32_t cmd, const char *id)
{
	TEE_Param p[4];

	memset(p, 0, sizeof(p));
	mref(&p[0], id, strlen(id));
	p[1].value.a = PRIV;
	return TA_InvokeCommandEntryPoint(s, cmd, T(MIN, VIN, VOUT, NONE), p);
}

static TEE_Result stat_id(void *s, const char *id, uint8_t st[64])
{
	TEE_Param p[4];

	memset(p, 0, sizeof(p));
	mref(&p[0], id, strlen(id));
	p[1].value.a = PRIV;
	mref(&p[2], st, SS_WIRE_STATUS_SIZE);
	return TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_STAT,
					  T(MIN, VIN, MOUT, NONE), p);
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint8_t *pattern(size_t n, uint32_t seed)
{
	uint8_t *d = malloc(n ? n : 1);

	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		d[i] = (uint8_t)(seed >> 16);
	}
	return d;
}

/* put then get returns the same bytes, verified, at each size. */
static void test_round_trip_sizes(void)
{
	static const size_t sizes[] = {0,     1,     1000,   16383,   16384,
				       16385, 65536, 100000, 1048576, 3145735};
	static const size_t chunks[] = {SS_MIN_CHUNK, SS_MAX_CHUNK};
	size_t i, c, len;
	bool ver;

	for (c = 0; c < 2; c++)
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			uint8_t *d = pattern(sizes[i], (uint32_t)i);
			uint8_t *o = malloc(sizes[i] + 1);
			void *s;

			fake_reset();
			s = sess_open();
			CHECK_EQ(put(s, "file", d, sizes[i], chunks[c]),
				 TEE_SUCCESS);
			CHECK_EQ(
			    get(s, "file", o, sizes[i], chunks[c], &len, &ver),
			    TEE_SUCCESS);
			CHECK_EQ(len, sizes[i]);
			CHECK(ver);
			CHECK(len == sizes[i] && !memcmp(o, d, len));
			CHECK_EQ(
			    simple(s, TA_SECURE_STORAGE_CMD_VERIFY, "file"),
			    TEE_SUCCESS);
			CHECK(!fake_object_exists(PRIV, ".part/file"));
			/* Only chunk-sized work memory in the TA. */
			CHECK(fake_heap_peak() <= 20 * 1024);
			TA_CloseSessionEntryPoint(s);
			CHECK_EQ(fake_heap_in_use(), 0);
			CHECK_EQ(fake_open_handles(), 0);
			free(d);
			free(o);
		}
}

static void test_chunk_order_and_bounds(void)
{
	uint8_t *d = pattern(3 * SS_MIN_CHUNK, 7);
	uint8_t *big = pattern(SS_MAX_CHUNK + 1, 8);
	void *s;

	fake_reset();
	s = sess_open();
	CHECK_EQ(chunk(s, d, 10, 0), TEE_ERROR_BAD_STATE); /* no begin */
	CHECK_EQ(begin(s, "x", 2 * SS_MIN_CHUNK, false, NULL), TEE_SUCCESS);
	CHECK_EQ(begin(s, "y", 1, false, NULL), TEE_ERROR_BAD_STATE);
	CHECK_EQ(chunk(s, d, SS_MIN_CHUNK, 1), TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(chunk(s, d, SS_MIN_CHUNK, 0), TEE_SUCCESS);
	/* replaying the same chunk, skipping one: refused */
	CHECK_EQ(chunk(s, d, SS_MIN_CHUNK, 0), TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(chunk(s, d, 10, 2 * SS_MIN_CHUNK), TEE_ERROR_BAD_PARAMETERS);
	/* past the expected size */
	CHECK_EQ(chunk(s, d, SS_MIN_CHUNK + 1, SS_MIN_CHUNK),
		 TEE_ERROR_OVERFLOW);
	CHECK_EQ(chunk(s, big, SS_MAX_CHUNK + 1, SS_MIN_CHUNK),
		 TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(chunk(s, d, 0, SS_MIN_CHUNK), TEE_ERROR_BAD_PARAMETERS);
	/* final before all the data */
	{
		uint8_t sum[32];

		sha256(d, 2 * SS_MIN_CHUNK, sum);
		CHECK_EQ(final(s, sum), TEE_ERROR_BAD_STATE);
		CHECK_EQ(chunk(s, d + SS_MIN_CHUNK, SS_MIN_CHUNK, SS_MIN_CHUNK),
			 TEE_SUCCESS);
		CHECK_EQ(final(s, sum), TEE_SUCCESS);
	}
	CHECK(fake_object_exists(PRIV, "x"));
	/* a size no object can hold */
	CHECK_EQ(begin(s, "huge", (uint64_t)1 << 32, false, NULL),
		 TEE_ERROR_OVERFLOW);
	TA_CloseSessionEntryPoint(s);
	free(d);
	free(big);
}

/* A wrong hash at final: refused, partial object gone, old version
 * intact. */
static void test_hash_mismatch_refused(void)
{
	uint8_t *v1 = pattern(50000, 1), *v2 = pattern(70000, 2);
	uint8_t *o = malloc(70000), sum[32];
	size_t len;
	bool ver;
	void *s;

	fake_reset();
	s = sess_open();
	CHECK_EQ(put(s, "doc", v1, 50000, SS_MIN_CHUNK), TEE_SUCCESS);
	CHECK_EQ(begin(s, "doc", 70000, false, NULL), TEE_SUCCESS);
	CHECK_EQ(chunk(s, v2, 70000, 0), TEE_SUCCESS);
	sha256(v1, 50000, sum); /* not the data's hash */
	CHECK_EQ(final(s, sum), TEE_ERROR_SECURITY);
	CHECK(!fake_object_exists(PRIV, ".part/doc"));
	CHECK_EQ(get(s, "doc", o, 70000, SS_MAX_CHUNK, &len, &ver),
		 TEE_SUCCESS);
	CHECK(len == 50000 && ver && !memcmp(o, v1, len));
	TA_CloseSessionEntryPoint(s);
	free(v1);
	free(v2);
	free(o);
}

/* While v2 is being written, readers see v1; after final, v2. */
static void test_replace_keeps_old_until_final(void)
{
	uint8_t *v1 = pattern(40000, 3), *v2 = pattern(90000, 4);
	uint8_t *o = malloc(90000), sum[32];
	void *w, *r;
	size_t len;
	bool ver;

	fake_reset();
	w = sess_open();
	r = sess_open();
	CHECK_EQ(put(w, "f", v1, 40000, SS_MIN_CHUNK), TEE_SUCCESS);
	CHECK_EQ(begin(w, "f", 90000, false, NULL), TEE_SUCCESS);
	CHECK_EQ(chunk(w, v2, 50000, 0), TEE_SUCCESS);
	CHECK_EQ(get(r, "f", o, 90000, SS_MIN_CHUNK, &len, &ver), TEE_SUCCESS);
	CHECK(len == 40000 && ver && !memcmp(o, v1, len));
	CHECK_EQ(chunk(w, v2 + 50000, 40000, 50000), TEE_SUCCESS);
	sha256(v2, 90000, sum);
	CHECK_EQ(final(w, sum), TEE_SUCCESS);
	CHECK_EQ(get(r, "f", o, 90000, SS_MAX_CHUNK, &len, &ver), TEE_SUCCESS);
	CHECK(len == 90000 && ver && !memcmp(o, v2, len));
	TA_CloseSessionEntryPoint(w);
	TA_CloseSessionEntryPoint(r);
	free(v1);
	free(v2);
	free(o);
}

/* A client dies mid-put: the target is untouched, PUT_STATUS tells how
 * far the partial object got, a new session resumes and completes. */
static void test_resume_in_new_session(void)
{
	const size_t n = 10 * SS_MIN_CHUNK + 123;
	uint8_t *d = pattern(n, 5), *old = pattern(777, 6), *o = malloc(n);
	uint8_t st[SS_WIRE_STATUS_SIZE];
	TEE_Param p[4];
	uint64_t off;
	size_t len;
	bool ver;
	void *s;

	fake_reset();
	s = sess_open();
	CHECK_EQ(put(s, "big", old, 777, SS_MIN_CHUNK), TEE_SUCCESS);
	CHECK_EQ(begin(s, "big", n, false, NULL), TEE_SUCCESS);
	for (off = 0; off < 4 * SS_MIN_CHUNK; off += SS_MIN_CHUNK)
		CHECK_EQ(chunk(s, d + off, SS_MIN_CHUNK, off), TEE_SUCCESS);
	/* the client dies: its instance goes without closing anything */
	fake_drop_handles();
	s = sess_open();
	CHECK_EQ(get(s, "big", o, n, SS_MAX_CHUNK, &len, &ver), TEE_SUCCESS);
	CHECK(len == 777 && ver && !memcmp(o, old, len));
	memset(p, 0, sizeof(p));
	mref(&p[0], "big", 3);
	p[1].value.a = PRIV;
	mref(&p[3], st, sizeof(st));
	CHECK_EQ(TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_PUT_STATUS,
					    T(MIN, VIN, VOUT, MOUT), p),
		 TEE_SUCCESS);
	CHECK_EQ(get64(&p[2]), 4 * SS_MIN_CHUNK);
	CHECK_EQ(le64(st + 56), n);
	CHECK_EQ(stat_id(s, "big", st), TEE_SUCCESS);
	CHECK_EQ(le64(st), 777);
	CHECK_EQ(le64(st + 48), 4 * SS_MIN_CHUNK);
	CHECK((st[8] & (SS_STAT_OBJECT | SS_STAT_PARTIAL)) ==
	      (SS_STAT_OBJECT | SS_STAT_PARTIAL));
	/* resume, with another chunk size */
	CHECK_EQ(begin(s, "big", n, true, &off), TEE_SUCCESS);
	CHECK_EQ(off, 4 * SS_MIN_CHUNK);
	{
		uint8_t sum[32];
		size_t k;

		for (; off < n; off += k) {
			k = n - off < 3 * SS_MIN_CHUNK ? n - off
						       : 3 * SS_MIN_CHUNK;
			CHECK_EQ(chunk(s, d + off, k, off), TEE_SUCCESS);
		}
		sha256(d, n, sum);
		CHECK_EQ(final(s, sum), TEE_SUCCESS);
	}
	CHECK_EQ(get(s, "big", o, n, SS_MAX_CHUNK, &len, &ver), TEE_SUCCESS);
	CHECK(len == n && ver && !memcmp(o, d, n));
	/* resume of another size or with nothing to resume: from 0 */
	CHECK_EQ(begin(s, "big", 5, true, &off), TEE_SUCCESS);
	CHECK_EQ(off, 0);
	TA_CloseSessionEntryPoint(s);
	free(d);
	free(old);
	free(o);
}

/* A resumed part that came from other data: final refuses it. */
static void test_resume_of_other_data_refused(void)
{
	const size_t n = 4 * SS_MIN_CHUNK;
	uint8_t *a = pattern(n, 9), *b = pattern(n, 10);
	void *s;

	fake_reset();
	s = sess_open();
	CHECK_EQ(begin(s, "r", n, false, NULL), TEE_SUCCESS);
	CHECK_EQ(chunk(s, a, SS_MIN_CHUNK, 0), TEE_SUCCESS);
	fake_drop_handles();
	s = sess_open();
	CHECK_EQ(put_from(s, "r", b, n, SS_MIN_CHUNK, true),
		 TEE_ERROR_SECURITY);
	CHECK(!fake_object_exists(PRIV, "r"));
	CHECK(!fake_object_exists(PRIV, ".part/r"));
	TA_CloseSessionEntryPoint(s);
	free(a);
	free(b);
}

/*
 * A crash before each storage operation of a put that replaces v1 by
 * v2: afterwards the ID reads v1 or v2, verified, never anything else;
 * a crash between delete and rename is finished by the next access.
 */
static void test_crash_at_every_step(void)
{
	const size_t n1 = 30000, n2 = 3 * SS_MIN_CHUNK + 5;
	uint8_t *v1 = pattern(n1, 11), *v2 = pattern(n2, 12), *o = malloc(n2);
	long steps, k;
	size_t len;
	bool ver;
	void *s;

	fake_reset();
	s = sess_open();
	CHECK_EQ(put(s, "c", v1, n1, SS_MIN_CHUNK), TEE_SUCCESS);
	k = fake_mutations();
	CHECK_EQ(put(s, "c", v2, n2, SS_MIN_CHUNK), TEE_SUCCESS);
	steps = fake_mutations() - k;
	CHECK(steps >= 6);
	for (k = 0; k < steps; k++) {
		fake_reset();
		s = sess_open();
		CHECK_EQ(put(s, "c", v1, n1, SS_MIN_CHUNK), TEE_SUCCESS);
		fake_crash_after(k);
		if (!setjmp(fake_crash_jmp)) {
			put(s, "c", v2, n2, SS_MIN_CHUNK);
			CHECK(0); /* the crash must have happened */
		}
		fake_drop_handles();
		s = sess_open();
		CHECK_EQ(get(s, "c", o, n2, SS_MAX_CHUNK, &len, &ver),
			 TEE_SUCCESS);
		CHECK(ver);
		CHECK((len == n1 && !memcmp(o, v1, n1)) ||
		      (len == n2 && !memcmp(o, v2, n2)));
		/* the last steps come after the delete of v1: recovered */
		if (k >= steps - 1)
			CHECK(len == n2);
		TA_CloseSessionEntryPoint(s);
	}
	free(v1);
	free(v2);
	free(o);
}

/* OP-TEE's example commands with its parameter layout. */
static void test_optee_commands(void)
{
	uint8_t data[7000], out[7000], small[10];
	TEE_Param p[4];
	void *s;

	memset(data, 0xA1, sizeof(data));
	fake_reset();
	s = sess_open();
	memset(p, 0, sizeof(p));
	mref(&p[0], "object#1", 8);
	mref(&p[1], data, sizeof(data));
	CHECK_EQ(TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_WRITE_RAW,
					    T(MIN, MIN, NONE, NONE), p),
		 TEE_SUCCESS);
	memset(p, 0, sizeof(p));
	mref(&p[0], "object#1", 8);
	mref(&p[1], small, sizeof(small));
	CHECK_EQ(TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_READ_RAW,
					    T(MIN, MOUT, NONE, NONE), p),
		 TEE_ERROR_SHORT_BUFFER);
	CHECK_EQ(p[1].memref.size, sizeof(data));
	mref(&p[1], out, sizeof(out));
	CHECK_EQ(TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_READ_RAW,
					    T(MIN, MOUT, NONE, NONE), p),
		 TEE_SUCCESS);
	CHECK(p[1].memref.size == sizeof(data) &&
	      !memcmp(out, data, sizeof(data)));
	memset(p, 0, sizeof(p));
	mref(&p[0], "object#1", 8);
	CHECK_EQ(TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_DELETE,
					    T(MIN, NONE, NONE, NONE), p),
		 TEE_SUCCESS);
	CHECK_EQ(TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_DELETE,
					    T(MIN, NONE, NONE, NONE), p),
		 TEE_ERROR_ITEM_NOT_FOUND);
	mref(&p[1], out, sizeof(out));
	CHECK_EQ(TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_READ_RAW,
					    T(MIN, MOUT, NONE, NONE), p),
		 TEE_ERROR_ITEM_NOT_FOUND);
	/* the chunked extension: 3 chunks, then final */
	for (int i = 0; i < 3; i++) {
		memset(p, 0, sizeof(p));
		mref(&p[0], "object#2", 8);
		mref(&p[1], data + i * 2000, 2000);
		CHECK_EQ(TA_InvokeCommandEntryPoint(
			     s, TA_SECURE_STORAGE_CMD_WRITE_RAW_CHUNK,
			     T(MIN, MIN, NONE, NONE), p),
			 TEE_SUCCESS);
	}
	CHECK(!fake_object_exists(PRIV, "object#2"));
	memset(p, 0, sizeof(p));
	mref(&p[0], "object#9", 8); /* not the write's ID */
	CHECK_EQ(
	    TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_WRITE_RAW_FINAL,
				       T(MIN, NONE, NONE, NONE), p),
	    TEE_ERROR_BAD_STATE);
	mref(&p[0], "object#2", 8);
	CHECK_EQ(
	    TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_WRITE_RAW_FINAL,
				       T(MIN, NONE, NONE, NONE), p),
	    TEE_SUCCESS);
	mref(&p[1], out, sizeof(out));
	CHECK_EQ(TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_READ_RAW,
					    T(MIN, MOUT, NONE, NONE), p),
		 TEE_SUCCESS);
	CHECK(p[1].memref.size == 6000 && !memcmp(out, data, 6000));
	/* an object OP-TEE's own TA wrote (no header): served raw */
	fake_object_put(PRIV, "raw", "hello", 5);
	memset(p, 0, sizeof(p));
	mref(&p[0], "raw", 3);
	mref(&p[1], out, sizeof(out));
	CHECK_EQ(TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_READ_RAW,
					    T(MIN, MOUT, NONE, NONE), p),
		 TEE_SUCCESS);
	CHECK(p[1].memref.size == 5 && !memcmp(out, "hello", 5));
	{
		size_t len;
		bool ver;

		CHECK_EQ(
		    get(s, "raw", out, sizeof(out), SS_MIN_CHUNK, &len, &ver),
		    TEE_SUCCESS);
		CHECK(len == 5 && !ver);
	}
	TA_CloseSessionEntryPoint(s);
}

/* A byte changed in the stored data: every full read refuses it. */
static void test_tampered_object_refused(void)
{
	uint8_t *d = pattern(50000, 13), *o = malloc(50000), *raw;
	TEE_Param p[4];
	size_t len;
	bool ver;
	void *s;

	fake_reset();
	s = sess_open();
	CHECK_EQ(put(s, "t", d, 50000, SS_MIN_CHUNK), TEE_SUCCESS);
	REQUIRE(fake_object_get(PRIV, "t", &raw, &len));
	raw[64 + 40000] ^= 1;
	CHECK_EQ(get(s, "t", o, 50000, SS_MIN_CHUNK, &len, &ver),
		 TEE_ERROR_CORRUPT_OBJECT);
	CHECK_EQ(simple(s, TA_SECURE_STORAGE_CMD_VERIFY, "t"),
		 TEE_ERROR_CORRUPT_OBJECT);
	memset(p, 0, sizeof(p));
	mref(&p[0], "t", 1);
	mref(&p[1], o, 50000);
	CHECK_EQ(TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_READ_RAW,
					    T(MIN, MOUT, NONE, NONE), p),
		 TEE_ERROR_CORRUPT_OBJECT);
	/* a header claiming more than there is */
	raw[64 + 40000] ^= 1;
	raw[16] ^= 0x40;
	CHECK_EQ(simple(s, TA_SECURE_STORAGE_CMD_VERIFY, "t"),
		 TEE_ERROR_CORRUPT_OBJECT);
	TA_CloseSessionEntryPoint(s);
	free(d);
	free(o);
}

static void test_id_rules(void)
{
	char long_id[SS_ID_MAX + 2];
	static const char *const bad[] = {
	    "", ".hidden", "a b", "a\nb", "semi;colon", "star*", "q?"};
	uint8_t d[1] = {1};
	size_t i;
	void *s;

	fake_reset();
	s = sess_open();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(begin(s, bad[i], 1, false, NULL),
			 TEE_ERROR_BAD_PARAMETERS);
	memset(long_id, 'a', sizeof(long_id));
	long_id[SS_ID_MAX + 1] = '\0';
	CHECK_EQ(begin(s, long_id, 1, false, NULL), TEE_ERROR_BAD_PARAMETERS);
	long_id[SS_ID_MAX] = '\0';
	CHECK_EQ(put(s, long_id, d, 1, SS_MIN_CHUNK), TEE_SUCCESS);
	CHECK_EQ(put(s, "dir/sub_file-1.2+x=y,z:@#%~", d, 1, SS_MIN_CHUNK),
		 TEE_SUCCESS);
	TA_CloseSessionEntryPoint(s);
}

/* LIST pages through objects and partial ones with a small buffer. */
static void test_list(void)
{
	uint8_t buf[SS_WIRE_ENTRY_HEAD + 64],
	    d[100] = {0}; /* one entry a call */
	char id[16];
	int objects = 0, partial = 0, calls = 0, i;
	TEE_Param p[4];
	bool more = true, first = true;
	void *s;

	fake_reset();
	s = sess_open();
	memset(p, 0, sizeof(p));
	p[0].value.a = PRIV;
	p[0].value.b = 1;
	mref(&p[1], buf, sizeof(buf));
	CHECK_EQ(TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_LIST,
					    T(VIN, MOUT, VOUT, NONE), p),
		 TEE_SUCCESS);
	CHECK_EQ(p[2].value.a, 0); /* empty storage */
	for (i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "obj%d", i);
		CHECK_EQ(put(s, id, d, (size_t)i * 10, SS_MIN_CHUNK),
			 TEE_SUCCESS);
	}
	CHECK_EQ(begin(s, "half", 100, false, NULL), TEE_SUCCESS);
	CHECK_EQ(chunk(s, d, 40, 0), TEE_SUCCESS);
	while (more) {
		memset(p, 0, sizeof(p));
		p[0].value.a = PRIV;
		p[0].value.b = first;
		mref(&p[1], buf, sizeof(buf));
		REQUIRE(TA_InvokeCommandEntryPoint(
			    s, TA_SECURE_STORAGE_CMD_LIST,
			    T(VIN, MOUT, VOUT, NONE), p) == TEE_SUCCESS);
		first = false;
		for (size_t pos = 0; pos < p[1].memref.size;
		     pos += SS_WIRE_ENTRY_HEAD + buf[pos]) {
			if (buf[pos + 1] & SS_STAT_PARTIAL) {
				partial++;
				CHECK_EQ(le64(buf + pos + 2), 40);
				CHECK(!memcmp(buf + pos + 10, "half", 4));
			} else {
				objects++;
				CHECK_EQ(le64(buf + pos + 2),
					 (buf[pos + 13] - '0') * 10);
			}
		}
		more = p[2].value.b;
		calls++;
	}
	CHECK_EQ(objects, 5);
	CHECK_EQ(partial, 1);
	CHECK(calls >= 6);
	memset(p, 0, sizeof(p));
	p[0].value.a = PRIV;
	mref(&p[1], buf, 20);
	CHECK_EQ(TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_LIST,
					    T(VIN, MOUT, VOUT, NONE), p),
		 TEE_ERROR_SHORT_BUFFER);
	TA_CloseSessionEntryPoint(s);
}

/* Two sessions: different IDs interleave; the same ID conflicts. */
static void test_two_sessions(void)
{
	uint8_t *a = pattern(2 * SS_MIN_CHUNK, 14),
		*b = pattern(2 * SS_MIN_CHUNK, 15);
	uint8_t *o = malloc(2 * SS_MIN_CHUNK), sum[32];
	void *s1, *s2;
	size_t len;
	bool ver;

	fake_reset();
	s1 = sess_open();
	s2 = sess_open();
	CHECK_EQ(begin(s1, "a", 2 * SS_MIN_CHUNK, false, NULL), TEE_SUCCESS);
	CHECK_EQ(begin(s2, "b", 2 * SS_MIN_CHUNK, false, NULL), TEE_SUCCESS);
	CHECK_EQ(chunk(s1, a, SS_MIN_CHUNK, 0), TEE_SUCCESS);
	CHECK_EQ(chunk(s2, b, SS_MIN_CHUNK, 0), TEE_SUCCESS);
	CHECK_EQ(chunk(s2, b + SS_MIN_CHUNK, SS_MIN_CHUNK, SS_MIN_CHUNK),
		 TEE_SUCCESS);
	CHECK_EQ(chunk(s1, a + SS_MIN_CHUNK, SS_MIN_CHUNK, SS_MIN_CHUNK),
		 TEE_SUCCESS);
	sha256(b, 2 * SS_MIN_CHUNK, sum);
	CHECK_EQ(final(s2, sum), TEE_SUCCESS);
	sha256(a, 2 * SS_MIN_CHUNK, sum);
	CHECK_EQ(final(s1, sum), TEE_SUCCESS);
	CHECK_EQ(get(s1, "b", o, 2 * SS_MIN_CHUNK, SS_MIN_CHUNK, &len, &ver),
		 TEE_SUCCESS);
	CHECK(ver && !memcmp(o, b, len));
	CHECK_EQ(get(s2, "a", o, 2 * SS_MIN_CHUNK, SS_MIN_CHUNK, &len, &ver),
		 TEE_SUCCESS);
	CHECK(ver && !memcmp(o, a, len));
	/* the same ID: the second writer is told it is busy */
	CHECK_EQ(begin(s1, "a", 10, false, NULL), TEE_SUCCESS);
	CHECK_EQ(begin(s2, "a", 10, false, NULL), TEE_ERROR_ACCESS_CONFLICT);
	CHECK_EQ(begin(s2, "a", 10, true, NULL), TEE_ERROR_ACCESS_CONFLICT);
	TA_CloseSessionEntryPoint(s1);
	TA_CloseSessionEntryPoint(s2);
	free(a);
	free(b);
	free(o);
}

static void test_delete_and_abort(void)
{
	uint8_t d[10] = {0}, st[SS_WIRE_STATUS_SIZE];
	TEE_Param p[4];
	void *s;

	fake_reset();
	s = sess_open();
	CHECK_EQ(begin(s, "p", 10, false, NULL), TEE_SUCCESS);
	CHECK_EQ(chunk(s, d, 5, 0), TEE_SUCCESS);
	memset(p, 0, sizeof(p));
	CHECK_EQ(TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_PUT_ABORT,
					    0, p),
		 TEE_SUCCESS);
	CHECK(!fake_object_exists(PRIV, ".part/p"));
	CHECK_EQ(stat_id(s, "p", st), TEE_ERROR_ITEM_NOT_FOUND);
	/* rm takes an unfinished put with the object */
	CHECK_EQ(put(s, "p", d, 10, SS_MIN_CHUNK), TEE_SUCCESS);
	CHECK_EQ(begin(s, "p", 10, false, NULL), TEE_SUCCESS);
	CHECK_EQ(chunk(s, d, 5, 0), TEE_SUCCESS);
	memset(p, 0, sizeof(p));
	mref(&p[0], "p", 1);
	p[1].value.a = PRIV;
	CHECK_EQ(TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_DELETE,
					    T(MIN, VIN, NONE, NONE), p),
		 TEE_SUCCESS);
	CHECK(!fake_object_exists(PRIV, "p"));
	CHECK(!fake_object_exists(PRIV, ".part/p"));
	/* storage IDs: REE works, an unknown one is refused */
	memset(p, 0, sizeof(p));
	mref(&p[0], "q", 1);
	u64(&p[1], 1);
	p[2].value.a = TEE_STORAGE_PRIVATE_REE;
	CHECK_EQ(TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_PUT_BEGIN,
					    T(MIN, VIN, VIN, VOUT), p),
		 TEE_SUCCESS);
	p[2].value.a = 7;
	CHECK_EQ(TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_PUT_BEGIN,
					    T(MIN, VIN, VIN, VOUT), p),
		 TEE_ERROR_BAD_PARAMETERS);
	memset(p, 0, sizeof(p));
	CHECK_EQ(TA_InvokeCommandEntryPoint(s, TA_SECURE_STORAGE_CMD_INFO,
					    T(VOUT, VOUT, NONE, NONE), p),
		 TEE_SUCCESS);
	CHECK_EQ(p[0].value.a, SS_MAX_CHUNK);
	CHECK_EQ(p[1].value.a, SS_ID_MAX);
	CHECK_EQ(TA_InvokeCommandEntryPoint(s, 0x99, 0, p),
		 TEE_ERROR_NOT_SUPPORTED);
	TA_CloseSessionEntryPoint(s);
}

int main(void)
{
	RUN(test_round_trip_sizes);
	RUN(test_chunk_order_and_bounds);
	RUN(test_hash_mismatch_refused);
	RUN(test_replace_keeps_old_until_final);
	RUN(test_resume_in_new_session);
	RUN(test_resume_of_other_data_refused);
	RUN(test_crash_at_every_step);
	RUN(test_optee_commands);
	RUN(test_tampered_object_refused);
	RUN(test_id_rules);
	RUN(test_list);
	RUN(test_two_sessions);
	RUN(test_delete_and_abort);
	fake_reset();
	return test_report();
}
