/* eta.c — the ceremony's estimate. The model is the ramp controller's own
 * rules (core/ramp.c) run forward on paper: the ramp goes on once the
 * gates are open and the data work is done; each step waits out its hold,
 * and a step may start only inside the window with its hold ending before
 * the window closes. Anything the journal cannot tell (a rate not yet
 * measured, a criterion that holds the ramp) makes the whole estimate
 * unknown: a confident wrong time is worse than none. */
#include "eta.h"

#include <stdio.h>
#include <string.h>

#include "timefmt.h"
#include "units.h"
#include "window.h"

/* why in words, and the short name of the part it is about (for a narrow screen) */
static void unknown_in(struct eta *e, const char *part, const char *why)
{
    if (e->unknown[0])   /* the first cause is the one to fix first */
        return;
    snprintf(e->unknown, sizeof e->unknown, "%s", why);
    snprintf(e->unknown_part, sizeof e->unknown_part, "%s", part);
}

static int step_pending(const struct runbook *rb, const struct session *s, enum rb_action a)
{
    for (size_t i = 0; i < rb->n_steps; i++)
        if (rb->steps[i].action == a && !s->acks[i].acked)
            return 1;
    return 0;
}

/* When the backfill ends: 0 when there is none to wait for. */
static int64_t backfill_end(const struct runbook *rb, const struct session *s, int64_t now,
                            struct eta *e)
{
    const struct bf_progress *p = &s->backfill;
    if (p->n_jobs == 0) {
        if (step_pending(rb, s, RB_ACTION_BACKFILL))
            unknown_in(e, "backfill", "the backfill has not started");
        return 0;
    }
    if (p->untracked)
        unknown_in(e, "backfill", "more backfill jobs than the estimate follows");
    int64_t end = 0;
    for (int i = 0; i < p->n_jobs; i++) {
        const struct bf_job *j = &p->jobs[i];
        if (j->done)
            continue;
        double rate = bf_progress_rate(j);
        if (j->paused) {
            unknown_in(e, "backfill", "the backfill is paused");
        } else if (j->total <= 0) {
            unknown_in(e, "backfill", "the backfill's total is not known");
        } else if (rate <= 0) {
            unknown_in(e, "backfill", "the backfill's rate is not measured yet");
        } else {
            int64_t left = j->total > j->rows ? j->total - j->rows : 0;
            int64_t t = j->last_ms + (int64_t)((double)left / rate * 1000.0);
            if (t < now) {
                char at[16], why[80];
                timefmt_hms(j->last_ms, at, sizeof at);
                snprintf(why, sizeof why, "the backfill has not checkpointed since %s", at);
                unknown_in(e, "backfill", why);
            } else if (t > end) {
                end = t;
            }
        }
    }
    return end;
}

/* The earliest time at or after t when a step with this hold may start:
 * inside the window, its hold ending before the window closes. -1 when no
 * window in the next two months will do. */
static int64_t fit(const struct window *w, int64_t t, int64_t hold)
{
    if (!w->set)
        return t;
    if (hold > window_length_ms(w))
        return -1;
    for (int i = 0; i < 400; i++) {
        if (!window_open(w, t) && (t = window_next_open(w, t)) == 0)
            return -1;
        if (t + hold <= window_closes(w, t))
            return t;
        if ((t = window_next_open(w, window_closes(w, t))) == 0)
            return -1;
    }
    return -1;
}

static void consider(struct eta *e, enum eta_part p, int64_t ms)
{
    if (ms > e->dominant_ms) {
        e->dominant = p;
        e->dominant_ms = ms;
    }
}

