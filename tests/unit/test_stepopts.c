/* test_stepopts.c — the action steps' options: the one parser of each
 * value at its edges (what the job's command line and the runbook's check
 * both go through), the table the job's command line is built from, and
 * the problems check reports: a bad value an error at the step's line, a
 * key the action does not take a warning, the keys of every step none. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "core/stepopts.h"

TEST(rate_is_rows_per_second_zero_or_more)
{
    double r = -1;
    char w[200];
    CHECK(stepopts_rate("2500", &r, w, sizeof w) == 0 && r == 2500);
    CHECK(stepopts_rate("0", &r, w, sizeof w) == 0 && r == 0);
    CHECK(stepopts_rate("0.5", &r, w, sizeof w) == 0 && r == 0.5);
    const char *bad[] = {"", "banana", "-5", "nan", "inf", "5 rows", "1e999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(stepopts_rate(bad[i], &r, w, sizeof w) == -1);
    CHECK(stepopts_rate(NULL, &r, w, sizeof w) == -1);
    CHECK_STR(w, "rows per second, a number 0 or more (0: no limit)");
}

TEST(batch_is_a_whole_number_of_rows)
{
    long b = 0;
    char w[200];
    CHECK(stepopts_batch("500", &b, w, sizeof w) == 0 && b == 500);
    const char *bad[] = {"", "0", "-1", "10k", "1.5", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(stepopts_batch(bad[i], &b, w, sizeof w) == -1);
    CHECK_STR(w, "a number of rows, 1 or more");
    CHECK(b == 500);   /* a refused value leaves the last good one */
}

TEST(capture_is_a_duration_over_zero_and_code_a_directory)
{
    int64_t ms = 0;
    char w[300];
    CHECK(stepopts_capture("10m", &ms, w, sizeof w) == 0 && ms == 600000);
    CHECK(stepopts_capture("0s", &ms, w, sizeof w) == -1);
    CHECK(stepopts_capture("banana", &ms, w, sizeof w) == -1);
    CHECK_STR(w, "a duration such as 30s or 10m");
    CHECK(stepopts_code("/", w, sizeof w) == 0);
    CHECK(stepopts_code("/etc/passwd", w, sizeof w) == -1);
    CHECK_STR(w, "a directory that can be read");
    CHECK(stepopts_code("no/such/dir", w, sizeof w) == -1);
    CHECK(strstr(w, "(seen from /") != NULL);   /* relative: where from */
}

TEST(the_table_gives_each_action_its_flags)
{
    size_t n;
    const struct stepopt *o = stepopts_of(RB_ACTION_BACKFILL, &n);
    CHECK(n == 3);
    CHECK_STR(o[0].key, "rate");
    CHECK_STR(o[0].flag, "--rate");
    CHECK_STR(o[1].flag, "--batch");
    CHECK(o[2].flag == NULL);   /* throttle: the job reads the runbook */
    o = stepopts_of(RB_ACTION_WRITERS, &n);
    CHECK(n == 2);
    CHECK_STR(o[0].flag, "--code");
    CHECK_STR(o[1].flag, "--capture");
    CHECK(stepopts_of(RB_ACTION_COMPARE, &n) == NULL && n == 0);
    CHECK(stepopts_of(RB_ACTION_RAMP, &n) == NULL && n == 0);
}

static struct runbook *parse(const char *bf_attrs, const char *cmp_attrs)
{
    static char text[1024];
    snprintf(text, sizeof text,
             "# T\n\n## Roles\n- commander: Ana\n\n## Systems\n- metrics: scrape "
             "`http://127.0.0.1:1/m`\n\n## Signals\n- lag: `lag_seconds`\n\n"
             "## Phase 1: Copy {readonly}\n- [ ] commander: copy `backfill` {%s}\n"
             "- [ ] commander: compare `compare` {%s}\n- [ ] commander: look {rate=x}\n",
             bf_attrs, cmp_attrs);
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("t.md", text, strlen(text), &pr);
    if (pr.n_errors) {
        runbook_free(rb);
        rb = NULL;
    }
    rb_problems_free(&pr);
    return rb;
}

TEST(check_names_bad_values_and_unknown_keys)
{
    struct runbook *rb = parse("rate=fast batch=0 throttle=\"lag >> 1\" sample=3", "batch=5");
    struct stepopts_problems p;
    CHECK(rb != NULL);
    CHECK(stepopts_check(rb, &p) == 0);
    CHECK(p.n == 5 && p.n_errors == 3);
    CHECK(p.v[0].line == 13 && !p.v[0].warning);
    CHECK_STR(p.v[0].msg, "step 1.1 (backfill): `rate=fast`: expected rows per second, a number "
                          "0 or more (0: no limit)");
    CHECK_STR(p.v[1].msg, "step 1.1 (backfill): `batch=0`: expected a number of rows, 1 or more");
    CHECK(strncmp(p.v[2].msg, "step 1.1 (backfill): throttle `lag >> 1`: expected SIGNAL OP VALUE",
                  66) == 0);
    CHECK(p.v[3].warning);
    CHECK_STR(p.v[3].msg, "step 1.1 (backfill): option `sample` is not one a backfill step takes "
                          "(rate, batch, throttle)");
    CHECK(p.v[4].warning && p.v[4].line == 14);
    CHECK_STR(p.v[4].msg, "step 1.2 (compare): option `batch` is not one a compare step takes "
                          "(none; `batch` is a backfill step's)");
    stepopts_problems_free(&p);
    runbook_free(rb);
    /* the keys of every step; a step with no action is not judged */
    rb = parse("rate=10 batch=100 throttle=\"lag > 5s\" any order irreversible", "needs=writers");
    CHECK(rb != NULL);
    CHECK(stepopts_check(rb, &p) == 0);
    CHECK(p.n == 0);
    stepopts_problems_free(&p);
    runbook_free(rb);
}

RUN_TESTS(T(rate_is_rows_per_second_zero_or_more), T(batch_is_a_whole_number_of_rows),
          T(capture_is_a_duration_over_zero_and_code_a_directory),
          T(the_table_gives_each_action_its_flags), T(check_names_bad_values_and_unknown_keys))
