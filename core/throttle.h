/* throttle.h — the backfill waits while a named signal is over its bound
 * (as gh-ost waits on replica lag). Written on the runbook's `backfill`
 * step as {throttle="replica_lag > 5s"} (several conditions separated by
 * commas): SIGNAL OP VALUE, SIGNAL a name from ## Signals, OP one of >,
 * >=, <, <=, VALUE a number with an optional unit (ms, s, m, h: the
 * signal is in seconds; %: a rate, 1% is 0.01). The condition is the one
 * that throttles. Judging a reading is pure (time comes in); reading the
 * signals is the caller's, through signals.h. A signal that cannot be
 * read — no reading yet, an error, no data, a stale reading — throttles
 * too: no data is not "fine". */
#ifndef CUTOVER_THROTTLE_H
#define CUTOVER_THROTTLE_H

#include <stddef.h>
#include <stdint.h>

#include "runbook.h"

#define THROTTLE_MAX 4

struct throttle_cond {
    const struct rb_signal *signal; /* in the runbook */
    enum rb_op op;
    double bound;                   /* in the signal's units (5s is 5, 1% is 0.01) */
    char unit[4];                   /* as written: "", "ms", "s", "m", "h", "%" */
};

struct throttle {
    struct throttle_cond c[THROTTLE_MAX];
    size_t n;                       /* 0: the backfill is never throttled */
    int line;                       /* the step's line */
};

/* The latest reading of a condition's signal (signals.h's outcome). */
struct throttle_reading {
    int seen;                       /* 0: nothing read yet */
    int64_t at_ms;
    int has_value;
    double value;
    char status[256];               /* "ok", "no data: …", "error: …" */
};

/* Reads the throttle of rb's `backfill` step (none: t->n = 0). Returns 0,
 * or -1 with the problem in why (and its line in t->line). */
int throttle_parse(const struct runbook *rb, struct throttle *t, char *why, size_t len);

/* The same for one condition's text as written (NULL or "": none); keeps
 * t->line. Also what `cutover check` judges each backfill step with. */
int throttle_parse_text(const struct runbook *rb, const char *text, struct throttle *t,
                        char *why, size_t len);

/* 1 when the condition holds back the job at now_ms, with the reason in
 * words ("replica_lag 7.2 s > 5 s", "replica_lag: no data: …"); 0 when it
 * lets it go ("replica_lag 1.5 s"). */
int throttle_judge(const struct throttle_cond *c, const struct throttle_reading *r,
                   int64_t now_ms, char *why, size_t len);

#endif
