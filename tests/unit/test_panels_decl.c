/* test_panels_decl.c — the panels a runbook gets: its ## Panels (titles,
 * signals, the threshold drawn: written, or its criterion's bound, or
 * none; `also` signals), the named defaults when it has none, its own
 * signals in a named panel's place when it lacks that panel's signal
 * (with one warning when it has some of the named signals), and the
 * problems at their lines. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/panels_decl.h"

static const char *HEAD =
    "# Panels test\n\n## Roles\n- commander: Alice\n\n"
    "## Systems\n- metrics: prometheus `http://127.0.0.1:9`\n\n";
static const char *TAIL = "\n## Phase 1: X\n- [ ] commander: go\n\n## Rollback\n### Phase 1\nnothing\n";

static struct runbook *parse(const char *signals_and_more)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s%s", HEAD, signals_and_more, TAIL);
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("p.md", text, strlen(text), &pr);
    for (size_t i = 0; i < pr.n; i++)
        if (!pr.v[i].warning)
            printf("  problem %d: %s\n", pr.v[i].line, pr.v[i].message);
    CHECK(rb && pr.n_errors == 0);
    rb_problems_free(&pr);
    return rb;
}

TEST(declared_panels_with_their_thresholds)
{
    struct runbook *rb = parse(
        "## Signals\n- ledger_write_failure_rate: `a`\n- lag: `b`\n- depth: `c`\n\n"
        "## Abort criteria\n- abort if ledger_write_failure_rate > 1% for 30s\n\n"
        "## Panels\n- Ledger writes: ledger_write_failure_rate, also lag\n"
        "- Lag: `lag`, threshold 2.5\n- Depth: depth, threshold 0.5%\n"
        "- Quiet: ledger_write_failure_rate, no threshold\n");
    struct panels_decls d;
    CHECK(panels_parse(rb, &d) == 0);
    CHECK(d.line > 0 && d.n == 4 && d.n_problems == 0);
    CHECK_STR(d.v[0].title, "Ledger writes");
    CHECK_STR(d.v[0].signal, "ledger_write_failure_rate");
    CHECK(d.v[0].kind == PANEL_SIGNAL && d.v[0].threshold_set && d.v[0].threshold == 0.01);
    CHECK(d.v[0].is_percent && d.v[0].criterion == &rb->criteria[0]);
    CHECK(d.v[0].n_also == 1 && strcmp(d.v[0].also[0], "lag") == 0);
    CHECK(d.v[1].threshold_set && d.v[1].threshold == 2.5 && !d.v[1].is_percent && !d.v[1].criterion);
    CHECK(d.v[2].threshold_set && d.v[2].threshold == 0.005 && d.v[2].is_percent);
    CHECK(!d.v[3].threshold_set);
    panels_decls_free(&d);
    runbook_free(rb);
}

TEST(problems_at_their_lines_and_the_panel_left_out)
{
    struct runbook *rb = parse(
        "## Signals\n- lag: `b`\n\n"
        "## Panels\n- A: nope\n- B: lag, threshold x\n- C: lag, colour red\n- words\n"
        "- D: lag, threshold 1, no threshold\n- E: lag\n");
    struct panels_decls d;
    CHECK(panels_parse(rb, &d) == 0);
    CHECK(d.n == 1 && strcmp(d.v[0].title, "E") == 0);
    CHECK(d.n_errors == 5 && d.n_problems == 5);
    int first = d.line + 1;   /* the items follow the heading */
    for (size_t i = 0; i < d.n_problems; i++)
        CHECK(d.problems[i].line == first + (int)i && !d.problems[i].warning);
    CHECK(strstr(d.problems[0].msg, "no signal `nope` under ## Signals"));
    CHECK(strstr(d.problems[1].msg, "threshold `x` is not a number"));
    CHECK(strstr(d.problems[2].msg, "`colour red` not understood"));
    CHECK(strstr(d.problems[3].msg, "expected a panel"));
    CHECK(strstr(d.problems[4].msg, "both a threshold and `no threshold`"));
    panels_decls_free(&d);
    runbook_free(rb);
}

TEST(the_named_panels_by_default)
{
    struct runbook *rb = parse(
        "## Signals\n- dual_write_failure_rate: `a`\n- p99_ratio: `b`\n- divergence_rate: `c`\n"
        "- new_read_error_rate: `d`\n\n"
        "## Abort criteria\n- abort if new_read_error_rate > 1%\n- abort if p99_ratio > 2\n");
    struct panels_decls d;
    CHECK(panels_parse(rb, &d) == 0);
    CHECK(d.line == 0 && d.n == 3 && d.n_problems == 0);
    CHECK(d.v[0].kind == PANEL_DUALWRITE && d.v[1].kind == PANEL_LATENCY &&
          d.v[2].kind == PANEL_DIVERGENCE);
    panels_decls_free(&d);
    runbook_free(rb);
}

TEST(own_names_take_a_named_panels_place_with_one_warning)
{
    struct runbook *rb = parse(
        "## Signals\n- p99_ratio: `b`\n- divergence_rate: `c`\n- ledger_lag: `e`\n"
        "- ledger_write_failure_rate: `a`\n\n"
        "## Abort criteria\n- abort if ledger_write_failure_rate > 1%\n");
    struct panels_decls d;
    CHECK(panels_parse(rb, &d) == 0);
    CHECK(d.n == 3 && d.v[0].kind == PANEL_SIGNAL);
    /* a signal a criterion watches first, titled by its name, with its bound */
    CHECK_STR(d.v[0].signal, "ledger_write_failure_rate");
    CHECK_STR(d.v[0].title, "ledger_write_failure_rate");
    CHECK(d.v[0].threshold_set && d.v[0].threshold == 0.01);
    CHECK(d.v[1].kind == PANEL_LATENCY && d.v[2].kind == PANEL_DIVERGENCE);
    CHECK(d.n_problems == 1 && d.problems[0].warning && d.n_errors == 0);
    CHECK(strstr(d.problems[0].msg, "`Dual-write` (dual_write_failure_rate)"));
    CHECK(strstr(d.problems[0].msg, "## Panels"));
    panels_decls_free(&d);
    runbook_free(rb);
}

TEST(a_runbook_of_its_own_names_shows_its_signals_without_a_warning)
{
    struct runbook *rb = parse(
        "## Signals\n- err: `a`\n- share: `b`\n\n## Abort criteria\n- abort if err > 1%\n\n"
        "## Ramp\n- 1% for 1m\n- 100%\n\nObserved: share within 5 points for 1m\n");
    struct panels_decls d;
    CHECK(panels_parse(rb, &d) == 0);
    /* the Observed signal is the ramp's, not a panel's: one panel, err */
    CHECK(d.n == 1 && strcmp(d.v[0].signal, "err") == 0 && d.n_problems == 0);
    panels_decls_free(&d);
    runbook_free(rb);
}

RUN_TESTS(T(declared_panels_with_their_thresholds), T(problems_at_their_lines_and_the_panel_left_out),
          T(the_named_panels_by_default), T(own_names_take_a_named_panels_place_with_one_warning),
          T(a_runbook_of_its_own_names_shows_its_signals_without_a_warning))
