/* test_watch.c — the criteria's memory lives in the fold: transitions are
 * journaled with their deciding values, a restart (a refold) resumes a
 * `for` window where it was, a `criterion` event is the tick of time
 * passing, and stepping twice at one instant changes nothing. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "core/events.h"
#include "core/watch.h"

static const char RUNBOOK[] =
    "# W\n\n## Roles\n- commander: A\n\n## Systems\n- metrics: prometheus `http://x`\n\n"
    "## Signals\n- p99_ratio: `r`\n\n## Abort criteria\n- abort if p99_ratio > 2 for 60s\n\n"
    "## Phase 1: P {readonly}\n- [ ] commander: watch\n";

static char path[64];

static struct journal *fresh(void)
{
    strcpy(path, "/tmp/cutover-watch-XXXXXX");
    close(mkstemp(path));
    unlink(path);
    struct journal *j = NULL;
    struct error err = {{0}};
    CHECK(journal_open(path, JOURNAL_CREATE, &j, &err) == 0);
    return j;
}

static void cleanup(struct journal *j)
{
    char p[96];
    journal_close(j);
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

#define T0 1795564800000LL   /* 2026-11-25 00:00 UTC: journal times are real times */

static void samples(struct journal *j, int64_t from_s, int64_t to_s, double v)
{
    struct error err = {{0}};
    for (int64_t t = from_s; t <= to_s; t++) {
        struct journal_sample s = {.ts_ms = T0 + t * 1000, .signal = "p99_ratio", .value = v,
                                   .has_value = 1, .status = "ok"};
        journal_append_samples(j, &s, 1, &err);
    }
}

static int fold_ev(const struct journal_event *ev, void *p)
{
    session_apply(p, ev);
    return 0;
}

static int fold_sa(const struct journal_sample *s, void *p)
{
    session_apply_sample(p, s);
    return 0;
}

/* Folds what the journal holds past what s has folded. */
static void refresh(struct session *s, struct journal *j)
{
    struct error err = {{0}};
    CHECK(journal_read_history(j, s->last_seq, s->last_sample_seq, fold_ev, fold_sa, s,
                               &err) == 0);
}

TEST(a_window_survives_a_restart)
{
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("w.md", RUNBOOK, strlen(RUNBOOK), &pr);
    CHECK(rb && pr.n_errors == 0);
    struct journal *j = fresh();
    struct error err = {{0}};
    struct session live;
    session_init(&live, rb);
    samples(j, 0, 50, 2.5);   /* breaching for 50 s, then the cockpit dies */
    refresh(&live, j);
    CHECK(watch_judge(&live, T0 + 50000, j, &err) == 1);   /* unjudged → pending */
    refresh(&live, j);
    CHECK(live.crits[0].state == CRIT_PENDING && live.tracks[0].breach_since_ms == T0);

    /* a new console: the refold is the criteria's memory, nothing else */
    struct session s;
    session_init(&s, rb);
    refresh(&s, j);
    CHECK(s.tracks[0].state == CRIT_PENDING && s.tracks[0].breach_since_ms == T0);
    CHECK(memcmp(&s.tracks[0], &live.tracks[0], sizeof s.tracks[0]) == 0);
    samples(j, 51, 60, 2.5);
    refresh(&s, j);
    /* 60 s after the breach began it fires, not 60 s after the restart */
    CHECK(watch_judge(&s, T0 + 60000, j, &err) == 1);
    refresh(&s, j);
    CHECK(s.crits[0].state == CRIT_FIRING && s.tracks[0].state == CRIT_FIRING);
    CHECK(watch_judge(&s, T0 + 60000, j, &err) == 0);   /* nothing new at the same instant */

    session_free(&live);
    session_free(&s);
    cleanup(j);
    runbook_free(rb);
    rb_problems_free(&pr);
}

TEST(transitions_are_journaled_with_their_values)
{
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("w.md", RUNBOOK, strlen(RUNBOOK), &pr);
    struct journal *j = fresh();
    struct error err = {{0}};
    struct session s;
    session_init(&s, rb);
    CHECK(watch_judge(&s, T0 + 1000, j, &err) == 1);   /* unjudged → no data */
    refresh(&s, j);
    CHECK(s.crits[0].state == CRIT_NO_DATA && s.tracks[0].no_data_since_ms == T0 + 1000);
    samples(j, 2, 2, 1.5);
    refresh(&s, j);
    CHECK(s.tracks[0].state == CRIT_OK);                /* the fold moved on */
    CHECK(watch_judge(&s, T0 + 2000, j, &err) == 1);   /* no data → ok, on record */
    refresh(&s, j);
    CHECK(watch_judge(&s, T0 + 2500, j, &err) == 0);
    char *body = NULL;
    journal_last_of_kind(j, EV_CRITERION, &body, &err);
    CHECK(body && strstr(body, "\"from\":\"no data\"") && strstr(body, "\"to\":\"ok\"") &&
          strstr(body, "\"value\":1.5"));
    free(body);
    session_free(&s);
    cleanup(j);
    runbook_free(rb);
    rb_problems_free(&pr);
}

TEST(time_passing_is_a_journaled_tick)
{
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("w.md", RUNBOOK, strlen(RUNBOOK), &pr);
    struct journal *j = fresh();
    struct error err = {{0}};
    struct session s;
    session_init(&s, rb);
    samples(j, 0, 0, 1.0);
    refresh(&s, j);
    CHECK(watch_judge(&s, T0, j, &err) == 1);           /* unjudged → ok */
    refresh(&s, j);
    /* no sample for 10 s: the signal (interval 15 s by default or less) may
     * or may not be stale yet; whatever the copy says, the fold agrees */
    for (int64_t t = 1; t <= 120; t++) {
        int n = watch_judge(&s, T0 + t * 1000, j, &err);
        CHECK(n >= 0);
        refresh(&s, j);
        CHECK(s.tracks[0].state == s.crits[0].state);
    }
    CHECK(s.crits[0].state == CRIT_NO_DATA);            /* stale, on record */
    struct session again;
    session_init(&again, rb);
    refresh(&again, j);
    CHECK(memcmp(again.tracks, s.tracks, sizeof *s.tracks) == 0);
    session_free(&again);
    session_free(&s);
    cleanup(j);
    runbook_free(rb);
    rb_problems_free(&pr);
}

TEST(a_step_at_the_same_instant_changes_nothing)
{
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("w.md", RUNBOOK, strlen(RUNBOOK), &pr);
    struct session s;
    session_init(&s, rb);
    struct journal_sample sa = {.seq = 1, .ts_ms = T0, .signal = "p99_ratio", .value = 3,
                                .has_value = 1, .status = "ok"};
    session_apply_sample(&s, &sa);
    for (int64_t t = 0; t <= 70; t += 7) {
        struct crit_track once = s.tracks[0];
        session_step_criteria(&s, &once, T0 + t * 1000);
        struct crit_track twice = once;
        CHECK(session_step_criteria(&s, &twice, T0 + t * 1000) == 0);
        CHECK(memcmp(&once, &twice, sizeof once) == 0);
    }
    session_free(&s);
    runbook_free(rb);
    rb_problems_free(&pr);
}

RUN_TESTS(T(a_window_survives_a_restart), T(transitions_are_journaled_with_their_values),
          T(time_passing_is_a_journaled_tick), T(a_step_at_the_same_instant_changes_nothing))
