/* journal_internal.h — what journal.c and journal_verify.c share and nobody
 * else should see: the handle's layout, the schema's constants and the
 * encoding that each row's hash is taken over (docs/journal.md spells it
 * out for people who re-verify a journal in another language). */
#ifndef CUTOVER_JOURNAL_INTERNAL_H
#define CUTOVER_JOURNAL_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "journal.h"

/* PRAGMA application_id of every cutover journal: "cuto" in ASCII. */
#define JOURNAL_APPLICATION_ID 0x6375746f
/* meta.format_version this build writes and the newest it reads. Format 2
 * adds the lease table; a format-1 journal is migrated when opened for
 * writing (read-only opens accept it as it is). */
#define JOURNAL_FORMAT_VERSION 2
/* How long a writer waits for another writer's transaction, in ms. */
#define JOURNAL_BUSY_TIMEOUT_MS 5000
/* prev_hash of the first row of each chain. */
#define JOURNAL_ZERO_HASH \
    "0000000000000000000000000000000000000000000000000000000000000000"

/* A growable byte buffer: the hash input is built here. */
struct jbuf {
    char *p;
    size_t len, cap;
};

enum journal_stmt {
    JS_BEGIN,
    JS_COMMIT,
    JS_ROLLBACK,
    JS_EV_LAST,
    JS_EV_INSERT,
    JS_EV_READ,
    JS_EV_KIND_LAST,
    JS_SA_LAST,
    JS_SA_INSERT,
    JS_SA_READ,
    JS_DATA_VERSION,
    JS_COUNT
};

struct journal_writer;

struct journal {
    sqlite3 *db;
    int in_tx;                 /* inside journal_transact: no BEGIN/COMMIT */
    struct journal_writer *writer; /* appends are queued to it when set */
    journal_local_event_fn local_event;   /* told of each queued append */
    journal_local_sample_fn local_sample;
    void *local_ctx;
    char *path;
    int readonly;
    int64_t data_version;      /* as of the last journal_changed() */
    char os_user[64];          /* login name of the effective user */
    sqlite3_stmt *st[JS_COUNT];
    struct jbuf content, input; /* scratch for hashing, reused */
};

void jbuf_free(struct jbuf *b);

/* The hash input is a run of fields, each either a netstring
 * "<decimal byte length>:<bytes>," or "~" for SQL NULL. A row's input is
 *   ns(tag) ns(prev_hash) ns(seq) <content>
 * with tag "event" or "sample"; <content> is built by the two functions
 * below. Each returns 0, or -1 when out of memory. */
int journal_event_content(struct jbuf *b, int64_t ts_ms, const char *actor,
                          size_t actor_len, const char *os_user,
                          size_t os_user_len, const char *kind,
                          size_t kind_len, const char *body, size_t body_len);
int journal_sample_content(struct jbuf *b, int64_t ts_ms, const char *signal,
                           size_t signal_len, int has_value, double value,
                           const char *status, size_t status_len);

/* out = hex SHA-256 of ns(tag) ns(prev_hash) ns(seq) followed by the
 * content bytes; `input` is scratch. 0, or -1 when out of memory. */
int journal_row_hash(const char *tag, const char *prev_hash, int64_t seq,
                     const char *content, size_t content_len,
                     struct jbuf *input, char out[65]);

/* The writer's side of the front (journal_writer.c): queue an append. */
int journal_writer_queue_events(struct journal_writer *w,
                                const struct journal_event *evs, size_t n,
                                struct error *err);
int journal_writer_queue_samples(struct journal_writer *w,
                                 const struct journal_sample *s, size_t n,
                                 struct error *err);
int journal_writer_queue_anchor(struct journal_writer *w, int64_t ts_ms,
                                const char *actor, struct error *err);
int journal_writer_queue_tx(struct journal_writer *w, journal_tx_fn fn,
                            void *ctx, journal_done_fn done, struct error *err);

/* Fills err with "<path>: <what>: <sqlite's message>". */
void journal_db_error(const struct journal *j, struct error *err,
                      const char *what);

#endif
