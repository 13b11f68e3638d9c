/* signals.c — the HTTP sources and the scrape store behind them. A scrape
 * is fetched on the loop's curl handle and then parsed and evaluated on a
 * background thread (offloop.c), since a big exposition takes seconds; SQL
 * signals are handed to sqlsource.c's worker threads. Both wake the loop
 * through one pipe, whose read end is signals_wake_fd. */
#include "signals.h"

#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envsubst.h"
#include "expo.h"
#include "http.h"
#include "offloop.h"
#include "promapi.h"
#include "promql.h"
#include "scrape.h"
#include "series.h"
#include "sqlsource.h"
#include "timefmt.h"

/* An answer bigger than this is not a metrics answer we want to hold. */
#define MAX_QUERY_ANSWER (1u << 20)
#define MAX_EXPOSITION (32u << 20)

/* One scrape system: fetched once per interval for all its signals. */
struct target {
    const struct rb_system *sys;
    int64_t interval_ms;        /* the shortest of its signals' intervals */
    char *url;
    struct scrape_target labels; /* job and instance, as Prometheus adds them */
    struct series_store *store; /* once polling starts, touched by the job only */
    struct http_request *inflight;
    int64_t next_due_ms;
    /* the answer being parsed and evaluated off the loop */
    struct signals *owner;
    struct offloop_job job;
    int busy;                   /* the job is queued or running */
    char *body;                 /* owned; NULL when the fetch failed */
    size_t len;
    struct error fetch_err;
    int64_t fetched_ms, started_ms;
    struct signal_outcome *results;   /* one per signal of this target */
    size_t n_results, n_taken;        /* the loop takes them n at a time */
};

struct signal {
    const struct rb_signal *def;
    enum signal_source source;
    struct target *target;      /* scrape */
    struct promql *expr;        /* scrape */
    char *url;                  /* prometheus: the whole query URL */
    const char *nan_reason;     /* prometheus: why its NaN is NaN, or NULL */
    struct http_request *inflight;
    size_t sql_slot;            /* sql: index in the sql source */
    int64_t next_due_ms;
    char *broken;               /* why it cannot be polled at all, or NULL */
    int broken_due;             /* its error is due as an outcome */
    struct signal_outcome held; /* prometheus: an answer that found no room */
    int has_held;
};

struct signals {
    CURLM *multi;
    struct signal *v;
    size_t n;
    struct target *targets;
    size_t n_targets;
    struct sqlsource *sql;
    struct offloop *off;        /* the scrapes' parse and evaluation */
    int wake_rd, wake_wr;       /* workers poke, the loop waits on wake_rd */
};

const char *signals_source_name(enum signal_source src)
{
    return src == SRC_PROMETHEUS ? "prometheus" : src == SRC_SCRAPE ? "scrape" : "sql";
}

size_t signals_count(const struct signals *s)
{
    return s->n;
}

enum signal_source signals_source_of(const struct signals *s, size_t i)
{
    return s->v[i].source;
}

static struct target *target_for(struct signals *s, const struct rb_system *sys,
                                 struct error *err)
{
    for (size_t i = 0; i < s->n_targets; i++)
        if (s->targets[i].sys == sys)
            return &s->targets[i];
    struct target *t = &s->targets[s->n_targets];
    t->sys = sys;
    if (!(t->url = envsubst(sys->conn, err)))
        return NULL;
    if (scrape_target_init(&t->labels, sys->name, t->url, err) != 0) {
        free(t->url);
        t->url = NULL;
        return NULL;
    }
    /* keep ten minutes: more than the longest range runbooks write (5m)
     * and the 5m lookback of an instant selector */
    if (!(t->store = series_store_new(10 * 60 * 1000, 1200))) {
        error_set(err, "out of memory");
        return NULL;
    }
    s->n_targets++;
    return t;
}

char *signals_query_url(const char *base, const char *expr, struct error *err)
{
    char *root = envsubst(base, err);
    if (!root)
        return NULL;
    char *q = curl_easy_escape(NULL, expr, 0);
    size_t n = strlen(root);
    while (n && root[n - 1] == '/')
        root[--n] = '\0';
    size_t len = n + strlen(q) + 32;
    char *url = malloc(len);
    if (url)
        snprintf(url, len, "%s/api/v1/query?query=%s", root, q);
    curl_free(q);
    free(root);
    return url;
}

