/* test_criteria.c — the criterion state machine with time as an argument:
 * pending → firing over the `for` window, missing data that never passes,
 * minimum counts, and the Wilson confidence form. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "core/criteria.h"

static struct rb_criterion crit(enum rb_crit_action a, enum rb_op op, double x, int64_t for_ms)
{
    return (struct rb_criterion){.action = a, .signal = "err_rate", .op = op,
                                 .threshold = x, .for_ms = for_ms};
}


static const struct crit_input NONE = {0};

TEST(pending_then_firing_after_the_window)
{
    struct rb_criterion c = crit(RB_ABORT, RB_GT, 0.01, 30000);
    struct crit_track t = {0};
    CHECK(criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = 0.005}, 1000) == 1);
    CHECK(t.state == CRIT_OK);
    CHECK(criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = 0.005}, 2000) == 0);
    CHECK(criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = 0.02}, 3000) == 1);
    CHECK(t.state == CRIT_PENDING);
    CHECK(criteria_pending_left_ms(&c, &t, 13000) == 20000);
    CHECK(criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = 0.02}, 32999) == 0);
    CHECK(t.state == CRIT_PENDING);
    CHECK(criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = 0.02}, 33000) == 1);
    CHECK(t.state == CRIT_FIRING);
    CHECK(strstr(t.why, "err_rate = 0.02 > 0.01 for 30s") != NULL);
    CHECK(t.state_since_ms == 33000);
}

TEST(a_dip_restarts_the_window)
{
    struct rb_criterion c = crit(RB_ABORT, RB_GT, 0.01, 10000);
    struct crit_track t = {0};
    criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = 0.5}, 0);
    criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = 0.0}, 9000);
    CHECK(t.state == CRIT_OK);
    criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = 0.5}, 10000);
    criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = 0.5}, 19999);
    CHECK(t.state == CRIT_PENDING);
    criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = 0.5}, 20000);
    CHECK(t.state == CRIT_FIRING);
}

TEST(no_for_clause_fires_at_once)
{
    struct rb_criterion c = crit(RB_HALT, RB_GT, 0, 0);
    struct crit_track t = {0};
    criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = 1}, 5);
    CHECK(t.state == CRIT_FIRING);
}

TEST(missing_data_never_passes)
{
    struct rb_criterion c = crit(RB_ABORT, RB_GT, 0.01, 0);
    struct crit_track t = {0};
    criteria_step(&c, &t, &NONE, 1000);
    CHECK(t.state == CRIT_NO_DATA);
    CHECK(strstr(t.why, "no data from err_rate") != NULL);
    criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = 0, .stale = 1}, 2000);
    CHECK(t.state == CRIT_NO_DATA);
    criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = NAN}, 3000);
    CHECK(t.state == CRIT_NO_DATA);
    criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = INFINITY}, 4000);
    CHECK(t.state == CRIT_NO_DATA);
    CHECK(strstr(t.why, "inf is not a number to judge") != NULL);
    /* -Inf would pass a `>` test if judged as a number: it must not */
    criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = -INFINITY}, 5000);
    CHECK(t.state == CRIT_NO_DATA);
    CHECK(t.no_data_since_ms == 1000);
}

TEST(no_data_clause_fires_after_its_duration)
{
    struct rb_criterion c = crit(RB_ABORT, RB_GT, 0.01, 0);
    c.no_data_ms = 120000;
    struct crit_track t = {0};
    criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = 0.001}, 0);
    criteria_step(&c, &t, &NONE, 1000);
    criteria_step(&c, &t, &NONE, 120999);
    CHECK(t.state == CRIT_NO_DATA);
    criteria_step(&c, &t, &NONE, 121000);
    CHECK(t.state == CRIT_FIRING);
    CHECK(strstr(t.why, "no data from err_rate for 2m") != NULL);
    criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = 0.001}, 122000);
    CHECK(t.state == CRIT_OK);
}

TEST(low_traffic_is_insufficient_not_a_breach)
{
    struct rb_criterion c = crit(RB_ABORT, RB_GT, 0.01, 0);
    c.min_signal = "new_reads";
    c.min_count = 200;
    struct crit_track t = {0};
    /* one error in three requests: 33 %, but three requests prove nothing */
    criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = 1.0 / 3,
                                               .has_count = 1, .count = 3}, 1000);
    CHECK(t.state == CRIT_INSUFFICIENT);
    CHECK(strstr(t.why, "new_reads = 3 < min 200") != NULL);
    criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = 0.02}, 2000);
    CHECK(t.state == CRIT_INSUFFICIENT);   /* no count at all */
    criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = 0.02,
                                               .has_count = 1, .count = 500}, 3000);
    CHECK(t.state == CRIT_FIRING);
}

