/* report_data.c — the report's data section in Markdown, HTML and JSON.
 * Markdown and HTML print the same rows (a label and its value in words,
 * made once here); JSON gives the numbers themselves. */
#include "report_data.h"

#include <stdio.h>
#include <string.h>

#include "core/timefmt.h"

struct table {
    FILE *out;
    int html;
    void (*esc)(FILE *, const char *);
};

static void text(struct table *t, const char *s);

/* A part's heading; its title may hold the journal's text (a table's name). */
static void head(struct table *t, const char *title)
{
    fputs(t->html ? "<h3>" : "### ", t->out);
    text(t, title);
    fputs(t->html ? "</h3>\n<table class='data'>\n" : "\n\n| | |\n|---|---|\n", t->out);
}

static void foot(struct table *t)
{
    fputs(t->html ? "</table>\n" : "\n", t->out);
}

/* A cell's text: journal text escaped in HTML, | and newlines kept out of
 * a Markdown row. */
static void text(struct table *t, const char *s)
{
    if (t->html) {
        t->esc(t->out, s);
        return;
    }
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", t->out);
        else
            fputc(*s == '\n' || *s == '\r' ? ' ' : *s, t->out);
    }
}

static void row(struct table *t, const char *label, const char *value)
{
    fprintf(t->out, t->html ? "<tr><th>%s</th><td>" : "| %s | ", label);
    text(t, value);
    fputs(t->html ? "</td></tr>\n" : " |\n", t->out);
}

static void when(int64_t ts, char *buf, size_t len)
{
    if (ts > 0)
        timefmt_iso(ts, buf, len);
    else
        snprintf(buf, len, "-");
}

/* "2 runs failed; the last: …", the failures row */
static void failures_row(struct table *t, const struct report_data *d)
{
    char v[240];
    snprintf(v, sizeof v, "%d run%s failed; the last: %s", d->backfill_failed,
             d->backfill_failed == 1 ? "" : "s", d->backfill_last_failure);
    row(t, "failures", v);
}

/* A backfill that failed before its first checkpoint: no rows to tell,
 * but its failures are part of the story. */
static void backfill_failed_only(struct table *t, const struct report_data *d)
{
    head(t, "Backfill");
    row(t, "rows copied", "none (no checkpoint was journaled)");
    failures_row(t, d);
    foot(t);
}

static void backfill_rows(struct table *t, const struct report_data *d)
{
    if (!d->n_backfill && d->backfill_failed)
        backfill_failed_only(t, d);
    for (size_t i = 0; i < d->n_backfill; i++) {
        const struct report_backfill *b = &d->backfill[i];
        char title[96], v[200], a[40], z[40], s[40];
        snprintf(title, sizeof title, "Backfill of %s",
                 strncmp(b->job, "backfill:", 9) == 0 ? b->job + 9 : b->job);
        head(t, title);
        if (b->total > 0)
            snprintf(v, sizeof v, "%lld of %lld (%.1f%%)%s", (long long)b->rows,
                     (long long)b->total, 100.0 * (double)b->rows / (double)b->total,
                     b->done ? ", done" : ", NOT done");
        else
            snprintf(v, sizeof v, "%lld%s", (long long)b->rows, b->done ? ", done" : ", NOT done");
        row(t, "rows copied", v);
        when(b->started_ms, a, sizeof a);
        when(b->ended_ms, z, sizeof z);
        timefmt_span(b->ended_ms - b->started_ms, s, sizeof s);
        snprintf(v, sizeof v, "%s (%s to %s)", s, a, z);
        row(t, "duration", v);
        snprintf(v, sizeof v, "%.0f rows/s", b->rate);
        row(t, "average rate", b->rate > 0 ? v : "- (one checkpoint)");
        timefmt_span(b->throttled_ms, s, sizeof s);
        row(t, "throttled", b->throttled_ms > 0 ? s : "never");
        snprintf(v, sizeof v, "%d", b->pauses);
        row(t, "pauses", v);
        snprintf(v, sizeof v, "%d run%s by the console, %d restart%s (each resumes at the checkpoint)%s",
                 d->backfill_runs, d->backfill_runs == 1 ? "" : "s", d->backfill_restarts,
                 d->backfill_restarts == 1 ? "" : "s",
                 b->rewinds ? "; copied again from the start" : "");
        row(t, "runs", v);
        if (d->backfill_failed)
            failures_row(t, d);
        foot(t);
    }
}

