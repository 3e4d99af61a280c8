/* teed's minimum-counter rollback anchor: see teed_anchor.h. */
#include "teed_anchor.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "log.h"
#include "secmem.h"
#include "tee_api_defines.h"

#define SLOT_SIZE     512 /* one sector: a torn update spoils one slot only */
#define REC_MAGIC     0x41525354U /* "TSRA" */
#define REC_VERSION   1
#define REC_MACED     64 /* bytes covered by the HMAC */
#define REC_SIZE      (REC_MACED + 32)
#define FLAG_ANCHORED 1U
#define TMP_FILE      TEED_ANCHOR_FILE ".new"

/* Record layout (little-endian), docs/rollback.md "The counter file". */
enum {
	OFF_MAGIC = 0,
	OFF_VERSION = 4,
	OFF_SEQ = 8,
	OFF_COUNTER = 16,
	OFF_FLAGS = 20,
	OFF_HASH = 24, /* 32 bytes; 56..63 zero */
	OFF_MAC = REC_MACED,
};

struct teed_anchor {
	struct tstore_anchor hook;
	struct backend *be;
	pthread_mutex_t lock;
	uint8_t key[32];
	bool loaded;
	bool have_file; /* TEED_ANCHOR_FILE exists with a valid slot */
	uint32_t fh;
	bool fh_open;
	uint64_t seq; /* of the newest valid slot */
};

static const char key_label[] = "teestore rollback anchor key v1";

static TEE_Result rec_mac(const struct teed_anchor *a, const uint8_t *rec,
			  uint8_t mac[32])
{
	size_t len = 0;

	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, a->key,
		       sizeof(a->key), rec, REC_MACED, mac, 32, &len) ||
	    len != 32)
		return TEE_ERROR_GENERIC;
	return TEE_SUCCESS;
}

/* A slot's record if it is intact and ours (else false). */
static bool rec_parse(const struct teed_anchor *a, const uint8_t *rec,
		      size_t len, uint64_t *seq, struct tstore_anchor_state *st)
{
	uint8_t mac[32];
	bool ok;

	if (len < REC_SIZE || get_le32(rec + OFF_MAGIC) != REC_MAGIC ||
	    get_le32(rec + OFF_VERSION) != REC_VERSION)
		return false;
	if (rec_mac(a, rec, mac))
		return false;
	ok = secmem_equal(mac, rec + OFF_MAC, sizeof(mac));
	if (!ok)
		return false;
	*seq = get_le64(rec + OFF_SEQ);
	st->present = get_le32(rec + OFF_FLAGS) & FLAG_ANCHORED;
	st->min_counter = get_le32(rec + OFF_COUNTER);
	memcpy(st->root_hash, rec + OFF_HASH, sizeof(st->root_hash));
	return true;
}

static TEE_Result rec_build(const struct teed_anchor *a, uint64_t seq,
			    uint32_t counter, const uint8_t hash[32],
			    uint8_t rec[SLOT_SIZE])
{
	memset(rec, 0, SLOT_SIZE);
	put_le32(rec + OFF_MAGIC, REC_MAGIC);
	put_le32(rec + OFF_VERSION, REC_VERSION);
	put_le64(rec + OFF_SEQ, seq);
	put_le32(rec + OFF_COUNTER, counter);
	put_le32(rec + OFF_FLAGS, FLAG_ANCHORED);
	memcpy(rec + OFF_HASH, hash, 32);
	return rec_mac(a, rec, rec + OFF_MAC);
}

static TEE_Result load_locked(struct teed_anchor *a,
			      struct tstore_anchor_state *st)
{
	uint8_t buf[2 * SLOT_SIZE];
	struct tstore_anchor_state s2;
	uint64_t seq[2];
	bool ok[2];
	size_t got = 0;
	TEE_Result res;
	int i, best;

	if (!a->fh_open) {
		res = backend_open(a->be, TEED_ANCHOR_FILE, &a->fh);
		if (res == TEE_ERROR_ITEM_NOT_FOUND)
			return TEE_SUCCESS; /* first start: nothing anchored */
		if (res)
			return res;
		a->fh_open = true;
	}
	res = backend_pread(a->be, a->fh, 0, buf, sizeof(buf), &got);
	if (res)
		return res;
	memset(&s2, 0, sizeof(s2));
	for (i = 0; i < 2; i++)
		ok[i] = got > (size_t)i * SLOT_SIZE &&
			rec_parse(a, buf + i * SLOT_SIZE,
				  got - (size_t)i * SLOT_SIZE, &seq[i],
				  i ? &s2 : st);
	if (!ok[0] && !ok[1]) {
		/* The file is only ever renamed in place with a valid slot. */
		log_warnx("%s: no valid record (damaged, or made with another "
			  "HUK): rollback protection cannot vouch for the "
			  "store",
			  TEED_ANCHOR_FILE);
		return TEE_ERROR_SECURITY;
	}
	best = !ok[0] || (ok[1] && seq[1] > seq[0]);
	if (best)
		*st = s2;
	a->seq = seq[best];
	a->have_file = true;
	return TEE_SUCCESS;
}

