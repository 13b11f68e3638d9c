/* test_datafold.c — the data jobs and the comparison as the fold tells
 * them (core/datafold.h): a job's life from `data_job` events (failures
 * counted in a row, reset by a finish), a comparison's progress replaced
 * by each `compare_progress`, closed by its `compare` result, a new run
 * starting again; the newest divergences with their column diffs; the
 * compare's end from its measured rate, and the ETA that uses it; a
 * refold gives the same state. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/canon.h"
#include "core/datafold.h"
#include "core/eta.h"
#include "core/events.h"
#include "core/session.h"

#define T0 1796256000000LL

static const char *RB =
    "# Data fold\n\n## Roles\n- commander: Alice\n- dba: Bob\n\n"
    "## Phase 2: Data\n- [ ] dba: copy `backfill`\n- [ ] dba: compare `compare`\n\n"
    "## Rollback\n### Phase 2\nstop\n";

struct fixture {
    struct runbook *rb;
    struct session s;
    int64_t seq;
};

static void setup(struct fixture *f)
{
    struct rb_problems pr = {0};
    f->rb = runbook_parse("fold.md", RB, strlen(RB), &pr);
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

TEST(a_jobs_life_is_folded_from_its_data_job_events)
{
    struct fixture f;
    setup(&f);
    const struct datafold_job *j = &f.s.data.jobs[DATA_BACKFILL];
    CHECK(!j->seen && !datafold_running(&f.s.data, DATA_BACKFILL));
    event(&f, T0, EV_DATA_JOB, "{\"job\":\"backfill\",\"step\":\"2.1\",\"state\":\"started\","
                              "\"pid\":42,\"host\":\"h\",\"attempt\":1,\"why\":\"its turn\"}");
    CHECK(datafold_running(&f.s.data, DATA_BACKFILL) && j->pid == 42 && j->started_ms == T0);
    CHECK(strcmp(j->step, "2.1") == 0 && strcmp(j->host, "h") == 0);
    event(&f, T0 + 5000, EV_DATA_JOB, "{\"job\":\"backfill\",\"step\":\"2.1\",\"state\":\"failed\","
                                     "\"pid\":42,\"signal\":9,\"retry_s\":1,\"why\":\"killed\"}");
    CHECK(!datafold_running(&f.s.data, DATA_BACKFILL) && j->failures == 1 && j->signal == 9);
    CHECK(j->exit_status == -1 && j->retry_s == 1);
    event(&f, T0 + 6000, EV_DATA_JOB, "{\"job\":\"backfill\",\"step\":\"2.1\",\"state\":\"started\","
                                     "\"pid\":43,\"attempt\":2,\"why\":\"again\"}");
    event(&f, T0 + 7000, EV_DATA_JOB, "{\"job\":\"backfill\",\"step\":\"2.1\",\"state\":\"failed\","
                                     "\"pid\":43,\"exit\":1,\"why\":\"exit 1\"}");
    CHECK(j->failures == 2 && j->exit_status == 1 && j->started_ms == T0 + 6000);
    CHECK(j->failed_runs == 2 && strcmp(j->last_failure, "exit 1") == 0);
    event(&f, T0 + 9000, EV_DATA_JOB, "{\"job\":\"backfill\",\"step\":\"2.1\",\"state\":\"finished\","
                                     "\"pid\":44,\"exit\":0,\"why\":\"done\"}");
    CHECK(j->failures == 0 && strcmp(j->state, "finished") == 0);
    CHECK(j->failed_runs == 2 && strcmp(j->last_failure, "exit 1") == 0);   /* the report's */
    /* the writer audit is a job of its own; the others are left alone */
    event(&f, T0 + 9500, EV_DATA_JOB, "{\"job\":\"writers\",\"step\":\"2.1\",\"state\":\"started\","
                                     "\"why\":\"x\"}");
    CHECK(datafold_running(&f.s.data, DATA_WRITERS));
    CHECK(!f.s.data.jobs[DATA_COMPARE].seen && strcmp(j->state, "finished") == 0);
    event(&f, T0 + 9600, EV_DATA_JOB, "{\"job\":\"writers\",\"step\":\"2.1\",\"state\":\"unknown\","
                                     "\"exit\":3,\"why\":\"an unknown writer\"}");
    CHECK(!datafold_running(&f.s.data, DATA_WRITERS) && f.s.data.jobs[DATA_WRITERS].failures == 0);
    /* a kind this build does not know is left alone */
    event(&f, T0 + 9700, EV_DATA_JOB, "{\"job\":\"vacuum\",\"step\":\"2.1\",\"state\":\"started\","
                                     "\"why\":\"x\"}");
    CHECK(strcmp(f.s.data.jobs[DATA_WRITERS].state, "unknown") == 0);
    teardown(&f);
}

