/*
 * Property sets and enumerators (GP 4.4). Three sets:
 *   TEE_PROPSET_CURRENT_TA: the TA's own ta_props (user_ta_header.c);
 *   TEE_PROPSET_CURRENT_CLIENT: gpd.client.identity / .endian of the
 *     session being served (from teed's OPEN_SESSION);
 *   TEE_PROPSET_TEE_IMPLEMENTATION: gpd.tee.*, asked from teed once
 *     (TA_SYS_GET_TEE_PROPS) and kept.
 * Values are converted between types as GP describes (anything to a
 * string; strings to the asked type when they parse).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bytes.h"
#include "runtime.h"
#include "tee_api.h"
#include "uuid.h"
#include "wire.h"

#define ENUM_MAX  16
#define ENUM_BASE 0x7e000000U /* enumerator handles: ENUM_BASE + index */

struct prop {
	const char *name;
	enum user_ta_prop_type type;
	const void *value;
};

struct tee_prop {
	char name[TA_PROP_NAME_MAX + 1];
	enum user_ta_prop_type type;
	union {
		bool b;
		uint32_t u32;
		uint64_t u64;
		TEE_UUID uuid;
		TEE_Identity id;
	} v;
	char str[TA_PROP_VALUE_MAX + 1];
};

struct prop_enum {
	bool used;
	TEE_PropSetHandle set; /* NULL until started */
	size_t idx;
};

static struct tee_prop tee_props[TA_PROP_MAX_COUNT];
static size_t tee_nprops;
static bool tee_fetched;
static struct prop_enum enums[ENUM_MAX];
static const uint32_t client_endian;

/* ---- the TEE set, from teed ---- */

static bool decode_tee_prop(struct wire_rd *r, struct tee_prop *p)
{
	uint32_t type = wire_get_u32(r), nlen = wire_get_u32(r), vlen;
	uint8_t o[16];

	if (nlen > TA_PROP_NAME_MAX || !wire_get_bytes(r, p->name, nlen))
		return false;
	p->name[nlen] = 0;
	vlen = wire_get_u32(r);
	p->type = (enum user_ta_prop_type)type;
	switch (type) {
	case USER_TA_PROP_TYPE_BOOL:
		p->v.b = wire_get_u32(r) != 0;
		return vlen == 4;
	case USER_TA_PROP_TYPE_U32:
		p->v.u32 = wire_get_u32(r);
		return vlen == 4;
	case USER_TA_PROP_TYPE_U64:
		p->v.u64 = wire_get_u64(r);
		return vlen == 8;
	case USER_TA_PROP_TYPE_UUID:
		if (vlen != 16 || !wire_get_bytes(r, o, 16))
			return false;
		uuid_from_octets(o, &p->v.uuid);
		return true;
	case USER_TA_PROP_TYPE_IDENTITY:
		p->v.id.login = wire_get_u32(r);
		if (vlen != 20 || !wire_get_bytes(r, o, 16))
			return false;
		uuid_from_octets(o, &p->v.id.uuid);
		return true;
	case USER_TA_PROP_TYPE_STRING:
	case USER_TA_PROP_TYPE_BINARY_BLOCK:
		if (vlen > TA_PROP_VALUE_MAX ||
		    !wire_get_bytes(r, p->str, vlen))
			return false;
		p->str[vlen] = 0;
		return strlen(p->str) == vlen;
	default:
		return false;
	}
}

static void fetch_tee_props(void)
{
	static uint8_t buf[IPC_MAX_PAYLOAD];
	struct wire_rd r;
	size_t len, i, n;

	if (tee_fetched)
		return;
	tee_fetched = true;
	if (rt_syscall(TA_SYS_GET_TEE_PROPS, NULL, 0, buf, sizeof(buf), &len))
		return;
	r = wire_rd_init(buf, len);
	n = wire_get_u32(&r);
	if (n > TA_PROP_MAX_COUNT)
		rt_die_proto("too many TEE properties");
	for (i = 0; i < n; i++)
		if (!decode_tee_prop(&r, &tee_props[i]))
			rt_die_proto("malformed TEE property list");
	if (!wire_rd_done(&r))
		rt_die_proto("malformed TEE property list");
	tee_nprops = n;
}

