/* noreturn.h — points of no return: a step (or a phase) marked
 * `{irreversible}` — stop dual-write, make old read-only, drop the old
 * columns, archive the flag. Once one is taken there is no old system to
 * roll back to: the engine's mode is NO WAY BACK, an abort criterion that
 * fires halts (an incident) instead of moving the flag, and a manual abort
 * does the same. A pure reading of the fold. */
#ifndef CUTOVER_NORETURN_H
#define CUTOVER_NORETURN_H

#include <stddef.h>

#include "runbook.h"

struct session;

/* 1 when step st (or the phase p) is marked {irreversible}. */
int noreturn_step(const struct rb_step *st);
int noreturn_phase(const struct rb_phase *p);

/* 1 when an irreversible step was taken or an irreversible phase completed
 * (what in words: "step 5.2 (make old read-only)"); else 0. */
int noreturn_taken(const struct session *s, char *what, size_t len);

/* May irreversible step i be taken now? 0 yes (or it is not irreversible);
 * -1 with the unmet condition in words: the ramp has not reached its last
 * step, or a criterion is not clear (every one judged OK). */
int noreturn_ack_refusal(const struct session *s, size_t i, char *reason, size_t len);

#endif
