/* marks.h — the moments a chart and the timeline mark, kept by the fold:
 * when each ramp step was confirmed (its hold began), and where aborts,
 * halts, resumes, overrides, acknowledgements and notes fell. Two fixed
 * rings (the steps apart, so a flood of acks never pushes them out). */
#ifndef CUTOVER_MARKS_H
#define CUTOVER_MARKS_H

#include <stddef.h>
#include <stdint.h>

#include "journal.h"
#include "ramp.h"

enum mark_kind {
    MARK_STEP,      /* a ramp step confirmed: its hold starts */
    MARK_ABORT,
    MARK_HALT,
    MARK_RESUME,
    MARK_OVERRIDE,  /* an override, a flag restored or accepted */
    MARK_ACK,
    MARK_NOTE,
    MARK_KINDS
};

struct mark {
    int64_t ts_ms;
    unsigned char kind;   /* enum mark_kind */
    short step;           /* MARK_STEP: index into rb->ramp */
    float percent;        /* MARK_STEP: the step's share of traffic */
};

#define MARKS_STEPS 64
#define MARKS_OTHER 448

struct marks {
    struct mark steps[MARKS_STEPS], other[MARKS_OTHER];
    size_t n_steps, n_other;   /* held, up to the ring's size */
    size_t next_step, next_other;
};

/* Notes what event ev did, given the ramp before and after its fold. */
void marks_note(struct marks *m, const struct journal_event *ev, const struct runbook *rb,
                const struct ramp_view *before, const struct ramp_view *after);

/* The i-th oldest step mark / other mark held, or NULL. */
const struct mark *marks_step(const struct marks *m, size_t i);
const struct mark *marks_other(const struct marks *m, size_t i);

/* The mark kind of an event kind, or -1 when it is not one a chart marks. */
int marks_kind_of(const char *kind);

/* The journal panel's kind filters: 1 aborts (with halts, resumes, the
 * rollback done and effective), 2 acks (and refused ones), 3 overrides
 * (the flag restored or accepted), 4 notes; 0 takes every kind. */
#define MARKS_FILTERS 5
int marks_filter_matches(int filter, const char *kind);

/* 1 when some kind filter takes this event kind: the fold keeps such
 * events apart from the tail (session_kept), so a busy journal never
 * pushes them out of the filter's reach. */
int marks_filtered(const char *kind);

/* One character for a kind on a chart or the timeline ('A' abort, …). */
char marks_glyph(enum mark_kind kind);

#endif
