/*
 * Object ID rules on the client side: the same as the TA's
 * (secure_storage_ta.h), checked first so that a person gets a precise
 * message instead of TEE_ERROR_BAD_PARAMETERS.
 */
#include <string.h>

#include "ss_cli.h"

int ss_id_check(const char *id, char *err, size_t errlen)
{
	size_t n = strlen(id), i;

	if (n == 0) {
		snprintf(err, errlen, "the object ID is empty");
		return -1;
	}
	if (n > SS_ID_MAX) {
		snprintf(err, errlen,
			 "object ID is %zu characters long, at most %d are "
			 "allowed",
			 n, SS_ID_MAX);
		return -1;
	}
	if (id[0] == '.') {
		snprintf(err, errlen,
			 "object ID '%s' starts with '.' (reserved for "
			 "unfinished transfers)",
			 id);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!strchr(SS_ID_CHARS, id[i])) {
			unsigned char c = (unsigned char)id[i];

			if (c >= 0x20 && c < 0x7f)
				snprintf(err, errlen,
					 "object ID contains '%c' at position "
					 "%zu; allowed: A-Z a-z 0-9 and %s",
					 c, i + 1, "._-+=,:@#%~/");
			else
				snprintf(err, errlen,
					 "object ID contains byte 0x%02x at "
					 "position %zu; allowed: A-Z a-z 0-9 "
					 "and %s",
					 c, i + 1, "._-+=,:@#%~/");
			return -1;
		}
	}
	return 0;
}

int ss_id_from_file(const char *file, char *id, size_t idlen, char *err,
		    size_t errlen)
{
	const char *base = strrchr(file, '/');
	size_t n;

	base = base ? base + 1 : file;
	n = strlen(base);
	if (n == 0 || n >= idlen) {
		snprintf(err, errlen,
			 "cannot make an object ID from '%s': give one", file);
		return -1;
	}
	memcpy(id, base, n + 1);
	if (ss_id_check(id, err, errlen) != 0) {
		size_t l = strlen(err);

		snprintf(err + l, errlen - l,
			 " (from the file name; give an "
			 "ID after FILE)");
		return -1;
	}
	return 0;
}

int ss_file_from_id(const char *id, char *file, size_t len, char *err,
		    size_t errlen)
{
	const char *base = strrchr(id, '/');
	size_t n;

	base = base ? base + 1 : id;
	n = strlen(base);
	if (n == 0 || n >= len || !strcmp(base, "..") || !strcmp(base, ".")) {
		snprintf(err, errlen,
			 "cannot make a file name from ID '%s': give FILE", id);
		return -1;
	}
	memcpy(file, base, n + 1);
	return 0;
}
