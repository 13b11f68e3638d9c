/* journal.h — the append-only, hash-chained record of a ceremony.
 *
 * The journal is the source of truth: the session on screen is a fold over
 * its events. This is its front: open (by a location that picks the store,
 * journal_store.h: SQLite now, PostgreSQL later), append (sequence and hash
 * assigned in one transaction), read from a sequence number, notice new
 * events, decide-and-append transactions, the driver's lease, and verify. Metric samples live beside the events in their own
 * chain, so replay can redraw every panel and verify covers them too.
 *
 * The SQLite schema is documented in README.md ("The journal"). */
#ifndef CUTOVER_JOURNAL_H
#define CUTOVER_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct journal;

/* One event. On append, seq and os_user are ignored/filled by the journal
 * (os_user: the effective OS user's login name); on read, every field is
 * set and valid only during the visit callback. */
struct journal_event {
    int64_t seq;
    int64_t ts_ms;       /* wall time, milliseconds since the epoch */
    const char *actor;   /* "name/role", or "engine" */
    const char *os_user;
    const char *kind;    /* "session_start", "ack", ... (open set) */
    const char *body;    /* JSON object text */
};

/* One metric sample. has_value = 0 records "no data"; status carries a
 * short word such as "ok", "stale", "error: ..." (may be NULL). */
struct journal_sample {
    int64_t seq;
    int64_t ts_ms;
    const char *signal;
    double value;
    int has_value;
    const char *status;
    /* On read: the newest event's seq when the sample was appended (its
     * place in the one history, assigned by the store), or JOURNAL_NO_AFTER
     * for a row from before format 3. Ignored on append. */
    int64_t after_event;
};

#define JOURNAL_NO_AFTER (-1)

/* Kinds the journal itself writes (the domain's kinds are in events.h):
 * an anchor of the samples chain, and the damage a --force opened over. */
#define JOURNAL_KIND_ANCHOR  "anchor"          /* samples, sample_seq, sample_hash */
#define JOURNAL_KIND_DAMAGED "journal_damaged" /* table, first_bad_seq, reason, forced */

enum journal_open_flags {
    JOURNAL_CREATE = 1,   /* create the file and schema if missing */
    JOURNAL_READONLY = 2, /* never write (verify, replay, report) */
};

/* Opens (and with JOURNAL_CREATE creates) a journal file in WAL mode.
 * Refuses a file that is not a cutover journal with a message saying so. */
int journal_open(const char *path, int flags, struct journal **out,
                 struct error *err);
void journal_close(struct journal *j);

/* Appends one event; *seq_out (may be NULL) gets its sequence number. */
int journal_append(struct journal *j, const struct journal_event *ev,
                   int64_t *seq_out, struct error *err);

/* Appends n events in one transaction (the fast path for bulk writers). */
int journal_append_many(struct journal *j, const struct journal_event *evs,
                        size_t n, struct error *err);

/* Appends n samples in one transaction. */
int journal_append_samples(struct journal *j, const struct journal_sample *s,
                           size_t n, struct error *err);

/* Calls fn for every event with seq > after_seq, in order. A non-zero
 * return from fn stops the walk and is returned. */
typedef int (*journal_event_fn)(const struct journal_event *ev, void *ctx);
int journal_read(struct journal *j, int64_t after_seq, journal_event_fn fn,
                 void *ctx, struct error *err);

typedef int (*journal_sample_fn)(const struct journal_sample *s, void *ctx);
int journal_read_samples(struct journal *j, int64_t after_seq,
                         journal_sample_fn fn, void *ctx, struct error *err);

/* One signal's samples taken from from_ms to to_ms (both included),
 * oldest first, read as of one moment; a non-zero return from fn stops
 * the walk and is returned. For gates over a signal's history. */
int journal_read_signal(struct journal *j, const char *signal, int64_t from_ms,
                        int64_t to_ms, journal_sample_fn fn, void *ctx,
                        struct error *err);

/* The location the journal was opened from (a path, for SQLite). */
const char *journal_location(const struct journal *j);

/* The one history: events and samples merged into the order they were
 * appended in — event k, then the samples appended after it (after_event
 * = k) in their own order, then event k+1. Samples from before format 3
 * (no after_event) go by time: before an event only when strictly older.
 * Both cursors are read as of one moment. on_event is called for events
 * with seq > after_event_seq, on_sample for samples with seq >
 * after_sample_seq; a non-zero return from either stops the walk and is
 * returned. Every fold reads through here. */
int journal_read_history(struct journal *j, int64_t after_event_seq,
                         int64_t after_sample_seq, journal_event_fn on_event,
                         journal_sample_fn on_sample, void *ctx,
                         struct error *err);

/* The whole history in the same order, with only what places each row:
 * seq and ts_ms, an event's kind, a sample's after_event; actor, body,
 * signal and status are "" and no value is read — but a console_open's
 * body, for what it says of the run (a test clock). Several times cheaper
 * than journal_read_history on a long journal (replay's index). */
int journal_read_outline(struct journal *j, journal_event_fn on_event,
                         journal_sample_fn on_sample, void *ctx, struct error *err);

/* The merge's one rule: 1 when sample sa comes before event ev. */
int journal_sample_first(const struct journal_sample *sa,
                         const struct journal_event *ev);

/* 1 when another connection has committed since the last call (cheap:
 * PRAGMA data_version), 0 when not, -1 on error. */
int journal_changed(struct journal *j);

/* The newest event's sequence number, 0 for an empty journal. */
int64_t journal_last_seq(struct journal *j);

