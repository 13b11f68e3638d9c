/* test_throttle.c — the backfill's throttle conditions: parsed from the
 * `backfill` step's attribute with their units, and judged against a
 * reading with the time as an argument (over the bound, under it, and
 * every way of not knowing: never read, an error, stale). */
#include <string.h>

#include "check.h"
#include "core/throttle.h"

static const char *const RB =
    "# T\n\n## Roles\n- commander: Ana\n\n## Systems\n- metrics: scrape `http://127.0.0.1:1/m`\n\n"
    "## Signals\n- replica_lag: `lag_seconds`\n- errors: `err_ratio` every 250ms\n\n"
    "## Phase 1: Copy {readonly}\n- [ ] commander: copy `backfill` {throttle=\"%s\"}\n";

static struct runbook *with(const char *cond)
{
    static char text[1024];
    snprintf(text, sizeof text, RB, cond);
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("t.md", text, strlen(text), &pr);
    if (pr.n_errors) {
        runbook_free(rb);
        rb = NULL;
    }
    rb_problems_free(&pr);
    return rb;
}

TEST(conditions_parse_with_their_units)
{
    struct runbook *rb = with("replica_lag > 5s, errors >= 1%");
    struct throttle t;
    char why[300] = "";
    CHECK(rb != NULL);
    CHECK(throttle_parse(rb, &t, why, sizeof why) == 0);
    CHECK(t.n == 2);
    CHECK_STR(t.c[0].signal->name, "replica_lag");
    CHECK(t.c[0].op == RB_GT && t.c[0].bound == 5);
    CHECK(t.c[1].op == RB_GE && t.c[1].bound == 0.01);
    CHECK(t.line == 14);
    runbook_free(rb);
    rb = with("replica_lag > 500ms");
    CHECK(throttle_parse(rb, &t, why, sizeof why) == 0 && t.c[0].bound == 0.5);
    runbook_free(rb);
}

TEST(mistakes_are_named)
{
    const char *bad[][2] = {{"replica_lag >> 5s", "expected SIGNAL OP VALUE"},
                            {"lag > 5s", "unknown signal `lag`"},
                            {"replica_lag > 5 parsecs", "`parsecs` is not a unit"},
                            {"replica_lag > ", "expected SIGNAL OP VALUE"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct runbook *rb = with(bad[i][0]);
        struct throttle t;
        char why[300] = "";
        CHECK(throttle_parse(rb, &t, why, sizeof why) == -1);
        CHECK(strstr(why, bad[i][1]) != NULL);
        runbook_free(rb);
    }
}

TEST(a_reading_is_judged_in_the_runbooks_units)
{
    struct runbook *rb = with("replica_lag > 5s, errors >= 1%");
    struct throttle t;
    char why[300];
    CHECK(throttle_parse(rb, &t, why, sizeof why) == 0);
    struct throttle_reading r = {.seen = 1, .at_ms = 10000, .has_value = 1, .value = 7.2,
                                 .status = "ok"};
    CHECK(throttle_judge(&t.c[0], &r, 10500, why, sizeof why) == 1);
    CHECK_STR(why, "replica_lag 7.2 s > 5 s");
    r.value = 5;   /* at the bound: not over it */
    CHECK(throttle_judge(&t.c[0], &r, 10500, why, sizeof why) == 0);
    CHECK_STR(why, "replica_lag 5 s");
    r.value = 0.015;
    CHECK(throttle_judge(&t.c[1], &r, 10500, why, sizeof why) == 1);
    CHECK_STR(why, "errors 1.5 % >= 1 %");
    runbook_free(rb);
}

TEST(not_knowing_throttles_too)
{
    struct runbook *rb = with("replica_lag > 5s, errors > 1%");
    struct throttle t;
    char why[300];
    CHECK(throttle_parse(rb, &t, why, sizeof why) == 0);
    struct throttle_reading r = {0};
    CHECK(throttle_judge(&t.c[0], &r, 10000, why, sizeof why) == 1);
    CHECK_STR(why, "replica_lag: not read yet");
    r = (struct throttle_reading){.seen = 1, .at_ms = 10000, .status = "no data: empty result"};
    CHECK(throttle_judge(&t.c[0], &r, 10000, why, sizeof why) == 1);
    CHECK_STR(why, "replica_lag: no data: empty result");
    r = (struct throttle_reading){.seen = 1, .at_ms = 10000, .has_value = 1, .value = 1,
                                  .status = "ok"};
    CHECK(throttle_judge(&t.c[0], &r, 13000, why, sizeof why) == 0);  /* 3 intervals: fresh */
    CHECK(throttle_judge(&t.c[0], &r, 13001, why, sizeof why) == 1);  /* stale */
    CHECK_STR(why, "replica_lag: no data: the last reading is 3.0 s old");
    r.value = 0;
    CHECK(throttle_judge(&t.c[1], &r, 10751, why, sizeof why) == 1);  /* every 250ms */
    runbook_free(rb);
}

RUN_TESTS(T(conditions_parse_with_their_units), T(mistakes_are_named),
          T(a_reading_is_judged_in_the_runbooks_units), T(not_knowing_throttles_too))
