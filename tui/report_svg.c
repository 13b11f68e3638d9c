/* report_svg.c — one signal of the report as an SVG chart over the
 * ceremony: its values (broken where a sample had no value), its threshold
 * dashed, the ramp's confirmed percentages and the aborts marked. Inline in
 * the HTML report, or a file of its own beside the Markdown report. */
#include "report_svg.h"

#include <math.h>

#include "core/timefmt.h"

#define CHART_W 900
#define CHART_H 170
#define PAD_L 70
#define PAD_R 12
#define PAD_T 18
#define PAD_B 22

void report_esc(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*s, out);
        }
    }
}

void report_number_text(int is_percent, int digits, double v, char *buf, size_t len)
{
    if (is_percent)
        snprintf(buf, len, "%.4g%%", v * 100.0);
    else
        snprintf(buf, len, "%.*g", digits, v);
}

void report_value_text(const struct report_signal *g, double v, char *buf, size_t len)
{
    report_number_text(g->is_percent, 4, v, buf, len);
}

/* The chart's vertical range: every value and the threshold, from 0 when
 * nothing is negative. */
static void y_range(const struct report_signal *g, double *lo, double *hi)
{
    *lo = 0;
    *hi = g->has_threshold ? g->threshold : 0;
    for (size_t i = 0; i < g->samples; i++) {
        const struct report_point *p = &g->points[i];
        if (!p->has_value || !isfinite(p->value))
            continue;
        if (p->value < *lo)
            *lo = p->value;
        if (p->value > *hi)
            *hi = p->value;
    }
    if (*hi <= *lo)
        *hi = *lo + 1;
    *hi += (*hi - *lo) * 0.08;
}

struct frame {
    int64_t t0, t1;
    double lo, hi;
};

static double fx(const struct frame *f, int64_t ts)
{
    double span = f->t1 > f->t0 ? (double)(f->t1 - f->t0) : 1.0;
    return PAD_L + (double)(ts - f->t0) / span * (CHART_W - PAD_L - PAD_R);
}

static double fy(const struct frame *f, double v)
{
    return PAD_T + (f->hi - v) / (f->hi - f->lo) * (CHART_H - PAD_T - PAD_B);
}

/* The ramp's steps and the aborts, as vertical lines. */
static void chart_marks(FILE *out, const struct report *r, const struct frame *f)
{
    for (size_t i = 0; i < r->n_marks; i++) {
        double x = fx(f, r->marks[i].ts_ms);
        fprintf(out, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' class='step'/>"
                     "<text x='%.1f' y='%d' class='steplabel'>%g%%</text>\n",
                x, PAD_T, x, CHART_H - PAD_B, x + 2, PAD_T - 5, r->marks[i].percent);
    }
    for (size_t i = 0; i < r->n_aborts; i++) {
        int64_t ts = r->aborts[i].breach_ms ? r->aborts[i].breach_ms : r->aborts[i].abort_ms;
        double x = fx(f, ts);
        fprintf(out, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' class='abort'/>"
                     "<text x='%.1f' y='%d' class='abortlabel'>ABORT</text>\n",
                x, PAD_T, x, CHART_H - PAD_B, x + 2, CHART_H - PAD_B - 4);
    }
}

/* The values as polylines, broken where a sample had no value. */
static void chart_line(FILE *out, const struct report_signal *g, const struct frame *f)
{
    int open = 0;
    for (size_t i = 0; i < g->samples; i++) {
        const struct report_point *p = &g->points[i];
        if (!p->has_value || !isfinite(p->value)) {
            if (open)
                fputs("'/>\n", out);
            open = 0;
            continue;
        }
        if (!open)
            fputs("<polyline class='value' points='", out);
        fprintf(out, "%s%.1f,%.1f", open ? " " : "", fx(f, p->ts_ms), fy(f, p->value));
        open = 1;
    }
    if (open)
        fputs("'/>\n", out);
}

void report_svg_chart(FILE *out, const struct report *r, const struct report_signal *g,
                      int standalone)
{
    struct frame f = {r->started_ms, r->ended_ms, 0, 0};
    y_range(g, &f.lo, &f.hi);
    char lo[32], hi[32], th[32];
    report_value_text(g, f.lo, lo, sizeof lo);
    report_value_text(g, f.hi, hi, sizeof hi);
    fprintf(out, "<svg %sviewBox='0 0 %d %d' width='%d' height='%d' role='img'>\n",
            standalone ? "xmlns='http://www.w3.org/2000/svg' " : "", CHART_W, CHART_H, CHART_W,
            CHART_H);
    if (standalone) {
        /* a file of its own says whose chart it is */
        fprintf(out, "<style>%s</style>\n<title>", REPORT_SVG_CSS);
        report_esc(out, g->name);
        fprintf(out, "</title>\n<text x='%d' y='%d' class='axis' text-anchor='end'>", CHART_W - PAD_R,
                PAD_T - 5);
        report_esc(out, g->name);
        fputs("</text>\n", out);
    }
    fprintf(out, "<rect x='%d' y='%d' width='%d' height='%d' class='plot'/>\n", PAD_L, PAD_T,
            CHART_W - PAD_L - PAD_R, CHART_H - PAD_T - PAD_B);
    /* the top of the scale, unless the threshold's label sits there */
    if (!g->has_threshold || fy(&f, g->threshold) > PAD_T + 20)
        fprintf(out, "<text x='%d' y='%d' class='axis' text-anchor='end'>%s</text>\n", PAD_L - 4,
                PAD_T + 8, hi);
    fprintf(out, "<text x='%d' y='%d' class='axis' text-anchor='end'>%s</text>\n", PAD_L - 4,
            CHART_H - PAD_B, lo);
    char t0[16], t1[16];
    timefmt_hms(r->started_ms, t0, sizeof t0);
    timefmt_hms(r->ended_ms, t1, sizeof t1);
    fprintf(out, "<text x='%d' y='%d' class='axis'>%s</text>"
                 "<text x='%d' y='%d' class='axis' text-anchor='end'>%s UTC</text>\n",
            PAD_L, CHART_H - 6, t0, CHART_W - PAD_R, CHART_H - 6, t1);
    chart_marks(out, r, &f);
    if (g->has_threshold) {
        report_value_text(g, g->threshold, th, sizeof th);
        double y = fy(&f, g->threshold);
        fprintf(out, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' class='threshold'/>"
                     "<text x='%d' y='%.1f' class='axis' text-anchor='end'>",
                PAD_L, y, CHART_W - PAD_R, y, PAD_L - 4, y + 4);
        report_esc(out, g->op);
        fprintf(out, " %s</text>\n", th);
    }
    chart_line(out, g, &f);
    fputs("</svg>\n", out);
}
