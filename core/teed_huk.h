/*
 * teed's hardware unique key: the root of every storage key (HUK -> SSK ->
 * TSK -> FEK, docs/teed.md). Loaded once at start-up from --huk-file (raw
 * 16 or 32 bytes), or from <state-dir>/huk (generated at first start: 16
 * random bytes, OP-TEE's HW_UNIQUE_KEY_LENGTH, mode 0600), or 16 zero
 * bytes with --huk-zero (what OP-TEE on QEMU uses). It lives in one locked
 * buffer of this module, never in logs, and is wiped at exit.
 */
#ifndef TEESTORE_TEED_HUK_H
#define TEESTORE_TEED_HUK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEED_HUK_MAX 32

/*
 * Loads the HUK: huk_file if given, else the all-zero key if zero, else
 * <state_dir>/huk (created if missing; refused if readable by group or
 * others). Returns 0 or -errno; reports the cause with log_warnx.
 */
int teed_huk_load(const char *state_dir, const char *huk_file, bool zero);

/*
 * Copies the HUK to out; *len gives out's capacity and receives the key
 * length. Returns 0, -ENOENT before teed_huk_load, -ENOSPC if it does not
 * fit. The caller wipes its copy (secmem_wipe) when done.
 */
int teed_huk(uint8_t *out, size_t *len);

void teed_huk_wipe(void);

#endif
