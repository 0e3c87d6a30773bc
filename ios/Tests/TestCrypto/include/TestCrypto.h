// A P-256 key for the Swift tests' device signer and AES-256-GCM for their key store, on
// Linux, over OpenSSL's libcrypto.
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

/// Fills out with len cryptographically random bytes (OpenSSL's RAND_bytes); 0 on success.
int danbao_random_bytes(uint8_t *out, size_t len);

/// The size of the nonce and of the tag that danbao_aes256gcm_seal adds around the ciphertext.
#define DANBAO_AES256GCM_NONCE_LEN 12
#define DANBAO_AES256GCM_TAG_LEN 16

/// Seals plaintext with AES-256-GCM under the 32-byte key and a fresh random 12-byte nonce;
/// writes nonce || ciphertext || tag (plaintext_len + 28 bytes, the capacity out must have)
/// to out and its length to out_len. 0 on success.
int danbao_aes256gcm_seal(const uint8_t key[32], const uint8_t *plaintext, size_t plaintext_len,
                          uint8_t *out, size_t *out_len);

/// Opens what danbao_aes256gcm_seal wrote: checks the tag and writes the plaintext
/// (sealed_len - 28 bytes, the capacity out must have) to out and its length to out_len.
/// 0 on success, -1 when the input is too short, the tag does not match (another key, an
/// altered byte) or libcrypto fails.
int danbao_aes256gcm_open(const uint8_t key[32], const uint8_t *sealed, size_t sealed_len,
                          uint8_t *out, size_t *out_len);

#endif
