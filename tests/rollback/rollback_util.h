/*
 * What the rollback tests share: one TA, one HUK, objects whose content
 * is a numbered generation (so a test can tell which commit a store
 * shows), and an offline file copy between fake backends (the attacker
 * putting an old file back).
 */
#ifndef TEESTORE_ROLLBACK_UTIL_H
#define TEESTORE_ROLLBACK_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "tstore.h"

#define RB_DATA_LEN 100

extern const uint8_t rb_huk[16];
extern const TEE_UUID rb_ta;
extern const struct tstore_head rb_data_head;

/* Object id := RB_DATA_LEN bytes of generation gen (create or write). */
TEE_Result rb_put(struct tstore *s, const char *id, uint64_t gen);

/* An object and the generation it is put at (rb_put_each). */
struct rb_gen {
	const char *id;
	uint64_t gen;
};

/* The arguments gens, n of rb_put_each from a list of {id, gen}. */
#define RB_GENS(...)                                                           \
	(const struct rb_gen[]){__VA_ARGS__},                                  \
	    sizeof((const struct rb_gen[]){__VA_ARGS__}) /                     \
		sizeof(struct rb_gen)

/* The commits of both tests' history: a at 1, b at 10, a at 2. */
#define RB_HISTORY RB_GENS({"a", 1}, {"b", 10}, {"a", 2})

/* rb_put of each of gens[0..n) in turn, each CHECKed to succeed. */
void rb_put_each(struct tstore *s, const struct rb_gen *gens, size_t n);

/*
 * Opens a test's store (rig: the test's own struct), makes the commits
 * gens[0..n) and closes it.
 */
typedef void rb_commits_fn(void *rig, const struct rb_gen *gens, size_t n);

/*
 * The history (RB_HISTORY) through commits, a clone *snap of the REE
 * directory ree as it is then (for the test to destroy), then the commits
 * gens[0..n) past that snapshot. The clone's error, if any (then no
 * commits past it are made).
 */
TEE_Result rb_snapshot_then(rb_commits_fn *commits, void *rig,
			    struct backend *ree, struct backend **snap,
			    const struct rb_gen *gens, size_t n);

/*
 * The generation (1..max_gen) object id holds, in *gen (0 if its bytes
 * match none); the open or read error, if any.
 */
TEE_Result rb_get(struct tstore *s, const char *id, uint64_t max_gen,
		  uint64_t *gen);

/* Copies file name of fake backend src into fake backend dst, durably. */
TEE_Result rb_copy_file(struct backend *dst, struct backend *src,
			const char *name);

#endif