/* "1001 (missing-in-new), 2002 (time-shift) and 3 more" */
static void keys_text(const struct report_data *d, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < d->n_keys && at + 1 < len; i++) {
        int n = snprintf(buf + at, len - at, "%s%s (%s)", i ? ", " : "", d->keys[i].key,
                         d->keys[i].cause);
        if (n < 0)
            break;
        at += (size_t)n < len - at ? (size_t)n : len - at - 1;
    }
    if (d->keys_total > (int64_t)d->n_keys && at + 1 < len)
        snprintf(buf + at, len - at, " and %lld more", (long long)(d->keys_total - (int64_t)d->n_keys));
}

static void compare_rows(struct table *t, const struct report_data *d)
{
    const struct datafold_compare *c = &d->cmp;
    char v[4096];
    if (c->rows || c->finished || d->keys_total) {
        head(t, "Compare");
        if (c->finished)
            snprintf(v, sizeof v, "%lld in old, %lld in new", (long long)c->rows_old,
                     (long long)c->rows_new);
        else
            snprintf(v, sizeof v, "%lld of %lld in old so far (not finished)", (long long)c->rows,
                     (long long)c->total);
        row(t, "rows verified", v);
        snprintf(v, sizeof v, "%lld", (long long)c->ranges);
        row(t, "key ranges", c->ranges ? v : "-");
        int at = snprintf(v, sizeof v, "%lld", (long long)c->divergent);
        const char *sep = ": ";
        for (int i = 0; i < DATAFOLD_CAUSES; i++) {
            if (!c->by_cause[i] || at < 0 || (size_t)at >= sizeof v)
                continue;
            at += snprintf(v + at, sizeof v - (size_t)at, "%s%s %lld", sep, datafold_cause_name(i),
                           (long long)c->by_cause[i]);
            sep = ", ";
        }
        row(t, "divergent", v);
        if (d->keys_total) {
            keys_text(d, v, sizeof v);
            row(t, "keys", v);
        }
        foot(t);
    }
    const struct datafold_sample *s = &d->sample;
    if (s->runs) {
        head(t, "Samples");
        snprintf(v, sizeof v, "%d", s->runs);
        row(t, "samples run", v);
        snprintf(v, sizeof v, "%lld keys of old's drawn, %lld found in new, %lld divergent",
                 (long long)s->keys, (long long)s->found, (long long)s->divergent);
        row(t, "the newest", v);
        snprintf(v, sizeof v, "%.4f%% (95%% Wilson interval %.4f%% – %.4f%%)", s->rate * 100,
                 s->rate_low * 100, s->rate_high * 100);
        row(t, "divergence rate", v);
        foot(t);
    }
}

static void writers_rows(struct table *t, const struct report_data *d)
{
    if (!d->writers_verdict || strcmp(d->writers_verdict, "not run") == 0)
        return;
    head(t, "Writer audit");
    row(t, "verdict", d->writers_verdict);
    row(t, "in words", d->writers_text);
    foot(t);
}

static void print_rows(struct table *t, const struct report *r)
{
    if (!reportdata_any(&r->data))
        return;
    fputs(t->html ? "<h2>Data</h2>\n" : "## Data\n\n", t->out);
    backfill_rows(t, &r->data);
    compare_rows(t, &r->data);
    writers_rows(t, &r->data);
}

void report_data_md(const struct report *r, FILE *out)
{
    struct table t = {.out = out};
    print_rows(&t, r);
}

void report_data_html(const struct report *r, FILE *out, void (*esc)(FILE *, const char *))
{
    struct table t = {.out = out, .html = 1, .esc = esc};
    print_rows(&t, r);
}

/* ---- JSON ------------------------------------------------------------- */

void report_json_time(cJSON *o, const char *key, int64_t ts)
{
    char buf[40];
    if (ts > 0) {
        timefmt_iso(ts, buf, sizeof buf);
        cJSON_AddStringToObject(o, key, buf);
    } else {
        cJSON_AddNullToObject(o, key);
    }
}

