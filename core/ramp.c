/* ramp.c — folding the ramp's events, and deciding its next move. */
#include "ramp.h"

#include "noreturn.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "session.h"
#include "stepaction.h"
#include "timefmt.h"
#include "units.h"

/* Two percentages are the same flag setting within this. */
#define SAME_PERCENT 0.01

const char *ramp_status_name(enum ramp_status st)
{
    static const char *const names[] = {"NOT STARTED", "SETTING FLAG", "HOLDING",
                                        "COMPLETE", "ABORTED", "HALTED"};
    return st <= RAMP_HALTED ? names[st] : "?";
}

int ramp_gates(const struct rb_criterion *c)
{
    return c->action != RB_WARN;
}

double ramp_rollback_percent(const struct runbook *rb)
{
    return rb->ramp_rollback_percent;
}

void ramp_init(struct ramp_view *r, const struct runbook *rb)
{
    memset(r, 0, sizeof *r);
    r->step = r->prev_step = -1;
    r->cause_criterion = -1;
    r->percent = ramp_rollback_percent(rb);
    r->target = r->percent;
    for (size_t i = 0; i < rb->n_criteria; i++)
        r->n_unclear += ramp_gates(&rb->criteria[i]);
}

/* The fields of a validated body (events.h), read with defaults. */
typedef struct event_body body_t;

static double num(const body_t *o, const char *key, double fallback)
{
    return event_num(o, key, fallback);
}

static const char *text(const body_t *o, const char *key)
{
    const char *v = event_str(o, key);
    return v ? v : "";
}

static int truth(const body_t *o, const char *key)
{
    return event_bool(o, key);
}

static void recount(struct ramp_view *r, const struct runbook *rb, const struct session *s,
                    int64_t ts)
{
    int unclear = 0;
    for (size_t i = 0; i < rb->n_criteria; i++)
        if (ramp_gates(&rb->criteria[i]) &&
            (!s->crits[i].judged || s->crits[i].state != CRIT_OK))
            unclear++;
    if (unclear == 0 && r->n_unclear > 0)
        r->clear_since_ms = ts;
    if (unclear > 0)
        r->clear_since_ms = 0;
    r->n_unclear = unclear;
}

/* The rule a confirmed read saw, when the driver tells one. */
static void keep_rule(struct ramp_view *r, const body_t *o)
{
    if (event_has(o, "rule"))
        snprintf(r->rule, sizeof r->rule, "%s", text(o, "rule"));
}

/* The advance in flight did not happen: the ramp is where it was before. */
static void back_to_prev(struct ramp_view *r, const struct runbook *rb)
{
    r->step = r->prev_step;
    r->status = r->step < 0 ? RAMP_IDLE
              : r->step == (int)rb->n_ramp - 1 ? RAMP_COMPLETE : RAMP_HOLDING;
    r->step_since_ms = r->prev_since_ms;
    r->target = r->percent;
    r->flag_error[0] = '\0';
}

/* The commander took the flag's value as the ramp's: the ramp stands at
 * the highest step it reaches (before the first when below it). */
static void on_accept(struct ramp_view *r, const struct runbook *rb,
                      const struct journal_event *ev, const body_t *o)
{
    double p = num(o, "percent", NAN);
    if (isnan(p) || r->status == RAMP_ABORTED)
        return;   /* an unfinished rollback is finished, never accepted away */
    r->percent = r->target = p;
    r->has_percent = 1;
    r->flag_mismatch = 0;
    if (r->rule_changed || r->flag_seen_rule[0])
        snprintf(r->rule, sizeof r->rule, "%s", r->flag_seen_rule);
    r->flag_error[0] = '\0';
    r->step = -1;
    for (size_t j = 0; j < rb->n_ramp; j++)
        if (rb->ramp[j].percent <= p + SAME_PERCENT)
            r->step = (int)j;
    if (r->status != RAMP_HALTED)
        r->status = r->step < 0 ? RAMP_IDLE
                  : r->step == (int)rb->n_ramp - 1 ? RAMP_COMPLETE : RAMP_HOLDING;
    r->step_since_ms = ev->ts_ms;
}

