/* chart.c — the signal charts (see chart.h). The history comes from the
 * fold's per-signal buckets (core/sighist.h), reduced to one min/max per
 * dot column for each draw: the cost follows the chart's width, not the
 * number of samples or the span. */
#include "chart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/marks.h"
#include "core/units.h"
#include "draw.h"
#include "meter.h"
#include "palette.h"

const int64_t chart_spans[] = {60000, 300000, 900000, 1800000, 3600000, 7200000,
                               14400000, 28800000, 43200000, 86400000};
const int chart_n_spans = sizeof chart_spans / sizeof chart_spans[0];

#define CHART_MAX_COLS 400   /* cells: wider charts are cut */
#define CHART_MAX_ROWS 64

int64_t chart_span(const struct view *v)
{
    if (v->chart_span_ms > 0)
        return v->chart_span_ms;
    int step = v->s->ramp.step;
    int64_t hold = step >= 0 && (size_t)step < v->rb->n_ramp ? v->rb->ramp[step].hold_ms : 0;
    int64_t want = hold > 0 ? hold + hold / 2 : 300000;
    for (int i = 0; i < chart_n_spans; i++)
        if (chart_spans[i] >= want)
            return chart_spans[i];
    return chart_spans[chart_n_spans - 1];
}

int chart_spec_of(const struct view *v, const char *signal, struct chart_spec *c)
{
    int sig = meter_signal(v, signal);
    if (sig < 0)
        return 0;
    *c = (struct chart_spec){sig, 0, 0, 0, -1};
    for (size_t i = 0; i < v->rb->n_criteria; i++)
        if (strcmp(v->rb->criteria[i].signal, signal) == 0) {
            const struct rb_criterion *rc = &v->rb->criteria[i];
            *c = (struct chart_spec){sig, 1, rc->threshold, rc->is_percent, (int)rc->op};
            break;
        }
    return 1;
}

static void format_value(const struct chart_spec *c, double value, char *buf, size_t len)
{
    if (c->is_percent)
        snprintf(buf, len, "%.3g%%", value * 100);
    else
        snprintf(buf, len, "%.4g", value);
}

/* A round number at or above x: 1, 2 or 5 times a power of ten. */
static double nice_above(double x)
{
    if (!(x > 0) || !isfinite(x))
        return x;
    double p = pow(10, floor(log10(x)));
    double m = x / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/* 1 when a value past the bound is on the wrong side of it. */
static int breaches(const struct chart_spec *c, double lo, double hi)
{
    if (!c->has_bound)
        return 0;
    switch (c->op) {
    case RB_LT: return lo < c->bound;
    case RB_LE: return lo <= c->bound;
    case RB_GE: return hi >= c->bound;
    case RB_EQ: return lo <= c->bound && hi >= c->bound;
    case RB_NE: return lo != c->bound || hi != c->bound;
    default: return hi > c->bound;
    }
}

/* What one draw reads and computes, kept off the stack's hot path. */
struct plot {
    int rows, cols, dots;          /* plot rows and cells; dot rows = 4 * rows */
    int64_t t0, cell_ms;           /* per dot column */
    double lo, hi;
    struct sighist_cell col[2 * CHART_MAX_COLS];
    unsigned char bits[CHART_MAX_ROWS][CHART_MAX_COLS];
    unsigned char hot[CHART_MAX_COLS];   /* a value past the bound in this cell */
    unsigned char nodata[CHART_MAX_COLS];
    char mark[CHART_MAX_COLS];     /* a vertical mark: '|' step, else the glyph */
};

static int dot_of(const struct plot *p, double value)
{
    int n = 4 * p->rows;
    double f = p->hi > p->lo ? (value - p->lo) / (p->hi - p->lo) : 0;
    if (!isfinite(f))   /* an infinite value sits at its edge, never undefined */
        return f > 0 ? n - 1 : 0;
    if (f > 2)
        f = 2;          /* far past the top: clamped before the cast */
    if (f < -1)
        f = -1;
    int d = (int)lround(f * (n - 1));
    return d < 0 ? 0 : d >= n ? n - 1 : d;   /* 0 = the bottom */
}

static void scale(struct plot *p, const struct chart_spec *c)
{
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < 2 * p->cols; i++)
        if (p->col[i].flags & SIGHIST_VALUE && isfinite(p->col[i].lo) && isfinite(p->col[i].hi)) {
            lo = p->col[i].lo < lo ? p->col[i].lo : lo;
            hi = p->col[i].hi > hi ? p->col[i].hi : hi;
        }
    if (!isfinite(lo)) {
        lo = 0;
        hi = c->has_bound && c->bound > 0 ? c->bound : 1;
    }
    if (lo > 0)
        lo = 0;   /* rates and ratios read best from zero */
    if (c->has_bound && isfinite(c->bound) && c->bound * 1.25 > hi)
        hi = c->bound * 1.25;   /* the bound sits below the top: height means danger */
    if (hi <= lo)
        hi = lo + 1;
    p->lo = lo;
    p->hi = lo >= 0 ? nice_above(hi) : hi;
}

