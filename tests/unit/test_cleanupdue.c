/* test_cleanupdue.c — the cleanup deadline's arithmetic: a relative
 * deadline counts from the moment the ramp is first confirmed at its last
 * step (not the advance, not a later step back), an absolute one is the
 * end of its day UTC; the days left and the overdue time round to the
 * nearest day (hours, then minutes, under half a unit); the journaled due
 * date wins and is taken once; a check that found everything done stops
 * the clock; the rule in words. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "core/cleanupdue.h"
#include "core/events.h"
#include "core/session.h"

#define MIN (60LL * 1000)
#define HOUR (60 * MIN)
#define DAY CLEANUP_DAY_MS
#define DAY0 1796256000000LL   /* 2026-12-03 00:00 UTC */

struct fixture {
    struct runbook *rb;
    struct session s;
    int64_t seq;
};

static void setup(struct fixture *f, const char *deadline, const char *ramp)
{
    char text[2048];
    snprintf(text, sizeof text,
             "# Cleanup test\n\n## Roles\n- commander: Alice\n- dba: Bob\n\n"
             "## Systems\n- metrics: prometheus `http://127.0.0.1:9`\n\n"
             "## Signals\n- err: `e`\n\n## Abort criteria\n- abort if err > 1%% for 30s\n\n"
             "## Ramp\n%s\n## Phase 4: Cutover\n- [ ] commander: ramp `ramp`\n\n"
             "## Rollback\n### Phase 4\nflip back\n\n## Cleanup\n- deadline: %s\n",
             ramp, deadline);
    struct rb_problems pr = {0};
    f->rb = runbook_parse("cleanup.md", text, strlen(text), &pr);
    for (size_t i = 0; i < pr.n; i++)
        if (!pr.v[i].warning)
            printf("  problem %d: %s\n", pr.v[i].line, pr.v[i].message);
    CHECK(f->rb && pr.n_errors == 0);
    rb_problems_free(&pr);
    session_init(&f->s, f->rb);
    f->seq = 0;
}

static void teardown(struct fixture *f)
{
    session_free(&f->s);
    runbook_free(f->rb);
}

static void event(struct fixture *f, int64_t t, const char *kind, const char *body)
{
    char *copy = strdup(body);
    struct journal_event ev = {.seq = ++f->seq, .ts_ms = t, .actor = "engine",
                               .os_user = "t", .kind = kind, .body = copy};
    CHECK(session_apply(&f->s, &ev) == 0);
    free(copy);
}

/* the advance at t, its read-back at t + 1 s */
static void reach(struct fixture *f, int64_t t, int step, double pct)
{
    char b[128];
    snprintf(b, sizeof b, "{\"step\":%d,\"percent\":%g}", step, pct);
    event(f, t, EV_RAMP_ADVANCE, b);
    snprintf(b, sizeof b, "{\"percent\":%g,\"purpose\":\"advance\",\"ok\":true}", pct);
    event(f, t + 1000, EV_FLAG_READ, b);
}

static const char *left(int64_t due, int64_t now)
{
    static char buf[64];
    cleanup_left_text(due, now, buf, sizeof buf);
    return buf;
}

TEST(days_left_and_overdue_round_to_the_nearest_unit)
{
    CHECK_STR(left(DAY0 + 30 * DAY, DAY0), "30 days left");
    CHECK_STR(left(DAY0 + DAY, DAY0 + 5000), "1 day left");       /* a few seconds short */
    CHECK_STR(left(DAY0, DAY0 + DAY + 5000), "overdue by 1 day");  /* a few seconds past */
    CHECK_STR(left(DAY0, DAY0 + 2 * DAY + 13 * HOUR), "overdue by 3 days");
    CHECK_STR(left(DAY0 + 11 * HOUR, DAY0), "11 hours left");
    CHECK_STR(left(DAY0 + 13 * HOUR, DAY0), "1 day left");
    CHECK_STR(left(DAY0 + 20 * MIN, DAY0), "20 minutes left");
    CHECK_STR(left(DAY0 + 40 * MIN, DAY0), "1 hour left");
    CHECK_STR(left(DAY0, DAY0), "0 minutes left");
    CHECK_STR(left(DAY0, DAY0 + 90 * MIN), "overdue by 2 hours");
    char buf[8];   /* a short buffer is cut, never overrun */
    CHECK(cleanup_left_text(DAY0, DAY0 + 40 * DAY, buf, sizeof buf) == 1);
    CHECK(strlen(buf) == 7);
}

TEST(an_absolute_deadline_is_the_end_of_its_day_utc)
{
    struct fixture f;
    setup(&f, "2026-12-31", "- 100%\n");
    int64_t end = DAY0 + 29 * DAY;   /* 2027-01-01 00:00 UTC */
    CHECK(cleanup_due_at(f.rb, 0) == end);
    CHECK(cleanup_due(f.rb, &f.s.cleanup) == end);
    char buf[200];
    cleanup_rule_text(f.rb, buf, sizeof buf);
    CHECK_STR(buf, "due 2026-12-31 (the end of that day, UTC)");
    cleanup_date_text(end, buf, sizeof buf);
    CHECK_STR(buf, "2027-01-01 00:00 UTC");
    /* a leap day ends on the first of March */
    teardown(&f);
    setup(&f, "2028-02-29", "- 100%\n");
    cleanup_date_text(cleanup_due_at(f.rb, 0), buf, sizeof buf);
    CHECK_STR(buf, "2028-03-01 00:00 UTC");
    teardown(&f);
}

