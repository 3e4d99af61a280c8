/*
 * Message digest operations (GP 6.2, 6.3 for TEE_MODE_DIGEST), computed
 * in the TA process with OpenSSL. The digests are fetched by a
 * constructor, before the sandbox exists: OpenSSL may read its
 * configuration and load providers then, which the sandbox would refuse.
 * Other algorithms are TEE_ERROR_NOT_SUPPORTED for now.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"
#include "storage_int.h"

struct rt_digest_alg {
	uint32_t alg;
	const char *name;
	uint32_t len;
	EVP_MD *md;
};

static struct rt_digest_alg algs[] = {
    {TEE_ALG_SHA1, "SHA1", 20, NULL},	  {TEE_ALG_SHA224, "SHA224", 28, NULL},
    {TEE_ALG_SHA256, "SHA256", 32, NULL}, {TEE_ALG_SHA384, "SHA384", 48, NULL},
    {TEE_ALG_SHA512, "SHA512", 64, NULL},
};

struct rt_op {
	TEE_OperationInfo info;
	uint32_t state; /* TEE_OPERATION_STATE_* */
	const struct rt_digest_alg *alg;
	EVP_MD_CTX *ctx;
};

static struct st_slots ops;

__attribute__((constructor)) static void digest_prefetch(void)
{
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		algs[i].md = EVP_MD_fetch(NULL, algs[i].name, NULL);
}

static struct rt_op *op_get(TEE_OperationHandle h)
{
	struct rt_op *op = st_slot_get(&ops, ST_TAG_OPERATION, st_hval(h));

	if (!op || (uintptr_t)h > UINT32_MAX) {
		rt_log("bad operation handle 0x%lx",
		       (unsigned long)(uintptr_t)h);
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	}
	return op;
}

static struct rt_op *digest_get(TEE_OperationHandle h)
{
	struct rt_op *op = op_get(h);

	if (op->info.operationClass != TEE_OPERATION_DIGEST)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	return op;
}

static void digest_restart(struct rt_op *op)
{
	if (!EVP_DigestInit_ex(op->ctx, op->alg->md, NULL))
		TEE_Panic(TEE_ERROR_GENERIC);
	op->state = TEE_OPERATION_STATE_INITIAL;
}

static void op_free(struct rt_op *op)
{
	EVP_MD_CTX_free(op->ctx);
	free(op);
}

TEE_Result TEE_AllocateOperation(TEE_OperationHandle *operation,
				 uint32_t algorithm, uint32_t mode,
				 uint32_t maxKeySize)
{
	const struct rt_digest_alg *alg = NULL;
	struct rt_op *op;
	uint32_t v;
	size_t i;

	if (!operation)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	*operation = TEE_HANDLE_NULL;
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (algs[i].alg == algorithm)
			alg = &algs[i];
	if (!alg || !alg->md || mode != TEE_MODE_DIGEST)
		return TEE_ERROR_NOT_SUPPORTED;
	op = calloc(1, sizeof(*op));
	if (!op)
		return TEE_ERROR_OUT_OF_MEMORY;
	op->ctx = EVP_MD_CTX_new();
	op->alg = alg;
	if (!op->ctx || !(v = st_slot_new(&ops, ST_TAG_OPERATION, op))) {
		op_free(op);
		return TEE_ERROR_OUT_OF_MEMORY;
	}
	op->info.algorithm = algorithm;
	op->info.operationClass = TEE_OPERATION_DIGEST;
	op->info.mode = mode;
	op->info.digestLength = alg->len;
	op->info.maxKeySize = maxKeySize;
	/* GP 1.1+: both flags are always set for digest operations. */
	op->info.handleState =
	    TEE_HANDLE_FLAG_KEY_SET | TEE_HANDLE_FLAG_INITIALIZED;
	digest_restart(op);
	*operation = (TEE_OperationHandle)(uintptr_t)v;
	return TEE_SUCCESS;
}

void TEE_FreeOperation(TEE_OperationHandle operation)
{
	struct rt_op *op;

	if (operation == TEE_HANDLE_NULL)
		return;
	op = op_get(operation);
	st_slot_free(&ops, st_hval(operation));
	op_free(op);
}

void TEE_ResetOperation(TEE_OperationHandle operation)
{
	digest_restart(digest_get(operation));
}

void TEE_GetOperationInfo(TEE_OperationHandle operation,
			  TEE_OperationInfo *operationInfo)
{
	struct rt_op *op = op_get(operation);

	if (!operationInfo)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	*operationInfo = op->info;
}

void TEE_DigestUpdate(TEE_OperationHandle operation, const void *chunk,
		      size_t chunkSize)
{
	struct rt_op *op = digest_get(operation);

	if (!chunk && chunkSize)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	op->state = TEE_OPERATION_STATE_ACTIVE;
	if (chunkSize && !EVP_DigestUpdate(op->ctx, chunk, chunkSize))
		TEE_Panic(TEE_ERROR_GENERIC);
}

TEE_Result TEE_DigestDoFinal(TEE_OperationHandle operation, const void *chunk,
			     size_t chunkLen, void *hash, size_t *hashLen)
{
	struct rt_op *op = digest_get(operation);
	unsigned int n = 0;

	if ((!chunk && chunkLen) || !hashLen)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	/* Nothing is consumed on SHORT_BUFFER: the TA may retry. */
	if (*hashLen < op->alg->len || !hash) {
		*hashLen = op->alg->len;
		return TEE_ERROR_SHORT_BUFFER;
	}
	if ((chunkLen && !EVP_DigestUpdate(op->ctx, chunk, chunkLen)) ||
	    !EVP_DigestFinal_ex(op->ctx, hash, &n) || n != op->alg->len)
		TEE_Panic(TEE_ERROR_GENERIC);
	*hashLen = n;
	digest_restart(op);
	return TEE_SUCCESS;
}
