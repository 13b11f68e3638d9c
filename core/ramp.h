/* ramp.h — the feature-flag ramp: its state as the journal tells it, and
 * the decision of what should happen next, as pure functions of the
 * session and the time (so a four-hour ramp runs in a test in ms).
 *
 * The ramp moves through the runbook's steps (1% → 5% → 25% → 100%). A step
 * may be advanced only when its hold has passed with every gating
 * criterion clear the whole time. An abort criterion firing rolls the flag
 * back without asking anyone; a halt freezes the ramp and declares an
 * incident; both wait for the commander's written reason to resume. */
#ifndef CUTOVER_RAMP_H
#define CUTOVER_RAMP_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "journal.h"
#include "runbook.h"

enum ramp_status {
    RAMP_IDLE,      /* not started: the flag is at the rollback value */
    RAMP_SETTING,   /* a new percentage was asked; waiting for the read-back */
    RAMP_HOLDING,   /* the flag is confirmed at a step; its hold runs */
    RAMP_COMPLETE,  /* the last step is confirmed */
    RAMP_ABORTED,   /* rolled back (or rolling back) after an abort */
    RAMP_HALTED,    /* frozen: an incident */
};

struct ramp_view {
    enum ramp_status status;
    int step;                 /* index into rb->ramp; -1 before the first */
    double percent;           /* the flag as last confirmed by read-back */
    int has_percent;
    double target;            /* asked for, while SETTING or rolling back */
    int64_t step_since_ms;    /* when the current step was confirmed */
    int64_t requested_ms;     /* when the current target was asked for */

    /* criteria, folded from their transitions */
    int n_unclear;            /* gating criteria not ok (unjudged count) */
    int64_t clear_since_ms;   /* when the last one became ok; 0 = not clear */

    /* the last abort or halt */
    char cause[240];
    int cause_criterion;      /* the criterion that stopped it, -1 none (by hand, not obeyed) */
    double abort_from;        /* the share of traffic on new when it aborted */
    int64_t abort_ms;         /* when the abort/halt was journaled */
    int64_t breach_ms;        /* when the breaching sample arrived */
    int64_t rollback_set_ms;  /* when the driver said it set the flag */
    int64_t rollback_confirmed_ms; /* when the read-back saw it */
    int rollback_tries;
    char flag_error[240];     /* the last flag failure, "" when fine */
    int override_active;      /* the commander overrode a guard (red) */
    char override_reason[240];
    int rehearsed;            /* the way back was rehearsed and passed */
    char rehearsal[240];      /* the last rehearsal's result in words */
    int flag_mismatch;        /* on restart the flag differed from the journal: every
                               * advance waits until the commander resolves it */
    double flag_seen;
    char rule[17];            /* the flag's rule as last confirmed (flagd digest), "" unknown */
    char flag_seen_rule[17];  /* the rule the mismatch found */
    int rule_changed;         /* the mismatch is of the rule, not of the share */
    int rehearsal_final;      /* the last rehearsal failed on what only a person can fix */
    int prev_step;            /* before the advance in flight: where a not-applied */
    int64_t prev_since_ms;    /* advance goes back to */

    /* the share of traffic that really reaches new (Observed: in ## Ramp) */
    int has_observed;
    double observed;          /* percent, 0..100 */
    int64_t disobey_since_ms; /* set and observed apart by more than allowed */
    int64_t effective_ms;     /* after an abort: when observed reached the rollback */

    /* an abort asked by another console (or `cutover abort`) that no abort
     * has answered yet: the next console to drive acts on it first, even
     * when it was asked while none drove */
    int64_t request_seq;      /* 0: none waiting */
    int64_t request_ms;
    char request_actor[96];
    char request_reason[240];
};

#define RAMP_NOT_OBEYED ((size_t)-1)

/* What the ramp controller says should happen now. */
enum ramp_action {
    RA_NONE,
    RA_ABORT,        /* roll back now, asking no one */
    RA_HALT,         /* freeze, declare an incident */
    RA_ADVANCE,      /* the next step is due and the ramp is automatic */
    RA_READY,        /* the next step may go once the commander confirms */
};

struct ramp_decision {
    enum ramp_action action;
    int next_step;           /* for RA_ADVANCE/RA_READY */
    double target;           /* percentage to set */
    int64_t hold_left_ms;    /* of the current step, while it holds */
    int64_t earliest_full_ms;/* earliest time 100% can be reached, 0 unknown */
    size_t criterion;        /* the abort/halt cause; RAMP_NOT_OBEYED: the flag is not obeyed */
    char why[240];           /* the decision (or what holds it) in words */
    int rehearse;            /* the first step waits for the rehearsal of the way back */
};

/* Does the criterion gate the ramp? (warn only shows; the others hold) */
int ramp_gates(const struct rb_criterion *c);

void ramp_init(struct ramp_view *r, const struct runbook *rb);

struct session;
struct event_body;
/* Folds a ramp-related event (others are left alone); called by
 * session_apply with the body already validated against the event table.
 * A ramp step is named by its percentage (its stable id) and checked
 * against its position; a criterion position against the runbook. 0
 * taken; -1 a fault, with why in err (a step that is not the runbook's
 * changes nothing). */
int ramp_apply(struct ramp_view *r, const struct runbook *rb, const struct session *s,
               const struct journal_event *ev, const struct event_body *b,
               struct error *err);

/* Folds a sample of the runbook's Observed signal (a fraction 0..1). */
void ramp_observe(struct ramp_view *r, const struct runbook *rb, int has_value, double value,
                  int64_t ts_ms);

/* After an abort: has the observed share fallen to the rollback value?
 * Within a tenth of the step it came down (from 5% to 0%: 0.5 points;
 * never more than the runbook's Observed tolerance, never under 0.05
 * points): a service still sending the step's share is not "effective". */
int ramp_abort_effective(const struct runbook *rb, const struct ramp_view *r);

/* The tolerance ramp_abort_effective allows, in points. */
double ramp_abort_tolerance(const struct runbook *rb, const struct ramp_view *r);

/* The decision at now_ms. */
struct ramp_decision ramp_decide(const struct runbook *rb, const struct session *s,
                                 int64_t now_ms);

/* May the commander advance to next_step now? 0 yes, else -1 and why. */
int ramp_may_advance(const struct runbook *rb, const struct session *s, int64_t now_ms,
                     char *why, size_t len);

/* The rollback value of the ramp: 0 unless the runbook says otherwise. */
double ramp_rollback_percent(const struct runbook *rb);

const char *ramp_status_name(enum ramp_status st);

#endif
