/* criteria.h — abort criteria judged against samples, as pure functions of
 * the samples and the time (so a four-hour ramp runs in a test in
 * milliseconds, and replay and backtests reuse them).
 *
 * Two rules shape everything here: missing data never passes (no data or
 * stale data is its own state, which holds the ramp), and low traffic is
 * not evidence (below a minimum count the state is "insufficient data",
 * and a confidence form fires only when the Wilson bound is past the line). */
#ifndef CUTOVER_CRITERIA_H
#define CUTOVER_CRITERIA_H

#include <stddef.h>
#include <stdint.h>

#include "runbook.h"

enum crit_state {
    CRIT_OK,
    CRIT_PENDING,      /* breaching, inside its `for` window */
    CRIT_FIRING,
    CRIT_NO_DATA,      /* the signal has no value, or a stale one */
    CRIT_INSUFFICIENT, /* fewer than `min` events to judge a rate on */
};

/* What is known at the moment of judging. */
struct crit_input {
    int has_value, stale;
    double value;           /* the criterion's signal */
    int has_count, count_stale;
    double count;           /* the `min` clause's signal, if any */
};

/* One criterion's memory between judgements. */
struct crit_track {
    enum crit_state state;
    int judged;                /* 0 until the first judgement */
    int64_t state_since_ms;
    int64_t breach_since_ms;   /* 0 when not breaching */
    int64_t no_data_since_ms;  /* 0 when there is data */
    int has_value;
    double value, count, bound; /* the deciding values (bound: Wilson) */
    char why[200];             /* the decision in words */
    int quiet;                 /* why is written only on a change of state (the
                                * fold's tracks; a copy to be journaled is not quiet) */
};

/* Judges criterion c at now_ms; returns 1 when its state changed. */
int criteria_step(const struct rb_criterion *c, struct crit_track *t,
                  const struct crit_input *in, int64_t now_ms);

/* 1 when `value OP threshold` holds. */
int criteria_compare(enum rb_op op, double value, double threshold);

/* The one-sided Wilson score bound of a proportion p over n trials at the
 * given confidence (0.95): the lower bound if lower, else the upper. */
double criteria_wilson(double p, double n, double confidence, int lower);

/* Time left in the `for` window of a pending criterion, else 0. */
int64_t criteria_pending_left_ms(const struct rb_criterion *c,
                                 const struct crit_track *t, int64_t now_ms);

/* A value of c's signal in the units its bound was written in: "4.52 %"
 * for `> 0.1%` (stored as 0.001), "2.31" for `> 2`. */
void criteria_format_value(const struct rb_criterion *c, double value, char *buf, size_t len);

/* The worse of two values of a criterion's signal: the one further past
 * its bound (larger for > and >=, smaller for < and <=); a NaN loses. */
double criteria_worse(enum rb_op op, double a, double b);

const char *crit_state_name(enum crit_state s); /* "ok", "pending", ... */

#endif
