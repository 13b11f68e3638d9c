/* gatefold.c — folding gates' verdicts and overrides (see gatefold.h),
 * and the rules acknowledgements and phases read from them. */
#include "gatefold.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "session.h"
#include "timefmt.h"

int gatefold_init(struct gatefold *g, const struct runbook *rb)
{
    g->gates = calloc(rb->n_gates ? rb->n_gates : 1, sizeof *g->gates);
    g->phase_done = calloc(rb->n_phases ? rb->n_phases : 1, 1);
    if (!g->gates || !g->phase_done) {
        gatefold_free(g);
        return -1;
    }
    for (size_t i = 0; i < rb->n_gates; i++)
        g->gates[i].worst = NAN;
    return 0;
}

void gatefold_free(struct gatefold *g)
{
    free(g->gates);
    free(g->phase_done);
    g->gates = NULL;
    g->phase_done = NULL;
}

int gatefold_copy(struct gatefold *dst, const struct gatefold *src, const struct runbook *rb)
{
    size_t ng = rb->n_gates ? rb->n_gates : 1, np = rb->n_phases ? rb->n_phases : 1;
    dst->gates = malloc(ng * sizeof *dst->gates);
    dst->phase_done = malloc(np);
    if (!dst->gates || !dst->phase_done || !src->gates || !src->phase_done) {
        gatefold_free(dst);
        return -1;
    }
    memcpy(dst->gates, src->gates, ng * sizeof *dst->gates);
    memcpy(dst->phase_done, src->phase_done, np);
    return 0;
}

static void copy(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src ? src : "");
}

ptrdiff_t gatefold_find(const struct runbook *rb, const char *id)
{
    if (!id)
        return -1;
    for (size_t i = 0; i < rb->n_gates; i++) {
        const char *g = rb->gates[i].id;
        if (strcmp(g, id) == 0 || (strncmp(g, "gate:", 5) == 0 && strcmp(g + 5, id) == 0))
            return (ptrdiff_t)i;
    }
    return -1;
}

int gatefold_is_override(const struct event_body *b)
{
    const char *guard = b->kind == EVK_OVERRIDE ? event_str(b, "guard") : NULL;
    return guard && strncmp(guard, "gate:", 5) == 0;
}

/* A gate's id in an event: a gate of the runbook, or -1 with err (a fault)
 * — or -2, a gate only a replaced runbook had (history, not a fault). */
static ptrdiff_t resolve(const struct session *s, const char *id, struct error *err)
{
    ptrdiff_t i = gatefold_find(s->rb, id);
    if (i >= 0)
        return i;
    if (!session_positions_current(s))
        return -2;
    error_set(err, "gate: \"%.60s\" is not a gate of the runbook", id ? id : "");
    return -1;
}

static int apply_verdict(struct session *s, const struct journal_event *ev,
                         const struct event_body *b, struct error *err)
{
    const char *st = event_str(b, "state");
    int state = -1;
    for (int k = GATE_OPEN; k <= GATE_INSUFFICIENT; k++)
        if (st && strcmp(st, gate_state_name((enum gate_state)k)) == 0)
            state = k;
    if (state < 0) {
        error_set(err, "gate: \"%.40s\" is not a state of a gate", st ? st : "");
        return -1;
    }
    double covered = event_num(b, "covered", 0);
    if (covered < 0 || covered > 1) {
        error_set(err, "gate: covered %g is not a share (0..1)", covered);
        return -1;
    }
    ptrdiff_t i = resolve(s, event_str(b, "id"), err);
    if (i < 0)
        return i == -2 ? 0 : -1;
    struct gate_view *g = &s->gf.gates[i];
    g->judged = 1;
    g->state = (enum gate_state)state;
    g->worst = event_num(b, "worst", NAN);
    g->covered = covered;
    double opens = event_num(b, "opens_at", 0);
    g->opens_at_ms = opens > 0 && opens < 253402300799999.0 ? (int64_t)opens : 0;
    g->judged_ms = ev->ts_ms;
    copy(g->source, sizeof g->source, event_str(b, "source"));
    copy(g->why, sizeof g->why, event_str(b, "why"));
    return 0;
}

/* Only the commander overrides a gate; a row that says otherwise was made
 * by hand, and changes nothing. */
static int apply_override(struct session *s, const struct journal_event *ev,
                          const struct event_body *b, struct error *err)
{
    const char *actor = ev->actor ? ev->actor : "";
    const char *slash = strrchr(actor, '/');
    if (!slash || strcmp(slash + 1, "commander") != 0) {
        error_set(err, "override: only the commander overrides a gate, not %.60s", actor);
        return -1;
    }
    ptrdiff_t i = resolve(s, event_str(b, "guard"), err);
    if (i < 0)
        return i == -2 ? 0 : -1;
    struct gate_view *g = &s->gf.gates[i];
    if (g->overridden)
        return 0;   /* the first override stands */
    g->overridden = 1;
    g->override_ms = ev->ts_ms;
    copy(g->override_by, sizeof g->override_by, actor);
    copy(g->override_reason, sizeof g->override_reason, event_str(b, "reason"));
    return 0;
}

