/*
 * In-memory GP trusted storage, digests and heap for unit tests of the
 * secure storage TA (fake_gp.h). Semantics follow
 * shared/reference/gp-api.md closely enough for the TA's logic: sharing
 * rules, OVERWRITE, rename refusing an existing name, WRITE_META needed
 * to delete or rename, data size and position.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <tee_internal_api.h>

#include "fake_gp.h"

#define MAX_OBJS  64
#define MAX_HNDS  64
#define MAX_ENUMS 8
#define MAX_OPS	  16

struct fobj {
	bool used;
	uint32_t storage;
	char id[64];
	size_t idlen;
	uint8_t *data;
	size_t len;
};

struct fhnd {
	bool used;
	int obj;
	uint32_t flags;
	size_t pos;
};

struct fenum {
	bool used, started;
	uint32_t storage;
	int next;
};

static struct fobj objs[MAX_OBJS];
static struct fhnd hnds[MAX_HNDS];
static struct fenum enums[MAX_ENUMS];
static EVP_MD_CTX *ops[MAX_OPS];
static long crash_countdown = -1, mutations;
static size_t heap_now, heap_peak;
static void free_blocks(void);

jmp_buf fake_crash_jmp;
jmp_buf fake_panic_jmp;
bool fake_panic_armed;
uint32_t fake_panic_code;

void TEE_Panic(TEE_Result code)
{
	fake_panic_code = code;
	if (fake_panic_armed)
		longjmp(fake_panic_jmp, 1);
	fprintf(stderr, "TEE_Panic(0x%08x) in a test\n", code);
	abort();
}

/* Before every mutating operation: counts, and crashes when due. */
static void mutate(void)
{
	mutations++;
	if (crash_countdown == 0) {
		crash_countdown = -1;
		longjmp(fake_crash_jmp, 1);
	}
	if (crash_countdown > 0)
		crash_countdown--;
}

void fake_crash_after(long n)
{
	crash_countdown = n;
}

long fake_mutations(void)
{
	return mutations;
}

void fake_drop_handles(void)
{
	int i;

	memset(hnds, 0, sizeof(hnds));
	memset(enums, 0, sizeof(enums));
	for (i = 0; i < MAX_OPS; i++) {
		EVP_MD_CTX_free(ops[i]);
		ops[i] = NULL;
	}
}

void fake_reset(void)
{
	int i;

	fake_drop_handles();
	for (i = 0; i < MAX_OBJS; i++)
		free(objs[i].data);
	memset(objs, 0, sizeof(objs));
	crash_countdown = -1;
	mutations = 0;
	free_blocks();
	heap_now = heap_peak = 0;
}

int fake_open_handles(void)
{
	int i, n = 0;

	for (i = 0; i < MAX_HNDS; i++)
		n += hnds[i].used;
	return n;
}

static int find_obj(uint32_t storage, const void *id, size_t len)
{
	int i;

	for (i = 0; i < MAX_OBJS; i++)
		if (objs[i].used && objs[i].storage == storage &&
		    objs[i].idlen == len && !memcmp(objs[i].id, id, len))
			return i;
	return -1;
}

static int new_obj(uint32_t storage, const void *id, size_t len)
{
	int i;

	for (i = 0; i < MAX_OBJS; i++)
		if (!objs[i].used) {
			memset(&objs[i], 0, sizeof(objs[i]));
			objs[i].used = true;
			objs[i].storage = storage;
			memcpy(objs[i].id, id, len);
			objs[i].idlen = len;
			return i;
		}
	abort(); /* a test stores more than MAX_OBJS objects */
}

bool fake_object_get(uint32_t storage, const char *id, uint8_t **data,
		     size_t *len)
{
	int o = find_obj(storage, id, strlen(id));

	if (o < 0)
		return false;
	*data = objs[o].data;
	*len = objs[o].len;
	return true;
}

