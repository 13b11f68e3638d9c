/* test_watch.c — judging criteria from journaled samples: transitions are
 * journaled with their deciding values, and after a restart the criteria's
 * `for` windows are rebuilt from the samples instead of starting again. */
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

static int fold(const struct journal_sample *s, void *p)
{
    session_apply_sample(p, s);
    return 0;
}

TEST(a_window_survives_a_restart)
{
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("w.md", RUNBOOK, strlen(RUNBOOK), &pr);
    CHECK(rb && pr.n_errors == 0);
    struct journal *j = fresh();
    struct error err = {{0}};
    samples(j, 0, 50, 2.5);   /* breaching for 50 s, then the cockpit dies */

    /* a new console: the session folds the samples, the watch is rebuilt */
    struct session s;
    session_init(&s, rb);
    journal_read_samples(j, 0, fold, &s, &err);
    struct watch w;
    watch_init(&w, rb);
    CHECK(watch_rebuild(&w, j, &err) == 0);
    CHECK(w.tracks[0].state == CRIT_PENDING && w.tracks[0].breach_since_ms == T0);
    samples(j, 51, 60, 2.5);
    journal_read_samples(j, s.last_sample_seq, fold, &s, &err);
    /* 60 s after the breach began it fires; without the rebuild it would
     * wait until 111 s */
    CHECK(watch_judge(&w, &s, T0 + 60000, j, &err) == 1);
    CHECK(w.tracks[0].state == CRIT_FIRING);

    struct watch fresh_watch;
    watch_init(&fresh_watch, rb);
    watch_judge(&fresh_watch, &s, T0 + 60000, j, &err);
    CHECK(fresh_watch.tracks[0].state == CRIT_PENDING);   /* what the rebuild avoids */

    watch_free(&fresh_watch);
    watch_free(&w);
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
    struct watch w;
    watch_init(&w, rb);
    CHECK(watch_judge(&w, &s, T0 + 1000, j, &err) == 1);   /* unjudged → no data */
    samples(j, 2, 2, 1.5);
    journal_read_samples(j, 0, fold, &s, &err);
    CHECK(watch_judge(&w, &s, T0 + 2000, j, &err) == 1);   /* no data → ok */
    CHECK(watch_judge(&w, &s, T0 + 2500, j, &err) == 0);
    char *body = NULL;
    journal_last_of_kind(j, EV_CRITERION, &body, &err);
    CHECK(body && strstr(body, "\"from\":\"no data\"") && strstr(body, "\"to\":\"ok\"") &&
          strstr(body, "\"value\":1.5"));
    free(body);
    watch_free(&w);
    session_free(&s);
    cleanup(j);
    runbook_free(rb);
    rb_problems_free(&pr);
}

RUN_TESTS(T(a_window_survives_a_restart), T(transitions_are_journaled_with_their_values))
