/* ramp.c — the ramp bar under the header: the steps with the current one
 * marked, the status, the hold's countdown and the earliest time 100% can
 * be reached; then what holds the ramp, or the alarm of an abort, a halt,
 * a rollback not yet confirmed, or a flag that disagrees with the journal,
 * wrapped over two rows so the deciding value is never cut. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/timefmt.h"
#include "core/units.h"
#include "draw.h"
#include "panel.h"
#include "palette.h"

static int draw_steps(WINDOW *w, int x, int width, const struct view *v)
{
    const struct ramp_view *r = &v->s->ramp;
    x += draw_text(w, 0, x, width - x, " RAMP ", view_attr(v, TH_TITLE) | A_REVERSE);
    x += draw_text(w, 0, x, width - x, " ", view_attr(v, TH_NORMAL));
    for (size_t i = 0; i < v->rb->n_ramp; i++) {
        char step[32];
        snprintf(step, sizeof step, "%g%%", v->rb->ramp[i].percent);
        int here = (int)i == r->step && r->status != RAMP_ABORTED;
        attr_t a = here ? view_attr(v, TH_SELECTED) | A_BOLD
                 : (int)i < r->step && r->status != RAMP_ABORTED ? view_attr(v, TH_OK) : view_attr(v, TH_DIM);
        x += draw_text(w, 0, x, width - x, step, a);
        if (i + 1 < v->rb->n_ramp)
            x += draw_text(w, 0, x, width - x, " → ", view_attr(v, TH_DIM));
    }
    return x;
}

static attr_t status_attr(const struct view *v, enum ramp_status st)
{
    return st == RAMP_ABORTED || st == RAMP_HALTED ? view_attr(v, TH_ALERT)
         : st == RAMP_COMPLETE ? view_attr(v, TH_OK) : view_attr(v, TH_WARN);
}

static void first_line(WINDOW *w, int width, const struct view *v)
{
    const struct ramp_view *r = &v->s->ramp;
    const struct ramp_decision *d = v->decision;
    int x = draw_steps(w, 0, width, v);
    char buf[200];
    if (r->status == RAMP_IDLE && r->abort_ms)   /* resumed after an abort: it starts over */
        snprintf(buf, sizeof buf, "   RESUMED %g%% — the ramp starts over", r->percent);
    else
        snprintf(buf, sizeof buf, "   %s %g%%", ramp_status_name(r->status),
                 r->status == RAMP_SETTING ? r->target : r->percent);
    x += draw_text(w, 0, x, width - x, buf, status_attr(v, r->status) | A_BOLD);
    if (v->rb->ramp_observed) {
        if (r->has_observed)
            snprintf(buf, sizeof buf, "   observed %.1f%%", r->observed);
        else
            snprintf(buf, sizeof buf, "   observed ?");
        attr_t a = r->disobey_since_ms ? view_attr(v, TH_ALERT) : view_attr(v, TH_NORMAL);
        x += draw_text(w, 0, x, width - x, buf, a);
    }
    if (d && d->hold_left_ms > 0 && r->status == RAMP_HOLDING) {
        char left[32];
        units_format_duration((d->hold_left_ms + 999) / 1000 * 1000, left, sizeof left);
        snprintf(buf, sizeof buf, "   hold %s left", left);
        x += draw_text(w, 0, x, width - x, buf, view_attr(v, TH_NORMAL));
    }
    /* the header's ETA when it is known (it counts the window and the data
     * work too); the holds alone only when no window can delay them */
    int64_t full = v->eta.known ? v->eta.at_ms :
                   v->rb->ramp_window.set ? 0 : d ? d->earliest_full_ms : 0;
    if (full && r->status != RAMP_COMPLETE) {
        char t[16];
        timefmt_hms(full, t, sizeof t);
        snprintf(buf, sizeof buf, "   100%% at %.5s UTC at the earliest", t);
        x += draw_text(w, 0, x, width - x, buf, view_attr(v, TH_DIM));
    }
    if (v->flag_name) {
        snprintf(buf, sizeof buf, "   flag: %s", v->flag_name);
        draw_text(w, 0, x, width - x, buf, view_attr(v, TH_DIM));
    }
}

/* The banner on the rows under the steps, wrapped rather than cut: the
 * deciding value is never what the edge of the screen takes. */
static void banner(WINDOW *w, int width, const char *text, attr_t a)
{
    int rows = getmaxy(w) - 1;
    for (int y = 1; y <= rows; y++)
        mvwhline(w, y, 0, ' ' | a, width);
    draw_wrap(w, 1, 0, width, rows, 0, text, a);
}

/* " — now 4.52 % (fired at 0.14 %, worst 5.1 %)" for the criterion that stopped the ramp */
static void cause_values(const struct view *v, char *buf, size_t len)
{
    const struct ramp_view *r = &v->s->ramp;
    buf[0] = '\0';
    if (r->cause_criterion < 0 || (size_t)r->cause_criterion >= v->rb->n_criteria)
        return;
    char vals[160];
    view_crit_values(v, (size_t)r->cause_criterion, vals, sizeof vals);
    snprintf(buf, len, " — %s", vals);
}

/* What stopped the ramp: the criterion as written when it is known (its
 * values are live beside it: the cause's journaled words hold the values
 * of the moment it fired, which the screen must not pass off as now). */
static const char *cause_text(const struct view *v)
{
    const struct ramp_view *r = &v->s->ramp;
    if (r->cause_criterion >= 0 && (size_t)r->cause_criterion < v->rb->n_criteria)
        return v->rb->criteria[r->cause_criterion].text;
    return r->cause;
}

