/* journal_view.h — what the journal panel offers the layout beyond its
 * draw: its filters' names and how many lines a filter leaves. */
#ifndef CUTOVER_JOURNAL_VIEW_H
#define CUTOVER_JOURNAL_VIEW_H

#include <curses.h>

#include "core/marks.h"
#include "panel.h"

/* all, aborts, acks, overrides, notes: v->journal_kind (the fold keeps
 * what each takes: marks_filter_matches) */
#define JOURNAL_KINDS MARKS_FILTERS

const char *journal_kind_name(int kind);


/* The journal framed in w, its lines in rows rows from row top (the full
 * screen puts the timeline above them). Returns the scroll it showed: the
 * view's, or less where that would scroll past the oldest page. */
int journal_draw_lines(WINDOW *w, int top, int rows, const struct view *v);

#endif
