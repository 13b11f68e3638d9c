/* criteria.c — the state machine of one abort criterion:
 *
 *   no data, stale, NaN, ±Inf ───► NO_DATA  (FIRING after `no data for D`)
 *   count below `min` ───────────► INSUFFICIENT
 *   value breaches (and Wilson) ─► PENDING ──(for D elapsed)──► FIRING
 *   otherwise ───────────────────► OK
 *
 * A state is never carried over a gap in the data: the `for` window starts
 * again after no data or insufficient data, so a breach must be seen for
 * its whole window on real evidence. */
#include "criteria.h"

#include <math.h>
#include <stdio.h>

#include "units.h"

int criteria_compare(enum rb_op op, double v, double x)
{
    switch (op) {
    case RB_GT: return v > x;
    case RB_GE: return v >= x;
    case RB_LT: return v < x;
    case RB_LE: return v <= x;
    case RB_EQ: return v == x;
    case RB_NE: return v != x;
    }
    return 0;
}

/* z with Φ(z) = confidence, by bisection on erfc (accurate to 1e-12; the
 * few microseconds this costs are nothing at one judgement a second). */
static double normal_quantile(double confidence)
{
    double lo = -10, hi = 10;
    for (int i = 0; i < 100; i++) {
        double mid = (lo + hi) / 2;
        double cdf = 0.5 * erfc(-mid / sqrt(2.0));
        if (cdf < confidence)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

double criteria_wilson(double p, double n, double confidence, int lower)
{
    if (n <= 0)
        return lower ? 0.0 : 1.0;
    double z = normal_quantile(confidence);
    double z2 = z * z;
    double centre = p + z2 / (2 * n);
    double spread = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n));
    double bound = (lower ? centre - spread : centre + spread) / (1 + z2 / n);
    return bound < 0 ? 0 : bound > 1 ? 1 : bound;
}

const char *crit_state_name(enum crit_state s)
{
    static const char *const names[] = {"ok", "pending", "firing", "no data",
                                        "insufficient data"};
    return s <= CRIT_INSUFFICIENT ? names[s] : "?";
}

/* Is the value past the threshold, with the confidence form if asked? */
static int breaching(const struct rb_criterion *c, struct crit_track *t, double n)
{
    t->bound = NAN;
    if (!criteria_compare(c->op, t->value, c->threshold))
        return 0;
    if (c->confidence <= 0 || c->op == RB_EQ || c->op == RB_NE)
        return 1;
    int lower = c->op == RB_GT || c->op == RB_GE;
    t->bound = criteria_wilson(t->value, n, c->confidence, lower);
    return criteria_compare(c->op, t->bound, c->threshold);
}

static enum crit_state judge_no_data(const struct rb_criterion *c,
                                     struct crit_track *t, int64_t now, int say)
{
    char d[32];
    t->breach_since_ms = 0;
    if (!t->no_data_since_ms)
        t->no_data_since_ms = now;
    int64_t gap = now - t->no_data_since_ms;
    int firing = c->no_data_ms > 0 && gap >= c->no_data_ms;
    if (!say)
        return firing ? CRIT_FIRING : CRIT_NO_DATA;
    units_format_duration(gap / 1000 * 1000, d, sizeof d);
    if (firing) {
        snprintf(t->why, sizeof t->why, "no data from %s for %s", c->signal, d);
        return CRIT_FIRING;
    }
    if (t->has_value)
        snprintf(t->why, sizeof t->why, "%s = %g is not a number to judge (for %s)",
                 c->signal, t->value, d);
    else
        snprintf(t->why, sizeof t->why, "no data from %s (for %s)", c->signal, d);
    return CRIT_NO_DATA;
}