/* ---- sets ---- */

static bool is_pseudo_set(TEE_PropSetHandle h)
{
	return h == TEE_PROPSET_CURRENT_TA || h == TEE_PROPSET_CURRENT_CLIENT ||
	       h == TEE_PROPSET_TEE_IMPLEMENTATION;
}

/* The idx-th property of a set; false past its end. */
static bool set_get(TEE_PropSetHandle set, size_t idx, struct prop *p)
{
	if (set == TEE_PROPSET_CURRENT_TA) {
		if (idx >= rt.nprops)
			return false;
		p->name = rt.props[idx].name;
		p->type = rt.props[idx].type;
		p->value = rt.props[idx].value;
		return true;
	}
	if (set == TEE_PROPSET_CURRENT_CLIENT) {
		if (!rt.cur || idx >= 2)
			return false;
		p->name = idx ? "gpd.client.endian" : "gpd.client.identity";
		p->type =
		    idx ? USER_TA_PROP_TYPE_U32 : USER_TA_PROP_TYPE_IDENTITY;
		p->value = idx ? (const void *)&client_endian
			       : (const void *)&rt.cur->client;
		return true;
	}
	fetch_tee_props();
	if (idx >= tee_nprops)
		return false;
	p->name = tee_props[idx].name;
	p->type = tee_props[idx].type;
	p->value = (p->type == USER_TA_PROP_TYPE_STRING ||
		    p->type == USER_TA_PROP_TYPE_BINARY_BLOCK)
		       ? (const void *)tee_props[idx].str
		       : (const void *)&tee_props[idx].v;
	return true;
}

static struct prop_enum *enum_of(TEE_PropSetHandle h)
{
	uintptr_t v = (uintptr_t)h;

	if (v < ENUM_BASE || v >= ENUM_BASE + ENUM_MAX ||
	    !enums[v - ENUM_BASE].used)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	return &enums[v - ENUM_BASE];
}

/* Finds a property by set and name, or the enumerator's current one. */
static TEE_Result lookup(TEE_PropSetHandle h, const char *name, struct prop *p)
{
	size_t i;

	if (!is_pseudo_set(h)) {
		struct prop_enum *e = enum_of(h);

		if (!e->set || !set_get(e->set, e->idx, p))
			return TEE_ERROR_ITEM_NOT_FOUND;
		return TEE_SUCCESS;
	}
	if (!name)
		return TEE_ERROR_ITEM_NOT_FOUND;
	for (i = 0; set_get(h, i, p); i++)
		if (!strcmp(p->name, name))
			return TEE_SUCCESS;
	return TEE_ERROR_ITEM_NOT_FOUND;
}

/* ---- conversions ---- */

static int b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decodes base64 into out (cap bytes, may be NULL to measure). */
static bool b64_decode(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	uint32_t acc = 0;
	size_t n = 0;
	int bits = 0;

	for (; *s && *s != '='; s++) {
		int v = b64_val(*s);

		if (v < 0)
			return false;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (out && n < cap)
				out[n] = (uint8_t)(acc >> bits);
			n++;
		}
	}
	*len = n;
	return true;
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	errno = 0;
	if (!*s || *s == '-')
		return false;
	*v = strtoull(s, &end, 0);
	return !errno && !*end && *v <= max;
}

/* The value as a string: into tmp for scalars, or the stored string. */
static const char *to_string(const struct prop *p, char *tmp, size_t cap)
{
	char u[UUID_STR_LEN + 1];

	switch (p->type) {
	case USER_TA_PROP_TYPE_BOOL:
		return *(const bool *)p->value ? "true" : "false";
	case USER_TA_PROP_TYPE_U32:
		snprintf(tmp, cap, "%u", *(const uint32_t *)p->value);
		return tmp;
	case USER_TA_PROP_TYPE_U64:
		snprintf(tmp, cap, "%llu",
			 (unsigned long long)*(const uint64_t *)p->value);
		return tmp;
	case USER_TA_PROP_TYPE_UUID:
		uuid_format(p->value, tmp);
		return tmp;
	case USER_TA_PROP_TYPE_IDENTITY:
		uuid_format(&((const TEE_Identity *)p->value)->uuid, u);
		snprintf(tmp, cap, "%u:%s",
			 ((const TEE_Identity *)p->value)->login, u);
		return tmp;
	case USER_TA_PROP_TYPE_STRING:
	case USER_TA_PROP_TYPE_BINARY_BLOCK:
		return p->value;
	default:
		return NULL;
	}
}

