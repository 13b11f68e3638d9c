/* stepaction.h — steps that are gates: a step with an action is done when
 * its action is, not when someone presses a key.
 *
 *   ramp       when the ramp's last step is confirmed (the flag read back
 *              at its percentage): traffic moved, or the step is open.
 *   backfill   when a `backfill` event of the runbook's table says done.
 *   compare    when a `compare` event found no divergence.
 *   preflight  when a `preflight` event passed.
 *   writers    when a `writers` audit of the runbook in force found no
 *              unknown writer and none journaled before is still open
 *              (core/writersfold.h).
 *
 * Such a step is completed by the fold, as the engine ("cutover", role
 * "engine"), at the event that makes it so — or later, at the event that
 * makes it the step's turn (a backfill that finished before its step's
 * phase began completes the step when the phase does). A backfill, compare
 * or preflight step may also be completed by the commander's `override`
 * (guard "step:ID") with a written reason; the ramp step never is.
 * The override of a `writers` step also accepts the unknown writers open
 * then; while one is open, the done step may be overridden again. Pure functions of the
 * session: nothing here reads a clock, the journal or a database. */
#ifndef CUTOVER_STEPACTION_H
#define CUTOVER_STEPACTION_H

#include <stddef.h>

#include "error.h"
#include "journal.h"
#include "runbook.h"

/* What the fold has seen of the actions, newest result first: kept in the
 * session so a result that came before its step's turn still counts. */
struct stepaction_facts {
    int backfill_done;     /* the newest backfill event of the runbook's table said done */
    int compare_clean;     /* the newest compare found no divergence */
    int preflight_passed;  /* the newest preflight passed */
};

/* Who the fold names as having completed a step by its action. */
#define STEPACTION_ENGINE_NAME "cutover"
#define STEPACTION_ENGINE_ROLE "engine"
/* The role recorded for a step completed by the commander's override. */
#define STEPACTION_OVERRIDE_ROLE "override"
/* The guard of an override that completes a step: "step:" and its id. */
#define STEPACTION_GUARD_PREFIX "step:"

struct session;
struct event_body;

/* 1 when steps with action a complete themselves (ack is refused). */
int stepaction_completes_itself(enum rb_action a);

/* 1 when the commander may complete a step with action a by override. */
int stepaction_overridable(enum rb_action a);

/* How step st completes, in words for a person ("step 4.3 completes itself
 * when the ramp reaches 100 %"). */
void stepaction_how(const struct runbook *rb, const struct rb_step *st, char *buf, size_t len);

/* The first open step that must be done before step i may be taken (any
 * open step of an earlier, unfinished phase; else the first open step above
 * it in its phase, unless one of the two says {any order}), or -1. */
ptrdiff_t stepaction_open_before(const struct session *s, size_t i);

/* Called by ceremony_ack_decide: -1 with the reason when step i is done by
 * its action and not by an acknowledgement, or an unknown writer holds it
 * (writersfold.h); 0 otherwise. */
int stepaction_refuse_ack(const struct session *s, size_t i, char *reason, size_t len);

/* May this role complete step_id by override with this reason now? 0 yes;
 * -1 no, with the reason in words. */
int stepaction_override_decide(const struct session *s, const char *step_id, const char *role,
                               const char *text, char *reason, size_t len);

/* 1 when an override's guard names a step ("step:ID"): such an override
 * completes a step and overrides no guard of the ramp. */
int stepaction_is_step_guard(const char *guard);

/* Folds what an event tells about the actions (backfill, compare,
 * preflight, a step override), then completes every action step whose
 * action is done and whose turn has come. Called by session_apply for
 * every event with its validated body. 0, or -1 with why in err (NULL:
 * not reported) when a step override names no step an override completes. */
int stepaction_apply(struct session *s, const struct journal_event *ev,
                     const struct event_body *b, struct error *err);

#endif
