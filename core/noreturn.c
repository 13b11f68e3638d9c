/* noreturn.c — points of no return: the two people, the conditions before,
 * the plans voided after (see noreturn.h). */
#include "noreturn.h"

#include <stdio.h>
#include <string.h>

#include "events.h"
#include "gatefold.h"
#include "session.h"
#include "timefmt.h"
#include "units.h"
#include "writersfold.h"

int noreturn_step(const struct rb_step *st)
{
    return st->closes_irreversible || rb_attr_get(st->attrs, st->n_attrs, "irreversible") != NULL;
}

int noreturn_phase(const struct rb_phase *p)
{
    return rb_attr_get(p->attrs, p->n_attrs, "irreversible") != NULL;
}

static void copy(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src ? src : "");
}

/* Irreversible step i in words: "step 5.2 is irreversible", or for the
 * step that closes an irreversible phase "step 5.2 closes phase 5, which
 * is irreversible". */
static const char *what_is(const struct runbook *rb, size_t i, char *buf, size_t len)
{
    const struct rb_step *st = &rb->steps[i];
    if (st->closes_irreversible)
        snprintf(buf, len, "step %s closes phase %s, which is irreversible", st->id,
                 rb->phases[st->phase].number);
    else
        snprintf(buf, len, "step %s is irreversible", st->id);
    return buf;
}

/* What taking irreversible step i burnt: the step, or the phase it closes. */
static void taken_what(const struct runbook *rb, size_t i, char *what, size_t len)
{
    const struct rb_step *st = &rb->steps[i];
    if (st->closes_irreversible)
        snprintf(what, len, "phase %s (%s)", rb->phases[st->phase].number,
                 rb->phases[st->phase].title);
    else
        snprintf(what, len, "step %s (%s)", st->id, st->text);
}

int noreturn_hold_ack(struct session *s, size_t i, const struct journal_event *ev,
                      const char *name, const char *role)
{
    if (!noreturn_step(&s->rb->steps[i]))
        return 0;
    struct noreturn_mark *m = &s->nr[i];
    if (!m->owner_acked) {   /* the first acknowledgement stands */
        m->owner_acked = 1;
        m->ack_seq = ev->seq;
        m->ack_ts_ms = ev->ts_ms;
        copy(m->ack_name, sizeof m->ack_name, name);
        copy(m->ack_role, sizeof m->ack_role, role);
    }
    return !m->approved;
}

int noreturn_is_override(const struct event_body *b)
{
    const char *guard = b->kind == EVK_OVERRIDE ? event_str(b, "guard") : NULL;
    return guard && strncmp(guard, NORETURN_GUARD_PREFIX, strlen(NORETURN_GUARD_PREFIX)) == 0;
}

/* The irreversible step an event names, or -1 with err. */
static ptrdiff_t named_step(const struct session *s, const char *id, const char *kind,
                            struct error *err)
{
    ptrdiff_t i = runbook_step_index(s->rb, id);
    if (i < 0 || !noreturn_step(&s->rb->steps[i])) {
        error_set(err, "%s: step '%.60s' is not an {irreversible} step of the runbook", kind,
                  id ? id : "");
        return -1;
    }
    return i;
}

int noreturn_apply(struct session *s, const struct journal_event *ev,
                   const struct event_body *b, struct error *err)
{
    if (noreturn_is_override(b)) {
        const char *id = event_str(b, "guard") + strlen(NORETURN_GUARD_PREFIX);
        ptrdiff_t i = named_step(s, id, "override", err);
        if (i < 0)
            return -1;
        struct noreturn_mark *m = &s->nr[i];
        if (!m->overridden) {
            m->overridden = 1;
            m->override_ts_ms = ev->ts_ms;
            copy(m->override_by, sizeof m->override_by, ev->actor);
            copy(m->override_reason, sizeof m->override_reason, event_str(b, "reason"));
        }
        return 0;
    }
    if (b->kind != EVK_APPROVE)
        return 0;
    ptrdiff_t i = named_step(s, event_str(b, "step"), "approve", err);
    if (i < 0)
        return -1;
    struct noreturn_mark *m = &s->nr[i];
    if (m->approved || s->acks[i].acked)
        return 0;         /* the first approval stands */
    m->approved = 1;
    m->approve_seq = ev->seq;
    m->approve_ts_ms = ev->ts_ms;
    copy(m->approve_name, sizeof m->approve_name, event_str(b, "name"));
    if (m->owner_acked)   /* the second half: done now, in the owner's name */
        session_complete_step(s, (size_t)i, ev->seq, ev->ts_ms, m->ack_name, m->ack_role);
    return 0;
}

