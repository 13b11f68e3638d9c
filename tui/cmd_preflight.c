/* cmd_preflight.c — `cutover preflight RUNBOOK [--write] [--journal F]`: asks every endpoint once,
 * all at the same time, and prints one row per store, signal, table, flag
 * and webhook; exit 1 if anything failed. It answers in the time the
 * slowest endpoint needs: the HTTP fetches (one per scrape URL, one per
 * Prometheus query, a HEAD per webhook) share one curl multi handle, while
 * each database and the flag are asked on a thread of their own. Every
 * error names its system and, for HTTP, its URL; every row passes the
 * redaction step before it is printed. With --journal the verdict is
 * journaled as a `preflight` event (preflight_journal.h). */
#include <curl/curl.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "commands.h"
#include "core/db.h"
#include "core/envsubst.h"
#include "core/expo.h"
#include "core/flags.h"
#include "core/http.h"
#include "core/promapi.h"
#include "core/promql.h"
#include "core/redact.h"
#include "core/runbook.h"
#include "core/scrape.h"
#include "core/datajob.h"
#include "core/series.h"
#include "core/signals.h"
#include "options.h"
#include "preflight_journal.h"

#define PREFLIGHT_TIMEOUT_MS 5000
#define SQL_TIMEOUT_MS 2000
#define MAX_EXPOSITION (32u << 20)
#define MAX_ANSWER (1u << 20)

struct row {
    const char *name, *source;
    char value[32];
    long latency_ms;
    char status[600];   /* "ok", or the problem in words */
};

static void row_set(struct row *r, const char *name, const char *source)
{
    r->name = name;
    r->source = source;
    snprintf(r->value, sizeof r->value, "-");
    r->latency_ms = -1;
    snprintf(r->status, sizeof r->status, "error: no answer within %d s",
             PREFLIGHT_TIMEOUT_MS / 1000);
}

static int row_print(const struct redactor *red, const struct row *r, struct preflight_tally *t)
{
    int ok = strcmp(r->status, "ok") == 0;
    char lat[24] = "-", status[sizeof r->status];
    if (r->latency_ms >= 0)
        snprintf(lat, sizeof lat, "%ld ms", r->latency_ms);
    redact_into(red, ok ? "OK" : r->status, status, sizeof status);
    printf("%-26s %-11s %-14s %8s  %s\n", r->name, r->source, r->value, lat, status);
    preflight_tally_row(t, r->name, status, ok);
    return ok;
}

static int is_db(const struct rb_system *sys)
{
    return strcmp(sys->kind, "postgres") == 0 || strcmp(sys->kind, "sqlite") == 0;
}

static const char *attr(const struct rb_system *sys, const char *key)
{
    for (size_t i = 0; i < sys->n_attrs; i++)
        if (strcmp(sys->attrs[i].key, key) == 0)
            return sys->attrs[i].value;
    return NULL;
}

static const struct rb_system *source_of(const struct runbook *rb, const struct rb_signal *d)
{
    return runbook_system(rb, d->source ? d->source : "metrics");
}

/* Why a value is NaN, by what the expression is made of. */
static void explain_nan(const char *expr, char *out, size_t len)
{
    struct promql *q = NULL;
    struct error unparsed = {{0}};
    if (promql_parse(expr, &q, &unparsed) == 0)
        snprintf(out, len, "no data: the value is NaN: %s",
                 promql_nan_reason(promql_features(q)));
    else
        snprintf(out, len, "no data: the value is NaN");
    promql_free(q);
}

/* value/no data/error of one evaluation into a row. */
static void judge(struct row *r, const char *expr, int rc, double v, const char *why)
{
    if (rc == 1 && isnan(v)) {
        explain_nan(expr, r->status, sizeof r->status);
    } else if (rc == 1 && isinf(v)) {
        snprintf(r->status, sizeof r->status, "no data: the value is %s (a division by 0)",
                 v > 0 ? "+Inf" : "-Inf");
    } else if (rc == 1) {
        snprintf(r->value, sizeof r->value, "%.6g", v);
        snprintf(r->status, sizeof r->status, "ok");
    } else if (rc == 0) {
        snprintf(r->status, sizeof r->status, "%s%s", strncmp(why, "no data", 7) ? "no data: " : "",
                 why[0] ? why : "the expression selected no series");
    } else {
        snprintf(r->status, sizeof r->status, "error: %s", why);
    }
}

