/* test_window.c — the cutover window with time as an argument: parsing,
 * days, the month-end rule, a window over midnight, and the ramp holding
 * at 15:59 when a hold would end after 16:00 while an abort at 16:30 still
 * rolls back. */
#include <stdlib.h>

#include "check.h"
#include "core/events.h"
#include "core/ramp.h"
#include "core/session.h"
#include "core/window.h"

/* 2026-11-25 is a Wednesday; 2026-11-30 a Monday, the month's last day. */
#define WED_1559 1795622340000LL   /* 2026-11-25 15:59:00 UTC */
#define H (3600 * 1000LL)
#define M (60 * 1000LL)

static int64_t at(int day, int hour, int minute)   /* day of November 2026 */
{
    return 1795564800000LL + (int64_t)(day - 25) * 24 * H + hour * H + minute * M;
}

TEST(parses_the_usual_forms)
{
    struct window w;
    char err[200];
    CHECK(window_parse("weekdays 14:00-16:00 UTC, not on the last day of the month", &w, err, sizeof err) == 0);
    CHECK(w.set && w.days == 0x3E && w.start_min == 840 && w.end_min == 960 && w.not_last_day);
    CHECK(window_parse("mon-wed 22:00-02:00", &w, err, sizeof err) == 0 && w.days == 0x0E);
    CHECK(window_parse("daily 09:30-10:00 UTC", &w, err, sizeof err) == 0 && w.days == 0x7F);
    CHECK(window_parse("sat,sun 10:00-12:00", &w, err, sizeof err) == 0 && w.days == 0x41);
    CHECK(window_parse("weekdays at two", &w, err, sizeof err) == -1);
    CHECK(strstr(err, "expected a window like") != NULL);
    CHECK(window_parse("weekdays 14:00-16:00 CET", &w, err, sizeof err) == -1);
    CHECK(strstr(err, "UTC") != NULL);
    CHECK(window_parse("someday 14:00-16:00", &w, err, sizeof err) == -1);
    CHECK(window_length_ms(&(struct window){.set = 1, .start_min = 1320, .end_min = 120}) == 4 * H);
}

TEST(open_and_closed)
{
    struct window w;
    char err[200];
    CHECK(at(25, 15, 59) == WED_1559);
    window_parse("weekdays 14:00-16:00 UTC, not on the last day of the month", &w, err, sizeof err);
    CHECK(window_open(&w, at(25, 14, 0)));
    CHECK(window_open(&w, at(25, 15, 59)));
    CHECK(!window_open(&w, at(25, 16, 0)));
    CHECK(!window_open(&w, at(25, 13, 59)));
    CHECK(!window_open(&w, at(28, 15, 0)));     /* Saturday */
    CHECK(!window_open(&w, at(30, 15, 0)));     /* Monday, but the last day of November */
    CHECK(window_closes(&w, at(25, 15, 30)) == at(25, 16, 0));
    CHECK(window_next_open(&w, at(25, 16, 30)) == at(26, 14, 0));
    CHECK(window_next_open(&w, at(27, 16, 30)) == at(30, 14, 0) + 24 * H);   /* Tue Dec 1 */
    window_parse("wed 22:00-02:00", &w, err, sizeof err);
    CHECK(window_open(&w, at(25, 23, 0)) && window_open(&w, at(26, 1, 59)));
    CHECK(!window_open(&w, at(25, 1, 0)));   /* Wednesday 01:00 belongs to Tuesday's window */
}

static const char RUNBOOK[] =
    "# W\n\n## Roles\n- commander: A\n\n## Systems\n- metrics: prometheus `http://x`\n\n"
    "## Signals\n- err: `e`\n\n## Abort criteria\n- abort if err > 1%\n\n"
    "## Ramp\n- 1% for 10m\n- 100%\n\nWindow: weekdays 14:00-16:00 UTC\n\n"
    "## Phase 1: P\n- [ ] commander: ramp `ramp`\n\n## Rollback\n### Phase 1\nback\n";

static int64_t seq;

static void event(struct session *s, int64_t t, const char *kind, const char *body)
{
    struct journal_event ev = {.seq = ++seq, .ts_ms = t, .actor = "e", .os_user = "u",
                               .kind = kind, .body = body};
    session_apply(s, &ev);
}

TEST(the_ramp_holds_at_1559_but_an_abort_at_1630_rolls_back)
{
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("w.md", RUNBOOK, strlen(RUNBOOK), &pr);
    CHECK(rb && pr.n_errors == 0 && rb->ramp_window.set);
    struct session s;
    session_init(&s, rb);
    char *ok = events_criterion_body(0, rb->criteria[0].text, "x", "ok", 1, 0, 0, 0, "fine");
    event(&s, at(25, 15, 0), EV_CRITERION, ok);
    free(ok);
    event(&s, at(25, 15, 0), EV_REHEARSAL, "{\"passed\":true}");
    /* 15:49: a 10 minute hold would end at 15:59: allowed */
    CHECK(ramp_decide(rb, &s, at(25, 15, 49)).action == RA_READY);
    /* 15:59: the hold would end after 16:00: held, saying until when */
    struct ramp_decision d = ramp_decide(rb, &s, at(25, 15, 59));
    CHECK(d.action == RA_NONE);
    CHECK(strstr(d.why, "would end after the window closes at 16:00 UTC") != NULL);
    CHECK(strstr(d.why, "until 2026-11-26 14:00:00 UTC") != NULL);
    d = ramp_decide(rb, &s, at(25, 17, 0));
    CHECK(d.action == RA_NONE && strstr(d.why, "outside the cutover window") != NULL);
    /* at 1% already (advanced inside the window), an abort at 16:30 is not held */
    event(&s, at(25, 15, 0), EV_RAMP_ADVANCE, "{\"step\":0,\"percent\":1}");
    event(&s, at(25, 15, 0), EV_FLAG_READ, "{\"percent\":1,\"purpose\":\"advance\",\"ok\":true}");
    char *firing = events_criterion_body(0, rb->criteria[0].text, "ok", "firing", 1, 0.5, 0, 0, "bad");
    event(&s, at(25, 16, 30), EV_CRITERION, firing);
    free(firing);
    d = ramp_decide(rb, &s, at(25, 16, 30));
    CHECK(d.action == RA_ABORT && d.target == 0);
    session_free(&s);
    runbook_free(rb);
    rb_problems_free(&pr);
}

RUN_TESTS(T(parses_the_usual_forms), T(open_and_closed),
          T(the_ramp_holds_at_1559_but_an_abort_at_1630_rolls_back))