TEST(a_relative_deadline_counts_from_the_confirmed_last_step)
{
    struct fixture f;
    setup(&f, "30d after cutover", "- 5% for 10m\n- 100%\n");
    char buf[200];
    cleanup_rule_text(f.rb, buf, sizeof buf);
    CHECK_STR(buf, "due 30 days after the ramp reaches 100 %");
    cleanup_deadline_line(f.rb, &f.s.cleanup, DAY0, buf, sizeof buf);
    CHECK_STR(buf, "cleanup due 30 days after the ramp reaches 100 %");
    CHECK(cleanup_due(f.rb, &f.s.cleanup) == 0);
    reach(&f, DAY0, 0, 5);
    CHECK(f.s.cleanup.anchor_ms == 0);                  /* not the last step */
    event(&f, DAY0 + HOUR, EV_RAMP_ADVANCE, "{\"step\":1,\"percent\":100}");
    CHECK(f.s.cleanup.anchor_ms == 0);                  /* asked, not confirmed */
    event(&f, DAY0 + HOUR + 1000, EV_FLAG_READ, "{\"percent\":100,\"purpose\":\"advance\",\"ok\":true}");
    CHECK(f.s.cleanup.anchor_ms == DAY0 + HOUR + 1000);
    CHECK(cleanup_due(f.rb, &f.s.cleanup) == DAY0 + HOUR + 1000 + 30 * DAY);
    /* an abort afterwards does not move the anchor */
    event(&f, DAY0 + 2 * HOUR, EV_ABORT, "{\"criterion\":-1,\"cause\":\"by hand\",\"from\":100,\"to\":0}");
    CHECK(f.s.cleanup.anchor_ms == DAY0 + HOUR + 1000);
    int64_t now = DAY0 + HOUR + 1000 + 29 * DAY;
    CHECK(cleanup_deadline_line(f.rb, &f.s.cleanup, now, buf, sizeof buf) == 0);
    CHECK_STR(buf, "cleanup due 2027-01-02 01:00 UTC: 1 day left");
    CHECK(cleanup_deadline_line(f.rb, &f.s.cleanup, now + 2 * DAY, buf, sizeof buf) == 1);
    CHECK_STR(buf, "cleanup due 2027-01-02 01:00 UTC: overdue by 1 day");
    teardown(&f);
}

TEST(the_journaled_due_date_wins_and_is_taken_once)
{
    struct fixture f;
    setup(&f, "30d after cutover", "- 100%\n");
    reach(&f, DAY0, 0, 100);
    cJSON *o = cleanup_due_event(f.rb, &f.s.cleanup);
    CHECK(o != NULL);
    char *body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    event(&f, DAY0 + 2000, EV_CLEANUP_DUE, body);
    free(body);
    CHECK(f.s.cleanup.due_ms == DAY0 + 1000 + 30 * DAY && f.s.cleanup.due_seq == 3);
    CHECK(cleanup_due_event(f.rb, &f.s.cleanup) == NULL);   /* once */
    char later[64];
    snprintf(later, sizeof later, "{\"due_ms\":%lld}", (long long)(DAY0 + 99 * DAY));
    event(&f, DAY0 + 3000, EV_CLEANUP_DUE, later);
    CHECK(f.s.cleanup.due_ms == DAY0 + 1000 + 30 * DAY);     /* the first record stands */
    teardown(&f);
}

TEST(a_check_that_found_all_done_stops_the_clock)
{
    struct fixture f;
    setup(&f, "1d after cutover", "- 100%\n");
    reach(&f, DAY0, 0, 100);
    char buf[200];
    event(&f, DAY0 + 3 * HOUR, EV_CLEANUP_CHECK,
          "{\"done\":false,\"summary\":\"4 of 5 items OK\",\"write_calls\":7,\"stats_reset_ms\":5}");
    CHECK(f.s.cleanup.check_write_calls == 7 && f.s.cleanup.check_stats_reset_ms == 5);
    CHECK(cleanup_deadline_line(f.rb, &f.s.cleanup, DAY0 + 3 * DAY, buf, sizeof buf) == 1);
    event(&f, DAY0 + 2 * DAY, EV_CLEANUP_CHECK, "{\"done\":true,\"summary\":\"5 of 5 items OK\"}");
    CHECK(f.s.cleanup.check_done && f.s.cleanup.check_write_calls == -1);
    CHECK(cleanup_deadline_line(f.rb, &f.s.cleanup, DAY0 + 3 * DAY, buf, sizeof buf) == 0);
    CHECK_STR(buf, "cleanup due 2026-12-04 00:00 UTC: done (checked 2026-12-05 00:00 UTC, late)");
    teardown(&f);
}

TEST(a_duration_not_in_whole_days_is_said_as_written)
{
    struct fixture f;
    setup(&f, "36h after cutover", "- 50%\n");
    char buf[200];
    cleanup_rule_text(f.rb, buf, sizeof buf);
    CHECK_STR(buf, "due 36h after the ramp reaches 50 %");
    teardown(&f);
}

RUN_TESTS(T(days_left_and_overdue_round_to_the_nearest_unit),
          T(an_absolute_deadline_is_the_end_of_its_day_utc),
          T(a_relative_deadline_counts_from_the_confirmed_last_step),
          T(the_journaled_due_date_wins_and_is_taken_once),
          T(a_check_that_found_all_done_stops_the_clock),
          T(a_duration_not_in_whole_days_is_said_as_written))
