/*
 * Crash-safe persistence of the emulated RPMB device (rpmb_store.h). The
 * file layout and why the protocol is safe are in docs/rpmb-device.md,
 * "Backing file"; the short version:
 *
 *	0	header slot 0 (seq even)	4 KiB
 *	4096	header slot 1 (seq odd)		4 KiB
 *	8192	journal 0, journal 1		each max write, 4 KiB aligned
 *	...	data				size_mult * 128 KiB
 *
 * A commit writes its blocks to the journal of the slot not in use and its
 * header (seq + 1, new counter/key, journal hash) to that slot, syncs (the
 * commit point), then copies the blocks to the data area and syncs again.
 * Open takes the valid header with the highest seq whose journal matches
 * its hash and replays that journal, which is idempotent. The journal and
 * header of the newest commit are never overwritten by the next one (it
 * uses the other slot), so a crash at any point leaves a replayable state.
 */
#include "rpmb_store.h"

#include <errno.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "log.h"
#include "secmem.h"

#define STORE_MAGIC	"TEESRPMB"
#define STORE_VERSION	1
#define SLOT_SIZE	4096u
#define JOURNAL_OFF	(2 * SLOT_SIZE)
#define HASH_SIZE	32
#define FLAG_KEY	0x1u
#define JOURNAL_NONE	0u
#define JOURNAL_PENDING 1u

/* Header fields (little-endian), checksum = SHA-256 of bytes 0..135. */
#define H_MAGIC	    0
#define H_VERSION   8
#define H_HDR_LEN   12
#define H_SEQ	    16
#define H_SIZE_MULT 24
#define H_REL_WR    28
#define H_FLAGS	    32
#define H_COUNTER   36
#define H_CID	    40
#define H_KEY	    56
#define H_JSTATE    88
#define H_JADDR	    92
#define H_JCOUNT    96
#define H_RESERVED  100
#define H_JHASH	    104
#define H_CHECKSUM  136
#define HDR_LEN	    168

struct store_hdr {
	uint64_t seq;
	struct rpmb_store_geometry geo;
	struct rpmb_store_state st;
	uint32_t jstate, jaddr, jcount;
	uint8_t jhash[HASH_SIZE];
};

struct rpmb_store {
	struct rpmb_io *io;
	bool read_only;
	bool broken;  /* an I/O error: the on-disk state is unknown */
	bool overlay; /* read-only with an unreplayed journal */
	struct store_hdr cur;
	uint64_t data_off;
	uint64_t jsize;	  /* bytes per journal area */
	uint8_t *journal; /* max write blocks * 256 */
};

static int sha256(const void *buf, size_t len, uint8_t out[HASH_SIZE])
{
	unsigned int n = 0;

	if (!EVP_Digest(buf, len, out, &n, EVP_sha256(), NULL) ||
	    n != HASH_SIZE)
		return -EIO;
	return 0;
}

static uint32_t geo_blocks(const struct rpmb_store_geometry *g)
{
	return g->size_mult * (RPMB_SIZE_MULT_BYTES / RPMB_BLOCK_SIZE);
}

static uint64_t geo_jsize(const struct rpmb_store_geometry *g)
{
	uint64_t len =
	    (uint64_t)rpmb_max_write_blocks(g->rel_wr_sec_c) * RPMB_BLOCK_SIZE;

	return (len + SLOT_SIZE - 1) / SLOT_SIZE * SLOT_SIZE;
}

static uint64_t geo_data_off(const struct rpmb_store_geometry *g)
{
	return JOURNAL_OFF + 2 * geo_jsize(g);
}

static uint64_t geo_file_size(const struct rpmb_store_geometry *g)
{
	return geo_data_off(g) + (uint64_t)g->size_mult * RPMB_SIZE_MULT_BYTES;
}

static bool geo_valid(const struct rpmb_store_geometry *g)
{
	return g->size_mult >= 1 && g->size_mult <= 255 && g->rel_wr_sec_c >= 1;
}

