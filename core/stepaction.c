/* stepaction.c — steps that are gates (stepaction.h): what completes a step
 * with an action, folded from the journal, and the refusals that say so. */
#include "stepaction.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "session.h"
#include "writersfold.h"

int stepaction_completes_itself(enum rb_action a)
{
    return a == RB_ACTION_RAMP || a == RB_ACTION_BACKFILL || a == RB_ACTION_COMPARE ||
           a == RB_ACTION_PREFLIGHT || a == RB_ACTION_WRITERS;
}

int stepaction_overridable(enum rb_action a)
{
    /* the ramp is not: traffic either moved or it did not */
    return a == RB_ACTION_BACKFILL || a == RB_ACTION_COMPARE || a == RB_ACTION_PREFLIGHT ||
           a == RB_ACTION_WRITERS;
}

int stepaction_is_step_guard(const char *guard)
{
    return guard && strncmp(guard, STEPACTION_GUARD_PREFIX, strlen(STEPACTION_GUARD_PREFIX)) == 0;
}

void stepaction_how(const struct runbook *rb, const struct rb_step *st, char *buf, size_t len)
{
    static const char by_override[] =
        "; the commander may complete it with an override and a written reason";
    switch (st->action) {
    case RB_ACTION_RAMP:
        snprintf(buf, len, "step %s completes itself when the ramp reaches %g %% (the flag read "
                 "back); no ack or override completes it: traffic either moved or not", st->id,
                 rb->n_ramp ? rb->ramp[rb->n_ramp - 1].percent : 100.0);
        break;
    case RB_ACTION_BACKFILL:
        snprintf(buf, len, "step %s completes itself when `cutover backfill` finishes%s", st->id,
                 by_override);
        break;
    case RB_ACTION_COMPARE:
        snprintf(buf, len, "step %s completes itself when `cutover compare` finds no divergence%s",
                 st->id, by_override);
        break;
    case RB_ACTION_PREFLIGHT:
        snprintf(buf, len, "step %s completes itself when `cutover preflight` passes%s", st->id,
                 by_override);
        break;
    case RB_ACTION_WRITERS:
        snprintf(buf, len, "step %s completes itself when `cutover writers RUNBOOK --journal J` "
                 "finds no unknown writer and none is left open%s (which accepts the unknown "
                 "writers)", st->id, by_override);
        break;
    default:
        snprintf(buf, len, "step %s is acknowledged by its owner (%s)", st->id, st->role);
        break;
    }
}

ptrdiff_t stepaction_open_before(const struct session *s, size_t i)
{
    const struct runbook *rb = s->rb;
    const struct rb_step *st = &rb->steps[i];
    if (s->current_phase < st->phase) {
        /* an earlier phase is unfinished: every one of its steps holds */
        const struct rb_phase *ph = &rb->phases[s->current_phase];
        for (size_t k = ph->first_step; k < ph->first_step + ph->n_steps; k++)
            if (!s->acks[k].acked)
                return (ptrdiff_t)k;
    }
    for (size_t k = rb->phases[st->phase].first_step; k < i; k++)
        if (!s->acks[k].acked && rb_step_waits_for(st, &rb->steps[k]))
            return (ptrdiff_t)k;
    return -1;
}

int stepaction_refuse_ack(const struct session *s, size_t i, char *reason, size_t len)
{
    const struct rb_step *st = &s->rb->steps[i];
    if (writersfold_ack_refusal(s, i, reason, len) != 0)
        return -1;   /* an unknown writer holds it (writersfold.h) */
    if (!stepaction_completes_itself(st->action))
        return 0;
    stepaction_how(s->rb, st, reason, len);
    return -1;
}

static int blank(const char *t)
{
    for (; t && *t; t++)
        if (!isspace((unsigned char)*t))
            return 0;
    return 1;
}

int stepaction_override_decide(const struct session *s, const char *step_id, const char *role,
                               const char *text, char *reason, size_t len)
{
    const struct runbook *rb = s->rb;
    ptrdiff_t i = runbook_step_index(rb, step_id);
    if (i < 0) {
        snprintf(reason, len, "there is no step '%s' in the runbook", step_id);
        return -1;
    }
    const struct rb_step *st = &rb->steps[i];
    if (strcmp(role, "commander") != 0) {
        snprintf(reason, len, "only the commander completes a step by override, not %s", role);
        return -1;
    }
    /* a done `writers` step is overridden again to accept a writer found later */
    int reopen = st->action == RB_ACTION_WRITERS && writersfold_open(&s->wf) > 0;
    if (s->acks[i].acked && !reopen) {
        snprintf(reason, len, "step %s is already done (by %s)", st->id, s->acks[i].name);
        return -1;
    }
    if (st->action == RB_ACTION_RAMP) {
        stepaction_how(rb, st, reason, len);
        return -1;
    }
    if (!stepaction_overridable(st->action)) {
        snprintf(reason, len, "step %s has no action to override: its owner (%s) acknowledges it",
                 st->id, st->role);
        return -1;
    }
    ptrdiff_t before = s->acks[i].acked ? -1 : stepaction_open_before(s, (size_t)i);
    if (before >= 0) {
        const struct rb_step *b = &rb->steps[before];
        snprintf(reason, len, "step %s comes after step %s (%s: %s), which is not done yet",
                 st->id, b->id, b->role, b->text);
        return -1;
    }
    if (blank(text)) {
        snprintf(reason, len, "completing step %s by override needs a written reason", st->id);
        return -1;
    }
    return 0;
}