static void on_read(struct ramp_view *r, const struct runbook *rb,
                    const struct journal_event *ev, const body_t *o)
{
    if (!truth(o, "ok")) {
        snprintf(r->flag_error, sizeof r->flag_error, "read-back failed: %s", text(o, "error"));
        return;
    }
    double seen = num(o, "percent", NAN);
    const char *purpose = text(o, "purpose");
    if (isnan(seen)) {
        /* a read-back that says it worked but names no value proves nothing */
        snprintf(r->flag_error, sizeof r->flag_error, "the read-back (%s) gave no percentage", purpose);
        return;
    }
    if (strcmp(purpose, "start") == 0) {
        /* a fresh ceremony's first look: the flag's value is where it starts */
        if (r->status == RAMP_IDLE && r->step < 0) {
            keep_rule(r, o);
            r->percent = r->target = seen;
            r->has_percent = 1;
            r->flag_mismatch = 0;
            r->flag_error[0] = '\0';
        }
        return;
    }
    if (strcmp(purpose, "rehearsal") == 0 && fabs(seen - r->percent) <= SAME_PERCENT)
        keep_rule(r, o);   /* the rehearsal rewrote the rule at the same share */
    if (strcmp(purpose, "check") == 0 || strcmp(purpose, "rehearsal") == 0)
        return;   /* a look at the flag: the restart check or the rehearsal judges it */
    if (r->status == RAMP_SETTING && event_has(o, "applied") && !truth(o, "applied")) {
        /* an advance cut short by a crash that never reached the flag */
        back_to_prev(r, rb);
        return;
    }
    if (fabs(seen - r->target) > SAME_PERCENT) {
        snprintf(r->flag_error, sizeof r->flag_error,
                 "the flag reads %g%%, not the %g%% that was set", seen, r->target);
        return;
    }
    r->flag_error[0] = '\0';
    keep_rule(r, o);
    if (fabs(seen - r->percent) > SAME_PERCENT)
        r->disobey_since_ms = 0;   /* a new setting: observed gets its own time */
    r->percent = seen;
    r->has_percent = 1;
    r->flag_mismatch = 0;
    if (r->status == RAMP_ABORTED) {
        if (!r->rollback_confirmed_ms)
            r->rollback_confirmed_ms = ev->ts_ms;
    } else if (r->status == RAMP_SETTING) {
        r->status = r->step == (int)rb->n_ramp - 1 ? RAMP_COMPLETE : RAMP_HOLDING;
        r->step_since_ms = ev->ts_ms;
    }
}

static void on_set(struct ramp_view *r, const struct journal_event *ev, const body_t *o)
{
    if (strcmp(text(o, "purpose"), "rehearsal") == 0)
        return;   /* judged by the rehearsal event */
    int rollback = strcmp(text(o, "purpose"), "rollback") == 0;
    if (!truth(o, "ok")) {
        snprintf(r->flag_error, sizeof r->flag_error, "setting the flag to %g%% failed: %s",
                 num(o, "percent", NAN), text(o, "error"));
        if (rollback)
            r->rollback_tries++;
        return;
    }
    if (rollback) {
        r->rollback_tries++;
        if (!r->rollback_set_ms)
            r->rollback_set_ms = ev->ts_ms;
    }
}

static void on_stop(struct ramp_view *r, const struct runbook *rb,
                    const struct journal_event *ev, const body_t *o, enum ramp_status st)
{
    /* the share on new as it stopped: an advance in flight may already have moved it */
    double from = r->status == RAMP_SETTING && r->target > r->percent ? r->target : r->percent;
    r->status = st;
    r->cause_criterion = (int)num(o, "criterion", -1);
    r->abort_ms = ev->ts_ms;
    r->breach_ms = (int64_t)num(o, "breach_ms", (double)ev->ts_ms);
    snprintf(r->cause, sizeof r->cause, "%s", text(o, "cause"));
    if (st == RAMP_ABORTED) {
        r->request_seq = 0;   /* whoever asked, the traffic is going back */
        r->abort_from = from;
        r->target = ramp_rollback_percent(rb);
        r->requested_ms = ev->ts_ms;
        r->rollback_set_ms = r->rollback_confirmed_ms = 0;
        r->rollback_tries = 0;
        r->effective_ms = 0;
    }
}