static int prepare(struct signals *s, struct signal *sig, const struct runbook *rb,
                   struct error *err)
{
    const struct rb_signal *d = sig->def;
    const char *sys_name = d->source ? d->source : "metrics";
    const struct rb_system *sys = runbook_system(rb, sys_name);
    struct error why = {{0}};
    if (!sys) {
        error_set(&why, "no system `%s` in ## Systems", sys_name);
        goto fail;
    }
    if (strcmp(sys->kind, "prometheus") == 0) {
        sig->source = SRC_PROMETHEUS;
        if (!(sig->url = signals_query_url(sys->conn, d->expr, &why)))
            goto fail;
        struct promql *q = NULL;   /* what it is made of explains a NaN */
        struct error unparsed = {{0}};
        if (promql_parse(d->expr, &q, &unparsed) == 0)
            sig->nan_reason = promql_nan_reason(promql_features(q));
        promql_free(q);
    } else if (strcmp(sys->kind, "scrape") == 0) {
        sig->source = SRC_SCRAPE;
        if (promql_parse(d->expr, &sig->expr, &why) != 0 ||
            !(sig->target = target_for(s, sys, &why)))
            goto fail;
        if (!sig->target->interval_ms || d->interval_ms < sig->target->interval_ms)
            sig->target->interval_ms = d->interval_ms;
        if (promql_want(sig->expr, sig->target->store) != 0) {
            error_set(&why, "out of memory");
            goto fail;
        }
    } else if (strcmp(sys->kind, "postgres") == 0 || strcmp(sys->kind, "sqlite") == 0) {
        sig->source = SRC_SQL;
        if (!s->sql && !(s->sql = sqlsource_new(s->wake_wr, &why)))
            goto fail;
        if (sqlsource_add(s->sql, sys, d->name, d->expr, &sig->sql_slot, &why) != 0)
            goto fail;
    } else {
        error_set(&why, "system `%s` is a %s, which cannot answer a signal "
                        "(prometheus, scrape, postgres or sqlite can)", sys->name, sys->kind);
        goto fail;
    }
    return 0;
fail:
    /* one signal that cannot be polled must not take the others down:
     * it reports its error every interval, and is judged "no data" */
    (void)err;
    sig->broken = strdup(why.msg);
    return sig->broken ? 0 : -1;
}

struct signals *signals_new(const struct runbook *rb, CURLM *multi, struct error *err)
{
    struct signals *s = calloc(1, sizeof *s);
    if (!s || !(s->v = calloc(rb->n_signals + 1, sizeof *s->v)) ||
        !(s->targets = calloc(rb->n_systems + 1, sizeof *s->targets))) {
        error_set(err, "out of memory");
        signals_free(s);
        return NULL;
    }
    s->multi = multi;
    s->n = rb->n_signals;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        error_set(err, "cannot set up the signals' wake-up pipe");
        free(s->v);
        free(s->targets);
        free(s);
        return NULL;
    }
    s->wake_rd = fds[0];
    s->wake_wr = fds[1];
    for (size_t i = 0; i < s->n; i++) {
        s->v[i].def = &rb->signals[i];
        if (prepare(s, &s->v[i], rb, err) != 0) {
            signals_free(s);
            return NULL;
        }
    }
    for (size_t i = 0; i < s->n_targets; i++) {
        struct target *t = &s->targets[i];
        size_t k = 0;
        for (size_t j = 0; j < s->n; j++)
            k += s->v[j].target == t;
        t->owner = s;
        if (!(t->results = calloc(k + 1, sizeof *t->results))) {
            error_set(err, "out of memory");
            signals_free(s);
            return NULL;
        }
    }
    if ((s->sql && sqlsource_start(s->sql, err) != 0) ||
        (s->n_targets && !(s->off = offloop_new(s->wake_wr, err)))) {
        signals_free(s);
        return NULL;
    }
    return s;
}

static void drop(struct signals *s, struct http_request **r)
{
    if (*r) {
        curl_multi_remove_handle(s->multi, (*r)->easy);
        http_request_free(*r);
        *r = NULL;
    }
}

