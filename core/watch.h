/* watch.h — the driving console's judge: every abort criterion weighed
 * against the signals as the journal has them, at a given time, with each
 * change of state journaled with the values that decided it. */
#ifndef CUTOVER_WATCH_H
#define CUTOVER_WATCH_H

#include <stdint.h>

#include "criteria.h"
#include "error.h"
#include "journal.h"
#include "session.h"

/* A sample older than this many poll intervals is stale. */
#define WATCH_STALE_INTERVALS 3

struct watch {
    const struct runbook *rb;
    struct crit_track *tracks;
};

int watch_init(struct watch *w, const struct runbook *rb);
void watch_free(struct watch *w);

/* What criterion c sees in session s at now_ms. */
struct crit_input watch_input(const struct session *s, const struct rb_criterion *c,
                              int64_t now_ms);

/* 1 when signal i's newest sample is older than the stale limit. */
int watch_stale(const struct session *s, size_t signal, int64_t now_ms);

/* Rebuilds the criteria's memory (a `for` window already running, how long
 * data has been missing) from the samples in the journal, judging each
 * at its own time and journaling nothing: after a crash the cockpit
 * resumes the windows where they were instead of starting them again. */
int watch_rebuild(struct watch *w, struct journal *j, struct error *err);

/* Judges every criterion; appends one `criterion` event per change (actor
 * "engine"). Returns the number of changes, or -1 on a journal error. */
int watch_judge(struct watch *w, const struct session *s, int64_t now_ms,
                struct journal *j, struct error *err);

#endif
