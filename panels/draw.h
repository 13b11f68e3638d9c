/* draw.h — drawing UTF-8 text into a window by display columns (a name
 * like "Zoë" or "渡辺" must not break the layout), wrapping, and frames. */
#ifndef CUTOVER_DRAW_H
#define CUTOVER_DRAW_H

#include <curses.h>

/* Writes at most max_cols columns of s at (y, x); returns columns used. */
int draw_text(WINDOW *w, int y, int x, int max_cols, const char *s, attr_t a);

/* Word-wraps s into width columns from row y, skipping the first `skip`
 * wrapped rows and writing at most max_rows; returns the rows the whole
 * text needs (so callers can tell whether more follows). */
int draw_wrap(WINDOW *w, int y, int x, int width, int max_rows, int skip,
              const char *s, attr_t a);

/* A box with a title in its top border, in the title colour of the
 * palette v was given. */
struct view;
void draw_frame(WINDOW *w, const struct view *v, const char *title);

/* Display columns of s. */
int draw_width(const char *s);

#endif