static int hdr_encode(const struct store_hdr *h, uint8_t out[HDR_LEN])
{
	memset(out, 0, HDR_LEN);
	memcpy(out + H_MAGIC, STORE_MAGIC, 8);
	put_le32(out + H_VERSION, STORE_VERSION);
	put_le32(out + H_HDR_LEN, HDR_LEN);
	put_le64(out + H_SEQ, h->seq);
	put_le32(out + H_SIZE_MULT, h->geo.size_mult);
	put_le32(out + H_REL_WR, h->geo.rel_wr_sec_c);
	put_le32(out + H_FLAGS, h->st.key_programmed ? FLAG_KEY : 0);
	put_le32(out + H_COUNTER, h->st.write_counter);
	memcpy(out + H_CID, h->geo.cid, RPMB_CID_SIZE);
	if (h->st.key_programmed)
		memcpy(out + H_KEY, h->st.key, RPMB_KEY_SIZE);
	put_le32(out + H_JSTATE, h->jstate);
	put_le32(out + H_JADDR, h->jaddr);
	put_le32(out + H_JCOUNT, h->jcount);
	memcpy(out + H_JHASH, h->jhash, HASH_SIZE);
	return sha256(out, H_CHECKSUM, out + H_CHECKSUM);
}

/* Why a header slot was refused, for the error message. */
enum hdr_verdict { HDR_OK, HDR_NO_MAGIC, HDR_VERSION, HDR_CHECKSUM, HDR_BAD };

static const char *hdr_verdict_str(enum hdr_verdict v)
{
	switch (v) {
	case HDR_OK:
		return "valid";
	case HDR_NO_MAGIC:
		return "no device magic";
	case HDR_VERSION:
		return "unsupported version";
	case HDR_CHECKSUM:
		return "checksum mismatch";
	default:
		return "inconsistent fields";
	}
}

static enum hdr_verdict hdr_fields_check(const struct store_hdr *h,
					 uint32_t flags, unsigned slot)
{
	uint32_t max = rpmb_max_write_blocks(h->geo.rel_wr_sec_c);

	if (!geo_valid(&h->geo) || (flags & ~FLAG_KEY) || (h->seq & 1) != slot)
		return HDR_BAD;
	if (h->jstate == JOURNAL_NONE)
		return h->jcount == 0 && h->jaddr == 0 ? HDR_OK : HDR_BAD;
	if (h->jstate != JOURNAL_PENDING || h->jcount == 0 || h->jcount > max ||
	    h->jaddr > geo_blocks(&h->geo) - h->jcount)
		return HDR_BAD;
	return HDR_OK;
}

static enum hdr_verdict hdr_decode(const uint8_t in[HDR_LEN], unsigned slot,
				   struct store_hdr *h)
{
	uint8_t sum[HASH_SIZE];
	uint32_t flags, rel_wr;

	if (memcmp(in + H_MAGIC, STORE_MAGIC, 8) != 0)
		return HDR_NO_MAGIC;
	if (get_le32(in + H_VERSION) != STORE_VERSION ||
	    get_le32(in + H_HDR_LEN) != HDR_LEN)
		return HDR_VERSION;
	if (sha256(in, H_CHECKSUM, sum) != 0 ||
	    !secmem_equal(sum, in + H_CHECKSUM, HASH_SIZE))
		return HDR_CHECKSUM;
	memset(h, 0, sizeof(*h));
	h->seq = get_le64(in + H_SEQ);
	h->geo.size_mult = get_le32(in + H_SIZE_MULT);
	rel_wr = get_le32(in + H_REL_WR);
	if (rel_wr > 255)
		return HDR_BAD;
	h->geo.rel_wr_sec_c = (uint8_t)rel_wr;
	memcpy(h->geo.cid, in + H_CID, RPMB_CID_SIZE);
	flags = get_le32(in + H_FLAGS);
	h->st.key_programmed = flags & FLAG_KEY;
	h->st.write_counter = get_le32(in + H_COUNTER);
	memcpy(h->st.key, in + H_KEY, RPMB_KEY_SIZE);
	h->jstate = get_le32(in + H_JSTATE);
	h->jaddr = get_le32(in + H_JADDR);
	h->jcount = get_le32(in + H_JCOUNT);
	memcpy(h->jhash, in + H_JHASH, HASH_SIZE);
	return hdr_fields_check(h, flags, slot);
}