static enum crit_state judge_value(const struct rb_criterion *c,
                                   struct crit_track *t, int64_t now, int say)
{
    t->no_data_since_ms = 0;
    if (!breaching(c, t, t->count)) {
        t->breach_since_ms = 0;
        if (say) {
            char v[48], b[48];
            criteria_format_value(c, t->value, v, sizeof v);
            criteria_format_value(c, c->threshold, b, sizeof b);
            snprintf(t->why, sizeof t->why, "%s = %s, not %s %s", c->signal, v,
                     rb_op_name(c->op), b);
        }
        return CRIT_OK;
    }
    if (!t->breach_since_ms)
        t->breach_since_ms = now;
    int64_t held = now - t->breach_since_ms;
    if (!say)
        return held >= c->for_ms ? CRIT_FIRING : CRIT_PENDING;
    char d[32], v[48], b[48];
    units_format_duration(held / 1000 * 1000, d, sizeof d);   /* whole seconds read best */
    criteria_format_value(c, t->value, v, sizeof v);   /* in the runbook's units */
    criteria_format_value(c, c->threshold, b, sizeof b);
    snprintf(t->why, sizeof t->why, "%s = %s %s %s for %s%s", c->signal,
             v, rb_op_name(c->op), b, d,
             isnan(t->bound) ? "" : " (Wilson bound past it)");
    return held >= c->for_ms ? CRIT_FIRING : CRIT_PENDING;
}

/* The next state; the why in words only when say (formatting numbers is
 * most of a step's cost, and a fold steps at every sample). */
static enum crit_state judge(const struct rb_criterion *c, struct crit_track *t,
                             const struct crit_input *in, int64_t now_ms, int say)
{
    t->has_value = in->has_value && !in->stale;
    t->value = in->has_value ? in->value : NAN;
    t->count = in->has_count ? in->count : NAN;
    if (!t->has_value || !isfinite(t->value)) {
        /* NaN (e.g. a quantile over no traffic) and ±Inf (a division by
         * zero) are not evidence either way: they hold, never pass */
        return judge_no_data(c, t, now_ms, say);
    }
    if (c->min_signal && (!in->has_count || in->count_stale || in->count < c->min_count)) {
        t->breach_since_ms = 0;
        t->no_data_since_ms = 0;
        if (say)
            snprintf(t->why, sizeof t->why, "%s = %.6g < min %.6g: not enough to judge",
                     c->min_signal, in->has_count ? in->count : 0.0, c->min_count);
        return CRIT_INSUFFICIENT;
    }
    return judge_value(c, t, now_ms, say);
}

int criteria_step(const struct rb_criterion *c, struct crit_track *t,
                  const struct crit_input *in, int64_t now_ms)
{
    enum crit_state next = judge(c, t, in, now_ms, !t->quiet);
    /* a quiet track says why only when its state changes: the same step
     * again (idempotent at one instant) writes the words */
    if (t->quiet && (next != t->state || !t->judged))
        judge(c, t, in, now_ms, 1);
    /* the first judgement is a change too: it starts the record */
    if (next == t->state && t->judged)
        return 0;
    t->judged = 1;
    t->state = next;
    t->state_since_ms = now_ms;
    return 1;
}

int64_t criteria_pending_left_ms(const struct rb_criterion *c,
                                 const struct crit_track *t, int64_t now_ms)
{
    if (t->state != CRIT_PENDING)
        return 0;
    int64_t left = t->breach_since_ms + c->for_ms - now_ms;
    return left > 0 ? left : 0;
}

void criteria_format_value(const struct rb_criterion *c, double value, char *buf, size_t len)
{
    if (isfinite(value) && c->is_percent)
        snprintf(buf, len, "%.3g %%", value * 100);
    else
        snprintf(buf, len, "%.4g", value);
}

double criteria_worse(enum rb_op op, double a, double b)
{
    if (!isfinite(a))
        return b;
    if (!isfinite(b))
        return a;
    if (op == RB_LT || op == RB_LE)
        return b < a ? b : a;
    if (op == RB_GT || op == RB_GE)
        return b > a ? b : a;
    return b;   /* = and !=: no direction is worse; the newest stands */
}