void signals_free(struct signals *s)
{
    if (!s)
        return;
    offloop_free(s->off);   /* first: its job reads the targets */
    for (size_t i = 0; s->v && i < s->n; i++) {
        drop(s, &s->v[i].inflight);
        promql_free(s->v[i].expr);
        free(s->v[i].url);
        free(s->v[i].broken);
    }
    for (size_t i = 0; s->targets && i < s->n_targets; i++) {
        drop(s, &s->targets[i].inflight);
        series_store_free(s->targets[i].store);
        scrape_target_free(&s->targets[i].labels);
        free(s->targets[i].url);
        free(s->targets[i].body);
        free(s->targets[i].results);
    }
    sqlsource_free(s->sql);
    if (s->wake_rd > 0) {
        close(s->wake_rd);
        close(s->wake_wr);
    }
    free(s->v);
    free(s->targets);
    free(s);
}

static struct http_request *start_get(struct signals *s, const char *url, size_t max,
                                      void *owner, int64_t now_ms)
{
    struct http_request *r = http_get_new(url, SIGNAL_POLL_TIMEOUT_MS, max, NULL);
    if (!r)
        return NULL;
    r->owner = owner;
    r->started_ms = now_ms;
    if (curl_multi_add_handle(s->multi, r->easy) != CURLM_OK) {
        http_request_free(r);
        return NULL;
    }
    return r;
}

/* The deadline after *due: one interval on, so the polls keep a steady
 * cadence however long each took or however late the loop woke (a poll
 * scheduled from its completion drifts by every delay); when the loop fell
 * a whole interval behind, the missed polls are skipped, not run in a burst. */
static void advance_deadline(int64_t *due, int64_t interval_ms, int64_t now_ms)
{
    if (interval_ms <= 0 || *due <= 0 || now_ms - *due >= interval_ms) {
        *due = now_ms + (interval_ms > 0 ? interval_ms : SIGNAL_INTERVAL_MS);
        return;
    }
    *due += interval_ms;
}

void signals_start_due(struct signals *s, int64_t now_ms)
{
    for (size_t i = 0; i < s->n_targets; i++) {
        struct target *t = &s->targets[i];
        if (!t->inflight && !t->busy && now_ms >= t->next_due_ms) {
            t->inflight = start_get(s, t->url, MAX_EXPOSITION, t, now_ms);
            advance_deadline(&t->next_due_ms, t->interval_ms, now_ms);
        }
    }
    for (size_t i = 0; i < s->n; i++) {
        struct signal *sig = &s->v[i];
        if ((sig->source == SRC_SCRAPE && !sig->broken) || now_ms < sig->next_due_ms)
            continue;
        if (sig->broken)
            sig->broken_due = 1;
        else if (sig->source == SRC_PROMETHEUS && !sig->inflight)
            sig->inflight = start_get(s, sig->url, MAX_QUERY_ANSWER, sig, now_ms);
        else if (sig->source == SRC_SQL)
            sqlsource_request(s->sql, sig->sql_slot, now_ms);
        advance_deadline(&sig->next_due_ms, sig->def->interval_ms, now_ms);
    }
}

int64_t signals_wait_ms(const struct signals *s, int64_t now_ms)
{
    int64_t next = now_ms + SIGNAL_INTERVAL_MS;
    for (size_t i = 0; i < s->n_targets; i++)
        if (!s->targets[i].inflight && !s->targets[i].busy && s->targets[i].next_due_ms < next)
            next = s->targets[i].next_due_ms;
    for (size_t i = 0; i < s->n; i++)
        if ((s->v[i].source != SRC_SCRAPE || s->v[i].broken) && s->v[i].next_due_ms < next)
            next = s->v[i].next_due_ms;
    return next > now_ms ? next - now_ms : 0;
}

int signals_wake_fd(const struct signals *s)
{
    return s->wake_rd;
}

static void outcome(struct signal_outcome *o, const struct signal *sig, int64_t now_ms,
                    int64_t started_ms)
{
    memset(o, 0, sizeof *o);
    o->signal = sig->def->name;
    o->at_ms = now_ms;
    o->latency_ms = now_ms - started_ms;
}

