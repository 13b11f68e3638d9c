/* layout.c — the screen's geometry:
 *
 *   header (1 row)
 *   ramp bar (when the runbook has a ramp: the steps, then a banner that
 *            wraps onto a second row rather than losing its end; from 30
 *            rows up, so that 80×24 keeps its rows for the steps and the plan)
 *   steps (left, ~55%) | step text + rollback plan (right)
 *   signal panels: dual-write | latency | shadow reads by default, or the
 *            runbook's ## Panels, side by side (when there are signals),
 *            in two rows when there are more than 4 of them: a quarter
 *            of the screen from 30 rows up, so a tall screen gives its
 *            room to the charts rather than to empty step rows; under 30
 *            rows each row of two is 3 high (a panel's value against its
 *            threshold), and Tab gives them the steps' room for charts
 *   timeline of the ramp (3 rows, from 36 rows up)
 *   criteria (left, 60%) | journal tail       (criteria: when there are any)
 *   status line (1 row)
 *
 * Under 30 rows Tab puts the charts, taller, where the steps are; J gives
 * the journal the whole screen (with the timeline above it) at any size.
 * Below 80×24 nothing is drawn but a message saying so. */
#include "layout.h"

#include <stdio.h>
#include <string.h>

#include "panels/databar.h"
#include "panels/chart.h"
#include "panels/draw.h"
#include "panels/journal_view.h"
#include "panels/steps.h"
#include "panels/timeline.h"
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
    destroy(&l->choices);
    for (size_t i = 0; i < PANELS_MAX; i++)
        destroy(&l->meter[i]);
    destroy(&l->criteria);
    destroy(&l->ramp);
    destroy(&l->timeline);
    destroy(&l->full);
}

#define STEP_PANEL_ROWS 16

/* The signal panels in ROWS rows from y: one row of up to PANELS_ROW, or
 * two sharing them (the first row takes the odd one); in each row the
 * last panel takes what division leaves of the width, and the second row
 * what it leaves of the height. */
static void place_meters(struct layout *l, size_t n, int y, int rows)
{
    size_t per_row = n > PANELS_ROW ? (n + 1) / 2 : n;
    int row_h = n > PANELS_ROW ? rows / 2 : rows;
    for (size_t i = 0; i < n; i++) {
        size_t r = i / per_row, in_row = r == 0 ? per_row : n - per_row, col = i % per_row;
        int each = l->cols / (int)in_row;
        int h = r == 0 ? row_h : rows - row_h;
        l->meter[i] = newwin(h, col + 1 == in_row ? l->cols - (int)col * each : each,
                             y + (int)r * row_h, (int)col * each);
    }
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
        int quarter = l->rows / 4 > 16 ? 16 : l->rows / 4;
        meters = n_meters == 0 ? 0 : l->rows < 30 ? 5 : quarter < 7 ? 7 : quarter;
        if (n_meters > PANELS_ROW)   /* two rows: each as readable as one was */
            meters = l->rows < 30 ? 6 : meters < 12 ? 12 : meters;
        int want = l->crit_rows + 2;
        bottom = want > bottom ? (want > l->rows / 3 ? l->rows / 3 : want) : bottom;
    }
    int ramp_rows = l->rows >= 30 ? 3 : 2;
    int top = 1 + (l->with_ramp ? ramp_rows : 0);
    int strip = l->watch && l->rows >= 36 ? 3 : 0;   /* the timeline */
    int middle = l->rows - 1 - top - meters - strip - bottom;
    /* rows the steps do not need go to the charts (two thirds) and the
     * journal; the step's own panel beside them keeps room for its text,
     * its job or point of no return, and its rollback plan */
    int steps_need = l->steps_want > STEP_PANEL_ROWS ? l->steps_want : STEP_PANEL_ROWS;
    if (l->steps_want && l->rows >= 30 && middle > steps_need) {
        int extra = middle - steps_need, to_meters = meters ? extra * 2 / 3 : 0;
        meters += to_meters;
        bottom += extra - to_meters;
        middle = steps_need;
    }
    int left = l->cols * 55 / 100;
    l->steps_rows = middle - 2;
    l->header = newwin(1, l->cols, 0, 0);
    if (l->with_ramp)
        l->ramp = newwin(ramp_rows, l->cols, 1, 0);
    l->steps = newwin(middle, left, top, 0);
    l->text = newwin(middle, l->cols - left, top, left);
    l->charts_tall = l->tab && l->rows < 30 && l->watch && n_meters;
    if (l->watch) {
        int y = top + middle;
        /* Tab on a small screen: the charts take the steps' rows too */
        int my = l->charts_tall ? top : y, mh = l->charts_tall ? meters + middle : meters;
        place_meters(l, n_meters, my, mh);
        if (strip)
            l->timeline = newwin(strip, l->cols, y + meters, 0);
        int crit_cols = l->cols * 60 / 100;
        l->criteria = newwin(bottom, crit_cols, y + meters + strip, 0);
        l->journal = newwin(bottom, l->cols - crit_cols, y + meters + strip, crit_cols);
    } else {
        l->journal = newwin(bottom, l->cols, top + middle, 0);
    }
    l->status = newwin(1, l->cols, l->rows - 1, 0);
    l->full = newwin(l->rows - 1, l->cols, 0, 0);
    int hw = l->cols < 84 ? l->cols - 4 : 80, hh = l->rows < 27 ? l->rows - 1 : 25;
    l->help = newwin(hh, hw, (l->rows - hh) / 2, (l->cols - hw) / 2);
    /* eleven choices in a frame, above the status line (80×24 at least) */
    l->choices = newwin(13, 68, l->rows - 1 - 13, (l->cols - 68) / 2);
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
    l->header = l->steps = l->text = l->journal = l->status = l->help = l->choices = NULL;
    l->criteria = l->ramp = l->timeline = l->full = NULL;
    l->span_index = -1;
    l->span_shown = 0;
    l->journal_full = l->journal_scroll = l->journal_kind = 0;
    l->journal_find[0] = '\0';
    l->find.active = 0;
    l->tab = 0;
    l->steps_want = 0;
    l->click_y = -1;
    /* clicks where the terminal reports them (Shift-drag still selects text) */
    mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
    mouseinterval(0);
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
    draw_text(stdscr, y < 0 ? 0 : y, 0, l->cols, msg, palette_attr(theme_palette(), TH_WARN));
    draw_text(stdscr, y + 1 < l->rows ? y + 1 : 0, 0, l->cols,
              "Enlarge the window, or press q to quit.", palette_attr(theme_palette(), TH_NORMAL));
    refresh();
}