/* The ramp from `from` on; 0, or -1 when it cannot be estimated (e->unknown). */
static int ramp_forward(const struct runbook *rb, const struct session *s, int64_t now,
                        int64_t from, struct eta *e)
{
    const struct ramp_view *r = &s->ramp;
    if (r->status == RAMP_ABORTED || r->status == RAMP_HALTED) {
        unknown_in(e, "ramp", r->status == RAMP_ABORTED ? "the ramp is aborted" : "the ramp is halted");
        return -1;
    }
    if (r->flag_mismatch) {
        unknown_in(e, "flag", "the flag and the journal disagree");
        return -1;
    }
    if (r->n_unclear > 0) {   /* the ramp moves only once every gating criterion is clear */
        unknown_in(e, "criterion", "a criterion holds the ramp");
        return -1;
    }
    int n = (int)rb->n_ramp, next = r->step + 1;
    if (next < 0)
        next = 0;
    int64_t hold_left = 0;
    if (r->step >= 0 && r->step < n) {
        int64_t hold = rb->ramp[r->step].hold_ms;
        int64_t start = r->step_since_ms > r->clear_since_ms ? r->step_since_ms : r->clear_since_ms;
        hold_left = r->status == RAMP_SETTING ? hold : hold - (now - start);
        if (hold_left < 0)
            hold_left = 0;
    }
    e->holds_ms = hold_left;
    int64_t t = now + hold_left > from ? now + hold_left : from;
    for (int j = next; j < n; j++) {
        int64_t at = fit(&rb->ramp_window, t, rb->ramp[j].hold_ms);
        if (at < 0) {
            char why[80];
            snprintf(why, sizeof why, "no cutover window fits the %g%% step's hold", rb->ramp[j].percent);
            unknown_in(e, "window", why);
            return -1;
        }
        if (at > t && !e->window_opens_ms)
            e->window_opens_ms = at;
        e->window_wait_ms += at - t;
        t = at;
        if (j + 1 < n) {   /* the last step's hold, if any, is after the ramp's end */
            t += rb->ramp[j].hold_ms;
            e->holds_ms += rb->ramp[j].hold_ms;
        }
    }
    e->at_ms = t;
    return 0;
}

/* When the comparison a `compare` step waits for ends, from its journaled
 * progress (`compare_progress`: rows of total at the rate it measured);
 * 0 once it finished clean, ETA_UNKNOWN with why when it cannot be known. */
static int64_t compare_end(const struct session *s, int64_t now, struct eta *e)
{
    const struct datafold_compare *c = &s->data.cmp;
    if (c->finished && !c->diverged)
        return 0;
    if (c->finished) {   /* a person decides what comes next, at no known time */
        unknown_in(e, "compare", "the comparison diverged");
        return ETA_UNKNOWN;
    }
    if (!datafold_running(&s->data, DATA_COMPARE) && !c->seen) {
        unknown_in(e, "compare", "the comparison has not started");
        return ETA_UNKNOWN;
    }
    int64_t end = datafold_compare_end(&s->data);
    if (end <= 0) {
        unknown_in(e, "compare", "the comparison's rate is not measured yet");
        return ETA_UNKNOWN;
    }
    if (end < now)   /* a late comparison: from now, not a time already past */
        end = now;
    return end;
}

struct eta eta_compute(const struct runbook *rb, const struct session *s,
                       const struct eta_inputs *in, int64_t now_ms)
{
    struct eta e;
    memset(&e, 0, sizeof e);
    if (s->ramp.status == RAMP_COMPLETE) {
        e.nothing = 1;
        return e;
    }
    int64_t from = now_ms;
    enum eta_part from_part = ETA_NONE;
    int64_t gates = in ? in->gates_open_at_ms : 0;
    int64_t compare = in ? in->compare_done_at_ms : 0;
    if (gates == ETA_UNKNOWN)
        unknown_in(&e, "gates", "the gates' opening is not known");
    else if (gates > from)
        from = gates, from_part = ETA_GATES;
    e.backfill_end_ms = backfill_end(rb, s, now_ms, &e);
    if (e.backfill_end_ms > from)
        from = e.backfill_end_ms, from_part = ETA_BACKFILL;
    if (compare == 0 && step_pending(rb, s, RB_ACTION_COMPARE))
        compare = compare_end(s, now_ms, &e);
    if (compare == ETA_UNKNOWN)
        unknown_in(&e, "compare", "the comparison's time is not known");
    else if (compare > from)
        from = compare, from_part = ETA_COMPARE;
    e.ramp_from_ms = from;
    e.ramp_waits_for = from_part;
    if (rb->n_ramp == 0) {
        e.at_ms = from;
        e.nothing = !e.unknown[0] && from == now_ms;
    } else {
        ramp_forward(rb, s, now_ms, from, &e);
    }
    consider(&e, from_part, from - now_ms);
    consider(&e, ETA_HOLDS, e.holds_ms);
    consider(&e, ETA_WINDOW, e.window_wait_ms);
    e.known = !e.unknown[0] && !e.nothing;
    return e;
}

