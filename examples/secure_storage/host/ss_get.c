/*
 * `secure_storage get ID [FILE|-]`: reads the object in chunks into two
 * shared memory buffers in turn and writes it out: while the TA reads
 * chunk k + 1 into one, a background job hashes and writes chunk k from
 * the other (ss_bg.h). The TA checks the stored
 * SHA-256 when the last chunk is read; the client checks it too. A file
 * output is written to FILE.part-XXXXXX and renamed only when the check
 * passed, so a failed get never leaves a wrong FILE; on stdout the data
 * is already out when the check fails, and the exit code says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "ss_bg.h"
#include "ss_tee.h"

struct get_ctx {
	struct ss_tee t;
	const struct ss_opts *o;
	const char *out_name; /* for messages */
	char tmp[PATH_MAX];   /* FILE.part-XXXXXX, "" for stdout */
	int out;
	uint64_t size;
	uint8_t sha256[SS_SHA256_LEN];
	struct ss_progress prog;
};

static int write_full(int fd, const uint8_t *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int get_begin(struct get_ctx *c)
{
	TEEC_Operation op;
	TEEC_Result res;

	memset(&op, 0, sizeof(op));
	op.paramTypes =
	    TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_VALUE_INPUT,
			     TEEC_VALUE_OUTPUT, TEEC_MEMREF_TEMP_OUTPUT);
	op.params[0].tmpref.buffer = (void *)c->o->id;
	op.params[0].tmpref.size = strlen(c->o->id);
	op.params[1].value.a = c->o->storage;
	op.params[3].tmpref.buffer = c->sha256;
	op.params[3].tmpref.size = sizeof(c->sha256);
	res = ss_tee_invoke(&c->t, TA_SECURE_STORAGE_CMD_GET_BEGIN, &op);
	if (res != TEEC_SUCCESS) {
		char what[128];

		snprintf(what, sizeof(what), "get %s", c->o->id);
		return ss_err_report(what, res, c->t.origin);
	}
	c->size = (uint64_t)op.params[2].value.b << 32 | op.params[2].value.a;
	return SS_EXIT_OK;
}

/* Reads the next chunk at off into buffer i; *n bytes, *verified set by
 * the TA on the last one. */
static int get_chunk(struct get_ctx *c, unsigned int i, uint64_t off, size_t *n,
		     bool *verified)
{
	TEEC_Operation op;
	TEEC_Result res;
	char what[160];

	memset(&op, 0, sizeof(op));
	op.paramTypes =
	    TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_OUTPUT, TEEC_VALUE_INPUT,
			     TEEC_VALUE_OUTPUT, TEEC_NONE);
	op.params[0].memref.parent = &c->t.shm[i];
	op.params[0].memref.size = c->t.shm[i].size;
	op.params[1].value.a = (uint32_t)off;
	op.params[1].value.b = (uint32_t)(off >> 32);
	res = ss_tee_invoke(&c->t, TA_SECURE_STORAGE_CMD_GET_CHUNK, &op);
	if (res != TEEC_SUCCESS) {
		ss_progress_end(&c->prog);
		snprintf(what, sizeof(what), "get %s: reading at byte %llu",
			 c->o->id, (unsigned long long)off);
		return ss_err_report(what, res, c->t.origin);
	}
	*n = op.params[0].memref.size;
	*verified = op.params[2].value.a == 1;
	if (*n > c->t.shm[i].size || *n > c->size - off) {
		fprintf(stderr, "secure_storage: get: the TA returned more "
				"than asked\n");
		return SS_EXIT_FAILURE;
	}
	return SS_EXIT_OK;
}

static bool is_zero(const uint8_t *p, size_t n)
{
	uint8_t d = 0;

	while (n--)
		d |= *p++;
	return d == 0;
}

/* One chunk hashed and written out (a background job). */
struct get_drain {
	struct get_ctx *c;
	EVP_MD_CTX *md;
	const uint8_t *buf;
	size_t n;
	int err; /* errno of a failed write */
};

static int drain_chunk(void *arg)
{
	struct get_drain *d = arg;

	EVP_DigestUpdate(d->md, d->buf, d->n);
	if (write_full(d->c->out, d->buf, d->n)) {
		d->err = errno;
		return SS_EXIT_LOCAL_IO;
	}
	return SS_EXIT_OK;
}

/*
 * Chunk k goes to buffer k % nshm; with two buffers, chunk k is drained
 * while chunk k + 1 is read. *off: bytes read; *verified: the TA's word
 * on the last chunk.
 */
static int get_stream(struct get_ctx *c, EVP_MD_CTX *md, uint64_t *off,
		      bool *verified)
{
	unsigned int two = c->t.nshm == 2, cur = 0;
	struct get_drain d = {.c = c, .md = md};
	struct ss_bg bg = {.running = false};
	size_t n = 0;
	int rc, drc;

	/* At least one call: the TA checks the hash when the end is
	 * reached, even for an empty object. */
	do {
		rc = get_chunk(c, cur, *off, &n, verified);
		drc = ss_bg_join(&bg); /* the previous chunk's drain */
		if (rc)
			return rc;
		if (drc)
			break;
		*off += n;
		ss_progress_update(&c->prog, *off);
		d.buf = c->t.shm[cur].buffer;
		d.n = n;
		/* With one buffer the drain must end before the next read. */
		ss_bg_start(&bg, drain_chunk, &d, !two);
		cur ^= two;
	} while (*off < c->size && n > 0 && !ss_interrupted);
	drc = ss_bg_join(&bg);
	if (drc) {
		ss_progress_end(&c->prog);
		fprintf(stderr, "secure_storage: get: writing %s: %s\n",
			c->out_name, strerror(d.err));
	}
	return drc;
}

