/*
 * The fake backend (storage/backend/backend_fake.h): the backend.h
 * contract, then one test per durability rule of the power-loss model
 * (docs/crash-model.md), error injection, capacity, clone and tampering.
 */
#include <stdlib.h>

#include "backend_fake.h"
#include "conformance.h"
#include "tee_api_defines.h"
#include "test.h"

static struct backend *fake_new(void)
{
	struct backend *be = NULL;

	if (backend_fake_new(&be) != TEE_SUCCESS) {
		fprintf(stderr, "backend_fake_new failed\n");
		exit(2);
	}
	return be;
}

/* Creates name with data; `durable` adds SYNC and SYNC_DIR. */
static void put_file(struct backend *be, const char *name, const void *data,
		     size_t len, bool durable)
{
	uint32_t fh = conf_create_with(be, name, data, len);

	if (durable) {
		CHECK_EQ(backend_sync(be, fh), TEE_SUCCESS);
		CHECK_EQ(backend_sync_dir(be), TEE_SUCCESS);
	}
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
}

/* A clone of base, crashed now in mode and rebooted. */
static struct backend *crashed_clone(struct backend *base,
				     enum backend_fake_mode mode, uint64_t seed)
{
	struct backend *c = NULL;

	if (backend_fake_clone(base, &c) != TEE_SUCCESS) {
		fprintf(stderr, "backend_fake_clone failed\n");
		exit(2);
	}
	backend_fake_crash_now(c, mode, seed);
	CHECK_EQ(backend_fake_reboot(c), TEE_SUCCESS);
	return c;
}

static void test_fake_synced_write_survives_every_mode(void)
{
	struct backend *be = fake_new(), *c;
	uint8_t buf[8];
	int mode;

	put_file(be, "f", "old", 3, true);
	for (mode = BACKEND_FAKE_DROP; mode <= BACKEND_FAKE_TEAR; mode++) {
		c = crashed_clone(be, (enum backend_fake_mode)mode, 5);
		CHECK_EQ(conf_read_all(c, "f", buf, sizeof(buf)), 3);
		CHECK_MEM(buf, "old", 3);
		backend_destroy(c);
	}
	backend_destroy(be);
}

static void test_fake_unsynced_write_lost_under_drop_kept_under_keep(void)
{
	struct backend *be = fake_new(), *c;
	uint8_t buf[8];
	uint32_t fh;

	put_file(be, "f", "old", 3, true);
	REQUIRE(backend_open(be, "f", &fh) == TEE_SUCCESS);
	CHECK_EQ(backend_pwrite(be, fh, 0, "new!", 4), TEE_SUCCESS);
	/* Reads see the volatile state before any crash. */
	CHECK_EQ(conf_read_all(be, "f", buf, sizeof(buf)), 4);
	c = crashed_clone(be, BACKEND_FAKE_DROP, 0);
	CHECK_EQ(conf_read_all(c, "f", buf, sizeof(buf)), 3);
	CHECK_MEM(buf, "old", 3);
	backend_destroy(c);
	c = crashed_clone(be, BACKEND_FAKE_KEEP, 0);
	CHECK_EQ(conf_read_all(c, "f", buf, sizeof(buf)), 4);
	CHECK_MEM(buf, "new!", 4);
	backend_destroy(c);
	/* After SYNC even DROP keeps it. */
	CHECK_EQ(backend_sync(be, fh), TEE_SUCCESS);
	c = crashed_clone(be, BACKEND_FAKE_DROP, 0);
	CHECK_EQ(conf_read_all(c, "f", buf, sizeof(buf)), 4);
	CHECK_MEM(buf, "new!", 4);
	backend_destroy(c);
	backend_destroy(be);
}

