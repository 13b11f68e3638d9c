/* report_html.c — the report as HTML with inline SVG charts. Every text
 * that comes from the journal is escaped: a note or a runbook title is
 * data, never markup. */
#include "report_html.h"

#include <math.h>
#include <string.h>

#include "clock.h"
#include "core/timefmt.h"
#include "report_data.h"

#define CHART_W 900
#define CHART_H 170
#define PAD_L 70
#define PAD_R 12
#define PAD_T 18
#define PAD_B 22

static void esc(FILE *out, const char *s)
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

static void when(FILE *out, int64_t ts)
{
    char buf[40];
    if (ts > 0)
        timefmt_iso(ts, buf, sizeof buf);
    else
        snprintf(buf, sizeof buf, "-");
    fputs(buf, out);
}

static void value_text(const struct report_signal *g, double v, char *buf, size_t len)
{
    if (g->is_percent)
        snprintf(buf, len, "%.4g%%", v * 100.0);
    else
        snprintf(buf, len, "%.4g", v);
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

static void chart(FILE *out, const struct report *r, const struct report_signal *g)
{
    struct frame f = {r->started_ms, r->ended_ms, 0, 0};
    y_range(g, &f.lo, &f.hi);
    char lo[32], hi[32], th[32];
    value_text(g, f.lo, lo, sizeof lo);
    value_text(g, f.hi, hi, sizeof hi);
    fprintf(out, "<svg viewBox='0 0 %d %d' width='%d' height='%d' role='img'>\n", CHART_W,
            CHART_H, CHART_W, CHART_H);
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
        value_text(g, g->threshold, th, sizeof th);
        double y = fy(&f, g->threshold);
        fprintf(out, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' class='threshold'/>"
                     "<text x='%d' y='%.1f' class='axis' text-anchor='end'>",
                PAD_L, y, CHART_W - PAD_R, y, PAD_L - 4, y + 4);
        esc(out, g->op);
        fprintf(out, " %s</text>\n", th);
    }
    chart_line(out, g, &f);
    fputs("</svg>\n", out);
}

static void summary(FILE *out, const struct report *r)
{
    fputs("<h1>Cutover report: ", out);
    esc(out, r->title);
    fprintf(out, "</h1>\n<p class='outcome %s'><b>", r->outcome[0] == 'c' ? "good" : "bad");
    esc(out, r->outcome);
    fputs("</b> — ", out);
    esc(out, r->outcome_text);
    fputs("</p>\n<ul>\n<li>From ", out);
    when(out, r->started_ms);
    fputs(" to ", out);
    when(out, r->ended_ms);
    fputs("</li>\n<li>Journal <code>", out);
    esc(out, r->path);
    if (r->verified)
        fprintf(out, "</code>: %lld events, %lld samples; both hash chains verified</li>\n",
                (long long)r->n_events, (long long)r->n_samples);
    else {
        fprintf(out, "</code>: <b class='bad'>BROKEN at %s #%lld: ", r->bad_table,
                (long long)r->first_bad_seq);
        esc(out, r->bad_reason);
        fputs("</b>; reported up to there only</li>\n", out);
    }
    fprintf(out, "<li>%zu acknowledgements, %zu aborts, %zu halts, %zu overrides, %zu notes</li>\n</ul>\n",
            r->n_acks, r->n_aborts, r->n_halts, r->n_overrides, r->n_notes);
}

/* "+54 ms" from one time to the other, or what to say when either is missing. */
static void after(FILE *out, int64_t from, int64_t to, const char *missing)
{
    if (from > 0 && to > 0)
        fprintf(out, "+%lld ms", (long long)(to - from));
    else
        fputs(missing, out);
}

