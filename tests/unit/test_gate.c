/* test_gate.c — gates with time as an argument: parsing `{gate: …}` on steps
 * and phases, and judging a window that holds, one that breached, one the
 * data covers only partly (a 7-day gate with 5 days of history), gaps, and
 * the earliest time a gate can open. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "core/gate.h"
#include "core/runbook.h"

#define S 1000LL
#define M (60 * S)
#define H (60 * M)
#define D (24 * H)
#define T0 1795564800000LL   /* 2026-11-25 00:00 UTC */

static struct rb_gate parsed(const char *text)
{
    struct rb_gate g;
    char err[200];
    if (gate_parse(text, strlen(text), &g, err, sizeof err) != 0) {
        printf("  unexpected: %s\n", err);
        memset(&g, 0, sizeof g);
    }
    return g;
}

TEST(parses_for_and_over)
{
    struct rb_gate g = parsed(" dual_write_failure_rate < 1% for 1h");
    CHECK_STR(g.cond.signal, "dual_write_failure_rate");
    CHECK(g.cond.op == RB_LT && fabs(g.cond.threshold - 0.01) < 1e-12 && g.cond.is_percent);
    CHECK(g.cond.for_ms == H && !g.over && g.max_gap_ms == 0);
    CHECK_STR(g.cond.text, "dual_write_failure_rate < 1% for 1h");
    gate_spec_free(&g);
    g = parsed("divergence_rate<=0.1% over 7d, gaps up to 10m");
    CHECK(g.cond.op == RB_LE && g.over && g.cond.for_ms == 7 * D && g.max_gap_ms == 10 * M);
    gate_spec_free(&g);
    g = parsed("p99_ratio < 1.2 for 30m");
    CHECK(!g.cond.is_percent && g.cond.threshold == 1.2);
    gate_spec_free(&g);
}

TEST(refuses_what_is_not_a_gate)
{
    static const char *const bad[] = {
        "", "< 1% for 1h", "rate 1% for 1h", "rate < lots for 1h", "rate < 1%",
        "rate < 1% during 1h", "rate < 1% for soon", "rate < 1% for 93d",
        "rate < 1% over 7d, gaps 5m", "rate < 1% over 1h, gaps up to 2h", "Rate < 1% for 1h",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct rb_gate g;
        char err[200] = "";
        int rc = gate_parse(bad[i], strlen(bad[i]), &g, err, sizeof err);
        if (rc == 0) {
            printf("  accepted: '%s'\n", bad[i]);
            gate_spec_free(&g);
        }
        CHECK(rc == -1 && err[0]);
    }
}

/* A point every `every` from `from` to `to` (inclusive of from), value v. */
static size_t fill(struct gate_point *p, size_t n, int64_t from, int64_t to, int64_t every, double v)
{
    for (int64_t t = from; t <= to; t += every)
        p[n++] = (struct gate_point){t, v};
    return n;
}

TEST(open_when_held_over_the_whole_window)
{
    struct rb_gate g = parsed("rate < 1% for 1h");
    static struct gate_point p[8000];
    size_t n = fill(p, 0, T0, T0 + 2 * H, S, 0.002);
    p[100].value = 0.009;                      /* before the window: not its business */
    p[n - 10].value = 0.0042;
    struct gate_verdict v;
    CHECK(gate_judge(&g, p, n, gate_max_gap(&g, S, 0), T0 + 2 * H, &v) == GATE_OPEN);
    CHECK(fabs(v.worst - 0.0042) < 1e-12 && v.covered == 1 && v.opens_at_ms == T0 + 2 * H);
    CHECK(strstr(v.why, "open") && strstr(v.why, "0.42 %"));
    gate_spec_free(&g);
}