static TEE_Result copy_out(const void *src, size_t n, void *buf, size_t *len)
{
	if (!len)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	if (*len < n || !buf) {
		*len = n;
		return TEE_ERROR_SHORT_BUFFER;
	}
	memcpy(buf, src, n);
	*len = n;
	return TEE_SUCCESS;
}

TEE_Result TEE_GetPropertyAsString(TEE_PropSetHandle propsetOrEnumerator,
				   const char *name, char *valueBuffer,
				   size_t *valueBufferLen)
{
	char tmp[UUID_STR_LEN + 16];
	struct prop p;
	TEE_Result res = lookup(propsetOrEnumerator, name, &p);
	const char *s;

	if (res)
		return res;
	s = to_string(&p, tmp, sizeof(tmp));
	if (!s)
		return TEE_ERROR_BAD_FORMAT;
	return copy_out(s, strlen(s) + 1, valueBuffer, valueBufferLen);
}

TEE_Result TEE_GetPropertyAsBool(TEE_PropSetHandle propsetOrEnumerator,
				 const char *name, bool *value)
{
	struct prop p;
	TEE_Result res = lookup(propsetOrEnumerator, name, &p);

	if (res)
		return res;
	if (p.type == USER_TA_PROP_TYPE_BOOL) {
		*value = *(const bool *)p.value;
		return TEE_SUCCESS;
	}
	if (p.type == USER_TA_PROP_TYPE_STRING) {
		if (!strcasecmp(p.value, "true"))
			return *value = true, TEE_SUCCESS;
		if (!strcasecmp(p.value, "false"))
			return *value = false, TEE_SUCCESS;
	}
	return TEE_ERROR_BAD_FORMAT;
}

static TEE_Result get_number(TEE_PropSetHandle h, const char *name,
			     uint64_t max, uint64_t *v)
{
	struct prop p;
	TEE_Result res = lookup(h, name, &p);

	if (res)
		return res;
	if (p.type == USER_TA_PROP_TYPE_U32) {
		*v = *(const uint32_t *)p.value;
		return TEE_SUCCESS;
	}
	if (p.type == USER_TA_PROP_TYPE_U64 &&
	    *(const uint64_t *)p.value <= max) {
		*v = *(const uint64_t *)p.value;
		return TEE_SUCCESS;
	}
	if (p.type == USER_TA_PROP_TYPE_STRING && parse_u64(p.value, max, v))
		return TEE_SUCCESS;
	return TEE_ERROR_BAD_FORMAT;
}

TEE_Result TEE_GetPropertyAsU32(TEE_PropSetHandle propsetOrEnumerator,
				const char *name, uint32_t *value)
{
	uint64_t v = 0;
	TEE_Result res = get_number(propsetOrEnumerator, name, UINT32_MAX, &v);

	if (!res)
		*value = (uint32_t)v;
	return res;
}

TEE_Result TEE_GetPropertyAsU64(TEE_PropSetHandle propsetOrEnumerator,
				const char *name, uint64_t *value)
{
	return get_number(propsetOrEnumerator, name, UINT64_MAX, value);
}

TEE_Result TEE_GetPropertyAsBinaryBlock(TEE_PropSetHandle propsetOrEnumerator,
					const char *name, void *valueBuffer,
					size_t *valueBufferLen)
{
	struct prop p;
	TEE_Result res = lookup(propsetOrEnumerator, name, &p);
	size_t n;

	if (res)
		return res;
	if (!valueBufferLen)
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	if ((p.type != USER_TA_PROP_TYPE_BINARY_BLOCK &&
	     p.type != USER_TA_PROP_TYPE_STRING) ||
	    !b64_decode(p.value, NULL, 0, &n))
		return TEE_ERROR_BAD_FORMAT;
	if (!valueBuffer || *valueBufferLen < n) {
		*valueBufferLen = n;
		return TEE_ERROR_SHORT_BUFFER;
	}
	b64_decode(p.value, valueBuffer, *valueBufferLen, &n);
	*valueBufferLen = n;
	return TEE_SUCCESS;
}

