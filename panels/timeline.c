/* timeline.c — the ramp in time, from its first step (or the session's
 * start) to now, in three rows: the steps as segments labelled with their
 * share (where an abort or a halt left traffic rolled back, the segment
 * is struck through until the next step), the aborts, halts, resumes, overrides, acks and
 * notes as glyphs where they fell, and the times at both ends. */
#include <stdio.h>
#include <string.h>

#include "core/marks.h"
#include "core/timefmt.h"
#include "draw.h"
#include "panel.h"
#include "timeline.h"
#include "palette.h"

#define TIMELINE_MAX_COLS 512

static int col_of(int64_t t, int64_t t0, int64_t t1, int cols)
{
    if (t1 <= t0)
        return cols - 1;
    int64_t c = (t - t0) * (cols - 1) / (t1 - t0);
    return c < 0 ? 0 : c >= cols ? cols - 1 : (int)c;
}

/* What each column of the bar shows: the step in force (-1 none) and
 * whether traffic was rolled back (an abort or a halt not yet resumed). */
struct bar {
    short step[TIMELINE_MAX_COLS];
    unsigned char down[TIMELINE_MAX_COLS];
    char glyph[TIMELINE_MAX_COLS];
};

/* Walks both rings of marks in time order (each is in order already):
 * a step sets the step in force and stands traffic up again, an abort or a
 * halt strikes it through until the next step (a resume only lets the
 * ramp go on: traffic comes back with the next step). */
static void fill_bar(struct bar *b, const struct view *v, int64_t t0, int64_t t1, int cols)
{
    const struct marks *m = &v->s->marks;
    for (int c = 0; c < cols; c++)
        b->step[c] = -1, b->down[c] = 0, b->glyph[c] = 0;
    size_t i = 0, k = 0;
    while (i < m->n_steps || k < m->n_other) {
        const struct mark *st = marks_step(m, i), *o = marks_other(m, k);
        int take_step = st && (!o || st->ts_ms <= o->ts_ms);
        const struct mark *mk = take_step ? st : o;
        int c0 = col_of(mk->ts_ms, t0, t1, cols);
        if (take_step) {
            i++;
            for (int c = c0; c < cols; c++)
                b->step[c] = mk->step, b->down[c] = 0;
            continue;
        }
        k++;
        if (mk->kind == MARK_ABORT || mk->kind == MARK_HALT)
            for (int c = c0; c < cols; c++)
                b->down[c] = 1;   /* rolled back (or frozen) until the next step stands */
        /* an abort or a halt is never hidden by an ack in the same column */
        if (!b->glyph[c0] || mk->kind == MARK_ABORT || mk->kind == MARK_HALT)
            b->glyph[c0] = marks_glyph((enum mark_kind)mk->kind);
    }
}

static attr_t glyph_attr(const struct view *v, char g)
{
    return g == 'A' || g == 'H' ? view_attr(v, TH_ALERT) : g == 'O' || g == 'R' ? view_attr(v, TH_WARN)
         : g == 'k' ? view_attr(v, TH_OK) : view_attr(v, TH_DIM);
}

void timeline_draw_at(WINDOW *w, int y, int x, int cols, const struct view *v)
{
    static struct bar b;
    const struct marks *m = &v->s->marks;
    int64_t t1 = v->now_ms;
    int64_t t0 = m->n_steps ? marks_step(m, 0)->ts_ms : v->s->first_ts_ms;
    for (size_t i = 0; i < m->n_other; i++)
        if (marks_other(m, i)->ts_ms < t0 && m->n_steps)
            t0 = marks_other(m, i)->ts_ms;   /* what came just before the ramp */
    if (!t0 || t0 > t1)
        t0 = t1;
    char from[16], label[48];
    timefmt_hms(t0, from, sizeof from);
    int lw = draw_text(w, y, x, cols, "Timeline ", view_attr(v, TH_TITLE));
    int bar = cols - lw - 6;
    if (bar > TIMELINE_MAX_COLS)
        bar = TIMELINE_MAX_COLS;
    if (bar < 10)
        return;
    fill_bar(&b, v, t0, t1, bar);
    int bx = x + lw;
    for (int c = 0; c < bar; c++) {
        int st = b.step[c];
        const char *ch = st < 0 ? "·" : b.down[c] ? "╳" : "━";
        attr_t a = st < 0 ? view_attr(v, TH_DIM) : b.down[c] ? view_attr(v, TH_ALERT) : view_attr(v, TH_OK);
        if (st >= 0 && (c == 0 || b.step[c - 1] != st)) {
            snprintf(label, sizeof label, "┃%g%%", v->rb->ramp[st].percent);
            int used = draw_text(w, y, bx + c, bar - c, label, a | A_BOLD);
            if (used > 0) {   /* a label with no room draws nothing: the bar goes on */
                c += used - 1;
                continue;
            }
        }
        draw_text(w, y, bx + c, 1, ch, a);
    }
    draw_text(w, y, bx + bar + 1, 5, "now", view_attr(v, TH_DIM));
    for (int c = 0; c < bar; c++)
        if (b.glyph[c]) {
            char g[2] = {b.glyph[c], 0};
            draw_text(w, y + 1, bx + c, 1, g, glyph_attr(v, b.glyph[c]) | A_BOLD);
        }
    char to[16];
    timefmt_hms(t1, to, sizeof to);
    draw_text(w, y + 2, bx, bar, from, view_attr(v, TH_DIM));
    static const char legend[] = "k ack  A abort  H halt  R resume  O override  n note";
    int kw = draw_width(legend);
    if (bar > kw + 22)
        draw_text(w, y + 2, bx + (bar - kw) / 2, kw, legend, view_attr(v, TH_DIM));
    draw_text(w, y + 2, bx + bar - draw_width(to), draw_width(to), to, view_attr(v, TH_DIM));
}

static void timeline_draw(WINDOW *w, const struct view *v)
{
    werase(w);
    timeline_draw_at(w, 0, 1, getmaxx(w) - 2, v);
}

const struct panel panel_timeline = {"timeline", 3, 40, timeline_draw};
