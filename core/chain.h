/* chain.h — the hash chain's encoding, independent of any store: a row's
 * hash input is a run of fields, each a netstring "<decimal byte length>:
 * <bytes>," or "~" for SQL NULL:
 *   ns(tag) ns(prev_hash) ns(seq) <content>
 * with tag "event" or "sample" (docs/journal.md spells it out for people
 * who re-verify a journal in another language). */
#ifndef CUTOVER_CHAIN_H
#define CUTOVER_CHAIN_H

#include <stddef.h>
#include <stdint.h>

/* prev_hash of the first row of each chain. */
#define CHAIN_ZERO_HASH \
    "0000000000000000000000000000000000000000000000000000000000000000"

/* A growable byte buffer: the hash input is built here. */
struct jbuf {
    char *p;
    size_t len, cap;
};

void jbuf_free(struct jbuf *b);

/* A row's <content>; each returns 0, or -1 when out of memory. */
int chain_event_content(struct jbuf *b, int64_t ts_ms, const char *actor,
                        size_t actor_len, const char *os_user,
                        size_t os_user_len, const char *kind,
                        size_t kind_len, const char *body, size_t body_len);
/* after_event: the sample's place among the events (format 3), or
 * CHAIN_NO_AFTER for a row written before it had one (SQL NULL). */
#define CHAIN_NO_AFTER (-1)
int chain_sample_content(struct jbuf *b, int64_t ts_ms, const char *signal,
                         size_t signal_len, int has_value, double value,
                         const char *status, size_t status_len,
                         int64_t after_event);

/* out = hex SHA-256 of ns(tag) ns(prev_hash) ns(seq) followed by the
 * content bytes; `input` is scratch. 0, or -1 when out of memory. */
int chain_row_hash(const char *tag, const char *prev_hash, int64_t seq,
                   const char *content, size_t content_len,
                   struct jbuf *input, char out[65]);

#endif
