/* datafold.c — the data jobs and the comparison folded from the journal
 * (datafold.h). What the panels show of a running compare comes from its
 * own events only: a progress event's counts replace the running ones, a
 * divergence joins the newest few, and the `compare` result closes the run. */
#include "datafold.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "canon.h"

const char *datafold_kind_name(enum datafold_kind k)
{
    return k == DATA_BACKFILL ? "backfill" : k == DATA_COMPARE ? "compare"
           : k == DATA_WRITERS ? "writers" : "?";
}

enum datafold_kind datafold_kind_of(const char *word)
{
    if (word && strcmp(word, "backfill") == 0)
        return DATA_BACKFILL;
    if (word && strcmp(word, "compare") == 0)
        return DATA_COMPARE;
    if (word && strcmp(word, "writers") == 0)
        return DATA_WRITERS;
    return DATA_KINDS;
}

const char *datafold_cause_name(int i)
{
    return i >= 0 && i < DATAFOLD_CAUSES && i < CAUSE_COUNT ? canon_cause_name((enum canon_cause)i)
                                                             : "?";
}

/* A count from the journal, kept inside int64_t whatever a body says. */
static int64_t count(const struct event_body *b, const char *field, double fallback)
{
    double v = event_num(b, field, fallback);
    return v > 0 && v < 9e18 ? (int64_t)v : v >= 9e18 ? (int64_t)9e18 : 0;
}

/* src into dst[len], cut between UTF-8 characters when it is longer (a
 * key or a value cut inside one showed a broken character on screen). */