int noreturn_taken(const struct session *s, char *what, size_t len)
{
    const struct runbook *rb = s->rb;
    for (size_t i = 0; i < rb->n_steps; i++)
        if (s->acks[i].acked && noreturn_step(&rb->steps[i])) {
            taken_what(rb, i, what, len);
            return 1;
        }
    for (size_t p = 0; p < rb->n_phases; p++)
        if (noreturn_phase(&rb->phases[p]) && session_phase_complete(s, p)) {
            snprintf(what, len, "phase %s (%s)", rb->phases[p].number, rb->phases[p].title);
            return 1;
        }
    return 0;
}

int noreturn_armed(const struct session *s)
{
    const struct runbook *rb = s->rb;
    char burnt[8];
    if (noreturn_taken(s, burnt, sizeof burnt))
        return 0;
    for (size_t c = 0; c < rb->n_criteria; c++)
        if (rb->criteria[c].action == RB_ABORT)
            return 1;
    for (size_t i = 0; i < rb->n_steps; i++)
        if (noreturn_step(&rb->steps[i]))
            return 1;   /* not taken (above), so ahead */
    for (size_t p = 0; p < rb->n_phases; p++)
        if (noreturn_phase(&rb->phases[p]))
            return 1;
    return 0;
}

static int phase_has_exit_gate(const struct runbook *rb, size_t p)
{
    for (size_t g = 0; g < rb->n_gates; g++)
        if (rb->gates[g].step < 0 && rb->gates[g].phase == p)
            return 1;
    return 0;
}

size_t noreturn_conditions(const struct session *s, size_t i, int64_t now_ms,
                           struct noreturn_cond *out)
{
    const struct runbook *rb = s->rb;
    const struct ramp_view *r = &s->ramp;
    size_t n = 0;
    if (rb->n_ramp) {
        double last = rb->ramp[rb->n_ramp - 1].percent;
        struct noreturn_cond *c = &out[n++];
        snprintf(c->what, sizeof c->what, "the ramp holds at %g%%", last);
        c->met = r->status == RAMP_COMPLETE;
        char t[16];
        timefmt_hms(r->step_since_ms, t, sizeof t);
        if (c->met)
            snprintf(c->state, sizeof c->state, "since %s", t);
        else
            snprintf(c->state, sizeof c->state, "it is %s %g%%", ramp_status_name(r->status),
                     r->percent);
        snprintf(c->why, sizeof c->why, "it waits for the ramp to hold at %g%% (it is %s %g%%)",
                 last, ramp_status_name(r->status), r->percent);
        if (rb->ramp_monitoring_ms > 0) {
            char want[32], left[32];
            units_format_duration(rb->ramp_monitoring_ms, want, sizeof want);
            c = &out[n++];
            snprintf(c->what, sizeof c->what, "Monitoring: %s at %g%%", want, last);
            int64_t held = r->status == RAMP_COMPLETE && now_ms > r->step_since_ms
                               ? now_ms - r->step_since_ms : 0;
            c->met = r->status == RAMP_COMPLETE && held >= rb->ramp_monitoring_ms;
            /* whole seconds up: "1s left" until it is met, never "0s" */
            units_format_duration((rb->ramp_monitoring_ms - held + 999) / 1000 * 1000, left,
                                  sizeof left);
            if (c->met)
                snprintf(c->state, sizeof c->state, "held %s", want);
            else if (r->status == RAMP_COMPLETE)
                snprintf(c->state, sizeof c->state, "%s left", left);
            else
                snprintf(c->state, sizeof c->state, "not begun");
            if (r->status == RAMP_COMPLETE)
                snprintf(c->why, sizeof c->why, "the monitoring period of %s at %g%% has %s left",
                         want, last, left);
            else
                snprintf(c->why, sizeof c->why, "the monitoring period of %s at %g%% has not "
                         "begun", want, last);
        }
    }
    struct noreturn_cond *c = &out[n++];
    snprintf(c->what, sizeof c->what, "every criterion clear");
    c->met = 1;
    snprintf(c->state, sizeof c->state, "%zu of %zu judged OK", rb->n_criteria, rb->n_criteria);
    for (size_t k = 0; k < rb->n_criteria; k++)
        if (!s->crits[k].judged || s->crits[k].state != CRIT_OK) {
            c->met = 0;
            snprintf(c->state, sizeof c->state, "criterion \"%s\" is not clear (%s)",
                     rb->criteria[k].text,
                     s->crits[k].judged ? crit_state_name(s->crits[k].state) : "not judged yet");
            snprintf(c->why, sizeof c->why, "%s", c->state);
            break;
        }
    size_t p = rb->steps[i].phase;
    if (phase_has_exit_gate(rb, p)) {
        c = &out[n++];
        snprintf(c->what, sizeof c->what, "phase %s's exit gates open", rb->phases[p].number);
        c->met = gatefold_exit_open(s, p);
        char why[300] = "";
        if (!c->met && gatefold_phase_refusal(s, p, why, sizeof why) == 0)
            snprintf(why, sizeof why, "an exit gate of phase %s is not open", rb->phases[p].number);
        snprintf(c->state, sizeof c->state, "%s", c->met ? "open" : why);
        snprintf(c->why, sizeof c->why, "%s", why);
    }
    if (writersfold_needs(rb, i)) {   /* the writer audit (issue 21): no writer unknown */
        c = &out[n++];
        snprintf(c->what, sizeof c->what, "no unknown writer");
        char why[400] = "";
        c->met = writersfold_ack_refusal(s, i, why, sizeof why) == 0;
        size_t open = writersfold_open(&s->wf);
        if (c->met)
            snprintf(c->state, sizeof c->state, "none open");
        else
            snprintf(c->state, sizeof c->state, "%zu open: declare, audit again, or override "
                     "the writers step", open);
        snprintf(c->why, sizeof c->why, "%s", why);
    }
    return n;
}

