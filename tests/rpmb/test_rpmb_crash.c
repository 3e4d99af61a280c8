/*
 * Power cut at every write and sync of the RPMB device file, with the
 * un-synced writes dropped, kept or torn: after the reboot the device
 * shows exactly the state after the last acknowledged operation or after
 * the one in flight (never a mix, never an older counter), also when
 * power fails again during the recovery, and keeps working.
 */
#include <errno.h>
#include <stdlib.h>

#include "crash_io.h"
#include "rpmb_dev.h"
#include "rpmb_dev_test.h"
#include "rpmb_host.h"
#include "test.h"

#define BLOCKS	 512 /* size_mult 1 */
#define DATA_LEN (BLOCKS * RPMB_BLOCK_SIZE)

enum op_kind { OP_KEY, OP_WRITE };

struct op {
	enum op_kind kind;
	uint16_t addr, n;
};

/* Key program, then writes: single, maximal (8), overlapping, at the end. */
static const struct op ops[] = {
    {OP_KEY, 0, 0},    {OP_WRITE, 0, 1},   {OP_WRITE, 10, 8},
    {OP_WRITE, 12, 3}, {OP_WRITE, 504, 8}, {OP_WRITE, 0, 1},
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

struct model {
	bool key;
	uint32_t counter;
	uint8_t data[DATA_LEN];
};

static const uint8_t key[RPMB_KEY_SIZE] = "crash-test-key-0123456789abcdef";
static struct model states[NOPS + 1];
static struct rpmb_dev_config cfg = {
    .size_mult = 1, .rel_wr_sec_c = 4, .create = true};
static unsigned runs, reboots_new, reboots_old;

static void op_data(size_t i, uint8_t *buf)
{
	test_fill_pattern(buf, (size_t)ops[i].n * RPMB_BLOCK_SIZE, 100 + i);
}

static void build_models(void)
{
	uint8_t buf[8 * RPMB_BLOCK_SIZE];
	size_t i;

	memset(&states[0], 0, sizeof(states[0]));
	for (i = 0; i < NOPS; i++) {
		states[i + 1] = states[i];
		if (ops[i].kind == OP_KEY) {
			states[i + 1].key = true;
			continue;
		}
		op_data(i, buf);
		memcpy(states[i + 1].data + ops[i].addr * RPMB_BLOCK_SIZE, buf,
		       (size_t)ops[i].n * RPMB_BLOCK_SIZE);
		states[i + 1].counter++;
	}
}

/* Runs the workload until the disk dies; returns the acknowledged ops. */
static size_t run_ops(struct rpmb_dev *d)
{
	uint8_t buf[8 * RPMB_BLOCK_SIZE];
	uint32_t ctr = 0;
	size_t i;
	int r;

	for (i = 0; i < NOPS; i++) {
		if (ops[i].kind == OP_KEY) {
			r = host_program_key(d, key);
		} else {
			op_data(i, buf);
			r = host_write(d, key, ops[i].addr, buf, ops[i].n,
				       &ctr);
		}
		if (r == -EIO)
			break;
		CHECK_EQ(r, RPMB_RESULT_OK);
		if (r != RPMB_RESULT_OK)
			break;
	}
	return i;
}

/* What the device shows, read through the protocol. */
static bool observe(struct rpmb_dev *d, struct model *m)
{
	int r;

	memset(m, 0, sizeof(*m));
	r = host_read_counter(d, key, &m->counter);
	if (r == RPMB_RESULT_KEY_NOT_PROGRAMMED)
		return m->counter == 0; /* data unreadable, and never written */
	m->key = true;
	return r == RPMB_RESULT_OK &&
	       host_read(d, key, 0, m->data, BLOCKS) == RPMB_RESULT_OK;
}

/* Index of the model state the device shows among acked and acked + 1. */
static int match_state(struct rpmb_dev *d, size_t acked)
{
	static struct model m;
	size_t i;

	if (!observe(d, &m))
		return -1;
	for (i = acked; i <= acked + 1 && i <= NOPS; i++)
		if (m.key == states[i].key && m.counter == states[i].counter &&
		    memcmp(m.data, states[i].data, DATA_LEN) == 0)
			return (int)i;
	return -1;
}

static struct rpmb_dev *boot(struct crash_disk *disk)
{
	struct rpmb_dev *d = NULL;

	return rpmb_dev_open_io(crash_disk_io(disk), &cfg, &d) == 0 ? d : NULL;
}

/* A second power cut at each event of the recovery must not change what
 * the recovery decides. */
static void check_recovery_crashes(const struct crash_disk *crashed, int expect,
				   size_t acked, uint64_t seed)
{
	long j;

	for (j = 0;; j++) {
		struct crash_disk *disk = crash_disk_reboot(crashed), *again;
		struct rpmb_dev *d;

		crash_disk_arm(disk, j, CRASH_TEAR, seed + (uint64_t)j);
		d = boot(disk);
		if (d) {
			rpmb_dev_close(d);
			crash_disk_free(disk);
			break;
		}
		CHECK(crash_disk_crashed(disk));
		again = crash_disk_reboot(disk);
		d = boot(again);
		CHECK(d != NULL);
		if (d)
			CHECK_EQ(match_state(d, acked), expect);
		rpmb_dev_close(d);
		crash_disk_free(again);
		crash_disk_free(disk);
	}
}

/* After the reboot the device takes further writes, durably. */
static void check_still_works(struct crash_disk *disk, int state)
{
	uint8_t blk[RPMB_BLOCK_SIZE], out[RPMB_BLOCK_SIZE];
	uint32_t ctr = states[state].counter;
	struct rpmb_dev *d = boot(disk);

	if (!states[state].key)
		CHECK_EQ(host_program_key(d, key), RPMB_RESULT_OK);
	memset(blk, 0xee, sizeof(blk));
	CHECK_EQ(host_write(d, key, 300, blk, 1, &ctr), RPMB_RESULT_OK);
	rpmb_dev_close(d);
	d = boot(disk);
	REQUIRE(d);
	CHECK_EQ(host_read_counter(d, key, &ctr), RPMB_RESULT_OK);
	CHECK_EQ(ctr, states[state].counter + 1);
	CHECK_EQ(host_read(d, key, 300, out, 1), RPMB_RESULT_OK);
	CHECK_MEM(out, blk, sizeof(blk));
	rpmb_dev_close(d);
}

/* One run: power cut at event k; false once the workload completes. */
static bool crash_run(const struct crash_disk *base, long k,
		      enum crash_mode mode, uint64_t seed)
{
	struct crash_disk *disk = crash_disk_reboot(base), *after;
	struct rpmb_dev *d = boot(disk);
	size_t acked;
	int state;

	crash_disk_arm(disk, k, mode, seed);
	acked = run_ops(d);
	rpmb_dev_close(d);
	if (!crash_disk_crashed(disk)) {
		CHECK_EQ(acked, NOPS);
		crash_disk_free(disk);
		return false;
	}
	runs++;
	after = crash_disk_reboot(disk);
	d = boot(after);
	CHECK(d != NULL);
	state = d ? match_state(d, acked) : -1;
	if (state < 0)
		fprintf(stderr,
			"crash at event %ld (mode %d seed %llu): "
			"device shows neither state %zu nor %zu\n",
			k, mode, (unsigned long long)seed, acked, acked + 1);
	CHECK(state >= 0);
	rpmb_dev_close(d);
	if (state >= 0) {
		if ((size_t)state == acked)
			reboots_old++;
		else
			reboots_new++;
		check_recovery_crashes(disk, state, acked, seed * 1000 + 7);
		check_still_works(after, state);
	}
	crash_disk_free(after);
	crash_disk_free(disk);
	return true;
}

static void crash_every_event(enum crash_mode mode, uint64_t seed)
{
	struct crash_disk *base = crash_disk_new();
	struct rpmb_dev *d = boot(base); /* formats the empty disk */
	long k;

	REQUIRE(d);
	rpmb_dev_close(d);
	for (k = 0; crash_run(base, k, mode, seed); k++)
		;
	CHECK(k >= (long)(2 + 5 * (NOPS - 1))); /* every event was hit */
	crash_disk_free(base);
}

static void test_rpmb_crash_drop_unsynced(void)
{
	crash_every_event(CRASH_DROP, 0);
}

static void test_rpmb_crash_keep_unsynced(void)
{
	crash_every_event(CRASH_KEEP, 0);
}

static void test_rpmb_crash_tear_unsynced(void)
{
	uint64_t seed;

	for (seed = 1; seed <= 6; seed++)
		crash_every_event(CRASH_TEAR, seed);
}

int main(void)
{
	build_models();
	RUN(test_rpmb_crash_drop_unsynced);
	RUN(test_rpmb_crash_keep_unsynced);
	RUN(test_rpmb_crash_tear_unsynced);
	fprintf(stderr, "%u power cuts: %u showed the old state, %u the new\n",
		runs, reboots_old, reboots_new);
	/* Both outcomes must occur, or the test proves less than it says. */
	CHECK(reboots_old > 0 && reboots_new > 0);
	return test_report();
}