/* --- the databases and the flag: a thread per system --------------------------------- */

/* One system's slow checks: its store, its table, its SQL signals, or its
 * flag. Each system has its own thread, so a store that hangs delays no
 * other row. */
struct slow_job {
    const struct runbook *rb;
    const struct rb_system *sys;
    int write;
    struct row *store, *table, *flag, *sql;   /* NULL: not this system's */
    pthread_t th;
    int started;
};

static struct db *open_db(const struct rb_system *sys, struct error *err)
{
    struct db *db = NULL;
    char *conn = envsubst(sys->conn, err);
    if (conn && db_open(sys->kind, conn, &db, err) != 0)
        db = NULL;
    free(conn);
    return db;
}

static void check_store(const struct rb_system *sys, struct row *r)
{
    struct error err = {{0}};
    double v;
    int64_t t0 = clock_now_ms();
    struct db *db = open_db(sys, &err);
    int rc = db ? db_query_number(db, "SELECT 1", SQL_TIMEOUT_MS, &v, &err) : -1;
    db_close(db);
    r->latency_ms = (long)(clock_now_ms() - t0);
    if (rc == 1) {
        snprintf(r->value, sizeof r->value, "reachable");
        snprintf(r->status, sizeof r->status, "ok");
    } else {
        snprintf(r->status, sizeof r->status, "error: system `%s` (%s): %s", sys->name,
                 sys->kind, err.msg);
    }
}

/* The ## Mapping judged against old's and new's tables (read, never
 * written): each problem with its runbook line. */
static void check_mapping(const struct runbook *rb, struct row *r)
{
    struct mapping m;
    struct error err = {{0}};
    int64_t t0 = clock_now_ms();
    int rc = datajob_check_schemas(rb, &m, &err);
    r->latency_ms = (long)(clock_now_ms() - t0);
    if (rc != 0) {
        snprintf(r->status, sizeof r->status, "error: not judged: %s", err.msg);
    } else if (!m.n_problems) {
        snprintf(r->value, sizeof r->value, "fits both tables");
        snprintf(r->status, sizeof r->status, "ok");
    } else {
        snprintf(r->value, sizeof r->value, "%zu problem%s", m.n_problems,
                 m.n_problems == 1 ? "" : "s");
        size_t at = (size_t)snprintf(r->status, sizeof r->status, "error:");
        for (size_t i = 0; i < m.n_problems && at < sizeof r->status; i++) {
            const char *msg = m.problems[i].msg;   /* the row says it is the mapping */
            if (strncmp(msg, "mapping: ", 9) == 0)
                msg += 9;
            at += (size_t)snprintf(r->status + at, sizeof r->status - at, "%s line %d: %s",
                                   i ? ";" : "", m.problems[i].line, msg);
        }
    }
    mapping_free(&m);
}

/* The runbook's `table` of a store exists (a query that reads no row). */
static void check_table(const struct rb_system *sys, const char *table, struct row *r)
{
    struct error err = {{0}};
    double v;
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT 0 FROM %s LIMIT 0", table);
    int64_t t0 = clock_now_ms();
    struct db *db = open_db(sys, &err);
    int rc = db ? db_query_number(db, sql, SQL_TIMEOUT_MS, &v, &err) : -1;
    db_close(db);
    r->latency_ms = (long)(clock_now_ms() - t0);
    if (rc >= 0) {
        snprintf(r->value, sizeof r->value, "exists");
        snprintf(r->status, sizeof r->status, "ok");
    } else {
        snprintf(r->status, sizeof r->status, "error: system `%s`: table `%s`: %s", sys->name,
                 table, err.msg);
    }
}