/* The console's copy found the job run by another copy (started by hand):
 * watched, that copy's pid; it runs, and the start that ran nothing is
 * not counted as a run (the report's runs and restarts). */
TEST(a_job_run_elsewhere_is_watched_not_counted_as_a_run)
{
    struct fixture f;
    setup(&f);
    const struct datafold_job *j = &f.s.data.jobs[DATA_BACKFILL];
    event(&f, T0, EV_DATA_JOB, "{\"job\":\"backfill\",\"step\":\"2.1\",\"state\":\"started\","
                              "\"pid\":42,\"host\":\"h\",\"attempt\":1,\"why\":\"its turn\"}");
    CHECK(j->starts == 1);
    event(&f, T0 + 100, EV_DATA_JOB, "{\"job\":\"backfill\",\"step\":\"2.1\",\"state\":"
                                    "\"watched\",\"pid\":7,\"host\":\"h\",\"why\":\"elsewhere\"}");
    CHECK(datafold_running(&f.s.data, DATA_BACKFILL) && j->pid == 7 && j->starts == 0);
    event(&f, T0 + 9000, EV_DATA_JOB, "{\"job\":\"backfill\",\"step\":\"2.1\",\"state\":"
                                     "\"finished\",\"pid\":7,\"why\":\"done\"}");
    CHECK(!datafold_running(&f.s.data, DATA_BACKFILL) && j->starts == 0 && j->failures == 0);
    teardown(&f);
}

/* A backfill or compare run by hand with --journal that stopped on an
 * error (data_failed) shows as failed, with its words, on every console
 * watching the journal; its next run's progress says it runs again. */
TEST(a_headless_failure_shows_until_the_next_runs_progress)
{
    struct fixture f;
    setup(&f);
    const struct datafold_job *j = &f.s.data.jobs[DATA_BACKFILL];
    event(&f, T0, EV_BACKFILL, "{\"job\":\"backfill:orders\",\"rows\":1000,\"total\":5000}");
    event(&f, T0 + 1000, EV_DATA_FAILED,
          "{\"job\":\"backfill\",\"why\":\"backfill: old: server closed the connection\"}");
    CHECK(j->seen && strcmp(j->state, "failed") == 0 && j->failures == 1 && j->pid == 0);
    CHECK(strcmp(j->why, "backfill: old: server closed the connection") == 0 && j->ts_ms == T0 + 1000);
    CHECK(!datafold_running(&f.s.data, DATA_BACKFILL) && !f.s.data.jobs[DATA_COMPARE].seen);
    event(&f, T0 + 2000, EV_DATA_FAILED, "{\"job\":\"backfill\",\"why\":\"again\"}");
    CHECK(j->failures == 2);
    event(&f, T0 + 3000, EV_BACKFILL, "{\"job\":\"backfill:orders\",\"rows\":2000,\"total\":5000}");
    CHECK(strcmp(j->state, "resumed") == 0 && j->failures == 0 && j->ts_ms == T0 + 3000);
    CHECK(j->failed_runs == 2 && strcmp(j->last_failure, "again") == 0);
    /* a compare's failure, and its next run's progress */
    const struct datafold_job *c = &f.s.data.jobs[DATA_COMPARE];
    event(&f, T0 + 4000, EV_DATA_FAILED, "{\"job\":\"compare\",\"why\":\"new: gone\"}");
    CHECK(strcmp(c->state, "failed") == 0 && strcmp(j->state, "resumed") == 0);
    event(&f, T0 + 5000, EV_COMPARE_PROGRESS, "{\"job\":\"compare:orders\",\"rows\":10}");
    CHECK(strcmp(c->state, "resumed") == 0 && c->failures == 0);
    /* a console's job is the console's to tell: progress leaves it alone */
    event(&f, T0 + 6000, EV_DATA_JOB, "{\"job\":\"backfill\",\"step\":\"2.1\",\"state\":\"failed\","
                                     "\"pid\":43,\"exit\":1,\"why\":\"exit 1\"}");
    event(&f, T0 + 7000, EV_BACKFILL, "{\"job\":\"backfill:orders\",\"rows\":2500,\"total\":5000}");
    CHECK(strcmp(j->state, "failed") == 0 && j->pid == 43);
    teardown(&f);
}

