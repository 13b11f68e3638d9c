/* gatehist.h — a signal's history over a window, as points for gate_judge
 * (gate.h): from the journal's own samples (which span every cockpit run
 * that wrote to it), or from another source plugged in at one hook.
 * Reads only; each caller reads on its own connection, off the loop. */
#ifndef CUTOVER_GATEHIST_H
#define CUTOVER_GATEHIST_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "gate.h"
#include "journal.h"
#include "runbook.h"

/* A growing array of points, oldest first; free with gate_points_free. */
struct gate_points {
    struct gate_point *v;
    size_t n, cap;
};

void gate_points_free(struct gate_points *p);
/* Appends one point; -1 on OOM. */
int gate_points_push(struct gate_points *p, int64_t t_ms, double value);

/* Signal `signal`'s samples journaled with from_ms <= ts <= to_ms into
 * out (emptied first), oldest first; a sample without a value is a NaN
 * point. j is the caller's own connection (a read-only open is enough). */
int gatehist_journal(struct journal *j, const char *signal, int64_t from_ms, int64_t to_ms,
                     struct gate_points *out, struct error *err);

/* The same, keeping what out holds: appends the samples with
 * from_ms <= ts <= to_ms (a worker that keeps a window's points reads
 * only what came since, then drops what left the window). */
int gatehist_journal_more(struct journal *j, const char *signal, int64_t from_ms, int64_t to_ms,
                          struct gate_points *out, struct error *err);

/* Drops the points older than from_ms (out stays oldest first) — lazily:
 * a few may stay until dropping them is worth a move, which gate_judge
 * does not mind (points before its window only cover its start). */
void gate_points_trim(struct gate_points *p, int64_t from_ms);

/* THE HOOK for a signal read from Prometheus (`over` gates): a reader of
 * query_range, paged (core/promrange.c, when it is merged, sets this).
 * Fills out with the signal's points over [from_ms, to_ms] and *step_ms
 * with the query's step; 0, or -1 with err. While it is NULL every gate is
 * judged from the journal's samples. Set once at start-up, before any
 * worker runs; read from the gates' worker thread. */
typedef int (*gatehist_source_fn)(const struct runbook *rb, const struct rb_signal *sig,
                                  int64_t from_ms, int64_t to_ms, struct gate_points *out,
                                  int64_t *step_ms, struct error *err);
extern gatehist_source_fn gatehist_prometheus;

/* 1 when signal sig is read from a `prometheus` system. */
int gatehist_from_prometheus(const struct runbook *rb, const struct rb_signal *sig);

#endif
