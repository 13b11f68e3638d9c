/* eta.h — one estimate for the whole ceremony: when the last ramp step
 * can be set, at the earliest, and what that time is made of (the gates'
 * earliest opening, the backfill's remaining copy, the comparison, the
 * ramp's remaining holds, and the waits for the cutover window), with the
 * part that dominates it. A pure function of the runbook, the folded
 * session and the time; a part that cannot be known makes the estimate
 * unknown, and says why, rather than a guess. */
#ifndef CUTOVER_ETA_H
#define CUTOVER_ETA_H

#include <stddef.h>
#include <stdint.h>

#include "runbook.h"
#include "session.h"

/* Times that other parts of the program know and the fold does not (yet).
 * Each is ETA_UNKNOWN when there is something to wait for and its time
 * cannot be known, a wall time in ms when it can, or 0: nothing known
 * beyond the fold (for the comparison: unknown while a `compare` step is
 * open, nothing to wait for once it is acknowledged). */
#define ETA_UNKNOWN (-1)
struct eta_inputs {
    /* The gates' earliest opening: steps and phases that wait for
     * `{gate: SIGNAL < X for 1h}` (the gate fold, being built in another
     * branch, fills this in; until then callers pass 0). */
    int64_t gates_open_at_ms;
    /* The comparison's end: `compare` journals only its result, so its
     * remaining time needs a progress event the data engine does not
     * write yet; whoever adds one sets this. */
    int64_t compare_done_at_ms;
};

enum eta_part {
    ETA_NONE,
    ETA_GATES,      /* waiting for the gates to open */
    ETA_BACKFILL,   /* waiting for the backfill to finish copying */
    ETA_COMPARE,    /* waiting for the comparison */
    ETA_HOLDS,      /* the ramp's remaining holds */
    ETA_WINDOW,     /* waiting for the cutover window */
};

struct eta {
    int nothing;              /* nothing left to estimate: no ramp and no data work,
                               * or the ramp complete */
    int known;                /* at_ms is the estimate; else unknown says why */
    int64_t at_ms;            /* when the last ramp step can be set, at the earliest */
    char unknown[120];        /* "the backfill's rate is not measured yet" */
    char unknown_part[16];    /* "backfill": what it is about, in a word */

    int64_t ramp_from_ms;     /* when the ramp can go on: after gates and data work */
    enum eta_part ramp_waits_for; /* what sets ramp_from_ms (ETA_NONE: now) */
    int64_t holds_ms;         /* the ramp's remaining holds (the step in progress included) */
    int64_t window_wait_ms;   /* time spent waiting for the window */
    int64_t window_opens_ms;  /* the first window the ramp waits for (0: it does not wait) */
    int64_t backfill_end_ms;  /* 0: no backfill to wait for */
    enum eta_part dominant;   /* the largest part of at_ms - now */
    int64_t dominant_ms;
};

/* The estimate at now_ms. in may be NULL (no gates, no comparison time). */
struct eta eta_compute(const struct runbook *rb, const struct session *s,
                       const struct eta_inputs *in, int64_t now_ms);

/* "ETA 15:40 (ramp holds 1h10m, window opens 14:00)"; the date is added
 * when the estimate is not on now's day ("ETA 12-04 15:40 (…)");
 * "ETA unknown: WHY" ("ETA ? backfill" when brief); "" when there is nothing to estimate. `brief` keeps
 * only the dominant part ("ETA 15:40 holds"), for a narrow screen. */
void eta_describe(const struct eta *e, int64_t now_ms, int brief, char *buf, size_t len);

const char *eta_part_name(enum eta_part p);   /* "ramp holds", "window", … */

#endif