bool fake_object_exists(uint32_t storage, const char *id)
{
	return find_obj(storage, id, strlen(id)) >= 0;
}

void fake_object_put(uint32_t storage, const char *id, const void *data,
		     size_t len)
{
	int o = find_obj(storage, id, strlen(id));

	if (o < 0)
		o = new_obj(storage, id, strlen(id));
	free(objs[o].data);
	objs[o].data = malloc(len ? len : 1);
	memcpy(objs[o].data, data, len);
	objs[o].len = len;
}

static struct fhnd *hnd(TEE_ObjectHandle h)
{
	uintptr_t i = (uintptr_t)h;

	if (i == 0 || i > MAX_HNDS || !hnds[i - 1].used)
		TEE_Panic(0xbad0);
	return &hnds[i - 1];
}

static bool valid_storage(uint32_t s)
{
	return s == TEE_STORAGE_PRIVATE || s == TEE_STORAGE_PRIVATE_REE ||
	       s == TEE_STORAGE_PRIVATE_RPMB;
}

/* GP sharing rules (gp-api.md, "Sharing"). */
static bool conflicts(int o, uint32_t flags)
{
	int i;

	for (i = 0; i < MAX_HNDS; i++) {
		uint32_t f = hnds[i].flags;

		if (!hnds[i].used || hnds[i].obj != o)
			continue;
		if ((flags | f) & TEE_DATA_FLAG_ACCESS_WRITE_META)
			return true;
		if (((flags | f) & TEE_DATA_FLAG_ACCESS_READ) &&
		    !(flags & f & TEE_DATA_FLAG_SHARE_READ))
			return true;
		if (((flags | f) & TEE_DATA_FLAG_ACCESS_WRITE) &&
		    !(flags & f & TEE_DATA_FLAG_SHARE_WRITE))
			return true;
	}
	return false;
}

static TEE_ObjectHandle new_hnd(int o, uint32_t flags)
{
	int i;

	for (i = 0; i < MAX_HNDS; i++)
		if (!hnds[i].used) {
			hnds[i] = (struct fhnd){true, o, flags, 0};
			return (TEE_ObjectHandle)(uintptr_t)(i + 1);
		}
	abort();
}

TEE_Result TEE_OpenPersistentObject(uint32_t storageID, const void *objectID,
				    size_t objectIDLen, uint32_t flags,
				    TEE_ObjectHandle *object)
{
	int o;

	*object = TEE_HANDLE_NULL;
	if (objectIDLen > 64)
		TEE_Panic(0xbad1);
	if (!valid_storage(storageID))
		return TEE_ERROR_ITEM_NOT_FOUND;
	o = find_obj(storageID, objectID, objectIDLen);
	if (o < 0)
		return TEE_ERROR_ITEM_NOT_FOUND;
	if (conflicts(o, flags))
		return TEE_ERROR_ACCESS_CONFLICT;
	*object = new_hnd(o, flags);
	return TEE_SUCCESS;
}

TEE_Result TEE_CreatePersistentObject(uint32_t storageID, const void *objectID,
				      size_t objectIDLen, uint32_t flags,
				      TEE_ObjectHandle attributes,
				      const void *initialData,
				      size_t initialDataLen,
				      TEE_ObjectHandle *object)
{
	int o, i;

	(void)attributes;
	*object = TEE_HANDLE_NULL;
	if (objectIDLen > 64)
		TEE_Panic(0xbad1);
	if (!valid_storage(storageID))
		return TEE_ERROR_ITEM_NOT_FOUND;
	o = find_obj(storageID, objectID, objectIDLen);
	if (o >= 0) {
		if (!(flags & TEE_DATA_FLAG_OVERWRITE))
			return TEE_ERROR_ACCESS_CONFLICT;
		for (i = 0; i < MAX_HNDS; i++)
			if (hnds[i].used && hnds[i].obj == o)
				return TEE_ERROR_ACCESS_CONFLICT;
	}
	mutate();
	if (o >= 0) {
		free(objs[o].data);
		objs[o].used = false;
	}
	o = new_obj(storageID, objectID, objectIDLen);
	objs[o].data = malloc(initialDataLen ? initialDataLen : 1);
	memcpy(objs[o].data, initialData, initialDataLen);
	objs[o].len = initialDataLen;
	if (object)
		*object = new_hnd(o, flags & ~TEE_DATA_FLAG_OVERWRITE);
	return TEE_SUCCESS;
}

