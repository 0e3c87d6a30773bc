#include "TestCrypto.h"

#include <limits.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

int danbao_random_bytes(uint8_t *out, size_t len) {
    if (len > INT_MAX) {
        return -1;
    }
    return RAND_bytes(out, (int)len) == 1 ? 0 : -1;
}

int danbao_aes256gcm_seal(const uint8_t key[32], const uint8_t *plaintext, size_t plaintext_len,
                          uint8_t *out, size_t *out_len) {
    if (plaintext_len > INT_MAX - 64) {
        return -1;
    }
    uint8_t *nonce = out;
    uint8_t *ciphertext = out + DANBAO_AES256GCM_NONCE_LEN;
    if (RAND_bytes(nonce, DANBAO_AES256GCM_NONCE_LEN) != 1) {
        return -1;
    }
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        return -1;
    }
    int status = -1;
    int len = 0;
    int total = 0;
    if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, DANBAO_AES256GCM_NONCE_LEN, NULL) == 1 &&
        EVP_EncryptInit_ex(ctx, NULL, NULL, key, nonce) == 1 &&
        EVP_EncryptUpdate(ctx, ciphertext, &len, plaintext, (int)plaintext_len) == 1) {
        total = len;
        if (EVP_EncryptFinal_ex(ctx, ciphertext + total, &len) == 1) {
            total += len;
            if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, DANBAO_AES256GCM_TAG_LEN,
                                    ciphertext + total) == 1) {
                *out_len = DANBAO_AES256GCM_NONCE_LEN + (size_t)total + DANBAO_AES256GCM_TAG_LEN;
                status = 0;
            }
        }
    }
    EVP_CIPHER_CTX_free(ctx);
    return status;
}

int danbao_aes256gcm_open(const uint8_t key[32], const uint8_t *sealed, size_t sealed_len,
                          uint8_t *out, size_t *out_len) {
    const size_t overhead = DANBAO_AES256GCM_NONCE_LEN + DANBAO_AES256GCM_TAG_LEN;
    if (sealed_len < overhead || sealed_len - overhead > INT_MAX - 64) {
        return -1;
    }
    const uint8_t *nonce = sealed;
    const uint8_t *ciphertext = sealed + DANBAO_AES256GCM_NONCE_LEN;
    const size_t ciphertext_len = sealed_len - overhead;
    /* EVP_CIPHER_CTX_ctrl takes the expected tag through a non-const pointer. */
    uint8_t tag[DANBAO_AES256GCM_TAG_LEN];
    for (size_t i = 0; i < DANBAO_AES256GCM_TAG_LEN; i++) {
        tag[i] = ciphertext[ciphertext_len + i];
    }
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        return -1;
    }
    int status = -1;
    int len = 0;
    int total = 0;
    if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, DANBAO_AES256GCM_NONCE_LEN, NULL) == 1 &&
        EVP_DecryptInit_ex(ctx, NULL, NULL, key, nonce) == 1 &&
        EVP_DecryptUpdate(ctx, out, &len, ciphertext, (int)ciphertext_len) == 1) {
        total = len;
        if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, DANBAO_AES256GCM_TAG_LEN, tag) == 1 &&
            EVP_DecryptFinal_ex(ctx, out + total, &len) == 1) {
            total += len;
            *out_len = (size_t)total;
            status = 0;
        }
    }
    EVP_CIPHER_CTX_free(ctx);
    return status;
}