static void check_sql_signal(const struct rb_system *sys, const struct rb_signal *d, struct row *r)
{
    struct error err = {{0}};
    double v = NAN;
    int64_t t0 = clock_now_ms();
    struct db *db = open_db(sys, &err);
    int rc = db ? db_query_number(db, d->expr, SQL_TIMEOUT_MS, &v, &err) : -1;
    db_close(db);
    r->latency_ms = (long)(clock_now_ms() - t0);
    if (rc == 1 && isnan(v)) {
        snprintf(r->status, sizeof r->status, "no data: the query answered NaN");
        return;
    }
    char why[sizeof err.msg + 64] = "";
    if (rc < 0)
        snprintf(why, sizeof why, "system `%s` (%s): %s", sys->name, sys->kind, err.msg);
    else if (rc == 0)
        snprintf(why, sizeof why, "no data: the query answered no row (system `%s`)", sys->name);
    judge(r, d->expr, rc, v, why);
}

/* The flag can be read (its percentage is shown); with --write, the
 * rehearsal's write and read-back too: its current value written back
 * (never another, so no user moves) and read again. */
static void check_flag(const struct rb_system *sys, int write, struct row *r)
{
    struct error err = {{0}};
    double pct = NAN, back = NAN;
    int64_t t0 = clock_now_ms();
    struct flag_driver *d = flags_open(sys, &err);
    int rc = d ? flags_read(d, &pct, &err) : -1;
    if (rc == 0 && write && (flags_set(d, pct, &err) != 0 || flags_read(d, &back, &err) != 0))
        rc = -1;
    if (rc == 0 && write && back != pct) {
        error_set(&err, "wrote %.6g%% and read back %.6g%%", pct, back);
        rc = -1;
    }
    flags_close(d);
    r->latency_ms = (long)(clock_now_ms() - t0);
    if (rc == 0) {
        snprintf(r->value, sizeof r->value, write ? "%.6g%% written" : "%.6g%%", pct);
        snprintf(r->status, sizeof r->status, "ok");
    } else if (strncmp(err.msg, sys->name, strlen(sys->name)) == 0) {
        snprintf(r->status, sizeof r->status, "error: flag system %s", err.msg);
    } else {
        snprintf(r->status, sizeof r->status, "error: flag system `%s` (%s): %s", sys->name,
                 sys->kind, err.msg);
    }
}

static int is_flag(const struct rb_system *sys)
{
    return strcmp(sys->kind, "flagd") == 0 || strcmp(sys->kind, "unleash") == 0 ||
           (strcmp(sys->kind, "http") == 0 && strcmp(sys->name, "flag") == 0);
}

static void *slow_checks(void *arg)
{
    struct slow_job *job = arg;
    const struct runbook *rb = job->rb;
    if (job->store)
        check_store(job->sys, job->store);
    if (job->table)
        check_table(job->sys, attr(job->sys, "table"), job->table);
    for (size_t j = 0; job->sql && j < rb->n_signals; j++)
        if (source_of(rb, &rb->signals[j]) == job->sys)
            check_sql_signal(job->sys, &rb->signals[j], &job->sql[j]);
    if (job->flag)
        check_flag(job->sys, job->write, job->flag);
    return NULL;
}

/* --- HTTP: every URL once, at the same time ------------------------------------------ */

struct fetch {
    struct http_request *req;
    const struct rb_system *sys;
    char *url;
    int scrape;          /* a scrape system's exposition (else a query, or a HEAD) */
    int head;            /* a webhook: reachable is enough */
    size_t signal;       /* a query: its signal */
    struct row *row;     /* the row that took an error made before the fetch */
    int done;
    CURLcode rc;
    int64_t t0, t1;
};

/* The error of a fetch, naming its system and URL. */
static void fetch_error(const struct fetch *f, const char *why, char *out, size_t len)
{
    snprintf(out, len, "error: system `%s` (%s): %s", f->sys->name, f->url, why);
}

/* One scrape: its samples, labelled as Prometheus would, in a store; every
 * signal of the system evaluated over it. A range needs two scrapes: one
 * can only show that its series exist. */
