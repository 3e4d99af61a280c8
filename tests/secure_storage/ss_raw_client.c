/*
 * Talks to the secure storage TA below the `secure_storage` client, for
 * the end-to-end tests (e2e.sh):
 *   ss_raw_client optee-example   OP-TEE's example client flow, same
 *                                 calls and parameters (tmpref memrefs)
 *   ss_raw_client bad-hash ID     a put whose final hash is wrong:
 *                                 must be refused (TEE_ERROR_SECURITY)
 *   ss_raw_client out-of-order ID a chunk at the wrong offset: refused
 * Exit 0 when the TA behaved as required, 1 otherwise (with a message).
 */
#include <stdio.h>
#include <string.h>

#include <tee_client_api.h>

#include "secure_storage_ta.h"

static TEEC_Context ctx;
static TEEC_Session sess;

static int fail(const char *what, TEEC_Result res, uint32_t origin)
{
	fprintf(stderr, "ss_raw_client: %s: 0x%08x origin %u\n", what, res,
		origin);
	return 1;
}

static TEEC_Result call3(uint32_t cmd, uint32_t types, void *b0, size_t n0,
			 void *b1, size_t n1, size_t *out1, uint32_t *origin)
{
	TEEC_Operation op;
	TEEC_Result res;

	memset(&op, 0, sizeof(op));
	op.paramTypes = types;
	op.params[0].tmpref.buffer = b0;
	op.params[0].tmpref.size = n0;
	op.params[1].tmpref.buffer = b1;
	op.params[1].tmpref.size = n1;
	res = TEEC_InvokeCommand(&sess, cmd, &op, origin);
	if (out1)
		*out1 = op.params[1].tmpref.size;
	return res;
}

/* OP-TEE's optee_examples secure_storage host/main.c, call for call. */
static int optee_example(void)
{
	const uint32_t rw =
	    TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_INPUT,
			     TEEC_NONE, TEEC_NONE);
	const uint32_t rd =
	    TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT,
			     TEEC_NONE, TEEC_NONE);
	const uint32_t del = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_NONE,
					      TEEC_NONE, TEEC_NONE);
	char id1[] = "object#1", id2[] = "object#2";
	static char data[7000], back[7000];
	uint32_t origin;
	TEEC_Result res;
	size_t n;

	memset(data, 0xA1, sizeof(data));
	res = call3(TA_SECURE_STORAGE_CMD_WRITE_RAW, rw, id1, strlen(id1), data,
		    sizeof(data), NULL, &origin);
	if (res)
		return fail("WRITE_RAW", res, origin);
	res = call3(TA_SECURE_STORAGE_CMD_READ_RAW, rd, id1, strlen(id1), back,
		    sizeof(back), &n, &origin);
	if (res || n != sizeof(data) || memcmp(back, data, sizeof(data)))
		return fail("READ_RAW", res, origin);
	res = call3(TA_SECURE_STORAGE_CMD_DELETE, del, id1, strlen(id1), NULL,
		    0, NULL, &origin);
	if (res)
		return fail("DELETE", res, origin);
	res = call3(TA_SECURE_STORAGE_CMD_READ_RAW, rd, id2, strlen(id2), back,
		    sizeof(back), &n, &origin);
	if (res != TEEC_ERROR_ITEM_NOT_FOUND && res != TEEC_SUCCESS)
		return fail("READ_RAW object#2", res, origin);
	if (res == TEEC_ERROR_ITEM_NOT_FOUND) {
		char d2[] = "This is data stored in the secure storage.\n";

		res = call3(TA_SECURE_STORAGE_CMD_WRITE_RAW, rw, id2,
			    strlen(id2), d2, sizeof(d2), NULL, &origin);
	} else {
		res = call3(TA_SECURE_STORAGE_CMD_DELETE, del, id2, strlen(id2),
			    NULL, 0, NULL, &origin);
	}
	if (res)
		return fail("object#2", res, origin);
	return 0;
}

