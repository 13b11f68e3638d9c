/* databar.c — the pieces the backfill and compare panels share, and where
 * they go: in the step text's place while a backfill or compare step is
 * selected (databar.h). */
#include "databar.h"

#include <stdio.h>
#include <string.h>

#include "core/datafold.h"
#include "draw.h"
#include "palette.h"

/* From this many rows the step text stays below the job's panel. */
#define SPLIT_ROWS 13
#define DATA_ROWS 9

void databar_span(int64_t ms, char *buf, size_t len)
{
    int64_t s = ms < 0 ? 0 : (ms + 999) / 1000;
    if (s < 60)
        snprintf(buf, len, "%llds", (long long)s);
    else if (s < 3600)
        snprintf(buf, len, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
    else
        snprintf(buf, len, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
}

void databar_draw(const struct view *v, WINDOW *w, int y, int x, int width, int64_t done,
                  int64_t total)
{
    char tail[64];
    if (total > 0 && done > total)   /* old grew while it was copied: the rows say more */
        total = done;
    double pct = total > 0 ? 100.0 * (double)done / (double)total : 0;
    if (pct > 100)
        pct = 100;
    if (total > 0)
        snprintf(tail, sizeof tail, " %lld/%lld %.0f%%", (long long)done, (long long)total, pct);
    else
        snprintf(tail, sizeof tail, " %lld/?", (long long)done);
    int bar = width - (int)strlen(tail);
    if (bar > 30)
        bar = 30;
    if (bar < 4) {
        draw_text(w, y, x, width, tail + 1, view_attr(v, TH_NORMAL));
        return;
    }
    int full = total > 0 ? (int)(pct * bar / 100.0 + 0.5) : 0;
    char cells[30 * 3 + 1];
    size_t at = 0;
    for (int i = 0; i < bar; i++) {
        const char *c = i < full ? "█" : "░";
        memcpy(cells + at, c, 3);
        at += 3;
    }
    cells[at] = '\0';
    int used = draw_text(w, y, x, bar, cells, view_attr(v, pct >= 100 ? TH_OK : TH_NORMAL));
    draw_text(w, y, x + used, width - used, tail, view_attr(v, TH_NORMAL));
}

int databar_job(WINDOW *w, int y, int x, int width, const struct view *v, int kind)
{
    const struct datafold_job *j = &v->s->data.jobs[kind];
    char line[240], ago[32];
    if (!j->seen) {
        draw_text(w, y, x, width, "not started by the cockpit yet", view_attr(v, TH_DIM));
        return 1;
    }
    databar_span(v->now_ms - j->ts_ms, ago, sizeof ago);
    attr_t a = view_attr(v, TH_NORMAL);
    if (strcmp(j->state, "started") == 0) {
        char run[32];
        databar_span(v->now_ms - j->started_ms, run, sizeof run);
        snprintf(line, sizeof line, "running, pid %ld, for %s%s", j->pid, run,
                 j->attempt > 1 ? " (restarted)" : "");
        a = view_attr(v, TH_OK);
    } else if (strcmp(j->state, "watched") == 0) {
        snprintf(line, sizeof line, "runs elsewhere, pid %ld (not the cockpit's): watched", j->pid);
        a = view_attr(v, TH_OK);
    } else if (strcmp(j->state, "held") == 0) {
        snprintf(line, sizeof line, "held by another copy, pid %ld, not seen from here: "
                 "asked again until it lets go", j->pid);
        a = view_attr(v, TH_WARN);
    } else if (strcmp(j->state, "failed") == 0) {
        snprintf(line, sizeof line, "FAILED %s ago: %s", ago, j->why);
        a = view_attr(v, TH_ALERT);
    } else if (strcmp(j->state, "diverged") == 0) {
        snprintf(line, sizeof line, "DIVERGED — c again, o override");
        a = view_attr(v, TH_ALERT);
    } else {
        snprintf(line, sizeof line, "%s %s ago", j->state, ago);
        a = view_attr(v, strcmp(j->state, "finished") == 0 ? TH_OK : TH_WARN);
    }
    draw_text(w, y, x, width, line, a);
    return 1;
}

int databar_step_word(const struct view *v, size_t i, char *buf, size_t len)
{
    const struct rb_step *st = &v->rb->steps[i];
    int kind = st->action == RB_ACTION_BACKFILL   ? DATA_BACKFILL
               : st->action == RB_ACTION_COMPARE ? DATA_COMPARE
               : st->action == RB_ACTION_WRITERS ? DATA_WRITERS
                                                 : -1;
    if (kind < 0 || v->s->acks[i].acked)
        return 0;
    const struct datafold_job *j = &v->s->data.jobs[kind];
    if (!j->seen || strcmp(j->step, st->id) != 0)
        return 0;
    if (strcmp(j->state, "failed") == 0 || strcmp(j->state, "diverged") == 0 ||
        strcmp(j->state, "unknown") == 0) {
        snprintf(buf, len, " %s", j->state[0] == 'f'   ? "FAILED"
                                  : j->state[0] == 'd' ? "DIVERGED"
                                                       : "UNKNOWN WRITER");
        return 2;
    }
    if (strcmp(j->state, "held") == 0) {
        snprintf(buf, len, " held elsewhere");
        return 1;
    }
    if (strcmp(j->state, "started") != 0 && strcmp(j->state, "watched") != 0)
        return 0;
    if (kind == DATA_WRITERS) {
        snprintf(buf, len, " auditing");
        return 1;
    }
    int64_t done = 0, total = 0;
    if (kind == DATA_COMPARE) {
        done = v->s->data.cmp.rows, total = v->s->data.cmp.total;
    } else {
        int64_t newest = -1;   /* the job that checkpointed last */
        for (int k = 0; k < v->s->backfill.n_jobs; k++)
            if (v->s->backfill.jobs[k].last_ms > newest) {
                newest = v->s->backfill.jobs[k].last_ms;
                done = v->s->backfill.jobs[k].rows;
                total = v->s->backfill.jobs[k].total;
            }
    }
    const char *verb = kind == DATA_COMPARE ? "comparing" : "copying";
    if (total > 0)
        snprintf(buf, len, " %s %lld%%", verb, (long long)(done >= total ? 100 : done * 100 / total));
    else
        snprintf(buf, len, " %s", verb);
    return 1;
}

int panel_data_draw(WINDOW *w, const struct view *v)
{
    if (v->selected >= v->rb->n_steps)
        return 0;
    enum rb_action a = v->rb->steps[v->selected].action;
    const struct panel *p = a == RB_ACTION_BACKFILL  ? &panel_backfill
                            : a == RB_ACTION_COMPARE ? &panel_compare
                                                     : NULL;
    if (!p)
        return 0;
    int rows = getmaxy(w), cols = getmaxx(w);
    if (rows < SPLIT_ROWS) {
        p->draw(w, v);
        return 1;
    }
    int top = a == RB_ACTION_COMPARE ? rows / 2 + 2 : DATA_ROWS;
    WINDOW *up = derwin(w, top, cols, 0, 0), *down = derwin(w, rows - top, cols, top, 0);
    if (!up || !down) {
        if (up)
            delwin(up);
        if (down)
            delwin(down);
        p->draw(w, v);
        return 1;
    }
    p->draw(up, v);
    panel_text.draw(down, v);
    delwin(up);
    delwin(down);
    touchwin(w);
    return 1;
}