/* Fills empty columns that fall between two samples (a chart finer than
 * the poll interval) with the value before; a longer silence stays a gap. */
static void bridge(struct plot *p, int64_t tolerance_ms)
{
    int last = -1;
    for (int i = 0; i < 2 * p->cols; i++) {
        if (p->col[i].flags & SIGHIST_VALUE) {
            last = i;
            continue;
        }
        if (last >= 0 && !(p->col[i].flags & SIGHIST_NODATA) &&
            (int64_t)(i - last) * p->cell_ms <= tolerance_ms) {
            p->col[i].lo = p->col[i].hi = p->col[last].hi;
            p->col[i].flags = SIGHIST_VALUE;
        }
    }
}

static void plot_dots(struct plot *p, const struct chart_spec *c)
{
    static const unsigned char bit[2][4] = {{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}};
    for (int i = 0; i < 2 * p->cols; i++) {
        const struct sighist_cell *cc = &p->col[i];
        int cell = i / 2;
        if (cc->flags & SIGHIST_NODATA && !(cc->flags & SIGHIST_VALUE))
            p->nodata[cell] = 1;
        if (!(cc->flags & SIGHIST_VALUE))
            continue;
        if (breaches(c, cc->lo, cc->hi))
            p->hot[cell] = 1;
        int a = dot_of(p, cc->lo), z = dot_of(p, cc->hi);
        for (int d = a; d <= z; d++) {
            int from_top = 4 * p->rows - 1 - d;
            p->bits[from_top / 4][cell] |= bit[i % 2][from_top % 4];
        }
    }
}

static int cell_at(const struct plot *p, int64_t t)
{
    if (t < p->t0)
        return -1;
    int64_t k = (t - p->t0) / (2 * p->cell_ms);
    if (k == p->cols && t == p->t0 + 2 * p->cell_ms * p->cols)
        k = p->cols - 1;   /* the moment shown itself (replay at an event's time): the last cell */
    return k < p->cols ? (int)k : -1;
}

static void place_marks(struct plot *p, const struct view *v)
{
    const struct marks *m = &v->s->marks;
    for (size_t i = 0; i < m->n_other; i++) {
        const struct mark *mk = marks_other(m, i);
        int k = cell_at(p, mk->ts_ms);
        if (k >= 0 && mk->kind != MARK_ACK && mk->kind != MARK_NOTE)
            p->mark[k] = marks_glyph((enum mark_kind)mk->kind);
    }
    for (size_t i = 0; i < m->n_steps; i++) {
        int k = cell_at(p, marks_step(m, i)->ts_ms);
        if (k >= 0 && !p->mark[k])
            p->mark[k] = '|';
    }
}