static void on_resume(struct ramp_view *r, const struct runbook *rb, const struct journal_event *ev)
{
    if (r->status == RAMP_ABORTED) {
        /* the flag is back at the rollback value: the ramp starts over */
        r->status = RAMP_IDLE;
        r->step = -1;
        r->percent = r->target = ramp_rollback_percent(rb);
    } else if (r->status == RAMP_HALTED) {
        r->status = r->step < 0 ? RAMP_IDLE
                  : r->step == (int)rb->n_ramp - 1 ? RAMP_COMPLETE : RAMP_HOLDING;
        r->step_since_ms = ev->ts_ms;   /* the hold starts again */
    }
    r->cause[0] = '\0';
}

/* The ramp step an advance names: by its percentage, checked against the
 * position it gives in the runbook in force then, and carried over to rb
 * by that percentage. -1 with err when the runbook has no such step; -2
 * when only a runbook since replaced had it (history, not a fault). */
static int resolve_step(const struct runbook *rb, const struct session *s, const body_t *o,
                        struct error *err)
{
    const struct runbook *then = session_runbook_in_force(s);
    double percent = num(o, "percent", NAN);
    int has_step = event_has(o, "step");
    double step = num(o, "step", -1);
    ptrdiff_t pos = -1;
    for (size_t j = 0; then && pos < 0 && j < then->n_ramp; j++)
        if (fabs(then->ramp[j].percent - percent) <= SAME_PERCENT)
            pos = (ptrdiff_t)j;
    if (then && pos < 0) {
        error_set(err, "ramp_advance: %g%% is not a step of the ramp (step %g; it has %zu)",
                  percent, step, then->n_ramp);
        return -1;
    }
    if (pos >= 0 && has_step && step != (double)pos)
        error_set(err, "ramp_advance: %g%% is step %td of the ramp, not step %g", percent, pos,
                  step);   /* the percentage wins; the position that disagrees is reported */
    for (size_t j = 0; j < rb->n_ramp; j++)
        if (fabs(rb->ramp[j].percent - percent) <= SAME_PERCENT)
            return (int)j;
    return -2;
}

int ramp_apply(struct ramp_view *r, const struct runbook *rb, const struct session *s,
               const struct journal_event *ev, const struct event_body *b, struct error *err)
{
    const body_t *o = b;
    const char *k = ev->kind;
    struct error ignored;
    if (!err)
        err = &ignored;
    err->msg[0] = '\0';
    if (strcmp(k, EV_CRITERION) == 0) {
        recount(r, rb, s, ev->ts_ms);
    } else if (strcmp(k, EV_RAMP_ADVANCE) == 0) {
        int step = resolve_step(rb, s, o, err);
        if (step < 0)     /* a step the runbook does not have changes nothing */
            return step == -1 || err->msg[0] ? -1 : 0;
        if (r->status != RAMP_SETTING) {
            r->prev_step = r->step;
            r->prev_since_ms = r->step_since_ms;
        }
        r->status = RAMP_SETTING;
        r->step = step;
        r->target = rb->ramp[step].percent;
        r->requested_ms = ev->ts_ms;
    } else if (strcmp(k, EV_FLAG_SET) == 0) {
        on_set(r, ev, o);
    } else if (strcmp(k, EV_FLAG_READ) == 0) {
        on_read(r, rb, ev, o);
    } else if (strcmp(k, EV_ABORT) == 0 || strcmp(k, EV_HALT) == 0) {
        double c = num(o, "criterion", -1);
        const struct runbook *then = session_runbook_in_force(s);
        if (c < -1 || (then && c >= (double)then->n_criteria))
            error_set(err, "%s: criterion %g is not one of the runbook's %zu (-1: none)", k, c,
                      then ? then->n_criteria : 0);   /* the stop stands: it happened */
        on_stop(r, rb, ev, o, strcmp(k, EV_ABORT) == 0 ? RAMP_ABORTED : RAMP_HALTED);
    } else if (strcmp(k, EV_ABORT_REQUEST) == 0) {
        if (r->status != RAMP_ABORTED && !r->request_seq &&
            runbook_may_abort(rb, text(o, "actor_role"))) {
            r->request_seq = ev->seq;
            r->request_ms = ev->ts_ms;
            snprintf(r->request_actor, sizeof r->request_actor, "%s", ev->actor);
            snprintf(r->request_reason, sizeof r->request_reason, "%s", text(o, "reason"));
        }
    } else if (strcmp(k, EV_RESUME) == 0) {
        on_resume(r, rb, ev);
    } else if (strcmp(k, EV_FLAG_MISMATCH) == 0) {
        r->flag_mismatch = 1;
        r->flag_seen = num(o, "flag_percent", NAN);
        r->rule_changed = truth(o, "rule_changed");
        snprintf(r->flag_seen_rule, sizeof r->flag_seen_rule, "%s", text(o, "flag_rule"));
    } else if (strcmp(k, EV_REHEARSAL) == 0) {
        r->rehearsed = truth(o, "passed");
        r->rehearsal_final = !r->rehearsed && truth(o, "final");
        if (r->rehearsed)
            r->flag_error[0] = '\0';   /* the flag was just written and read back */
        snprintf(r->rehearsal, sizeof r->rehearsal, "%s", text(o, "summary"));
    } else if (strcmp(k, EV_FLAG_ACCEPT) == 0) {
        on_accept(r, rb, ev, o);
    } else if (strcmp(k, EV_ABORT_EFFECTIVE) == 0) {
        r->effective_ms = ev->ts_ms;
    } else if (strcmp(k, EV_OVERRIDE) == 0 && !stepaction_is_step_guard(event_str(o, "guard")) &&
               strncmp(text(o, "guard"), "gate:", 5) != 0) {
        /* an override that completes a step (stepaction.h) or opens a gate overrides no
         * guard of the ramp */
        r->override_active = 1;
        snprintf(r->override_reason, sizeof r->override_reason, "%s", text(o, "reason"));
    }
    return err->msg[0] ? -1 : 0;
}