TEE_Result TEE_CloseAndDeletePersistentObject1(TEE_ObjectHandle object)
{
	struct fhnd *h;
	int o;

	if (!object)
		return TEE_SUCCESS;
	h = hnd(object);
	if (!(h->flags & TEE_DATA_FLAG_ACCESS_WRITE_META))
		TEE_Panic(0xbad2);
	mutate();
	o = h->obj;
	free(objs[o].data);
	memset(&objs[o], 0, sizeof(objs[o]));
	h->used = false;
	return TEE_SUCCESS;
}

TEE_Result TEE_RenamePersistentObject(TEE_ObjectHandle object,
				      const void *newObjectID,
				      size_t newObjectIDLen)
{
	struct fhnd *h = hnd(object);
	struct fobj *o = &objs[h->obj];

	if (!(h->flags & TEE_DATA_FLAG_ACCESS_WRITE_META))
		TEE_Panic(0xbad3);
	if (newObjectIDLen > 64)
		TEE_Panic(0xbad1);
	if (find_obj(o->storage, newObjectID, newObjectIDLen) >= 0)
		return TEE_ERROR_ACCESS_CONFLICT;
	mutate();
	memcpy(o->id, newObjectID, newObjectIDLen);
	o->idlen = newObjectIDLen;
	return TEE_SUCCESS;
}

void TEE_CloseObject(TEE_ObjectHandle object)
{
	if (object)
		hnd(object)->used = false;
}

TEE_Result TEE_GetObjectInfo1(TEE_ObjectHandle object,
			      TEE_ObjectInfo *objectInfo)
{
	struct fhnd *h = hnd(object);

	memset(objectInfo, 0, sizeof(*objectInfo));
	objectInfo->objectType = TEE_TYPE_DATA;
	objectInfo->dataSize = objs[h->obj].len;
	objectInfo->dataPosition = h->pos;
	objectInfo->handleFlags =
	    TEE_HANDLE_FLAG_PERSISTENT | TEE_HANDLE_FLAG_INITIALIZED | h->flags;
	return TEE_SUCCESS;
}

TEE_Result TEE_ReadObjectData(TEE_ObjectHandle object, void *buffer,
			      size_t size, size_t *count)
{
	struct fhnd *h = hnd(object);
	struct fobj *o = &objs[h->obj];
	size_t n = 0;

	if (!(h->flags & TEE_DATA_FLAG_ACCESS_READ))
		TEE_Panic(0xbad4);
	if (h->pos < o->len)
		n = o->len - h->pos < size ? o->len - h->pos : size;
	memcpy(buffer, o->data + h->pos, n);
	h->pos += n;
	*count = n;
	return TEE_SUCCESS;
}

TEE_Result TEE_WriteObjectData(TEE_ObjectHandle object, const void *buffer,
			       size_t size)
{
	struct fhnd *h = hnd(object);
	struct fobj *o = &objs[h->obj];
	size_t end = h->pos + size;

	if (!(h->flags & TEE_DATA_FLAG_ACCESS_WRITE))
		TEE_Panic(0xbad5);
	if (end > TEE_DATA_MAX_POSITION)
		return TEE_ERROR_OVERFLOW;
	mutate();
	if (end > o->len) {
		o->data = realloc(o->data, end);
		memset(o->data + o->len, 0, end - o->len);
		o->len = end;
	}
	memcpy(o->data + h->pos, buffer, size);
	h->pos = end;
	return TEE_SUCCESS;
}