TEST(wilson_bound_matches_the_textbook)
{
    /* p = 0.5, n = 100: the 95 % two-sided Wilson interval is
     * [0.4038, 0.5962], i.e. one-sided bounds at 97.5 % */
    CHECK(fabs(criteria_wilson(0.5, 100, 0.975, 1) - 0.4038) < 1e-4);
    CHECK(fabs(criteria_wilson(0.5, 100, 0.975, 0) - 0.5962) < 1e-4);
    CHECK(criteria_wilson(0.0, 10, 0.95, 1) == 0.0);
    CHECK(criteria_wilson(0.3, 0, 0.95, 1) == 0.0);
}

TEST(confidence_form_waits_for_evidence)
{
    struct rb_criterion c = crit(RB_ABORT, RB_GT, 0.01, 0);
    c.min_signal = "new_reads";
    c.min_count = 10;
    c.confidence = 0.95;
    struct crit_track t = {0};
    /* 2 % of 100: the lower bound (~0.6 %) is not past 1 % */
    criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = 0.02,
                                               .has_count = 1, .count = 100}, 1000);
    CHECK(t.state == CRIT_OK);
    CHECK(t.bound < 0.01);
    /* 2 % of 10,000: now the bound (~1.8 %) is */
    criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = 0.02,
                                               .has_count = 1, .count = 10000}, 2000);
    CHECK(t.state == CRIT_FIRING);
    CHECK(t.bound > 0.017 && t.bound < 0.02);
    CHECK(strstr(t.why, "Wilson") != NULL);
}

TEST(four_hours_of_samples_in_milliseconds)
{
    struct rb_criterion c = crit(RB_ABORT, RB_GT, 2, 60000);
    struct crit_track t = {0};
    int changes = 0;
    for (int64_t now = 0; now <= 4 * 3600 * 1000; now += 1000) {
        /* a breach from 2h to 2h+59s never lasts 60 s; one from 3h does */
        int64_t s = now / 1000;
        double v = (s >= 7200 && s < 7259) || s >= 10800 ? 2.5 : 1.2;
        changes += criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = v}, now);
        if (s == 7258)
            CHECK(t.state == CRIT_PENDING);
        if (s == 7300)
            CHECK(t.state == CRIT_OK);
    }
    CHECK(t.state == CRIT_FIRING);
    CHECK(t.state_since_ms == (10800 + 60) * 1000);
    CHECK(changes == 5); /* ok, pending, ok, pending, firing */
}

TEST(comparisons)
{
    CHECK(criteria_compare(RB_GE, 1, 1) && !criteria_compare(RB_GT, 1, 1));
    CHECK(criteria_compare(RB_LE, 1, 1) && !criteria_compare(RB_LT, 1, 1));
    CHECK(criteria_compare(RB_EQ, 0, 0) && criteria_compare(RB_NE, 0, 1));
    CHECK(strcmp(crit_state_name(CRIT_INSUFFICIENT), "insufficient data") == 0);
}

/* issue 17: a value is shown in the units its bound was written in, and
 * the worst of a breach is the one further past the bound */
TEST(values_in_the_criterions_own_units)
{
    struct rb_criterion c = crit(RB_ABORT, RB_GT, 0.001, 20000);
    c.is_percent = 1;
    char buf[48];
    criteria_format_value(&c, 0.0452, buf, sizeof buf);
    CHECK(strcmp(buf, "4.52 %") == 0);
    struct crit_track t = {0};
    criteria_step(&c, &t, &(struct crit_input){.has_value = 1, .value = 0.0014}, 1000);
    CHECK(strstr(t.why, "err_rate = 0.14 % > 0.1 % for 0") != NULL);
    c.is_percent = 0;
    criteria_format_value(&c, 2.314, buf, sizeof buf);
    CHECK(strcmp(buf, "2.314") == 0);
    CHECK(criteria_worse(RB_GT, 0.05, 0.02) == 0.05);
    CHECK(criteria_worse(RB_LT, 0.05, 0.02) == 0.02);
    CHECK(criteria_worse(RB_GT, NAN, 0.02) == 0.02);
}

RUN_TESTS(T(pending_then_firing_after_the_window), T(a_dip_restarts_the_window),
          T(no_for_clause_fires_at_once), T(missing_data_never_passes),
          T(no_data_clause_fires_after_its_duration), T(low_traffic_is_insufficient_not_a_breach),
          T(wilson_bound_matches_the_textbook), T(confidence_form_waits_for_evidence),
          T(four_hours_of_samples_in_milliseconds), T(comparisons),
          T(values_in_the_criterions_own_units))
