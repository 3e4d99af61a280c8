#include "uuid.h"

#include <stdio.h>
#include <string.h>
#include "bytes.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool uuid_parse(const char *s, TEE_UUID *out)
{
	uint8_t be[16];
	size_t i, n = 0;

	if (!s || strlen(s) != UUID_STR_LEN)
		return false;
	for (i = 0; i < UUID_STR_LEN;) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
			i++;
			continue;
		}
		hi = hexval(s[i]);
		lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		be[n++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	out->timeLow = get_be32(be);
	out->timeMid = get_be16(be + 4);
	out->timeHiAndVersion = get_be16(be + 6);
	memcpy(out->clockSeqAndNode, be + 8, 8);
	return true;
}

void uuid_format(const TEE_UUID *u, char *buf)
{
	const uint8_t *c = u->clockSeqAndNode;

	snprintf(buf, UUID_STR_LEN + 1,
		 "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u->timeLow, u->timeMid, u->timeHiAndVersion, c[0], c[1], c[2],
		 c[3], c[4], c[5], c[6], c[7]);
}

void uuid_to_octets(const TEE_UUID *u, uint8_t out[16])
{
	put_le32(out, u->timeLow);
	put_le16(out + 4, u->timeMid);
	put_le16(out + 6, u->timeHiAndVersion);
	memcpy(out + 8, u->clockSeqAndNode, 8);
}

void uuid_from_octets(const uint8_t in[16], TEE_UUID *u)
{
	u->timeLow = get_le32(in);
	u->timeMid = get_le16(in + 4);
	u->timeHiAndVersion = get_le16(in + 6);
	memcpy(u->clockSeqAndNode, in + 8, 8);
}

bool uuid_equal(const TEE_UUID *a, const TEE_UUID *b)
{
	uint8_t x[16], y[16];

	uuid_to_octets(a, x);
	uuid_to_octets(b, y);
	return memcmp(x, y, 16) == 0;
}
