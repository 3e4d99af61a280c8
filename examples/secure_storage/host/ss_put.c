/*
 * `secure_storage put FILE [ID]`: streams FILE to the TA in chunks of
 * the negotiated size, computing the file's SHA-256 on the way; the TA
 * checks it at PUT_FINAL. Two shared memory buffers: while the TA stores
 * chunk k from one, a background job reads and hashes chunk k + 1 into
 * the other (ss_bg.h). Memory use is two chunks whatever the file size.
 * With --resume an interrupted put continues from what the TA holds
 * durably.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "ss_bg.h"
#include "ss_tee.h"

struct put_ctx {
	struct ss_tee t;
	const struct ss_opts *o;
	const char *id;
	int fd;
	uint64_t size;
	EVP_MD_CTX *md;
	struct ss_progress prog;
};

/* Fills buf with up to len bytes of the file; short only at its end. */
static ssize_t read_full(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR && !ss_interrupted)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static int put_begin(struct put_ctx *c, bool resume, uint64_t *offset)
{
	TEEC_Operation op;
	TEEC_Result res;

	memset(&op, 0, sizeof(op));
	op.paramTypes =
	    TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_VALUE_INPUT,
			     TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT);
	op.params[0].tmpref.buffer = (void *)c->id;
	op.params[0].tmpref.size = strlen(c->id);
	op.params[1].value.a = (uint32_t)c->size;
	op.params[1].value.b = (uint32_t)(c->size >> 32);
	op.params[2].value.a = c->o->storage;
	op.params[2].value.b = resume ? SS_PUT_RESUME : 0;
	res = ss_tee_invoke(&c->t, TA_SECURE_STORAGE_CMD_PUT_BEGIN, &op);
	if (res != TEEC_SUCCESS)
		return ss_err_report("put: cannot start the transfer", res,
				     c->t.origin);
	*offset = (uint64_t)op.params[3].value.b << 32 | op.params[3].value.a;
	if (*offset > c->size) {
		fprintf(stderr,
			"secure_storage: put: the TA reports %llu "
			"bytes stored of a %llu-byte file\n",
			(unsigned long long)*offset,
			(unsigned long long)c->size);
		return SS_EXIT_FAILURE;
	}
	return SS_EXIT_OK;
}

/* Hashes the first n bytes of the file (already in the TEE). */
static int hash_prefix(struct put_ctx *c, uint64_t n)
{
	uint64_t done = 0;
	ssize_t got;
	size_t want;

	while (done < n) {
		want = n - done < c->t.shm[0].size ? (size_t)(n - done)
						   : c->t.shm[0].size;
		got = read_full(c->fd, c->t.shm[0].buffer, want);
		if (got != (ssize_t)want) {
			fprintf(stderr, "secure_storage: put: reading %s: %s\n",
				c->o->file,
				got < 0 ? strerror(errno) : "file shrank");
			return SS_EXIT_LOCAL_IO;
		}
		EVP_DigestUpdate(c->md, c->t.shm[0].buffer, (size_t)got);
		done += (uint64_t)got;
	}
	return SS_EXIT_OK;
}

/* Sends n bytes at offset from chunk buffer i. */
static int put_chunk(struct put_ctx *c, unsigned int i, uint64_t offset,
		     size_t n)
{
	TEEC_Operation op;
	TEEC_Result res;
	char what[96];

	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(
	    TEEC_MEMREF_PARTIAL_INPUT, TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE);
	op.params[0].memref.parent = &c->t.shm[i];
	op.params[0].memref.offset = 0;
	op.params[0].memref.size = n;
	op.params[1].value.a = (uint32_t)offset;
	op.params[1].value.b = (uint32_t)(offset >> 32);
	res = ss_tee_invoke(&c->t, TA_SECURE_STORAGE_CMD_PUT_CHUNK, &op);
	if (res == TEEC_SUCCESS)
		return SS_EXIT_OK;
	ss_progress_end(&c->prog);
	snprintf(what, sizeof(what), "put: storing bytes %llu..%llu",
		 (unsigned long long)offset,
		 (unsigned long long)(offset + n - 1));
	return ss_err_report(what, res, c->t.origin);
}

