/* reportdata.c — the report's data section (reportdata.h). Counts, times
 * and causes are the session fold's (bfprogress, datafold, writersfold):
 * this file only reads them at the end and lists the divergent keys. */
#include "reportdata.h"

#include <stdio.h>
#include <string.h>

#include "session.h"
#include "writersfold.h"

void reportdata_on_event(struct report_data *d, const struct journal_event *ev,
                         const struct event_body *b)
{
    if (!b->valid)
        return;
    if (b->kind == EVK_COMPARE && !event_has(b, "sample")) {
        d->keys_closed = 1;
        return;
    }
    if (b->kind != EVK_DIVERGENCE || event_bool(b, "sample"))
        return;
    if (d->keys_closed) {   /* a later comparison: its own keys */
        d->keys_closed = 0;
        d->n_keys = 0;
        d->keys_total = 0;
    }
    d->keys_total++;
    if (d->n_keys >= REPORT_KEYS)
        return;
    struct report_div_key *k = &d->keys[d->n_keys++];
    k->seq = ev->seq;
    snprintf(k->key, sizeof k->key, "%s", event_str(b, "key") ? event_str(b, "key") : "");
    snprintf(k->cause, sizeof k->cause, "%s", event_str(b, "cause") ? event_str(b, "cause") : "");
}

static void backfill_of(struct report_data *d, const struct session *s, int64_t ended_ms)
{
    const struct datafold_job *dj = &s->data.jobs[DATA_BACKFILL];
    d->backfill_runs = dj->starts;
    d->backfill_restarts = dj->starts > 1 ? dj->starts - 1 : 0;
    d->backfill_failed = dj->failed_runs;
    snprintf(d->backfill_last_failure, sizeof d->backfill_last_failure, "%s", dj->last_failure);
    for (int i = 0; i < s->backfill.n_jobs; i++) {
        const struct bf_job *j = &s->backfill.jobs[i];
        struct report_backfill *o = &d->backfill[d->n_backfill++];
        snprintf(o->job, sizeof o->job, "%s", j->job);
        o->rows = j->rows;
        o->total = j->total;
        o->done = j->done;
        o->started_ms = dj->first_started_ms && dj->first_started_ms < j->first_ms
                            ? dj->first_started_ms : j->first_ms;
        o->ended_ms = j->done_ms ? j->done_ms : j->last_ms;
        int64_t dt = o->ended_ms - j->first_ms;
        o->rate = dt > 0 && o->rows > j->first_rows
                      ? (double)(o->rows - j->first_rows) * 1000.0 / (double)dt : 0;
        o->throttled_ms = bf_progress_throttled_ms(j, ended_ms);
        o->pauses = j->pauses;
        o->rewinds = j->rewinds;
    }
}

static void writers_of(struct report_data *d, const struct session *s)
{
    const struct writersfold *f = &s->wf;
    const struct datafold_job *dj = &s->data.jobs[DATA_WRITERS];
    d->writers_audited = f->audited;
    d->writers = f->n_writers;
    d->writers_unknown_open = writersfold_open(f);
    if (!f->audited && !f->n_unknown && !dj->seen) {
        d->writers_verdict = "not run";
        snprintf(d->writers_text, sizeof d->writers_text, "no writer audit in the journal");
    } else if (writersfold_clean(f)) {
        d->writers_verdict = "clean";
        snprintf(d->writers_text, sizeof d->writers_text,
                 "%zu writers found, every one declared", f->n_writers);
    } else if (d->writers_unknown_open) {
        d->writers_verdict = "unknown writers";
        snprintf(d->writers_text, sizeof d->writers_text, "%zu unknown writer%s open%s%s",
                 d->writers_unknown_open, d->writers_unknown_open == 1 ? "" : "s",
                 f->n_unknown ? ", the first: " : "", f->n_unknown ? f->unknown[0].writer : "");
    } else {
        d->writers_verdict = "not run";
        snprintf(d->writers_text, sizeof d->writers_text, "the audit did not finish (%s)",
                 dj->seen ? dj->state : "no result");
    }
}

void reportdata_finish(struct report_data *d, const struct session *s, int64_t ended_ms)
{
    backfill_of(d, s, ended_ms);
    d->compare_seen = s->data.cmp.seen;
    d->cmp = s->data.cmp;
    d->compare_runs = s->data.jobs[DATA_COMPARE].starts;
    d->sample = s->data.sample;
    writers_of(d, s);
}

int reportdata_any(const struct report_data *d)
{
    return d->n_backfill || d->backfill_failed || d->compare_seen || d->sample.runs ||
           strcmp(d->writers_verdict ? d->writers_verdict : "not run", "not run") != 0;
}
