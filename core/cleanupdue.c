/* cleanupdue.c — the cleanup deadline's arithmetic and its fold
 * (cleanupdue.h). */
#include "cleanupdue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "events.h"
#include "journal.h"
#include "ramp.h"

void cleanup_view_init(struct cleanup_view *v)
{
    memset(v, 0, sizeof *v);
    v->check_write_calls = -1;
}

void cleanup_view_apply(struct cleanup_view *v, const struct ramp_view *r,
                        const struct journal_event *ev, const struct event_body *b)
{
    if (!v->anchor_ms && r->status == RAMP_COMPLETE && r->step_since_ms > 0)
        v->anchor_ms = r->step_since_ms;
    if (b->kind == EVK_CLEANUP_DUE && !v->due_seq) {
        double due_num = event_num(b, "due_ms", 0);
        int64_t due = due_num > 0 && due_num < CLEANUP_MAX_MS ? (int64_t)due_num : 0;
        if (due > 0) {   /* once: a second record changes nothing; a date past year
                          * 9999 is no date */
            v->due_ms = due;
            v->due_seq = ev->seq;
        }
    } else if (b->kind == EVK_CLEANUP_CHECK) {
        const char *summary = event_str(b, "summary");
        v->checked_ms = ev->ts_ms;
        v->check_done = event_bool(b, "done");
        snprintf(v->check_summary, sizeof v->check_summary, "%s", summary ? summary : "");
        v->check_write_calls = (int64_t)event_num(b, "write_calls", -1);
        v->check_stats_reset_ms = (int64_t)event_num(b, "stats_reset_ms", 0);
        const char *roles = event_str(b, "write_roles");
        snprintf(v->check_write_roles, sizeof v->check_write_roles, "%s", roles ? roles : "");
    }
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The end (UTC) of the day `YYYY-MM-DD` written, or 0. */
static int64_t end_of_date(const char *s)
{
    int y, m, d;
    char tail;
    if (!s || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 ||
        d > 31)
        return 0;
    return (days_from_civil(y, m, d) + 1) * CLEANUP_DAY_MS;
}

int64_t cleanup_due_at(const struct runbook *rb, int64_t anchor_ms)
{
    if (!rb || !rb->cleanup_deadline)
        return 0;
    if (rb->cleanup_after_ms <= 0)
        return end_of_date(rb->cleanup_deadline);
    return anchor_ms > 0 ? anchor_ms + rb->cleanup_after_ms : 0;
}

int64_t cleanup_due(const struct runbook *rb, const struct cleanup_view *v)
{
    return v->due_ms ? v->due_ms : cleanup_due_at(rb, v->anchor_ms);
}

/* "1 day", "3 hours", "12 minutes": rounded to the nearest unit */
static void distance_text(int64_t ms, char *buf, size_t len)
{
    int64_t days = (ms + CLEANUP_DAY_MS / 2) / CLEANUP_DAY_MS;
    int64_t hours = (ms + 1800000) / 3600000;
    int64_t minutes = (ms + 30000) / 60000;
    if (days >= 1)
        snprintf(buf, len, "%lld day%s", (long long)days, days == 1 ? "" : "s");
    else if (hours >= 1)
        snprintf(buf, len, "%lld hour%s", (long long)hours, hours == 1 ? "" : "s");
    else
        snprintf(buf, len, "%lld minute%s", (long long)minutes, minutes == 1 ? "" : "s");
}

int cleanup_left_text(int64_t due_ms, int64_t now_ms, char *buf, size_t len)
{
    char d[48];
    if (now_ms > due_ms) {
        distance_text(now_ms - due_ms, d, sizeof d);
        snprintf(buf, len, "overdue by %s", d);
        return 1;
    }
    distance_text(due_ms - now_ms, d, sizeof d);
    snprintf(buf, len, "%s left", d);
    return 0;
}

void cleanup_date_text(int64_t ms, char *buf, size_t len)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (ms < 0 || ms >= CLEANUP_MAX_MS || !gmtime_r(&t, &tm))
        snprintf(buf, len, "?");
    else
        strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm);
}

void cleanup_rule_text(const struct runbook *rb, char *buf, size_t len)
{
    buf[0] = '\0';
    if (!rb || !rb->cleanup_deadline)
        return;
    if (rb->cleanup_after_ms <= 0) {
        snprintf(buf, len, "due %s (the end of that day, UTC)", rb->cleanup_deadline);
        return;
    }
    char after[48];
    int64_t ms = rb->cleanup_after_ms;
    if (ms % CLEANUP_DAY_MS == 0)
        snprintf(after, sizeof after, "%lld day%s", (long long)(ms / CLEANUP_DAY_MS),
                 ms == CLEANUP_DAY_MS ? "" : "s");
    else
        snprintf(after, sizeof after, "%s", rb->cleanup_deadline);   /* "36h after cutover" */
    char *cut = strstr(after, " after");
    if (cut)
        *cut = '\0';
    if (rb->n_ramp)
        snprintf(buf, len, "due %s after the ramp reaches %g %%", after,
                 rb->ramp[rb->n_ramp - 1].percent);
    else
        snprintf(buf, len, "due %s after the cutover (the runbook has no ramp)", after);
}

int cleanup_deadline_line(const struct runbook *rb, const struct cleanup_view *v,
                          int64_t now_ms, char *buf, size_t len)
{
    buf[0] = '\0';
    if (!rb || !rb->cleanup_deadline)
        return 0;
    int64_t due = cleanup_due(rb, v);
    if (!due) {
        char rule[160];
        cleanup_rule_text(rb, rule, sizeof rule);
        snprintf(buf, len, "cleanup %s", rule);
        return 0;
    }
    char date[40], left[64];
    cleanup_date_text(due, date, sizeof date);
    int overdue = cleanup_left_text(due, now_ms, left, sizeof left);
    if (v->check_done && v->checked_ms) {   /* done: the deadline no longer runs */
        char when[40];
        cleanup_date_text(v->checked_ms, when, sizeof when);
        snprintf(buf, len, "cleanup due %s: done (checked %s%s)", date, when,
                 v->checked_ms > due ? ", late" : "");
        return 0;
    }
    snprintf(buf, len, "cleanup due %s: %s", date, left);
    return overdue;
}

cJSON *cleanup_due_event(const struct runbook *rb, const struct cleanup_view *v)
{
    int64_t due = cleanup_due_at(rb, v->anchor_ms);
    if (v->due_seq || !v->anchor_ms || !due)
        return NULL;
    char date[40];
    cleanup_date_text(due, date, sizeof date);
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "due_ms", (double)due);
    cJSON_AddStringToObject(o, "due", date);
    cJSON_AddNumberToObject(o, "anchor_ms", (double)v->anchor_ms);
    cJSON_AddStringToObject(o, "deadline", rb->cleanup_deadline);
    return o;
}
