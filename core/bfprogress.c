/* bfprogress.c — the backfill's checkpoints folded into a rate. The rate
 * is measured (rows moved over journal time since the run's first
 * checkpoint), never read from the configured limit: a limit says how
 * fast the copy may go, not how fast it goes. A run restarts the
 * measurement when rows go back, the total changes, a pause ends or the
 * limit changes (R: an average over the old limit and the new would say
 * neither). */
#include "bfprogress.h"

#include <stdio.h>
#include <string.h>

static struct bf_job *job_of(struct bf_progress *p, const char *name)
{
    for (int i = 0; i < p->n_jobs; i++)
        if (strcmp(p->jobs[i].job, name) == 0)
            return &p->jobs[i];
    if (p->n_jobs >= BF_PROGRESS_JOBS) {
        p->untracked = 1;
        return NULL;
    }
    struct bf_job *j = &p->jobs[p->n_jobs++];
    memset(j, 0, sizeof *j);
    snprintf(j->job, sizeof j->job, "%s", name);
    j->run_ms = -1;
    return j;
}

void bf_progress_apply(struct bf_progress *p, const struct journal_event *ev,
                       const struct event_body *b)
{
    if (b->kind != EVK_BACKFILL || !b->valid)
        return;
    const char *name = event_str(b, "job");
    struct bf_job *j = name ? job_of(p, name) : NULL;
    if (!j)
        return;
    int64_t rows = (int64_t)event_num(b, "rows", 0);
    int64_t total = event_has(b, "total") ? (int64_t)event_num(b, "total", 0) : j->total;
    int paused = event_bool(b, "paused");
    double limit = event_num(b, "rate", 0);
    if (!j->first_ms) {
        j->first_ms = ev->ts_ms;
        j->first_rows = rows;
    }
    if (paused && !j->paused)
        j->pauses++;
    if (j->run_ms >= 0 && rows < j->rows)
        j->rewinds++;
    if (j->run_ms < 0 || rows < j->rows || total != j->total || (j->paused && !paused) ||
        limit != j->rate_limit) {
        j->run_ms = ev->ts_ms;
        j->run_rows = rows;
    }
    j->rows = rows;
    j->total = total;
    j->paused = paused;
    j->done = event_bool(b, "done");
    if (j->done && !j->done_ms)
        j->done_ms = ev->ts_ms;
    else if (!j->done)
        j->done_ms = 0;   /* copying again */
    j->last_ms = ev->ts_ms;
    snprintf(j->cursor, sizeof j->cursor, "%s", event_str(b, "cursor") ? event_str(b, "cursor") : "");
    double batch = event_num(b, "batch", 0);
    j->batch = batch > 0 && batch < 9e18 ? (int64_t)batch : 0;
    j->rate_limit = limit;
    /* each event says whether it is throttled: one without the field lifts it */
    const char *why = event_str(b, "throttled");
    if (why && !j->throttled_since)
        j->throttled_since = ev->ts_ms;
    else if (!why && j->throttled_since) {
        j->throttled_ms += ev->ts_ms - j->throttled_since;
        j->throttled_since = 0;
    }
    snprintf(j->throttled, sizeof j->throttled, "%s",
             event_str(b, "throttled") ? event_str(b, "throttled") : "");
}

double bf_progress_rate(const struct bf_job *j)
{
    int64_t dt = j->last_ms - j->run_ms;
    if (j->paused || j->run_ms < 0 || dt < 1000 || j->rows <= j->run_rows)
        return 0;
    return (double)(j->rows - j->run_rows) * 1000.0 / (double)dt;
}

int64_t bf_progress_throttled_ms(const struct bf_job *j, int64_t now_ms)
{
    int64_t open = j->throttled_since && now_ms > j->throttled_since ? now_ms - j->throttled_since : 0;
    return j->throttled_ms + open;
}
