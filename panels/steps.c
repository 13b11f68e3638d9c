/* steps.c — phases and their steps: owner, acknowledged by whom and when,
 * and under a gated step or phase heading each gate's line (gaterow.h);
 * in the frame, once the ramp reached its end, the cleanup's days left.
 * The cursor moves over steps; the list scrolls to keep it in sight. */
#include <stdio.h>
#include <string.h>

#include "core/cleanupdue.h"
#include "core/noreturn.h"
#include "core/presence.h"
#include "core/timefmt.h"
#include "databar.h"
#include "draw.h"
#include "gaterow.h"
#include "panel.h"
#include "palette.h"
#include "steps.h"

/* Rows: one per phase heading, one per step. Returns the row of the
 * selected step so the list can scroll to it. */
static int selected_row(const struct view *v)
{
    int row = 0;
    for (size_t p = 0; p < v->rb->n_phases; p++) {
        const struct rb_phase *ph = &v->rb->phases[p];
        row += 1 + (int)gaterow_count(v->rb, -1, p);
        for (size_t k = 0; k < ph->n_steps; k++) {
            size_t i = ph->first_step + k;
            if (i == v->selected)
                return row;
            row += 1 + (int)gaterow_count(v->rb, (ptrdiff_t)i, p);
        }
    }
    return 0;
}

static void draw_phase(WINDOW *w, int y, int width, const struct view *v, size_t p)
{
    const struct rb_phase *ph = &v->rb->phases[p];
    char line[256];
    snprintf(line, sizeof line, "Phase %s: %s", ph->number, ph->title);
    int done = session_phase_complete(v->s, p);
    int current = p == v->s->current_phase;
    attr_t a = done ? view_attr(v, TH_OK) : current ? view_attr(v, TH_TITLE) : view_attr(v, TH_DIM) | A_BOLD;
    int x = draw_text(w, y, 1, width, line, a);
    int held = !done && v->s->phase_acked[p] == ph->n_steps;   /* by an exit gate */
    snprintf(line, sizeof line, "  %zu/%zu%s", v->s->phase_acked[p], ph->n_steps,
             done ? " done" : held ? " held by its gate" : current ? " current" : "");
    draw_text(w, y, 1 + x, width - x, line, view_attr(v, TH_DIM));
}

/* Column widths for ids and roles, so long explicit ids stay aligned. */
struct columns {
    int id, role;
};

static struct columns measure(const struct runbook *rb)
{
    struct columns c = {3, 4};
    for (size_t i = 0; i < rb->n_steps; i++) {
        int id = draw_width(rb->steps[i].id), role = draw_width(rb->steps[i].role);
        c.id = id > c.id ? id : c.id;
        c.role = role > c.role ? role : c.role;
    }
    c.id = c.id > 12 ? 12 : c.id;
    c.role = c.role > 10 ? 10 : c.role;
    return c;
}

static void draw_step(WINDOW *w, int y, int width, const struct view *v, size_t i,
                      struct columns cols)
{
    const struct rb_step *st = &v->rb->steps[i];
    const struct step_ack *a = &v->s->acks[i];
    int sel = i == v->selected;
    attr_t base = sel ? view_attr(v, TH_SELECTED) : view_attr(v, TH_NORMAL);
    if (sel)
        mvwhline(w, y, 1, ' ' | base, width);

    attr_t mark = sel ? base : a->acked ? view_attr(v, TH_OK)
                       : strcmp(st->role, v->role) == 0 ? view_attr(v, TH_WARN) : view_attr(v, TH_NORMAL);
    int x = draw_text(w, y, 1, width, a->acked ? " [x] " : " [ ] ", mark);
    draw_text(w, y, 1 + x, cols.id, st->id, mark);
    x += cols.id + 1;
    draw_text(w, y, 1 + x, cols.role, st->role, mark);
    x += cols.role + 1;

