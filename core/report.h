/* report.h — the post-mortem of a ceremony, built from its journal alone:
 * whether the chains verified, the outcome, who took part, how long the
 * flag sat at each percentage, every abort with its latencies, the worst
 * value of each signal against its threshold, and the timeline in words.
 * A fold over the journal like every other reader; the front end
 * (tui/cmd_report.c) only prints it as JSON or Markdown. */
#ifndef CUTOVER_REPORT_H
#define CUTOVER_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "reportdata.h"

struct report_participant {
    char name[64], role[32];
    int64_t first_ms;          /* their first console or act */
    size_t acks;
};

/* How long the flag read each percentage (confirmed by read-back). */
struct report_time_at {
    double percent;
    int64_t ms;
};

struct report_abort {
    int64_t seq;
    int manual;                 /* the commander typed ABORT */
    char cause[240];
    char criterion[200];        /* as written; "" by hand */
    int has_value;
    double value;               /* the deciding value */
    int is_percent;             /* the criterion's threshold was written in % */
    double from_percent, to_percent;
    /* times (ms since the epoch; 0 = not on record) */
    int64_t breach_ms, abort_ms, set_ms, confirmed_ms, effective_ms;
};

/* One sample of a signal, for the charts: no value is a gap. */
struct report_point {
    int64_t ts_ms;
    double value;
    int has_value;
};

/* The flag read back at a new percentage: a mark on every chart. */
struct report_mark {
    int64_t ts_ms;
    double percent;
};

struct report_signal {
    char name[64];              /* the runbook's */
    char op[4];                 /* the first criterion's on it: ">", or "" */
    int has_threshold, is_percent;
    double threshold;
    int has_worst;
    double worst;               /* the farthest toward breaching */
    int64_t worst_ms;
    size_t samples, no_data;
    struct report_point *points;   /* every sample, in order (owned) */
};

/* A rollback plan (## Rollback / ### Phase N) that no longer applies: a
 * point of no return (core/noreturn.h) at or after its phase was taken. */
struct report_void_plan {
    char phase[16], title[120];
    char by[300];               /* "step 5.2 (make old read-only) was taken" */
};

/* The timeline's own lines, beside the events': the session's start
 * (before its first event), each phase completed (after the event that
 * completed it) and each ramp step's hold (after the advance, abort or
 * halt that ended it); their seq is that event's. */
#define REPORT_SESSION_START "session_start"
#define REPORT_PHASE_COMPLETE "phase_complete"
#define REPORT_STEP_HELD "step_held"

struct report_line {
    int64_t seq, ts_ms;
    char kind[32];
    char actor[96];
    char *text;                 /* the event in words (owned) */
    int derived;                /* 1: a line of the report's own (above), not an event */
};

struct report {
    char path[1024];
    int verified;               /* both chains intact */
    char bad_table[16];
    int64_t first_bad_seq;
    char bad_reason[256];
    int64_t n_events, n_samples;

    char title[200];
    char sha256[65];
    const char *outcome;        /* "completed", "aborted", "halted", "in progress", "not started" */
    char outcome_text[300];
    double last_percent;        /* the flag as last read back */
    int has_last_percent;
    int64_t started_ms, ended_ms;
    double test_clock;          /* a console ran on a test clock this many times
                                 * faster than real time; 0: a real ceremony's */

    struct report_participant *people;
    size_t n_people;
    struct report_time_at *time_at;
    size_t n_time_at;
    struct report_mark *marks;
    size_t n_marks;
    struct report_abort *aborts;
    size_t n_aborts;
    struct report_signal *signals;
    size_t n_signals;
    struct report_line *timeline;
    size_t n_timeline;
    size_t n_acks, n_overrides, n_notes, n_halts;

    /* the cleanup (core/cleanupdue.h): its deadline and the last check */
    char cleanup_rule[200];       /* "due 30 days after the ramp reaches 100 %"; "" no deadline */
    int64_t cleanup_due_ms;       /* 0: not known (the ramp did not reach its end) */
    int64_t cleanup_checked_ms;   /* the last `cutover cleanup`; 0: never */
    int cleanup_done;             /* it found every item OK */
    char cleanup_summary[200];
    char no_way_back[300];      /* what burnt the way back, "" when nothing did */
    struct report_void_plan *void_plans;
    size_t n_void_plans;
    struct report_data data;    /* backfill, compare, samples, writer audit */
};

/* Builds the report of the journal at path, opened read-only (nothing is
 * written to it). A journal whose chains fail to verify is still reported,
 * with verified = 0 and where it broke. 0, or -1 with err set. */
int report_build(const char *path, struct report *r, struct error *err);
void report_free(struct report *r);
/* "6 acknowledgements, 1 abort, 0 halts, 2 overrides, 0 notes". */
void report_counts_text(const struct report *r, char *buf, size_t len);

/* The cleanup in one line at now_ms ("" when the runbook set no deadline):
 * the due date and the days left, how long it is overdue, or done; then
 * the last check. *state (may be NULL) gets "no deadline", "not due yet",
 * "left", "overdue" or "done". */
void report_cleanup_line(const struct report *r, int64_t now_ms, char *buf, size_t len,
                         const char **state);

#endif
