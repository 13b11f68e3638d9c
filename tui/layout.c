/* layout.c — the screen's geometry:
 *
 *   header (1 row)
 *   ramp bar (when the runbook has a ramp: the steps, then a banner that
 *            wraps onto a second row rather than losing its end; from 30
 *            rows up, so that 80×24 keeps its rows for the steps and the plan)
 *   steps (left, ~55%) | step text + rollback plan (right)
 *   signal panels: dual-write | latency | shadow reads by default, or the
 *            runbook's ## Panels, side by side (when there are signals)
 *   criteria (left, 60%) | journal tail       (criteria: when there are any)
 *   status line (1 row)
 *
 * Below 80×24 nothing is drawn but a message saying so. */
#include "layout.h"

#include <stdio.h>
#include <string.h>

#include "panels/databar.h"
#include "panels/draw.h"
#include "theme.h"

static void destroy(WINDOW **w)
{
    if (*w)
        delwin(*w);
    *w = NULL;
}

void layout_free(struct layout *l)
{
    destroy(&l->header);
    destroy(&l->steps);
    destroy(&l->text);
    destroy(&l->journal);
    destroy(&l->status);
    destroy(&l->help);
    for (size_t i = 0; i < PANELS_MAX; i++)
        destroy(&l->meter[i]);
    destroy(&l->criteria);
    destroy(&l->ramp);
}

static void build(struct layout *l)
{
    layout_free(l);
    getmaxyx(stdscr, l->rows, l->cols);
    l->too_small = l->rows < LAYOUT_MIN_ROWS || l->cols < LAYOUT_MIN_COLS;
    if (l->too_small)
        return;
    int bottom = l->rows / 4 < 5 ? 5 : l->rows / 4;
    int meters = 0;
    size_t n_meters = l->panels ? l->panels->n : 0;
    if (l->watch) {
        meters = n_meters == 0 ? 0 : l->rows < 32 ? 5 : 6;
        int want = l->crit_rows + 2;
        bottom = want > bottom ? (want > l->rows / 3 ? l->rows / 3 : want) : bottom;
    }
    int ramp_rows = l->rows >= 30 ? 3 : 2;
    int top = 1 + (l->with_ramp ? ramp_rows : 0);
    int middle = l->rows - 1 - top - meters - bottom;
    int left = l->cols * 55 / 100;
    l->steps_rows = middle - 2;
    l->header = newwin(1, l->cols, 0, 0);
    if (l->with_ramp)
        l->ramp = newwin(ramp_rows, l->cols, 1, 0);
    l->steps = newwin(middle, left, top, 0);
    l->text = newwin(middle, l->cols - left, top, left);
    if (l->watch) {
        int y = top + middle;
        if (n_meters) {
            int each = l->cols / (int)n_meters;   /* the last takes what division leaves */
            for (size_t i = 0; i < n_meters; i++)
                l->meter[i] = newwin(meters, i + 1 == n_meters ? l->cols - (int)i * each : each,
                                     y, (int)i * each);
        }
        int crit_cols = l->cols * 60 / 100;
        l->criteria = newwin(bottom, crit_cols, y + meters, 0);
        l->journal = newwin(bottom, l->cols - crit_cols, y + meters, crit_cols);
    } else {
        l->journal = newwin(bottom, l->cols, top + middle, 0);
    }
    l->status = newwin(1, l->cols, l->rows - 1, 0);
    int hw = l->cols < 84 ? l->cols - 4 : 80, hh = l->rows < 25 ? l->rows - 1 : 23;
    l->help = newwin(hh, hw, (l->rows - hh) / 2, (l->cols - hw) / 2);
}

void layout_init(struct layout *l, int watch, size_t n_criteria, int ramp,
                 const struct panels_decls *panels)
{
    l->panels = panels;
    for (size_t i = 0; i < PANELS_MAX; i++)
        l->meter[i] = NULL;
    l->status_seen[0] = '\0';
    l->status_since_ms = 0;
    l->status_saw_setting = 0;
    l->header = l->steps = l->text = l->journal = l->status = l->help = NULL;
    l->criteria = l->ramp = NULL;
    l->with_ramp = ramp;
    l->watch = watch;
    l->crit_rows = (int)n_criteria;
    build(l);
}