void ramp_observe(struct ramp_view *r, const struct runbook *rb, int has_value, double value,
                  int64_t ts_ms)
{
    r->has_observed = has_value;
    if (!has_value) {
        r->disobey_since_ms = 0;   /* no data is not evidence of disobedience */
        return;
    }
    r->observed = value * 100;
    int moving = r->status == RAMP_HOLDING || r->status == RAMP_COMPLETE;
    if (moving && fabs(r->observed - r->percent) > rb->ramp_observed_points) {
        if (!r->disobey_since_ms)
            r->disobey_since_ms = ts_ms;
    } else {
        r->disobey_since_ms = 0;
    }
}

/* A tenth of the way down, as a share of the step; the floor keeps a
 * rounding of the observed share from holding the abort forever. */
#define ABORT_SHARE_OF_STEP 0.1
#define ABORT_MIN_POINTS 0.05

double ramp_abort_tolerance(const struct runbook *rb, const struct ramp_view *r)
{
    double tol = fabs(r->abort_from - r->target) * ABORT_SHARE_OF_STEP;
    if (rb->ramp_observed_points > 0 && tol > rb->ramp_observed_points)
        tol = rb->ramp_observed_points;
    return tol < ABORT_MIN_POINTS ? ABORT_MIN_POINTS : tol;
}

int ramp_abort_effective(const struct runbook *rb, const struct ramp_view *r)
{
    /* traffic has left when no more than the tolerance is still on new */
    return r->has_observed && r->observed <= r->target + ramp_abort_tolerance(rb, r);
}

/* The first criterion of `action` that is firing, or -1. */
static ptrdiff_t firing(const struct runbook *rb, const struct session *s, enum rb_crit_action a)
{
    for (size_t i = 0; i < rb->n_criteria; i++)
        if (rb->criteria[i].action == a && s->crits[i].judged && s->crits[i].state == CRIT_FIRING)
            return (ptrdiff_t)i;
    return -1;
}

/* Names the first gating criterion that is not clear. */
static void unclear_reason(const struct runbook *rb, const struct session *s, char *why, size_t len)
{
    for (size_t i = 0; i < rb->n_criteria; i++) {
        if (!ramp_gates(&rb->criteria[i]))
            continue;
        const struct crit_view *c = &s->crits[i];
        if (!c->judged || c->state != CRIT_OK) {
            snprintf(why, len, "held by \"%s\": %s", rb->criteria[i].text,
                     c->judged ? crit_state_name(c->state) : "not judged yet");
            return;
        }
    }
    snprintf(why, len, "held: criteria were not clear");
}

/* The ramp starts only when every step before the ramp step is done: its
 * phase is current and the steps above it in the phase (but {any order}
 * ones) are done. The refusal names the first open step. */
