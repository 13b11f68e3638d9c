/* text.c — the selected step in full, its phase's prose, and the phase's
 * rollback plan, which must never be more than a glance away (so it comes
 * before the phase's prose). */
#include <stdio.h>
#include <string.h>

#include "core/noreturn.h"
#include "core/presence.h"
#include "core/stepaction.h"
#include "core/timefmt.h"
#include "draw.h"
#include "gaterow.h"
#include "panel.h"
#include "palette.h"

/* Draws a labelled block; returns the next free logical row. `gap` is a
 * blank row after it (left out when the panel is short). */
static int block(const struct view *v, WINDOW *w, int row, int skip, int rows, int width, int gap,
                 const char *label, const char *text, attr_t a)
{
    if (!text || !*text)
        return row;
    int shown = row - skip;
    if (shown >= 0 && shown < rows)
        draw_text(w, 1 + shown, 2, width, label, view_attr(v, TH_TITLE));
    row++;
    int first = skip > row ? skip - row : 0;
    int start = row - skip > 0 ? row - skip : 0;
    int used = draw_wrap(w, 1 + start, 2, width, rows - start, first, text, a);
    return row + used + gap;
}

/* The phase the ramp belongs to: that of its `ramp` step, else the
 * current one. */
static const struct rb_phase *ramp_phase(const struct view *v)
{
    for (size_t i = 0; i < v->rb->n_steps; i++)
        if (v->rb->steps[i].action == RB_ACTION_RAMP)
            return &v->rb->phases[v->rb->steps[i].phase];
    size_t p = v->s->current_phase < v->rb->n_phases ? v->s->current_phase : v->rb->n_phases - 1;
    return v->rb->n_phases ? &v->rb->phases[p] : NULL;
}

/* After an abort or a halt, the way back comes first, whatever is selected. */
static int stopped_block(WINDOW *w, int row, int skip, int rows, int width, int gap,
                         const struct view *v)
{
    const struct ramp_view *r = &v->s->ramp;
    const struct rb_phase *ph = ramp_phase(v);
    if ((r->status != RAMP_ABORTED && r->status != RAMP_HALTED) || !ph)
        return row;
    char label[200];
    snprintf(label, sizeof label, "%s — ROLLBACK PLAN, phase %s (%s)",
             r->status == RAMP_ABORTED ? "ABORTED" : "HALTED", ph->number, ph->title);
    return block(v, w, row, skip, rows, width, 1 + gap, label,
                 ph->rollback ? ph->rollback : "(none written for this phase)", view_attr(v, TH_ALERT));
}

/* The gates of the selected step (or of its phase's exit, step -1), whole
 * and wrapped: the steps panel's line is cut at 80 columns. */
static int gates_block(WINDOW *w, int row, int skip, int rows, int width, int gap,
                       const struct view *v, ptrdiff_t step, size_t p)
{
    for (size_t k = 0, n = gaterow_count(v->rb, step, p); k < n; k++) {
        size_t g = (size_t)gaterow_nth(v->rb, step, p, k);
        char label[160], line[512];
        attr_t a;
        snprintf(label, sizeof label, "%s %s", step < 0 ? "Exit gate" : "Gate", v->rb->gates[g].id);
        gaterow_text(v, g, line, sizeof line, &a);
        row = block(v, w, row, skip, rows, width, gap, label, line + strlen("↳ gate "), a);
    }
    return row;
}

/* An {irreversible} step not yet done: the two people, what it makes
 * impossible, and each condition before it, met or not. */
static int noreturn_block(WINDOW *w, int row, int skip, int rows, int width, int gap,
                          const struct view *v)
{
    size_t i = v->selected;
    const struct rb_step *st = &v->rb->steps[i];
    if (!noreturn_step(st) || v->s->acks[i].acked)
        return row;
    const struct noreturn_mark *m = &v->s->nr[i];
    char text[1600], voids[200], owner[160], ap[160];
    size_t at = 0, n = noreturn_voids(v->rb, i, voids, sizeof voids);
    if (m->owner_acked)
        snprintf(owner, sizeof owner, "✔ %s (%s)", m->ack_name, m->ack_role);
    else
        snprintf(owner, sizeof owner, "○");
    if (m->approved)
        snprintf(ap, sizeof ap, "✔ %s", m->approve_name);
    else
        snprintf(ap, sizeof ap, "○");
    at += (size_t)snprintf(text + at, sizeof text - at,
                           "Makes void: %s%s\nTwo people: owner's ack %s · commander's approval "
                           "(v) %s", n ? "rollback plans of phase " : "no written rollback plan",
                           voids, owner, ap);
    struct noreturn_cond conds[NORETURN_CONDS];
    size_t nc = noreturn_conditions(v->s, i, v->now_ms, conds);
    for (size_t k = 0; k < nc && at < sizeof text; k++)
        at += (size_t)snprintf(text + at, sizeof text - at, "\n%s %s: %s",
                               conds[k].met ? "✔" : "✘ UNMET", conds[k].what, conds[k].state);
    if (m->overridden && at < sizeof text)
        snprintf(text + at, sizeof text - at, "\nConditions OVERRIDDEN by %s: %s", m->override_by,
                 m->override_reason);
    int unmet = 0;
    for (size_t k = 0; k < nc; k++)
        unmet += !conds[k].met;
    return block(v, w, row, skip, rows, width, gap, "POINT OF NO RETURN", text,
                 unmet && !m->overridden ? view_attr(v, TH_ALERT) : view_attr(v, TH_WARN));
}