TEE_Result TEE_TruncateObjectData(TEE_ObjectHandle object, size_t size)
{
	struct fhnd *h = hnd(object);
	struct fobj *o = &objs[h->obj];

	mutate();
	o->data = realloc(o->data, size ? size : 1);
	if (size > o->len)
		memset(o->data + o->len, 0, size - o->len);
	o->len = size;
	return TEE_SUCCESS;
}

TEE_Result TEE_SeekObjectData(TEE_ObjectHandle object, intmax_t offset,
			      TEE_Whence whence)
{
	struct fhnd *h = hnd(object);
	intmax_t base = whence == TEE_DATA_SEEK_SET ? 0
			: whence == TEE_DATA_SEEK_CUR
			    ? (intmax_t)h->pos
			    : (intmax_t)objs[h->obj].len;

	if (base + offset > TEE_DATA_MAX_POSITION)
		return TEE_ERROR_OVERFLOW;
	h->pos = base + offset < 0 ? 0 : (size_t)(base + offset);
	return TEE_SUCCESS;
}

TEE_Result
TEE_AllocatePersistentObjectEnumerator(TEE_ObjectEnumHandle *objectEnumerator)
{
	int i;

	for (i = 0; i < MAX_ENUMS; i++)
		if (!enums[i].used) {
			enums[i] = (struct fenum){.used = true};
			*objectEnumerator =
			    (TEE_ObjectEnumHandle)(uintptr_t)(i + 1);
			return TEE_SUCCESS;
		}
	return TEE_ERROR_OUT_OF_MEMORY;
}

static struct fenum *en(TEE_ObjectEnumHandle e)
{
	uintptr_t i = (uintptr_t)e;

	if (i == 0 || i > MAX_ENUMS || !enums[i - 1].used)
		TEE_Panic(0xbad6);
	return &enums[i - 1];
}

void TEE_FreePersistentObjectEnumerator(TEE_ObjectEnumHandle objectEnumerator)
{
	if (objectEnumerator)
		en(objectEnumerator)->used = false;
}

void TEE_ResetPersistentObjectEnumerator(TEE_ObjectEnumHandle objectEnumerator)
{
	if (objectEnumerator)
		en(objectEnumerator)->started = false;
}

TEE_Result
TEE_StartPersistentObjectEnumerator(TEE_ObjectEnumHandle objectEnumerator,
				    uint32_t storageID)
{
	struct fenum *e = en(objectEnumerator);
	int i;

	e->started = false;
	for (i = 0; i < MAX_OBJS; i++)
		if (objs[i].used && objs[i].storage == storageID)
			break;
	if (i == MAX_OBJS)
		return TEE_ERROR_ITEM_NOT_FOUND;
	e->started = true;
	e->storage = storageID;
	e->next = 0;
	return TEE_SUCCESS;
}

TEE_Result TEE_GetNextPersistentObject(TEE_ObjectEnumHandle objectEnumerator,
				       TEE_ObjectInfo *objectInfo,
				       void *objectID, size_t *objectIDLen)
{
	struct fenum *e = en(objectEnumerator);

	if (!e->started)
		return TEE_ERROR_ITEM_NOT_FOUND;
	for (; e->next < MAX_OBJS; e->next++) {
		struct fobj *o = &objs[e->next];

		if (!o->used || o->storage != e->storage)
			continue;
		if (objectInfo) {
			memset(objectInfo, 0, sizeof(*objectInfo));
			objectInfo->objectType = TEE_TYPE_DATA;
			objectInfo->dataSize = o->len;
		}
		memcpy(objectID, o->id, o->idlen);
		*objectIDLen = o->idlen;
		e->next++;
		return TEE_SUCCESS;
	}
	return TEE_ERROR_ITEM_NOT_FOUND;
}

