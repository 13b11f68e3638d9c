/* view.c — what the panels see beyond the folded session itself: values
 * derived from it at the moment of drawing (a signal gone stale, the
 * ceremony's ETA), computed once per frame here so that no panel asks the
 * engine. */
#include "panel.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/criteria.h"
#include "core/session.h"

void view_derive(struct view *v)
{
    for (size_t i = 0; i < VIEW_SIGNALS; i++)
        v->stale[i] = i < v->rb->n_signals &&
                      session_stale(v->s, i, v->now_ms);
    v->eta = eta_compute(v->rb, v->s, &v->eta_in, v->now_ms);
}

const struct presence *view_presence(const struct view *v)
{
    return v->presence ? v->presence : &v->s->presence;
}

int view_stale(const struct view *v, size_t signal)
{
    /* past the table's end nothing is known to be fresh: never shown as if it were */
    return signal >= VIEW_SIGNALS || v->stale[signal];
}

void view_crit_format(const struct rb_criterion *c, double value, char *buf, size_t len)
{
    criteria_format_value(c, value, buf, len);   /* the journal's words use the same units */
}

static ptrdiff_t signal_of(const struct view *v, const char *name)
{
    for (size_t i = 0; i < v->rb->n_signals; i++)
        if (strcmp(v->rb->signals[i].name, name) == 0)
            return (ptrdiff_t)i;
    return -1;
}

/* The signal's value now in the criterion's units, "no data", or with
 * " (stale)". */
static void crit_now(const struct view *v, size_t i, char *now, size_t len)
{
    const struct rb_criterion *c = &v->rb->criteria[i];
    ptrdiff_t sig = signal_of(v, c->signal);
    snprintf(now, len, "no data");
    if (sig >= 0 && v->s->signals[sig].has_value) {
        view_crit_format(c, v->s->signals[sig].value, now, len);
        if (view_stale(v, (size_t)sig))
            strncat(now, " (stale)", len - strlen(now) - 1);
    }
}

void view_crit_now(const struct view *v, size_t i, char *buf, size_t len)
{
    char now[48];
    crit_now(v, i, now, sizeof now);
    snprintf(buf, len, "now %s", now);
}

void view_crit_values(const struct view *v, size_t i, char *buf, size_t len)
{
    const struct rb_criterion *c = &v->rb->criteria[i];
    const struct crit_view *cv = &v->s->crits[i];
    char now[48], at[48], worst[48];
    crit_now(v, i, now, sizeof now);
    int out = cv->judged && (cv->state == CRIT_PENDING || cv->state == CRIT_FIRING);
    if (!out || !isfinite(cv->value)) {
        snprintf(buf, len, "now %s", now);
        return;
    }
    view_crit_format(c, cv->value, at, sizeof at);
    view_crit_format(c, isfinite(cv->worst) ? cv->worst : cv->value, worst, sizeof worst);
    snprintf(buf, len, "now %s (%s at %s, worst %s)", now,
             cv->state == CRIT_FIRING ? "fired" : "crossed", at, worst);
}