static TEEC_Result begin(const char *id, uint64_t size, uint32_t *origin)
{
	TEEC_Operation op;

	memset(&op, 0, sizeof(op));
	op.paramTypes =
	    TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_VALUE_INPUT,
			     TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT);
	op.params[0].tmpref.buffer = (void *)id;
	op.params[0].tmpref.size = strlen(id);
	op.params[1].value.a = (uint32_t)size;
	op.params[2].value.a = 1; /* TEE_STORAGE_PRIVATE */
	return TEEC_InvokeCommand(&sess, TA_SECURE_STORAGE_CMD_PUT_BEGIN, &op,
				  origin);
}

static TEEC_Result chunk(void *d, size_t n, uint64_t off, uint32_t *origin)
{
	TEEC_Operation op;

	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(
	    TEEC_MEMREF_TEMP_INPUT, TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE);
	op.params[0].tmpref.buffer = d;
	op.params[0].tmpref.size = n;
	op.params[1].value.a = (uint32_t)off;
	return TEEC_InvokeCommand(&sess, TA_SECURE_STORAGE_CMD_PUT_CHUNK, &op,
				  origin);
}

static int bad_hash(const char *id)
{
	static char d[40000];
	uint8_t wrong[SS_SHA256_LEN] = {1};
	TEEC_Operation op;
	uint32_t origin;
	TEEC_Result res;

	memset(d, 7, sizeof(d));
	if ((res = begin(id, sizeof(d), &origin)) ||
	    (res = chunk(d, sizeof(d), 0, &origin)))
		return fail("put", res, origin);
	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_NONE,
					 TEEC_NONE, TEEC_NONE);
	op.params[0].tmpref.buffer = wrong;
	op.params[0].tmpref.size = sizeof(wrong);
	res = TEEC_InvokeCommand(&sess, TA_SECURE_STORAGE_CMD_PUT_FINAL, &op,
				 &origin);
	if (res != TEEC_ERROR_SECURITY || origin != TEEC_ORIGIN_TRUSTED_APP)
		return fail("final with a wrong hash was not refused", res,
			    origin);
	printf("refused: TEEC_ERROR_SECURITY from the TA\n");
	return 0;
}

static int out_of_order(const char *id)
{
	static char d[SS_MIN_CHUNK];
	uint32_t origin;
	TEEC_Result res;

	if ((res = begin(id, 3 * sizeof(d), &origin)))
		return fail("begin", res, origin);
	res = chunk(d, sizeof(d), sizeof(d), &origin);
	if (res != TEEC_ERROR_BAD_PARAMETERS)
		return fail("a chunk at the wrong offset was not refused", res,
			    origin);
	res = chunk(d, sizeof(d), 0, &origin);
	if (res == TEEC_SUCCESS)
		res = chunk(d, sizeof(d), 3 * sizeof(d) - 10, &origin);
	if (res != TEEC_ERROR_BAD_PARAMETERS)
		return fail("a chunk past the next offset was not refused", res,
			    origin);
	printf("refused: out-of-order chunks\n");
	return 0;
}

int main(int argc, char **argv)
{
	static const TEEC_UUID uuid = TA_SECURE_STORAGE_UUID;
	uint32_t origin;
	TEEC_Result res;
	int rc;

	if (argc < 2 || !strcmp(argv[1], "--help")) {
		fprintf(argc < 2 ? stderr : stdout,
			"usage: ss_raw_client optee-example | bad-hash ID | "
			"out-of-order ID\n");
		return argc < 2;
	}
	res = TEEC_InitializeContext(NULL, &ctx);
	if (res)
		return fail("TEEC_InitializeContext", res, TEEC_ORIGIN_API);
	res = TEEC_OpenSession(&ctx, &sess, &uuid, TEEC_LOGIN_PUBLIC, NULL,
			       NULL, &origin);
	if (res)
		return fail("TEEC_OpenSession", res, origin);
	if (!strcmp(argv[1], "optee-example"))
		rc = optee_example();
	else if (!strcmp(argv[1], "bad-hash") && argc == 3)
		rc = bad_hash(argv[2]);
	else if (!strcmp(argv[1], "out-of-order") && argc == 3)
		rc = out_of_order(argv[2]);
	else
		rc = fail("unknown command", 0, 0);
	TEEC_CloseSession(&sess);
	TEEC_FinalizeContext(&ctx);
	return rc;
}