const char *eta_part_name(enum eta_part p)
{
    switch (p) {
    case ETA_GATES: return "gates";
    case ETA_BACKFILL: return "backfill";
    case ETA_COMPARE: return "compare";
    case ETA_HOLDS: return "ramp holds";
    case ETA_WINDOW: return "window";
    default: return "";
    }
}

/* "1h10m" for long spans (to the minute, up), "9m59s" for shorter ones */
static void span(int64_t ms, char *buf, size_t len)
{
    int64_t unit = ms >= 3600000 ? 60000 : 1000;
    units_format_duration((ms + unit - 1) / unit * unit, buf, len);
}

/* "15:40", or "12-04 15:40" when not on now's day (UTC) */
static void when(int64_t t, int64_t now, char *buf, size_t len)
{
    char full[40], today[40];
    timefmt_full(t, full, sizeof full);
    timefmt_full(now, today, sizeof today);
    if (strncmp(full, today, 10) == 0)
        snprintf(buf, len, "%.5s", full + 11);
    else
        snprintf(buf, len, "%.5s %.5s", full + 5, full + 11);
}

static void part_text(const struct eta *e, enum eta_part p, int64_t now, char *buf, size_t len)
{
    char a[32];
    buf[0] = '\0';
    switch (p) {
    case ETA_HOLDS:
        if (e->holds_ms > 0) {
            span(e->holds_ms, a, sizeof a);
            snprintf(buf, len, "ramp holds %s", a);
        }
        break;
    case ETA_WINDOW:
        if (e->window_opens_ms) {
            when(e->window_opens_ms, now, a, sizeof a);
            snprintf(buf, len, "window opens %s", a);
        }
        break;
    case ETA_BACKFILL:
        if (e->backfill_end_ms > now) {
            span(e->backfill_end_ms - now, a, sizeof a);
            snprintf(buf, len, "backfill %s", a);
        }
        break;
    case ETA_GATES:
    case ETA_COMPARE:
        if (e->ramp_from_ms > now) {
            when(e->ramp_from_ms, now, a, sizeof a);
            snprintf(buf, len, "%s %s", p == ETA_GATES ? "gates open" : "compare ends", a);
        }
        break;
    default:
        break;
    }
}

void eta_describe(const struct eta *e, int64_t now_ms, int brief, char *buf, size_t len)
{
    if (e->nothing) {
        snprintf(buf, len, "%s", "");
        return;
    }
    if (!e->known) {
        if (brief)
            snprintf(buf, len, "ETA ? %s", e->unknown_part);
        else
            snprintf(buf, len, "ETA unknown: %s", e->unknown);
        return;
    }
    char at[32];
    when(e->at_ms, now_ms, at, sizeof at);   /* the minute it falls in, as the ramp bar says it */
    if (brief) {
        if (e->dominant == ETA_NONE)
            snprintf(buf, len, "ETA %s", at);
        else
            snprintf(buf, len, "ETA %s %s", at, e->dominant == ETA_HOLDS ? "holds" : eta_part_name(e->dominant));
        return;
    }
    /* the dominant part first, then the others that add time */
    static const enum eta_part order[] = {ETA_GATES, ETA_BACKFILL, ETA_COMPARE, ETA_HOLDS, ETA_WINDOW};
    char parts[200] = "", one[64];
    part_text(e, e->dominant, now_ms, parts, sizeof parts);
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (order[i] == e->dominant)
            continue;
        if ((order[i] == ETA_GATES || order[i] == ETA_COMPARE) && e->ramp_waits_for != order[i])
            continue;   /* only the one that sets the ramp's start has its time here */
        part_text(e, order[i], now_ms, one, sizeof one);
        if (one[0])
            snprintf(parts + strlen(parts), sizeof parts - strlen(parts), "%s%s", parts[0] ? ", " : "", one);
    }
    if (parts[0])
        snprintf(buf, len, "ETA %s (%s)", at, parts);
    else
        snprintf(buf, len, "ETA %s", at);
}