TEE_Result TEE_GetPropertyAsUUID(TEE_PropSetHandle propsetOrEnumerator,
				 const char *name, TEE_UUID *value)
{
	struct prop p;
	TEE_Result res = lookup(propsetOrEnumerator, name, &p);

	if (res)
		return res;
	if (p.type == USER_TA_PROP_TYPE_UUID) {
		*value = *(const TEE_UUID *)p.value;
		return TEE_SUCCESS;
	}
	if (p.type == USER_TA_PROP_TYPE_STRING && uuid_parse(p.value, value))
		return TEE_SUCCESS;
	return TEE_ERROR_BAD_FORMAT;
}

TEE_Result TEE_GetPropertyAsIdentity(TEE_PropSetHandle propsetOrEnumerator,
				     const char *name, TEE_Identity *value)
{
	struct prop p;
	TEE_Result res = lookup(propsetOrEnumerator, name, &p);
	const char *colon;
	uint64_t login;
	char num[16];

	if (res)
		return res;
	if (p.type == USER_TA_PROP_TYPE_IDENTITY) {
		*value = *(const TEE_Identity *)p.value;
		return TEE_SUCCESS;
	}
	if (p.type != USER_TA_PROP_TYPE_STRING)
		return TEE_ERROR_BAD_FORMAT;
	colon = strchr(p.value, ':');
	if (!colon || (size_t)(colon - (const char *)p.value) >= sizeof(num))
		return TEE_ERROR_BAD_FORMAT;
	memcpy(num, p.value, (size_t)(colon - (const char *)p.value));
	num[colon - (const char *)p.value] = 0;
	if (!parse_u64(num, UINT32_MAX, &login) ||
	    !uuid_parse(colon + 1, &value->uuid))
		return TEE_ERROR_BAD_FORMAT;
	value->login = (uint32_t)login;
	return TEE_SUCCESS;
}

/* ---- enumerators ---- */

TEE_Result TEE_AllocatePropertyEnumerator(TEE_PropSetHandle *enumerator)
{
	size_t i;

	for (i = 0; i < ENUM_MAX; i++)
		if (!enums[i].used) {
			memset(&enums[i], 0, sizeof(enums[i]));
			enums[i].used = true;
			*enumerator =
			    (TEE_PropSetHandle)(uintptr_t)(ENUM_BASE + i);
			return TEE_SUCCESS;
		}
	*enumerator = TEE_HANDLE_NULL;
	return TEE_ERROR_OUT_OF_MEMORY;
}

void TEE_FreePropertyEnumerator(TEE_PropSetHandle enumerator)
{
	if (enumerator == TEE_HANDLE_NULL)
		return;
	enum_of(enumerator)->used = false;
}

void TEE_StartPropertyEnumerator(TEE_PropSetHandle enumerator,
				 TEE_PropSetHandle propSet)
{
	struct prop_enum *e = enum_of(enumerator);

	if (!is_pseudo_set(propSet))
		TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
	e->set = propSet;
	e->idx = 0;
}

void TEE_ResetPropertyEnumerator(TEE_PropSetHandle enumerator)
{
	struct prop_enum *e = enum_of(enumerator);

	e->set = NULL;
	e->idx = 0;
}

TEE_Result TEE_GetPropertyName(TEE_PropSetHandle enumerator, void *nameBuffer,
			       size_t *nameBufferLen)
{
	struct prop_enum *e = enum_of(enumerator);
	struct prop p;

	if (!e->set || !set_get(e->set, e->idx, &p))
		return TEE_ERROR_ITEM_NOT_FOUND;
	return copy_out(p.name, strlen(p.name) + 1, nameBuffer, nameBufferLen);
}

TEE_Result TEE_GetNextProperty(TEE_PropSetHandle enumerator)
{
	struct prop_enum *e = enum_of(enumerator);
	struct prop p;

	if (!e->set)
		return TEE_ERROR_ITEM_NOT_FOUND;
	e->idx++;
	if (!set_get(e->set, e->idx, &p))
		return TEE_ERROR_ITEM_NOT_FOUND;
	return TEE_SUCCESS;
}
