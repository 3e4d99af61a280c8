/*
 * Known-answer tests of the key manager (storage/keys). Every expected value
 * was computed independently with the openssl command line; the command is
 * beside each value. HUK0 is 16 zero bytes (OP-TEE's insecure default HUK),
 * HUK1 is 000102...0f. SSKc/SSKn are the compat / non-compat SSKs:
 *
 *   SSKc = { printf 'BEEFBEEFBEEFBEEFBEEFBEEFBEEFBEEF';
 *            printf 'ONLY_FOR_tee_fs_ssk\0'; } |
 *          openssl dgst -sha256 -mac HMAC -macopt hexkey:$HUK
 *   SSKn = printf '\x01\x00\x00\x00' |
 *          openssl dgst -sha256 -mac HMAC -macopt hexkey:$HUK
 *     HUK0: SSKc
 * 79b082214416d9f43a9be1cb6c4abaa5435c1a1a55b8ae51c3a6857460952147 SSKn
 * a3e7181c6eed030fd52f79537c56c4d07da92e56d374ff1dd2043350785b37d8 HUK1: SSKc
 * dcab8ea0ceeb19dcb772919140cb52fbc5858f5945be342e4729332506d570d9
 *
 * The SSK is not exported; the TSKs below are derived from it, so they
 * check it too.
 */
#include <stdlib.h>

#include "keys.h"
#include "secmem.h"
#include "tee_api_defines.h"
#include "test.h"
#include "uuid.h"

static const uint8_t huk0[16];
static const uint8_t huk1[16] = {0, 1, 2,  3,  4,  5,  6,  7,
				 8, 9, 10, 11, 12, 13, 14, 15};

/* 8aaaf200-2450-11e4-abe2-0002a5d5c51b: octets 00f2aa8a 5024 e411 abe2... */
static const char *ta_uuid = "8aaaf200-2450-11e4-abe2-0002a5d5c51b";

static void unhex(const char *hex, uint8_t *out, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			abort();
		out[i] = (uint8_t)v;
	}
}

static void check_hex(const uint8_t *got, const char *hex, size_t len)
{
	uint8_t want[64];

	unhex(hex, want, len);
	CHECK_MEM(got, want, len);
}

static void test_keys_dirf_tsk(void)
{
	struct keys *k = NULL;
	uint8_t tsk[KEYS_TSK_SIZE];

	/* printf '\x00' | openssl dgst -sha256 -mac HMAC -macopt hexkey:SSKc */
	REQUIRE(keys_create(huk0, 16, true, &k) == TEE_SUCCESS);
	CHECK(keys_derive_dirf_tsk(k, tsk) == TEE_SUCCESS);
	check_hex(tsk,
		  "efa8fc65f1ff33c90da75ee3e2359acf"
		  "9d981e99bed1b70b8f8517b09e5bb0d9",
		  32);
	keys_destroy(k);

	REQUIRE(keys_create(huk1, 16, true, &k) == TEE_SUCCESS);
	CHECK(keys_derive_dirf_tsk(k, tsk) == TEE_SUCCESS);
	check_hex(tsk,
		  "4dde624df0fb50be497e0b4fe219080f"
		  "c3abd12c5015af465764832b700141a1",
		  32);
	keys_destroy(k);
}

static void test_keys_rpmb_hash_tsk(void)
{
	struct keys *k = NULL;
	uint8_t tsk[KEYS_TSK_SIZE];

	/* head -c16 /dev/zero | openssl dgst -sha256 -mac HMAC \
	 *	-macopt hexkey:SSKc */
	REQUIRE(keys_create(huk0, 16, true, &k) == TEE_SUCCESS);
	CHECK(keys_derive_rpmb_hash_tsk(k, tsk) == TEE_SUCCESS);
	check_hex(tsk,
		  "86da216519185ae09e5f539fcc95fd12"
		  "5510c2836e82eafc28c7d01d0fbc9cec",
		  32);
	keys_destroy(k);

	REQUIRE(keys_create(huk1, 16, true, &k) == TEE_SUCCESS);
	CHECK(keys_derive_rpmb_hash_tsk(k, tsk) == TEE_SUCCESS);
	check_hex(tsk,
		  "404056a86e2006dd692b676d49b8f58d"
		  "05ff65fc187e396bf82ddd6d42e8bc45",
		  32);
	keys_destroy(k);
}

