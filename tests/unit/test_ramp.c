/* test_ramp.c — the ramp controller as a pure function of the session and
 * the time: gated holds, the hold restarting after a criterion was unclear,
 * abort and halt, resume, automatic ramps, and a whole ramp of 50 minutes
 * of holds run in milliseconds. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/events.h"
#include "core/ramp.h"
#include "core/session.h"

#define MIN (60 * 1000)

static const char *RUNBOOK =
    "# Ramp test\n\n## Roles\n- commander: Alice\n- flags: Carol\n\n"
    "## Systems\n- metrics: prometheus `http://127.0.0.1:9`\n\n"
    "## Signals\n- err: `e`\n- corruption: `c`\n- noise: `n`\n- obs: `o`\n\n"
    "## Abort criteria\n- abort if err > 1% for 30s\n- halt if corruption > 0\n- warn if noise > 5\n\n"
    "## Ramp\n- 1% for 10m\n- 5% for 10m\n- 25% for 30m\n- 100%\n@EXTRA@\n"
    "## Phase 1: Before\n- [ ] commander: prepare\n\n"
    "## Phase 2: Ceremony\n- [ ] flags: ramp `ramp`\n\n"
    "## Rollback\n### Phase 1\nnothing\n### Phase 2\nflip back\n";

struct fixture {
    struct runbook *rb;
    struct session s;
    int64_t seq;
};

static void setup(struct fixture *f, const char *ramp_extra)
{
    char text[2048];
    const char *at = strstr(RUNBOOK, "@EXTRA@");
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - RUNBOOK), RUNBOOK, ramp_extra,
             at + strlen("@EXTRA@"));
    struct rb_problems pr = {0};
    f->rb = runbook_parse("ramp.md", text, strlen(text), &pr);
    for (size_t i = 0; i < pr.n; i++)
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

static void event(struct fixture *f, int64_t t, const char *kind, char *body)
{
    struct journal_event ev = {.seq = ++f->seq, .ts_ms = t, .actor = "engine",
                               .os_user = "t", .kind = kind, .body = body};
    session_apply(&f->s, &ev);
    free(body);
}

static void crit(struct fixture *f, int64_t t, size_t i, const char *to)
{
    /* named by the criterion as written (its id) and its position */
    event(f, t, EV_CRITERION,
          events_criterion_body(i, f->rb->criteria[i].text, "x", to, 1, 0, NAN, NAN, "why"));
}

static char *json(const char *text)
{
    return strdup(text);
}

static void all_clear(struct fixture *f, int64_t t)
{
    for (size_t i = 0; i < 3; i++)
        crit(f, t, i, "ok");
    event(f, t, EV_REHEARSAL, json("{\"passed\":true,\"summary\":\"fine\"}"));
}

static void advance_and_confirm(struct fixture *f, int64_t t, int step, double pct)
{
    char b[128];
    snprintf(b, sizeof b, "{\"step\":%d,\"percent\":%g}", step, pct);
    event(f, t, EV_RAMP_ADVANCE, json(b));
    snprintf(b, sizeof b, "{\"percent\":%g,\"purpose\":\"advance\",\"ok\":true}", pct);
    event(f, t + 5, EV_FLAG_SET, json(b));
    event(f, t + 10, EV_FLAG_READ, json(b));
}

TEST(nothing_moves_before_every_criterion_is_judged)
{
    struct fixture f;
    setup(&f, "");
    f.s.current_phase = 1;
    struct ramp_decision d = ramp_decide(f.rb, &f.s, 0);
    CHECK(d.action == RA_NONE);
    CHECK(strstr(d.why, "not judged yet") != NULL);
    all_clear(&f, 1000);
    d = ramp_decide(f.rb, &f.s, 1000);
    CHECK(d.action == RA_READY && d.next_step == 0 && d.target == 1);
    CHECK(d.earliest_full_ms == 1000 + 50 * MIN);
    teardown(&f);
}

TEST(the_ramp_waits_for_its_phase)
{
    struct fixture f;
    setup(&f, "");
    all_clear(&f, 1000);
    struct ramp_decision d = ramp_decide(f.rb, &f.s, 1000);
    CHECK(d.action == RA_NONE);
    CHECK(strstr(d.why, "phase 2 (Ceremony), which has not started") != NULL);
    teardown(&f);
}