static void test_fake_unsynced_truncate_follows_the_mode(void)
{
	struct backend *be = fake_new(), *c;
	static uint8_t data[1000], buf[1000];
	uint32_t fh;

	test_fill_pattern(data, sizeof(data), 3);
	put_file(be, "f", data, sizeof(data), true);
	REQUIRE(backend_open(be, "f", &fh) == TEE_SUCCESS);
	CHECK_EQ(backend_truncate(be, fh, 10), TEE_SUCCESS);
	c = crashed_clone(be, BACKEND_FAKE_DROP, 0);
	CHECK_EQ(conf_read_all(c, "f", buf, sizeof(buf)), 1000);
	CHECK_MEM(buf, data, 1000);
	backend_destroy(c);
	c = crashed_clone(be, BACKEND_FAKE_KEEP, 0);
	CHECK_EQ(conf_read_all(c, "f", buf, sizeof(buf)), 10);
	backend_destroy(c);
	backend_destroy(be);
}

/*
 * A pending unaligned write over synced data, torn with many seeds: each
 * 512-byte sector (aligned on file offsets) of the write is all old or
 * all new, bytes outside it never change, and both outcomes occur.
 */
static void test_fake_tear_is_sector_granular(void)
{
	enum { OFF = 100, LEN = 3000, SIZE = 4096 };
	static uint8_t old[SIZE], new[LEN], img[SIZE], again[SIZE];
	struct backend *be = fake_new(), *c;
	unsigned seen_old[8] = {0}, seen_new[8] = {0}, mixed = 0;
	uint64_t seed;
	uint32_t fh;

	test_fill_pattern(old, SIZE, 1);
	test_fill_pattern(new, LEN, 2);
	put_file(be, "f", old, SIZE, true);
	REQUIRE(backend_open(be, "f", &fh) == TEE_SUCCESS);
	CHECK_EQ(backend_pwrite(be, fh, OFF, new, LEN), TEE_SUCCESS);
	for (seed = 1; seed <= 64; seed++) {
		unsigned s, n_old = 0, n_new = 0;

		c = crashed_clone(be, BACKEND_FAKE_TEAR, seed);
		CHECK_EQ(conf_read_all(c, "f", img, SIZE), SIZE);
		CHECK_MEM(img, old, OFF);
		CHECK_MEM(img + OFF + LEN, old + OFF + LEN, SIZE - OFF - LEN);
		for (s = 0; s < 7; s++) {
			size_t lo = s * 512 < OFF ? OFF : s * 512;
			size_t hi = (s + 1) * 512 > OFF + LEN ? OFF + LEN
							      : (s + 1) * 512;
			bool is_old = !memcmp(img + lo, old + lo, hi - lo);
			bool is_new =
			    !memcmp(img + lo, new + (lo - OFF), hi - lo);

			CHECK(is_old || is_new); /* never a mix */
			seen_old[s] += is_old;
			seen_new[s] += is_new;
			n_old += is_old;
			n_new += is_new;
		}
		mixed += n_old && n_new;
		backend_destroy(c);
		/* The same seed gives the same image. */
		c = crashed_clone(be, BACKEND_FAKE_TEAR, seed);
		CHECK_EQ(conf_read_all(c, "f", again, SIZE), SIZE);
		CHECK_MEM(again, img, SIZE);
		backend_destroy(c);
	}
	for (unsigned s = 0; s < 7; s++)
		CHECK(seen_old[s] && seen_new[s]);
	CHECK(mixed > 0);
	backend_destroy(be);
}

/* A torn write that extends a file: the size covers the last surviving
 * sector; sectors before it that did not survive read as zeros. */
