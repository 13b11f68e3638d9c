/* noreturn.h — points of no return: a step (or a phase) marked
 * `{irreversible}` — stop dual-write, make old read-only, drop the old
 * columns, archive the flag. Once one is taken there is no old system to
 * roll back to: the engine's mode is NO WAY BACK, an abort criterion that
 * fires halts (an incident) instead of moving the flag, and a manual abort
 * does the same.
 *
 * Such a step needs two people: its owner's `ack` and the commander's
 * `approve`, in either order, from two different persons; it is done at
 * the second of the two. Both are refused while a condition before it is
 * unmet (the ramp at its last step for the runbook's `Monitoring:` period,
 * every criterion clear, its phase's exit gates open), unless the
 * commander overrode the conditions with a written reason (`override`,
 * guard `noreturn:<step id>`). A phase marked {irreversible} burns the way
 * back when it completes: its last step closes it and is such a step
 * (rb_step.closes_irreversible), reached after every other step of the
 * phase. Once taken, the rollback plans of its phase
 * and of every earlier phase are void. The fold's part is here too; the
 * rest is a pure reading of the session, with the time as an argument. */
#ifndef CUTOVER_NORETURN_H
#define CUTOVER_NORETURN_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "journal.h"
#include "runbook.h"

struct session;
struct event_body;

#define NORETURN_GUARD_PREFIX "noreturn:"

/* What the fold keeps per step, for the irreversible ones: the two
 * people, and the commander's override of the conditions. */
struct noreturn_mark {
    int owner_acked;
    int64_t ack_seq, ack_ts_ms;
    char ack_name[64], ack_role[32];
    int approved;
    int64_t approve_seq, approve_ts_ms;
    char approve_name[64];
    int overridden;
    int64_t override_ts_ms;
    char override_by[96];
    char override_reason[200];
};

/* 1 when step st is a point of no return: marked {irreversible}, or the
 * last step of a phase so marked; 1 when phase p is marked. */
int noreturn_step(const struct rb_step *st);
int noreturn_phase(const struct rb_phase *p);

/* The fold (session_apply). An `ack` of irreversible step i by name/role:
 * kept as the owner's half; 1 when the step waits for the approval (the
 * ack does not complete it), 0 when it completes now (approved already,
 * or the step is not irreversible). */
int noreturn_hold_ack(struct session *s, size_t i, const struct journal_event *ev,
                      const char *name, const char *role);
/* 1 when b is an override of an irreversible step's conditions. */
int noreturn_is_override(const struct event_body *b);
/* Folds an `approve`, or an override of guard noreturn:ID. 0, or -1 a
 * fault (err): a step that is not irreversible, or not the runbook's. */
int noreturn_apply(struct session *s, const struct journal_event *ev,
                   const struct event_body *b, struct error *err);

/* 1 when an irreversible step was taken or an irreversible phase completed
 * (what in words: "step 5.2 (make old read-only)"); else 0. */
int noreturn_taken(const struct session *s, char *what, size_t len);

/* 1 when the engine is ARMED: no way back was burnt yet and an abort can
 * still roll back — the runbook has an `abort` criterion, or an
 * irreversible step (or phase) lies ahead; else 0. */
int noreturn_armed(const struct session *s);

/* The conditions before irreversible step i, each met or not, at now_ms. */
#define NORETURN_CONDS 5
struct noreturn_cond {
    char what[96];     /* "the ramp holds at 100%", "30m at 100% (Monitoring:)" */
    int met;
    char state[200];   /* on screen: "since 14:02:10", "12m30s left", "\"p99 > 2\" is firing" */
    char why[240];     /* unmet, in a refusal: the condition in a sentence */
};
/* Fills out (NORETURN_CONDS at most); returns how many there are. */
size_t noreturn_conditions(const struct session *s, size_t i, int64_t now_ms,
                           struct noreturn_cond *out);

/* May irreversible step i be acknowledged or approved now, as far as its
 * conditions go? 0 yes (all met, overridden, or not irreversible); -1 with
 * every unmet condition in words. */
int noreturn_condition_refusal(const struct session *s, size_t i, int64_t now_ms,
                               char *reason, size_t len);

/* The owner's half (ceremony_ack_decide): -1 when the owner acknowledged
 * it already (it waits for the approval), or when name approved it as the
 * commander (one person may not hold both halves). */
int noreturn_ack_refusal(const struct session *s, size_t i, const char *name, char *reason,
                         size_t len);

/* The commander's half: may name in role approve step_id now? The step
 * must be irreversible, reached (earlier phases complete, earlier steps of
 * its phase done), not done nor approved, and not acknowledged by name.
 * 0 yes, -1 with why. The conditions are noreturn_condition_refusal's. */
int noreturn_approve_decide(const struct session *s, const char *step_id, const char *name,
                            const char *role, char *reason, size_t len);

/* May role override the conditions of step_id with this reason? 0, or -1. */
int noreturn_override_decide(const struct session *s, const char *step_id, const char *role,
                             const char *reason, char *why, size_t len);

/* The phases whose rollback plans step i (irreversible) makes void: its
 * own and every earlier one that has a plan, as "2, 3, 4"; how many. */
size_t noreturn_voids(const struct runbook *rb, size_t i, char *list, size_t len);

/* 1 when phase p's rollback plan no longer applies: an irreversible step
 * of phase p or a later one was taken (or such a phase completed); by: what
 * voided it, in words. */
int noreturn_plan_void(const struct session *s, size_t p, char *by, size_t len);

#endif