/* A backfill held back by a signal says why, until an event without the
 * field lifts it. */
TEST(a_throttled_backfill_says_why_until_it_lifts)
{
    struct fixture f;
    setup(&f);
    event(&f, T0, EV_BACKFILL, "{\"job\":\"backfill:orders\",\"rows\":100,\"total\":1000,"
                              "\"throttled\":\"replica_lag 7.2 s > 5 s\"}");
    CHECK(f.s.backfill.n_jobs == 1);
    CHECK(strcmp(f.s.backfill.jobs[0].throttled, "replica_lag 7.2 s > 5 s") == 0);
    event(&f, T0 + 1000, EV_BACKFILL, "{\"job\":\"backfill:orders\",\"rows\":200,\"total\":1000}");
    CHECK(f.s.backfill.jobs[0].throttled[0] == '\0');
    teardown(&f);
}

TEST(the_comparisons_progress_result_and_divergences)
{
    struct fixture f;
    setup(&f);
    const struct datafold_compare *c = &f.s.data.cmp;
    event(&f, T0, EV_COMPARE_PROGRESS, "{\"job\":\"compare:orders\",\"rows\":1000,\"total\":10000,"
                                      "\"ranges\":4,\"divergent\":0,\"rate\":500,\"cursor\":\"1000\"}");
    CHECK(c->seen && c->rows == 1000 && c->total == 10000 && c->ranges == 4 && c->rate == 500);
    /* 9,000 rows left at 500 rows/s: 18 s after the progress */
    CHECK(datafold_compare_end(&f.s.data) == T0 + 18000);
    event(&f, T0 + 1000, EV_DIVERGENCE, "{\"key\":\"5\",\"cause\":\"value\",\"columns\":[\"customer\"],"
                                       "\"old\":{\"customer\":\"cust 5\"},\"new\":{\"customer\":\"x\"}}");
    event(&f, T0 + 1100, EV_DIVERGENCE, "{\"key\":\"11\",\"cause\":\"missing-in-new\","
                                       "\"columns\":[\"note\"],\"old\":{\"note\":\"n\"}}");
    const struct datafold_div *d = datafold_div(&f.s.data, 0);
    CHECK(d && strcmp(d->key, "11") == 0 && strcmp(d->cause, "missing-in-new") == 0);
    CHECK_STR(d->diff, "(no row in new)");
    d = datafold_div(&f.s.data, 1);
    CHECK(d && strcmp(d->key, "5") == 0);
    CHECK_STR(d->diff, "customer: \"cust 5\" → \"x\"");
    CHECK(datafold_div(&f.s.data, 2) == NULL);
    event(&f, T0 + 2000, EV_COMPARE_PROGRESS, "{\"job\":\"compare:orders\",\"rows\":6000,"
                                             "\"total\":10000,\"divergent\":2,\"by_cause\":"
                                             "{\"value\":1,\"missing-in-new\":1},\"rate\":2000}");
    CHECK(c->rows == 6000 && c->divergent == 2 && c->by_cause[0] == 1 && c->by_cause[7] == 1);
    event(&f, T0 + 4000, EV_COMPARE, "{\"rows_old\":10000,\"rows_new\":9999,\"divergent\":2,"
                                    "\"by_cause\":{\"value\":1,\"missing-in-new\":1},\"diverged\":true}");
    CHECK(c->finished && c->diverged && c->rows == 10000 && datafold_compare_end(&f.s.data) == 0);
    /* the next run's first progress starts the counts again */
    event(&f, T0 + 9000, EV_COMPARE_PROGRESS, "{\"job\":\"compare:orders\",\"rows\":10,\"total\":10000}");
    CHECK(!c->finished && c->rows == 10 && c->divergent == 0 && c->by_cause[0] == 0);
    CHECK(f.s.data.n_div_events == 2);
    teardown(&f);
}

