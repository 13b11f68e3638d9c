/* header.c — the top bar: runbook title, current phase, status, clock, and
 * who sits at this console; on a sped-up test clock, a mark that says so;
 * on a joined console that nobody drives, NO ENGINE above all but the record. */
#include <stdio.h>

#include "core/timefmt.h"
#include "panel.h"
#include "draw.h"
#include "tui/clock.h"
#include "tui/theme.h"

static void phase_label(const struct view *v, char *buf, size_t len)
{
    const struct runbook *rb = v->rb;
    if (rb->n_phases == 0)
        snprintf(buf, len, "no phases");
    else if (v->s->current_phase >= rb->n_phases)
        snprintf(buf, len, "all phases done");
    else {
        const struct rb_phase *p = &rb->phases[v->s->current_phase];
        snprintf(buf, len, "Phase %s: %s", p->number, p->title);
    }
}

static void header_draw(WINDOW *w, const struct view *v)
{
    int cols = getmaxx(w);
    attr_t bar = theme(TH_HEADER);
    wbkgdset(w, ' ' | bar);
    werase(w);

    char right[160], clock[16], phase[128];
    timefmt_hms(v->now_ms, clock, sizeof clock);
    snprintf(right, sizeof right, " %s/%s  %s UTC ", v->name, v->role, clock);
    phase_label(v, phase, sizeof phase);

    /* a test clock (CUTOVER_TIME_SCALE) is never mistaken for a ceremony */
    char test[64] = "";
    if (clock_is_test())
        snprintf(test, sizeof test, " TIME ×%g (test clock) ", clock_scale());
    int test_cols = test[0] ? draw_width(test) : 0;
    int right_cols = draw_width(right) + test_cols;
    int x = draw_text(w, 0, 0, cols - right_cols, " cutover ", bar | A_BOLD);
    x += draw_text(w, 0, x, cols - right_cols - x, v->rb->title, bar | A_BOLD);
    x += draw_text(w, 0, x, cols - right_cols - x, "  │ ", bar);
    x += draw_text(w, 0, x, cols - right_cols - x, phase, bar);
    x += draw_text(w, 0, x, cols - right_cols - x, " │ ", bar);
    enum ramp_status rs = v->s->ramp.status;
    if (v->journal_alert)   /* the record is behind: above everything */
        draw_text(w, 0, x, cols - right_cols - x, v->journal_alert, theme(TH_ALERT));
    else if (v->no_engine)
        draw_text(w, 0, x, cols - right_cols - x, v->no_engine, theme(TH_ALERT) | A_BOLD);
    else if (rs == RAMP_ABORTED || rs == RAMP_HALTED)
        draw_text(w, 0, x, cols - right_cols - x, rs == RAMP_ABORTED ? " ABORTED " : " HALTED — INCIDENT ",
                  theme(TH_ALERT));
    else if (v->s->ramp.override_active)
        draw_text(w, 0, x, cols - right_cols - x, " OVERRIDE ", theme(TH_ALERT));
    else
        draw_text(w, 0, x, cols - right_cols - x, session_status(v->s), bar | A_BOLD);
    if (test[0])
        draw_text(w, 0, cols - right_cols, test_cols, test, theme(TH_ALERT));
    draw_text(w, 0, cols - right_cols + test_cols, right_cols - test_cols, right, bar);
}

const struct panel panel_header = {"header", 1, 40, header_draw};
