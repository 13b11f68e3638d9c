/* gaterow.h — one gate's line in the steps panel: its state first (OPEN,
 * CLOSED, INSUFFICIENT with the share covered, OVERRIDDEN, NOT JUDGED),
 * then when it can open, the worst value over its window in the runbook's
 * units, and the gate as written — so at 80 columns the cut falls on what
 * matters least; the Step panel shows the selected step's gates whole. */
#ifndef CUTOVER_GATEROW_H
#define CUTOVER_GATEROW_H

#include <stddef.h>

#include "panel.h"

/* How many gates step i (or, with step -1, phase p's exit) has. */
size_t gaterow_count(const struct runbook *rb, ptrdiff_t step, size_t p);

/* The k-th gate of step i (or of phase p's exit, step -1): its index in
 * rb->gates, or -1. */
ptrdiff_t gaterow_nth(const struct runbook *rb, ptrdiff_t step, size_t p, size_t k);

/* Gate g's line in words, and the attribute it is drawn with. */
void gaterow_text(const struct view *v, size_t g, char *buf, size_t len, attr_t *a);

/* Draws gate g's line at row y. */
void gaterow_draw(WINDOW *w, int y, int width, const struct view *v, size_t g);

#endif