static int hdr_write(struct rpmb_io *io, const struct store_hdr *h)
{
	uint8_t buf[HDR_LEN];
	int rc;

	rc = hdr_encode(h, buf);
	if (rc == 0)
		rc = io->ops->write(io, buf, HDR_LEN, (h->seq & 1) * SLOT_SIZE);
	secmem_wipe(buf, sizeof(buf));
	return rc;
}

int rpmb_store_format(struct rpmb_io *io, const struct rpmb_store_geometry *g)
{
	struct store_hdr h = {.seq = 1, .geo = *g};
	uint8_t zero[HDR_LEN] = {0};
	int rc;

	if (!geo_valid(g))
		return -EINVAL;
	rc = io->ops->truncate(io, geo_file_size(g));
	if (rc == 0) /* slot 0 may hold an old header if io was reused */
		rc = io->ops->write(io, zero, sizeof(zero), 0);
	if (rc == 0)
		rc = hdr_write(io, &h);
	if (rc == 0)
		rc = io->ops->sync(io);
	return rc;
}

static uint64_t journal_off(const struct rpmb_store *s, uint64_t seq)
{
	return JOURNAL_OFF + (seq & 1) * s->jsize;
}

static uint64_t block_off(const struct rpmb_store *s, uint32_t blk)
{
	return s->data_off + (uint64_t)blk * RPMB_BLOCK_SIZE;
}

/* Loads h's journal into s->journal; -EUCLEAN when it does not match. */
static int journal_load(struct rpmb_store *s, const struct store_hdr *h)
{
	size_t len = (size_t)h->jcount * RPMB_BLOCK_SIZE;
	uint8_t sum[HASH_SIZE];
	int rc;

	rc = s->io->ops->read(s->io, s->journal, len, journal_off(s, h->seq));
	if (rc == 0)
		rc = sha256(s->journal, len, sum);
	if (rc == 0 && !secmem_equal(sum, h->jhash, HASH_SIZE))
		rc = -EUCLEAN;
	return rc;
}

/* Copies the loaded journal to the data area, writing only what differs. */
static int journal_replay(struct rpmb_store *s)
{
	uint8_t blk[RPMB_BLOCK_SIZE];
	bool wrote = false;
	uint32_t i;
	int rc = 0;

	for (i = 0; i < s->cur.jcount && rc == 0; i++) {
		const uint8_t *src = s->journal + (size_t)i * RPMB_BLOCK_SIZE;
		uint64_t off = block_off(s, s->cur.jaddr + i);

		rc = s->io->ops->read(s->io, blk, sizeof(blk), off);
		if (rc == 0 && memcmp(blk, src, sizeof(blk)) != 0) {
			rc = s->io->ops->write(s->io, src, sizeof(blk), off);
			wrote = true;
		}
	}
	if (rc == 0 && wrote)
		rc = s->io->ops->sync(s->io);
	return rc;
}

struct slots {
	struct store_hdr h[2];
	enum hdr_verdict v[2];
};

static int slots_read(struct rpmb_io *io, struct slots *sl)
{
	uint8_t buf[HDR_LEN];
	unsigned i;
	int rc = 0;

	for (i = 0; i < 2 && rc == 0; i++) {
		rc = io->ops->read(io, buf, HDR_LEN, i * SLOT_SIZE);
		if (rc == 0)
			sl->v[i] = hdr_decode(buf, i, &sl->h[i]);
	}
	secmem_wipe(buf, sizeof(buf));
	return rc;
}

static int refuse(const char *why, const struct slots *sl)
{
	log_warnx("rpmb: not a usable device file: %s (slot 0: %s, slot 1: %s)",
		  why, hdr_verdict_str(sl->v[0]), hdr_verdict_str(sl->v[1]));
	return -EUCLEAN;
}