TEST(closed_by_one_breach_and_opens_a_window_later)
{
    struct rb_gate g = parsed("rate < 1% for 1h");
    static struct gate_point p[12000];
    size_t n = fill(p, 0, T0, T0 + 2 * H, S, 0.002);
    size_t k = (size_t)(90 * 60);              /* 01:30:00 */
    p[k].value = 0.0452;
    struct gate_verdict v;
    CHECK(gate_judge(&g, p, n, gate_max_gap(&g, S, 0), T0 + 2 * H, &v) == GATE_CLOSED);
    CHECK(fabs(v.worst - 0.0452) < 1e-12 && v.worst_ms == p[k].t_ms);
    CHECK(v.opens_at_ms == p[k].t_ms + S + H);   /* its value stood until the next point */
    CHECK(strstr(v.why, "closed") && strstr(v.why, "4.52 %") && strstr(v.why, "01:30:00"));
    /* the same history judged later, once the breach has left the window */
    CHECK(gate_judge(&g, p, n, gate_max_gap(&g, S, 0), T0 + 2 * H, &v) == GATE_CLOSED);
    n = fill(p, n, T0 + 2 * H + S, T0 + 3 * H, S, 0.002);
    CHECK(gate_judge(&g, p, n, gate_max_gap(&g, S, 0), T0 + 3 * H, &v) == GATE_OPEN);
    gate_spec_free(&g);
}

TEST(seven_day_gate_with_five_days_is_insufficient)
{
    struct rb_gate g = parsed("divergence_rate < 0.1% over 7d");
    static struct gate_point p[20000];
    int64_t step = 60 * S;                     /* a query_range step of a minute */
    size_t n = fill(p, 0, T0 + 2 * D, T0 + 7 * D, step, 0.0001);
    int64_t gap = gate_max_gap(&g, 15 * S, step);
    CHECK(gap == 3 * step);
    struct gate_verdict v;
    CHECK(gate_judge(&g, p, n, gap, T0 + 7 * D, &v) == GATE_INSUFFICIENT);
    CHECK(fabs(v.covered - 5.0 / 7) < 0.001);
    CHECK(v.opens_at_ms == T0 + 9 * D);        /* two more days of clean history */
    CHECK(strstr(v.why, "insufficient history") && strstr(v.why, "71%") && strstr(v.why, "5d of 7d"));
    n = fill(p, 0, T0, T0 + 7 * D, step, 0.0001);
    CHECK(gate_judge(&g, p, n, gap, T0 + 7 * D, &v) == GATE_OPEN);
    gate_spec_free(&g);
}

TEST(a_gap_longer_than_allowed_is_missing_history)
{
    struct rb_gate g = parsed("rate < 1% over 1d, gaps up to 10m");
    static struct gate_point p[4000];
    size_t n = fill(p, 0, T0, T0 + 10 * H, M, 0.001);
    n = fill(p, n, T0 + 10 * H + 11 * M, T0 + D, M, 0.001);   /* 11 minutes of silence */
    struct gate_verdict v;
    CHECK(gate_judge(&g, p, n, gate_max_gap(&g, S, 60 * S), T0 + D, &v) == GATE_INSUFFICIENT);
    CHECK(v.covered > 0.99 && v.covered < 1);
    CHECK(v.opens_at_ms == T0 + 10 * H + 11 * M + D);
    /* a gap within the allowance is covered */
    n = fill(p, 0, T0, T0 + 10 * H, M, 0.001);
    n = fill(p, n, T0 + 10 * H + 9 * M, T0 + D, M, 0.001);
    CHECK(gate_judge(&g, p, n, gate_max_gap(&g, S, 60 * S), T0 + D, &v) == GATE_OPEN);
    gate_spec_free(&g);
}

TEST(no_data_now_never_passes)
{
    struct rb_gate g = parsed("rate < 1% for 1h");
    static struct gate_point p[8000];
    size_t n = fill(p, 0, T0, T0 + H, S, 0.001);
    struct gate_verdict v;
    CHECK(gate_judge(&g, p, n, gate_max_gap(&g, S, 0), T0 + H + M, &v) == GATE_INSUFFICIENT);
    CHECK(v.opens_at_ms == 0 && strstr(v.why, "unknown"));
    /* samples without a value (NaN: no traffic) are no evidence */
    n = fill(p, 0, T0, T0 + H, S, NAN);
    CHECK(gate_judge(&g, p, n, gate_max_gap(&g, S, 0), T0 + H, &v) == GATE_INSUFFICIENT);
    CHECK(v.covered == 0 && isnan(v.worst));
    CHECK(gate_judge(&g, NULL, 0, gate_max_gap(&g, S, 0), T0 + H, &v) == GATE_INSUFFICIENT);
    gate_spec_free(&g);
}