static void aborts(FILE *out, const struct report *r)
{
    if (!r->n_aborts)
        return;
    fputs("<h2>Aborts</h2>\n<table><tr><th>#</th><th>criterion</th><th>value</th><th>breach</th>"
          "<th>flag set</th><th>read back</th><th>effective</th></tr>\n", out);
    for (size_t i = 0; i < r->n_aborts; i++) {
        const struct report_abort *a = &r->aborts[i];
        fprintf(out, "<tr><td>%lld</td><td>", (long long)a->seq);
        esc(out, a->manual ? "ABORT typed by the commander" : a->criterion);
        if (a->has_value)
            fprintf(out, "</td><td>%.6g</td><td>", a->value);
        else
            fputs("</td><td>-</td><td>", out);
        when(out, a->breach_ms);
        fputs("</td><td>", out);
        after(out, a->breach_ms, a->set_ms, "not set");
        fputs("</td><td>", out);
        after(out, a->breach_ms, a->confirmed_ms, "<b class='bad'>NOT READ BACK</b>");
        fputs("</td><td>", out);
        after(out, a->set_ms, a->effective_ms, "-");
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

static void signals(FILE *out, const struct report *r)
{
    fputs("<h2>Signals</h2>\n", out);
    for (size_t i = 0; i < r->n_signals; i++) {
        const struct report_signal *g = &r->signals[i];
        char worst[32] = "-";
        if (g->has_worst)
            value_text(g, g->worst, worst, sizeof worst);
        fputs("<h3>", out);
        esc(out, g->name);
        /* "worst" only against a criterion's threshold; else the highest */
        fprintf(out, "</h3>\n<p>%s %s", g->has_threshold ? "worst" : "highest", worst);
        if (g->has_worst) {
            fputs(" at ", out);
            when(out, g->worst_ms);
        }
        fprintf(out, "; %zu samples, %zu without a value</p>\n", g->samples, g->no_data);
        chart(out, r, g);
    }
}

static void timeline(FILE *out, const struct report *r)
{
    fputs("<h2>Timeline</h2>\n<table><tr><th>time (UTC)</th><th>#</th><th>who</th><th>what</th></tr>\n",
          out);
    for (size_t i = 0; i < r->n_timeline; i++) {
        const struct report_line *l = &r->timeline[i];
        fputs("<tr><td>", out);
        when(out, l->ts_ms);
        fprintf(out, "</td><td>%lld</td><td>", (long long)l->seq);
        esc(out, l->actor);
        fputs("</td><td>", out);
        esc(out, l->text);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

static void cleanup(FILE *out, const struct report *r)
{
    char line[700];
    const char *state;
    report_cleanup_line(r, clock_now_ms(), line, sizeof line, &state);
    if (!line[0])
        return;
    fprintf(out, "<h2>Cleanup</h2>\n<p class='%s'>", strcmp(state, "overdue") == 0 ? "bad" : "");
    esc(out, line);
    fputs("</p>\n", out);
}

/* The rollback plans a point of no return made void. */
static void void_plans(FILE *out, const struct report *r)
{
    if (!r->n_void_plans)
        return;
    fputs("<h2>Void rollback plans</h2>\n<p class='bad'>NO WAY BACK: ", out);
    esc(out, r->no_way_back);
    fputs(". These plans no longer apply:</p>\n<table><tr><th>phase</th><th>plan of</th>"
          "<th>voided by</th></tr>\n", out);
    for (size_t i = 0; i < r->n_void_plans; i++) {
        fputs("<tr><td>", out);
        esc(out, r->void_plans[i].phase);
        fputs("</td><td>", out);
        esc(out, r->void_plans[i].title);
        fputs("</td><td>", out);
        esc(out, r->void_plans[i].by);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

void report_print_html(const struct report *r, FILE *out)
{
    fputs("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>\n<title>", out);
    esc(out, r->title);
    fputs("</title>\n<style>\n"
          "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\n"
          "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}th{background:#f4f4f4}.data th{white-space:nowrap}\n"
          ".good{color:#1a7f37}.bad{color:#c62828}\n"
          ".plot{fill:#fafafa;stroke:#ccc}.value{fill:none;stroke:#1565c0;stroke-width:1.5}\n"
          ".threshold{stroke:#c62828;stroke-dasharray:6 4}.step{stroke:#999;stroke-dasharray:2 3}\n"
          ".abort{stroke:#c62828;stroke-width:2}.axis,.steplabel{font-size:11px;fill:#555}\n"
          ".abortlabel{font-size:11px;fill:#c62828;font-weight:bold}\n"
          "</style></head><body>\n",
          out);
    summary(out, r);
    aborts(out, r);
    cleanup(out, r);
    void_plans(out, r);
    signals(out, r);
    report_data_html(r, out, esc);
    timeline(out, r);
    fputs("</body></html>\n", out);
}
