/*
 * libteec calls to the storage test TA "a" (tests/tastore/, commands in
 * storage_ta_ids.h), one function per GP storage call the whole-stack
 * tests need. Every function returns the TA's (or libteec's) result.
 */
#ifndef TEESTORE_STACK_TA_H
#define TEESTORE_STACK_TA_H

#include <stddef.h>
#include <stdint.h>

#include <tee_client_api.h>

struct st_sess {
	TEEC_Context ctx;
	TEEC_Session sess;
	uint32_t origin; /* of the last call */
};

/* Context and session on TA "a"; the context is finalized on failure. */
TEEC_Result st_open(struct st_sess *s);
/* The same on storage test TA n (1: a, 2: b). */
TEEC_Result st_open_ta(struct st_sess *s, int n);
void st_close(struct st_sess *s);

/* TEE_CreatePersistentObject(PRIVATE, id, flags, data = dlen bytes of
 * st_pattern(seed)), object NULL (closed at once). */
TEEC_Result st_create(struct st_sess *s, const char *id, uint32_t flags,
		      uint32_t dlen, uint32_t seed);
TEEC_Result st_open_obj(struct st_sess *s, const char *id, uint32_t flags,
			uint32_t *h);
TEEC_Result st_close_obj(struct st_sess *s, uint32_t h);
TEEC_Result st_seek(struct st_sess *s, uint32_t h, uint32_t off);
TEEC_Result st_write(struct st_sess *s, uint32_t h, const void *buf,
		     size_t len);
TEEC_Result st_truncate(struct st_sess *s, uint32_t h, uint32_t size);
TEEC_Result st_rename(struct st_sess *s, uint32_t h, const char *new_id);
/* TEE_CloseAndDeletePersistentObject1 (the handle is gone either way). */
TEEC_Result st_delete(struct st_sess *s, uint32_t h);
TEEC_Result st_read(struct st_sess *s, uint32_t h, void *buf, size_t cap,
		    size_t *n);

/* Lists the IDs in TEE_STORAGE_PRIVATE: calls fn for each (IDs shorter
 * than 64 bytes, NUL-terminated here). */
TEEC_Result st_enum(struct st_sess *s, void (*fn)(const char *id, void *arg),
		    void *arg);

/* The bytes the TA's CREATE writes (storage_ta.c pattern_byte). */
uint8_t st_pattern(size_t i, uint32_t seed);

#endif