static void put_braille(WINDOW *w, int y, int x, unsigned char bits, attr_t a)
{
    char s[4] = {(char)0xE2, (char)(0xA0 | (bits >> 6)), (char)(0x80 | (bits & 0x3F)), 0};
    draw_text(w, y, x, 1, s, a);
}

static void draw_cells(const struct view *v, WINDOW *w, int y, int x, const struct plot *p, int th_row)
{
    for (int r = 0; r < p->rows; r++)
        for (int k = 0; k < p->cols; k++) {
            int yy = y + r, xx = x + k;
            if (p->bits[r][k]) {
                put_braille(w, yy, xx, p->bits[r][k],
                            p->hot[k] ? view_attr(v, TH_HOT) : view_attr(v, TH_CHART));
            } else if (r == th_row) {
                draw_text(w, yy, xx, 1, "┄", view_attr(v, TH_WARN));
            } else if (p->mark[k]) {
                int alert = p->mark[k] == 'A' || p->mark[k] == 'H';
                draw_text(w, yy, xx, 1, alert ? "│" : "┊", alert ? view_attr(v, TH_HOT) : view_attr(v, TH_DIM));
            } else if (r == p->rows - 1 && p->nodata[k]) {
                draw_text(w, yy, xx, 1, "·", view_attr(v, TH_WARN));
            }
        }
}

/* The time axis: "-15m" (and "fit" while the span follows the hold), the
 * aborts, halts, resumes and overrides by their glyph (drawn last: a label
 * never hides an abort), and "now" at the right. */
static void draw_axis(WINDOW *w, int y, int x, int left, const struct plot *p,
                      const struct view *v, int64_t span)
{
    char from[32];
    units_format_duration(span, from + 1, sizeof from - 8);
    from[0] = '-';
    draw_text(w, y, x, left + p->cols, from, view_attr(v, TH_DIM));
    int busy_to = draw_width(from) - left;
    if (!v->chart_span_ms && busy_to + 5 < p->cols)
        busy_to += draw_text(w, y, x + left + busy_to + 1, 3, "fit", view_attr(v, TH_DIM)) + 1;
    x += left;
    int marked_late = 0;
    for (int k = p->cols - 3; k < p->cols; k++)
        marked_late |= k >= 0 && p->mark[k] && p->mark[k] != '|';
    if (!marked_late)   /* an abort just now is worth more than the word */
        draw_text(w, y, x + p->cols - 3, 3, "now", view_attr(v, TH_DIM));
    for (int k = 0; k < p->cols; k++)
        if (p->mark[k] && p->mark[k] != '|') {
            char g[2] = {p->mark[k], 0};
            int stop = g[0] == 'A' || g[0] == 'H';
            draw_text(w, y, x + k, 1, g, stop ? view_attr(v, TH_ALERT) : view_attr(v, TH_WARN));
        }
}

/* Each step's share on the top row, right of its mark, where no dot is:
 * a label never hides the data. */
static void draw_step_labels(WINDOW *w, int y, int x, const struct plot *p, const struct view *v)
{
    const struct marks *m = &v->s->marks;
    int busy_to = -1;
    for (size_t i = 0; i < m->n_steps; i++) {
        const struct mark *mk = marks_step(m, i);
        int k = cell_at(p, mk->ts_ms);
        char label[24];
        snprintf(label, sizeof label, "%g%%", mk->percent);
        int n = (int)strlen(label);
        if (k < 0 || k <= busy_to || k + 1 + n > p->cols)
            continue;
        int free = 1;
        for (int c = k + 1; c <= k + n; c++)
            free = free && !p->bits[0][c] && !p->mark[c];
        if (free)
            busy_to = k + draw_text(w, y, x + k + 1, n, label, view_attr(v, TH_DIM));
    }
}

static struct plot the_plot;   /* one draw at a time: the loop is single-threaded */

