/* hash.c — SHA-256 through OpenSSL's EVP interface. The digest is fetched
 * once per process: OpenSSL 3's implicit fetch (EVP_Digest with
 * EVP_sha256()) looks the algorithm up on every call, which was half the
 * cost of hashing a journal row. */
#include "hash.h"

#include <pthread.h>

#include <openssl/evp.h>

static EVP_MD *sha256;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void fetch_sha256(void) { sha256 = EVP_MD_fetch(NULL, "SHA256", NULL); }

void hash_sha256_hex(const void *data, size_t len, char out[65])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE] = {0}; /* defined even if OpenSSL fails (OOM) */
    unsigned int md_len = 0;
    pthread_once(&sha256_once, fetch_sha256);
    EVP_Digest(data, len, md, &md_len, sha256 ? sha256 : EVP_sha256(), NULL);
    for (unsigned int i = 0; i < 32; i++) {
        out[2 * i] = digits[md[i] >> 4];
        out[2 * i + 1] = digits[md[i] & 15];
    }
    out[64] = '\0';
}