int gatefold_apply(struct session *s, const struct journal_event *ev,
                   const struct event_body *b, struct error *err)
{
    return b->kind == EVK_OVERRIDE ? apply_override(s, ev, b, err) : apply_verdict(s, ev, b, err);
}

int gatefold_passes(const struct session *s, size_t i)
{
    const struct gate_view *g = &s->gf.gates[i];
    return g->overridden || (g->judged && g->state == GATE_OPEN);
}

int64_t gatefold_earliest_open(const struct session *s)
{
    const struct runbook *rb = s->rb;
    size_t last = rb->n_phases;
    for (size_t i = 0; i < rb->n_steps; i++)
        if (rb->steps[i].action == RB_ACTION_RAMP)
            last = rb->steps[i].phase + 1;
    int64_t at = 0;
    for (size_t i = 0; i < rb->n_gates; i++) {
        const struct rb_gate *g = &rb->gates[i];
        const struct gate_view *v = &s->gf.gates[i];
        int done = g->step >= 0 ? s->acks[g->step].acked : s->gf.phase_done[g->phase];
        if (g->phase >= last || done || gatefold_passes(s, i))
            continue;
        if (!v->judged || v->opens_at_ms <= 0)
            return -1;
        if (v->opens_at_ms > at)
            at = v->opens_at_ms;
    }
    return at;
}

int gatefold_exit_open(const struct session *s, size_t p)
{
    const struct runbook *rb = s->rb;
    for (size_t i = 0; i < rb->n_gates; i++)
        if (rb->gates[i].step < 0 && rb->gates[i].phase == p && !gatefold_passes(s, i))
            return 0;
    return 1;
}

/* Why gate i does not pass, in words. */
static void say_closed(const struct session *s, size_t i, char *buf, size_t len)
{
    const struct rb_gate *rg = &s->rb->gates[i];
    const struct gate_view *g = &s->gf.gates[i];
    if (!g->judged)
        snprintf(buf, len, "gate %s (%s) has not been judged yet: no console is driving, or it "
                 "has just started", rg->id, rg->cond.text);
    else
        snprintf(buf, len, "gate %s (%s) is %s", rg->id, rg->cond.text, g->why);
}

int gatefold_step_refusal(const struct session *s, size_t step, char *reason, size_t len)
{
    const struct runbook *rb = s->rb;
    for (size_t i = 0; i < rb->n_gates; i++) {
        if (rb->gates[i].step != (ptrdiff_t)step || gatefold_passes(s, i))
            continue;
        say_closed(s, i, reason, len);
        return -1;
    }
    return 0;
}

int gatefold_phase_refusal(const struct session *s, size_t p, char *reason, size_t len)
{
    const struct runbook *rb = s->rb;
    for (size_t i = 0; i < rb->n_gates; i++) {
        if (rb->gates[i].step >= 0 || rb->gates[i].phase != p || gatefold_passes(s, i))
            continue;
        char why[400];
        say_closed(s, i, why, sizeof why);
        snprintf(reason, len, "phase %s (%s) cannot complete: %s; the commander may override it "
                 "with a written reason", rb->phases[p].number, rb->phases[p].title, why);
        return -1;
    }
    return 0;
}

int gatefold_fresh_refusal(const struct session *s, size_t step, int64_t now_ms, char *reason,
                           size_t len)
{
    const struct runbook *rb = s->rb;
    for (size_t i = 0; i < rb->n_gates; i++) {
        const struct gate_view *g = &s->gf.gates[i];
        if (rb->gates[i].step != (ptrdiff_t)step || g->overridden || !g->judged ||
            now_ms - g->judged_ms <= GATE_FRESH_MS)
            continue;
        char t[16];
        timefmt_hms(g->judged_ms, t, sizeof t);
        snprintf(reason, len, "gate %s has not been judged since %s: no console is driving",
                 rb->gates[i].id, t);
        return -1;
    }
    return 0;
}

ptrdiff_t gatefold_blocking(const struct session *s, size_t selected)
{
    const struct runbook *rb = s->rb;
    size_t p = s->current_phase;
    if (p < rb->n_phases && s->phase_acked[p] == rb->phases[p].n_steps)
        for (size_t i = 0; i < rb->n_gates; i++)
            if (rb->gates[i].step < 0 && rb->gates[i].phase == p && !gatefold_passes(s, i))
                return (ptrdiff_t)i;
    for (size_t i = 0; i < rb->n_gates; i++)
        if (rb->gates[i].step == (ptrdiff_t)selected && !gatefold_passes(s, i))
            return (ptrdiff_t)i;
    return -1;
}

const char *gatefold_word(const struct session *s, size_t i)
{
    const struct gate_view *g = &s->gf.gates[i];
    if (g->overridden)
        return "OVERRIDDEN";
    if (!g->judged)
        return "NOT JUDGED";
    switch (g->state) {
    case GATE_OPEN: return "OPEN";
    case GATE_CLOSED: return "CLOSED";
    case GATE_INSUFFICIENT: return "INSUFFICIENT";
    case GATE_UNJUDGED: break;
    }
    return "NOT JUDGED";
}