/* Copies the object to c->out; checks both hashes at the end. */
static int get_copy(struct get_ctx *c)
{
	uint8_t sum[SS_SHA256_LEN];
	bool verified = false;
	uint64_t off = 0;
	unsigned int len;
	EVP_MD_CTX *md;
	int rc = SS_EXIT_OK;

	md = EVP_MD_CTX_new();
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		return SS_EXIT_FAILURE;
	}
	ss_progress_start(&c->prog, c->prog.on, "get", c->size);
	rc = get_stream(c, md, &off, &verified);
	if (rc)
		goto out;
	ss_progress_end(&c->prog);
	if (ss_interrupted) {
		rc = SS_EXIT_INTERRUPTED;
		goto out;
	}
	EVP_DigestFinal_ex(md, sum, &len);
	/* Objects written by OP-TEE's own example have no stored hash
	 * (zero): nothing to compare with. */
	if (off != c->size ||
	    (!is_zero(c->sha256, sizeof(sum)) &&
	     (!verified || memcmp(sum, c->sha256, sizeof(sum))))) {
		fprintf(stderr,
			"secure_storage: get %s: integrity error: the "
			"data read does not match the stored SHA-256%s\n",
			c->o->id, c->tmp[0] ? "" : " (already written out)");
		rc = SS_EXIT_INTEGRITY;
	}
out:
	EVP_MD_CTX_free(md);
	return rc;
}

static int get_open_out(struct get_ctx *c)
{
	char name[256], err[256];
	const char *file = c->o->file;

	if (file && !strcmp(file, "-")) {
		c->out = STDOUT_FILENO;
		c->out_name = "standard output";
		return SS_EXIT_OK;
	}
	if (!file) {
		if (ss_file_from_id(c->o->id, name, sizeof(name), err,
				    sizeof(err))) {
			fprintf(stderr, "secure_storage: get: %s\n", err);
			return SS_EXIT_USAGE;
		}
		file = name;
	}
	if ((size_t)snprintf(c->tmp, sizeof(c->tmp), "%s.part-XXXXXX", file) >=
	    sizeof(c->tmp)) {
		fprintf(stderr, "secure_storage: get: file name too long\n");
		return SS_EXIT_USAGE;
	}
	c->out = mkostemp(c->tmp, O_CLOEXEC);
	if (c->out < 0) {
		fprintf(stderr, "secure_storage: get: cannot create %s: %s\n",
			c->tmp, strerror(errno));
		c->tmp[0] = '\0';
		return SS_EXIT_LOCAL_IO;
	}
	c->out_name = c->o->file ? c->o->file : c->o->id;
	return SS_EXIT_OK;
}

/* FILE appears (atomically) only once its content checked out. */
static int get_close_out(struct get_ctx *c, int rc)
{
	char name[256], err[256];
	const char *file = c->o->file;

	if (!c->tmp[0])
		return rc;
	/* No fsync: the rename is about never showing unchecked data, not
	 * about power loss (the object stays in the TEE). */
	if (rc == SS_EXIT_OK && close(c->out)) {
		fprintf(stderr, "secure_storage: get: writing %s: %s\n", c->tmp,
			strerror(errno));
		rc = SS_EXIT_LOCAL_IO;
	} else if (rc != SS_EXIT_OK) {
		close(c->out);
	}
	if (!file) {
		ss_file_from_id(c->o->id, name, sizeof(name), err, sizeof(err));
		file = name;
	}
	if (rc == SS_EXIT_OK && rename(c->tmp, file)) {
		fprintf(stderr, "secure_storage: get: %s: %s\n", file,
			strerror(errno));
		rc = SS_EXIT_LOCAL_IO;
	}
	if (rc != SS_EXIT_OK)
		unlink(c->tmp);
	return rc;
}

int ss_cmd_get(const struct ss_opts *o)
{
	struct get_ctx c = {.o = o, .out = -1};
	char err[256];
	int rc;

	if (ss_id_check(o->id, err, sizeof(err))) {
		fprintf(stderr, "secure_storage: get: %s\n", err);
		return SS_EXIT_USAGE;
	}
	rc = ss_tee_open(&c.t);
	if (rc)
		return rc;
	rc = get_begin(&c);
	if (rc == SS_EXIT_OK)
		rc = ss_tee_alloc_chunk(&c.t, o->chunk_size, c.size, o->serial);
	if (rc == SS_EXIT_OK)
		rc = get_open_out(&c);
	if (rc == SS_EXIT_OK) {
		c.prog.on = o->progress < 0 ? isatty(2) : o->progress;
		rc = get_copy(&c);
		rc = get_close_out(&c, rc);
	}
	ss_tee_close(&c.t);
	return rc;
}