static void test_keys_ta_tsk(void)
{
	struct keys *k = NULL;
	uint8_t tsk[KEYS_TSK_SIZE];
	TEE_UUID u;

	REQUIRE(uuid_parse(ta_uuid, &u));
	/* printf '\x00\xf2\xaa\x8a\x50\x24\xe4\x11\xab\xe2\x00\x02\xa5\xd5'\
	 *	'\xc5\x1b' | openssl dgst -sha256 -mac HMAC -macopt hexkey:SSK
	 */
	REQUIRE(keys_create(huk0, 16, true, &k) == TEE_SUCCESS);
	CHECK(keys_derive_ta_tsk(k, &u, tsk) == TEE_SUCCESS);
	check_hex(tsk,
		  "b0d728ba70cbd245f5cd215bea47c67e"
		  "02c0506b45d1c57ee90fb7f0d8cae175",
		  32);
	keys_destroy(k);

	/* The same with SSKn (non-compat subkey). */
	REQUIRE(keys_create(huk0, 16, false, &k) == TEE_SUCCESS);
	CHECK(keys_derive_ta_tsk(k, &u, tsk) == TEE_SUCCESS);
	check_hex(tsk,
		  "ff5004e562dd62b3b103cedac7e77224"
		  "657f90e1a0d9fdf6afa2ec8ec5e6b2b9",
		  32);
	keys_destroy(k);

	REQUIRE(keys_create(huk1, 16, true, &k) == TEE_SUCCESS);
	CHECK(keys_derive_ta_tsk(k, &u, tsk) == TEE_SUCCESS);
	check_hex(tsk,
		  "d0cf42d223934ba04de5b6fbf86b0d08"
		  "140bcb7a133617f2e15ab1797ad3dd24",
		  32);
	keys_destroy(k);

	/* HUK1, non-compat (SSKn of HUK1 is
	 * 8bee65c960bd92ce9e00636f25a0a391501603b9968ccd9918cae55579690e27). */
	REQUIRE(keys_create(huk1, 16, false, &k) == TEE_SUCCESS);
	CHECK(keys_derive_ta_tsk(k, &u, tsk) == TEE_SUCCESS);
	check_hex(tsk,
		  "19a6153686a9d0068eb76cf209d8399c"
		  "c037b04b3001957712568f9d3ef7dc79",
		  32);
	keys_destroy(k);
}

static void test_keys_rpmb_key(void)
{
	uint8_t cid[16] = {0, 1, 2,  3,	 4,  5,	 6,  7,
			   8, 9, 10, 11, 12, 13, 14, 15};
	uint8_t key[32];

	/* CID with bytes 9 and 15 masked: 000102030405060708000a0b0c0d0e00.
	 * printf '\x00\x01\x02\x03\x04\x05\x06\x07\x08\x00\x0a\x0b\x0c\x0d'\
	 *	'\x0e\x00' | openssl dgst -sha256 -mac HMAC -macopt hexkey:HUK
	 */
	CHECK(keys_derive_rpmb_key(huk0, 16, cid, true, key) == TEE_SUCCESS);
	check_hex(key,
		  "b1f60817bc3a2f080db91310945e9bb1"
		  "1a2ee58327a7476b82c464f993f617b1",
		  32);
	CHECK(keys_derive_rpmb_key(huk1, 16, cid, true, key) == TEE_SUCCESS);
	check_hex(key,
		  "07dfa73bb1813b32fc9e1c7563c6e557"
		  "9f92ffac22bf14d32b1402317f1dbc5d",
		  32);
	/* Non-compat: the same message after u32le(0):
	 * printf '\x00\x00\x00\x00<masked CID>' | openssl dgst ... */
	CHECK(keys_derive_rpmb_key(huk0, 16, cid, false, key) == TEE_SUCCESS);
	check_hex(key,
		  "c59410b2c329a9eeabcdcf5d9110229d"
		  "d66201a7a5f7e4330bc9e5cfe4d3f2f7",
		  32);
	CHECK(keys_derive_rpmb_key(huk1, 16, cid, false, key) == TEE_SUCCESS);
	check_hex(key,
		  "3c4c97f755cd8642c84aecbd8e11acdc"
		  "b19708fed6cfa120d372f27c5d54ba35",
		  32);
	/* Bytes 9 and 15 do not matter. */
	cid[9] = 0xaa;
	cid[15] = 0x55;
	CHECK(keys_derive_rpmb_key(huk1, 16, cid, false, key) == TEE_SUCCESS);
	check_hex(key,
		  "3c4c97f755cd8642c84aecbd8e11acdc"
		  "b19708fed6cfa120d372f27c5d54ba35",
		  32);
}

static void test_keys_fek_wrap(void)
{
	uint8_t tsk[32], fek[16], enc[16], back[16];
	size_t i;

	for (i = 0; i < 32; i++)
		tsk[i] = (uint8_t)i;
	unhex("00112233445566778899aabbccddeeff", fek, 16);
	/* printf '\x00\x11...\xff' | openssl enc -aes-256-ecb -nopad \
	 *	-K 000102...1f | xxd -p   (also FIPS-197 C.3) */
	CHECK(keys_wrap_fek(tsk, fek, enc) == TEE_SUCCESS);
	check_hex(enc, "8ea2b7ca516745bfeafc49904b496089", 16);
	CHECK(keys_unwrap_fek(tsk, enc, back) == TEE_SUCCESS);
	CHECK_MEM(back, fek, 16);
}

static void test_keys_bad_parameters(void)
{
	uint8_t big[KEYS_HUK_MAX + 1] = {0};
	struct keys *k = (struct keys *)1;

	CHECK(keys_create(big, 0, true, &k) == TEE_ERROR_BAD_PARAMETERS);
	CHECK(k == NULL);
	CHECK(keys_create(big, sizeof(big), true, &k) ==
	      TEE_ERROR_BAD_PARAMETERS);
	CHECK(keys_create(big, KEYS_HUK_MAX, true, &k) == TEE_SUCCESS);
	keys_destroy(k);
	keys_destroy(NULL);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr,
			"usage: %s\nKnown-answer tests of the key "
			"manager (no options).\n",
			argv[0]);
		return strcmp(argv[1], "--help") ? 2 : 0;
	}
	RUN(test_keys_dirf_tsk);
	RUN(test_keys_rpmb_hash_tsk);
	RUN(test_keys_ta_tsk);
	RUN(test_keys_rpmb_key);
	RUN(test_keys_fek_wrap);
	RUN(test_keys_bad_parameters);
	return test_report();
}