int noreturn_condition_refusal(const struct session *s, size_t i, int64_t now_ms,
                               char *reason, size_t len)
{
    const struct rb_step *st = &s->rb->steps[i];
    if (!noreturn_step(st) || s->nr[i].overridden)
        return 0;
    struct noreturn_cond conds[NORETURN_CONDS];
    size_t n = noreturn_conditions(s, i, now_ms, conds);
    int unmet = 0;
    char what[160];
    size_t at = (size_t)snprintf(reason, len, "%s:", what_is(s->rb, i, what, sizeof what));
    for (size_t k = 0; k < n; k++) {
        if (conds[k].met)
            continue;
        if (at < len)
            at += (size_t)snprintf(reason + at, len - at, "%s %s", unmet ? ";" : "",
                                   conds[k].why);
        unmet++;
    }
    if (!unmet)
        return 0;
    if (at < len)
        snprintf(reason + at, len - at, " — after it no abort can roll back (the commander may "
                 "override the conditions with a written reason)");
    return -1;
}

int noreturn_ack_refusal(const struct session *s, size_t i, const char *name, char *reason,
                         size_t len)
{
    const struct rb_step *st = &s->rb->steps[i];
    const struct noreturn_mark *m = &s->nr[i];
    if (!noreturn_step(st))
        return 0;
    if (m->owner_acked) {
        snprintf(reason, len, "step %s was acknowledged by %s (%s); it is irreversible and waits "
                 "for the commander's approval (cutover approve, or v on the commander's console)",
                 st->id, m->ack_name, m->ack_role);
        return -1;
    }
    char what[160];
    if (m->approved && strcmp(m->approve_name, name) == 0) {
        snprintf(reason, len, "%s and needs two people: %s approved it as the commander, so %s "
                 "may not also acknowledge it as its owner", what_is(s->rb, i, what, sizeof what),
                 m->approve_name, name);
        return -1;
    }
    return 0;
}

/* Is step i reached: every earlier phase complete, and every step above it
 * in its phase done (those that say {any order} aside)? */
static int reached(const struct session *s, size_t i, char *reason, size_t len)
{
    const struct runbook *rb = s->rb;
    const struct rb_step *st = &rb->steps[i];
    for (size_t p = 0; p < st->phase; p++)
        if (!session_phase_complete(s, p)) {
            snprintf(reason, len, "step %s is not reached: phase %s (%s) is not finished yet",
                     st->id, rb->phases[p].number, rb->phases[p].title);
            return 0;
        }
    for (size_t k = rb->phases[st->phase].first_step; k < i; k++)
        if (!s->acks[k].acked && rb_step_waits_for(st, &rb->steps[k])) {
            snprintf(reason, len, "step %s is not reached: step %s (%s: %s) is not done yet",
                     st->id, rb->steps[k].id, rb->steps[k].role, rb->steps[k].text);
            return 0;
        }
    return 1;
}

