/* journal.c — the journal's front: one handle over whichever store the
 * location names (journal_store.h), and what is the same for every store —
 * queueing to the writer thread, transactions that decide and append, the
 * anchors, and the rules of the driver's lease. Every event body and
 * sample status passes the installed redaction (redact.h) here, before the
 * local fold or any store sees it: the one way into the journal. */
#include "journal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal_internal.h"
#include "redact.h"

/* The stores this build knows; a new one is one line here. */
static const struct journal_store_ops *const stores[] = {
    &journal_store_sqlite,
};

static const struct journal_store_ops *store_for(const char *location)
{
    for (size_t i = 0; i < sizeof stores / sizeof stores[0]; i++)
        if (stores[i]->accepts(location))
            return stores[i];
    return NULL;
}

int journal_open(const char *path, int flags, struct journal **out,
                 struct error *err)
{
    *out = NULL;
    if (err)
        err->msg[0] = '\0';
    const struct journal_store_ops *ops = store_for(path ? path : "");
    if (!ops) {
        error_set(err, "%s: no journal store takes this location", path);
        return -1;
    }
    struct journal *j = calloc(1, sizeof *j);
    if (!j || !(j->path = strdup(path ? path : ""))) {
        free(j);
        error_set(err, "%s: cannot open the journal: out of memory",
                  path ? path : "");
        return -1;
    }
    j->ops = ops;
    if (ops->open(path, flags, &j->store, err) != 0) {
        free(j->path);
        free(j);
        return -1;
    }
    *out = j;
    return 0;
}

void journal_close(struct journal *j)
{
    if (!j)
        return;
    j->ops->close(j->store);
    free(j->path);
    free(j);
}

int journal_verify(const char *path, struct journal_verify_result *res,
                   struct error *err)
{
    const struct journal_store_ops *ops = store_for(path ? path : "");
    if (!ops) {
        memset(res, 0, sizeof *res);
        error_set(err, "%s: no journal store takes this location", path);
        return -1;
    }
    return ops->verify(path, res, err);
}

/* ---- appending: queued with a writer, else at once --------------------- */

static int queue_events(struct journal *j, const struct journal_event *evs,
                        size_t n, int64_t *seq_out, struct error *err)
{
    if (journal_writer_queue_events(j->writer, evs, n, err))
        return -1;
    for (size_t i = 0; j->local_event && i < n; i++)
        j->local_event(&evs[i], j->local_ctx);
    if (seq_out)
        *seq_out = 0;   /* assigned when written */
    return 0;
}

/* ---- masking: secrets never reach the journal ------------------------- */

/* evs with masked bodies: evs itself when none needed it, else a copy
 * (free it with unmask_events); NULL when out of memory. */
static const struct journal_event *mask_events(const struct journal_event *evs, size_t n)
{
    struct journal_event *copy = NULL;
    for (size_t i = 0; i < n; i++) {
        int oom;
        char *m = redact_json(redact_installed(), evs[i].body, &oom);
        if (!m && !oom)
            continue;
        if (m && !copy && (copy = malloc(n * sizeof *copy)))
            memcpy(copy, evs, n * sizeof *copy);
        if (!m || !copy) {
            free(m);
            for (size_t k = 0; copy && k < i; k++)
                if (copy[k].body != evs[k].body)
                    free((char *)copy[k].body);
            free(copy);
            return NULL;
        }
        copy[i].body = m;
    }
    return copy ? copy : evs;
}

static void unmask_events(const struct journal_event *masked, const struct journal_event *evs,
                          size_t n)
{
    if (masked == evs || !masked)
        return;
    for (size_t i = 0; i < n; i++)
        if (masked[i].body != evs[i].body)
            free((char *)masked[i].body);
    free((void *)masked);
}

/* The same for samples' statuses ("error: …" may echo a password). */
static const struct journal_sample *mask_samples(const struct journal_sample *s, size_t n)
{
    struct journal_sample *copy = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!s[i].status || !redact_needed(redact_installed(), s[i].status))
            continue;
        char *m = redact(redact_installed(), s[i].status);
        if (m && !copy && (copy = malloc(n * sizeof *copy)))
            memcpy(copy, s, n * sizeof *copy);
        if (!m || !copy) {
            free(m);
            for (size_t k = 0; copy && k < i; k++)
                if (copy[k].status != s[k].status)
                    free((char *)copy[k].status);
            free(copy);
            return NULL;
        }
        copy[i].status = m;
    }
    return copy ? copy : s;
}

static void unmask_samples(const struct journal_sample *masked, const struct journal_sample *s,
                           size_t n)
{
    if (masked == s || !masked)
        return;
    for (size_t i = 0; i < n; i++)
        if (masked[i].status != s[i].status)
            free((char *)masked[i].status);
    free((void *)masked);
}

static int append_events(struct journal *j, const struct journal_event *evs, size_t n,
                         int64_t *seq_out, struct error *err)
{
    const struct journal_event *m = mask_events(evs, n);
    if (!m) {   /* out of memory: nothing unmasked is written */
        error_set(err, "cannot append: out of memory masking secrets");
        return -1;
    }
    int rc = j->writer && !j->in_tx ? queue_events(j, m, n, seq_out, err)
                                     : j->ops->append_events(j->store, m, n, seq_out, err);
    unmask_events(m, evs, n);
    return rc;
}