/* "set +12 ms": a rollback's milestone, counted from the breach */
static void since(char *buf, size_t len, const char *what, int64_t t, int64_t from)
{
    snprintf(buf, len, "%s +%lld ms", what, (long long)(t - from));
}

static void abort_line(WINDOW *w, int width, const struct view *v)
{
    const struct ramp_view *r = &v->s->ramp;
    char buf[800], set[64] = "", seen[64] = "", vals[200];
    cause_values(v, vals, sizeof vals);
    if (r->rollback_set_ms)
        since(set, sizeof set, " (set", r->rollback_set_ms, r->breach_ms);
    if (r->rollback_confirmed_ms)
        since(seen, sizeof seen, ", read back", r->rollback_confirmed_ms, r->breach_ms);
    if (r->rollback_set_ms)
        strncat(seen, ")", sizeof seen - strlen(seen) - 1);
    /* what the flag did comes before the cause: a long cause is what the
     * edge of the screen may cut */
    if (v->rb->ramp_observed && r->rollback_confirmed_ms && !r->effective_ms) {
        char share[32] = "?";
        if (r->has_observed)
            snprintf(share, sizeof share, "%.2f%%", r->observed);
        snprintf(buf, sizeof buf, " ABORTED — NOT YET EFFECTIVE: %s still on new %llds after the "
                 "flag was set to %g%% (effective at %.2g%% or less)%s — %s ", share,
                 (long long)(v->now_ms > r->rollback_set_ms ? (v->now_ms - r->rollback_set_ms) / 1000 : 0),
                 r->target,
                 r->target + ramp_abort_tolerance(v->rb, r), vals, cause_text(v));
    } else if (r->rollback_confirmed_ms && r->effective_ms)
        snprintf(buf, sizeof buf, " ABORTED, effective +%lld ms — flag back at %g%%%s%s%s — %s ",
                 (long long)(r->effective_ms - r->breach_ms), r->target, set, seen, vals, cause_text(v));
    else if (r->rollback_confirmed_ms)
        snprintf(buf, sizeof buf, " ABORTED — flag back at %g%%%s%s%s — %s ", r->target, set, seen,
                 vals, cause_text(v));
    else
        snprintf(buf, sizeof buf, " ABORTED — ROLLBACK NOT CONFIRMED (try %d%s%s)%s — %s ",
                 r->rollback_tries, r->flag_error[0] ? ": " : "", r->flag_error, vals, cause_text(v));
    banner(w, width, buf, view_attr(v, TH_ALERT));
}

static void second_line(WINDOW *w, int width, const struct view *v)
{
    const struct ramp_view *r = &v->s->ramp;
    char buf[800], vals[200];
    if (r->status == RAMP_ABORTED) {
        abort_line(w, width, v);
        return;
    }
    if (r->request_seq) {   /* a brake pulled that no abort has answered yet */
        char at[32];
        timefmt_hms(r->request_ms, at, sizeof at);
        snprintf(buf, sizeof buf, " ABORT ASKED by %s at %s UTC, NOT CARRIED OUT YET: %s — the "
                 "flag last read %g%%; a console that drives acts on it first ",
                 r->request_actor, at, r->request_reason, r->percent);
        banner(w, width, buf, view_attr(v, TH_ALERT));
        return;
    }
    const struct ramp_decision *reh = v->decision;
    if (reh && reh->rehearse && r->rehearsal[0] && !r->flag_mismatch) {
        snprintf(buf, sizeof buf, " %s — o overrides with a written reason ", reh->why);
        banner(w, width, buf, view_attr(v, TH_ALERT));
        return;
    }
    if (r->status == RAMP_HALTED || r->flag_mismatch || r->flag_error[0]) {
        cause_values(v, vals, sizeof vals);
        if (r->status == RAMP_HALTED)
            snprintf(buf, sizeof buf, " HALTED — INCIDENT%s — %s — the ramp is frozen; r resumes with a reason ",
                     vals, cause_text(v));
        else if (r->flag_mismatch)
            snprintf(buf, sizeof buf, " THE FLAG SAYS %g%%, THE JOURNAL %g%% — nothing was changed; f sets it back ",
                     r->flag_seen, r->percent);
        else
            snprintf(buf, sizeof buf, " FLAG: %s ", r->flag_error);
        banner(w, width, buf, view_attr(v, TH_ALERT));
        return;
    }
    const struct ramp_decision *d = v->decision;
    if (!d)
        return;
    if (r->override_active && r->step < 0) {
        snprintf(buf, sizeof buf, " OVERRIDE: %s — %s ", r->override_reason, d->why);
        draw_wrap(w, 1, 0, width, getmaxy(w) - 1, 0, buf, view_attr(v, TH_ALERT));
        return;
    }
    attr_t a = d->action == RA_READY ? view_attr(v, TH_OK) | A_BOLD : view_attr(v, TH_DIM);
    snprintf(buf, sizeof buf, " %s%s", d->why,
             d->action == RA_READY && strcmp(v->role, "commander") == 0 ? " — press +" : "");
    draw_wrap(w, 1, 0, width, getmaxy(w) - 1, 0, buf, a);
}

static void ramp_draw(WINDOW *w, const struct view *v)
{
    int width = getmaxx(w);
    werase(w);
    if (v->rb->n_ramp == 0)
        return;
    first_line(w, width, v);
    second_line(w, width, v);
}

const struct panel panel_ramp = {"ramp", 2, 40, ramp_draw};