static void eval_scrape(const struct runbook *rb, struct fetch *f, struct row *rows)
{
    struct error err = {{0}};
    struct expo e = {0}, lab = {0};
    struct scrape_target tgt = {0};
    struct series_store *st = series_store_new(10 * 60 * 1000, 4);
    int64_t now = f->t1;
    int ok = http_outcome(f->req, f->rc, &err) == 0 && st &&
             expo_parse(f->req->body ? f->req->body : "", f->req->len, &e, &err) == 0 &&
             scrape_target_init(&tgt, f->sys->name, f->url, &err) == 0;
    struct scrape_report rep = {.up = 1, .duration_s = (f->t1 - f->t0) / 1000.0};
    if (ok)
        ok = scrape_label(&e, &tgt, &rep, NULL, &lab, &err) == 0 &&
             series_store_ingest(st, &lab, f->t0, &err) == 0;
    for (size_t j = 0; j < rb->n_signals; j++) {
        const struct rb_signal *d = &rb->signals[j];
        if (source_of(rb, d) != f->sys)
            continue;
        struct row *r = &rows[j];
        r->latency_ms = (long)(f->t1 - f->t0);
        if (!ok) {
            fetch_error(f, err.msg, r->status, sizeof r->status);
            continue;
        }
        struct promql *q = NULL;
        struct error why = {{0}};
        double v = NAN;
        if (promql_parse(d->expr, &q, &why) != 0) {
            judge(r, d->expr, -1, v, why.msg);
            continue;
        }
        int rc = promql_eval(q, st, now, &v, &why);
        if (rc == 0 && (promql_features(q) & PROMQL_HAS_RANGE)) {
            /* a rate needs a second scrape, one interval later: one fetch
             * shows that the endpoint answers and every series it reads is
             * there */
            memset(&why, 0, sizeof why);
            if (promql_selectors_found(q, st, &why)) {
                snprintf(r->value, sizeof r->value, "series found");
                snprintf(r->status, sizeof r->status, "ok");
            } else {
                judge(r, d->expr, 0, v, why.msg);
            }
        } else {
            judge(r, d->expr, rc, v, why.msg);
        }
        promql_free(q);
    }
    scrape_labelled_free(&lab);
    expo_free(&e);
    scrape_target_free(&tgt);
    series_store_free(st);
}

static void eval_query(const struct runbook *rb, struct fetch *f, struct row *r)
{
    struct error err = {{0}};
    double v = NAN;
    int64_t ts;
    r->latency_ms = (long)(f->t1 - f->t0);
    if (http_outcome(f->req, f->rc, &err) != 0) {
        fetch_error(f, err.msg, r->status, sizeof r->status);
        return;
    }
    int rc = promapi_parse_at(f->req->body ? f->req->body : "", f->req->len, &v, &ts, &err);
    if (rc < 0) {
        fetch_error(f, err.msg, r->status, sizeof r->status);
        return;
    }
    if (rc == 0 && !err.msg[0])
        error_set(&err, "no data: Prometheus answered an empty vector");
    if (rc == 1 && isfinite(v) &&
        !signals_check_stamp(ts, f->t1, rb->signals[f->signal].interval_ms, &err))
        rc = 0;
    judge(r, rb->signals[f->signal].expr, rc, v, err.msg);
}

static void eval_webhook(struct fetch *f, struct row *r)
{
    long status = 0;
    r->latency_ms = (long)(f->t1 - f->t0);
    if (f->rc != CURLE_OK) {
        struct error err = {{0}};
        http_outcome(f->req, f->rc, &err);
        fetch_error(f, err.msg, r->status, sizeof r->status);
        return;
    }
    curl_easy_getinfo(f->req->easy, CURLINFO_RESPONSE_CODE, &status);
    snprintf(r->value, sizeof r->value, "HTTP %ld", status);
    snprintf(r->status, sizeof r->status, "ok");
}

/* Starts the fetch of url (owned; NULL when it could not be made, why
 * says why) for row r. */
static int add_fetch(CURLM *m, struct fetch *f, const struct rb_system *sys, char *url,
                     const struct error *why, struct row *r)
{
    struct error err = {{0}};
    f->sys = sys;
    f->url = url;
    f->row = r;
    if (!url) {
        snprintf(r->status, sizeof r->status, "error: system `%s`: %s", sys->name, why->msg);
        f->done = 1;
        return -1;
    }
    f->req = http_get_new(url, SIGNAL_POLL_TIMEOUT_MS, f->scrape ? MAX_EXPOSITION : MAX_ANSWER,
                          &err);
    if (f->req && f->head)
        curl_easy_setopt(f->req->easy, CURLOPT_NOBODY, 1L);
    f->t0 = clock_now_ms();
    if (!f->req || curl_multi_add_handle(m, f->req->easy) != CURLM_OK) {
        fetch_error(f, err.msg[0] ? err.msg : "cannot start the request", r->status,
                    sizeof r->status);
        http_request_free(f->req);
        f->req = NULL;
        f->done = 1;
        return -1;
    }
    f->req->owner = f;
    return 0;
}

