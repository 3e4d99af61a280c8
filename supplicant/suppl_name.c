/* The supplicant's name rule: see suppl_name.h. */
#include "suppl_name.h"

#include <string.h>

#include "suppl_msg.h"

#define SUFFIX_MAX 16
#define HEX_MAX	   16

static bool is_hex_lower(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool is_suffix_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '_';
}

/* Length of the base at name, or 0 if there is none. */
static size_t base_len(const char *name, size_t len)
{
	static const char dirf[] = "dirf.db";
	size_t i;

	if (len >= sizeof(dirf) - 1 && !memcmp(name, dirf, sizeof(dirf) - 1))
		return sizeof(dirf) - 1;
	for (i = 0; i < len && i < HEX_MAX + 1 && is_hex_lower(name[i]); i++)
		;
	return i <= HEX_MAX ? i : 0;
}

/*
 * gpstore keeps a corrupt object's file aside as
 * "corrupt-<TA UUID>-<file number>[-n]" (docs/gp-storage.md): lowercase
 * hex digits and dashes after the prefix, nothing else.
 */
static bool quarantine_name(const char *name, size_t len)
{
	static const char prefix[] = "corrupt-";
	size_t i, p = sizeof(prefix) - 1;

	if (len <= p || memcmp(name, prefix, p))
		return false;
	for (i = p; i < len; i++)
		if (!is_hex_lower(name[i]) && name[i] != '-')
			return false;
	return true;
}

bool suppl_name_valid(const char *name, size_t len)
{
	size_t b, i;

	if (!name || len == 0 || len > SUPPL_NAME_MAX)
		return false;
	if (quarantine_name(name, len))
		return true;
	b = base_len(name, len);
	if (b == 0)
		return false;
	if (b == len)
		return true;
	/* A suffix: ".", then 1..SUFFIX_MAX allowed characters. */
	if (name[b] != '.' || len - b - 1 == 0 || len - b - 1 > SUFFIX_MAX)
		return false;
	for (i = b + 1; i < len; i++)
		if (!is_suffix_char(name[i]))
			return false;
	return true;
}