/* The irreversible step step_id, or -1 with why. */
static ptrdiff_t irreversible(const struct session *s, const char *step_id, char *reason,
                              size_t len)
{
    ptrdiff_t i = runbook_step_index(s->rb, step_id);
    if (i < 0) {
        snprintf(reason, len, "there is no step '%s' in the runbook", step_id);
        return -1;
    }
    if (!noreturn_step(&s->rb->steps[i])) {
        snprintf(reason, len, "step %s is not {irreversible}: its owner's acknowledgement alone "
                 "completes it", step_id);
        return -1;
    }
    return i;
}

int noreturn_approve_decide(const struct session *s, const char *step_id, const char *name,
                            const char *role, char *reason, size_t len)
{
    ptrdiff_t i = irreversible(s, step_id, reason, len);
    if (i < 0)
        return -1;
    const struct noreturn_mark *m = &s->nr[i];
    if (strcmp(role, "commander") != 0) {
        snprintf(reason, len, "only the commander approves an irreversible step (%s is %s)", name,
                 role);
        return -1;
    }
    if (s->acks[i].acked) {
        snprintf(reason, len, "step %s is done already", step_id);
        return -1;
    }
    if (m->approved) {
        snprintf(reason, len, "step %s was approved already by %s", step_id, m->approve_name);
        return -1;
    }
    char what[160];
    if (m->owner_acked && strcmp(m->ack_name, name) == 0) {
        snprintf(reason, len, "%s and needs two people: %s acknowledged it as %s, so %s may not "
                 "also approve it as the commander", what_is(s->rb, (size_t)i, what, sizeof what),
                 m->ack_name, m->ack_role, name);
        return -1;
    }
    if (!reached(s, (size_t)i, reason, len))
        return -1;
    return 0;
}

int noreturn_override_decide(const struct session *s, const char *step_id, const char *role,
                             const char *reason, char *why, size_t len)
{
    ptrdiff_t i = irreversible(s, step_id, why, len);
    if (i < 0)
        return -1;
    if (strcmp(role, "commander") != 0) {
        snprintf(why, len, "only the commander may override the conditions of an irreversible step");
        return -1;
    }
    if (!reason || !reason[0]) {
        snprintf(why, len, "an override needs a written reason (--reason TEXT)");
        return -1;
    }
    if (s->acks[i].acked) {
        snprintf(why, len, "step %s is done already", step_id);
        return -1;
    }
    if (s->nr[i].overridden) {
        snprintf(why, len, "the conditions of step %s were overridden already", step_id);
        return -1;
    }
    return 0;
}

size_t noreturn_voids(const struct runbook *rb, size_t i, char *list, size_t len)
{
    size_t n = 0, at = 0;
    if (len)
        list[0] = '\0';
    for (size_t p = 0; p <= rb->steps[i].phase && p < rb->n_phases; p++) {
        if (!rb->phases[p].rollback)
            continue;
        if (at < len)
            at += (size_t)snprintf(list + at, len - at, "%s%s", n ? ", " : "",
                                   rb->phases[p].number);
        n++;
    }
    return n;
}

int noreturn_plan_void(const struct session *s, size_t p, char *by, size_t len)
{
    const struct runbook *rb = s->rb;
    for (size_t i = 0; i < rb->n_steps; i++)
        if (rb->steps[i].phase >= p && s->acks[i].acked && noreturn_step(&rb->steps[i])) {
            char what[200];
            taken_what(rb, i, what, sizeof what);
            snprintf(by, len, "%s was %s", what, rb->steps[i].closes_irreversible ? "closed"
                                                                                 : "taken");
            return 1;
        }
    for (size_t q = p; q < rb->n_phases; q++)
        if (noreturn_phase(&rb->phases[q]) && session_phase_complete(s, q)) {
            snprintf(by, len, "phase %s (%s) was completed", rb->phases[q].number,
                     rb->phases[q].title);
            return 1;
        }
    return 0;
}
