/* journal.c — the newest journal events, newest at the bottom, in words;
 * an event the fold refused reads "journal event #N: why", in red. */
#include <stdio.h>
#include <string.h>

#include "core/events.h"
#include "core/timefmt.h"
#include "draw.h"
#include "panel.h"
#include "tui/theme.h"

static attr_t kind_attr(const char *kind)
{
    if (strcmp(kind, EV_ACK_REFUSED) == 0)
        return theme(TH_ALERT);
    if (strcmp(kind, EV_ACK) == 0)
        return theme(TH_OK);
    return theme(TH_NORMAL);
}

static void journal_draw(WINDOW *w, const struct view *v)
{
    int rows = getmaxy(w) - 2, width = getmaxx(w) - 2;
    werase(w);
    char title[64];
    snprintf(title, sizeof title, "Journal  %lld events", (long long)v->s->n_events);
    draw_frame(w, title);
    for (int r = 0; r < rows; r++) {
        const struct session_line *l = session_tail(v->s, (size_t)(rows - 1 - r));
        if (!l)
            continue;
        struct journal_event ev = {.seq = l->seq, .ts_ms = l->ts_ms, .actor = l->actor,
                                   .kind = l->kind, .body = l->body ? l->body : "{}"};
        char t[16], what[512], head[160];
        timefmt_hms(l->ts_ms, t, sizeof t);
        session_describe(v->s, &ev, what, sizeof what);
        /* a narrow tail (beside the criteria) leaves out who: the
         * description names people where it matters */
        if (width >= 90)
            snprintf(head, sizeof head, "%5lld %s %-18s ", (long long)l->seq, t, l->actor);
        else
            snprintf(head, sizeof head, "%s ", t);
        int x = draw_text(w, 1 + r, 1, width, head, theme(TH_DIM));
        draw_text(w, 1 + r, 1 + x, width - x, what, l->fault ? theme(TH_ALERT) : kind_attr(l->kind));
    }
}

const struct panel panel_journal = {"journal", 3, 40, journal_draw};
