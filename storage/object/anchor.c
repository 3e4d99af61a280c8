/*
 * The rollback anchor of the object layer: dirf.db opened under the
 * anchored state, and every dirf.db commit anchored as the last step of
 * its commit record. Mechanism and crash analysis: docs/rollback.md.
 *
 * A counter anchor (teed's minimum counter) keeps dirf.db's header
 * counter N and root hash H of the last anchored commit. A crash after a
 * commit's dirf.db header but before its anchor update leaves dirf.db at
 * N + 1 (never further: no commit starts before the previous one is
 * anchored), so dirf.db is accepted at N (with root hash H) or at N + 1
 * (then anchored at once); anything older is a rollback (SECURITY, from
 * the hash tree's min_counter rule), anything newer cannot have been
 * written by us (SECURITY), N with another root hash is a substituted
 * dirf.db (CORRUPT_OBJECT). A hash-only anchor (RPMB) opens dirf.db by
 * H as OP-TEE does: the crash window rolls back one unacknowledged
 * commit.
 */
#include <string.h>

#include "log.h"
#include "secmem.h"
#include "tee_error.h"
#include "tstore_internal.h"

/* The rules for dirf.db's next open or reload, from the anchored state. */
static void rules(const struct tstore_anchor_state *st,
		  struct dirf_open_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->must_exist = st->present;
	if (st->present && st->has_counter) {
		o->min_counter = st->min_counter;
		o->counter_anchored = true;
	}
	if (st->present && !st->has_counter && st->has_hash) {
		o->by_hash = true;
		memcpy(o->hash, st->root_hash, sizeof(o->hash));
	}
}

static void record(struct tstore *s, uint32_t counter,
		   const uint8_t hash[HTREE_HASH_SIZE])
{
	struct dirf_open_opts o;

	s->anchored.present = true;
	s->anchored.min_counter = counter;
	memcpy(s->anchored.root_hash, hash, HTREE_HASH_SIZE);
	rules(&s->anchored, &o);
	dirf_set_open_opts(s->dirf, &o);
}

/* Anchors dirf.db's committed state now (dirf_lock held, or at open). */
static TEE_Result anchor_now(struct tstore *s)
{
	uint8_t hash[HTREE_HASH_SIZE];
	uint32_t c = dirf_committed_counter(s->dirf);
	TEE_Result res;

	dirf_committed_hash(s->dirf, hash);
	res = s->anchor->commit(s->anchor->arg, c, hash);
	if (res)
		log_warnx("tstore: cannot update the rollback anchor: %s",
			  tee_error_name(res));
	else
		record(s, c, hash);
	return res;
}

/* dirf.db as opened or reloaded against the anchored state. */
static TEE_Result check(struct tstore *s)
{
	const struct tstore_anchor_state *st = &s->anchored;
	uint8_t hash[HTREE_HASH_SIZE];
	uint32_t c;

	if (!st->present)
		return anchor_now(s);
	if (!st->has_counter)
		return TEE_SUCCESS; /* opened by the anchored hash */
	c = dirf_committed_counter(s->dirf);
	dirf_committed_hash(s->dirf, hash);
	if (c == st->min_counter) {
		if (st->has_hash &&
		    !secmem_equal(hash, st->root_hash, sizeof(hash))) {
			log_warnx("tstore: dirf.db at the anchored counter %u "
				  "has another root hash: refused",
				  c);
			return TEE_ERROR_CORRUPT_OBJECT;
		}
		return TEE_SUCCESS;
	}
	if ((uint64_t)c == (uint64_t)st->min_counter + 1) {
		log_info("tstore: dirf.db is one commit ahead of the rollback "
			 "anchor (a crash before the anchor update): "
			 "anchoring counter %u",
			 c);
		return anchor_now(s);
	}
	log_warnx("tstore: dirf.db counter %u does not follow the rollback "
		  "anchor (%u): refused",
		  c, st->min_counter);
	return TEE_ERROR_SECURITY;
}

static void explain_refusal(const struct tstore_anchor_state *st,
			    TEE_Result res)
{
	if (res == TEE_ERROR_SECURITY)
		log_warnx("tstore: ROLLBACK DETECTED: dirf.db is missing or "
			  "older than the rollback anchor (counter %u); the "
			  "store is refused (an administrator reset accepts "
			  "the directory as it is)",
			  st->min_counter);
	else if (res == TEE_ERROR_CORRUPT_OBJECT)
		log_warnx("tstore: dirf.db does not match the rollback anchor "
			  "(a substituted or damaged dirf.db): refused");
}

TEE_Result tstore_anchor_open(struct tstore *s, const struct tstore_config *cfg,
			      struct batch *b)
{
	struct dirf_open_opts o;
	TEE_Result res;

	if (!cfg->anchor)
		return dirf_open(s->be, s->keys, &s->cfg, b, &s->dirf);
	s->anchor = cfg->anchor;
	memset(&s->anchored, 0, sizeof(s->anchored));
	res = s->anchor->load(s->anchor->arg, &s->anchored);
	if (res) {
		log_warnx("tstore: cannot load the rollback anchor: %s",
			  tee_error_name(res));
		return res;
	}
	if (cfg->anchor_reset) {
		log_warnx("tstore: ADMINISTRATOR RESET of the rollback anchor "
			  "(was %s, counter %u): the REE directory is accepted "
			  "as it is, rollback or not",
			  s->anchored.present ? "anchored" : "empty",
			  s->anchored.min_counter);
		s->anchored.present = false;
	}
	rules(&s->anchored, &o);
	res = dirf_open_opts(s->be, s->keys, &s->cfg, &o, b, &s->dirf);
	if (res) {
		explain_refusal(&s->anchored, res);
		return res;
	}
	if (!s->anchored.present && !dirf_was_created(s->dirf))
		log_warnx("tstore: anchoring an existing store (its history "
			  "before now is taken on trust)");
	res = check(s);
	if (!res && cfg->anchor_reset)
		log_warnx("tstore: rollback anchor reset: new baseline at "
			  "dirf.db counter %u",
			  s->anchored.min_counter);
	return res;
}

TEE_Result tstore_anchor_verify(struct tstore *s)
{
	TEE_Result res;

	if (!s->anchor)
		return TEE_SUCCESS;
	res = check(s);
	if (res)
		explain_refusal(&s->anchored, res);
	return res;
}

TEE_Result tstore_anchor_commit(struct tstore *s)
{
	uint8_t hash[HTREE_HASH_SIZE];
	TEE_Result res;
	uint32_t c;

	if (!s->anchor)
		return TEE_SUCCESS;
	pthread_mutex_lock(&s->dirf_lock);
	c = dirf_committed_counter(s->dirf);
	dirf_committed_hash(s->dirf, hash);
	pthread_mutex_unlock(&s->dirf_lock);
	/* Only this group's leader touches dirf.db until it is done. */
	res = s->anchor->commit(s->anchor->arg, c, hash);
	pthread_mutex_lock(&s->dirf_lock);
	if (res)
		s->dirf_stale = true; /* reload, re-check, re-anchor first */
	else
		record(s, c, hash);
	pthread_mutex_unlock(&s->dirf_lock);
	if (res)
		log_warnx("tstore: cannot update the rollback anchor: %s",
			  tee_error_name(res));
	return res;
}