TEST(the_ring_keeps_the_newest_divergences)
{
    struct fixture f;
    setup(&f);
    char b[200];
    for (int i = 1; i <= DATAFOLD_DIVS + 3; i++) {
        snprintf(b, sizeof b, "{\"key\":\"%d\",\"cause\":\"value\"}", i);
        event(&f, T0 + i, EV_DIVERGENCE, b);
    }
    snprintf(b, sizeof b, "%d", DATAFOLD_DIVS + 3);
    CHECK(strcmp(datafold_div(&f.s.data, 0)->key, b) == 0);
    snprintf(b, sizeof b, "%d", 4);
    CHECK(strcmp(datafold_div(&f.s.data, DATAFOLD_DIVS - 1)->key, b) == 0);
    CHECK(datafold_div(&f.s.data, DATAFOLD_DIVS) == NULL);
    teardown(&f);
}

TEST(a_long_key_is_cut_between_characters)
{
    struct fixture f;
    setup(&f);
    /* 62 ASCII bytes then "é" (2 bytes): a 64-byte field holds 63 of them,
     * which would end inside the é */
    char b[300], key[80];
    memset(key, 'a', 62);
    snprintf(key + 62, sizeof key - 62, "\xc3\xa9z");
    snprintf(b, sizeof b, "{\"key\":\"%s\",\"cause\":\"value\"}", key);
    event(&f, T0, EV_DIVERGENCE, b);
    const char *got = datafold_div(&f.s.data, 0)->key;
    CHECK(strlen(got) == 62);
    CHECK(canon_utf8_prefix(got, strlen(got)) == strlen(got));
    /* values of é and è, cut to the field, and the diff line full */
    char e[200] = "", big[1200];
    for (int i = 0; i < 60; i++)
        strcat(e, "\xc3\xa9");
    snprintf(big, sizeof big, "{\"key\":\"1\",\"cause\":\"value\",\"columns\":[\"c\",\"d\",\"x\"],"
             "\"old\":{\"c\":\"%s\",\"d\":\"%s\",\"x\":\"%s\"},\"new\":{\"c\":1,\"d\":2,\"x\":3}}",
             e, e, e);
    event(&f, T0 + 1, EV_DIVERGENCE, big);
    const char *diff = datafold_div(&f.s.data, 0)->diff;
    CHECK(strlen(diff) > 100);
    CHECK(canon_utf8_prefix(diff, strlen(diff)) == strlen(diff));
    teardown(&f);
}