static int put_final(struct put_ctx *c, uint32_t *res_out)
{
	uint8_t sum[SS_SHA256_LEN];
	unsigned int len = 0;
	TEEC_Operation op;

	EVP_DigestFinal_ex(c->md, sum, &len);
	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_NONE,
					 TEEC_NONE, TEEC_NONE);
	op.params[0].tmpref.buffer = sum;
	op.params[0].tmpref.size = sizeof(sum);
	*res_out = ss_tee_invoke(&c->t, TA_SECURE_STORAGE_CMD_PUT_FINAL, &op);
	return *res_out == TEEC_SUCCESS ? SS_EXIT_OK : SS_EXIT_FAILURE;
}

static int interrupted(struct put_ctx *c, uint64_t done)
{
	ss_progress_end(&c->prog);
	fprintf(stderr,
		"secure_storage: put: interrupted; %llu of %llu bytes are "
		"stored durably.\n"
		"  continue with: secure_storage --storage %s --resume put "
		"%s %s\n",
		(unsigned long long)done, (unsigned long long)c->size,
		ss_storage_name(c->o->storage), c->o->file, c->id);
	return SS_EXIT_INTERRUPTED;
}

/* One chunk read from the file and hashed (a background job). */
struct put_fill {
	struct put_ctx *c;
	uint8_t *buf;
	size_t want;
	int err; /* errno of a failed read, 0 if the file was short */
};

static int fill_chunk(void *arg)
{
	struct put_fill *f = arg;
	ssize_t got = read_full(f->c->fd, f->buf, f->want);

	if (got != (ssize_t)f->want) {
		f->err = got < 0 ? errno : 0;
		return SS_EXIT_LOCAL_IO;
	}
	EVP_DigestUpdate(f->c->md, f->buf, f->want);
	return SS_EXIT_OK;
}

static int fill_failed(struct put_ctx *c, const struct put_fill *f)
{
	ss_progress_end(&c->prog);
	fprintf(stderr, "secure_storage: put: reading %s: %s\n", c->o->file,
		f->err ? strerror(f->err)
		       : "the file shrank while being stored");
	return SS_EXIT_LOCAL_IO;
}

/* Bytes of the chunk at off (0 at the end). */
static size_t chunk_len(const struct put_ctx *c, uint64_t off)
{
	size_t cap = c->t.shm[0].size;

	return c->size - off < cap ? (size_t)(c->size - off) : cap;
}

/*
 * Sends [off, size) in chunks; chunk k is in buffer k % nshm and, with two
 * buffers, chunk k + 1 is read and hashed while chunk k is stored.
 */
static int put_stream(struct put_ctx *c, uint64_t off)
{
	unsigned int two = c->t.nshm == 2, cur = 0;
	struct put_fill f = {.c = c};
	struct ss_bg bg = {.running = false};
	size_t n = chunk_len(c, off), next_n;
	int rc, frc;

	f.buf = c->t.shm[0].buffer;
	f.want = n;
	if (n && fill_chunk(&f))
		return fill_failed(c, &f);
	while (off < c->size) {
		if (ss_interrupted)
			return interrupted(c, off);
		next_n = chunk_len(c, off + n);
		f.buf = c->t.shm[cur ^ two].buffer;
		f.want = next_n;
		/* With one buffer the next read waits for the TA. */
		if (next_n && two)
			ss_bg_start(&bg, fill_chunk, &f, false);
		rc = put_chunk(c, cur, off, n);
		frc = ss_bg_join(&bg);
		if (rc)
			return rc;
		off += n;
		ss_progress_update(&c->prog, off);
		if (next_n && !two)
			frc = fill_chunk(&f);
		if (frc)
			return fill_failed(c, &f);
		cur ^= two;
		n = next_n;
	}
	return SS_EXIT_OK;
}