/* value/no data/error of an evaluation, as an outcome's fields */
static void judge(struct signal_outcome *o, int rc, double v, const struct error *err,
                  const char *nan_reason)
{
    if (rc == 1 && !isfinite(v)) {
        /* NaN (no observations, 0/0, a NaN gauge) and ±Inf (a division by
         * zero) are no data: neither may ever pass a criterion */
        snprintf(o->status, sizeof o->status, "no data: the value is %s%s%s",
                 isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf",
                 isnan(v) && nan_reason ? ": " : "", isnan(v) && nan_reason ? nan_reason : "");
        return;
    }
    if (rc == 1) {
        o->has_value = 1;
        o->value = v;
        snprintf(o->status, sizeof o->status, "ok");
    } else if (rc == 0 && strncmp(err->msg, "no data", 7) == 0) {
        snprintf(o->status, sizeof o->status, "%s", err->msg);
    } else if (rc == 0) {
        snprintf(o->status, sizeof o->status, "no data%s%s", err->msg[0] ? ": " : "", err->msg);
    } else {
        snprintf(o->status, sizeof o->status, "error: %s", err->msg);
    }
}

/* An answer stamped too far from now is no data, whatever its value: a
 * Prometheus whose clock is wrong (or an endpoint that replays an old
 * answer) must never pass a criterion. Older than three poll intervals is
 * stale, as for every source; a little skew ahead is tolerated. */
#define FUTURE_SKEW_MS 5000
int signals_check_stamp(int64_t ts_ms, int64_t now_ms, int64_t interval_ms, struct error *err)
{
    char when[48];
    if (ts_ms == INT64_MIN) {
        error_set(err, "no data: the answer has no time stamp");
        return 0;
    }
    timefmt_full(ts_ms, when, sizeof when);
    if (ts_ms < now_ms - 3 * interval_ms) {
        error_set(err, "no data: the answer is stamped %s, %.1f s old (stale after %.1f s)",
                  when, (now_ms - ts_ms) / 1000.0, 3 * interval_ms / 1000.0);
        return 0;
    }
    if (ts_ms > now_ms + FUTURE_SKEW_MS) {
        error_set(err, "no data: the answer is stamped %s, %.1f s in the future", when,
                  (ts_ms - now_ms) / 1000.0);
        return 0;
    }
    return 1;
}

static size_t finish_prometheus(struct signal *sig, CURLcode rc, int64_t now_ms,
                                struct signal_outcome *o)
{
    struct error err = {{0}};
    double v = NAN;
    int64_t ts_ms;
    outcome(o, sig, now_ms, sig->inflight->started_ms);
    int r = http_outcome(sig->inflight, rc, &err) == 0
                ? promapi_parse_at(sig->inflight->body, sig->inflight->len, &v, &ts_ms, &err)
                : -1;
    if (r == 1 && isfinite(v) && !signals_check_stamp(ts_ms, now_ms, sig->def->interval_ms, &err))
        r = 0;
    judge(o, r, v, &err, sig->nan_reason);
    return 1;
}

/* Stores one scrape as Prometheus would: its samples with the target
 * labels and the report series, stamped with the scrape's start. A scrape
 * that failed, or that the store refuses, leaves only the report (up 0),
 * so every scraped series goes stale. Returns 1 when the scrape was good. */
static int store_scrape(struct target *t, const struct expo *e, int ok, struct error *err)
{
    struct scrape_report rep = {.up = ok,
                                .duration_s = (t->fetched_ms - t->started_ms) / 1000.0};
    struct expo labelled = {0};
    struct error ignored = {{0}};
    if (ok && (scrape_label(e, &t->labels, &rep, t->store, &labelled, err) != 0 ||
               series_store_ingest(t->store, &labelled, t->started_ms, err) != 0))
        ok = 0;
    scrape_labelled_free(&labelled);
    if (!ok) {
        rep.up = 0;
        if (scrape_label(NULL, &t->labels, &rep, NULL, &labelled, &ignored) == 0)
            series_store_ingest(t->store, &labelled, t->started_ms, &ignored);
        else
            series_store_ingest(t->store, NULL, t->started_ms, &ignored);
        scrape_labelled_free(&labelled);
    }
    return ok;
}

/* On the background thread: parse the answer, keep its series, evaluate
 * every signal of the target at the time the answer came; the outcomes
 * wait in t->results. */
