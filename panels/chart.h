/* chart.h — a signal's history as a chart over a span that fits the
 * ceremony: braille dots (min to max per column), the threshold as a
 * dashed line, a scale with units on the left, the ramp's steps and the
 * aborts, halts, resumes and overrides marked, gaps left empty (no data is
 * not zero), and a time axis ending at now. */
#ifndef CUTOVER_CHART_H
#define CUTOVER_CHART_H

#include <curses.h>

#include "panel.h"

struct chart_spec {
    int sig;            /* index into rb->signals */
    int has_bound;
    double bound;
    int is_percent;     /* values are fractions shown as percentages */
    int op;             /* enum rb_op of the bound's criterion; -1: ">" */
};

/* The spans the keys step through, shortest first, and their count. */
extern const int64_t chart_spans[];
extern const int chart_n_spans;

/* The span in force: the one picked by key (v->chart_span_ms), else the
 * shortest that holds the current hold and a half (5 min before a step). */
int64_t chart_span(const struct view *v);

/* Draws the chart into rows × cols at (y, x) of w (rows >= 2). */
void chart_draw(WINDOW *w, int y, int x, int rows, int cols, const struct view *v,
                const struct chart_spec *c);

/* The spec of signal `signal` with the first criterion's bound on it. */
int chart_spec_of(const struct view *v, const char *signal, struct chart_spec *c);

/* A signal panel's history in `rows` rows: the chart from 3 rows up, the
 * old one-row sparkline below that. d (or NULL: the signal's first
 * criterion) gives the threshold. Returns the rows used. */
int chart_or_spark(WINDOW *w, int y, int x, int rows, int cols, const struct view *v,
                   const char *signal, const struct panel_decl *d);
#endif