int journal_append(struct journal *j, const struct journal_event *ev,
                   int64_t *seq_out, struct error *err)
{
    return append_events(j, ev, 1, seq_out, err);
}

int journal_append_many(struct journal *j, const struct journal_event *evs,
                        size_t n, struct error *err)
{
    return append_events(j, evs, n, NULL, err);
}

int journal_append_samples(struct journal *j, const struct journal_sample *samples,
                           size_t n, struct error *err)
{
    const struct journal_sample *s = mask_samples(samples, n);
    int rc = 0;
    if (!s) {
        error_set(err, "cannot append: out of memory masking secrets");
        return -1;
    }
    if (j->writer && !j->in_tx) {
        rc = journal_writer_queue_samples(j->writer, s, n, err);
        for (size_t i = 0; rc == 0 && j->local_sample && i < n; i++)
            j->local_sample(&s[i], j->local_ctx);
    } else {
        rc = j->ops->append_samples(j->store, s, n, err);
    }
    unmask_samples(s, samples, n);
    return rc;
}

/* ---- reading ------------------------------------------------------------ */

int journal_read(struct journal *j, int64_t after_seq, journal_event_fn fn,
                 void *ctx, struct error *err)
{
    return j->ops->read_events(j->store, after_seq, fn, ctx, err);
}

int journal_read_samples(struct journal *j, int64_t after_seq,
                         journal_sample_fn fn, void *ctx, struct error *err)
{
    return j->ops->read_samples(j->store, after_seq, fn, ctx, err);
}

int journal_read_signal(struct journal *j, const char *signal, int64_t from_ms,
                        int64_t to_ms, journal_sample_fn fn, void *ctx,
                        struct error *err)
{
    return j->ops->read_signal(j->store, signal, from_ms, to_ms, fn, ctx, err);
}

const char *journal_location(const struct journal *j)
{
    return j->path;
}

int journal_read_history(struct journal *j, int64_t after_event_seq,
                         int64_t after_sample_seq, journal_event_fn on_event,
                         journal_sample_fn on_sample, void *ctx,
                         struct error *err)
{
    return j->ops->read_history(j->store, after_event_seq, after_sample_seq,
                                on_event, on_sample, ctx, err);
}

int journal_read_outline(struct journal *j, journal_event_fn on_event,
                         journal_sample_fn on_sample, void *ctx, struct error *err)
{
    return j->ops->read_outline(j->store, on_event, on_sample, ctx, err);
}

int journal_sample_first(const struct journal_sample *sa,
                         const struct journal_event *ev)
{
    if (sa->after_event != JOURNAL_NO_AFTER)
        return sa->after_event < ev->seq;
    return sa->ts_ms < ev->ts_ms;   /* before format 3: by time, the event first on a tie */
}

int journal_changed(struct journal *j)
{
    return j->ops->changed(j->store);
}

int64_t journal_last_seq(struct journal *j)
{
    return j->ops->last_seq(j->store);
}

int journal_last_of_kind(struct journal *j, const char *kind, char **body,
                         struct error *err)
{
    return j->ops->last_of_kind(j->store, kind, body, err);
}

int journal_sample_tail(struct journal *j, int64_t *seq, char hash[65],
                        struct error *err)
{
    return j->ops->sample_tail(j->store, seq, hash, err);
}

int journal_meta_get(struct journal *j, const char *key, char *value,
                     size_t len, struct error *err)
{
    return j->ops->meta_get(j->store, key, value, len, err);
}

int journal_meta_set(struct journal *j, const char *key, const char *value,
                     struct error *err)
{
    return j->ops->meta_set(j->store, key, value, err);
}

void journal_set_busy_timeout(struct journal *j, int ms)
{
    j->ops->set_busy_timeout(j->store, ms);
}

/* ---- transactions ------------------------------------------------------ */

int journal_transact(struct journal *j, journal_tx_fn fn, void *ctx,
                     struct error *err)
{
    if (j->in_tx)
        return fn(j, ctx, err);
    if (j->ops->begin(j->store, err))
        return -1;
    j->in_tx = 1;
    int rc = fn(j, ctx, err);
    j->in_tx = 0;
    if (rc < 0) {
        j->ops->rollback(j->store);
        return rc;
    }
    return j->ops->commit(j->store, err) ? -1 : rc;
}

int journal_transact_async(struct journal *j, journal_tx_fn fn, void *ctx,
                           journal_done_fn done, struct error *err)
{
    if (j->writer)
        return journal_writer_queue_tx(j->writer, fn, ctx, done, err);
    struct error why = {{0}};
    int rc = journal_transact(j, fn, ctx, &why);
    if (done)
        done(ctx, rc, &why);
    if (rc < 0 && err)
        *err = why;
    return 0;
}