static cJSON *json_backfill(const struct report_data *d)
{
    cJSON *v = cJSON_CreateArray();
    if (!d->n_backfill && d->backfill_failed) {   /* failed before its first checkpoint */
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNullToObject(o, "job");
        cJSON_AddNumberToObject(o, "rows", 0);
        cJSON_AddBoolToObject(o, "done", 0);
        cJSON_AddNumberToObject(o, "runs", d->backfill_runs);
        cJSON_AddNumberToObject(o, "failed", d->backfill_failed);
        cJSON_AddStringToObject(o, "last_failure", d->backfill_last_failure);
        cJSON_AddItemToArray(v, o);
    }
    for (size_t i = 0; i < d->n_backfill; i++) {
        const struct report_backfill *b = &d->backfill[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "job", b->job);
        cJSON_AddNumberToObject(o, "rows", (double)b->rows);
        cJSON_AddNumberToObject(o, "total", (double)b->total);
        cJSON_AddBoolToObject(o, "done", b->done);
        report_json_time(o, "started", b->started_ms);
        report_json_time(o, "ended", b->ended_ms);
        cJSON_AddNumberToObject(o, "duration_ms", (double)(b->ended_ms - b->started_ms));
        cJSON_AddNumberToObject(o, "rate", b->rate);
        cJSON_AddNumberToObject(o, "throttled_ms", (double)b->throttled_ms);
        cJSON_AddNumberToObject(o, "pauses", b->pauses);
        cJSON_AddNumberToObject(o, "runs", d->backfill_runs);
        cJSON_AddNumberToObject(o, "restarts", d->backfill_restarts);
        cJSON_AddNumberToObject(o, "failed", d->backfill_failed);
        if (d->backfill_failed)
            cJSON_AddStringToObject(o, "last_failure", d->backfill_last_failure);
        cJSON_AddNumberToObject(o, "rewinds", b->rewinds);
        cJSON_AddItemToArray(v, o);
    }
    return v;
}

static cJSON *json_compare(const struct report_data *d)
{
    const struct datafold_compare *c = &d->cmp;
    if (!(c->rows || c->finished || d->keys_total))
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "finished", c->finished);
    cJSON_AddNumberToObject(o, "rows_old", (double)(c->finished ? c->rows_old : c->rows));
    if (c->finished)
        cJSON_AddNumberToObject(o, "rows_new", (double)c->rows_new);
    else
        cJSON_AddNullToObject(o, "rows_new");
    cJSON_AddNumberToObject(o, "ranges", (double)c->ranges);
    cJSON_AddNumberToObject(o, "divergent", (double)c->divergent);
    cJSON *by = cJSON_AddObjectToObject(o, "by_cause");
    for (int i = 0; i < DATAFOLD_CAUSES; i++)
        if (c->by_cause[i])
            cJSON_AddNumberToObject(by, datafold_cause_name(i), (double)c->by_cause[i]);
    cJSON *keys = cJSON_AddArrayToObject(o, "keys");
    for (size_t i = 0; i < d->n_keys; i++) {
        cJSON *k = cJSON_CreateObject();
        cJSON_AddStringToObject(k, "key", d->keys[i].key);
        cJSON_AddStringToObject(k, "cause", d->keys[i].cause);
        cJSON_AddNumberToObject(k, "seq", (double)d->keys[i].seq);
        cJSON_AddItemToArray(keys, k);
    }
    cJSON_AddNumberToObject(o, "keys_more", (double)(d->keys_total - (int64_t)d->n_keys));
    return o;
}

static cJSON *json_sample(const struct datafold_sample *s)
{
    if (!s->runs)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "runs", s->runs);
    cJSON_AddNumberToObject(o, "keys", (double)s->keys);
    cJSON_AddNumberToObject(o, "found", (double)s->found);
    cJSON_AddNumberToObject(o, "divergent", (double)s->divergent);
    cJSON_AddNumberToObject(o, "rate", s->rate);
    cJSON_AddNumberToObject(o, "rate_low", s->rate_low);
    cJSON_AddNumberToObject(o, "rate_high", s->rate_high);
    report_json_time(o, "at", s->ts_ms);
    return o;
}

void report_data_json(cJSON *o, const struct report *r)
{
    const struct report_data *d = &r->data;
    cJSON *data = cJSON_AddObjectToObject(o, "data");
    cJSON_AddItemToObject(data, "backfill", json_backfill(d));
    cJSON_AddItemToObject(data, "compare", json_compare(d));
    cJSON_AddItemToObject(data, "sample", json_sample(&d->sample));
    cJSON *w = cJSON_AddObjectToObject(data, "writers");
    cJSON_AddStringToObject(w, "verdict", d->writers_verdict ? d->writers_verdict : "not run");
    cJSON_AddNumberToObject(w, "writers", (double)d->writers);
    cJSON_AddNumberToObject(w, "unknown_open", (double)d->writers_unknown_open);
    cJSON_AddStringToObject(w, "text", d->writers_text);
}
