/* layout.h — where each panel sits on the screen, recomputed on resize,
 * and the drawing of a whole frame (panels, status line, help, prompt). */
#ifndef CUTOVER_LAYOUT_H
#define CUTOVER_LAYOUT_H

#include <curses.h>
#include <stddef.h>
#include <stdint.h>

#include "panels/panel.h"
#include "prompt.h"

#define LAYOUT_MIN_COLS 80
#define LAYOUT_MIN_ROWS 24

struct layout {
    int rows, cols;
    int too_small;
    int watch;        /* the runbook has signals or criteria to show */
    int crit_rows;    /* rows the criteria want */
    WINDOW *header, *steps, *text, *journal, *status, *help;
    WINDOW *choices;                  /* a prompt's choices, above the status line */
    WINDOW *criteria, *ramp;
    WINDOW *meter[PANELS_MAX];        /* the row of signal panels */
    const struct panels_decls *panels; /* what each of them draws (not owned) */
    int with_ramp;    /* the runbook has a ramp: a bar under the header */
    int steps_rows;
    WINDOW *timeline, *full;          /* the ramp's timeline strip; the full-screen journal */
    /* what the screen's own keys chose (layout_key), carried into the view */
    int span_index;                   /* -1: the charts fit the hold; else chart_spans[i] */
    int64_t span_shown;               /* the span of the last frame (where < and > start) */
    int journal_full, journal_scroll, journal_kind;
    char journal_find[128];
    struct prompt find;               /* `/`: the journal's filter, while typed */
    int tab;                          /* under 30 rows: 1 shows the charts where the steps are */
    int steps_want;                   /* rows the steps panel needs (from the runbook) */
    int charts_tall;
    int click_y;                      /* a click on the steps: its row in them, or -1 */                  /* so they are now (steps and text not drawn) */
    /* the status line's message, while it is news (layout_status_live) */
    char status_seen[600];
    int64_t status_since_ms;
    int status_saw_setting;
};

/* watch: show the signal and criteria panels; n_criteria sizes them;
 * panels (which must outlive the layout) says which signal panels there are. */
void layout_init(struct layout *l, int watch, size_t n_criteria, int ramp,
                 const struct panels_decls *panels);
void layout_resize(struct layout *l);
void layout_free(struct layout *l);

/* 1 while status (the console's last message) is still news: a message
 * goes once the flag it was waiting for is read back (the ramp was setting
 * the flag while it showed, and no longer is) or LAYOUT_STATUS_MS after it
 * first showed; an alert stays until the console replaces it. */
#define LAYOUT_STATUS_MS 10000
int layout_status_live(struct layout *l, const struct view *v, const char *status, int alert);

/* The screen's own keys: the charts' span (< > 0), the journal (J full
 * screen, { } and, full screen, ↑ ↓ PgUp PgDn Home End scroll, / filters
 * by text, e by kind, Esc closes), Tab (under 30 rows: the charts in the
 * place of the steps). 1 when ch was one of them (then it is used up). */
int layout_key(struct layout *l, int ch);

/* After layout_key left a click on the steps panel to its caller (it
 * returned 0 for KEY_MOUSE): the step clicked, or -1. */
ptrdiff_t layout_clicked_step(struct layout *l, const struct view *v);

/* What is drawn over the screen, if anything. */
#define LAYOUT_OVERLAY_HELP 1      /* the keys (?) */
#define LAYOUT_OVERLAY_WRITERS 2   /* the writer audit (w) */
#define LAYOUT_OVERLAY_PRESENCE 3  /* who is on which console (p) */
#define LAYOUT_OVERLAY_CHOICES 4   /* the view's choices, above the status line */

/* Draws a frame: status is the status-line text (alert: in red); help is
 * 0 or a LAYOUT_OVERLAY_*. */
void layout_draw(struct layout *l, const struct view *v, int help,
                 const struct prompt *prompt, const char *status, int alert);

#endif