/* Finds the newest event of `kind` and copies its body (malloc'd, caller
 * frees) into *body; *body = NULL when there is none. */
int journal_last_of_kind(struct journal *j, const char *kind, char **body,
                         struct error *err);

/* ---- transactions, asynchronous appends -------------------------------- */

/* Runs fn inside one write transaction (BEGIN IMMEDIATE): whatever fn reads
 * is what the journal holds, and whatever it appends (journal_append & co.
 * on the j it is given) commits with it, or not at all when fn returns a
 * negative value. Returns fn's value, or -1 when the transaction failed. */
typedef int (*journal_tx_fn)(struct journal *j, void *ctx, struct error *err);
int journal_transact(struct journal *j, journal_tx_fn fn, void *ctx,
                     struct error *err);

/* Told, on the loop's thread, how a queued transaction ended: rc is fn's
 * value, or -1 (err says why: the journal could not be written). */
typedef void (*journal_done_fn)(void *ctx, int rc, const struct error *err);

/* Like journal_transact, but on the journal's writer thread when one is
 * attached (journal_writer.h): never waits. Refused at once (-1, err) when
 * the writer cannot write now; otherwise done(ctx, …) follows from
 * journal_writer_poll. With no writer, runs at once and calls done. */
int journal_transact_async(struct journal *j, journal_tx_fn fn, void *ctx,
                           journal_done_fn done, struct error *err);

/* With a writer attached, appends are queued and these are told of each
 * one as it is queued (on the caller's thread), so the caller's fold can
 * show it before it is written. */
typedef void (*journal_local_event_fn)(const struct journal_event *ev,
                                       void *ctx);
typedef void (*journal_local_sample_fn)(const struct journal_sample *s,
                                        void *ctx);
void journal_set_local(struct journal *j, journal_local_event_fn ev_fn,
                       journal_local_sample_fn sample_fn, void *ctx);

/* Sets how long a write waits for another writer's lock (default 5 s). */
void journal_set_busy_timeout(struct journal *j, int ms);

/* The samples chain's tail: last seq (0 when empty) and its hash. */
int journal_sample_tail(struct journal *j, int64_t *seq, char hash[65],
                        struct error *err);

/* Appends an `anchor` event: the samples chain's count and last hash as of
 * now, so that verify catches samples deleted before it. Queued when a
 * writer is attached (the tail is then read when it is written). */
int journal_append_anchor(struct journal *j, int64_t ts_ms, const char *actor,
                          struct error *err);

/* A small key/value in meta (inside a transaction, or its own). */
int journal_meta_get(struct journal *j, const char *key, char *value,
                     size_t len, struct error *err);
int journal_meta_set(struct journal *j, const char *key, const char *value,
                     struct error *err);

/* ---- the driver's lease ------------------------------------------------ */

/* How long a lease lives without renewal, in ms. */
#define JOURNAL_LEASE_MS 5000
/* The writer renews the lease this often; a lease not renewed for
 * JOURNAL_QUIET_MS means nobody drives (consoles say NO ENGINE): a hung
 * driver is seen within that plus one look, under three seconds. */
#define JOURNAL_RENEW_MS 500
#define JOURNAL_QUIET_MS 2000

struct journal_lease {
    char holder[96];     /* "Alice Ng/commander" */
    char host[64];
    char console[24];    /* this console's id, random per process */
    long pid;
    int64_t since_ms, renewed_ms;
};

/* Takes the lease for me at now_ms: 0 taken (or already mine), with the
 * lapsed lease it replaced in *holder (holder[0] empty when there was
 * none); 1 refused, with the live holder in *holder; -1 on error. A lease
 * not renewed for JOURNAL_LEASE_MS, or held by a process of this host that
 * is gone, is taken over — unless flags has JOURNAL_LEASE_NOT_OVER_OTHERS
 * and another holder's name is on it: then 2, the lapsed lease in *holder,
 * left as it was. */
#define JOURNAL_LEASE_NOT_OVER_OTHERS 1u
int journal_lease_take(struct journal *j, const struct journal_lease *me,
                       int64_t now_ms, unsigned flags, struct journal_lease *holder,
                       struct error *err);
/* Renews it: 0 renewed, 1 lost (someone else holds it), -1 on error. */
int journal_lease_renew(struct journal *j, const struct journal_lease *me,
                        int64_t now_ms, struct journal_lease *holder,
                        struct error *err);
int journal_lease_release(struct journal *j, const struct journal_lease *me,
                          struct error *err);
/* Who drives, read-only (one row, for the consoles that do not): 1 a
 * holder renewed within quiet_ms whose process, when on this host, is
 * alive (*holder filled); 0 nobody; -1 on error. */
int journal_lease_holder(struct journal *j, int64_t now_ms, int64_t quiet_ms,
                         struct journal_lease *holder, struct error *err);

struct journal_verify_result {
    int ok;                 /* 1: both chains intact */
    char table[16];         /* "events" or "samples" where it broke */
    int64_t first_bad_seq;  /* the first sequence number that fails */
    char reason[256];       /* "hash mismatch (row edited)", "gap: ..." */
    int64_t n_events, n_samples;
    int64_t n_anchors;      /* anchor events checked against the samples */
    int empty;              /* an SQLite file with no tables yet: a journal another
                             * console is creating this instant (verify fails) */
};

/* Checks both hash chains: every row's hash is the SHA-256 of its fields
 * and of the previous row's hash, and sequence numbers run 1, 2, 3, ...
 * Returns 0 when the check ran (see res->ok), -1 when it could not. */
int journal_verify(const char *path, struct journal_verify_result *res,
                   struct error *err);

#endif
