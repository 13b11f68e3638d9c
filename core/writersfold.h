/* writersfold.h — the writer audit as the journal tells it: the newest
 * audit's table (a `writers` event, for the writers panel), and the
 * unknown writers (`unknown_writer` events) that hold the steps needing
 * the audit until a later audit finds them declared or the commander
 * overrides the `writers` step with a written reason. Part of the fold
 * (session.h): fixed-size, so a session copies by assignment; nothing
 * here reads a clock, a database or the journal.
 *
 * Which steps need the audit: a step marked `{needs=writers}`, every
 * step of a phase whose heading is, and — when the runbook has a
 * `writers` step — every `{irreversible}` step (core/noreturn.h). */
#ifndef CUTOVER_WRITERSFOLD_H
#define CUTOVER_WRITERSFOLD_H

#include <stddef.h>
#include <stdint.h>

#include "journal.h"
#include "runbook.h"

#define WF_ROWS 32       /* rows of the newest audit kept for the panel */
#define WF_LIMITS 4      /* the statistics' limits kept (pgw_limits gives three) */
#define WF_UNKNOWN 32    /* unknown writers kept by name; more still hold */

/* One row of the audit's table, as `cutover writers` prints it. */
struct wf_row {
    char writer[96], seen[40], ops[48], app[64], role[64], code[160];
    long long statements;             /* distinct statements seen; -1: not journaled */
    long long calls, rows, skipped;   /* -1: not known */
    int declared;
    int unknown;                      /* not declared, or declared and still unknown */
    int dual_writes;                  /* -1: not known (undeclared) */
};

enum wf_resolution { WF_OPEN, WF_DECLARED, WF_OVERRIDDEN };

struct wf_unknown {
    char writer[96], seen[40], app[64], role[64], ops[48], code[160], why[160];
    int64_t seq, ts_ms;               /* the newest `unknown_writer` event */
    enum wf_resolution resolved;
    int64_t resolved_seq;
    char resolution[240];             /* "declared as `rogue job`", "overridden by …: reason" */
};

struct writersfold {
    int audited;                      /* an audit of the runbook in force was folded */
    int64_t audit_seq, audit_ms;
    char table[128], sources[64];
    size_t n_writers, n_unknown_audit;
    long long skipped_rows;           /* -1: not looked for */
    int other_runbook;                /* the newest audit read another runbook (ignored) */
    char limits[WF_LIMITS][400];      /* the statistics' limits, in sentences */
    size_t n_limits;
    struct wf_row rows[WF_ROWS];
    size_t n_rows, rows_cut;          /* rows_cut: listed by the audit, not kept */
    struct wf_unknown unknown[WF_UNKNOWN];
    size_t n_unknown;
    size_t unlisted_open;             /* open unknown writers past WF_UNKNOWN */
};

struct session;
struct event_body;

/* Folds a `writers`, `unknown_writer` or `override` (guard `step:ID` of a
 * `writers` step) event; others are ignored. */
void writersfold_apply(struct session *s, const struct journal_event *ev,
                       const struct event_body *b);

/* Unknown writers journaled and not resolved. */
size_t writersfold_open(const struct writersfold *f);

/* The `writers` step's action is done: an audit of the runbook in force
 * was folded and no unknown writer is open. */
int writersfold_clean(const struct writersfold *f);

/* The first `writers` step of rb, or -1. */
ptrdiff_t writersfold_step(const struct runbook *rb);

/* 1 when step i needs the audit (see above). */
int writersfold_needs(const struct runbook *rb, size_t i);

/* -1 with the reason naming the first open unknown writer when step i
 * needs the audit and one is open; 0 otherwise. */
int writersfold_ack_refusal(const struct session *s, size_t i, char *reason, size_t len);

#endif