static int phase_reached(const struct runbook *rb, const struct session *s, char *why, size_t len)
{
    for (size_t i = 0; i < rb->n_steps; i++) {
        if (rb->steps[i].action != RB_ACTION_RAMP)
            continue;
        size_t p = rb->steps[i].phase;
        ptrdiff_t open = stepaction_open_before(s, i);
        const struct rb_step *o = open >= 0 ? &rb->steps[open] : NULL;
        if (s->current_phase < p) {
            snprintf(why, len, "the ramp belongs to phase %s (%s), which has not started: "
                     "step %s (%s: %s) is open", rb->phases[p].number, rb->phases[p].title,
                     o ? o->id : "?", o ? o->role : "?", o ? o->text : "?");
            return 0;
        }
        if (o) {
            snprintf(why, len, "the ramp starts when the steps before step %s are done: "
                     "step %s (%s: %s) is open", rb->steps[i].id, o->id, o->role, o->text);
            return 0;
        }
        return 1;
    }
    return 1;
}

/* Traffic may move only inside the cutover window, and a step may start
 * only if its hold ends before the window closes. (An abort never asks.) */
static int in_window(const struct runbook *rb, int step, int64_t now, char *why, size_t len)
{
    const struct window *w = &rb->ramp_window;
    char t[32];
    if (!w->set)
        return 1;
    if (!window_open(w, now)) {
        timefmt_full(window_next_open(w, now), t, sizeof t);
        snprintf(why, len, "outside the cutover window: the ramp holds until %s", t);
        return 0;
    }
    int64_t closes = window_closes(w, now);
    if (now + rb->ramp[step].hold_ms > closes) {
        char hold[32], until[32];
        units_format_duration(rb->ramp[step].hold_ms, hold, sizeof hold);
        timefmt_full(window_next_open(w, closes), until, sizeof until);
        timefmt_hms(closes, t, sizeof t);
        snprintf(why, len, "the %g%% step's hold (%s) would end after the window closes at %.5s UTC: "
                           "the ramp holds until %s", rb->ramp[step].percent, hold, t, until);
        return 0;
    }
    return 1;
}

static int64_t holds_from(const struct runbook *rb, int first)
{
    int64_t total = 0;
    for (int j = first; j >= 0 && j + 1 < (int)rb->n_ramp; j++)
        total += rb->ramp[j].hold_ms;
    return total;
}