static const char RUNBOOK[] =
    "# Orders\n\n## Roles\n\n- commander: Ann\n- dba: Bob\n\n"
    "## Systems\n\n- metrics: scrape `http://127.0.0.1:1/metrics`\n\n"
    "## Signals\n\n- dual_write_failure_rate: `rate_x`\n- divergence_rate: `div_x`\n\n"
    "## Phase 1: Dual-write {readonly}\n\n"
    "- [ ] dba: failures under 1% for an hour {gate: dual_write_failure_rate < 1% for 1h}\n"
    "- [ ] dba: both {#both} {gate: dual_write_failure_rate < 1% for 1h} {gate: divergence_rate < 0.1% for 1h}\n\n"
    "## Phase 2: Shadow reads {readonly} {gate: divergence_rate < 0.1% over 7d}\n\n"
    "- [ ] dba: look\n";

TEST(runbook_reads_gates_on_steps_and_phases)
{
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("t.md", RUNBOOK, sizeof RUNBOOK - 1, &pr);
    for (size_t i = 0; i < pr.n; i++)
        if (!pr.v[i].warning)
            printf("  line %d: %s\n", pr.v[i].line, pr.v[i].message);
    CHECK(rb && pr.n_errors == 0);
    if (rb && rb->n_gates == 4) {
        CHECK_STR(rb->gates[0].id, "gate:1.1");
        CHECK(rb->gates[0].step == 0 && rb->gates[0].cond.line == 19);
        CHECK_STR(rb->gates[1].id, "gate:both");
        CHECK_STR(rb->gates[2].id, "gate:both#2");
        CHECK_STR(rb->gates[2].cond.signal, "divergence_rate");
        CHECK_STR(rb->steps[1].id, "both");
        CHECK_STR(rb->steps[1].text, "both");
        CHECK_STR(rb->gates[3].id, "gate:phase2");
        CHECK(rb->gates[3].step == -1 && rb->gates[3].phase == 1 && rb->gates[3].over);
        CHECK_STR(rb->phases[1].title, "Shadow reads");
        CHECK_STR(rb->steps[0].text, "failures under 1% for an hour");
    } else {
        CHECK(rb && rb->n_gates == 4);
    }
    runbook_free(rb);
    rb_problems_free(&pr);
}

TEST(runbook_names_a_bad_gate_by_line)
{
    static const char bad[] =
        "# O\n\n## Roles\n\n- commander: Ann\n\n## Systems\n\n- metrics: scrape `http://127.0.0.1:1/m`\n\n"
        "## Signals\n\n- x: `x`\n\n## Phase 1: P {readonly}\n\n- [ ] commander: a {gate: y < 1% for 1h}\n"
        "- [ ] commander: b {gate: x < 1% whenever}\n";
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("t.md", bad, sizeof bad - 1, &pr);
    int unknown = 0, shape = 0;
    for (size_t i = 0; i < pr.n; i++) {
        unknown += pr.v[i].line == 17 && strstr(pr.v[i].message, "unknown signal `y`") != NULL;
        shape += pr.v[i].line == 18 && strstr(pr.v[i].message, "for DURATION") != NULL;
    }
    CHECK(pr.n_errors == 2 && unknown == 1 && shape == 1);
    runbook_free(rb);
    rb_problems_free(&pr);
}

RUN_TESTS(T(parses_for_and_over), T(refuses_what_is_not_a_gate), T(open_when_held_over_the_whole_window),
          T(closed_by_one_breach_and_opens_a_window_later), T(seven_day_gate_with_five_days_is_insufficient),
          T(a_gap_longer_than_allowed_is_missing_history), T(no_data_now_never_passes),
          T(runbook_reads_gates_on_steps_and_phases), T(runbook_names_a_bad_gate_by_line))
