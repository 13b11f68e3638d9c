/* datafold.h — the data engine's jobs as the journal tells them, for the
 * backfill and compare panels, the ETA and the console that runs the jobs:
 * the driver's `data_job` events (started, finished, diverged, failed,
 * stopped), the comparison's `compare_progress`, `divergence` and `compare`
 * events, and a run by hand that stopped on an error (`data_failed`:
 * failed, until its kind's next progress says it runs again, "resumed").
 * The backfill's own checkpoints are folded by bfprogress.h.
 * Folded by session_apply, so a joined console and a replay show the same. */
#ifndef CUTOVER_DATAFOLD_H
#define CUTOVER_DATAFOLD_H

#include <stdint.h>

#include "events.h"
#include "journal.h"

enum datafold_kind { DATA_BACKFILL, DATA_COMPARE, DATA_WRITERS, DATA_KINDS };

#define DATAFOLD_CAUSES 8    /* as canon.h's causes, in its order */
#define DATAFOLD_DIVS 6      /* the newest divergences kept for the panel */

/* The driver's view of one kind of job, from its newest data_job event. */
struct datafold_job {
    int seen;                 /* a data_job event of this kind was folded */
    char state[16];           /* started, watched, finished, diverged, failed, stopped, requested;
                               * resumed: a run by hand progresses after its data_failed */
    char step[32];
    long pid;
    char host[64];
    int exit_status;          /* -1 when it did not exit (a signal, or unknown) */
    int signal;
    int attempt;
    double retry_s;
    char why[160];
    int64_t ts_ms, started_ms;
    int failures;             /* failed runs since the last start that did not fail */
    int starts;               /* started events of this kind, every run (the report's) */
    int64_t first_started_ms; /* the first of them; 0 when none */
    int failed_runs;          /* every run that failed (data_job failed, data_failed) */
    char last_failure[160];   /* … the newest one's words */
};

struct datafold_div {
    int64_t seq, ts_ms;
    char key[64];
    char cause[32];
    char diff[200];           /* "total_cents: 1200 → 1300; note: \"\" → null" */
};

/* The comparison now running or last run. */
struct datafold_compare {
    int seen;                 /* any compare_progress, divergence or compare event */
    int64_t rows, total, ranges, divergent;
    int64_t by_cause[DATAFOLD_CAUSES];
    double rate;              /* rows verified per second, as the engine measured */
    char cursor[64];
    int64_t last_ms;          /* the newest progress */
    int finished, diverged;   /* the run's `compare` result was folded */
    int64_t rows_old, rows_new;
};

/* Samples (`compare --sample N`): each proves nothing of the whole table,
 * so they are kept apart from the comparison above; the newest one's
 * figures, and how many were run. */
struct datafold_sample {
    int runs;                 /* compare events with a sample */
    int64_t keys, found, divergent;   /* keys drawn, rows found in new, divergent rows */
    double rate, rate_low, rate_high; /* divergent / keys and its 95 % Wilson interval */
    int64_t ts_ms;
};

struct datafold {
    struct datafold_job jobs[DATA_KINDS];
    struct datafold_compare cmp;
    struct datafold_sample sample;
    struct datafold_div divs[DATAFOLD_DIVS];  /* a ring, the newest at next - 1 */
    int n_divs, next_div;
    int64_t n_div_events;     /* every divergence event folded */
    int64_t controls;         /* backfill_control events */
    int64_t control_ms;
    char control[80];         /* the newest, in words: "paused", "rate 500 rows/s" */
    int64_t pauses_asked;     /* backfill_control events that paused */
    int pause_said;           /* a backfill_control paused or resumed the copy */
    int paused;               /* … and the newest of those paused it: the control row's
                               * state, which a copy started again keeps (a change of
                               * rate alone leaves it as it was) */
};

/* Folds the events above (b already validated); others are left alone. */
void datafold_apply(struct datafold *d, const struct journal_event *ev,
                    const struct event_body *b);

/* "backfill" or "compare"; DATA_KINDS for another word. */
const char *datafold_kind_name(enum datafold_kind k);
enum datafold_kind datafold_kind_of(const char *word);

/* 1 while the newest data_job event of kind k says started, or watched (a
 * copy started elsewhere runs it; the console watches). */
int datafold_running(const struct datafold *d, enum datafold_kind k);
/* 1 when a console's job of kind k ended short of its end (failed or
 * stopped) and has not run again: its last rate is no rate. */
int datafold_ended_short(const struct datafold *d, enum datafold_kind k);

/* The i-th newest divergence (0 = newest), or NULL. */
const struct datafold_div *datafold_div(const struct datafold *d, int i);

/* When the comparison now running ends at its measured rate, or 0 when
 * that cannot be known (no rate, no total). */
int64_t datafold_compare_end(const struct datafold *d);

/* The cause's name in canon.h's order ("missing-in-new"). */
const char *datafold_cause_name(int i);

#endif
