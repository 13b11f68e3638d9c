/* chain.c — the hash chain's encoding, the same for every store: each row's
 * hash is the SHA-256 of netstrings of its fields (docs/journal.md, "The
 * hash chain, exactly"). Nothing here knows SQLite. */
#include "chain.h"

#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

/* ---- the hash input --------------------------------------------------- */

void jbuf_free(struct jbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

static int jbuf_put(struct jbuf *b, const void *data, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    return 0;
}

/* Decimal digits of v, written backwards from end; returns the start.
 * (snprintf was a tenth of the append path's time.) */
static char *decimal(char *end, uint64_t v)
{
    do
        *--end = (char)('0' + v % 10);
    while (v /= 10);
    return end;
}

/* A netstring: "<length>:<bytes>," — no two field lists encode alike. */
static int jbuf_ns(struct jbuf *b, const char *s, size_t n)
{
    char head[24], *end = head + sizeof head - 1;
    *end = ':';
    char *start = decimal(end, n);
    if (jbuf_put(b, start, (size_t)(end + 1 - start)) || jbuf_put(b, s, n))
        return -1;
    return jbuf_put(b, ",", 1);
}

static int jbuf_ns_int(struct jbuf *b, int64_t v)
{
    char num[24], *end = num + sizeof num;
    char *start = decimal(end, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
    if (v < 0)
        *--start = '-';
    return jbuf_ns(b, start, (size_t)(end - start));
}

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;

static void c_locale_init(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* %.17g round-trips every double; under the "C" locale so that a terminal
 * set to a comma-decimal language hashes the same bytes as any other. */
static int jbuf_ns_double(struct jbuf *b, double v)
{
    char num[40];
    pthread_once(&c_locale_once, c_locale_init);
    locale_t old = c_locale ? uselocale(c_locale) : (locale_t)0;
    int n = snprintf(num, sizeof num, "%.17g", v);
    if (old)
        uselocale(old);
    return jbuf_ns(b, num, (size_t)n);
}

int chain_event_content(struct jbuf *b, int64_t ts_ms, const char *actor,
                          size_t actor_len, const char *os_user,
                          size_t os_user_len, const char *kind,
                          size_t kind_len, const char *body, size_t body_len)
{
    if (jbuf_ns_int(b, ts_ms) || jbuf_ns(b, actor, actor_len) ||
        jbuf_ns(b, os_user, os_user_len) || jbuf_ns(b, kind, kind_len))
        return -1;
    return jbuf_ns(b, body, body_len);
}

int chain_sample_content(struct jbuf *b, int64_t ts_ms, const char *signal,
                           size_t signal_len, int has_value, double value,
                           const char *status, size_t status_len,
                           int64_t after_event)
{
    if (jbuf_ns_int(b, ts_ms) || jbuf_ns(b, signal, signal_len))
        return -1;
    if (has_value ? jbuf_ns_double(b, value) : jbuf_put(b, "~", 1))
        return -1;
    if (status ? jbuf_ns(b, status, status_len) : jbuf_put(b, "~", 1))
        return -1;
    /* format 3's place in the one history; a format-2 row (NULL) adds
     * nothing, so it hashes exactly as it always did */
    return after_event >= 0 ? jbuf_ns_int(b, after_event) : 0;
}

int chain_row_hash(const char *tag, const char *prev_hash, int64_t seq,
                     const char *content, size_t content_len,
                     struct jbuf *input, char out[65])
{
    input->len = 0;
    if (jbuf_ns(input, tag, strlen(tag)) ||
        jbuf_ns(input, prev_hash, strlen(prev_hash)) ||
        jbuf_ns_int(input, seq) || jbuf_put(input, content, content_len))
        return -1;
    hash_sha256_hex(input->p, input->len, out);
    return 0;
}
