/*
 * A client application written as for OP-TEE (only <tee_client_api.h>,
 * -lteec): built outside the tree against build/export/teec by
 * export_build.sh and run under tee-run against teed_double's echo TA.
 */
#include <err.h>
#include <stdio.h>
#include <string.h>

#include <tee_client_api.h>

int main(void)
{
	TEEC_UUID uuid = {
	    0x6e7a9a1c, 0x0001, 0x4c6a, {0x9e, 0x1c, 0, 0, 0, 0, 0, 0x01}};
	TEEC_Context ctx;
	TEEC_Session sess;
	TEEC_Operation op;
	uint32_t origin;
	TEEC_Result res;

	res = TEEC_InitializeContext(NULL, &ctx);
	if (res != TEEC_SUCCESS)
		errx(1, "TEEC_InitializeContext failed with code 0x%x", res);
	res = TEEC_OpenSession(&ctx, &sess, &uuid, TEEC_LOGIN_PUBLIC, NULL,
			       NULL, &origin);
	if (res != TEEC_SUCCESS)
		errx(1, "TEEC_Opensession failed with code 0x%x origin 0x%x",
		     res, origin);
	memset(&op, 0, sizeof(op));
	op.paramTypes =
	    TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
	op.params[0].value.a = 42;
	res = TEEC_InvokeCommand(&sess, 1, &op, &origin);
	if (res != TEEC_SUCCESS || op.params[0].value.a != 43)
		errx(1, "TEEC_InvokeCommand failed with code 0x%x origin 0x%x",
		     res, origin);
	printf("TA incremented value to %u\n", op.params[0].value.a);
	TEEC_CloseSession(&sess);
	TEEC_FinalizeContext(&ctx);
	return 0;
}