static void text_draw(WINDOW *w, const struct view *v)
{
    int rows = getmaxy(w) - 2, width = getmaxx(w) - 4;
    werase(w);
    draw_frame(w, v, "Step");
    if (v->rb->n_steps == 0)
        return;
    const struct rb_step *st = &v->rb->steps[v->selected];
    const struct rb_phase *ph = &v->rb->phases[st->phase];
    const struct step_ack *a = &v->s->acks[v->selected];
    const char *person = runbook_person(v->rb, st->role);

    char head[256], status[400];
    snprintf(head, sizeof head, "%s — owner: %s (%s)%s%s", st->id, st->role,
             person ? person : "?", st->action ? ", action: " : "", rb_action_name(st->action));
    if (a->acked) {
        char t[40];
        timefmt_full(a->ts_ms, t, sizeof t);
        if (strcmp(a->role, STEPACTION_ENGINE_ROLE) == 0)
            snprintf(status, sizeof status, "✔ done: its %s completed, at %s",
                     rb_action_name(st->action), t);
        else if (strcmp(a->role, STEPACTION_OVERRIDE_ROLE) == 0)
            snprintf(status, sizeof status, "✔ completed by override of %s at %s", a->name, t);
        else
            snprintf(status, sizeof status, "✔ acknowledged by %s (%s) at %s", a->name, a->role, t);
    } else if (stepaction_completes_itself(st->action)) {
        char how[320];   /* an action step says what completes it */
        stepaction_how(v->rb, st, how, sizeof how);
        snprintf(status, sizeof status, "○ open — %s", how);
    } else {
        const char *who = NULL;   /* flagged before it is reached: nobody to take it */
        ptrdiff_t absent = presence_absent_step_in(view_presence(v), v->s, v->selected, &who);
        if (absent == (ptrdiff_t)v->selected)
            snprintf(status, sizeof status, "○ open — ⚠ nobody present as %s", who);
        else
            snprintf(status, sizeof status, "○ open");
    }

    /* the order is the order of need: the step, whether it is done, the
     * way back, and only then the phase's background */
    int gap = rows >= 14, skip = v->text_scroll, row = 0;
    row = stopped_block(w, row, skip, rows, width, gap, v);
    row = block(v, w, row, skip, rows, width, 0, head, st->text, view_attr(v, TH_NORMAL));
    int first = skip > row ? skip - row : 0, start = row - skip > 0 ? row - skip : 0;
    row += draw_wrap(w, 1 + start, 2, width, rows - start, first, status,
                     a->acked ? view_attr(v, TH_OK) : view_attr(v, TH_WARN)) + gap;
    char label[160];
    row = noreturn_block(w, row, skip, rows, width, gap, v);
    char by[300];
    int void_plan = ph->rollback && noreturn_plan_void(v->s, st->phase, by, sizeof by);
    snprintf(label, sizeof label, "Rollback plan — phase %s%s%s", ph->number,
             void_plan ? " — VOID: " : "", void_plan ? by : "");
    row = block(v, w, row, skip, rows, width, gap, label,
                ph->rollback ? ph->rollback : "(none written for this phase)",
                ph->rollback && !void_plan ? view_attr(v, TH_NORMAL) : view_attr(v, TH_ALERT));
    row = gates_block(w, row, skip, rows, width, gap, v, (ptrdiff_t)v->selected, st->phase);
    row = gates_block(w, row, skip, rows, width, gap, v, -1, st->phase);
    snprintf(label, sizeof label, "Phase %s: %s", ph->number, ph->title);
    block(v, w, row, skip, rows, width, gap, label, ph->prose, view_attr(v, TH_NORMAL));
}

const struct panel panel_text = {"text", 6, 30, text_draw};
