/* Sizes and algorithm-field helpers from OP-TEE's utee_defines.h. */
#ifndef UTEE_DEFINES_H
#define UTEE_DEFINES_H

#include <tee_api_defines.h>

#define TEE_MAIN_ALGO_MD5    0x01
#define TEE_MAIN_ALGO_SHA1   0x02
#define TEE_MAIN_ALGO_SHA224 0x03
#define TEE_MAIN_ALGO_SHA256 0x04
#define TEE_MAIN_ALGO_SHA384 0x05
#define TEE_MAIN_ALGO_SHA512 0x06
#define TEE_MAIN_ALGO_AES    0x10
#define TEE_MAIN_ALGO_DES    0x11
#define TEE_MAIN_ALGO_DES2   0x12
#define TEE_MAIN_ALGO_DES3   0x13
#define TEE_MAIN_ALGO_RSA    0x30
#define TEE_MAIN_ALGO_DSA    0x31
#define TEE_MAIN_ALGO_DH     0x32
#define TEE_MAIN_ALGO_ECDSA  0x41
#define TEE_MAIN_ALGO_ECDH   0x42

#define TEE_ALG_GET_CLASS(algo)      (((algo) >> 28) & 0xF)
#define TEE_ALG_GET_MAIN_ALG(algo)   ((algo) & 0xff)
#define TEE_ALG_GET_CHAIN_MODE(algo) (((algo) >> 8) & 0xF)
#define TEE_ALG_GET_DIGEST_HASH(algo) (((algo) >> 12) & 0xF)

#define TEE_MD5_HASH_SIZE    16UL
#define TEE_SHA1_HASH_SIZE   20UL
#define TEE_SHA224_HASH_SIZE 28UL
#define TEE_SHA256_HASH_SIZE 32UL
#define TEE_SHA384_HASH_SIZE 48UL
#define TEE_SHA512_HASH_SIZE 64UL
#define TEE_SM3_HASH_SIZE    32UL
#define TEE_MAX_HASH_SIZE    64UL

#define TEE_AES_BLOCK_SIZE 16UL
#define TEE_DES_BLOCK_SIZE 8UL
#define TEE_AES_MAX_KEY_SIZE 32UL

#endif /* UTEE_DEFINES_H */
