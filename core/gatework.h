/* gatework.h — the driving console judges the gates that matter now (the
 * current phase's open steps' gates and its exit gates) on a worker
 * thread, from each signal's history (gatehist.h), and hands back the
 * verdicts worth journaling as `gate` events: a change of state at once,
 * otherwise one refresh per GATE_REFRESH_MS, so joined consoles, replay
 * and the acknowledgement rules see what it saw. `for` gates are judged
 * every GATEWORK_FOR_MS, `over` gates every GATEWORK_OVER_MS. */
#ifndef CUTOVER_GATEWORK_H
#define CUTOVER_GATEWORK_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "session.h"

#define GATEWORK_FOR_MS 2000
#define GATEWORK_OVER_MS 15000

struct gatework;

/* For the journal at `location` (read on the worker's own read-only
 * connection) and rb (which must outlive it). NULL with err; a runbook
 * without gates needs none (returns NULL, err empty). */
struct gatework *gatework_new(const char *location, const struct runbook *rb,
                              struct error *err);
void gatework_free(struct gatework *w);

/* The descriptor the worker pokes when a judgment is done. */
int gatework_wake_fd(const struct gatework *w);

/* On the loop: takes the finished judgments, compares them with the fold
 * s, and fills out[] with the bodies of `gate` events to journal (owned
 * by the caller); then starts the judgments due at now_ms. Returns how
 * many bodies. */
size_t gatework_step(struct gatework *w, const struct session *s, int64_t now_ms,
                     cJSON **out, size_t max);

/* The time until the next judgment is due (ms, 0: now). */
int64_t gatework_wait_ms(const struct gatework *w, int64_t now_ms);

#endif
