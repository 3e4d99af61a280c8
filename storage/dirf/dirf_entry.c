/* dirf.db's 120-byte entry and object file names (docs/engine.md). */
#include <string.h>

#include "bytes.h"
#include "dirf.h"
#include "uuid.h"

/* Entry layout: uuid 0:16, oid 16:64, oidlen 80:4, hash 84:32, fnum 116:4 */
#define ENT_UUID   0
#define ENT_OID	   16
#define ENT_OIDLEN 80
#define ENT_HASH   84
#define ENT_FNUM   116

void dirf_entry_encode(const struct dirf_entry *e, uint8_t raw[DIRF_ENTRY_SIZE])
{
	memset(raw, 0, DIRF_ENTRY_SIZE);
	uuid_to_octets(&e->uuid, raw + ENT_UUID);
	memcpy(raw + ENT_OID, e->oid, e->oid_len);
	/* OP-TEE marks an empty object ID as in use by oid[0] = 1. */
	if (!e->oid_len)
		raw[ENT_OID] = 1;
	put_le32(raw + ENT_OIDLEN, e->oid_len);
	memcpy(raw + ENT_HASH, e->hash, HTREE_HASH_SIZE);
	put_le32(raw + ENT_FNUM, e->file_number);
}

bool dirf_entry_decode(const uint8_t raw[DIRF_ENTRY_SIZE], struct dirf_entry *e)
{
	uint32_t len = get_le32(raw + ENT_OIDLEN);

	if (len > DIRF_OID_MAX)
		return false;
	if (!len && !raw[ENT_OID])
		return false;
	memset(e, 0, sizeof(*e));
	uuid_from_octets(raw + ENT_UUID, &e->uuid);
	e->oid_len = len;
	memcpy(e->oid, raw + ENT_OID, len);
	memcpy(e->hash, raw + ENT_HASH, HTREE_HASH_SIZE);
	e->file_number = get_le32(raw + ENT_FNUM);
	return true;
}

void dirf_fname(uint32_t fnum, char buf[DIRF_FNAME_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	char tmp[8];
	size_t n = 0, i;

	do {
		tmp[n++] = hex[fnum & 0xf];
		fnum >>= 4;
	} while (fnum);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
}

bool dirf_parse_fname(const char *name, uint32_t *fnum)
{
	size_t len = strlen(name), i;
	uint32_t v = 0;

	/* Exactly what dirf_fname() produces: no sign, no leading zero. */
	if (!len || len > 8 || (name[0] == '0' && len > 1))
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (c >= '0' && c <= '9')
			v = v << 4 | (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (uint32_t)(c - 'a' + 10);
		else
			return false;
	}
	*fnum = v;
	return true;
}