static void run_fetches(CURLM *m, struct fetch *fs, size_t n)
{
    int64_t deadline = clock_now_ms() + PREFLIGHT_TIMEOUT_MS + 500;
    size_t left = 0;
    for (size_t i = 0; i < n; i++)
        left += !fs[i].done;
    while (left && clock_now_ms() < deadline) {
        int running = 0;
        curl_multi_perform(m, &running);
        CURLMsg *msg;
        int q;
        while ((msg = curl_multi_info_read(m, &q))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            struct fetch *f = http_of(msg->easy_handle)->owner;
            f->rc = msg->data.result;
            f->t1 = clock_now_ms();
            f->done = 1;
            left--;
        }
        if (left)
            curl_multi_poll(m, NULL, 0, 100, NULL);
    }
}

/* --- the whole table ----------------------------------------------------------------- */

int cmd_preflight(int argc, char **argv)
{
    struct options o;
    if (options_parse(argc, argv, &o) != 0 || o.n_positional != 1)
        return usage_of("preflight");
    const char *path = o.positional[0];
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_load(path, &pr);
    if (!rb || pr.n_errors) {
        fprintf(stderr, "cutover: %s has problems; `cutover check %s` lists them\n", path, path);
        runbook_free(rb);
        rb_problems_free(&pr);
        return EXIT_FAILED;
    }
    rb_problems_free(&pr);
    redact_install_runbook(rb);   /* stdout and stderr mask its secrets too */
    struct redactor *red = redactor_new();
    if (red)
        redactor_add_runbook(red, rb);

    size_t ns = rb->n_systems, nsig = rb->n_signals;
    struct row *stores = calloc(ns + 1, sizeof *stores), *sigs = calloc(nsig + 1, sizeof *sigs),
               *tables = calloc(ns + 1, sizeof *tables), *flags = calloc(ns + 1, sizeof *flags),
               *hooks = calloc(ns + 1, sizeof *hooks);
    struct fetch *fs = calloc(ns + nsig + 1, sizeof *fs);
    struct slow_job *jobs = calloc(ns + 1, sizeof *jobs);
    CURLM *m = curl_multi_init();
    if (!stores || !sigs || !tables || !flags || !hooks || !fs || !jobs || !m) {
        fprintf(stderr, "cutover: out of memory\n");
        return EXIT_FAILED;
    }
    /* rows, in the order printed */
    size_t n_tables = 0, n_flags = 0, n_hooks = 0, nf = 0;
    for (size_t i = 0; i < ns; i++) {
        const struct rb_system *sys = &rb->systems[i];
        struct slow_job *job = &jobs[i];
        *job = (struct slow_job){.rb = rb, .sys = sys, .write = o.write};
        row_set(&stores[i], sys->name, sys->kind);
        if (is_db(sys)) {
            job->store = &stores[i];
            job->sql = sigs;
        }
        if (is_db(sys) && attr(sys, "table")) {
            job->table = &tables[n_tables];
            row_set(&tables[n_tables++], attr(sys, "table"), "table");
        }
        if (is_flag(sys)) {
            job->flag = &flags[n_flags];
            row_set(&flags[n_flags++], sys->name, sys->kind);
        }
        if (strcmp(sys->kind, "slack") == 0) {
            struct error err = {{0}};
            row_set(&hooks[n_hooks], sys->name, "webhook");
            fs[nf].head = 1;
            fs[nf].signal = n_hooks;
            add_fetch(m, &fs[nf++], sys, envsubst(sys->conn, &err), &err, &hooks[n_hooks]);
            n_hooks++;
        }
    }
    for (size_t j = 0; j < nsig; j++) {
        const struct rb_signal *d = &rb->signals[j];
        const struct rb_system *sys = source_of(rb, d);
        struct row *r = &sigs[j];
        row_set(r, d->name, !sys ? "-" : is_db(sys) ? "sql" : sys->kind);
        if (!sys) {
            snprintf(r->status, sizeof r->status, "error: no system `%s` in ## Systems",
                     d->source ? d->source : "metrics");
        } else if (strcmp(sys->kind, "prometheus") == 0) {
            struct error err = {{0}};
            fs[nf].signal = j;
            add_fetch(m, &fs[nf++], sys, signals_query_url(sys->conn, d->expr, &err), &err, r);
        } else if (strcmp(sys->kind, "scrape") == 0) {
            size_t k = 0;
            while (k < nf && !(fs[k].scrape && fs[k].sys == sys))
                k++;
            if (k == nf) {   /* each scrape URL once, for all its signals */
                struct error err = {{0}};
                fs[nf].scrape = 1;
                add_fetch(m, &fs[nf++], sys, envsubst(sys->conn, &err), &err, r);
            }
        } else if (!is_db(sys)) {
            snprintf(r->status, sizeof r->status,
                     "error: system `%s` is a %s, which cannot answer a signal", sys->name,
                     sys->kind);
        }
    }
    for (size_t i = 0; i < ns; i++)
        if ((jobs[i].store || jobs[i].flag) &&
            !(jobs[i].started = pthread_create(&jobs[i].th, NULL, slow_checks, &jobs[i]) == 0))
            slow_checks(&jobs[i]);
    run_fetches(m, fs, nf);
    for (size_t i = 0; i < nf; i++) {
        struct fetch *f = &fs[i];
        if (!f->req && f->scrape) {   /* never fetched: every signal of it says why */
            for (size_t j = 0; j < nsig; j++)
                if (source_of(rb, &rb->signals[j]) == f->sys && &sigs[j] != f->row)
                    snprintf(sigs[j].status, sizeof sigs[j].status, "%s", f->row->status);
            continue;
        }
        if (!f->req || !f->done)
            continue;
        if (f->head)
            eval_webhook(f, &hooks[f->signal]);
        else if (f->scrape)
            eval_scrape(rb, f, sigs);
        else
            eval_query(rb, f, &sigs[f->signal]);
    }
    for (size_t i = 0; i < ns; i++)
        if (jobs[i].started)
            pthread_join(jobs[i].th, NULL);
    struct row mapping;
    int data = datajob_used(rb);
    if (data) {   /* once the stores answered: the mapping against their tables */
        row_set(&mapping, "mapping", "old, new");
        check_mapping(rb, &mapping);
    }

    printf("%-26s %-11s %-14s %8s  %s\n", "SIGNAL / SYSTEM", "SOURCE", "VALUE", "LATENCY", "STATUS");
    int ok = 1;
    struct preflight_tally tally = {0};
    for (size_t i = 0; i < ns; i++)
        if (is_db(&rb->systems[i]))
            ok &= row_print(red, &stores[i], &tally);
    for (size_t i = 0; i < n_tables; i++)
        ok &= row_print(red, &tables[i], &tally);
    if (data)
        ok &= row_print(red, &mapping, &tally);
    for (size_t j = 0; j < nsig; j++)
        ok &= row_print(red, &sigs[j], &tally);
    for (size_t i = 0; i < n_flags; i++)
        ok &= row_print(red, &flags[i], &tally);
    for (size_t i = 0; i < n_hooks; i++)
        ok &= row_print(red, &hooks[i], &tally);
    printf("preflight: %s\n", ok ? "everything answered" : "FAILED — see the rows above");
    if (o.journal) {
        char why[400];
        if (preflight_journal(o.journal, &tally, why, sizeof why) != 0) {
            fprintf(stderr, "cutover preflight: %s\n", why);
            ok = 0;
        } else {
            printf("preflight: journaled in %s\n", o.journal);
        }
    }

    for (size_t i = 0; i < nf; i++) {
        if (fs[i].req) {
            curl_multi_remove_handle(m, fs[i].req->easy);
            http_request_free(fs[i].req);
        }
        free(fs[i].url);
    }
    curl_multi_cleanup(m);
    free(fs);
    free(jobs);
    free(stores);
    free(sigs);
    free(tables);
    free(flags);
    free(hooks);
    redactor_free(red);
    runbook_free(rb);
    return ok ? EXIT_OK : EXIT_FAILED;
}