static void put(char *dst, size_t len, const char *src)
{
    if (!len)
        return;
    src = src ? src : "";
    size_t n = strlen(src);
    if (n >= len) {
        n = len - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void apply_job(struct datafold *d, const struct journal_event *ev,
                      const struct event_body *b)
{
    enum datafold_kind k = datafold_kind_of(event_str(b, "job"));
    if (k == DATA_KINDS)
        return;
    struct datafold_job *j = &d->jobs[k];
    const char *state = event_str(b, "state");
    int failures = j->failures;
    if (strcmp(state, "failed") == 0)
        failures++;
    else if (strcmp(state, "finished") == 0 || strcmp(state, "diverged") == 0 ||
             strcmp(state, "unknown") == 0)
        failures = 0;
    int64_t started = j->started_ms, first = j->first_started_ms;
    int starts = j->starts, failed_runs = j->failed_runs;
    char last_failure[sizeof j->last_failure];
    put(last_failure, sizeof last_failure, j->last_failure);
    if (strcmp(state, "failed") == 0) {
        failed_runs++;
        put(last_failure, sizeof last_failure, event_str(b, "why"));
    }
    if ((strcmp(state, "watched") == 0 || strcmp(state, "held") == 0) &&
        strcmp(j->state, "started") == 0 && starts > 0)
        starts--;   /* that start ran nothing: another copy runs the job */
    if (strcmp(state, "started") == 0) {
        started = ev->ts_ms;
        starts++;
        if (!first)
            first = ev->ts_ms;
        if (k == DATA_COMPARE) {   /* a new run: its counts start again */
            struct datafold_compare was = d->cmp;
            memset(&d->cmp, 0, sizeof d->cmp);
            d->cmp.seen = was.seen;
        }
    }
    *j = (struct datafold_job){.seen = 1, .failures = failures, .started_ms = started,
                               .ts_ms = ev->ts_ms, .exit_status = -1, .starts = starts,
                               .first_started_ms = first, .failed_runs = failed_runs};
    put(j->last_failure, sizeof j->last_failure, last_failure);
    put(j->state, sizeof j->state, state);
    put(j->step, sizeof j->step, event_str(b, "step"));
    put(j->host, sizeof j->host, event_str(b, "host"));
    put(j->why, sizeof j->why, event_str(b, "why"));
    j->pid = (long)count(b, "pid", 0);
    double ex = event_num(b, "exit", -1);
    j->exit_status = ex >= 0 && ex < 1e6 ? (int)ex : -1;
    j->signal = (int)(count(b, "signal", 0) % 1000000);
    j->attempt = (int)(count(b, "attempt", 0) % 1000000);
    j->retry_s = event_num(b, "retry_s", 0);
}

static void read_causes(struct datafold_compare *c, const cJSON *by)
{
    if (!cJSON_IsObject(by))
        return;
    for (int i = 0; i < DATAFOLD_CAUSES; i++) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(by, datafold_cause_name(i));
        c->by_cause[i] = cJSON_IsNumber(n) && n->valuedouble >= 0 && n->valuedouble < 9e18 ? (int64_t)n->valuedouble : 0;
    }
}

static void apply_progress(struct datafold *d, const struct journal_event *ev,
                           const struct event_body *b)
{
    struct datafold_compare *c = &d->cmp;
    if (c->finished) {   /* the first progress of another run */
        memset(c, 0, sizeof *c);
    }
    c->seen = 1;
    c->rows = count(b, "rows", 0);
    if (event_has(b, "total"))
        c->total = count(b, "total", 0);
    c->ranges = count(b, "ranges", (double)c->ranges);
    if (event_has(b, "divergent"))
        c->divergent = count(b, "divergent", 0);
    read_causes(c, cJSON_GetObjectItemCaseSensitive(b->json, "by_cause"));
    c->rate = event_num(b, "rate", 0);
    put(c->cursor, sizeof c->cursor, event_str(b, "cursor"));
    c->last_ms = ev->ts_ms;
}

/* A sample's result: its own figures, the comparison's left as they were. */
static void apply_sample(struct datafold *d, const struct journal_event *ev,
                         const struct event_body *b)
{
    struct datafold_sample *s = &d->sample;
    s->runs++;
    s->keys = count(b, "sample", 0);
    s->found = count(b, "rows_new", 0);
    s->divergent = count(b, "divergent", 0);
    s->rate = event_num(b, "rate", 0);
    s->rate_low = event_num(b, "rate_low", 0);
    s->rate_high = event_num(b, "rate_high", 0);
    s->ts_ms = ev->ts_ms;
}

static void apply_result(struct datafold *d, const struct journal_event *ev,
                         const struct event_body *b)
{
    struct datafold_compare *c = &d->cmp;
    if (event_has(b, "sample")) {
        apply_sample(d, ev, b);
        return;
    }
    c->seen = 1;
    c->finished = 1;
    c->rows_old = count(b, "rows_old", 0);
    c->rows_new = count(b, "rows_new", 0);
    c->divergent = count(b, "divergent", 0);
    c->diverged = event_bool(b, "diverged") || c->divergent > 0;
    c->rows = c->rows_old;
    if (c->total < c->rows_old)
        c->total = c->rows_old;
    memset(c->by_cause, 0, sizeof c->by_cause);
    read_causes(c, cJSON_GetObjectItemCaseSensitive(b->json, "by_cause"));
    c->last_ms = ev->ts_ms;
}

/* A value as a person reads it: JSON text, cut short. */
static void value_text(const cJSON *v, char *buf, size_t len)
{
    char *t = v ? cJSON_PrintUnformatted(v) : NULL;
    put(buf, len, t ? t : "—");
    free(t);
}

static void apply_divergence(struct datafold *d, const struct journal_event *ev,
                             const struct event_body *b)
{
    struct datafold_div *v = &d->divs[d->next_div];
    d->next_div = (d->next_div + 1) % DATAFOLD_DIVS;
    if (d->n_divs < DATAFOLD_DIVS)
        d->n_divs++;
    d->n_div_events++;
    d->cmp.seen = 1;
    *v = (struct datafold_div){.seq = ev->seq, .ts_ms = ev->ts_ms};
    put(v->key, sizeof v->key, event_str(b, "key"));
    put(v->cause, sizeof v->cause, event_str(b, "cause"));
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(b->json, "columns");
    const cJSON *old = cJSON_GetObjectItemCaseSensitive(b->json, "old");
    const cJSON *nw = cJSON_GetObjectItemCaseSensitive(b->json, "new");
    if (!old || !nw) {   /* a whole row on one side: its columns say nothing more */
        snprintf(v->diff, sizeof v->diff, "%s", !nw ? "(no row in new)" : "(no row in old)");
        return;
    }
    size_t at = 0;
    const cJSON *col;
    cJSON_ArrayForEach(col, cols) {
        if (!cJSON_IsString(col) || at + 8 >= sizeof v->diff)
            continue;
        char a[64], z[64];
        value_text(cJSON_GetObjectItemCaseSensitive(old, col->valuestring), a, sizeof a);
        value_text(cJSON_GetObjectItemCaseSensitive(nw, col->valuestring), z, sizeof z);
        int n = snprintf(v->diff + at, sizeof v->diff - at, "%s%s: %s → %s", at ? "; " : "",
                         col->valuestring, a, z);
        if (n < 0)
            break;
        at += (size_t)n < sizeof v->diff - at ? (size_t)n : sizeof v->diff - at - 1;
    }
    /* the line full: never end inside a character */
    size_t end = strlen(v->diff), lead = end;
    while (lead > 0 && ((unsigned char)v->diff[lead - 1] & 0xC0) == 0x80)
        lead--;
    if (lead > 0 && (unsigned char)v->diff[lead - 1] >= 0xC0) {
        unsigned c = (unsigned char)v->diff[lead - 1];
        size_t want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (end - (lead - 1) < want)
            v->diff[lead - 1] = '\0';
    }
}

/* A run by hand with --journal stopped on an error (data_failed): failed,
 * in its words, with no pid (no console runs it). */
static void apply_failed(struct datafold *d, const struct journal_event *ev,
                         const struct event_body *b)
{
    enum datafold_kind k = datafold_kind_of(event_str(b, "job"));
    if (k == DATA_KINDS || k == DATA_WRITERS)
        return;
    struct datafold_job *j = &d->jobs[k];
    *j = (struct datafold_job){.seen = 1, .failures = j->failures + 1, .ts_ms = ev->ts_ms,
                               .exit_status = 1, .starts = j->starts,
                               .first_started_ms = j->first_started_ms,
                               .failed_runs = j->failed_runs + 1};
    put(j->state, sizeof j->state, "failed");
    put(j->why, sizeof j->why, event_str(b, "why"));
    put(j->last_failure, sizeof j->last_failure, event_str(b, "why"));
}

/* That run's kind progressing again (a run by hand after it): it runs
 * again. A console's job is told by the console's data_job events. */
static void progress_after_failure(struct datafold *d, enum datafold_kind k,
                                   const struct journal_event *ev)
{
    struct datafold_job *j = &d->jobs[k];
    if (!j->seen || j->pid != 0 || strcmp(j->state, "failed") != 0)
        return;
    put(j->state, sizeof j->state, "resumed");
    j->why[0] = '\0';
    j->failures = 0;
    j->ts_ms = ev->ts_ms;
}

static void apply_control(struct datafold *d, const struct journal_event *ev,
                          const struct event_body *b)
{
    char rate[40] = "";
    if (event_has(b, "rate")) {
        double r = event_num(b, "rate", 0);
        if (r > 0)
            snprintf(rate, sizeof rate, "rate %.0f rows/s", r);
        else
            snprintf(rate, sizeof rate, "rate unlimited");
    }
    const char *pause = !event_has(b, "paused") ? "" : event_bool(b, "paused") ? "pause" : "resume";
    if (event_has(b, "paused") && event_bool(b, "paused"))
        d->pauses_asked++;
    if (event_has(b, "paused")) {
        d->pause_said = 1;
        d->paused = event_bool(b, "paused");
    }
    snprintf(d->control, sizeof d->control, "%s%s%s", pause, pause[0] && rate[0] ? ", " : "", rate);
    d->controls++;
    d->control_ms = ev->ts_ms;
}

void datafold_apply(struct datafold *d, const struct journal_event *ev,
                    const struct event_body *b)
{
    if (!b->valid)
        return;
    switch (b->kind) {
    case EVK_DATA_JOB: apply_job(d, ev, b); break;
    case EVK_DATA_FAILED: apply_failed(d, ev, b); break;
    case EVK_BACKFILL: progress_after_failure(d, DATA_BACKFILL, ev); break;
    case EVK_COMPARE_PROGRESS:
        progress_after_failure(d, DATA_COMPARE, ev);
        apply_progress(d, ev, b);
        break;
    case EVK_COMPARE:
        progress_after_failure(d, DATA_COMPARE, ev);
        apply_result(d, ev, b);
        break;
    case EVK_DIVERGENCE: apply_divergence(d, ev, b); break;
    case EVK_BACKFILL_CONTROL: apply_control(d, ev, b); break;
    default: break;
    }
}

int datafold_running(const struct datafold *d, enum datafold_kind k)
{
    return k < DATA_KINDS && (strcmp(d->jobs[k].state, "started") == 0 ||
                              strcmp(d->jobs[k].state, "watched") == 0);
}

int datafold_ended_short(const struct datafold *d, enum datafold_kind k)
{
    return k < DATA_KINDS && d->jobs[k].seen &&
           (strcmp(d->jobs[k].state, "failed") == 0 || strcmp(d->jobs[k].state, "stopped") == 0);
}

const struct datafold_div *datafold_div(const struct datafold *d, int i)
{
    if (i < 0 || i >= d->n_divs)
        return NULL;
    return &d->divs[(d->next_div - 1 - i + 2 * DATAFOLD_DIVS) % DATAFOLD_DIVS];
}

int64_t datafold_compare_end(const struct datafold *d)
{
    const struct datafold_compare *c = &d->cmp;
    if (c->finished || c->rate <= 0 || c->total <= 0 || c->last_ms <= 0)
        return 0;
    int64_t left = c->total > c->rows ? c->total - c->rows : 0;
    return c->last_ms + (int64_t)((double)left * 1000.0 / c->rate);
}
