/* Client credentials and login identities: see drv_cred.h. */
#include "drv_cred.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bytes.h"
#include "tee_api_defines.h"

static const uint8_t client_ns[16] = {0x58, 0xac, 0x9c, 0xa0, 0x20, 0x86,
				      0x46, 0x83, 0xa1, 0xb8, 0xec, 0x4b,
				      0xc0, 0x8e, 0x01, 0xb6};

int drv_cred_from_socket(int sock, struct drv_cred *c)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);
	char path[64];
	ssize_t n;

	memset(c, 0, sizeof(*c));
	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0)
		return -errno;
	c->pid = uc.pid;
	c->uid = uc.uid;
	c->gid = uc.gid;
	len = sizeof(c->groups);
	/* Older kernels lack SO_PEERGROUPS: then only the primary group. */
	if (getsockopt(sock, SOL_SOCKET, SO_PEERGROUPS, c->groups, &len) == 0)
		c->ngroups = len / sizeof(gid_t);
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)uc.pid);
	n = readlink(path, c->exe, sizeof(c->exe) - 1);
	if (n > 0) {
		c->exe[n] = 0;
		c->has_exe = true;
	}
	return 0;
}

void drv_client_uuid(const char *name, size_t len, TEE_UUID *out)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	memset(md, 0, sizeof(md));
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) ||
	    !EVP_DigestUpdate(ctx, client_ns, sizeof(client_ns)) ||
	    !EVP_DigestUpdate(ctx, name, len) ||
	    !EVP_DigestFinal_ex(ctx, md, &mdlen))
		memset(md, 0, sizeof(md)); /* only on allocation failure */
	EVP_MD_CTX_free(ctx);
	md[6] = (uint8_t)((md[6] & 0x0f) | 0x50); /* version 5 */
	md[8] = (uint8_t)((md[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	out->timeLow = get_be32(md);
	out->timeMid = get_be16(md + 4);
	out->timeHiAndVersion = get_be16(md + 6);
	memcpy(out->clockSeqAndNode, md + 8, 8);
}

static bool in_group(const struct drv_cred *c, uint32_t gid)
{
	size_t i;

	if (c->gid == gid)
		return true;
	for (i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

TEE_Result drv_cred_identity(const struct drv_cred *c, uint32_t login,
			     uint32_t gid, struct ta_client_identity *id)
{
	char name[PATH_MAX + 64];
	bool app = login == TEE_LOGIN_APPLICATION ||
		   login == TEE_LOGIN_APPLICATION_USER ||
		   login == TEE_LOGIN_APPLICATION_GROUP;
	int n = 0;

	memset(id, 0, sizeof(*id));
	id->login = login;
	id->pid = (uint32_t)c->pid;
	id->uid = (uint32_t)c->uid;
	id->gid = (uint32_t)c->gid;
	if (app && !c->has_exe)
		return TEE_ERROR_ACCESS_DENIED;
	switch (login) {
	case TEE_LOGIN_PUBLIC:
		return TEE_SUCCESS; /* nil UUID */
	case TEE_LOGIN_USER:
		n = snprintf(name, sizeof(name), "uid=%x", (unsigned)c->uid);
		break;
	case TEE_LOGIN_GROUP:
	case TEE_LOGIN_APPLICATION_GROUP:
		if (!in_group(c, gid))
			return TEE_ERROR_ACCESS_DENIED;
		n = snprintf(name, sizeof(name), "gid=%x", (unsigned)gid);
		if (app)
			n = snprintf(name, sizeof(name), "gid=%x:app=%s",
				     (unsigned)gid, c->exe);
		break;
	case TEE_LOGIN_APPLICATION:
		n = snprintf(name, sizeof(name), "app=%s", c->exe);
		break;
	case TEE_LOGIN_APPLICATION_USER:
		n = snprintf(name, sizeof(name), "uid=%x:app=%s",
			     (unsigned)c->uid, c->exe);
		break;
	default:
		return TEE_ERROR_BAD_PARAMETERS;
	}
	if (n < 0 || (size_t)n >= sizeof(name))
		return TEE_ERROR_ACCESS_DENIED;
	drv_client_uuid(name, (size_t)n, &id->uuid);
	return TEE_SUCCESS;
}
