/* `secure_storage ls`, `stat ID`, `rm ID`, `verify ID`. */
#include <string.h>

#include "ss_tee.h"

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void hex(char *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/* Checks the ID and opens the session; an exit code. */
static int open_for_id(struct ss_tee *t, const char *cmd, const char *id)
{
	char err[256];

	if (ss_id_check(id, err, sizeof(err))) {
		fprintf(stderr, "secure_storage: %s: %s\n", cmd, err);
		return SS_EXIT_USAGE;
	}
	return ss_tee_open(t);
}

static void set_id(TEEC_Operation *op, const char *id)
{
	op->params[0].tmpref.buffer = (void *)id;
	op->params[0].tmpref.size = strlen(id);
}

static void print_entry(const uint8_t *e)
{
	char sz[32];
	uint8_t flags = e[1];
	uint64_t size = le64(e + 2);

	ss_format_size(sz, sizeof(sz), (double)size);
	printf("%12llu  %-10s %.*s%s\n", (unsigned long long)size, sz, e[0],
	       (const char *)e + SS_WIRE_ENTRY_HEAD,
	       flags & SS_STAT_PARTIAL	 ? "  (unfinished put: bytes stored "
					   "so far)"
	       : flags & SS_STAT_CORRUPT ? "  (CORRUPT: refused by the TEE "
					   "and taken out of the storage)"
					 : "");
}

int ss_cmd_ls(const struct ss_opts *o)
{
	uint8_t buf[4096];
	struct ss_tee t;
	TEEC_Operation op;
	TEEC_Result res;
	size_t used, pos;
	bool first = true, more = true;
	int rc;

	rc = ss_tee_open(&t);
	if (rc)
		return rc;
	while (more) {
		memset(&op, 0, sizeof(op));
		op.paramTypes =
		    TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_MEMREF_TEMP_OUTPUT,
				     TEEC_VALUE_OUTPUT, TEEC_NONE);
		op.params[0].value.a = o->storage;
		op.params[0].value.b = first;
		op.params[1].tmpref.buffer = buf;
		op.params[1].tmpref.size = sizeof(buf);
		res = ss_tee_invoke(&t, TA_SECURE_STORAGE_CMD_LIST, &op);
		if (res != TEEC_SUCCESS) {
			rc = ss_err_report("ls", res, t.origin);
			break;
		}
		first = false;
		used = op.params[1].tmpref.size;
		more = op.params[2].value.b == 1;
		/* Walk the entries, trusting no length. */
		for (pos = 0; pos + SS_WIRE_ENTRY_HEAD <= used &&
			      pos + SS_WIRE_ENTRY_HEAD + buf[pos] <= used;
		     pos += SS_WIRE_ENTRY_HEAD + buf[pos])
			print_entry(buf + pos);
		if (used > sizeof(buf) || pos != used) {
			fprintf(stderr, "secure_storage: ls: malformed list "
					"from the TA\n");
			rc = SS_EXIT_FAILURE;
			break;
		}
	}
	ss_tee_close(&t);
	return rc;
}

int ss_cmd_stat(const struct ss_opts *o)
{
	uint8_t st[SS_WIRE_STATUS_SIZE];
	char h[2 * SS_SHA256_LEN + 1], sz[32];
	struct ss_tee t;
	TEEC_Operation op;
	TEEC_Result res;
	uint32_t flags;
	int rc;

	rc = open_for_id(&t, "stat", o->id);
	if (rc)
		return rc;
	memset(&op, 0, sizeof(op));
	op.paramTypes =
	    TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_VALUE_INPUT,
			     TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE);
	set_id(&op, o->id);
	op.params[1].value.a = o->storage;
	op.params[2].tmpref.buffer = st;
	op.params[2].tmpref.size = sizeof(st);
	res = ss_tee_invoke(&t, TA_SECURE_STORAGE_CMD_STAT, &op);
	ss_tee_close(&t);
	if (res != TEEC_SUCCESS) {
		char what[96];

		snprintf(what, sizeof(what), "stat %s", o->id);
		return ss_err_report(what, res, t.origin);
	}
	flags = st[8] | st[9] << 8 | st[10] << 16 | (uint32_t)st[11] << 24;
	printf("id:       %s\nstorage:  %s\n", o->id,
	       ss_storage_name(o->storage));
	if (flags & SS_STAT_OBJECT) {
		ss_format_size(sz, sizeof(sz), (double)le64(st));
		hex(h, st + 16, SS_SHA256_LEN);
		printf("size:     %llu (%s)\nsha256:   %s\n",
		       (unsigned long long)le64(st), sz,
		       flags & SS_STAT_LEGACY ? "none (written without one)"
					      : h);
	} else {
		printf("size:     (no complete object)\n");
	}
	if (flags & SS_STAT_PARTIAL) {
		if (le64(st + 56))
			printf("unfinished put: %llu of %llu bytes stored "
			       "(continue with put --resume)\n",
			       (unsigned long long)le64(st + 48),
			       (unsigned long long)le64(st + 56));
		else
			printf("unfinished put: being written right now\n");
	}
	return SS_EXIT_OK;
}

int ss_cmd_rm(const struct ss_opts *o)
{
	struct ss_tee t;
	TEEC_Operation op;
	TEEC_Result res;
	int rc;

	rc = open_for_id(&t, "rm", o->id);
	if (rc)
		return rc;
	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_NONE,
					 TEEC_NONE, TEEC_NONE);
	set_id(&op, o->id);
	ss_tee_storage_param(&op, 1, o->storage);
	res = ss_tee_invoke(&t, TA_SECURE_STORAGE_CMD_DELETE, &op);
	ss_tee_close(&t);
	if (res != TEEC_SUCCESS) {
		char what[96];

		snprintf(what, sizeof(what), "rm %s", o->id);
		return ss_err_report(what, res, t.origin);
	}
	return SS_EXIT_OK;
}

int ss_cmd_verify(const struct ss_opts *o)
{
	struct ss_tee t;
	TEEC_Operation op;
	TEEC_Result res;
	char sz[32];
	uint64_t size;
	int rc;

	rc = open_for_id(&t, "verify", o->id);
	if (rc)
		return rc;
	memset(&op, 0, sizeof(op));
	op.paramTypes =
	    TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_VALUE_INPUT,
			     TEEC_VALUE_OUTPUT, TEEC_NONE);
	set_id(&op, o->id);
	op.params[1].value.a = o->storage;
	res = ss_tee_invoke(&t, TA_SECURE_STORAGE_CMD_VERIFY, &op);
	ss_tee_close(&t);
	if (res != TEEC_SUCCESS) {
		char what[96];

		snprintf(what, sizeof(what), "verify %s", o->id);
		return ss_err_report(what, res, t.origin);
	}
	size = (uint64_t)op.params[2].value.b << 32 | op.params[2].value.a;
	ss_format_size(sz, sizeof(sz), (double)size);
	printf("%s: OK (%llu bytes, %s, SHA-256 matches)\n", o->id,
	       (unsigned long long)size, sz);
	return SS_EXIT_OK;
}
