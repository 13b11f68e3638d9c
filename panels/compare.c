/* compare.c — the comparison's panel: rows verified of the total as a
 * bar, ranges checked and the rate, divergences by cause, and the newest
 * divergent keys with their column diffs, from the fold of the journal's
 * `compare_progress`, `divergence` and `compare` events. */
#include <stdio.h>
#include <string.h>

#include "core/datafold.h"
#include "databar.h"
#include "draw.h"
#include "palette.h"

/* "value 2 · missing-in-new 1" */
static void causes(const struct datafold_compare *c, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; i < DATAFOLD_CAUSES && at < len; i++) {
        if (!c->by_cause[i])
            continue;
        int n = snprintf(buf + at, len - at, "%s%s %lld", at ? " · " : "", datafold_cause_name(i),
                         (long long)c->by_cause[i]);
        if (n < 0)
            break;
        at += (size_t)n;
    }
}

static void compare_draw(WINDOW *w, const struct view *v)
{
    int width = getmaxx(w) - 4, last = getmaxy(w) - 2, y = 1;
    werase(w);
    char title[64], line[300], a[32];
    snprintf(title, sizeof title, "Compare · step %s", v->rb->steps[v->selected].id);
    draw_frame(w, v, title);
    const struct datafold *d = &v->s->data;
    const struct datafold_compare *c = &d->cmp;
    if (y <= last)
        databar_job(w, y++, 2, width, v, DATA_COMPARE);
    if (!c->seen) {
        if (y <= last)
            draw_text(w, y++, 2, width, "no progress journaled yet", view_attr(v, TH_DIM));
        return;
    }
    if (y <= last)
        databar_draw(v, w, y++, 2, width, c->rows, c->total);
    if (y <= last) {
        if (c->finished)
            snprintf(line, sizeof line, "finished: %lld rows in old, %lld in new",
                     (long long)c->rows_old, (long long)c->rows_new);
        else if (datafold_ended_short(d, DATA_COMPARE))
            snprintf(line, sizeof line, "%lld ranges checked · not comparing: the job %s",
                     (long long)c->ranges, d->jobs[DATA_COMPARE].state);
        else if (c->rate > 0) {
            int64_t end = datafold_compare_end(d);
            databar_span(end > v->now_ms ? end - v->now_ms : 0, a, sizeof a);
            snprintf(line, sizeof line, "%lld ranges · %.0f rows/s · ETA %s", (long long)c->ranges,
                     c->rate, a);
        } else
            snprintf(line, sizeof line, "%lld ranges checked", (long long)c->ranges);
        draw_text(w, y++, 2, width, line, view_attr(v, c->finished && !c->diverged ? TH_OK : TH_NORMAL));
    }
    if (y <= last) {
        if (c->divergent)
            snprintf(line, sizeof line, "%lld DIVERGENT, by cause:", (long long)c->divergent);
        else
            snprintf(line, sizeof line, "no divergence%s", c->finished ? "" : " so far");
        draw_text(w, y++, 2, width, line, view_attr(v, c->divergent ? TH_ALERT : TH_OK));
    }
    if (y <= last && c->divergent) {
        char by[240];
        causes(c, by, sizeof by);
        y += draw_wrap(w, y, 2, width, last - y + 1, 0, by, view_attr(v, TH_WARN));
    }
    for (int i = 0; y <= last; i++) {
        const struct datafold_div *dv = datafold_div(d, i);
        if (!dv)
            break;
        snprintf(line, sizeof line, "%s %s", dv->key, dv->cause);
        int x = 2 + draw_text(w, y, 2, width, line, view_attr(v, TH_WARN));
        if (dv->diff[0] && x + 2 < 2 + width)
            draw_text(w, y, x + 1, 2 + width - (x + 1), dv->diff, view_attr(v, TH_NORMAL));
        y++;
    }
}

const struct panel panel_compare = {"compare", 6, 30, compare_draw};
