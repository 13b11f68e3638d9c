/* fold_trace.c — the fold's state as one line of text (see fold_trace.h):
 * what decides (acknowledgements, the ramp, the criteria as journaled and
 * their memory, the signals' newest values) and nothing that only shows
 * (the tail, its bodies, the words of a why). */
#include "fold_trace.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

struct out {
    char *p;
    size_t len, used;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
    if (o->used >= o->len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->p + o->used, o->len - o->used, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->used += (size_t)n;
}

void fold_trace_line(const struct session *s, char *line, size_t len)
{
    struct out o = {line, len, 0};
    if (len)
        line[0] = '\0';
    const struct ramp_view *r = &s->ramp;
    put(&o, "e%" PRId64 " s%" PRId64 " acks=%zu phase=%zu faults=%" PRId64, s->last_seq,
        s->last_sample_seq, s->n_acked, s->current_phase, s->n_faults);
    put(&o, " ramp=%d/%d/%g/%g/%" PRId64 "/%" PRId64 " clear=%d/%" PRId64 " abort=%" PRId64
            "/%" PRId64 "/%" PRId64 "/%" PRId64 "/%d obs=%d/%g/%" PRId64 "/%" PRId64,
        (int)r->status, r->step, r->percent, r->target, r->step_since_ms, r->requested_ms,
        r->n_unclear, r->clear_since_ms, r->abort_ms, r->breach_ms, r->rollback_set_ms,
        r->rollback_confirmed_ms, r->rollback_tries, r->has_observed, r->observed,
        r->disobey_since_ms, r->effective_ms);
    for (size_t i = 0; i < s->rb->n_criteria; i++) {
        const struct crit_view *c = &s->crits[i];
        const struct crit_track *t = &s->tracks[i];
        put(&o, " c%zu=%d/%d/%" PRId64 ":%d/%d/%" PRId64 "/%" PRId64 "/%" PRId64, i, c->judged,
            (int)c->state, c->since_ms, t->judged, (int)t->state, t->state_since_ms,
            t->breach_since_ms, t->no_data_since_ms);
    }
    for (size_t i = 0; i < s->rb->n_gates; i++) {   /* the gates' verdicts decide acks */
        const struct gate_view *g = &s->gf.gates[i];
        put(&o, " G%zu=%d/%d/%" PRId64 "/%d", i, g->judged, (int)g->state, g->judged_ms,
            g->overridden);
    }
    for (size_t p = 0; p < s->rb->n_phases && s->rb->n_gates; p++)
        put(&o, "%s%d", p ? "" : " done=", s->gf.phase_done[p]);
    for (size_t i = 0; i < s->rb->n_signals; i++) {
        const struct signal_view *v = &s->signals[i];
        put(&o, " g%zu=%d/%g/%" PRId64, i, v->has_value, v->has_value ? v->value : 0.0,
            v->last_ms);
    }
}