static TEE_Result anchor_load(void *arg, struct tstore_anchor_state *st)
{
	struct teed_anchor *a = arg;
	TEE_Result res;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&a->lock);
	res = load_locked(a, st);
	a->loaded = !res;
	pthread_mutex_unlock(&a->lock);
	st->has_counter = true;
	st->has_hash = true;
	return res;
}

/*
 * The first record: written to a new file, synced, then renamed over the
 * name and the directory synced, so that TEED_ANCHOR_FILE never exists
 * without a valid slot (a crash leaves no file or a valid one).
 */
static TEE_Result create_locked(struct teed_anchor *a, uint64_t seq,
				const uint8_t *rec)
{
	uint8_t file[2 * SLOT_SIZE];
	TEE_Result res;
	uint32_t fh;

	memset(file, 0, sizeof(file));
	memcpy(file + (seq & 1) * SLOT_SIZE, rec, SLOT_SIZE);
	res = backend_create(a->be, TMP_FILE, &fh);
	if (res)
		return res;
	res = backend_pwrite(a->be, fh, 0, file, sizeof(file));
	if (!res)
		res = backend_sync(a->be, fh);
	backend_close(a->be, fh);
	if (!res)
		res = backend_rename(a->be, TMP_FILE, TEED_ANCHOR_FILE, true);
	if (!res)
		res = backend_sync_dir(a->be);
	if (!res)
		res = backend_open(a->be, TEED_ANCHOR_FILE, &a->fh);
	if (!res)
		a->fh_open = true;
	return res;
}

static TEE_Result anchor_commit(void *arg, uint32_t counter,
				const uint8_t root_hash[32])
{
	struct teed_anchor *a = arg;
	uint8_t rec[SLOT_SIZE];
	uint64_t seq;
	TEE_Result res;

	pthread_mutex_lock(&a->lock);
	if (!a->loaded) {
		res = TEE_ERROR_BAD_STATE; /* load() first: it finds the file */
		goto out;
	}
	seq = a->have_file ? a->seq + 1 : 1;
	res = rec_build(a, seq, counter, root_hash, rec);
	if (res)
		goto out;
	if (!a->have_file) {
		res = create_locked(a, seq, rec);
	} else {
		/* Slot seq & 1 is never the newest valid one: it stays. */
		res = backend_pwrite(a->be, a->fh, (seq & 1) * SLOT_SIZE, rec,
				     SLOT_SIZE);
		if (!res)
			res = backend_sync(a->be, a->fh);
	}
	if (!res) {
		a->seq = seq;
		a->have_file = true;
	}
out:
	pthread_mutex_unlock(&a->lock);
	return res;
}

TEE_Result teed_anchor_new(struct backend *be, const uint8_t *huk,
			   size_t huk_len, struct teed_anchor **out)
{
	struct teed_anchor *a = calloc(1, sizeof(*a));
	size_t len = 0;

	if (!a)
		return TEE_ERROR_OUT_OF_MEMORY;
	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, huk, huk_len,
		       (const uint8_t *)key_label, sizeof(key_label) - 1,
		       a->key, sizeof(a->key), &len) ||
	    len != sizeof(a->key)) {
		free(a);
		return TEE_ERROR_GENERIC;
	}
	a->be = be;
	pthread_mutex_init(&a->lock, NULL);
	a->hook.load = anchor_load;
	a->hook.commit = anchor_commit;
	a->hook.arg = a;
	*out = a;
	return TEE_SUCCESS;
}

void teed_anchor_free(struct teed_anchor *a)
{
	if (!a)
		return;
	if (a->fh_open)
		backend_close(a->be, a->fh);
	pthread_mutex_destroy(&a->lock);
	secmem_wipe(a->key, sizeof(a->key));
	free(a);
}

const struct tstore_anchor *teed_anchor_hook(struct teed_anchor *a)
{
	return &a->hook;
}
