/*
 * TEE_UUID conversions. The string form is RFC 4122
 * ("f4e750bb-1437-4fbf-8785-8d3580c34994"); the octet form is the 16 bytes
 * of TEE_UUID in memory as OP-TEE lays it out (timeLow, timeMid and
 * timeHiAndVersion little-endian), which is what dirf.db and the key
 * derivation use.
 */
#ifndef TEESTORE_UUID_H
#define TEESTORE_UUID_H

#include <stdbool.h>
#include "tee_api_types.h"

#define UUID_STR_LEN 36 /* without the NUL */

/* Returns false for anything but exactly 36 characters of canonical form. */
bool uuid_parse(const char *s, TEE_UUID *out);
/* buf must hold UUID_STR_LEN + 1 bytes; lowercase. */
void uuid_format(const TEE_UUID *u, char *buf);
void uuid_to_octets(const TEE_UUID *u, uint8_t out[16]);
void uuid_from_octets(const uint8_t in[16], TEE_UUID *u);
bool uuid_equal(const TEE_UUID *a, const TEE_UUID *b);

#endif
