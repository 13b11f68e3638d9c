/* noreturn.c — has the way back been burnt? (see noreturn.h) */
#include "noreturn.h"

#include <stdio.h>

#include "session.h"

int noreturn_step(const struct rb_step *st)
{
    return rb_attr_get(st->attrs, st->n_attrs, "irreversible") != NULL;
}

int noreturn_phase(const struct rb_phase *p)
{
    return rb_attr_get(p->attrs, p->n_attrs, "irreversible") != NULL;
}

int noreturn_taken(const struct session *s, char *what, size_t len)
{
    const struct runbook *rb = s->rb;
    for (size_t i = 0; i < rb->n_steps; i++)
        if (s->acks[i].acked && noreturn_step(&rb->steps[i])) {
            snprintf(what, len, "step %s (%s)", rb->steps[i].id, rb->steps[i].text);
            return 1;
        }
    for (size_t p = 0; p < rb->n_phases; p++)
        if (noreturn_phase(&rb->phases[p]) && session_phase_complete(s, p)) {
            snprintf(what, len, "phase %s (%s)", rb->phases[p].number, rb->phases[p].title);
            return 1;
        }
    return 0;
}

int noreturn_ack_refusal(const struct session *s, size_t i, char *reason, size_t len)
{
    const struct runbook *rb = s->rb;
    const struct rb_step *st = &rb->steps[i];
    if (!noreturn_step(st))
        return 0;
    if (rb->n_ramp && s->ramp.status != RAMP_COMPLETE) {
        snprintf(reason, len, "step %s is irreversible: it waits for the ramp to hold at %g%% "
                 "(it is %s %g%%); after it no abort can roll back", st->id,
                 rb->ramp[rb->n_ramp - 1].percent, ramp_status_name(s->ramp.status), s->ramp.percent);
        return -1;
    }
    for (size_t c = 0; c < rb->n_criteria; c++)
        if (!s->crits[c].judged || s->crits[c].state != CRIT_OK) {
            snprintf(reason, len, "step %s is irreversible: criterion \"%s\" is not clear (%s)",
                     st->id, rb->criteria[c].text,
                     s->crits[c].judged ? crit_state_name(s->crits[c].state) : "not judged yet");
            return -1;
        }
    return 0;
}