    char who[96] = "";
    const char *absent = NULL;   /* flagged before it is reached (core/presence.h) */
    int job = 0;   /* a data job's word in who's place (databar.h): 2 in red */
    if (a->acked) {
        char t[16];
        timefmt_hms(a->ts_ms, t, sizeof t);
        snprintf(who, sizeof who, " %s %.5s", a->name, t);   /* HH:MM */
    } else if (v->s->nr[i].owner_acked) {
        snprintf(who, sizeof who, " ½ waits for approval");   /* a point of no return */
    } else if ((job = databar_step_word(v, i, who, sizeof who)) != 0) {
        /* a data job's word: copying 45 %, DIVERGED */
    } else if (presence_absent_step_in(view_presence(v), v->s, i, &absent) == (ptrdiff_t)i) {
        snprintf(who, sizeof who, " ⚠ no %s present", absent);
    } else if (noreturn_step(st)) {
        snprintf(who, sizeof who, " ◆ irreversible");   /* its panel: what it voids, conditions */
    }
    int who_cols = draw_width(who);
    int text_cols = width - x - who_cols;
    if (text_cols < 10) {   /* narrow: the text matters more than who */
        who[0] = '\0';
        who_cols = 0;
        text_cols = width - x;
    }
    draw_text(w, y, 1 + x, text_cols, st->text, base);
    if (who_cols)
        draw_text(w, y, 1 + width - who_cols, who_cols, who,
                  sel ? base : job == 2 ? view_attr(v, TH_ALERT) : a->acked ? view_attr(v, TH_DIM) : view_attr(v, TH_WARN));
}

/* The gate lines of a step (or of phase p's exit, step -1) from row on;
 * returns the row after them. */
static int draw_gates(WINDOW *w, int row, int top, int rows, int width, const struct view *v,
                      ptrdiff_t step, size_t p)
{
    for (size_t k = 0, n = gaterow_count(v->rb, step, p); k < n; k++, row++)
        if (row >= top && row - top < rows)
            gaterow_draw(w, 1 + row - top, width, v, (size_t)gaterow_nth(v->rb, step, p, k));
    return row;
}

static void steps_draw(WINDOW *w, const struct view *v)
{
    int rows = getmaxy(w) - 2, width = getmaxx(w) - 2;
    werase(w);
    char title[160], left[64] = "";
    int64_t due = cleanup_due(v->rb, &v->s->cleanup);   /* known once the ramp reached its end */
    if (due && !v->s->cleanup.check_done)
        cleanup_left_text(due, v->now_ms, left, sizeof left);
    snprintf(title, sizeof title, "Steps %zu/%zu%s%s%s", v->s->n_acked, v->rb->n_steps,
             due ? " · cleanup: " : "", due && !left[0] ? "done" : "", left);
    draw_frame(w, v, title);

    int sel = selected_row(v);
    int top = sel >= rows ? sel - rows + 1 : 0;
    struct columns cols = measure(v->rb);
    int row = 0;
    for (size_t p = 0; p < v->rb->n_phases; p++) {
        const struct rb_phase *ph = &v->rb->phases[p];
        if (row >= top && row - top < rows)
            draw_phase(w, 1 + row - top, width, v, p);
        row++;
        row = draw_gates(w, row, top, rows, width, v, -1, p);
        for (size_t k = 0; k < ph->n_steps; k++) {
            size_t i = ph->first_step + k;
            if (row >= top && row - top < rows)
                draw_step(w, 1 + row - top, width, v, i, cols);
            row = draw_gates(w, row + 1, top, rows, width, v, (ptrdiff_t)i, p);
        }
    }
}

/* The same walk as steps_draw, drawing nothing: the row's step. */
ptrdiff_t steps_at(const struct view *v, int height, int y)
{
    int rows = height - 2, sel = selected_row(v);
    int top = sel >= rows ? sel - rows + 1 : 0, want = top + y - 1, row = 0;
    if (y < 1 || y > rows)
        return -1;
    for (size_t p = 0; p < v->rb->n_phases; p++) {
        const struct rb_phase *ph = &v->rb->phases[p];
        row += 1 + (int)gaterow_count(v->rb, -1, p);
        for (size_t k = 0; k < ph->n_steps; k++) {
            size_t i = ph->first_step + k;
            if (row == want)
                return (ptrdiff_t)i;
            row += 1 + (int)gaterow_count(v->rb, (ptrdiff_t)i, p);
        }
    }
    return -1;
}

const struct panel panel_steps = {"steps", 6, 40, steps_draw};