TEST(a_step_holds_then_is_ready)
{
    struct fixture f;
    setup(&f, "");
    f.s.current_phase = 1;
    all_clear(&f, 0);
    advance_and_confirm(&f, 1000, 0, 1);
    CHECK(f.s.ramp.status == RAMP_HOLDING && f.s.ramp.percent == 1);
    CHECK(f.s.ramp.step_since_ms == 1010);
    struct ramp_decision d = ramp_decide(f.rb, &f.s, 1010 + 5 * MIN);
    CHECK(d.action == RA_NONE && d.hold_left_ms == 5 * MIN);
    CHECK(strstr(d.why, "5m left before 5%") != NULL);
    CHECK(d.earliest_full_ms == 1010 + 5 * MIN + 5 * MIN + 10 * MIN + 30 * MIN);
    d = ramp_decide(f.rb, &f.s, 1010 + 10 * MIN);
    CHECK(d.action == RA_READY && d.target == 5 && d.next_step == 1);
    teardown(&f);
}

TEST(an_unclear_criterion_restarts_the_hold)
{
    struct fixture f;
    setup(&f, "");
    f.s.current_phase = 1;
    all_clear(&f, 0);
    advance_and_confirm(&f, 1000, 0, 1);
    crit(&f, 1010 + 8 * MIN, 0, "pending");
    struct ramp_decision d = ramp_decide(f.rb, &f.s, 1010 + 9 * MIN);
    CHECK(d.action == RA_NONE);
    CHECK(strstr(d.why, "held by \"abort if err > 1% for 30s\": pending") != NULL);
    crit(&f, 1010 + 9 * MIN, 0, "ok");
    d = ramp_decide(f.rb, &f.s, 1010 + 12 * MIN);   /* 10m after the start, 3m after clear */
    CHECK(d.action == RA_NONE && d.hold_left_ms == 7 * MIN);
    d = ramp_decide(f.rb, &f.s, 1010 + 19 * MIN);
    CHECK(d.action == RA_READY);
    /* no data and insufficient data hold too; a warn does not */
    crit(&f, 1010 + 20 * MIN, 1, "no data");
    CHECK(ramp_decide(f.rb, &f.s, 1010 + 40 * MIN).action == RA_NONE);
    crit(&f, 1010 + 20 * MIN, 1, "insufficient data");
    CHECK(ramp_decide(f.rb, &f.s, 1010 + 40 * MIN).action == RA_NONE);
    crit(&f, 1010 + 21 * MIN, 1, "ok");
    crit(&f, 1010 + 21 * MIN, 2, "firing");
    CHECK(ramp_decide(f.rb, &f.s, 1010 + 31 * MIN).action == RA_READY);
    teardown(&f);
}

TEST(abort_rolls_back_without_asking)
{
    struct fixture f;
    setup(&f, "");
    f.s.current_phase = 1;
    all_clear(&f, 0);
    advance_and_confirm(&f, 1000, 0, 1);
    advance_and_confirm(&f, 1010 + 10 * MIN, 1, 5);
    crit(&f, 30 * MIN, 0, "firing");
    struct ramp_decision d = ramp_decide(f.rb, &f.s, 30 * MIN);
    CHECK(d.action == RA_ABORT && d.target == 0 && d.criterion == 0);
    event(&f, 30 * MIN + 1, EV_ABORT, json("{\"criterion\":0,\"cause\":\"err\",\"breach_ms\":1800000}"));
    CHECK(f.s.ramp.status == RAMP_ABORTED && f.s.ramp.target == 0);
    CHECK(f.s.ramp.breach_ms == 30 * MIN);
    CHECK(ramp_decide(f.rb, &f.s, 30 * MIN + 2).action == RA_NONE);
    event(&f, 30 * MIN + 3, EV_FLAG_SET, json("{\"percent\":0,\"purpose\":\"rollback\",\"ok\":false,\"error\":\"refused\"}"));
    CHECK(f.s.ramp.rollback_tries == 1 && f.s.ramp.rollback_set_ms == 0);
    CHECK(strstr(f.s.ramp.flag_error, "refused") != NULL);
    event(&f, 30 * MIN + 5, EV_FLAG_SET, json("{\"percent\":0,\"purpose\":\"rollback\",\"ok\":true}"));
    event(&f, 30 * MIN + 7, EV_FLAG_READ, json("{\"percent\":0,\"purpose\":\"rollback\",\"ok\":true}"));
    CHECK(f.s.ramp.rollback_set_ms == 30 * MIN + 5);
    CHECK(f.s.ramp.rollback_confirmed_ms == 30 * MIN + 7);
    CHECK(f.s.ramp.percent == 0 && f.s.ramp.flag_error[0] == '\0');
    event(&f, 40 * MIN, EV_RESUME, json("{\"reason\":\"fixed the index\"}"));
    CHECK(f.s.ramp.status == RAMP_IDLE && f.s.ramp.step == -1);
    teardown(&f);
}

