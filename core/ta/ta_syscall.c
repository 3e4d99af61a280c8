/*
 * The TA's "syscalls": requests a TA process sends teed during a call.
 * Numbers come in ranges (lib/ipc/ta_msg.h, TA_SYS_*), one per subsystem;
 * a range's handler decodes and checks its own arguments. Trusted storage
 * (TA_SYS_STORAGE_BASE) is served by ta_storage_syscall.c.
 */
#include <ctype.h>
#include <string.h>

#include "log.h"
#include "ta_side.h"
#include "user_ta_header.h"
#include "wire.h"

typedef TEE_Result (*ta_sys_handler)(struct ta_instance *inst,
				     struct ta_session *s, uint32_t nr,
				     const uint8_t *args, size_t len,
				     struct wire_wr *out);

static void put_name(struct wire_wr *w, uint32_t type, const char *name)
{
	wire_put_u32(w, type);
	wire_put_u32(w, (uint32_t)strlen(name));
	wire_put_bytes(w, name, strlen(name));
}

static void prop_str(struct wire_wr *w, const char *name, const char *v)
{
	put_name(w, USER_TA_PROP_TYPE_STRING, name);
	wire_put_u32(w, (uint32_t)strlen(v));
	wire_put_bytes(w, v, strlen(v));
}

static void prop_u32(struct wire_wr *w, const char *name, uint32_t v)
{
	put_name(w, USER_TA_PROP_TYPE_U32, name);
	wire_put_u32(w, 4);
	wire_put_u32(w, v);
}

static void prop_bool(struct wire_wr *w, const char *name, bool v)
{
	put_name(w, USER_TA_PROP_TYPE_BOOL, name);
	wire_put_u32(w, 4);
	wire_put_u32(w, v);
}

static void prop_uuid(struct wire_wr *w, const char *name, const TEE_UUID *u)
{
	uint8_t o[16];

	put_name(w, USER_TA_PROP_TYPE_UUID, name);
	wire_put_u32(w, 16);
	uuid_to_octets(u, o);
	wire_put_bytes(w, o, sizeof(o));
}

/* The TEE property set (gpd.tee.*), encoded as docs/protocol-ta.md says. */
static void encode_tee_props(struct wire_wr *w)
{
	/* Fixed for now; the storage part may derive it from the HUK. */
	static const TEE_UUID device_id = {
	    0x74656573,
	    0x746f,
	    0x4265,
	    {0x80, 0x00, 0x74, 0x65, 0x65, 0x73, 0x74, 0x6f}};

	const char *st_names[8];
	uint32_t st_values[8];
	size_t i, nst = ta_storage_props(st_names, st_values, 8);

	/* gpd.tee.trustedStorage.* from the object layer, when there is one */
	wire_put_u32(w, (uint32_t)(nst ? 13 + nst : 14));
	prop_str(w, "gpd.tee.apiversion", "1.3.1");
	prop_u32(w, "gpd.tee.internalCore.version", 0x01030100);
	prop_str(w, "gpd.tee.description", "teestore user-space TEE");
	prop_uuid(w, "gpd.tee.deviceID", &device_id);
	prop_u32(w, "gpd.tee.systemTime.protectionLevel", 100);
	prop_u32(w, "gpd.tee.TAPersistentTime.protectionLevel", 100);
	prop_u32(w, "gpd.tee.arith.maxBigIntSize", 4096);
	prop_bool(w, "gpd.tee.cryptography.ecc", false);
	if (!nst)
		prop_u32(w,
			 "gpd.tee.trustedStorage.antiRollback.protectionLevel",
			 0);
	for (i = 0; i < nst; i++)
		prop_u32(w, st_names[i], st_values[i]);
	prop_str(w, "gpd.tee.trustedos.implementation.version", "0.1.0");
	prop_u32(w, "gpd.tee.trustedos.implementation.binaryversion", 0x100);
	prop_str(w, "gpd.tee.trustedos.manufacturer", "teestore");
	prop_str(w, "gpd.tee.firmware.manufacturer", "teestore");
	prop_u32(w, "gpd.tee.event.maxSources", 0);
}

static TEE_Result sys_log(struct ta_instance *inst, const uint8_t *args,
			  size_t len)
{
	char line[TA_LOG_MAX + 1];
	size_t i;

	if (len > TA_LOG_MAX)
		return TEE_ERROR_BAD_PARAMETERS;
	for (i = 0; i < len; i++) /* no terminal escapes into teed's log */
		line[i] = isprint(args[i]) ? (char)args[i] : '?';
	line[len] = 0;
	log_info("TA %s: %s", inst->name, line);
	return TEE_SUCCESS;
}

static TEE_Result sys_core(struct ta_instance *inst, struct ta_session *s,
			   uint32_t nr, const uint8_t *args, size_t len,
			   struct wire_wr *out)
{
	(void)s;
	switch (nr) {
	case TA_SYS_GET_TEE_PROPS:
		if (len)
			return TEE_ERROR_BAD_PARAMETERS;
		encode_tee_props(out);
		return TEE_SUCCESS;
	case TA_SYS_LOG:
		return sys_log(inst, args, len);
	default:
		return TEE_ERROR_NOT_SUPPORTED;
	}
}

static const struct {
	uint32_t base;
	ta_sys_handler handler;
} ranges[] = {
    {TA_SYS_CORE_BASE, sys_core},
    {TA_SYS_STORAGE_BASE, ta_sys_storage},
};

TEE_Result ta_syscall_dispatch(struct ta_instance *inst, struct ta_session *s,
			       uint32_t nr, const uint8_t *args, size_t len,
			       struct wire_wr *out)
{
	size_t i;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (nr >= ranges[i].base &&
		    nr - ranges[i].base < TA_SYS_RANGE_SIZE)
			return ranges[i].handler(inst, s, nr, args, len, out);
	return TEE_ERROR_NOT_SUPPORTED;
}
