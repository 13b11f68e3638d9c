/* meter.h — what the signal panels share: a signal's value against its
 * bound with its age and health, and a sparkline of its history. */
#ifndef CUTOVER_METER_H
#define CUTOVER_METER_H

#include <curses.h>

#include "core/panels_decl.h"
#include "panel.h"

/* Index of the signal called name, or -1 when the runbook has none. */
int meter_signal(const struct view *v, const char *name);

/* One line: "label  value  (bound)  age", coloured by the criteria on the
 * signal; "no data"/"stale"/the error when that is the truth. Returns 1
 * when drawn, 0 when the runbook has no such signal. */
int meter_line(WINDOW *w, int y, int x, int width, const struct view *v,
               const char *label, const char *signal);

/* meter_line with a declared panel's threshold instead: the value in the
 * threshold's units, "(> 1%)" when the threshold is a criterion's bound,
 * "(threshold 2.5)" when the runbook wrote it ("(thr 2.5)" when narrow),
 * nothing when there is none; the label is dropped when the line would
 * not fit with it. */
int meter_line_threshold(WINDOW *w, int y, int x, int width, const struct view *v,
                         const char *label, const char *signal, const struct panel_decl *d);

/* A sparkline of the signal's recent history, newest at the right, scaled
 * so that the bound of its first criterion sits near the top. */
void meter_spark(WINDOW *w, int y, int x, int width, const struct view *v,
                 const char *signal);
/* The same with a bound of the caller's (has_bound 0: none). */
void meter_spark_bound(WINDOW *w, int y, int x, int width, const struct view *v,
                       const char *signal, int has_bound, double bound);

/* The signal's value as text ("0.42%", "1.83×", "120 ms" style chosen by
 * how its criteria are written). */
void meter_format(const struct view *v, int signal, double value, char *buf, size_t len);

#endif