/* Step i is done, as `name` in `role` said at event ev: the same record
 * an acknowledgement leaves, so every screen and the report read it alike. */
static void complete(struct session *s, size_t i, const struct journal_event *ev,
                     const char *name, size_t name_len, const char *role)
{
    struct step_ack *a = &s->acks[i];
    a->acked = 1;
    a->seq = ev->seq;
    a->ts_ms = ev->ts_ms;
    if (name_len >= sizeof a->name)
        name_len = sizeof a->name - 1;
    memcpy(a->name, name, name_len);
    a->name[name_len] = '\0';
    snprintf(a->role, sizeof a->role, "%s", role);
    s->n_acked++;
    s->phase_acked[s->rb->steps[i].phase]++;
    while (s->current_phase < s->rb->n_phases && session_phase_complete(s, s->current_phase))
        s->current_phase++;
}

/* Is step st's action done, as far as the fold has seen? */
static int action_done(const struct session *s, const struct rb_step *st)
{
    switch (st->action) {
    case RB_ACTION_RAMP: return s->ramp.status == RAMP_COMPLETE;
    case RB_ACTION_BACKFILL: return s->actions.backfill_done;
    case RB_ACTION_COMPARE: return s->actions.compare_clean;
    case RB_ACTION_PREFLIGHT: return s->actions.preflight_passed;
    case RB_ACTION_WRITERS: return writersfold_clean(&s->wf);
    default: return 0;
    }
}

/* Completes, in the runbook's order, every open action step whose action
 * is done and whose turn has come; one completion may give the next its turn. */
static void settle(struct session *s, const struct journal_event *ev)
{
    const struct runbook *rb = s->rb;
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < rb->n_steps; i++) {
            const struct rb_step *st = &rb->steps[i];
            if (s->acks[i].acked || !stepaction_completes_itself(st->action) ||
                !action_done(s, st) || stepaction_open_before(s, i) >= 0)
                continue;
            complete(s, i, ev, STEPACTION_ENGINE_NAME, strlen(STEPACTION_ENGINE_NAME),
                     STEPACTION_ENGINE_ROLE);
            changed = 1;
        }
    }
}

/* The backfill job of the runbook's table, as cutover backfill names it. */
static int our_backfill(const struct runbook *rb, const char *job)
{
    const struct rb_system *nw = runbook_system(rb, "new");
    const char *table = nw ? rb_attr_get(nw->attrs, nw->n_attrs, "table") : NULL;
    size_t n = strlen("backfill:");
    if (!table)
        return 1;   /* no table named: the runbook's one backfill */
    return job && strncmp(job, "backfill:", n) == 0 && strcmp(job + n, table) == 0;
}

/* An override of guard "step:ID": completes that step, in the commander's
 * name. A step no override completes is a fault: the decision refuses it. */
static int apply_override(struct session *s, const struct journal_event *ev,
                          const struct event_body *b, struct error *err)
{
    const char *id = event_str(b, "guard") + strlen(STEPACTION_GUARD_PREFIX);
    ptrdiff_t i = runbook_step_index(s->rb, id);
    if (i < 0 || !stepaction_overridable(s->rb->steps[i].action)) {
        error_set(err, "override: step '%.60s' is not a step an override completes%s", id,
                  i >= 0 && s->rb->steps[i].action == RB_ACTION_RAMP
                      ? " (the ramp step completes when the ramp does)" : "");
        return -1;
    }
    if (s->acks[i].acked)
        return 0;   /* the first completion stands */
    const char *actor = ev->actor ? ev->actor : "";
    const char *slash = strrchr(actor, '/');
    complete(s, (size_t)i, ev, actor, slash ? (size_t)(slash - actor) : strlen(actor),
             STEPACTION_OVERRIDE_ROLE);
    return 0;
}

int stepaction_apply(struct session *s, const struct journal_event *ev,
                     const struct event_body *b, struct error *err)
{
    struct error ignored;
    if (!err)
        err = &ignored;
    int rc = 0;
    switch (b->kind) {
    case EVK_BACKFILL:
        if (our_backfill(s->rb, event_str(b, "job")))
            s->actions.backfill_done = event_bool(b, "done");
        break;
    case EVK_COMPARE: /* a sample (--sample) proves nothing of the whole table */
        if (event_num(b, "sample", -1) < 0)
            s->actions.compare_clean = !event_bool(b, "diverged") && event_num(b, "divergent", 1) == 0;
        break;
    case EVK_PREFLIGHT:
        s->actions.preflight_passed = event_bool(b, "passed");
        break;
    case EVK_OVERRIDE:
        if (stepaction_is_step_guard(event_str(b, "guard")))
            rc = apply_override(s, ev, b, err);
        break;
    default:
        break;
    }
    settle(s, ev);
    return rc;
}