TEST(a_read_back_that_disagrees_is_not_success)
{
    struct fixture f;
    setup(&f, "");
    f.s.current_phase = 1;
    all_clear(&f, 0);
    event(&f, 1000, EV_RAMP_ADVANCE, json("{\"step\":0,\"percent\":1}"));
    event(&f, 1005, EV_FLAG_READ, json("{\"percent\":0,\"purpose\":\"advance\",\"ok\":true}"));
    CHECK(f.s.ramp.status == RAMP_SETTING);
    CHECK(strstr(f.s.ramp.flag_error, "reads 0%, not the 1%") != NULL);
    teardown(&f);
}

TEST(no_abort_before_traffic_moved_but_halt_anyway)
{
    struct fixture f;
    setup(&f, "");
    f.s.current_phase = 1;
    all_clear(&f, 0);
    crit(&f, 10, 0, "firing");
    CHECK(ramp_decide(f.rb, &f.s, 20).action == RA_NONE);
    crit(&f, 30, 1, "firing");
    struct ramp_decision d = ramp_decide(f.rb, &f.s, 40);
    CHECK(d.action == RA_HALT && d.criterion == 1);
    event(&f, 50, EV_HALT, json("{\"criterion\":1,\"cause\":\"corruption\"}"));
    CHECK(f.s.ramp.status == RAMP_HALTED);
    teardown(&f);
}

TEST(a_rollback_value_and_an_automatic_ramp)
{
    struct fixture f;
    setup(&f, "\nMode: automatic\n\nRollback: 0.5%\n");
    f.s.current_phase = 1;
    CHECK(f.rb->ramp_automatic && f.rb->ramp_rollback_percent == 0.5);
    all_clear(&f, 0);
    /* at the rollback value the ramp has not moved: the first step is due */
    struct ramp_decision d = ramp_decide(f.rb, &f.s, 1);
    CHECK(d.action == RA_ADVANCE && d.target == 1);
    teardown(&f);
}

TEST(fifty_minutes_of_holds_in_milliseconds)
{
    struct fixture f;
    setup(&f, "\nMode: automatic\n");
    f.s.current_phase = 1;
    all_clear(&f, 0);
    int64_t t = 0;
    int advances = 0;
    for (; t <= 4 * 60 * MIN && f.s.ramp.status != RAMP_COMPLETE; t += 1000) {
        struct ramp_decision d = ramp_decide(f.rb, &f.s, t);
        if (d.action == RA_ADVANCE) {
            advance_and_confirm(&f, t, d.next_step, d.target);
            advances++;
        }
    }
    CHECK(f.s.ramp.status == RAMP_COMPLETE && f.s.ramp.percent == 100);
    CHECK(advances == 4);
    /* each confirm lands 10 ms after its advance; holds are counted from it */
    CHECK(t - 1000 == 50 * MIN + 3000);
    teardown(&f);
}

static void observed(struct fixture *f, int64_t t, double share)
{
    struct journal_sample s = {.seq = f->seq * 100 + t, .ts_ms = t, .signal = "obs", .value = share,
                               .has_value = 1, .status = "ok"};
    session_apply_sample(&f->s, &s);
}