void chart_draw(WINDOW *w, int y, int x, int rows, int cols, const struct view *v,
                const struct chart_spec *c)
{
    if (rows < 2 || cols < 12 || c->sig < 0 || (size_t)c->sig >= v->rb->n_signals)
        return;
    struct plot *p = &the_plot;
    memset(p, 0, sizeof *p);
    char hi_s[24], lo_s[24], th_s[24] = "";
    int64_t span = chart_span(v);
    p->rows = rows - 1 > CHART_MAX_ROWS ? CHART_MAX_ROWS : rows - 1;
    /* the scale's labels take what the widest needs (min 4 columns) */
    int left = 6;
    p->cols = cols - left > CHART_MAX_COLS ? CHART_MAX_COLS : cols - left;
    p->cell_ms = span / (2 * p->cols) > 0 ? span / (2 * p->cols) : 1;
    p->t0 = v->now_ms - p->cell_ms * 2 * p->cols;
    const struct signal_view *sv = &v->s->signals[c->sig];
    sighist_columns(sv->chart, v->now_ms, p->t0, p->cell_ms, (size_t)(2 * p->cols), p->col);
    int64_t interval = v->rb->signals[c->sig].interval_ms;
    bridge(p, SESSION_STALE_INTERVALS * (interval > 0 ? interval : 1000) + sighist_tier_ms(0));
    scale(p, c);
    format_value(c, p->hi, hi_s, sizeof hi_s);
    format_value(c, p->lo, lo_s, sizeof lo_s);
    int th_row = -1;
    if (c->has_bound && isfinite(c->bound)) {
        th_row = (4 * p->rows - 1 - dot_of(p, c->bound)) / 4;
        format_value(c, c->bound, th_s, sizeof th_s);
    }
    int need = draw_width(hi_s);
    need = draw_width(lo_s) > need ? draw_width(lo_s) : need;
    need = draw_width(th_s) > need ? draw_width(th_s) : need;
    if (need + 1 > left && cols - need - 1 >= 12) {
        left = need + 1;
        p->cols = cols - left > CHART_MAX_COLS ? CHART_MAX_COLS : cols - left;
        p->cell_ms = span / (2 * p->cols) > 0 ? span / (2 * p->cols) : 1;
        p->t0 = v->now_ms - p->cell_ms * 2 * p->cols;
        sighist_columns(sv->chart, v->now_ms, p->t0, p->cell_ms, (size_t)(2 * p->cols), p->col);
        bridge(p, SESSION_STALE_INTERVALS * (interval > 0 ? interval : 1000) + sighist_tier_ms(0));
        scale(p, c);
    }
    plot_dots(p, c);
    place_marks(p, v);
    for (int r = 0; r < p->rows; r++) {
        const char *label = r == 0 ? hi_s : r == p->rows - 1 ? lo_s : "";
        attr_t a = view_attr(v, TH_DIM);
        if (r == th_row && th_s[0]) {
            label = th_s;
            a = view_attr(v, TH_WARN);
        }
        int lw = draw_width(label);
        draw_text(w, y + r, x + left - 1 - lw, lw, label, a);
        draw_text(w, y + r, x + left - 1, 1, r == th_row ? "┼" : label[0] ? "┤" : "│", view_attr(v, TH_DIM));
    }
    draw_cells(v, w, y, x + left, p, th_row);
    if (th_row != 0)
        draw_step_labels(w, y, x + left, p, v);
    draw_axis(w, y + p->rows, x, left, p, v, span);
}

int chart_or_spark(WINDOW *w, int y, int x, int rows, int cols, const struct view *v,
                   const char *signal, const struct panel_decl *d)
{
    struct chart_spec c;
    if (rows <= 0 || !chart_spec_of(v, signal, &c))
        return 0;
    if (d) {
        c.has_bound = d->threshold_set;
        c.bound = d->threshold;
        c.is_percent = d->is_percent;
        c.op = d->criterion ? (int)d->criterion->op : -1;
    }
    if (rows < 3) {
        meter_spark_bound(w, y, x, cols, v, signal, c.has_bound, c.bound);
        return 1;
    }
    chart_draw(w, y, x, rows, cols, v, &c);
    return rows;
}