struct ramp_decision ramp_decide(const struct runbook *rb, const struct session *s, int64_t now_ms)
{
    struct ramp_decision d = {.action = RA_NONE, .next_step = -1};
    const struct ramp_view *r = &s->ramp;
    if (rb->n_ramp == 0) {
        snprintf(d.why, sizeof d.why, "the runbook has no ramp");
        return d;
    }
    if (r->status == RAMP_ABORTED || r->status == RAMP_HALTED) {
        snprintf(d.why, sizeof d.why, "%s: resume needs the commander's written reason",
                 ramp_status_name(r->status));
        return d;
    }
    ptrdiff_t halt = firing(rb, s, RB_HALT), abort = firing(rb, s, RB_ABORT);
    int moved = r->status != RAMP_IDLE || r->percent > ramp_rollback_percent(rb) + SAME_PERCENT;
    char burnt[200];
    if (abort >= 0 && moved && noreturn_taken(s, burnt, sizeof burnt)) {
        /* no old system to go back to: the abort criterion declares an incident */
        d.action = RA_HALT;
        d.criterion = (size_t)abort;
        snprintf(d.why, sizeof d.why, "NO WAY BACK (%s was taken), so a halt, not a rollback: %s: %s",
                 burnt, rb->criteria[abort].text, s->crits[abort].why);
        return d;
    }
    if (abort >= 0 && moved) {
        d.action = RA_ABORT;
        d.criterion = (size_t)abort;
        d.target = ramp_rollback_percent(rb);
        snprintf(d.why, sizeof d.why, "%s: %s", rb->criteria[abort].text, s->crits[abort].why);
        return d;
    }
    if (rb->ramp_observed && r->disobey_since_ms &&
        now_ms - r->disobey_since_ms >= rb->ramp_observed_for_ms) {
        char held[32];
        units_format_duration((now_ms - r->disobey_since_ms) / 1000 * 1000, held, sizeof held);
        d.action = RA_HALT;
        d.criterion = RAMP_NOT_OBEYED;
        snprintf(d.why, sizeof d.why,
                 "the flag says %g%% but %.1f%% of traffic reaches new (%s for %s): "
                 "a service is not reading the flag", r->percent, r->observed, rb->ramp_observed, held);
        return d;
    }
    if (halt >= 0) {
        d.action = RA_HALT;
        d.criterion = (size_t)halt;
        snprintf(d.why, sizeof d.why, "%s: %s", rb->criteria[halt].text, s->crits[halt].why);
        return d;
    }
    if (r->flag_mismatch && r->rule_changed) {
        snprintf(d.why, sizeof d.why, "THE FLAG'S RULE CHANGED at %g%% (other users are on new): "
                 "no advance until the commander resolves it (f writes cutover's rule again; "
                 "A accepts the flag's, with a reason)", r->flag_seen);
        return d;
    }
    if (r->flag_mismatch) {
        /* traffic moves on no one's guess: a person says which value is true */
        snprintf(d.why, sizeof d.why, "THE FLAG SAYS %g%%, THE JOURNAL %g%%: no advance until the "
                 "commander resolves it (f sets the journal's value; A accepts the flag's, with a reason)",
                 r->flag_seen, r->status == RAMP_SETTING ? r->target : r->percent);
        return d;
    }
    if (r->status == RAMP_SETTING) {
        snprintf(d.why, sizeof d.why, "waiting for the flag to read back %g%%", r->target);
        return d;
    }
    if (r->status == RAMP_COMPLETE) {
        snprintf(d.why, sizeof d.why, "complete: %g%% of traffic on the new system", r->percent);
        return d;
    }
    if (r->step < -1 || r->step + 1 >= (int)rb->n_ramp) {
        /* the fold only sets steps the runbook has; this keeps it so */
        snprintf(d.why, sizeof d.why, "the ramp is at its last step (%g%%)", r->percent);
        return d;
    }
    d.next_step = r->step + 1;
    d.target = rb->ramp[d.next_step].percent;
    int64_t hold = r->step >= 0 ? rb->ramp[r->step].hold_ms : 0;
    int64_t start = r->step_since_ms > r->clear_since_ms ? r->step_since_ms : r->clear_since_ms;
    d.hold_left_ms = hold - (now_ms - start);
    if (d.hold_left_ms < 0 || r->step < 0)
        d.hold_left_ms = r->step < 0 ? 0 : (d.hold_left_ms < 0 ? 0 : d.hold_left_ms);
    if (r->n_unclear > 0) {
        d.hold_left_ms = hold;
        unclear_reason(rb, s, d.why, sizeof d.why);
        return d;
    }
    d.earliest_full_ms = now_ms + d.hold_left_ms + holds_from(rb, d.next_step);
    if (!phase_reached(rb, s, d.why, sizeof d.why))
        return d;
    if (r->step < 0 && !r->rehearsed && !r->override_active) {
        d.rehearse = 1;
        snprintf(d.why, sizeof d.why, "%s%s", r->rehearsal[0] ? "REHEARSAL FAILED: " :
                 "rehearsing the way back before the first step", r->rehearsal);
        return d;
    }
    if (d.hold_left_ms == 0 && !in_window(rb, d.next_step, now_ms, d.why, sizeof d.why))
        return d;
    if (d.hold_left_ms > 0) {
        char left[32];
        units_format_duration((d.hold_left_ms + 999) / 1000 * 1000, left, sizeof left);
        snprintf(d.why, sizeof d.why, "holding %g%%: %s left before %g%%", r->percent, left, d.target);
        return d;
    }
    d.action = rb->ramp_automatic ? RA_ADVANCE : RA_READY;
    snprintf(d.why, sizeof d.why, "ready: %g%% → %g%%%s", r->percent, d.target,
             rb->ramp_automatic ? "" : " (the commander confirms)");
    return d;
}

int ramp_may_advance(const struct runbook *rb, const struct session *s, int64_t now_ms,
                     char *why, size_t len)
{
    struct ramp_decision d = ramp_decide(rb, s, now_ms);
    if (d.action == RA_READY || d.action == RA_ADVANCE)
        return 0;
    snprintf(why, len, "%s", d.why);
    return -1;
}