/* One attempt: begin (resuming or not), send the rest, final. */
static int put_once(struct put_ctx *c, bool resume, uint32_t *final_res,
		    uint64_t *resumed_at)
{
	uint64_t off = 0;
	int rc;

	*final_res = TEEC_ERROR_GENERIC;
	rc = put_begin(c, resume, &off);
	if (rc)
		return rc;
	*resumed_at = off;
	if (resume && off == 0)
		fprintf(stderr,
			"secure_storage: put: no unfinished put of "
			"this size to resume for %s: starting from the "
			"beginning\n",
			c->id);
	if (lseek(c->fd, 0, SEEK_SET) != 0 ||
	    !EVP_DigestInit_ex(c->md, EVP_sha256(), NULL))
		return SS_EXIT_LOCAL_IO;
	rc = hash_prefix(c, off);
	if (rc)
		return rc;
	ss_progress_start(&c->prog, c->prog.on, c->prog.label, c->size);
	rc = put_stream(c, off);
	if (rc)
		return rc;
	ss_progress_end(&c->prog);
	return put_final(c, final_res);
}

static int put_run(struct put_ctx *c)
{
	uint64_t resumed_at = 0;
	uint32_t res;
	double t0 = ss_now();
	char sz[32], rate[32];
	int rc;

	rc = put_once(c, c->o->resume, &res, &resumed_at);
	if (rc == SS_EXIT_FAILURE && res == TEEC_ERROR_SECURITY &&
	    resumed_at > 0) {
		/* The stored part came from another version of the file:
		 * the TA discarded it; send the whole file once more. */
		fprintf(stderr,
			"secure_storage: put: the resumed part did "
			"not match %s; sending the whole file again\n",
			c->o->file);
		rc = put_once(c, false, &res, &resumed_at);
	}
	if (rc == SS_EXIT_FAILURE && res != TEEC_SUCCESS)
		return ss_err_report("put: the TA refused the finished "
				     "transfer",
				     res, c->t.origin);
	if (rc == SS_EXIT_OK && c->prog.on) {
		ss_format_size(sz, sizeof(sz), (double)c->size);
		ss_format_size(rate, sizeof(rate),
			       (double)(c->size - resumed_at) /
				   (ss_now() - t0 + 1e-9));
		fprintf(stderr, "stored %s as '%s' (%s storage): %s, %s/s\n",
			c->o->file, c->id, ss_storage_name(c->o->storage), sz,
			rate);
	}
	return rc;
}

static int put_open_file(struct put_ctx *c)
{
	struct stat st;

	c->fd = open(c->o->file, O_RDONLY | O_CLOEXEC);
	if (c->fd < 0 || fstat(c->fd, &st) != 0) {
		fprintf(stderr, "secure_storage: put: %s: %s\n", c->o->file,
			strerror(errno));
		return SS_EXIT_LOCAL_IO;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr,
			"secure_storage: put: %s is not a regular "
			"file\n",
			c->o->file);
		return SS_EXIT_LOCAL_IO;
	}
	c->size = (uint64_t)st.st_size;
	posix_fadvise(c->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return SS_EXIT_OK;
}

int ss_cmd_put(const struct ss_opts *o)
{
	struct put_ctx c = {.o = o, .fd = -1};
	char idbuf[256], err[256];
	int rc;

	if (o->id ? ss_id_check(o->id, err, sizeof(err))
		  : ss_id_from_file(o->file, idbuf, sizeof(idbuf), err,
				    sizeof(err))) {
		fprintf(stderr, "secure_storage: put: %s\n", err);
		return SS_EXIT_USAGE;
	}
	c.id = o->id ? o->id : idbuf;
	rc = put_open_file(&c);
	if (rc)
		goto out;
	c.md = EVP_MD_CTX_new();
	if (!c.md) {
		rc = SS_EXIT_FAILURE;
		goto out;
	}
	rc = ss_tee_open(&c.t);
	if (rc)
		goto out;
	rc = ss_tee_alloc_chunk(&c.t, o->chunk_size, c.size, o->serial);
	if (rc)
		goto out;
	c.prog.on = o->progress < 0 ? isatty(2) : o->progress;
	c.prog.label = "put";
	rc = put_run(&c);
out:
	ss_tee_close(&c.t);
	EVP_MD_CTX_free(c.md);
	if (c.fd >= 0)
		close(c.fd);
	return rc;
}
