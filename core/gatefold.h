/* gatefold.h — the gates as the journal tells them: each gate's last
 * verdict (a `gate` event, journaled by the driving console), the
 * commander's overrides (`override` with guard `gate:<id>`), and which
 * phases have completed — latched at the event where a phase's steps were
 * all acknowledged and its exit gates open, so a gate that closes later
 * does not undo a finished phase. Part of the fold (session.h): nothing
 * here reads a clock; the one rule that needs the time takes it. */
#ifndef CUTOVER_GATEFOLD_H
#define CUTOVER_GATEFOLD_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "gate.h"
#include "journal.h"
#include "runbook.h"

/* The driving console journals a verdict when its state changes, and at
 * most (and, while it matters, at least) this often while it stands. */
#define GATE_REFRESH_MS 60000
/* An acknowledgement needs a verdict judged within this: three refreshes. */
#define GATE_FRESH_MS (3 * GATE_REFRESH_MS)

struct gate_view {
    int judged;
    enum gate_state state;
    double worst;             /* NaN: no value in the window */
    double covered;           /* 0..1 */
    int64_t opens_at_ms;      /* 0: unknown until data comes */
    int64_t judged_ms;        /* the verdict's event time */
    char source[16];          /* "journal", "prometheus" */
    char why[240];
    int overridden;           /* the commander overrode it */
    int64_t override_ms;
    char override_by[96];
    char override_reason[200];
};

struct gatefold {
    struct gate_view *gates;       /* one per rb->gates[i] */
    unsigned char *phase_done;     /* per phase: completed (latched) */
};

struct session;
struct event_body;

int gatefold_init(struct gatefold *g, const struct runbook *rb);
void gatefold_free(struct gatefold *g);
/* dst a deep copy of src (same runbook); -1 on OOM (dst then empty). */
int gatefold_copy(struct gatefold *dst, const struct gatefold *src, const struct runbook *rb);

/* 1 when b is an override of a gate (guard `gate:…`). */
int gatefold_is_override(const struct event_body *b);
/* Folds a `gate` event or a gate's override. 0, or -1 a fault (err). */
int gatefold_apply(struct session *s, const struct journal_event *ev,
                   const struct event_body *b, struct error *err);

/* The gate with this id ("gate:phase2", or "phase2"), or -1. */
ptrdiff_t gatefold_find(const struct runbook *rb, const char *id);
/* 1 when gate i lets things pass: open in its last verdict, or overridden. */
int gatefold_passes(const struct session *s, size_t i);
/* 1 when every exit gate of phase p passes (a phase without any: 1). */
int gatefold_exit_open(const struct session *s, size_t p);

/* The earliest time every gate still waited for before the ramp can open:
 * those of steps not yet done and of phases not yet complete, up to the
 * phase of the `ramp` step (every phase when there is none). 0 when none
 * waits; -1 (ETA_UNKNOWN) when one has no verdict or no known opening. */
int64_t gatefold_earliest_open(const struct session *s);

/* The acknowledgement rules (ceremony_ack_decide): -1 with the reason
 * when a gate of step `step` does not pass; the same when phase p's steps
 * are all acknowledged but an exit gate holds it; and, given the time,
 * when a gate's verdict is older than GATE_FRESH_MS. 0 otherwise. */
int gatefold_step_refusal(const struct session *s, size_t step, char *reason, size_t len);
int gatefold_phase_refusal(const struct session *s, size_t p, char *reason, size_t len);
int gatefold_fresh_refusal(const struct session *s, size_t step, int64_t now_ms, char *reason,
                           size_t len);

/* The gate that blocks now, for the commander's override: the current
 * phase's first exit gate that does not pass once its steps are all
 * acknowledged, else the first gate of step `selected` that does not
 * pass; -1 when none. */
ptrdiff_t gatefold_blocking(const struct session *s, size_t selected);

/* "OPEN", "CLOSED", "INSUFFICIENT", "NOT JUDGED", "OVERRIDDEN". */
const char *gatefold_word(const struct session *s, size_t i);

#endif