static void test_fake_tear_extending_write(void)
{
	static uint8_t data[2048], img[4096];
	static const uint8_t zero[512];
	struct backend *be = fake_new(), *c;
	unsigned sizes_seen = 0;
	uint64_t seed;
	uint32_t fh;

	test_fill_pattern(data, sizeof(data), 4);
	put_file(be, "f", "", 0, true);
	REQUIRE(backend_open(be, "f", &fh) == TEE_SUCCESS);
	CHECK_EQ(backend_pwrite(be, fh, 0, data, sizeof(data)), TEE_SUCCESS);
	for (seed = 1; seed <= 32; seed++) {
		long len;
		size_t s;

		c = crashed_clone(be, BACKEND_FAKE_TEAR, seed);
		len = conf_read_all(c, "f", img, sizeof(img));
		CHECK(len >= 0 && len <= 2048 && len % 512 == 0);
		sizes_seen |= 1u << (len / 512);
		for (s = 0; s + 512 <= (size_t)len; s += 512)
			CHECK(!memcmp(img + s, data + s, 512) ||
			      !memcmp(img + s, zero, 512));
		backend_destroy(c);
	}
	CHECK(sizes_seen & 1);	      /* nothing survived */
	CHECK(sizes_seen & (1 << 4)); /* the last sector survived */
	backend_destroy(be);
}

static void test_fake_create_without_sync_dir_is_lost(void)
{
	struct backend *be = fake_new(), *c;
	uint8_t buf[8];
	uint32_t fh;

	fh = conf_create_with(be, "f", "data", 4);
	CHECK_EQ(backend_sync(be, fh), TEE_SUCCESS); /* data, not the name */
	c = crashed_clone(be, BACKEND_FAKE_DROP, 0);
	CHECK_EQ(conf_read_all(c, "f", buf, sizeof(buf)), -1);
	CHECK_EQ(conf_count(c), 0);
	backend_destroy(c);
	c = crashed_clone(be, BACKEND_FAKE_KEEP, 0);
	CHECK_EQ(conf_read_all(c, "f", buf, sizeof(buf)), 4);
	backend_destroy(c);
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	backend_destroy(be);

	/* The other way round: the name is durable, the data is not. */
	be = fake_new();
	fh = conf_create_with(be, "f", "data", 4);
	CHECK_EQ(backend_sync_dir(be), TEE_SUCCESS);
	c = crashed_clone(be, BACKEND_FAKE_DROP, 0);
	CHECK_EQ(conf_read_all(c, "f", buf, sizeof(buf)), 0);
	backend_destroy(c);
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	backend_destroy(be);
}

static void test_fake_remove_durability(void)
{
	struct backend *be = fake_new(), *c;
	uint8_t buf[8];

	put_file(be, "f", "data", 4, true);
	CHECK_EQ(backend_remove(be, "f"), TEE_SUCCESS);
	c = crashed_clone(be, BACKEND_FAKE_DROP, 0);
	CHECK_EQ(conf_read_all(c, "f", buf, sizeof(buf)), 4); /* back */
	CHECK_MEM(buf, "data", 4);
	backend_destroy(c);
	c = crashed_clone(be, BACKEND_FAKE_KEEP, 0);
	CHECK_EQ(conf_read_all(c, "f", buf, sizeof(buf)), -1);
	backend_destroy(c);
	CHECK_EQ(backend_sync_dir(be), TEE_SUCCESS);
	c = crashed_clone(be, BACKEND_FAKE_DROP, 0);
	CHECK_EQ(conf_read_all(c, "f", buf, sizeof(buf)), -1);
	backend_destroy(c);
	backend_destroy(be);
}

static void test_fake_rename_durability(void)
{
	struct backend *be = fake_new(), *c;
	uint8_t buf[8];

	put_file(be, "a", "AAA", 3, true);
	put_file(be, "b", "BB", 2, true);
	CHECK_EQ(backend_rename(be, "a", "b", true), TEE_SUCCESS);
	/* Not dir-synced: the old names and contents come back. */
	c = crashed_clone(be, BACKEND_FAKE_DROP, 0);
	CHECK_EQ(conf_read_all(c, "a", buf, sizeof(buf)), 3);
	CHECK_EQ(conf_read_all(c, "b", buf, sizeof(buf)), 2);
	CHECK_MEM(buf, "BB", 2);
	backend_destroy(c);
	c = crashed_clone(be, BACKEND_FAKE_KEEP, 0);
	CHECK_EQ(conf_read_all(c, "a", buf, sizeof(buf)), -1);
	CHECK_EQ(conf_read_all(c, "b", buf, sizeof(buf)), 3);
	CHECK_MEM(buf, "AAA", 3);
	backend_destroy(c);
	/* Dir-synced: the rename survives anything. */
	CHECK_EQ(backend_sync_dir(be), TEE_SUCCESS);
	c = crashed_clone(be, BACKEND_FAKE_DROP, 0);
	CHECK_EQ(conf_read_all(c, "a", buf, sizeof(buf)), -1);
	CHECK_EQ(conf_read_all(c, "b", buf, sizeof(buf)), 3);
	CHECK_MEM(buf, "AAA", 3);
	CHECK_EQ(conf_count(c), 1);
	backend_destroy(c);
	backend_destroy(be);
}

