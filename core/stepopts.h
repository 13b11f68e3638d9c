/* stepopts.h — the {key=value} options an action step takes, in one
 * table, and the one parser of each value. The driving console turns a
 * step's options into the command line of the job it runs
 * (tui/jobrunner.c); the job reads the same value back from that command
 * line through the same parser (tui/datacmd.c, tui/cmd_writers.c), and
 * `cutover check` and `cutover run` judge the runbook's values with it
 * too (stepopts_check), so a bad value is named at its line before any
 * job starts — not shown as a failed job retried with back-off.
 *
 *   backfill  rate=N      --rate N: rows per second, 0 or more (0: none)
 *             batch=N     --batch N: the first batch's rows, 1 or more
 *             throttle="" read from the runbook by the job (throttle.h)
 *   writers   code=DIR    --code DIR: a directory that can be read,
 *                         relative to where the console runs
 *             capture=D   --capture D: a duration over 0 (30s, 10m)
 *
 * Every step also takes #id, `any order`, `irreversible` and `needs=`
 * (runbooks/README.md). Any other key on an action step is a warning: a
 * runbook written for a newer version still loads. */
#ifndef CUTOVER_STEPOPTS_H
#define CUTOVER_STEPOPTS_H

#include <stddef.h>
#include <stdint.h>

#include "runbook.h"

/* The parsers: 0 with the value, or -1 with what is wanted in words in
 * wants ("rows per second: a number, 0 or more (0: no limit)"). */
int stepopts_rate(const char *text, double *rows_per_s, char *wants, size_t len);
int stepopts_batch(const char *text, long *rows, char *wants, size_t len);
int stepopts_capture(const char *text, int64_t *ms, char *wants, size_t len);
int stepopts_code(const char *dir, char *wants, size_t len);

struct stepopt {
    enum rb_action action;
    const char *key;   /* in the runbook: rate */
    const char *flag;  /* on the job's command line: --rate; NULL: the job reads the runbook */
};

/* The options action a takes, in the order the job's command line lists
 * them: *n of them (0 for an action that takes none). */
const struct stepopt *stepopts_of(enum rb_action a, size_t *n);

struct stepopts_problem {
    int line;
    int warning;       /* 1: an option the action does not know */
    char msg[400];
};

struct stepopts_problems {
    struct stepopts_problem *v;
    size_t n, n_errors;
};

/* Judges every action step's options: each bad value (an error) and each
 * key the action does not take (a warning), at the step's line. 0, or -1
 * out of memory. Reads the file system for code= (relative paths from the
 * current directory, as the job resolves them). */
int stepopts_check(const struct runbook *rb, struct stepopts_problems *out);
void stepopts_problems_free(struct stepopts_problems *p);

#endif
