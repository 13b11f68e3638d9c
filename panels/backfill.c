/* backfill.c — the backfill's panel: rows copied of the total as a bar,
 * the rate measured between checkpoints and what is left at it, the
 * checkpoint key, the batch size, the rate limit, a pause and who asked
 * for it, and the job's state (running, failed and restarting) — all from
 * the fold, so every console and a replay show the same. */
#include <stdio.h>
#include <string.h>

#include "core/bfprogress.h"
#include "core/datafold.h"
#include "databar.h"
#include "draw.h"
#include "palette.h"

static const struct bf_job *newest_job(const struct view *v)
{
    const struct bf_progress *p = &v->s->backfill;
    const struct bf_job *best = NULL;
    for (int i = 0; i < p->n_jobs; i++)
        if (!best || p->jobs[i].last_ms > best->last_ms)
            best = &p->jobs[i];
    return best;
}

static void backfill_draw(WINDOW *w, const struct view *v)
{
    int width = getmaxx(w) - 4, last = getmaxy(w) - 2, y = 1;
    werase(w);
    char title[64], line[200], a[32];
    snprintf(title, sizeof title, "Backfill · step %s", v->rb->steps[v->selected].id);
    draw_frame(w, v, title);
    const struct datafold *d = &v->s->data;
    if (y <= last)
        databar_job(w, y++, 2, width, v, DATA_BACKFILL);
    const struct bf_job *j = newest_job(v);
    if (!j) {
        if (y <= last)
            draw_text(w, y++, 2, width, "no checkpoint journaled yet", view_attr(v, TH_DIM));
        return;
    }
    if (y <= last)
        databar_draw(v, w, y++, 2, width, j->rows, j->total);
    double rate = bf_progress_rate(j);
    if (y <= last) {
        if (j->done)
            snprintf(line, sizeof line, "done: every row copied");
        else if (datafold_ended_short(d, DATA_BACKFILL))
            snprintf(line, sizeof line, "not copying: the job %s (rows/s and ETA once it runs)",
                     d->jobs[DATA_BACKFILL].state);
        else if (j->paused)
            snprintf(line, sizeof line, "PAUSED%s%s", d->control[0] ? " — asked: " : "",
                     d->control[0] ? d->control : "");
        else if (j->throttled[0])
            snprintf(line, sizeof line, "THROTTLED: %s", j->throttled);
        else if (rate > 0 && j->total > j->rows) {
            databar_span((int64_t)((double)(j->total - j->rows) * 1000.0 / rate), a, sizeof a);
            snprintf(line, sizeof line, "%.0f rows/s · ETA %s", rate, a);
        } else
            snprintf(line, sizeof line, "rate not measured yet");
        draw_text(w, y++, 2, width, line,
                  view_attr(v, j->done ? TH_OK : j->paused || j->throttled[0] ? TH_WARN : TH_NORMAL));
    }
    if (y <= last) {
        snprintf(line, sizeof line, "checkpoint %s · batch %lld", j->cursor[0] ? j->cursor : "—",
                 (long long)j->batch);
        draw_text(w, y++, 2, width, line, view_attr(v, TH_NORMAL));
    }
    if (y <= last) {
        if (j->rate_limit > 0)
            snprintf(line, sizeof line, "rate limit %.0f rows/s", j->rate_limit);
        else
            snprintf(line, sizeof line, "no rate limit");
        draw_text(w, y++, 2, width, line, view_attr(v, TH_DIM));
    }
    if (y <= last && d->controls) {
        databar_span(v->now_ms - d->control_ms, a, sizeof a);
        snprintf(line, sizeof line, "last control: %s, %s ago", d->control, a);
        draw_text(w, y++, 2, width, line, view_attr(v, TH_DIM));
    }
    if (y <= last && d->jobs[DATA_BACKFILL].failures) {
        snprintf(line, sizeof line, "%d failure%s in a row", d->jobs[DATA_BACKFILL].failures,
                 d->jobs[DATA_BACKFILL].failures == 1 ? "" : "s");
        draw_text(w, y++, 2, width, line, view_attr(v, TH_ALERT));
    }
    /* nothing to pause once the copy is done or its job ended short */
    if (y <= last && !j->done && !datafold_ended_short(d, DATA_BACKFILL))
        draw_text(w, y++, 2, width, "P pause/resume · R rate", view_attr(v, TH_DIM));
}

const struct panel panel_backfill = {"backfill", 6, 30, backfill_draw};
