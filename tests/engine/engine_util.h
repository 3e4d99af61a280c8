/*
 * Shared by the engine tests: a fixed HUK and TA UUIDs, an in-memory
 * model of a store (what every object should hold), operations that run
 * both on a tstore and on the model, and a checker comparing the two.
 */
#ifndef TEESTORE_ENGINE_UTIL_H
#define TEESTORE_ENGINE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "tstore.h"

#define ENG_TAS	      3
#define MODEL_MAX_OBJ 64

extern const uint8_t eng_huk[16];
extern const TEE_UUID eng_ta[ENG_TAS];

/* Opens a store with OP-TEE's defaults and the fixed HUK. */
TEE_Result eng_open(struct backend *be, struct tstore **s);

struct mobj {
	bool used;
	int ta;
	uint8_t id[TSTORE_ID_MAX];
	size_t id_len;
	uint8_t *data;
	size_t len;
	uint32_t usage;
	uint32_t attr_len; /* attrs: pattern(attr_len, attr_seed) */
	uint64_t attr_seed;
};

struct model {
	struct mobj o[MODEL_MAX_OBJ];
};

void model_init(struct model *m);
void model_free(struct model *m);
void model_copy(struct model *dst, const struct model *src);
struct mobj *model_find(struct model *m, int ta, const void *id, size_t len);
size_t model_count(const struct model *m);

enum eng_op_kind {
	OP_CREATE,    /* fails with ACCESS_CONFLICT if it exists */
	OP_CREATE_OW, /* create with overwrite (atomic replace) */
	OP_WRITE,     /* pos, len, seed */
	OP_TRUNC,     /* len */
	OP_RENAME,    /* to id2 */
	OP_REMOVE,
	OP_SET_USAGE, /* usage = seed */
};

struct eng_op {
	enum eng_op_kind kind;
	int ta;
	uint8_t id[TSTORE_ID_MAX];
	size_t id_len;
	uint8_t id2[TSTORE_ID_MAX];
	size_t id2_len;
	uint64_t pos;
	size_t len;
	uint64_t seed;
	uint32_t attr_len;
};

/* Fills op's ID from a C string (its bytes, no NUL). */
void eng_op_id(struct eng_op *op, const char *id, const char *id2);
const char *eng_op_name(enum eng_op_kind k);

/* Runs op on the store (open, change, release). */
TEE_Result eng_op_store(struct tstore *s, const struct eng_op *op);
/* What the op does to the model; returns the result the store must give. */
TEE_Result eng_op_model(struct model *m, const struct eng_op *op);

/*
 * Compares the whole store with the model (enumeration per TA, then
 * every object's head, attributes and data). Returns TEE_SUCCESS if equal;
 * on a mismatch, a TEE error from the store or TEE_ERROR_GENERIC, and a
 * description in why.
 */
TEE_Result eng_check(struct tstore *s, const struct model *m, char *why,
		     size_t why_len);

/*
 * The mixed workload of the crash and error-injection tests: creates
 * (small, multi-block, with attributes, empty ID), writes (in place,
 * extending, with a gap, multi-block), shrink and grow, rename, replace,
 * remove, usage change. Returns the number of steps.
 */
size_t eng_workload(const struct eng_op **ops);

#endif
