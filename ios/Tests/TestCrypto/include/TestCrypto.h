// A P-256 key for the Swift tests' device signer on Linux, over OpenSSL's libcrypto.
#ifndef DANBAO_TEST_CRYPTO_H
#define DANBAO_TEST_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

/// An opaque P-256 key pair.
typedef struct danbao_p256_key danbao_p256_key;

/// A fresh key pair, or NULL when libcrypto cannot make one.
danbao_p256_key *danbao_p256_generate(void);

/// Frees a key made by danbao_p256_generate (NULL is ignored).
void danbao_p256_free(danbao_p256_key *key);

/// Writes the uncompressed SEC 1 point 04 || X || Y (65 bytes) to out; 0 on success.
int danbao_p256_public_key(const danbao_p256_key *key, uint8_t out[65]);

/// Signs SHA-256(message) with ECDSA and writes the DER signature to out (at most 72
/// bytes) and its length to out_len; 0 on success.
int danbao_p256_sign(const danbao_p256_key *key, const uint8_t *message, size_t message_len,
                     uint8_t out[72], size_t *out_len);

#endif
