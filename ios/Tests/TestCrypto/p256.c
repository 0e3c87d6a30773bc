#include "TestCrypto.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <string.h>

struct danbao_p256_key {
    EVP_PKEY *pkey;
};

danbao_p256_key *danbao_p256_generate(void) {
    EVP_PKEY *pkey = EVP_EC_gen("P-256");
    if (pkey == NULL) {
        return NULL;
    }
    danbao_p256_key *key = OPENSSL_malloc(sizeof *key);
    if (key == NULL) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    key->pkey = pkey;
    return key;
}

void danbao_p256_free(danbao_p256_key *key) {
    if (key != NULL) {
        EVP_PKEY_free(key->pkey);
        OPENSSL_free(key);
    }
}

int danbao_p256_public_key(const danbao_p256_key *key, uint8_t out[65]) {
    size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(key->pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out, 65,
                                        &len) != 1) {
        return -1;
    }
    return (len == 65 && out[0] == 0x04) ? 0 : -1;
}

int danbao_p256_sign(const danbao_p256_key *key, const uint8_t *message, size_t message_len,
                     uint8_t out[72], size_t *out_len) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) {
        return -1;
    }
    int status = -1;
    size_t len = 72;
    if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key->pkey) == 1 &&
        EVP_DigestSign(ctx, out, &len, message, message_len) == 1) {
        *out_len = len;
        status = 0;
    }
    EVP_MD_CTX_free(ctx);
    return status;
}
