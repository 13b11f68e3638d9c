/* timeline.h — the ramp's timeline drawn into part of a window (the full
 * journal puts it above the lines); the panel itself is panel_timeline. */
#ifndef CUTOVER_TIMELINE_H
#define CUTOVER_TIMELINE_H

#include <curses.h>

#include "panel.h"

/* Three rows from (y, x), cols wide. */
void timeline_draw_at(WINDOW *w, int y, int x, int cols, const struct view *v);

#endif