static void scrape_job(void *arg)
{
    struct target *t = arg;
    struct signals *s = t->owner;
    struct error err = t->fetch_err;
    struct expo e = {0};
    int ok = t->body && expo_parse(t->body, t->len, &e, &err) == 0;
    ok = store_scrape(t, &e, ok, &err);
    expo_free(&e);
    free(t->body);
    t->body = NULL;
    t->n_results = t->n_taken = 0;
    for (size_t i = 0; i < s->n; i++) {
        struct signal *sig = &s->v[i];
        if (sig->target != t)
            continue;
        struct signal_outcome *o = &t->results[t->n_results++];
        outcome(o, sig, t->fetched_ms, t->started_ms);
        if (!ok) {
            judge(o, -1, NAN, &err, NULL);
            continue;
        }
        struct error eval_err = {{0}};
        double v = NAN;
        int got = promql_eval(sig->expr, t->store, t->fetched_ms, &v, &eval_err);
        judge(o, got, v, &eval_err, NULL);   /* v is read only after the evaluation */
    }
}

/* A scrape came back: its answer goes to the background thread. */
static void finish_scrape(struct signals *s, struct target *t, CURLcode rc, int64_t now_ms)
{
    memset(&t->fetch_err, 0, sizeof t->fetch_err);
    if (http_outcome(t->inflight, rc, &t->fetch_err) == 0) {
        t->body = t->inflight->body ? t->inflight->body : strdup("");
        t->len = t->inflight->body ? t->inflight->len : 0;
        t->inflight->body = NULL;   /* the job owns it now */
        if (!t->body)
            error_set(&t->fetch_err, "out of memory");
    }
    t->fetched_ms = now_ms;
    t->started_ms = t->inflight->started_ms;
    t->job.run = scrape_job;
    t->job.arg = t;
    t->busy = offloop_submit(s->off, &t->job) == 0;
}

/* The outcomes of finished scrape jobs, as many as fit in out; when some
 * are left for the next call, the wake-up pipe is poked so it comes soon
 * (a target may have any number of signals). */
static size_t collect_scrapes(struct signals *s, int64_t now_ms, struct signal_outcome *out,
                              size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_targets; i++) {
        struct target *t = &s->targets[i];
        if (!t->busy || !offloop_done(s->off, &t->job))
            continue;
        for (; t->n_taken < t->n_results && n < max; t->n_taken++, n++) {
            out[n] = t->results[t->n_taken];
            out[n].at_ms = now_ms;   /* a value counts from when the loop has it */
            out[n].latency_ms = now_ms - t->started_ms;
        }
        if (t->n_taken < t->n_results) {
            ssize_t w = write(s->wake_wr, "m", 1);
            (void)w;   /* a full pipe already wakes the loop */
        } else {
            t->busy = 0;
        }
    }
    return n;
}

size_t signals_on_done(struct signals *s, struct http_request *r, CURLcode rc,
                       int64_t now_ms, struct signal_outcome *out, size_t max, int *mine)
{
    size_t n = 0;
    *mine = 0;
    for (size_t i = 0; i < s->n_targets; i++)
        if (s->targets[i].inflight == r) {
            *mine = 1;
            finish_scrape(s, &s->targets[i], rc, now_ms);
            drop(s, &s->targets[i].inflight);
            return 0;
        }
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].inflight == r) {
            struct signal *sig = &s->v[i];
            *mine = 1;
            if (max) {
                n = finish_prometheus(sig, rc, now_ms, out);
            } else {   /* no room this turn: hold it, and come back soon */
                finish_prometheus(sig, rc, now_ms, &sig->held);
                sig->has_held = 1;
                ssize_t w = write(s->wake_wr, "p", 1);
                (void)w;
            }
            drop(s, &sig->inflight);
            return n;
        }
    return 0;
}

size_t signals_collect_local(struct signals *s, int64_t now_ms, struct signal_outcome *out,
                             size_t max)
{
    char buf[64];
    while (read(s->wake_rd, buf, sizeof buf) > 0)
        ;
    size_t n = collect_scrapes(s, now_ms, out, max);
    for (size_t i = 0; i < s->n && n < max; i++)
        if (s->v[i].has_held) {
            out[n++] = s->v[i].held;
            s->v[i].has_held = 0;
        }
    for (size_t i = 0; i < s->n && n < max; i++) {
        struct signal *sig = &s->v[i];
        if (!sig->broken_due)
            continue;
        sig->broken_due = 0;
        struct signal_outcome *o = &out[n++];
        outcome(o, sig, now_ms, now_ms);
        snprintf(o->status, sizeof o->status, "error: %s", sig->broken);
    }
    if (s->sql)
        n += sqlsource_collect(s->sql, now_ms, out + n, max - n);
    return n;
}