TEST(a_flag_that_is_not_obeyed_halts_the_ramp)
{
    struct fixture f;
    setup(&f, "\nObserved: obs within 5 points for 30s\n");
    CHECK(f.rb->ramp_observed && f.rb->ramp_observed_points == 5 && f.rb->ramp_observed_for_ms == 30000);
    f.s.current_phase = 1;
    all_clear(&f, 0);
    advance_and_confirm(&f, 1000, 0, 1);
    advance_and_confirm(&f, 1000 + 10 * MIN, 1, 5);
    advance_and_confirm(&f, 1000 + 20 * MIN, 2, 25);
    int64_t t0 = 1010 + 20 * MIN;
    observed(&f, t0 + 1000, 0.02);     /* 2% on new while the flag says 25% */
    CHECK(f.s.ramp.disobey_since_ms == t0 + 1000);
    CHECK(ramp_decide(f.rb, &f.s, t0 + 30999).action != RA_HALT);
    struct ramp_decision d = ramp_decide(f.rb, &f.s, t0 + 31000);
    CHECK(d.action == RA_HALT && d.criterion == RAMP_NOT_OBEYED);
    CHECK(strstr(d.why, "the flag says 25% but 2.0% of traffic reaches new") != NULL);
    /* obeyed again (within 5 points): the clock stops */
    observed(&f, t0 + 32000, 0.23);
    CHECK(f.s.ramp.disobey_since_ms == 0);
    CHECK(ramp_decide(f.rb, &f.s, t0 + 40000).action != RA_HALT);
    teardown(&f);
}

TEST(an_abort_is_effective_only_when_traffic_leaves_new)
{
    struct fixture f;
    setup(&f, "\nObserved: obs within 5 points for 30s\n");
    f.s.current_phase = 1;
    all_clear(&f, 0);
    advance_and_confirm(&f, 1000, 0, 1);
    event(&f, 2000, EV_ABORT, json("{\"criterion\":0,\"cause\":\"x\"}"));
    event(&f, 2001, EV_FLAG_SET, json("{\"percent\":0,\"purpose\":\"rollback\",\"ok\":true}"));
    event(&f, 2002, EV_FLAG_READ, json("{\"percent\":0,\"purpose\":\"rollback\",\"ok\":true}"));
    observed(&f, 3000, 0.3);   /* a cache still sends 30% to new */
    CHECK(!ramp_abort_effective(f.rb, &f.s.ramp));
    observed(&f, 5000, 0.01);  /* still the step's share: within 5 points, but not gone */
    CHECK(!ramp_abort_effective(f.rb, &f.s.ramp));
    observed(&f, 9000, 0.0004);
    CHECK(ramp_abort_effective(f.rb, &f.s.ramp));
    event(&f, 9001, EV_ABORT_EFFECTIVE, json("{\"observed\":1}"));
    CHECK(f.s.ramp.effective_ms == 9001);
    teardown(&f);
}

TEST(the_first_step_waits_for_the_rehearsal_or_an_override)
{
    struct fixture f;
    setup(&f, "");
    f.s.current_phase = 1;
    for (size_t i = 0; i < 3; i++)
        crit(&f, 0, i, "ok");
    struct ramp_decision d = ramp_decide(f.rb, &f.s, 10);
    CHECK(d.action == RA_NONE && d.rehearse);
    CHECK(strstr(d.why, "rehearsing the way back") != NULL);
    event(&f, 20, EV_REHEARSAL, json("{\"passed\":false,\"summary\":\"✘ the flag cannot be written: read-only\"}"));
    d = ramp_decide(f.rb, &f.s, 30);
    CHECK(d.action == RA_NONE && strstr(d.why, "REHEARSAL FAILED: ✘ the flag cannot be written") != NULL);
    event(&f, 40, EV_OVERRIDE, json("{\"guard\":\"rehearsal\",\"reason\":\"flag checked by hand\"}"));
    CHECK(f.s.ramp.override_active);
    CHECK(ramp_decide(f.rb, &f.s, 50).action == RA_READY);
    teardown(&f);
}

/* Issue 15: a crafted journal named ramp step 99 and the fold followed it,
 * so ramp_decide read rb->ramp[100] (ASan: heap-buffer-overflow). A step is
 * now named by its percentage and checked against its position. */
