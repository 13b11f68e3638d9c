/* test_eta.c — the ceremony's one estimate as a pure function of the
 * folded session and the time: the ramp's remaining holds (a hold in
 * progress counted from where it stands), the cutover window (one that
 * crosses midnight, an estimate on the next day), the backfill's measured
 * rate (unknown until two checkpoints show it), the gates' hook, and no
 * ramp at all. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/eta.h"
#include "core/events.h"
#include "core/session.h"

#define MIN (60LL * 1000)
#define DAY0 1796256000000LL   /* 2026-12-03 00:00 UTC, a Thursday */
#define AT(h, m) (DAY0 + (h) * 60 * MIN + (m) * MIN)

static const char *HEAD =
    "# ETA test\n\n## Roles\n- commander: Alice\n- dba: Bob\n\n"
    "## Systems\n- metrics: prometheus `http://127.0.0.1:9`\n\n"
    "## Signals\n- err: `e`\n\n"
    "## Abort criteria\n- abort if err > 1% for 30s\n\n";
static const char *RAMP = "## Ramp\n- 1% for 10m\n- 5% for 20m\n- 25% for 30m\n- 100%\n";

struct fixture {
    struct runbook *rb;
    struct session s;
    int64_t seq;
};

/* HEAD, then ramp (may be ""), then extra ramp lines, then the phase's steps */
static void setup(struct fixture *f, const char *ramp, const char *ramp_extra, const char *steps)
{
    char text[4096];
    snprintf(text, sizeof text,
             "%s%s%s%s\n## Phase 4: Cutover\n%s\n## Rollback\n### Phase 4\nflip back\n",
             HEAD, ramp, ramp_extra[0] ? "\n" : "", ramp_extra, steps);
    struct rb_problems pr = {0};
    f->rb = runbook_parse("eta.md", text, strlen(text), &pr);
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

static void all_clear(struct fixture *f, int64_t t)
{
    char *b = events_criterion_body(0, f->rb->criteria[0].text, "x", "ok", 1, 0, NAN, NAN, "why");
    event(f, t, EV_CRITERION, b);
    free(b);
}

static void advance_and_confirm(struct fixture *f, int64_t t, int step, double pct)
{
    char b[128];
    snprintf(b, sizeof b, "{\"step\":%d,\"percent\":%g}", step, pct);
    event(f, t, EV_RAMP_ADVANCE, b);
    snprintf(b, sizeof b, "{\"percent\":%g,\"purpose\":\"advance\",\"ok\":true}", pct);
    event(f, t, EV_FLAG_SET, b);
    event(f, t, EV_FLAG_READ, b);
}

static void describe(const struct eta *e, int64_t now, int brief, char *buf, size_t len)
{
    eta_describe(e, now, brief, buf, len);
}

TEST(no_ramp_and_no_data_work_is_nothing_to_estimate)
{
    struct fixture f;
    setup(&f, "", "", "- [ ] commander: go\n");
    struct eta e = eta_compute(f.rb, &f.s, NULL, AT(12, 0));
    CHECK(e.nothing && !e.known);
    char buf[160];
    describe(&e, AT(12, 0), 0, buf, sizeof buf);
    CHECK_STR(buf, "");
    teardown(&f);
}

TEST(an_idle_ramp_is_the_sum_of_its_holds)
{
    struct fixture f;
    setup(&f, RAMP, "", "- [ ] commander: ramp `ramp`\n");
    all_clear(&f, AT(12, 0));
    struct eta e = eta_compute(f.rb, &f.s, NULL, AT(12, 0));
    CHECK(e.known && e.at_ms == AT(13, 0));
    CHECK(e.holds_ms == 60 * MIN && e.dominant == ETA_HOLDS && e.window_wait_ms == 0);
    char buf[160];
    describe(&e, AT(12, 0), 0, buf, sizeof buf);
    CHECK_STR(buf, "ETA 13:00 (ramp holds 1h)");
    describe(&e, AT(12, 0), 1, buf, sizeof buf);
    CHECK_STR(buf, "ETA 13:00 holds");
    teardown(&f);
}

TEST(a_hold_in_progress_counts_what_is_left_of_it)
{
    struct fixture f;
    setup(&f, RAMP, "", "- [ ] commander: ramp `ramp`\n");
    all_clear(&f, AT(11, 59));
    advance_and_confirm(&f, AT(12, 0), 0, 1);
    CHECK(f.s.ramp.status == RAMP_HOLDING);
    int64_t now = AT(12, 4) + 30000;   /* 5m30s of the 1% step's 10m are left */
    struct eta e = eta_compute(f.rb, &f.s, NULL, now);
    CHECK(e.known && e.holds_ms == 5 * MIN + 30000 + 50 * MIN);
    CHECK(e.at_ms == AT(13, 0));
    char buf[160];
    describe(&e, now, 0, buf, sizeof buf);
    CHECK_STR(buf, "ETA 13:00 (ramp holds 55m30s)");
    /* past the hold (the commander has not advanced): the rest, from now */
    e = eta_compute(f.rb, &f.s, NULL, AT(12, 20));
    CHECK(e.known && e.at_ms == AT(13, 10) && e.holds_ms == 50 * MIN);
    teardown(&f);
}

TEST(a_window_over_midnight_delays_the_ramp)
{
    struct fixture f;
    setup(&f, RAMP, "Window: daily 22:00-02:00 UTC\n", "- [ ] commander: ramp `ramp`\n");
    all_clear(&f, AT(0, 0));
    char buf[160];
    /* before the window: everything waits for 22:00 */
    struct eta e = eta_compute(f.rb, &f.s, NULL, AT(20, 0));
    CHECK(e.known && e.at_ms == AT(23, 0));
    CHECK(e.window_opens_ms == AT(22, 0) && e.window_wait_ms == 120 * MIN);
    CHECK(e.dominant == ETA_WINDOW);
    describe(&e, AT(20, 0), 0, buf, sizeof buf);
    CHECK_STR(buf, "ETA 23:00 (window opens 22:00, ramp holds 1h)");
    describe(&e, AT(20, 0), 1, buf, sizeof buf);
    CHECK_STR(buf, "ETA 23:00 window");
    /* at 01:20, in the window opened the evening before: 1% and 5% fit
     * before 02:00, the 25% step's 30m does not: it waits for 22:00 */
    e = eta_compute(f.rb, &f.s, NULL, AT(1, 20));
    CHECK(e.known && e.at_ms == AT(22, 30));
    CHECK(e.window_opens_ms == AT(22, 0) && e.window_wait_ms == AT(22, 0) - AT(1, 50));
    /* at 23:50 the ramp runs over midnight: an estimate on the next day says its date */
    e = eta_compute(f.rb, &f.s, NULL, AT(23, 50));
    CHECK(e.known && e.at_ms == AT(24, 50) && e.window_wait_ms == 0);
    describe(&e, AT(23, 50), 0, buf, sizeof buf);
    CHECK_STR(buf, "ETA 12-04 00:50 (ramp holds 1h)");
    teardown(&f);
}

TEST(a_hold_longer_than_the_window_is_unknown_not_guessed)
{
    struct fixture f;
    setup(&f, "## Ramp\n- 1% for 3h\n- 100%\n", "Window: daily 14:00-16:00 UTC\n",
          "- [ ] commander: ramp `ramp`\n");
    all_clear(&f, AT(0, 0));
    struct eta e = eta_compute(f.rb, &f.s, NULL, AT(12, 0));
    CHECK(!e.known && strstr(e.unknown, "no cutover window fits the 1% step's hold"));
    char buf[160];
    describe(&e, AT(12, 0), 1, buf, sizeof buf);
    CHECK_STR(buf, "ETA ? window");
    teardown(&f);
}

TEST(a_new_rate_limit_is_measured_from_its_change)
{
    struct fixture f;
    setup(&f, RAMP, "", "- [ ] dba: copy `backfill`\n- [ ] commander: ramp `ramp`\n");
    all_clear(&f, AT(12, 0));
    event(&f, AT(12, 0), EV_BACKFILL, "{\"job\":\"backfill:t\",\"rows\":0,\"total\":400000,\"rate\":1000}");
    event(&f, AT(12, 1), EV_BACKFILL, "{\"job\":\"backfill:t\",\"rows\":60000,\"total\":400000,\"rate\":1000}");
    CHECK(fabs(bf_progress_rate(&f.s.backfill.jobs[0]) - 1000) < 1e-9);
    /* R 100 at 12:01: the checkpoints after it say 100 rows/s, not the
     * 550 an average since 12:00 would */
    event(&f, AT(12, 1) + 1000, EV_BACKFILL, "{\"job\":\"backfill:t\",\"rows\":60100,\"total\":400000,\"rate\":100}");
    event(&f, AT(12, 2) + 1000, EV_BACKFILL, "{\"job\":\"backfill:t\",\"rows\":66100,\"total\":400000,\"rate\":100}");
    CHECK(fabs(bf_progress_rate(&f.s.backfill.jobs[0]) - 100) < 1e-9);
    teardown(&f);
}

TEST(the_backfill_rate_is_unknown_until_it_is_measured)
{
    struct fixture f;
    setup(&f, RAMP, "", "- [ ] dba: copy `backfill`\n- [ ] commander: ramp `ramp`\n");
    all_clear(&f, AT(12, 0));
    char buf[160];
    struct eta e = eta_compute(f.rb, &f.s, NULL, AT(12, 0));
    CHECK(!e.known && strcmp(e.unknown, "the backfill has not started") == 0);
    event(&f, AT(12, 0), EV_BACKFILL, "{\"job\":\"backfill:t\",\"rows\":1000,\"total\":400000,\"rate\":500}");
    e = eta_compute(f.rb, &f.s, NULL, AT(12, 0));
    CHECK(!e.known && strcmp(e.unknown, "the backfill's rate is not measured yet") == 0);
    describe(&e, AT(12, 0), 0, buf, sizeof buf);
    CHECK_STR(buf, "ETA unknown: the backfill's rate is not measured yet");
    /* 100 rows/s measured (not the 500 the limit allows): 2h left at 12:01 */
    event(&f, AT(12, 1), EV_BACKFILL, "{\"job\":\"backfill:t\",\"rows\":7000,\"total\":400000,\"rate\":500}");
    CHECK(fabs(bf_progress_rate(&f.s.backfill.jobs[0]) - 100) < 1e-9);
    e = eta_compute(f.rb, &f.s, NULL, AT(12, 1));
    CHECK(e.known && e.backfill_end_ms == AT(12, 1) + 3930 * 1000);
    CHECK(e.dominant == ETA_BACKFILL && e.at_ms == e.backfill_end_ms + 60 * MIN);
    describe(&e, AT(12, 1), 0, buf, sizeof buf);
    CHECK_STR(buf, "ETA 14:06 (backfill 1h6m, ramp holds 1h)");   /* 14:06:30 */
    /* paused: unknown again; done: nothing to wait for */
    event(&f, AT(12, 2), EV_BACKFILL, "{\"job\":\"backfill:t\",\"rows\":7000,\"total\":400000,\"paused\":true}");
    e = eta_compute(f.rb, &f.s, NULL, AT(12, 2));
    CHECK(!e.known && strcmp(e.unknown, "the backfill is paused") == 0);
    event(&f, AT(13, 0), EV_BACKFILL, "{\"job\":\"backfill:t\",\"rows\":400000,\"total\":400000,\"done\":true}");
    e = eta_compute(f.rb, &f.s, NULL, AT(13, 0));
    CHECK(e.known && e.at_ms == AT(14, 0) && e.dominant == ETA_HOLDS);
    /* a silent copy that should have ended is not an estimate */
    event(&f, AT(13, 1), EV_BACKFILL, "{\"job\":\"backfill:u\",\"rows\":0,\"total\":100}");
    event(&f, AT(13, 2), EV_BACKFILL, "{\"job\":\"backfill:u\",\"rows\":50,\"total\":100}");
    e = eta_compute(f.rb, &f.s, NULL, AT(15, 0));
    CHECK(!e.known && strstr(e.unknown, "has not checkpointed since 13:02:00"));
    teardown(&f);
}

TEST(the_gates_and_the_comparison_come_in_as_inputs)
{
    struct fixture f;
    setup(&f, RAMP, "", "- [ ] dba: compare `compare`\n- [ ] commander: ramp `ramp`\n");
    all_clear(&f, AT(12, 0));
    struct eta e = eta_compute(f.rb, &f.s, NULL, AT(12, 0));
    CHECK(!e.known && strcmp(e.unknown, "the comparison has not started") == 0);
    struct eta_inputs in = {.gates_open_at_ms = AT(14, 0), .compare_done_at_ms = AT(12, 30)};
    e = eta_compute(f.rb, &f.s, &in, AT(12, 0));
    CHECK(e.known && e.at_ms == AT(15, 0) && e.dominant == ETA_GATES);
    char buf[160];
    eta_describe(&e, AT(12, 0), 0, buf, sizeof buf);
    CHECK_STR(buf, "ETA 15:00 (gates open 14:00, ramp holds 1h)");
    in.gates_open_at_ms = ETA_UNKNOWN;
    e = eta_compute(f.rb, &f.s, &in, AT(12, 0));
    CHECK(!e.known && strcmp(e.unknown, "the gates' opening is not known") == 0);
    teardown(&f);
}

TEST(a_stopped_ramp_has_no_estimate)
{
    struct fixture f;
    setup(&f, RAMP, "", "- [ ] commander: ramp `ramp`\n");
    all_clear(&f, AT(12, 0));
    advance_and_confirm(&f, AT(12, 0), 0, 1);
    char *b = events_criterion_body(0, f.rb->criteria[0].text, "ok", "pending", 1, 0.02, NAN, 0.01, "why");
    event(&f, AT(12, 1), EV_CRITERION, b);
    free(b);
    struct eta e = eta_compute(f.rb, &f.s, NULL, AT(12, 2));
    CHECK(!e.known && strcmp(e.unknown, "a criterion holds the ramp") == 0);
    teardown(&f);
}

RUN_TESTS(T(no_ramp_and_no_data_work_is_nothing_to_estimate), T(an_idle_ramp_is_the_sum_of_its_holds),
          T(a_hold_in_progress_counts_what_is_left_of_it), T(a_window_over_midnight_delays_the_ramp),
          T(a_hold_longer_than_the_window_is_unknown_not_guessed),
          T(the_backfill_rate_is_unknown_until_it_is_measured), T(a_new_rate_limit_is_measured_from_its_change),
          T(the_gates_and_the_comparison_come_in_as_inputs), T(a_stopped_ramp_has_no_estimate))