static void draw_status(const struct layout *l, const struct prompt *prompt,
                        const char *status, int alert)
{
    WINDOW *w = l->status;
    werase(w);
    if (prompt && prompt->active) {
        int x = draw_text(w, 0, 0, l->cols, prompt->label, palette_attr(theme_palette(), TH_TITLE));
        x += draw_text(w, 0, x, l->cols - x - 1, prompt->text, palette_attr(theme_palette(), TH_NORMAL));
        draw_text(w, 0, x, l->cols - x, "▏", palette_attr(theme_palette(), TH_NORMAL));
    } else {
        if (alert)
            mvwhline(w, 0, 0, ' ' | palette_attr(theme_palette(), TH_ALERT), l->cols);
        draw_text(w, 0, 0, l->cols, status, alert ? palette_attr(theme_palette(), TH_ALERT) : palette_attr(theme_palette(), TH_DIM));
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

/* The view as the screen's own keys left it (span, journal scroll and filters). */
static struct view with_keys(struct layout *l, const struct view *v)
{
    struct view vv = *v;
    vv.chart_span_ms = l->span_index >= 0 ? chart_spans[l->span_index] : 0;
    vv.journal_full = l->journal_full;
    vv.journal_kind = l->journal_kind;
    vv.journal_find = l->journal_find[0] ? l->journal_find : NULL;
    vv.journal_scroll = l->journal_scroll;
    l->span_shown = chart_span(&vv);
    return vv;
}

/* J: the journal with the whole screen, the ramp's timeline above it. */
static void draw_full_journal(struct layout *l, const struct view *v)
{
    WINDOW *w = l->full;
    int rows = getmaxy(w), cols = getmaxx(w);
    werase(w);
    int top = rows >= 12 ? 5 : 1;
    /* never kept past the oldest page: the first key back must show */
    l->journal_scroll = journal_draw_lines(w, top, rows - top - 1, v);
    if (top > 1) {
        timeline_draw_at(w, 1, 2, cols - 4, v);
        mvwhline(w, 4, 1, ACS_HLINE, cols - 2);
    }
    wnoutrefresh(w);
}

static void draw_panels(struct layout *l, const struct view *v)
{
    panel_header.draw(l->header, v);
    if (l->ramp) {
        panel_ramp.draw(l->ramp, v);
        wnoutrefresh(l->ramp);
    }
    if (!l->charts_tall) {
        panel_steps.draw(l->steps, v);
        if (!panel_data_draw(l->text, v))   /* a backfill or compare step: its job */
            panel_text.draw(l->text, v);
        wnoutrefresh(l->steps);
        wnoutrefresh(l->text);
    }
    werase(l->journal);
    l->journal_scroll = journal_draw_lines(l->journal, 1, getmaxy(l->journal) - 2, v);
    wnoutrefresh(l->header);
    wnoutrefresh(l->journal);
    if (l->watch) {
        for (size_t i = 0; i < PANELS_MAX && l->meter[i]; i++) {
            draw_meter(l->meter[i], v, &l->panels->v[i]);
            wnoutrefresh(l->meter[i]);
        }
        if (l->timeline) {
            panel_timeline.draw(l->timeline, v);
            wnoutrefresh(l->timeline);
        }
        panel_criteria.draw(l->criteria, v);
        wnoutrefresh(l->criteria);
    }
}

void layout_draw(struct layout *l, const struct view *v0, int help,
                 const struct prompt *prompt, const char *status, int alert)
{
    if (l->too_small) {
        draw_too_small(l);
        return;
    }
    struct view vv = with_keys(l, v0);
    const struct view *v = &vv;
    int want = (int)(v->rb->n_steps + v->rb->n_phases) + 2;   /* the steps panel, whole */
    if (want != l->steps_want) {
        l->steps_want = want;
        build(l);
    }
    if (l->journal_full)
        draw_full_journal(l, v);
    else
        draw_panels(l, v);
    if (l->find.active)
        prompt = &l->find;
    else if (l->journal_full && !alert && !(prompt && prompt->active))
        status = "J Esc back  ↑↓ PgUp PgDn Home End scroll  / find  e kind  < > 0 chart span";
    draw_status(l, prompt, status, alert);
    if (help == LAYOUT_OVERLAY_CHOICES) {
        panel_choices.draw(l->choices, v);
        wnoutrefresh(l->choices);
    } else if (help) {   /* the help, the writer audit (w) or presence (p), over the screen */
        (help == LAYOUT_OVERLAY_PRESENCE  ? panel_presence
         : help == LAYOUT_OVERLAY_WRITERS ? panel_writers
                                          : panel_help).draw(l->help, v);
        wnoutrefresh(l->help);
    }
    doupdate();
}

static void span_step(struct layout *l, int longer)
{
    int i = l->span_index;
    if (i < 0)   /* from the span the hold chose */
        for (i = 0; i < chart_n_spans - 1 && chart_spans[i] < l->span_shown; i++)
            ;
    i += longer ? 1 : -1;
    l->span_index = i < 0 ? 0 : i >= chart_n_spans ? chart_n_spans - 1 : i;
}

static void journal_scroll_by(struct layout *l, int delta)
{
    l->journal_scroll += delta;
    if (l->journal_scroll < 0)
        l->journal_scroll = 0;
    if (l->journal_scroll > SESSION_TAIL)
        l->journal_scroll = SESSION_TAIL;
}

/* Keys that move in the journal while it has the whole screen. */
static int full_journal_key(struct layout *l, int ch)
{
    int page = l->rows > 12 ? l->rows - 8 : 4;
    switch (ch) {
    case KEY_UP: case 'k': journal_scroll_by(l, 1); return 1;
    case KEY_DOWN: case 'j': journal_scroll_by(l, -1); return 1;
    case KEY_PPAGE: journal_scroll_by(l, page); return 1;
    case KEY_NPAGE: journal_scroll_by(l, -page); return 1;
    case KEY_HOME: case 'g': journal_scroll_by(l, SESSION_TAIL); return 1;
    case KEY_END: case 'G': l->journal_scroll = 0; return 1;
    case 27: l->journal_full = 0; return 1;
    default: return 0;
    }
}

/* A click: on the journal, the journal full screen (or back); on a chart,
 * a longer span (round to the shortest after 24 h); on the steps, kept
 * for layout_clicked_step (0: the caller selects it). */
static int mouse_key(struct layout *l)
{
    MEVENT e;
    l->click_y = -1;
    if (getmouse(&e) != OK || !(e.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)))
        return 1;
    if (l->journal_full || (l->journal && wenclose(l->journal, e.y, e.x))) {
        l->journal_full = !l->journal_full;
        return 1;
    }
    for (size_t i = 0; i < PANELS_MAX && l->meter[i]; i++)
        if (wenclose(l->meter[i], e.y, e.x)) {
            int was = l->span_index;
            span_step(l, 1);
            if (was == l->span_index)
                l->span_index = 0;
            return 1;
        }
    if (!l->charts_tall && l->steps && wenclose(l->steps, e.y, e.x)) {
        l->click_y = e.y - getbegy(l->steps);
        return 0;
    }
    return 1;
}

ptrdiff_t layout_clicked_step(struct layout *l, const struct view *v)
{
    if (l->click_y < 0 || !l->steps)
        return -1;
    ptrdiff_t i = steps_at(v, getmaxy(l->steps), l->click_y);
    l->click_y = -1;
    return i;
}

int layout_key(struct layout *l, int ch)
{
    if (ch == KEY_MOUSE && !l->find.active)
        return mouse_key(l);
    if (l->find.active) {
        char text[PROMPT_MAX];
        if (prompt_key(&l->find, ch, text) == PROMPT_DONE) {
            snprintf(l->journal_find, sizeof l->journal_find, "%s", text);
            l->journal_scroll = 0;
        }
        return 1;
    }
    if (l->journal_full && full_journal_key(l, ch))
        return 1;
    switch (ch) {
    case '<': span_step(l, 1); return 1;
    case '>': span_step(l, 0); return 1;
    case '0': l->span_index = -1; return 1;
    case 'J': l->journal_full = !l->journal_full; return 1;
    case '{': journal_scroll_by(l, 1); return 1;
    case '}': journal_scroll_by(l, -1); return 1;
    case 'e':
        l->journal_kind = (l->journal_kind + 1) % JOURNAL_KINDS;
        l->journal_scroll = 0;
        return 1;
    case '/':
        prompt_open(&l->find, "find in the journal (Enter; empty: everything): ");
        return 1;
    case '\t':
        if (l->rows >= 30)
            return 0;
        l->tab = !l->tab;
        build(l);
        return 1;
    default:
        return 0;
    }
}