void journal_set_local(struct journal *j, journal_local_event_fn ev_fn,
                       journal_local_sample_fn sample_fn, void *ctx)
{
    j->local_event = ev_fn;
    j->local_sample = sample_fn;
    j->local_ctx = ctx;
}

/* ---- anchors ------------------------------------------------------------ */

static int anchor_tx(struct journal *j, void *ctx, struct error *err)
{
    const struct journal_event *ev = ctx;
    int64_t seq;
    char hash[65], body[200];
    if (journal_sample_tail(j, &seq, hash, err))
        return -1;
    snprintf(body, sizeof body,
             "{\"samples\":%lld,\"sample_seq\":%lld,\"sample_hash\":\"%s\"}",
             (long long)seq, (long long)seq, seq ? hash : "");
    struct journal_event a = *ev;
    a.body = body;
    return journal_append(j, &a, NULL, err);
}

int journal_append_anchor(struct journal *j, int64_t ts_ms, const char *actor,
                          struct error *err)
{
    struct journal_event ev = {.ts_ms = ts_ms, .actor = actor,
                               .kind = JOURNAL_KIND_ANCHOR};
    if (j->writer && !j->in_tx) {
        if (journal_writer_queue_anchor(j->writer, ts_ms, actor, err))
            return -1;
        if (j->local_event)   /* its body is written by the writer: none here */
            j->local_event(&ev, j->local_ctx);
        return 0;
    }
    return journal_transact(j, anchor_tx, &ev, err);
}

/* ---- the driver's lease ------------------------------------------------ */

static int lease_mine(const struct journal_lease *l, const struct journal_lease *me)
{
    return strcmp(l->console, me->console) == 0;
}

/* Alive: renewed lately, and not a process of this host that is gone. */
static int lease_live(const struct journal_lease *l, const struct journal_lease *me,
                      int64_t now)
{
    if (now - l->renewed_ms > JOURNAL_LEASE_MS)
        return 0;
    if (strcmp(l->host, me->host) == 0 && l->pid > 0 &&
        kill((pid_t)l->pid, 0) != 0 && errno == ESRCH)
        return 0;
    return 1;
}

struct lease_op {
    const struct journal_lease *me;
    int64_t now;
    struct journal_lease *holder;
    int renew;
    unsigned flags;   /* JOURNAL_LEASE_* */
};

static int lease_tx(struct journal *j, void *ctx, struct error *err)
{
    struct lease_op *op = ctx;
    struct journal_lease cur;
    if (op->holder)
        memset(op->holder, 0, sizeof *op->holder);
    int found = j->ops->lease_read(j->store, &cur, err);
    if (found < 0)
        return -1;
    if (found == 0 && lease_mine(&cur, op->me))
        return j->ops->lease_write(j->store, op->me, cur.since_ms, op->now, err);
    if (found == 0 && (op->renew || lease_live(&cur, op->me, op->now))) {
        if (op->holder)
            *op->holder = cur;
        return 1;
    }
    if (op->renew)     /* no row: someone released it under us */
        return 1;
    if (op->holder && found == 0)  /* the lapsed lease this take replaces */
        *op->holder = cur;
    if (found == 0 && (op->flags & JOURNAL_LEASE_NOT_OVER_OTHERS) &&
        strcmp(cur.holder, op->me->holder) != 0)
        return 2;      /* another's lapsed lease: not ours to take over */
    return j->ops->lease_write(j->store, op->me, op->now, op->now, err);
}

int journal_lease_take(struct journal *j, const struct journal_lease *me,
                       int64_t now_ms, unsigned flags, struct journal_lease *holder,
                       struct error *err)
{
    struct lease_op op = {me, now_ms, holder, 0, flags};
    return journal_transact(j, lease_tx, &op, err);
}

int journal_lease_renew(struct journal *j, const struct journal_lease *me,
                        int64_t now_ms, struct journal_lease *holder,
                        struct error *err)
{
    struct lease_op op = {me, now_ms, holder, 1, 0};
    return journal_transact(j, lease_tx, &op, err);
}

int journal_lease_holder(struct journal *j, int64_t now_ms, int64_t quiet_ms,
                         struct journal_lease *holder, struct error *err)
{
    struct journal_lease here;
    memset(&here, 0, sizeof here);
    if (gethostname(here.host, sizeof here.host) != 0)
        here.host[0] = '\0';
    here.host[sizeof here.host - 1] = '\0';
    memset(holder, 0, sizeof *holder);
    int found = j->ops->lease_read(j->store, holder, err);
    if (found < 0)
        return -1;
    if (found != 0 || now_ms - holder->renewed_ms > quiet_ms)
        return 0;
    return lease_live(holder, &here, now_ms);
}

static int release_tx(struct journal *j, void *ctx, struct error *err)
{
    struct journal_lease cur;
    int found = j->ops->lease_read(j->store, &cur, err);
    if (found != 0)
        return found < 0 ? -1 : 0;
    if (!lease_mine(&cur, ctx))
        return 0;
    return j->ops->lease_delete(j->store, err);
}

int journal_lease_release(struct journal *j, const struct journal_lease *me,
                          struct error *err)
{
    return journal_transact(j, release_tx, (void *)me, err);
}
