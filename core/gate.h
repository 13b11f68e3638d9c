/* gate.h — gates: a condition over a signal that must have held over a
 * whole window before a step may be taken or a phase may end, e.g.
 *   {gate: dual_write_failure_rate < 1% for 1h}
 *   {gate: divergence_rate < 0.1% over 7d, gaps up to 10m}
 *
 * A gate is a criterion turned round: the same signal, comparison and bound
 * in the same units (criteria.h formats and compares them), but it opens
 * only on evidence that the condition held, and it is judged as a pure
 * function of a series of points and the time, so the cockpit (live
 * samples), the journal (many runs' samples) and Prometheus (query_range)
 * feed one judge, and a backtest can ask about any moment.
 *
 * Missing history never passes: a window the points do not cover, or
 * cover with gaps longer than allowed, is INSUFFICIENT, with the share of
 * the window that is covered. */
#ifndef CUTOVER_GATE_H
#define CUTOVER_GATE_H

#include <stddef.h>
#include <stdint.h>

#include "runbook.h"

/* The longest window a gate may ask for: a quarter. */
#define GATE_MAX_WINDOW_MS (92LL * 24 * 3600 * 1000)

enum gate_state {
    GATE_UNJUDGED,      /* nothing known yet */
    GATE_OPEN,          /* held over the whole window, which data covers */
    GATE_CLOSED,        /* a point in the window breached the condition */
    GATE_INSUFFICIENT,  /* no breach seen, but data does not cover the window */
};

/* One value of the signal at a time; value NaN (or ±Inf) is a sample
 * without a value, which covers nothing. Points come oldest first. */
struct gate_point {
    int64_t t_ms;
    double value;
};

struct gate_verdict {
    enum gate_state state;
    int64_t at_ms;          /* the time judged */
    double worst;           /* the worst value in the window (NaN: none) */
    int64_t worst_ms;
    double covered;         /* the share of the window data covers, 0..1 */
    int64_t opens_at_ms;    /* the earliest time it can open if the signal
                             * holds from now on (at_ms when open); 0 when
                             * that cannot be known (no data now) */
    char why[240];          /* in words, in the runbook's units */
};

/* Parses the text after `gate:` (n bytes): SIGNAL OP VALUE (for|over)
 * DURATION [, gaps up to DURATION]. Fills g->cond (signal, op, threshold,
 * is_percent, for_ms = the window, text = the gate as written, trimmed),
 * g->over and g->max_gap_ms; strings are malloc'd (gate_spec_free).
 * Returns 0, or -1 with what was expected in err. */
int gate_parse(const char *text, size_t n, struct rb_gate *g, char *err, size_t len);
void gate_spec_free(struct rb_gate *g);

/* The longest silence allowed between points: the runbook's `gaps up to`,
 * else three times the coarser of the signal's poll interval and the
 * source's step (a Prometheus query_range step, 0 for live samples). */
int64_t gate_max_gap(const struct rb_gate *g, int64_t interval_ms, int64_t source_step_ms);

/* Judges g at now_ms over points p[0..n) (oldest first; points before the
 * window are used only for what they cover of its start). max_gap_ms as
 * gate_max_gap. Fills v; returns v->state. */
enum gate_state gate_judge(const struct rb_gate *g, const struct gate_point *p, size_t n,
                           int64_t max_gap_ms, int64_t now_ms, struct gate_verdict *v);

/* Where a caller should start reading points to judge g at now_ms. */
int64_t gate_window_start(const struct rb_gate *g, int64_t max_gap_ms, int64_t now_ms);

/* 1 when value holds g's condition (the criterion's comparison). */
int gate_holds(const struct rb_gate *g, double value);

const char *gate_state_name(enum gate_state s); /* "open", "closed", … */

#endif