/* Checks what both slots must agree on and the file's length. */
static int slots_check(struct rpmb_io *io, const struct slots *sl)
{
	const struct rpmb_store_geometry *g;
	uint64_t size;
	int rc;

	if (sl->v[0] != HDR_OK && sl->v[1] != HDR_OK)
		return refuse("no valid header", sl);
	g = sl->v[0] == HDR_OK ? &sl->h[0].geo : &sl->h[1].geo;
	if (sl->v[0] == HDR_OK && sl->v[1] == HDR_OK &&
	    (memcmp(&sl->h[0].geo, &sl->h[1].geo, sizeof(*g)) != 0 ||
	     sl->h[0].seq == sl->h[1].seq))
		return refuse("the two headers disagree", sl);
	rc = io->ops->size(io, &size);
	if (rc)
		return rc;
	if (size != geo_file_size(g)) {
		log_warnx("rpmb: not a usable device file: %" PRIu64
			  " bytes, its header says %" PRIu64,
			  size, geo_file_size(g));
		return -EUCLEAN;
	}
	return 0;
}

/*
 * Makes h the current header when its journal (if any) is intact: then
 * the commit it describes happened. Returns -EUCLEAN when it did not.
 */
static int store_adopt(struct rpmb_store *s, const struct store_hdr *h)
{
	int rc = 0;

	if (h->jstate == JOURNAL_PENDING)
		rc = journal_load(s, h);
	if (rc)
		return rc;
	s->cur = *h;
	if (h->jstate != JOURNAL_PENDING)
		return 0;
	if (s->read_only) {
		s->overlay = true;
		return 0;
	}
	return journal_replay(s);
}

/*
 * The newest header's commit never reached its commit point (its journal
 * is torn): erase that header so that it cannot come back to life if a
 * later journal write happened to restore its hash, then use the other.
 */
static int store_fall_back(struct rpmb_store *s, const struct slots *sl,
			   unsigned newest)
{
	uint8_t zero[HDR_LEN] = {0};
	int rc;

	if (sl->v[!newest] != HDR_OK)
		return refuse("the only header's journal is torn", sl);
	log_warnx("rpmb: discarding an unfinished commit (seq %" PRIu64 ")",
		  sl->h[newest].seq);
	rc = store_adopt(s, &sl->h[!newest]);
	if (rc == -EUCLEAN)
		return refuse("both journals are torn", sl);
	if (rc || s->read_only)
		return rc;
	rc = s->io->ops->write(s->io, zero, sizeof(zero), newest * SLOT_SIZE);
	if (rc == 0)
		rc = s->io->ops->sync(s->io);
	return rc;
}

static int store_recover(struct rpmb_store *s, const struct slots *sl)
{
	unsigned newest;
	int rc;

	if (sl->v[0] == HDR_OK && sl->v[1] == HDR_OK)
		newest = sl->h[1].seq > sl->h[0].seq;
	else
		newest = sl->v[1] == HDR_OK;
	s->data_off = geo_data_off(&sl->h[newest].geo);
	s->jsize = geo_jsize(&sl->h[newest].geo);
	s->journal = malloc(s->jsize);
	if (!s->journal)
		return -ENOMEM;
	rc = store_adopt(s, &sl->h[newest]);
	if (rc == -EUCLEAN)
		rc = store_fall_back(s, sl, newest);
	return rc;
}

