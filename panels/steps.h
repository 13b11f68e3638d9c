/* steps.h — what the steps panel tells the layout besides drawing: which
 * step a row of it shows (a mouse click selects that step). */
#ifndef CUTOVER_STEPS_H
#define CUTOVER_STEPS_H

#include <stddef.h>

#include "panel.h"

/* The step drawn on row y (0 = the frame's top) of a steps panel `height`
 * rows tall, or -1 for a phase heading, a gate line or no row. */
ptrdiff_t steps_at(const struct view *v, int height, int y);

#endif
