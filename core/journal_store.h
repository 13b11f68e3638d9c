/* journal_store.h — the seam every journal store sits behind (after
 * SQLite's VFS): a table of operations. SQLite's file is the one store
 * today (store_sqlite.c); a PostgreSQL store is one new file with its own
 * table and one line in journal.c's list. The hash chain's encoding is
 * chain.c's, the lease's rules and the anchors are journal.c's: a store
 * only keeps rows and assigns sequence numbers and hashes inside its own
 * transaction.
 *
 * Each store defines `struct journal_store` in its own file; no one else
 * looks inside it. */
#ifndef CUTOVER_JOURNAL_STORE_H
#define CUTOVER_JOURNAL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "journal.h"
#include "journal_consoles.h"

struct journal_store;

struct journal_store_ops {
    const char *name;
    /* 1 when this store takes the location (a path, a URI). */
    int (*accepts)(const char *location);
    int (*open)(const char *location, int flags, struct journal_store **out,
                struct error *err);
    void (*close)(struct journal_store *s);

    /* One write transaction: appends between begin and commit join it; an
     * append outside one is its own. begin waits for the write lock no
     * longer than the busy timeout. */
    int (*begin)(struct journal_store *s, struct error *err);
    int (*commit)(struct journal_store *s, struct error *err);
    void (*rollback)(struct journal_store *s);
    void (*set_busy_timeout)(struct journal_store *s, int ms);

    /* Sequence numbers and hashes are assigned here, after the tail. */
    int (*append_events)(struct journal_store *s, const struct journal_event *evs,
                         size_t n, int64_t *last_seq, struct error *err);
    int (*append_samples)(struct journal_store *s, const struct journal_sample *v,
                          size_t n, struct error *err);
    int (*read_events)(struct journal_store *s, int64_t after, journal_event_fn fn,
                       void *ctx, struct error *err);
    int (*read_samples)(struct journal_store *s, int64_t after, journal_sample_fn fn,
                        void *ctx, struct error *err);
    /* One signal's samples with from_ms <= ts_ms <= to_ms, oldest first
     * (the gates' history: an index on (signal, ts_ms) serves it). */
    int (*read_signal)(struct journal_store *s, const char *signal, int64_t from_ms,
                       int64_t to_ms, journal_sample_fn fn, void *ctx, struct error *err);
    /* Both, merged by journal_sample_first, read as of one moment. */
    int (*read_history)(struct journal_store *s, int64_t after_event, int64_t after_sample,
                        journal_event_fn on_event, journal_sample_fn on_sample,
                        void *ctx, struct error *err);
    /* The same walk from the start with only seq, ts_ms, kind and
     * after_event read (every other text is "", but a console_open's body). */
    int (*read_outline)(struct journal_store *s, journal_event_fn on_event,
                        journal_sample_fn on_sample, void *ctx, struct error *err);
    /* 1 when another connection committed since the last call. */
    int (*changed)(struct journal_store *s);
    int64_t (*last_seq)(struct journal_store *s);
    int (*last_of_kind)(struct journal_store *s, const char *kind, char **body,
                        struct error *err);
    int (*sample_tail)(struct journal_store *s, int64_t *seq, char hash[65],
                       struct error *err);
    int (*meta_get)(struct journal_store *s, const char *key, char *value, size_t len,
                    struct error *err);
    int (*meta_set)(struct journal_store *s, const char *key, const char *value,
                    struct error *err);

    /* The lease's one row: read (0 found, 1 none), write, delete. */
    int (*lease_read)(struct journal_store *s, struct journal_lease *l, struct error *err);
    int (*lease_write)(struct journal_store *s, const struct journal_lease *me,
                       int64_t since_ms, int64_t now_ms, struct error *err);
    int (*lease_delete)(struct journal_store *s, struct error *err);

    /* The consoles' heartbeat rows (journal_consoles.h), outside the chain:
     * touch upserts me at now_ms and removes rows not touched since
     * forget_ms; read fills up to max rows, oldest first (0 when no console
     * ever touched the journal); delete removes one console's row. */
    int (*console_touch)(struct journal_store *s, const struct journal_console *me,
                         int64_t now_ms, int64_t forget_ms, struct error *err);
    long (*console_read)(struct journal_store *s, struct journal_console *out, size_t max,
                         struct error *err);
    int (*console_delete)(struct journal_store *s, const char *console, struct error *err);

    /* Walks both chains (and the anchors) as of one moment. */
    int (*verify)(const char *location, struct journal_verify_result *res,
                  struct error *err);
};

extern const struct journal_store_ops journal_store_sqlite;

#endif