int rpmb_store_open(struct rpmb_io *io, bool read_only, struct rpmb_store **out)
{
	struct rpmb_store *s;
	struct slots sl;
	int rc;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->io = io;
	s->read_only = read_only;
	rc = slots_read(io, &sl);
	if (rc == -EIO) { /* shorter than the two header slots */
		log_warnx("rpmb: not a usable device file: too short");
		rc = -EUCLEAN;
	}
	if (rc == 0)
		rc = slots_check(io, &sl);
	if (rc == 0)
		rc = store_recover(s, &sl);
	secmem_wipe(&sl, sizeof(sl));
	if (rc) {
		rpmb_store_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

void rpmb_store_close(struct rpmb_store *s)
{
	if (!s)
		return;
	free(s->journal);
	secmem_wipe(s, sizeof(*s));
	free(s);
}

const struct rpmb_store_geometry *
rpmb_store_geometry(const struct rpmb_store *s)
{
	return &s->cur.geo;
}

const struct rpmb_store_state *rpmb_store_state(const struct rpmb_store *s)
{
	return &s->cur.st;
}

uint32_t rpmb_store_blocks(const struct rpmb_store *s)
{
	return geo_blocks(&s->cur.geo);
}

uint64_t rpmb_store_seq(const struct rpmb_store *s)
{
	return s->cur.seq;
}

static bool range_ok(const struct rpmb_store *s, uint32_t blk, uint32_t n)
{
	uint32_t blocks = rpmb_store_blocks(s);

	return blk <= blocks && n <= blocks - blk;
}

int rpmb_store_read(struct rpmb_store *s, uint32_t blk, uint32_t n,
		    uint8_t *out, size_t stride)
{
	uint32_t i;
	int rc;

	if (s->broken)
		return -EIO;
	if (!range_ok(s, blk, n))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		uint8_t *dst = out + (size_t)i * stride;
		uint32_t b = blk + i;

		if (s->overlay && b >= s->cur.jaddr &&
		    b - s->cur.jaddr < s->cur.jcount) {
			memcpy(dst,
			       s->journal +
				   (size_t)(b - s->cur.jaddr) * RPMB_BLOCK_SIZE,
			       RPMB_BLOCK_SIZE);
			continue;
		}
		rc = s->io->ops->read(s->io, dst, RPMB_BLOCK_SIZE,
				      block_off(s, b));
		if (rc)
			return rc;
	}
	return 0;
}

/* Steps 1-2 of a commit: journal and header of the next slot, then sync. */
static int commit_record(struct rpmb_store *s, struct store_hdr *h,
			 const uint8_t *data, size_t stride)
{
	size_t len = (size_t)h->jcount * RPMB_BLOCK_SIZE;
	uint32_t i;
	int rc = 0;

	if (h->jcount) {
		for (i = 0; i < h->jcount; i++)
			memcpy(s->journal + (size_t)i * RPMB_BLOCK_SIZE,
			       data + (size_t)i * stride, RPMB_BLOCK_SIZE);
		rc = sha256(s->journal, len, h->jhash);
		if (rc == 0)
			rc = s->io->ops->write(s->io, s->journal, len,
					       journal_off(s, h->seq));
	}
	if (rc == 0)
		rc = hdr_write(s->io, h);
	if (rc == 0)
		rc = s->io->ops->sync(s->io);
	return rc;
}

/* Step 3: the committed blocks to their place, then sync. */
static int commit_apply(struct rpmb_store *s, const struct store_hdr *h)
{
	int rc;

	if (!h->jcount)
		return 0;
	rc = s->io->ops->write(s->io, s->journal,
			       (size_t)h->jcount * RPMB_BLOCK_SIZE,
			       block_off(s, h->jaddr));
	if (rc == 0)
		rc = s->io->ops->sync(s->io);
	return rc;
}

int rpmb_store_commit(struct rpmb_store *s, const struct rpmb_store_state *next,
		      uint32_t blk, uint32_t n, const uint8_t *data,
		      size_t stride)
{
	struct store_hdr h = s->cur;
	int rc;

	if (s->broken)
		return -EIO;
	if (s->read_only)
		return -EROFS;
	if (!range_ok(s, blk, n) ||
	    n > rpmb_max_write_blocks(s->cur.geo.rel_wr_sec_c))
		return -EINVAL;
	h.seq++;
	h.st = *next;
	if (!h.st.key_programmed)
		memset(h.st.key, 0, sizeof(h.st.key));
	h.jstate = n ? JOURNAL_PENDING : JOURNAL_NONE;
	h.jaddr = n ? blk : 0;
	h.jcount = n;
	memset(h.jhash, 0, sizeof(h.jhash));
	rc = commit_record(s, &h, data, stride);
	if (rc == 0) {
		s->cur = h;
		rc = commit_apply(s, &h);
	}
	secmem_wipe(&h, sizeof(h));
	if (rc) {
		log_warnx("rpmb: device file I/O failed (%s); device stopped",
			  strerror(-rc));
		s->broken = true;
	}
	return rc;
}
