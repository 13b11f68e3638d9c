/* hash.c — SHA-256 through OpenSSL's EVP interface. The digest is fetched
 * once per process and each thread keeps its own context: OpenSSL 3's
 * implicit fetch (EVP_Digest with EVP_sha256()) looks the algorithm up on
 * every call, which was half the cost of hashing a journal row. */
#include "hash.h"

#include <pthread.h>

#include <openssl/evp.h>

static EVP_MD *sha256;
static pthread_key_t ctx_key;
static int have_key;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void free_ctx(void *ctx) { EVP_MD_CTX_free(ctx); }

static void fetch_sha256(void)
{
    sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    have_key = pthread_key_create(&ctx_key, free_ctx) == 0;
}

/* This thread's context, made on first use and freed when the thread
 * ends; NULL when there is none to be had (the caller falls back to the
 * one-shot call). */
static EVP_MD_CTX *thread_ctx(void)
{
    if (!have_key)
        return NULL;
    EVP_MD_CTX *ctx = pthread_getspecific(ctx_key);
    if (!ctx && (ctx = EVP_MD_CTX_new()) != NULL && pthread_setspecific(ctx_key, ctx) != 0) {
        EVP_MD_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

void hash_sha256_hex(const void *data, size_t len, char out[65])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE] = {0}; /* defined even if OpenSSL fails (OOM) */
    unsigned int md_len = 0;
    pthread_once(&sha256_once, fetch_sha256);
    EVP_MD_CTX *ctx = sha256 ? thread_ctx() : NULL;
    if (!ctx || EVP_DigestInit_ex2(ctx, sha256, NULL) != 1 ||
        EVP_DigestUpdate(ctx, data, len) != 1 || EVP_DigestFinal_ex(ctx, md, &md_len) != 1)
        EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL);
    for (unsigned int i = 0; i < 32; i++) {
        out[2 * i] = digits[md[i] >> 4];
        out[2 * i + 1] = digits[md[i] & 15];
    }
    out[64] = '\0';
}