TEST(a_ramp_step_the_runbook_lacks_is_reported_not_followed)
{
    struct fixture f;
    setup(&f, "");
    f.s.current_phase = 1;
    all_clear(&f, 0);
    int64_t before = f.s.n_faults;
    event(&f, 1000, EV_RAMP_ADVANCE, json("{\"step\":99,\"percent\":5}"));
    CHECK(f.s.n_faults == before + 1);
    CHECK(f.s.faults[before % SESSION_FAULTS].seq == f.seq);
    CHECK(strstr(session_fault_at(&f.s, f.seq), "5% is step 1 of the ramp, not step 99") != NULL);
    CHECK(f.s.ramp.status == RAMP_SETTING && f.s.ramp.step == 1 && f.s.ramp.target == 5);
    event(&f, 1005, EV_FLAG_READ, json("{\"percent\":5,\"purpose\":\"advance\",\"ok\":true}"));
    CHECK(f.s.ramp.status == RAMP_HOLDING);
    struct ramp_decision d = ramp_decide(f.rb, &f.s, 1010 + 10 * MIN);
    CHECK(d.next_step == 2 && d.target == 25);

    event(&f, 2000, EV_RAMP_ADVANCE, json("{\"step\":100000000,\"percent\":42}"));
    CHECK(strstr(session_fault_at(&f.s, f.seq), "42% is not a step of the ramp") != NULL);
    CHECK(f.s.ramp.status == RAMP_HOLDING && f.s.ramp.step == 1);
    event(&f, 2001, EV_RAMP_ADVANCE, json("{\"step\":2,\"percent\":-5}"));
    CHECK(strstr(session_fault_at(&f.s, f.seq), "percent is -5, not a percentage") != NULL);
    event(&f, 2002, EV_RAMP_ADVANCE, json("{\"step\":2,\"percent\":1e300}"));
    CHECK(session_fault_at(&f.s, f.seq) != NULL);
    event(&f, 2003, EV_RAMP_ADVANCE, json("{\"step\":-1,\"percent\":25}"));
    CHECK(strstr(session_fault_at(&f.s, f.seq), "step is -1, not a position") != NULL);
    event(&f, 2004, EV_RAMP_ADVANCE, json("{\"step\":2.5,\"percent\":25}"));
    CHECK(session_fault_at(&f.s, f.seq) != NULL);
    CHECK(f.s.ramp.status == RAMP_HOLDING && f.s.ramp.step == 1);
    d = ramp_decide(f.rb, &f.s, 3000 + 10 * MIN);
    CHECK(d.next_step == 2);
    teardown(&f);
}

/* Found by fuzz_fold: an "ok" read-back with no percentage made the ramp's
 * percent NaN. It proves nothing, and says so. */
TEST(a_read_back_without_a_percentage_is_not_success)
{
    struct fixture f;
    setup(&f, "");
    f.s.current_phase = 1;
    all_clear(&f, 0);
    event(&f, 1000, EV_RAMP_ADVANCE, json("{\"step\":0,\"percent\":1}"));
    event(&f, 1005, EV_FLAG_READ, json("{\"purpose\":\"advance\",\"ok\":true}"));
    CHECK(f.s.ramp.status == RAMP_SETTING && f.s.ramp.percent == 0);
    CHECK(strstr(f.s.ramp.flag_error, "gave no percentage") != NULL);
    teardown(&f);
}

TEST(an_old_advance_named_by_percentage_alone_still_folds)
{
    struct fixture f;
    setup(&f, "");
    f.s.current_phase = 1;
    all_clear(&f, 0);
    event(&f, 1000, EV_RAMP_ADVANCE, json("{\"percent\":1}"));
    CHECK(session_fault_at(&f.s, f.seq) == NULL);
    CHECK(f.s.ramp.status == RAMP_SETTING && f.s.ramp.step == 0);
    teardown(&f);
}

TEST(an_abort_naming_a_criterion_past_the_runbook_stands_and_is_reported)
{
    struct fixture f;
    setup(&f, "");
    f.s.current_phase = 1;
    all_clear(&f, 0);
    advance_and_confirm(&f, 1000, 0, 1);
    event(&f, 2000, EV_ABORT, json("{\"criterion\":7,\"cause\":\"crafted\"}"));
    CHECK(f.s.ramp.status == RAMP_ABORTED);   /* the flag went back: that happened */
    CHECK(strstr(session_fault_at(&f.s, f.seq), "criterion 7 is not one of the runbook's 3") != NULL);
    event(&f, 2001, EV_HALT, json("{\"criterion\":-1,\"cause\":\"by hand\"}"));
    CHECK(session_fault_at(&f.s, f.seq) == NULL);
    event(&f, 2002, EV_ABORT, json("{\"cause\":\"x\",\"breach_ms\":1e300}"));
    CHECK(strstr(session_fault_at(&f.s, f.seq), "breach_ms") != NULL);
    teardown(&f);
}

