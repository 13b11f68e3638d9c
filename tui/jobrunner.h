/* jobrunner.h — the driving console runs the steps' data jobs: when a
 * `backfill` or `compare` step's turn comes (every step before it done),
 * it starts the same binary as a child process (`cutover backfill RUNBOOK
 * --journal J`, `cutover compare RUNBOOK --journal J`), its output to a log
 * beside the journal; reaps it without blocking on the loop's tick;
 * journals each start, end and failure (`data_job`); starts a failed job
 * again with back-off (the backfill resumes from its checkpoint), never a
 * comparison that diverged; adopts, after a take-over or a restart, a job
 * the previous driver left running rather than start a second copy, and
 * journals once the end of one that ended unseen when its own events say
 * how (a compare's result); watches, never stops, a backfill another copy
 * runs (started by hand: its child exits EXIT_HELD); lets go of its jobs
 * when it loses the lease; and stops its jobs (SIGTERM) when the console
 * quits while it still drives.
 *
 * Every console also sends the backfill's controls (pause, resume, a rate)
 * through the script path (`cutover backfill RUNBOOK --pause --journal J`),
 * as a child: nothing here waits on the loop. */
#ifndef CUTOVER_JOBRUNNER_H
#define CUTOVER_JOBRUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "core/ceremony.h"

struct jobrunner;

/* c and journal_path must outlive the runner. NULL on OOM. */
struct jobrunner *jobrunner_new(struct ceremony *c, const char *journal_path);
void jobrunner_free(struct jobrunner *r);

/* One look, from the loop (driving: this console runs the jobs). Returns
 * 1 when something changed, with words for the status line in msg (alert
 * set when they are bad news). Never waits. */
int jobrunner_tick(struct jobrunner *r, int driving, int64_t now_ms, char *msg, size_t len,
                   int *alert);

/* 1 while a job of this console runs, with it in words in why; 0 once it
 * lost the lease (the new driver's to stop), and for a copy started
 * elsewhere. */
int jobrunner_busy(const struct jobrunner *r, char *why, size_t len);

/* Stops this console's jobs (SIGTERM, then SIGKILL after two seconds) and
 * journals that they stopped; nothing once it lost the lease. */
void jobrunner_stop(struct jobrunner *r, int64_t now_ms);

/* The backfill's control from the screen: what is "--pause", "--resume" or
 * "--rate" (value: rows/s). 0 sent (msg says so), -1 refused (msg says why). */
int jobrunner_control(struct jobrunner *r, const char *what, const char *value, char *msg,
                      size_t len);

#endif
