/* test_sighist.c — a signal's history for the charts (core/sighist.c): one
 * min/max per column whatever the number of samples, no data is a gap and
 * not a zero, a poll without a value is told apart, a long span reads the
 * coarse tier, and a bucket the ring has gone round is not read as new.
 * And the marks the fold keeps (core/marks.c). */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "core/events.h"
#include "core/marks.h"
#include "core/sighist.h"

#define T0 1795622340000LL   /* 2026-11-25 15:59:00 UTC */

TEST(a_column_keeps_the_min_and_max_of_its_samples)
{
    struct sighist *h = calloc(1, sizeof *h);
    for (int i = 0; i < 40; i++)   /* 4 samples a second for 10 s */
        sighist_add(h, T0 + i * 250, 1, i % 4 == 3 ? 9.0 : 1.0 + i * 0.01);
    struct sighist_cell c[2];
    int64_t w = sighist_columns(h, T0 + 10000, T0, 5000, 2, c);
    CHECK(w == 1000);   /* 10 s ago: the 1 s tier */
    CHECK(c[0].flags == SIGHIST_VALUE && c[1].flags == SIGHIST_VALUE);
    CHECK(fabsf(c[0].lo - 1.0f) < 1e-6 && fabsf(c[0].hi - 9.0f) < 1e-6);
    CHECK(fabsf(c[1].lo - 1.20f) < 1e-4 && fabsf(c[1].hi - 9.0f) < 1e-6);
    free(h);
}

TEST(no_sample_is_a_gap_and_a_poll_without_value_is_marked)
{
    struct sighist *h = calloc(1, sizeof *h);
    sighist_add(h, T0, 1, 0.0);          /* a real zero */
    sighist_add(h, T0 + 5000, 0, 0.0);   /* an error: no value */
    struct sighist_cell c[10];
    sighist_columns(h, T0 + 10000, T0, 1000, 10, c);
    CHECK(c[0].flags == SIGHIST_VALUE && c[0].lo == 0.0f);
    CHECK(c[1].flags == 0 && c[4].flags == 0);           /* nothing: a gap */
    CHECK(c[5].flags == SIGHIST_NODATA);                 /* a poll, no value */
    free(h);
}

TEST(a_long_span_reads_the_coarse_tiers)
{
    struct sighist *h = calloc(1, sizeof *h);
    for (int64_t t = 0; t < 6 * 3600000LL; t += 1000)   /* six hours at 1 s */
        sighist_add(h, T0 + t, 1, t == 3600000LL ? 50.0 : 1.0);
    int64_t now = T0 + 6 * 3600000LL;
    struct sighist_cell c[60];
    /* the last 5 minutes: 1 s buckets */
    CHECK(sighist_columns(h, now, now - 300000, 5000, 60, c) == 1000);
    /* the last 4 hours hold 20 s buckets; six hours the 2 min ones */
    CHECK(sighist_columns(h, now, now - 3 * 3600000LL, 180000, 60, c) == 20000);
    CHECK(sighist_columns(h, now, now - 6 * 3600000LL, 360000, 60, c) == 120000);
    int spikes = 0, filled = 0;
    for (int i = 0; i < 60; i++) {
        filled += c[i].flags == SIGHIST_VALUE;
        spikes += c[i].hi == 50.0f;
    }
    CHECK(filled == 60);   /* six hours, no gap */
    /* the one-second spike an hour in is not averaged away (its 2 min
     * bucket may straddle two columns: then both show it) */
    CHECK(spikes >= 1 && spikes <= 2);
    free(h);
}

TEST(a_bucket_from_a_turn_of_the_ring_ago_is_not_read)
{
    struct sighist *h = calloc(1, sizeof *h);
    sighist_add(h, T0, 1, 7.0);
    /* exactly one turn of the 1 s ring later the same slot is asked for */
    int64_t later = T0 + sighist_tier_span_ms(0);
    struct sighist_cell c[1];
    sighist_columns(h, later + 1000, later, 1000, 1, c);
    CHECK(c[0].flags == 0);
    free(h);
}

TEST(marks_keep_steps_apart_from_acks)
{
    struct runbook rb = {0};
    struct rb_ramp_step steps[2] = {{1, 30000, 1}, {5, 30000, 2}};
    rb.ramp = steps;
    rb.n_ramp = 2;
    struct marks *m = calloc(1, sizeof *m);
    struct ramp_view before = {.status = RAMP_SETTING, .step = -1};
    struct ramp_view after = {.status = RAMP_HOLDING, .step = 0, .step_since_ms = T0};
    struct journal_event ev = {.seq = 1, .ts_ms = T0, .actor = "a", .kind = EV_FLAG_READ, .body = "{}"};
    marks_note(m, &ev, &rb, &before, &after);
    struct journal_event ack = {.seq = 2, .ts_ms = T0 + 1, .actor = "a", .kind = EV_ACK, .body = "{}"};
    for (int i = 0; i < MARKS_OTHER + 10; i++)   /* a flood of acks */
        marks_note(m, &ack, &rb, &after, &after);
    CHECK(m->n_steps == 1 && marks_step(m, 0)->ts_ms == T0 && marks_step(m, 0)->percent == 1.0f);
    CHECK(m->n_other == MARKS_OTHER && marks_other(m, 0)->kind == MARK_ACK);
    struct journal_event abort_ev = {.seq = 3, .ts_ms = T0 + 9, .actor = "a", .kind = EV_ABORT, .body = "{}"};
    marks_note(m, &abort_ev, &rb, &after, &after);
    CHECK(marks_other(m, MARKS_OTHER - 1)->kind == MARK_ABORT);
    CHECK(marks_glyph(MARK_ABORT) == 'A' && marks_kind_of(EV_NOTE) == MARK_NOTE);
    CHECK(marks_kind_of(EV_FLAG_SET) == -1);
    free(m);
}

RUN_TESTS(T(a_column_keeps_the_min_and_max_of_its_samples),
          T(no_sample_is_a_gap_and_a_poll_without_value_is_marked),
          T(a_long_span_reads_the_coarse_tiers), T(a_bucket_from_a_turn_of_the_ring_ago_is_not_read),
          T(marks_keep_steps_apart_from_acks))