TEST(the_compare_eta_is_known_from_its_progress)
{
    struct fixture f;
    setup(&f);
    event(&f, T0, EV_BACKFILL, "{\"job\":\"backfill\",\"rows\":10,\"total\":10,\"done\":true}");
    struct eta e = eta_compute(f.rb, &f.s, NULL, T0);
    CHECK(!e.known && strcmp(e.unknown, "the comparison has not started") == 0);
    event(&f, T0, EV_DATA_JOB, "{\"job\":\"compare\",\"step\":\"2.2\",\"state\":\"started\",\"why\":\"x\"}");
    e = eta_compute(f.rb, &f.s, NULL, T0);
    CHECK(!e.known && strcmp(e.unknown, "the comparison's rate is not measured yet") == 0);
    event(&f, T0 + 1000, EV_COMPARE_PROGRESS, "{\"job\":\"compare:t\",\"rows\":100,\"total\":1100,"
                                             "\"rate\":100}");
    e = eta_compute(f.rb, &f.s, NULL, T0 + 1000);
    CHECK(e.known && e.at_ms == T0 + 11000 && e.dominant == ETA_COMPARE);
    event(&f, T0 + 2000, EV_COMPARE, "{\"rows_old\":1100,\"rows_new\":1100,\"divergent\":3,"
                                    "\"diverged\":true}");
    e = eta_compute(f.rb, &f.s, NULL, T0 + 2000);
    CHECK(!e.known && strcmp(e.unknown, "the comparison diverged") == 0);
    teardown(&f);
}

/* The paused state P goes by: the newest pause or resume control's; a
 * change of rate alone leaves it as it was (though the words of the last
 * control then say only the rate). */
TEST(a_change_of_rate_leaves_the_pause_as_it_was)
{
    struct fixture f;
    setup(&f);
    CHECK(!f.s.data.pause_said && !f.s.data.paused);
    event(&f, T0, EV_BACKFILL_CONTROL, "{\"job\":\"backfill:t\",\"paused\":true}");
    CHECK(f.s.data.pause_said && f.s.data.paused);
    event(&f, T0 + 1, EV_BACKFILL_CONTROL, "{\"job\":\"backfill:t\",\"rate\":1500}");
    CHECK(f.s.data.paused && strcmp(f.s.data.control, "rate 1500 rows/s") == 0);
    event(&f, T0 + 2, EV_BACKFILL_CONTROL, "{\"job\":\"backfill:t\",\"paused\":false}");
    CHECK(f.s.data.pause_said && !f.s.data.paused);
    teardown(&f);
}

TEST(a_refold_gives_the_same_state)
{
    struct fixture f, g;
    setup(&f);
    setup(&g);
    const char *kinds[] = {EV_DATA_JOB, EV_COMPARE_PROGRESS, EV_DIVERGENCE, EV_BACKFILL_CONTROL};
    const char *bodies[] = {
        "{\"job\":\"compare\",\"step\":\"2.2\",\"state\":\"started\",\"pid\":7,\"why\":\"x\"}",
        "{\"job\":\"compare:t\",\"rows\":5,\"total\":9,\"rate\":3}",
        "{\"key\":\"1\",\"cause\":\"whitespace\",\"columns\":[\"a\"],\"old\":{\"a\":\"x\"},\"new\":{\"a\":\"x \"}}",
        "{\"job\":\"backfill:t\",\"paused\":true}"};
    for (int i = 0; i < 4; i++)
        event(&f, T0 + i, kinds[i], bodies[i]);
    struct session copy;
    CHECK(session_copy(&copy, &f.s) == 0);
    for (int i = 0; i < 4; i++)
        event(&g, T0 + i, kinds[i], bodies[i]);
    CHECK(memcmp(&copy.data, &g.s.data, sizeof copy.data) == 0);
    CHECK(strcmp(g.s.data.control, "pause") == 0);
    session_free(&copy);
    teardown(&f);
    teardown(&g);
}

/* What the report reads at the end (core/reportdata.h): the time held by
 * a throttle, the pauses, the starts; a sample kept apart from the
 * comparison it did not replace. */