TEE_Result TEE_AllocateOperation(TEE_OperationHandle *operation,
				 uint32_t algorithm, uint32_t mode,
				 uint32_t maxKeySize)
{
	int i;

	(void)maxKeySize;
	if (algorithm != TEE_ALG_SHA256 || mode != TEE_MODE_DIGEST)
		return TEE_ERROR_NOT_SUPPORTED;
	for (i = 0; i < MAX_OPS; i++)
		if (!ops[i]) {
			ops[i] = EVP_MD_CTX_new();
			EVP_DigestInit_ex(ops[i], EVP_sha256(), NULL);
			*operation = (TEE_OperationHandle)(uintptr_t)(i + 1);
			return TEE_SUCCESS;
		}
	return TEE_ERROR_OUT_OF_MEMORY;
}

static EVP_MD_CTX *op(TEE_OperationHandle h)
{
	uintptr_t i = (uintptr_t)h;

	if (i == 0 || i > MAX_OPS || !ops[i - 1])
		TEE_Panic(0xbad7);
	return ops[i - 1];
}

void TEE_FreeOperation(TEE_OperationHandle operation)
{
	uintptr_t i = (uintptr_t)operation;

	if (!operation)
		return;
	EVP_MD_CTX_free(op(operation));
	ops[i - 1] = NULL;
}

void TEE_DigestUpdate(TEE_OperationHandle operation, const void *chunk,
		      size_t chunkSize)
{
	EVP_DigestUpdate(op(operation), chunk, chunkSize);
}

TEE_Result TEE_DigestDoFinal(TEE_OperationHandle operation, const void *chunk,
			     size_t chunkLen, void *hash, size_t *hashLen)
{
	EVP_MD_CTX *c = op(operation);
	unsigned int n = 0;

	if (*hashLen < 32) {
		*hashLen = 32;
		return TEE_ERROR_SHORT_BUFFER;
	}
	EVP_DigestUpdate(c, chunk, chunkLen);
	EVP_DigestFinal_ex(c, hash, &n);
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	*hashLen = n;
	return TEE_SUCCESS;
}

/*
 * The heap: a header before each block for the accounting, and a list of
 * live blocks so fake_reset() frees what a "crashed" TA left.
 */
struct fblk {
	struct fblk *prev, *next;
	size_t size;
	max_align_t align[];
};

static struct fblk *blocks;

static void free_blocks(void)
{
	while (blocks) {
		struct fblk *b = blocks;

		blocks = b->next;
		free(b);
	}
}

void *TEE_Malloc(size_t size, uint32_t hint)
{
	struct fblk *b;

	if (hint & ~(uint32_t)TEE_MALLOC_NO_FILL)
		return NULL;
	b = calloc(1, sizeof(*b) + size);
	if (!b)
		return NULL;
	b->size = size;
	b->next = blocks;
	if (blocks)
		blocks->prev = b;
	blocks = b;
	heap_now += size;
	if (heap_now > heap_peak)
		heap_peak = heap_now;
	return b->align;
}

void TEE_Free(void *buffer)
{
	struct fblk *b;

	if (!buffer)
		return;
	b = (struct fblk *)((char *)buffer - offsetof(struct fblk, align));
	heap_now -= b->size;
	if (b->prev)
		b->prev->next = b->next;
	else
		blocks = b->next;
	if (b->next)
		b->next->prev = b->prev;
	free(b);
}

void *TEE_MemMove(void *dest, const void *src, size_t size)
{
	return memmove(dest, src, size);
}

size_t fake_heap_in_use(void)
{
	return heap_now;
}

size_t fake_heap_peak(void)
{
	return heap_peak;
}

void trace_printf(const char *func, int line, int level, bool level_ok,
		  const char *fmt, ...)
{
	va_list ap;

	(void)func;
	(void)line;
	(void)level;
	(void)level_ok;
	if (!getenv("SS_TEST_TRACE"))
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
