/* help.c — the keys, drawn over the screen by `?` (the live console's, or
 * replay's), and how another operator joins this ceremony (its journal's
 * path). */
#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "panel.h"
#include "palette.h"

/* Every line fits the overlay at 80 columns (72 cells of text) and the
 * whole list, with the way to join above it, fits 80×24: the keys are
 * never what the edge or the bottom cuts. */
static const char *const lines[] = {
    "↑↓ j k    steps · PgUp PgDn a page · g G first, last · [ ] scroll text",
    "a         acknowledge the selected step (your role's steps only)",
    "v         approve an {irreversible} step (commander; another acks it)",
    "n :       a note into the journal (comms: also to the webhook, y/N)",
    "+         advance the ramp (commander; type the target percentage)",
    "!         abort now and roll the flag back (commander; type ABORT)",
    "r         resume after an abort or halt (commander; a written reason)",
    "f A       after a restart: flag back as journaled / accept it (reason)",
    "o         override a gate, action step, point of no return, rehearsal",
    "T         take over driving when NO ENGINE shows (commander or Deputy)",
    "P R c     backfill pause / resume, rate · compare or audit again",
    "< > 0 Tab charts: longer, shorter, fit the hold · Tab: tall (<30 rows)",
    "J { } / e journal: full screen, scroll, find, by kind · click: select",
    "p w       presence (who is on which console) · the writer audit",
    "F         the demo's fault menu (cutover demo only)",
    "? q       this help (any key closes it) · quit (asks while on new)",
    "Your role's steps are yellow; every change is journaled.",
};

/* `cutover replay`: nothing changes the journal; the keys move in time. */
static const char *const replay_lines[] = {
    "space     play / pause · 1 2 3 4 speed ×1 ×10 ×60 ×600",
    ". ,       the next / previous event",
    "a h o k   the next abort, halt, override, ack (A H O K: the previous)",
    "← →       a minute later / earlier · Home End the first / last moment",
    "g         go to a time typed in UTC (14:03:22, 14:03:22.250)",
    "↑ ↓       move between steps (a click selects one)",
    "< > 0 Tab charts: longer, shorter, fit the hold · Tab: tall (<30 rows)",
    "J { } / e journal: full screen (Esc back), scroll, find, by kind",
    "w p       the writer audit, presence, as they were then",
    "? q       this help (any key closes it) · quit",
    "Replay reads the journal only: nothing here writes to it.",
};

/* Where this ceremony's journal is, as the command another operator types
 * to join it: the path in full, wrapped, never cut. Returns the rows used. */
static int draw_join(WINDOW *w, int y, int width, const struct view *v)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cutover join %s --as NAME --role ROLE", v->journal_path);
    draw_text(w, y, 2, width, "Another operator joins this ceremony with:", view_attr(v, TH_DIM));
    return 1 + draw_wrap(w, y + 1, 4, width - 2, getmaxy(w) - y - 2, 0, cmd, view_attr(v, TH_NORMAL));
}

/* The way to join comes first: it must never be what the bottom cuts. */
static void help_draw(WINDOW *w, const struct view *v)
{
    werase(w);
    draw_frame(w, v, "Keys");
    int width = getmaxx(w) - 4, y = 1;
    int replay = v->mode && strcmp(v->mode, "replay") == 0;   /* nobody joins a replay */
    const char *const *keys = replay ? replay_lines : lines;
    size_t n = replay ? sizeof replay_lines / sizeof replay_lines[0] : sizeof lines / sizeof lines[0];
    if (v->journal_path && !replay) {
        y += draw_join(w, y, width, v);
        y += y + (int)n < getmaxy(w) - 1;   /* a blank line after it when there is room */
    }
    for (size_t i = 0; i < n && y < getmaxy(w) - 1; i++)
        draw_text(w, y++, 2, width, keys[i], view_attr(v, TH_NORMAL));
}

const struct panel panel_help = {"help", 23, 60, help_draw};