TEST(the_backfills_whole_story_and_a_sample_apart)
{
    struct fixture f;
    setup(&f);
    const char *start = "{\"job\":\"backfill\",\"step\":\"2.1\",\"state\":\"started\",\"why\":\"x\"}";
    event(&f, T0, EV_DATA_JOB, start);
    event(&f, T0 + 1000, EV_BACKFILL, "{\"job\":\"backfill:t\",\"rows\":100,\"total\":1000}");
    event(&f, T0 + 2000, EV_BACKFILL, "{\"job\":\"backfill:t\",\"rows\":200,\"total\":1000,"
                                     "\"throttled\":\"lag 7 s > 5 s\"}");
    event(&f, T0 + 3000, EV_BACKFILL, "{\"job\":\"backfill:t\",\"rows\":200,\"total\":1000,"
                                     "\"throttled\":\"lag 6 s > 5 s\"}");
    event(&f, T0 + 5500, EV_BACKFILL, "{\"job\":\"backfill:t\",\"rows\":200,\"total\":1000}");
    event(&f, T0 + 6000, EV_BACKFILL, "{\"job\":\"backfill:t\",\"rows\":300,\"total\":1000,\"paused\":true}");
    event(&f, T0 + 7000, EV_BACKFILL, "{\"job\":\"backfill:t\",\"rows\":300,\"total\":1000,\"paused\":true}");
    event(&f, T0 + 8000, EV_DATA_JOB, start);
    event(&f, T0 + 9000, EV_BACKFILL, "{\"job\":\"backfill:t\",\"rows\":400,\"total\":1000,\"paused\":true}");
    event(&f, T0 + 9500, EV_BACKFILL, "{\"job\":\"backfill:t\",\"rows\":1000,\"total\":1000,\"done\":true}");
    const struct bf_job *j = &f.s.backfill.jobs[0];
    CHECK(j->throttled_ms == 3500 && bf_progress_throttled_ms(j, T0 + 20000) == 3500);
    CHECK(j->pauses == 1 && j->rewinds == 0);   /* paused from 6 s until the copy ended */
    CHECK(j->first_ms == T0 + 1000 && j->first_rows == 100 && j->done_ms == T0 + 9500);
    CHECK(f.s.data.jobs[DATA_BACKFILL].starts == 2 && f.s.data.jobs[DATA_BACKFILL].first_started_ms == T0);
    /* a throttle still in force counts until the time asked */
    event(&f, T0 + 10000, EV_BACKFILL, "{\"job\":\"backfill:t\",\"rows\":0,\"total\":1000,\"throttled\":\"x\"}");
    CHECK(bf_progress_throttled_ms(j, T0 + 11000) == 4500 && j->rewinds == 1 && j->done_ms == 0);

    event(&f, T0 + 12000, EV_COMPARE, "{\"rows_old\":1000,\"rows_new\":999,\"divergent\":3,"
                                     "\"by_cause\":{\"value\":3},\"diverged\":true}");
    event(&f, T0 + 13000, EV_COMPARE, "{\"rows_old\":50,\"rows_new\":50,\"divergent\":1,\"sample\":50,"
                                     "\"rate\":0.02,\"rate_low\":0.004,\"rate_high\":0.1,\"diverged\":true}");
    const struct datafold_compare *c = &f.s.data.cmp;
    CHECK(c->rows_old == 1000 && c->divergent == 3 && c->by_cause[CAUSE_VALUE] == 3);
    const struct datafold_sample *sa = &f.s.data.sample;
    CHECK(sa->runs == 1 && sa->keys == 50 && sa->divergent == 1 && sa->rate_low == 0.004 && sa->rate_high == 0.1);
    teardown(&f);
}

RUN_TESTS(T(the_backfills_whole_story_and_a_sample_apart), T(a_jobs_life_is_folded_from_its_data_job_events), T(a_throttled_backfill_says_why_until_it_lifts),
          T(a_job_run_elsewhere_is_watched_not_counted_as_a_run),
          T(a_headless_failure_shows_until_the_next_runs_progress),
          T(the_comparisons_progress_result_and_divergences), T(the_ring_keeps_the_newest_divergences),
          T(a_long_key_is_cut_between_characters),
          T(the_compare_eta_is_known_from_its_progress), T(a_change_of_rate_leaves_the_pause_as_it_was),
          T(a_refold_gives_the_same_state))
