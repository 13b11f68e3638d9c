/* cleanupdue.h — the cleanup deadline: when it falls, as the runbook's
 * `deadline:` (## Cleanup) sets it against the ceremony, and what the
 * journal says about the cleanup (the due date journaled once, the last
 * `cutover cleanup` run). The anchor of a relative deadline ("30d after
 * cutover") is the moment the ramp is first confirmed at its last step.
 * Pure: the time is always an argument. */
#ifndef CUTOVER_CLEANUPDUE_H
#define CUTOVER_CLEANUPDUE_H

#include <stddef.h>
#include <stdint.h>

#include "runbook.h"

struct event_body;
struct journal_event;
struct ramp_view;

#define CLEANUP_DAY_MS (24LL * 3600 * 1000)
#define CLEANUP_MAX_MS 253402300800000LL   /* 10000-01-01: no date is later */

/* What the fold knows of the cleanup (a plain value: sessions copy it). */
struct cleanup_view {
    int64_t anchor_ms;          /* the ramp first confirmed at its last step; 0: not yet */
    int64_t due_ms;             /* from the `cleanup_due` event; 0: none journaled */
    int64_t due_seq;
    int64_t checked_ms;         /* the newest `cleanup_check`; 0: never run */
    int check_done;             /* it found every item OK */
    char check_summary[200];
    int64_t check_write_calls;  /* the write calls it counted; -1: none */
    char check_write_roles[300]; /* per role, "checkout=3,importer=5" */
    int64_t check_stats_reset_ms;
};

void cleanup_view_init(struct cleanup_view *v);

/* Folds one event (after the ramp's fold, whose state r is). */
void cleanup_view_apply(struct cleanup_view *v, const struct ramp_view *r,
                        const struct journal_event *ev, const struct event_body *b);

/* When the cleanup is due: an absolute `deadline: YYYY-MM-DD` at the end
 * of that day (UTC), whatever the anchor; a relative one anchor_ms + the
 * duration, or 0 while anchor_ms is 0. 0 too when the runbook has no
 * deadline. */
int64_t cleanup_due_at(const struct runbook *rb, int64_t anchor_ms);

/* The due date in force: the journaled one, else the one the runbook and
 * the anchor give (0: not known yet). */
int64_t cleanup_due(const struct runbook *rb, const struct cleanup_view *v);

/* "1 day left", "3 hours left", "overdue by 1 day", "overdue by 2 hours":
 * the distance rounded to the nearest day (to the nearest hour under half
 * a day, to the minute under half an hour). Returns 1 when overdue. */
int cleanup_left_text(int64_t due_ms, int64_t now_ms, char *buf, size_t len);

/* What the runbook says, in words: "due 30 days after the ramp reaches
 * 100 %", "due 2026-12-31 (the end of that day, UTC)"; "" without a
 * deadline. */
void cleanup_rule_text(const struct runbook *rb, char *buf, size_t len);

/* One line for the screen, `check` and the report: "cleanup due
 * 2026-12-31 14:03 UTC: 1 day left" or the rule while the anchor has not
 * happened; "" without a deadline. Returns 1 when overdue. */
int cleanup_deadline_line(const struct runbook *rb, const struct cleanup_view *v,
                          int64_t now_ms, char *buf, size_t len);

/* The body of the `cleanup_due` event the driving console journals once
 * the ramp has reached its last step (a cJSON object the caller owns), or
 * NULL when there is nothing to journal: no deadline, no anchor yet, or
 * the due date already on record. */
struct cJSON *cleanup_due_event(const struct runbook *rb, const struct cleanup_view *v);

/* "2026-12-31 14:03 UTC" */
void cleanup_date_text(int64_t ms, char *buf, size_t len);

#endif