TEST(a_ramp_at_its_last_step_decides_nothing_past_it)
{
    struct fixture f;
    setup(&f, "");
    f.s.current_phase = 1;
    all_clear(&f, 0);
    /* a view no fold produces, to keep ramp_decide total on its own */
    f.s.ramp.status = RAMP_HOLDING;
    f.s.ramp.step = 3;
    struct ramp_decision d = ramp_decide(f.rb, &f.s, 1000);
    CHECK(d.action == RA_NONE && d.next_step == -1);
    f.s.ramp.step = 1 << 30;
    d = ramp_decide(f.rb, &f.s, 1000);
    CHECK(d.action == RA_NONE);
    teardown(&f);
}

TEST(a_mismatch_holds_even_an_automatic_advance_until_resolved)
{
    struct fixture f;
    setup(&f, "\nMode: automatic\n");
    f.s.current_phase = 1;
    all_clear(&f, 1000);
    advance_and_confirm(&f, 1000, 0, 1);
    event(&f, 2000, EV_FLAG_MISMATCH, json("{\"journal_percent\":1,\"flag_percent\":0}"));
    struct ramp_decision d = ramp_decide(f.rb, &f.s, 1000 + 11 * MIN);
    CHECK(d.action == RA_NONE && strstr(d.why, "THE FLAG SAYS 0%, THE JOURNAL 1%") != NULL);
    event(&f, 3000, EV_FLAG_ACCEPT, json("{\"percent\":0,\"reason\":\"by hand\"}"));
    CHECK(!f.s.ramp.flag_mismatch && f.s.ramp.percent == 0 && f.s.ramp.step == -1);
    CHECK(f.s.ramp.status == RAMP_IDLE);
    CHECK(ramp_decide(f.rb, &f.s, 4000).action == RA_ADVANCE);
    teardown(&f);
}

TEST(an_advance_cut_short_goes_back_where_it_was)
{
    struct fixture f;
    setup(&f, "");
    f.s.current_phase = 1;
    all_clear(&f, 1000);
    advance_and_confirm(&f, 1000, 0, 1);
    event(&f, 2000, EV_RAMP_ADVANCE, json("{\"step\":1,\"percent\":5}"));
    CHECK(f.s.ramp.status == RAMP_SETTING && f.s.ramp.step == 1);
    event(&f, 3000, EV_FLAG_READ,
          json("{\"percent\":1,\"purpose\":\"advance\",\"ok\":true,\"applied\":false}"));
    CHECK(f.s.ramp.status == RAMP_HOLDING && f.s.ramp.step == 0 && f.s.ramp.percent == 1);
    CHECK(f.s.ramp.step_since_ms == 1010 && f.s.ramp.flag_error[0] == '\0');
    teardown(&f);
}

TEST(a_fresh_start_takes_the_flags_value)
{
    struct fixture f;
    setup(&f, "");
    CHECK(f.s.ramp.percent == 0 && !f.s.ramp.has_percent);
    event(&f, 1000, EV_FLAG_READ, json("{\"percent\":0.5,\"purpose\":\"start\",\"ok\":true,\"rule\":\"abc\"}"));
    CHECK(f.s.ramp.percent == 0.5 && f.s.ramp.has_percent && !f.s.ramp.flag_mismatch);
    CHECK(strcmp(f.s.ramp.rule, "abc") == 0);
    teardown(&f);
}

RUN_TESTS(T(a_ramp_step_the_runbook_lacks_is_reported_not_followed),
          T(an_old_advance_named_by_percentage_alone_still_folds),
          T(a_read_back_without_a_percentage_is_not_success),
          T(an_abort_naming_a_criterion_past_the_runbook_stands_and_is_reported),
          T(a_ramp_at_its_last_step_decides_nothing_past_it),
          T(the_first_step_waits_for_the_rehearsal_or_an_override), T(a_flag_that_is_not_obeyed_halts_the_ramp), T(an_abort_is_effective_only_when_traffic_leaves_new),
          T(nothing_moves_before_every_criterion_is_judged), T(the_ramp_waits_for_its_phase),
          T(a_step_holds_then_is_ready), T(an_unclear_criterion_restarts_the_hold),
          T(abort_rolls_back_without_asking), T(a_read_back_that_disagrees_is_not_success),
          T(no_abort_before_traffic_moved_but_halt_anyway), T(a_rollback_value_and_an_automatic_ramp),
          T(fifty_minutes_of_holds_in_milliseconds),
          T(a_mismatch_holds_even_an_automatic_advance_until_resolved),
          T(an_advance_cut_short_goes_back_where_it_was), T(a_fresh_start_takes_the_flags_value))
