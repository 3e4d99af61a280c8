/*
 * The file names tee-supplicant serves: only those the secure side uses
 * (docs/protocol-supplicant.md, "Names"). Everything else is refused with
 * TEE_ERROR_BAD_PARAMETERS before it reaches a system call, so no request
 * can leave the --fs-parent-path directory.
 */
#ifndef TEESTORE_SUPPL_NAME_H
#define TEESTORE_SUPPL_NAME_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True for len bytes at name (no NUL among them) that form
 *   base [ "." suffix ]
 * base   = "dirf.db" | 1..16 lowercase hex digits (OP-TEE file numbers)
 * suffix = 1..16 of [a-z0-9_] (temporary and side files, e.g. "1f.tmp")
 * or "corrupt-" followed by [0-9a-f-] (a corrupt object's file kept aside
 * by gpstore), and at most SUPPL_NAME_MAX bytes in all.
 */
bool suppl_name_valid(const char *name, size_t len);

#endif
