/* hash.h — SHA-256 (OpenSSL libcrypto) as lowercase hex. */
#ifndef CUTOVER_HASH_H
#define CUTOVER_HASH_H

#include <stddef.h>

/* Writes the 64 hex digits and a NUL into out[65]. */
void hash_sha256_hex(const void *data, size_t len, char out[65]);

#endif
