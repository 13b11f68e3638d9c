/* databar.h — what the backfill and compare panels share: a progress bar
 * of done out of total, a duration in words, and the data job's line
 * (running, failed and restarting, stopped) from the fold's `data_job`. */
#ifndef CUTOVER_DATABAR_H
#define CUTOVER_DATABAR_H

#include <curses.h>
#include <stdint.h>

#include "panel.h"

/* "████░░░░ 640/1000 64%" into width columns at (y, x). */
void databar_draw(const struct view *v, WINDOW *w, int y, int x, int width, int64_t done,
                  int64_t total);

/* "1m05s", "3s", "2h10m". */
void databar_span(int64_t ms, char *buf, size_t len);

/* The job's state as a line (red when it failed); returns 1 when drawn. */
int databar_job(WINDOW *w, int y, int x, int width, const struct view *v, int kind);

/* For step i's row in the steps list, while its data job is known: " copying
 * 45%", " comparing 30%", " FAILED", " DIVERGED" into buf. 0 nothing to
 * say, 1 said, 2 said and it is bad news. */
int databar_step_word(const struct view *v, size_t i, char *buf, size_t len);

/* Draws the backfill or compare panel in place of the step text when the
 * selected step is such a step; a tall window keeps the step text below
 * it. 1 when it drew, 0 when the text panel is the caller's to draw. */
int panel_data_draw(WINDOW *w, const struct view *v);

extern const struct panel panel_backfill;
extern const struct panel panel_compare;

#endif
