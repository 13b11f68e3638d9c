/* meter.h — what the signal panels share: a signal's value against its
 * bound with its age and health, and a sparkline of its history. */
#ifndef CUTOVER_METER_H
#define CUTOVER_METER_H

#include <curses.h>

#include "panel.h"

/* Index of the signal called name, or -1 when the runbook has none. */
int meter_signal(const struct view *v, const char *name);

/* One line: "label  value  (bound)  age", coloured by the criteria on the
 * signal; "no data"/"stale"/the error when that is the truth. Returns 1
 * when drawn, 0 when the runbook has no such signal. */
int meter_line(WINDOW *w, int y, int x, int width, const struct view *v,
               const char *label, const char *signal);

/* A sparkline of the signal's recent history, newest at the right. */
void meter_spark(WINDOW *w, int y, int x, int width, const struct view *v,
                 const char *signal);

/* The signal's value as text ("0.42%", "1.83×", "120 ms" style chosen by
 * how its criteria are written). */
void meter_format(const struct view *v, int signal, double value, char *buf, size_t len);

#endif
