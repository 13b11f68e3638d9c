/* bfprogress.h — the backfill's progress as its journaled `backfill`
 * events tell it (rows copied, the total, the rate measured between
 * checkpoints), so the ETA can say how long the copy has left. Folded by
 * session_apply like everything else that is shown. */
#ifndef CUTOVER_BFPROGRESS_H
#define CUTOVER_BFPROGRESS_H

#include <stdint.h>

#include "events.h"
#include "journal.h"

#define BF_PROGRESS_JOBS 4   /* jobs past this many are counted, not followed */

struct bf_job {
    char job[64];          /* `backfill:TABLE` */
    int64_t rows, total;   /* total: 0 when no event said it */
    int done, paused;
    int64_t last_ms;       /* the newest checkpoint */
    int64_t run_ms, run_rows; /* where the rate is measured from: this run's first checkpoint */
    char cursor[64];       /* the checkpoint: the last key copied */
    int64_t batch;         /* the batch size in force (0: not said) */
    double rate_limit;     /* rows/s the job is held to (0: none) */
    char throttled[120];   /* why a signal holds it back ("replica_lag 7.2 s > 5 s"), "" when none */
    /* over the whole journal, for the report */
    int64_t first_ms, done_ms;  /* the first checkpoint; the one that said done (0: not yet) */
    int64_t first_rows;         /* rows at the first checkpoint */
    int64_t throttled_ms;       /* time held back by a throttle, up to throttled_since */
    int64_t throttled_since;    /* when the throttle now in force began; 0 when none */
    int pauses;                 /* times it went from running to paused */
    int rewinds;                /* times its rows went back (a `--restart` copying again) */
};

struct bf_progress {
    struct bf_job jobs[BF_PROGRESS_JOBS];
    int n_jobs;
    int untracked;         /* events of jobs past BF_PROGRESS_JOBS */
};

/* Folds a `backfill` event (b already validated); other kinds are left alone. */
void bf_progress_apply(struct bf_progress *p, const struct journal_event *ev,
                       const struct event_body *b);

/* The measured rate in rows/s of job j, 0 when it cannot be measured yet
 * (one checkpoint, no rows moved since the run began, or paused). */
double bf_progress_rate(const struct bf_job *j);

/* The time job j was held back by a throttle up to now_ms (one still in
 * force counts until now_ms). */
int64_t bf_progress_throttled_ms(const struct bf_job *j, int64_t now_ms);

#endif