void layout_resize(struct layout *l)
{
    clear();
    build(l);
}

int layout_status_live(struct layout *l, const struct view *v, const char *status, int alert)
{
    if (strcmp(status, l->status_seen) != 0) {
        snprintf(l->status_seen, sizeof l->status_seen, "%s", status);
        l->status_since_ms = v->now_ms;
        l->status_saw_setting = 0;
    }
    if (alert)
        return 1;
    /* "…: setting the flag" is old news once the flag is read back; any
     * other message (an override, a note) stays its full time */
    int setting = v->s->ramp.status == RAMP_SETTING;
    if (setting)
        l->status_saw_setting = 1;
    else if (l->status_saw_setting && strstr(status, "setting the flag"))
        return 0;
    return v->now_ms - l->status_since_ms < LAYOUT_STATUS_MS;
}

static void draw_too_small(const struct layout *l)
{
    char msg[160];
    erase();
    snprintf(msg, sizeof msg, "The terminal is %d×%d; cutover needs at least %d×%d.",
             l->cols, l->rows, LAYOUT_MIN_COLS, LAYOUT_MIN_ROWS);
    int y = l->rows / 2 - 1;
    draw_text(stdscr, y < 0 ? 0 : y, 0, l->cols, msg, theme(TH_WARN));
    draw_text(stdscr, y + 1 < l->rows ? y + 1 : 0, 0, l->cols,
              "Enlarge the window, or press q to quit.", theme(TH_NORMAL));
    refresh();
}

static void draw_status(const struct layout *l, const struct prompt *prompt,
                        const char *status, int alert)
{
    WINDOW *w = l->status;
    werase(w);
    if (prompt && prompt->active) {
        int x = draw_text(w, 0, 0, l->cols, prompt->label, theme(TH_TITLE));
        x += draw_text(w, 0, x, l->cols - x - 1, prompt->text, theme(TH_NORMAL));
        draw_text(w, 0, x, l->cols - x, "▏", theme(TH_NORMAL));
    } else {
        if (alert)
            mvwhline(w, 0, 0, ' ' | theme(TH_ALERT), l->cols);
        draw_text(w, 0, 0, l->cols, status, alert ? theme(TH_ALERT) : theme(TH_DIM));
    }
    wnoutrefresh(w);
}

/* A signal panel: a named one as it always was, or the generic one. */
static void draw_meter(WINDOW *w, const struct view *v, const struct panel_decl *d)
{
    switch (d->kind) {
    case PANEL_DUALWRITE: panel_dualwrite.draw(w, v); break;
    case PANEL_LATENCY: panel_latency.draw(w, v); break;
    case PANEL_DIVERGENCE: panel_divergence.draw(w, v); break;
    default: panel_signal_draw(w, v, d); break;
    }
}

void layout_draw(struct layout *l, const struct view *v, int help,
                 const struct prompt *prompt, const char *status, int alert)
{
    if (l->too_small) {
        draw_too_small(l);
        return;
    }
    panel_header.draw(l->header, v);
    if (l->ramp) {
        panel_ramp.draw(l->ramp, v);
        wnoutrefresh(l->ramp);
    }
    panel_steps.draw(l->steps, v);
    if (!panel_data_draw(l->text, v))   /* a backfill or compare step: its job */
        panel_text.draw(l->text, v);
    panel_journal.draw(l->journal, v);
    wnoutrefresh(l->header);
    wnoutrefresh(l->steps);
    wnoutrefresh(l->text);
    wnoutrefresh(l->journal);
    if (l->watch) {
        for (size_t i = 0; i < PANELS_MAX && l->meter[i]; i++) {
            draw_meter(l->meter[i], v, &l->panels->v[i]);
            wnoutrefresh(l->meter[i]);
        }
        panel_criteria.draw(l->criteria, v);
        wnoutrefresh(l->criteria);
    }
    draw_status(l, prompt, status, alert);
    if (help) {   /* the help, the writer audit (w) or presence (p), over the screen */
        (help == LAYOUT_OVERLAY_PRESENCE  ? panel_presence
         : help == LAYOUT_OVERLAY_WRITERS ? panel_writers
                                          : panel_help).draw(l->help, v);
        wnoutrefresh(l->help);
    }
    doupdate();
}