struct names3 {
	bool x, y, z;
	size_t n;
};

static int names3_cb(void *arg, const char *name)
{
	struct names3 *s = arg;

	s->x |= !strcmp(name, "x");
	s->y |= !strcmp(name, "y");
	s->z |= !strcmp(name, "z");
	s->n++;
	return 0;
}

/* Pending creates survive or not independently under TEAR. */
static void test_fake_tear_namespace(void)
{
	struct backend *be = fake_new(), *c;
	unsigned subsets = 0;
	uint64_t seed;

	put_file(be, "x", "1", 1, false);
	put_file(be, "y", "2", 1, false);
	put_file(be, "z", "3", 1, false);
	for (seed = 1; seed <= 64; seed++) {
		struct names3 s = {false, false, false, 0};

		c = crashed_clone(be, BACKEND_FAKE_TEAR, seed);
		CHECK_EQ(backend_list(c, names3_cb, &s), TEE_SUCCESS);
		CHECK_EQ(s.n, (unsigned)s.x + s.y + s.z); /* nothing else */
		subsets |= 1u << (s.x | s.y << 1 | s.z << 2);
		backend_destroy(c);
	}
	CHECK_EQ(subsets, 0xff); /* all 8 subsets occur */
	backend_destroy(be);
}

static void test_fake_counts_events(void)
{
	struct backend *be = fake_new();
	struct backend_fake_stats st;
	uint8_t buf[4];
	uint32_t fh, fh2;

	CHECK_EQ(backend_fake_event_count(be), 0);
	CHECK_EQ(backend_create(be, "f", &fh), TEE_SUCCESS);	     /* 1 */
	CHECK_EQ(backend_pwrite(be, fh, 0, "abcd", 4), TEE_SUCCESS); /* 2 */
	CHECK_EQ(backend_truncate(be, fh, 2), TEE_SUCCESS);	     /* 3 */
	CHECK_EQ(backend_sync(be, fh), TEE_SUCCESS);		     /* 4 */
	CHECK_EQ(backend_sync_dir(be), TEE_SUCCESS);		     /* 5 */
	CHECK_EQ(backend_rename(be, "f", "g", false), TEE_SUCCESS);  /* 6 */
	CHECK_EQ(backend_fake_event_count(be), 6);
	/* Not events: reads, open, close, list. */
	CHECK_EQ(backend_pread(be, fh, 0, buf, 4, NULL), TEE_SUCCESS);
	CHECK_EQ(backend_open(be, "g", &fh2), TEE_SUCCESS);
	CHECK_EQ(backend_close(be, fh2), TEE_SUCCESS);
	CHECK_EQ(conf_count(be), 1);
	CHECK_EQ(backend_fake_event_count(be), 6);
	/* create of an existing name is a truncate: still one event. */
	CHECK_EQ(backend_create(be, "g", &fh2), TEE_SUCCESS); /* 7 */
	CHECK_EQ(backend_remove(be, "g"), TEE_SUCCESS);	      /* 8 */
	CHECK_EQ(backend_fake_event_count(be), 8);
	/* Calls refused for their arguments are not events. */
	CHECK_EQ(backend_remove(be, "a/b"), TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(backend_pwrite(be, 999, 0, "x", 1), TEE_ERROR_BAD_PARAMETERS);
	CHECK_EQ(backend_fake_event_count(be), 8);
	backend_fake_get_stats(be, &st);
	CHECK_EQ(st.events, 8);
	CHECK_EQ(st.creates, 1);
	CHECK_EQ(st.writes, 1);
	CHECK_EQ(st.bytes_written, 4);
	CHECK_EQ(st.truncates, 2);
	CHECK_EQ(st.syncs, 1);
	CHECK_EQ(st.sync_dirs, 1);
	CHECK_EQ(st.renames, 1);
	CHECK_EQ(st.removes, 1);
	CHECK_EQ(st.reads, 1);
	CHECK_EQ(st.bytes_read, 2);
	/* write, truncate, sync, sync_dir, read, the refused write */
	CHECK_EQ(st.submits, 6);
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	CHECK_EQ(backend_close(be, fh2), TEE_SUCCESS);
	backend_destroy(be);
}

static void test_fake_crash_at_stops_event_n(void)
{
	struct backend *be = fake_new();
	uint8_t buf[16];
	uint32_t fh, fh2;

	put_file(be, "f", "", 0, true); /* events 1..3 */
	REQUIRE(backend_open(be, "f", &fh) == TEE_SUCCESS);
	backend_fake_set_crash_at(be, 5, BACKEND_FAKE_KEEP, 0);
	CHECK_EQ(backend_pwrite(be, fh, 0, "one", 3), TEE_SUCCESS); /* 4 */
	CHECK(!backend_fake_powered_off(be));
	/* Event 5 is the power loss: it does not happen. */
	CHECK_EQ(backend_pwrite(be, fh, 3, "two", 3),
		 TEE_ERROR_STORAGE_NOT_AVAILABLE);
	CHECK(backend_fake_powered_off(be));
	/* Everything fails from now on, reads and opens included. */
	CHECK_EQ(backend_pread(be, fh, 0, buf, 3, NULL),
		 TEE_ERROR_STORAGE_NOT_AVAILABLE);
	CHECK_EQ(backend_open(be, "f", &fh2), TEE_ERROR_STORAGE_NOT_AVAILABLE);
	CHECK_EQ(backend_create(be, "g", &fh2),
		 TEE_ERROR_STORAGE_NOT_AVAILABLE);
	CHECK_EQ(backend_remove(be, "f"), TEE_ERROR_STORAGE_NOT_AVAILABLE);
	CHECK_EQ(backend_sync(be, fh), TEE_ERROR_STORAGE_NOT_AVAILABLE);
	CHECK_EQ(backend_list(be, names3_cb, &(struct names3){0}),
		 TEE_ERROR_STORAGE_NOT_AVAILABLE);
	CHECK_EQ(backend_close(be, fh), TEE_ERROR_STORAGE_NOT_AVAILABLE);
	CHECK_EQ(backend_fake_reboot(be), TEE_SUCCESS);
	/* KEEP: event 4 (pending) survived, event 5 never happened. */
	CHECK_EQ(conf_read_all(be, "f", buf, sizeof(buf)), 3);
	CHECK_MEM(buf, "one", 3);
	backend_destroy(be);
}

/* The power can fail in the middle of one submit(). */
static void test_fake_crash_inside_a_batch(void)
{
	struct backend *be = fake_new();
	uint8_t buf[16];
	uint32_t fh;
	struct backend_op ops[3];

	put_file(be, "f", "", 0, true); /* events 1..3 */
	REQUIRE(backend_open(be, "f", &fh) == TEE_SUCCESS);
	ops[0] = (struct backend_op){BACKEND_OP_WRITE, fh, 0, "aa", 2, 0};
	ops[1] = (struct backend_op){BACKEND_OP_WRITE, fh, 2, "bb", 2, 0};
	ops[2] = (struct backend_op){BACKEND_OP_SYNC, fh, 0, NULL, 0, 0};
	backend_fake_set_crash_at(be, 5, BACKEND_FAKE_KEEP, 0);
	CHECK_EQ(backend_submit(be, ops, 3), TEE_ERROR_STORAGE_NOT_AVAILABLE);
	CHECK_EQ(backend_fake_reboot(be), TEE_SUCCESS);
	CHECK_EQ(conf_read_all(be, "f", buf, sizeof(buf)), 2);
	CHECK_MEM(buf, "aa", 2);
	backend_destroy(be);
}

static void test_fake_reboot_resets_handles_and_counter(void)
{
	struct backend *be = fake_new();
	uint8_t buf[8];
	uint32_t fh;

	put_file(be, "f", "dur", 3, true);
	REQUIRE(backend_open(be, "f", &fh) == TEE_SUCCESS);
	CHECK_EQ(backend_pwrite(be, fh, 0, "vol", 3), TEE_SUCCESS);
	backend_fake_set_crash_at(be, 100, BACKEND_FAKE_KEEP, 0);
	/* A reboot without a crash is a power cut in DROP mode. */
	CHECK_EQ(backend_fake_reboot(be), TEE_SUCCESS);
	CHECK(!backend_fake_powered_off(be));
	CHECK_EQ(backend_fake_event_count(be), 0);
	CHECK_EQ(backend_sync(be, fh), TEE_ERROR_BAD_PARAMETERS); /* closed */
	CHECK_EQ(conf_read_all(be, "f", buf, sizeof(buf)), 3);
	CHECK_MEM(buf, "dur", 3);
	/* The crash point was disarmed by the reboot. */
	for (int i = 0; i < 120; i++)
		put_file(be, "g", "x", 1, false);
	CHECK(!backend_fake_powered_off(be));
	backend_destroy(be);
}

static void test_fake_clone_is_independent(void)
{
	struct backend *be = fake_new(), *c = NULL;
	uint8_t buf[8];
	uint32_t fh;

	put_file(be, "f", "base", 4, true);
	REQUIRE(backend_open(be, "f", &fh) == TEE_SUCCESS);
	CHECK_EQ(backend_pwrite(be, fh, 0, "PEND", 4), TEE_SUCCESS);
	REQUIRE(backend_fake_clone(be, &c) == TEE_SUCCESS);
	CHECK_EQ(backend_fake_event_count(c), backend_fake_event_count(be));
	/* The open handle is cloned too. */
	CHECK_EQ(backend_pwrite(c, fh, 0, "clon", 4), TEE_SUCCESS);
	CHECK_EQ(backend_pwrite(be, fh, 0, "orig", 4), TEE_SUCCESS);
	put_file(c, "only-in-clone", "", 0, true);
	CHECK_EQ(conf_read_all(be, "f", buf, sizeof(buf)), 4);
	CHECK_MEM(buf, "orig", 4);
	CHECK_EQ(conf_read_all(c, "f", buf, sizeof(buf)), 4);
	CHECK_MEM(buf, "clon", 4);
	CHECK_EQ(conf_count(be), 1);
	CHECK_EQ(conf_count(c), 2);
	/* Crashes are independent too. */
	backend_fake_crash_now(be, BACKEND_FAKE_DROP, 0);
	CHECK_EQ(backend_pwrite(c, fh, 4, "!", 1), TEE_SUCCESS);
	CHECK_EQ(backend_fake_reboot(be), TEE_SUCCESS);
	CHECK_EQ(conf_read_all(be, "f", buf, sizeof(buf)), 4);
	CHECK_MEM(buf, "base", 4);
	backend_destroy(be);
	/* The clone outlives the original. */
	CHECK_EQ(conf_read_all(c, "f", buf, sizeof(buf)), 5);
	CHECK_MEM(buf, "clon!", 5);
	backend_destroy(c);
}

static void test_fake_fail_at_injects_one_error(void)
{
	struct backend *be = fake_new();
	uint8_t buf[8];
	uint32_t fh = conf_create_with(be, "f", "", 0); /* event 1 */

	backend_fake_set_fail_at(be, 3, TEE_ERROR_STORAGE_NO_SPACE);
	CHECK_EQ(backend_pwrite(be, fh, 0, "ab", 2), TEE_SUCCESS); /* 2 */
	CHECK_EQ(backend_pwrite(be, fh, 2, "cd", 2),
		 TEE_ERROR_STORAGE_NO_SPACE); /* 3: no effect */
	CHECK(!backend_fake_powered_off(be));
	CHECK_EQ(backend_pwrite(be, fh, 4, "ef", 2), TEE_SUCCESS); /* 4 */
	CHECK_EQ(conf_read_all(be, "f", buf, sizeof(buf)), 6);
	CHECK_MEM(buf, "ab\0\0ef", 6);
	/* Any event kind can fail: here a rename. */
	backend_fake_set_fail_at(be, 5, TEE_ERROR_STORAGE_NOT_AVAILABLE);
	CHECK_EQ(backend_rename(be, "f", "g", true),
		 TEE_ERROR_STORAGE_NOT_AVAILABLE);
	CHECK_EQ(conf_count(be), 1);
	CHECK_EQ(conf_read_all(be, "f", buf, sizeof(buf)), 6);
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	backend_destroy(be);
}

static void test_fake_capacity_is_a_full_disk(void)
{
	struct backend *be = fake_new();
	static uint8_t data[1000], buf[1000];
	uint32_t fh, fh2;

	backend_fake_set_capacity(be, 1000);
	fh = conf_create_with(be, "f", data, 800);
	CHECK_EQ(backend_pwrite(be, fh, 700, data, 301),
		 TEE_ERROR_STORAGE_NO_SPACE);
	CHECK_EQ(conf_read_all(be, "f", buf, sizeof(buf)), 800);
	CHECK_EQ(backend_truncate(be, fh, 1001), TEE_ERROR_STORAGE_NO_SPACE);
	/* Overwriting in place needs no space. */
	CHECK_EQ(backend_pwrite(be, fh, 0, data, 800), TEE_SUCCESS);
	/* Other files share the same disk. */
	CHECK_EQ(backend_create(be, "g", &fh2), TEE_SUCCESS);
	CHECK_EQ(backend_pwrite(be, fh2, 0, data, 201),
		 TEE_ERROR_STORAGE_NO_SPACE);
	CHECK_EQ(backend_pwrite(be, fh2, 0, data, 200), TEE_SUCCESS);
	/* Shrinking frees space. */
	CHECK_EQ(backend_truncate(be, fh, 100), TEE_SUCCESS);
	CHECK_EQ(backend_pwrite(be, fh2, 200, data, 700), TEE_SUCCESS);
	backend_fake_set_capacity(be, 0);
	CHECK_EQ(backend_pwrite(be, fh2, 0, data, 1000), TEE_SUCCESS);
	CHECK_EQ(backend_close(be, fh), TEE_SUCCESS);
	CHECK_EQ(backend_close(be, fh2), TEE_SUCCESS);
	backend_destroy(be);
}

static void test_fake_file_data_and_set(void)
{
	struct backend *be = fake_new(), *c;
	uint8_t *p, buf[8];
	size_t len;

	put_file(be, "f", "abcd", 4, true);
	CHECK_EQ(backend_fake_file_data(be, "f", &p, &len), TEE_SUCCESS);
	REQUIRE(len == 4 && p != NULL);
	CHECK_MEM(p, "abcd", 4);
	p[1] ^= 0x20; /* tamper */
	CHECK_EQ(conf_read_all(be, "f", buf, sizeof(buf)), 4);
	CHECK_MEM(buf, "aBcd", 4);
	CHECK_EQ(backend_fake_file_data(be, "nope", &p, &len),
		 TEE_ERROR_ITEM_NOT_FOUND);
	CHECK_EQ(backend_fake_file_data(be, "..", &p, &len),
		 TEE_ERROR_BAD_PARAMETERS);
	/* file_set is an offline edit: durable at once, name included. */
	CHECK_EQ(backend_fake_file_set(be, "f", "xy", 2), TEE_SUCCESS);
	CHECK_EQ(backend_fake_file_set(be, "new", "zzz", 3), TEE_SUCCESS);
	c = crashed_clone(be, BACKEND_FAKE_DROP, 0);
	CHECK_EQ(conf_read_all(c, "f", buf, sizeof(buf)), 2);
	CHECK_MEM(buf, "xy", 2);
	CHECK_EQ(conf_read_all(c, "new", buf, sizeof(buf)), 3);
	CHECK_EQ(backend_fake_event_count(be), 4); /* put_file's only */
	backend_destroy(c);
	backend_destroy(be);
}

/*
 * What the fake proves, in miniature: the classic atomic replace (write a
 * temporary file, sync it, rename it over the target, sync the directory)
 * leaves the target old or new after a crash at every event, in every
 * mode; the same protocol without the data sync is caught.
 */
static unsigned replace_violations(bool sync_data)
{
	static uint8_t old[3000], new[3000], buf[4000];
	struct backend *be = fake_new(), *c;
	unsigned bad = 0;
	uint64_t n, events, seed;
	int mode;

	test_fill_pattern(old, sizeof(old), 7);
	test_fill_pattern(new, sizeof(new), 8);
	put_file(be, "target", old, sizeof(old), true);
	events = backend_fake_event_count(be);
	for (n = events + 1; n <= events + 6; n++) {
		for (mode = 0; mode <= BACKEND_FAKE_TEAR; mode++) {
			for (seed = 1; seed <= 8; seed++) {
				uint32_t fh;
				long len;

				if (backend_fake_clone(be, &c))
					return 1000;
				backend_fake_set_crash_at(
				    c, n, (enum backend_fake_mode)mode, seed);
				/* The workload; errors after the crash are
				 * expected. */
				if (!backend_create(c, "tmp", &fh)) {
					(void)backend_pwrite(c, fh, 0, new,
							     sizeof(new));
					if (sync_data)
						(void)backend_sync(c, fh);
					(void)backend_rename(c, "tmp", "target",
							     true);
					(void)backend_sync_dir(c);
				}
				backend_fake_crash_now(
				    c, (enum backend_fake_mode)mode, seed);
				(void)backend_fake_reboot(c);
				len = conf_read_all(c, "target", buf,
						    sizeof(buf));
				if (!(len == sizeof(old) &&
				      !memcmp(buf, old, sizeof(old))) &&
				    !(len == sizeof(new) &&
				      !memcmp(buf, new, sizeof(new))))
					bad++;
				backend_destroy(c);
			}
		}
	}
	backend_destroy(be);
	return bad;
}

static void test_fake_proves_atomic_replace(void)
{
	CHECK_EQ(replace_violations(true), 0);
	CHECK(replace_violations(false) > 0);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		printf("usage: %s\nTests the crash-simulating fake backend.\n",
		       argv[0]);
		return strcmp(argv[1], "--help") ? 2 : 0;
	}
	conformance_run(fake_new);
	RUN(test_fake_synced_write_survives_every_mode);
	RUN(test_fake_unsynced_write_lost_under_drop_kept_under_keep);
	RUN(test_fake_unsynced_truncate_follows_the_mode);
	RUN(test_fake_tear_is_sector_granular);
	RUN(test_fake_tear_extending_write);
	RUN(test_fake_create_without_sync_dir_is_lost);
	RUN(test_fake_remove_durability);
	RUN(test_fake_rename_durability);
	RUN(test_fake_tear_namespace);
	RUN(test_fake_counts_events);
	RUN(test_fake_crash_at_stops_event_n);
	RUN(test_fake_crash_inside_a_batch);
	RUN(test_fake_reboot_resets_handles_and_counter);
	RUN(test_fake_clone_is_independent);
	RUN(test_fake_fail_at_injects_one_error);
	RUN(test_fake_capacity_is_a_full_disk);
	RUN(test_fake_file_data_and_set);
	RUN(test_fake_proves_atomic_replace);
	return test_report();
}
