/* test_runbook.c — the runbook parser: the shipped runbooks field by field,
 * one fixture (tests/runbooks/) per problem the checker reports with its
 * exact line, files it must refuse (missing, directory, special, too big,
 * binary), and documents shaped to make a parser slow, within generous
 * bounds (their speed is a figure of `make bench`). Run from the repo root. */
#include "check.h"
#include "core/hash.h"
#include "core/mddepth.h"
#include "core/runbook.h"
#include "core/writers.h"

#if defined(__SANITIZE_ADDRESS__)
#define SLOW_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLOW_BUILD 1
#endif
#endif
#ifndef SLOW_BUILD
#define SLOW_BUILD 0
#endif

/* The hostile shapes are 4 MiB in the plain build, where a parse gone
 * quadratic shows; under the sanitizers, which look for bad memory use, a
 * quarter of it takes the same paths through the parser in a quarter of
 * the time (the big valid runbook stays 4 MiB in both). */
#if SLOW_BUILD
#define SHAPES_TEXT_BYTES (RUNBOOK_MAX_BYTES / 4)
#endif
#include "runbook_shapes.h"

#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- helpers ---- */

static struct runbook *load(const char *path, struct rb_problems *ps)
{
    *ps = (struct rb_problems){0};
    return runbook_load(path, ps);
}

static struct runbook *parse(const char *text, struct rb_problems *ps)
{
    *ps = (struct rb_problems){0};
    return runbook_parse("mem.md", text, strlen(text), ps);
}

static void show_problems(const char *what, const struct rb_problems *ps)
{
    for (size_t i = 0; i < ps->n; i++)
        printf("    %s:%d: %s%s\n", what, ps->v[i].line, ps->v[i].warning ? "warning: " : "",
               ps->v[i].message);
}

/* Exactly one problem, at line, containing msg. */
static int one_problem(const char *what, const struct rb_problems *ps, int line, int warning,
                       const char *msg)
{
    int ok = ps->n == 1 && ps->v[0].line == line && ps->v[0].warning == warning &&
             strstr(ps->v[0].message, msg) != NULL &&
             ps->n_errors == (size_t)(warning ? 0 : 1);
    if (!ok) {
        printf("  %s: expected one %s at line %d containing \"%s\", got:\n", what,
               warning ? "warning" : "error", line, msg);
        show_problems(what, ps);
    }
    return ok;
}

/* CPU seconds this process used since t0 (user and system). A bound on CPU
 * time, not on the wall clock, holds on a loaded machine: other programs
 * delay the parse but do not add to its CPU time. */
static double cpu_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static char *tmp_path(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "/tmp/cutover-test-runbook-%ld-%s", (long)getpid(), name);
    return buf;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    fwrite(data, 1, len, f);
    fclose(f);
}

/* ---- one fixture per problem ---- */

static const struct fixture {
    const char *file;
    int line;
    int warning;
    const char *msg;
} fixtures[] = {
    {"bad-no-title.md", 0, 0, "no title: a runbook starts with a level-1 heading"},
    {"bad-empty-title.md", 1, 0, "empty title"},
    {"bad-no-roles.md", 0, 0, "no ## Roles section: a runbook needs at least a `commander`"},
    {"bad-no-commander.md", 3, 0, "## Roles has no `commander`"},
    {"bad-no-phases.md", 0, 0, "no phases: add at least one `## Phase N: Title`"},
    {"bad-duplicate-section.md", 10, 0, "a second ## Ramp section (the first is at line 7): keep one"},
    {"bad-nested-item.md", 12, 0, "nested list item in ## Signals: write each entry as a top-level `- ` item"},
    {"bad-role-syntax.md", 5, 0, "expected a role `- ROLE: Person Name`, e.g. `- commander: Alice Ng`"},
    {"bad-role-name.md", 5, 0, "role name `DBA`: use lowercase letters, digits, `_` and `-`"},
    {"bad-role-no-person.md", 5, 0, "role `dba` has no person: expected `- dba: Person Name`"},
    {"bad-role-duplicate.md", 6, 0, "role `dba` is already assigned at line 5"},
    {"bad-roles-table.md", 6, 0, "a table in ## Roles is not read: write each entry as a top-level `- ` item"},
    {"bad-system-syntax.md", 8, 0, "expected a system `- NAME: KIND `CONNECTION``"},
    {"bad-system-name.md", 8, 0, "system name `Old`: use lowercase letters, digits, `_` and `-`"},
    {"bad-system-no-connection.md", 8, 0, "system `old`: expected a kind and a connection in backticks"},
    {"bad-system-attr-value.md", 8, 0, "system `old`: `table` needs a value in backticks, e.g. table `x`"},
    {"bad-system-attr-word.md", 8, 0, "system `old`: unexpected `orders`: after the connection write pairs like table `orders`"},
    {"bad-system-attr-twice.md", 8, 0, "system `old`: `table` is given twice"},
    {"bad-system-duplicate.md", 9, 0, "system `old` is already defined at line 8"},
    {"warn-system-kind.md", 8, 1, "system `old`: kind `postgress` is not one this version knows"},
    {"bad-signal-syntax.md", 11, 0, "expected a signal `- NAME: `EXPR`` or `- NAME: SOURCE `EXPR``"},
    {"bad-signal-name.md", 11, 0, "signal name `error-rate`: use lowercase letters, digits and `_`"},
    {"bad-signal-no-backticks.md", 11, 0, "signal `error_rate`: expected `- error_rate: `EXPR`` or `- error_rate: SOURCE `EXPR``"},
    {"bad-signal-empty.md", 11, 0, "signal `error_rate` has an empty expression"},
    {"bad-signal-duplicate.md", 12, 0, "signal `error_rate` is already defined at line 11"},
    {"bad-signal-source.md", 11, 0, "signal `error_rate` reads from `warehouse`, which is not in ## Systems"},
    {"bad-signal-no-metrics.md", 8, 0, "signal `error_rate` names no source and ## Systems has no `metrics` system"},
    {"bad-deep-nesting.md", 6, 0, "nests 33 lists or quotes on one line; a runbook nests at most 32"},
    {"bad-crit-action.md", 14, 0, "expected a criterion `ACTION if SIGNAL OP VALUE [for DURATION]` starting with abort, halt, hold or warn, found `stop`"},
    {"bad-crit-empty.md", 14, 0, "found the end of the item"},
    {"bad-crit-if.md", 14, 0, "expected `if` after `abort`, found `when`"},
    {"bad-crit-signal.md", 14, 0, "expected a signal name (lowercase letters, digits, `_`) after `if`, found `>`"},
    {"bad-crit-op.md", 14, 0, "expected a comparison (>, >=, <, <=, ==, !=) after `error_rate`, found `is`"},
    {"bad-crit-value.md", 14, 0, "expected a number (like 2, 0.5 or 1%) after `>`, found `lots`"},
    {"bad-crit-no-value.md", 14, 0, "expected a number (like 2, 0.5 or 1%) after `>=`, found the end of the item"},
    {"bad-crit-duration.md", 14, 0, "expected a duration after `for` (like 30s, 10m or 1h30m), found `30`"},
    {"bad-crit-trailing.md", 14, 0, "unexpected `sometimes`: expected `for DURATION`, `min COUNT SIGNAL`, `confidence P%`, `no data for DURATION` or the end of the item"},
    {"bad-crit-min-signal.md", 14, 0, "`min` counts signal `requests`, which is not in ## Signals"},
    {"bad-crit-confidence.md", 14, 0, "`confidence` needs `min COUNT SIGNAL`: the Wilson bound needs the count"},
    {"bad-crit-for-twice.md", 14, 0, "`for` is given twice"},
    {"bad-unknown-signal.md", 14, 0, "unknown signal `error_ratio`: it is not in ## Signals"},
    {"warn-crit-paragraph.md", 15, 1, "this reads like a criterion but is not a list item, so it is not enforced"},
    {"bad-ramp-syntax.md", 8, 0, "expected a ramp step `- P% for DURATION` (the last may be just `- 100%`), found `ten`"},
    {"bad-ramp-zero.md", 8, 0, "ramp step 0%: a step must send some traffic (above 0%)"},
    {"bad-ramp-over.md", 9, 0, "ramp step 150%: a step may be at most 100%"},
    {"bad-ramp-not-rising.md", 9, 0, "ramp step 5% does not rise above the step before it (5% at line 8)"},
    {"bad-ramp-no-hold.md", 8, 0, "ramp step 1% needs `for DURATION`: only the last step may have no hold"},
    {"bad-ramp-zero-hold.md", 8, 0, "ramp step 1%: a hold must be longer than 0"},
    {"bad-ramp-duration.md", 8, 0, "expected a duration after `for` (like 30s, 10m or 1h30m), found `ten`"},
    {"bad-ramp-trailing.md", 8, 0, "unexpected `then`: expected `for DURATION` or the end of the item"},
    {"bad-ramp-empty.md", 7, 0, "## Ramp has no steps"},
    {"warn-ramp-not-100.md", 9, 1, "the ramp ends at 50%, not 100%"},
    {"bad-ramp-mode.md", 8, 0, "expected `Mode: automatic` or `Mode: manual`, found `Mode: sometimes`"},
    {"bad-ramp-mode-twice.md", 10, 0, "Mode is given twice (first at line 8)"},
    {"bad-ramp-missing.md", 8, 0, "step `1.1` runs the ramp (`ramp`), but there is no ## Ramp"},
    {"bad-phase-number.md", 7, 0, "expected `## Phase N: Title` with N a whole number, found `Phase two: Only`"},
    {"bad-phase-duplicate.md", 10, 0, "phase 1 is already at line 7: phase numbers must be unique"},
    {"bad-empty-phase.md", 10, 0, "empty phase: phase 2 has no steps"},
    {"bad-phase-attr-id.md", 7, 0, "a phase is named by its number; `#only` is not allowed here"},
    {"bad-step-syntax.md", 9, 0, "expected a step `- [ ] ROLE: what to do`, e.g. `- [ ] dba: start the backfill`"},
    {"bad-step-no-text.md", 8, 0, "step has no text after `dba:`: say what to do"},
    {"bad-unknown-role.md", 9, 0, "step owned by role `sre`, which is not in ## Roles"},
    {"bad-unknown-action.md", 8, 0, "unknown action `deploy`: expected one of backfill, compare, ramp, writers, preflight"},
    {"bad-step-duplicate-id.md", 9, 0, "step id `thing` is used twice: line 8 and line 9"},
    {"bad-step-duplicate-default-id.md", 9, 0, "step id `1.2` is used twice: line 8 and line 9"},
    {"bad-step-attr.md", 8, 0, "bad attribute `Gate=1`: expected #id, key=value or a lowercase word"},
    {"bad-step-attr-twice.md", 8, 0, "attribute `gate` is given twice"},
    {"bad-step-two-ids.md", 8, 0, "two ids in one step: `#a` and `#b`"},
    {"bad-step-id-chars.md", 8, 0, "step id `a/b`: use letters, digits, `.`, `_` and `-`"},
    {"bad-step-attr-quote.md", 8, 0, "attribute `note` has an unclosed quote"},
    {"warn-rollback-unknown-phase.md", 13, 1, "rollback for phase 9, but there is no ## Phase 9"},
    {"warn-rollback-heading.md", 13, 1, "`### Notes` in ## Rollback is not `### Phase N`: its text is kept with the general rollback"},
    {"bad-rollback-twice.md", 13, 0, "a second rollback for phase 1"},
    {"bad-rollback-number.md", 13, 0, "expected `### Phase N` with N a whole number, found `Phase one`"},
    {"bad-rollback-missing.md", 7, 0, "phase 1 has no rollback plan: add `### Phase 1` under ## Rollback (or mark the phase {readonly} if it changes nothing)"},
    {"bad-ramp-no-abort.md", 14, 0, "the ramp moves traffic but no criterion aborts it"},
    {"bad-cleanup-deadline.md", 15, 0, "expected `deadline: 30d after cutover` or `deadline: YYYY-MM-DD`, found `deadline: soon`"},
    {"bad-cleanup-date.md", 15, 0, "`2026-02-30` is not a date: expected YYYY-MM-DD"},
    {"bad-cleanup-twice.md", 16, 0, "the deadline is given twice (first at line 15)"},
    {"warn-cleanup-no-deadline.md", 14, 1, "## Cleanup has no deadline"},
    {"bad-window-words.md", 8, 0, "the window's `never on fridays` is not understood"},
    {"bad-ramp-unleash-fraction.md", 8, 0, "ramp step 0.5%: the flag is an Unleash rollout, which takes whole percentages"},
    {"bad-ramp-hold-limit.md", 8, 0, "`for 106000000000d`: a duration here is at most 30d"},
    {"bad-crit-duration-limit.md", 26, 0, "`for 31d`: a duration here is at most 30d"},
    {"bad-signal-every-limit.md", 23, 0, "signal `lag`: `every` needs a duration of at least 100ms and at most 1h"},
    {"bad-ramp-too-many-steps.md", 7, 0, "## Ramp has more than 100 steps: a ramp has at most 100 steps"},
    {"bad-system-kind-used.md", 20, 0, "kind `postgresql` is not one this version knows (postgres, sqlite, prometheus, scrape, flagd, unleash, http, slack), and the runbook uses this system; did you mean postgres?"},
    {"bad-rollback-above-first.md", 8, 0, "Rollback: 50% is at or above the first ramp step (1% at line 10)"},
    {"bad-cleanup-deadline-limit.md", 15, 0, "`deadline: 106000000000d after cutover`: a cleanup deadline is at most 3650d after cutover"},
};

TEST(every_problem_has_a_fixture_with_its_line)
{
    for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "tests/runbooks/%s", fixtures[i].file);
        struct rb_problems ps;
        struct runbook *rb = load(path, &ps);
        CHECK(rb != NULL);
        CHECK(one_problem(fixtures[i].file, &ps, fixtures[i].line, fixtures[i].warning,
                          fixtures[i].msg));
        runbook_free(rb);
        rb_problems_free(&ps);
    }
}

TEST(empty_items_get_lines_of_their_own)
{
    struct rb_problems ps;
    struct runbook *rb = load("tests/runbooks/bad-empty-items.md", &ps);
    CHECK(rb && ps.n == 2 && ps.n_errors == 2);
    if (ps.n == 2) {
        CHECK(ps.v[0].line == 5 && ps.v[1].line == 6);
        CHECK(strstr(ps.v[0].message, "expected a role `- ROLE: Person Name`") != NULL);
    }
    CHECK(rb && rb->n_roles == 2 && rb->roles[1].line == 7);
    runbook_free(rb);
    rb_problems_free(&ps);
}

TEST(problems_are_sorted_by_line_and_all_reported)
{
    /* Problems found while reading (ramp, line 14) and while cross-checking
     * (unknown role at line 9, unknown signal at line 12) come out in line
     * order, and none hides another. */
    const char *text = "# T\n"
                       "\n"
                       "## Roles\n"
                       "- commander: A\n"
                       "\n"
                       "## Signals\n"
                       "- s: old `x`\n"
                       "## Phase 1\n"
                       "- [ ] dba: do it\n"
                       "\n"
                       "## Criteria\n"
                       "- abort if nope > 1\n"
                       "## Ramp\n"
                       "- 0%\n";
    struct rb_problems ps;
    struct runbook *rb = parse(text, &ps);
    CHECK(rb != NULL);
    int lines[] = {7, 8, 9, 12, 14};
    CHECK(ps.n == 5);
    for (size_t i = 0; i < ps.n && i < 5; i++)
        CHECK(ps.v[i].line == lines[i]);
    if (ps.n != 5)
        show_problems("mem.md", &ps);
    CHECK(ps.n_errors == 5); /* the missing rollback of phase 1 is an error too */
    runbook_free(rb);
    rb_problems_free(&ps);
}

TEST(problems_accumulate_across_calls)
{
    struct rb_problems ps;
    struct runbook *a = parse("no title here\n", &ps);
    size_t n1 = ps.n, e1 = ps.n_errors;
    struct runbook *b = runbook_parse("again.md", "still none\n", 11, &ps);
    CHECK(n1 > 0 && ps.n == 2 * n1 && ps.n_errors == 2 * e1);
    runbook_free(a);
    runbook_free(b);
    rb_problems_free(&ps);
    CHECK(ps.v == NULL && ps.n == 0 && ps.n_errors == 0);
    rb_problems_free(NULL);
}

TEST(parse_without_a_problem_list)
{
    struct runbook *rb = runbook_parse(NULL, "## nothing", 10, NULL);
    CHECK(rb != NULL);
    CHECK(rb && strcmp(rb->name, "runbook") == 0);
    runbook_free(rb);
    runbook_free(NULL);
}

TEST(too_many_problems_are_capped)
{
    size_t n = 3000, len = 0;
    char *text = malloc(n * 16 + 64);
    len += (size_t)sprintf(text, "# T\n\n## Roles\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(text + len, "- Bad %zu\n", i);
    struct rb_problems ps = {0};
    struct runbook *rb = runbook_parse("many.md", text, len, &ps);
    CHECK(rb != NULL);
    CHECK(ps.n == 1001);
    CHECK(ps.n && ps.v[0].line == 0 && strstr(ps.v[0].message, "more than 1000 problems"));
    runbook_free(rb);
    rb_problems_free(&ps);
    free(text);
}

/* ---- the shipped runbooks ---- */

TEST(orders_runbook_parses_clean)
{
    struct rb_problems ps;
    struct runbook *rb = load("runbooks/orders.md", &ps);
    CHECK(rb != NULL && ps.n == 0);
    show_problems("orders.md", &ps);
    if (!rb)
        return;
    CHECK_STR(rb->name, "runbooks/orders.md");
    CHECK_STR(rb->title, "Orders cutover: orders_legacy \xe2\x86\x92 orders");

    CHECK(rb->n_roles == 4);
    CHECK_STR(runbook_person(rb, "commander"), "Alice Ng");
    CHECK_STR(runbook_person(rb, "dba"), "Bob Ruiz");
    CHECK_STR(runbook_person(rb, "flags"), "Carol Diaz");
    CHECK_STR(runbook_person(rb, "comms"), "Dan Okafor");
    CHECK(runbook_person(rb, "sre") == NULL);
    CHECK(rb->roles[0].line == 14);

    CHECK(rb->n_systems == 4);
    const struct rb_system *old = runbook_system(rb, "old");
    CHECK(old && strcmp(old->kind, "postgres") == 0);
    CHECK(old && strcmp(old->conn, "host=/run/pg dbname=shop") == 0);
    CHECK(old && old->n_attrs == 2);
    CHECK(old && strcmp(rb_attr_get(old->attrs, old->n_attrs, "table"), "orders_legacy") == 0);
    CHECK(old && strcmp(rb_attr_get(old->attrs, old->n_attrs, "key"), "id") == 0);
    CHECK(old && old->line == 21);
    const struct rb_system *nw = runbook_system(rb, "new");
    CHECK(nw && strcmp(rb_attr_get(nw->attrs, nw->n_attrs, "table"), "orders") == 0);
    const struct rb_system *m = runbook_system(rb, "metrics");
    CHECK(m && strcmp(m->kind, "prometheus") == 0 && strcmp(m->conn, "http://127.0.0.1:9090") == 0);
    const struct rb_system *fl = runbook_system(rb, "flag");
    CHECK(fl && strcmp(fl->kind, "flagd") == 0 && strcmp(fl->conn, "flags.json") == 0);
    CHECK(fl && strcmp(rb_attr_get(fl->attrs, fl->n_attrs, "flag"), "orders-read-new") == 0);

    CHECK(rb->n_signals == 6);
    CHECK(runbook_signal(rb, "dual_write_rate") != NULL);
    const struct rb_signal *p99 = runbook_signal(rb, "p99_ratio");
    CHECK(p99 && p99->source == NULL && strncmp(p99->expr, "histogram_quantile(0.99, ", 25) == 0);
    const struct rb_signal *corr = runbook_signal(rb, "corruption");
    CHECK(corr && corr->source && strcmp(corr->source, "new") == 0);
    CHECK(corr && strncmp(corr->expr, "SELECT count(*) FROM orders", 27) == 0);

    CHECK(rb->n_criteria == 5);
    const struct rb_criterion *c0 = &rb->criteria[0];
    CHECK(c0->action == RB_ABORT && strcmp(c0->signal, "new_read_error_rate") == 0);
    CHECK(c0->op == RB_GT && c0->threshold == 0.01 && c0->is_percent && c0->for_ms == 30000);
    CHECK_STR(c0->text, "abort if new_read_error_rate > 1% for 30s");
    CHECK(c0->line == 39);
    CHECK(rb->criteria[1].threshold == 2 && !rb->criteria[1].is_percent && rb->criteria[1].for_ms == 60000);
    CHECK(rb->criteria[2].action == RB_HALT && rb->criteria[2].threshold == 0 && rb->criteria[2].for_ms == 0);
    CHECK(rb->criteria[3].action == RB_HOLD);
    CHECK(rb->criteria[4].action == RB_WARN && rb->criteria[4].threshold == 0.001);

    CHECK(rb->n_ramp == 5 && !rb->ramp_automatic);
    CHECK(rb->ramp[0].percent == 1 && rb->ramp[0].hold_ms == 600000 && rb->ramp[0].line == 47);
    CHECK(rb->ramp[2].percent == 25 && rb->ramp[2].hold_ms == 1800000);
    CHECK(rb->ramp[4].percent == 100 && rb->ramp[4].hold_ms == 0);

    CHECK(rb->n_phases == 4 && rb->n_steps == 17);
    const char *numbers[] = {"2", "3", "4", "5"};
    const char *titles[] = {"Dual-write", "Shadow reads", "Cutover ceremony", "Cleanup"};
    size_t counts[] = {4, 4, 5, 4}, first = 0;
    for (size_t i = 0; i < 4 && i < rb->n_phases; i++) {
        const struct rb_phase *ph = &rb->phases[i];
        CHECK_STR(ph->number, numbers[i]);
        CHECK_STR(ph->title, titles[i]);
        CHECK(ph->first_step == first && ph->n_steps == counts[i]);
        CHECK(ph->rollback != NULL && ph->rollback[0] != '\0');
        first += counts[i];
    }
    CHECK(strstr(rb->phases[0].prose, "best effort") != NULL);
    CHECK(strncmp(rb->phases[2].rollback, "Flip `orders-read-new` back to 0%.", 34) == 0);

    const struct rb_step *s = runbook_find_step(rb, "start-backfill");
    CHECK(s && s->action == RB_ACTION_BACKFILL && strcmp(s->role, "dba") == 0);
    CHECK(s && strcmp(s->text, "start the backfill") == 0 && s->phase == 0 && s->line == 69);
    CHECK(runbook_step_index(rb, "2.1") == 0);
    CHECK(rb->steps[0].action == RB_ACTION_WRITERS);
    CHECK_STR(rb->steps[1].text, "deploy the dual-write release and confirm writes reach the `orders` table");
    CHECK(rb->steps[1].action == RB_ACTION_NONE);
    const struct rb_step *w = runbook_find_step(rb, "shadow-week");
    CHECK(w && strcmp(rb_attr_get(w->attrs, w->n_attrs, "gate"), "7d") == 0);
    CHECK(runbook_find_step(rb, "compare-all") && runbook_find_step(rb, "compare-all")->action == RB_ACTION_COMPARE);
    CHECK(runbook_find_step(rb, "4.2") && runbook_find_step(rb, "4.2")->action == RB_ACTION_PREFLIGHT);
    const struct rb_step *r = runbook_find_step(rb, "ramp");
    CHECK(r && r->action == RB_ACTION_RAMP && strcmp(r->role, "flags") == 0 && r->phase == 2);
    const struct rb_step *drop = runbook_find_step(rb, "5.4");
    CHECK(drop && rb_attr_get(drop->attrs, drop->n_attrs, "irreversible") != NULL);
    CHECK(drop && strcmp(rb_attr_get(drop->attrs, drop->n_attrs, "irreversible"), "") == 0);

    CHECK_STR(rb->rollback_general, "Every rollback is announced by comms; the commander decides.");
    CHECK_STR(rb->cleanup_deadline, "30d after cutover");
    CHECK(rb->cleanup_after_ms == 30LL * 86400000);
    CHECK(rb->n_sections == 3);
    CHECK_STR(rb->sections[0].title, "");
    CHECK(strncmp(rb->sections[0].text, "Moves the orders of the shop", 28) == 0);
    CHECK_STR(rb->sections[1].title, "Writers");
    CHECK_STR(rb->sections[2].title, "Cleanup");
    /* its writers: three declared, two dual-writing, each with its code */
    struct writers_decls wd;
    CHECK(writers_parse(rb, &wd) == 0);
    CHECK(wd.n == 3 && wd.n_problems == 0);
    CHECK(wd.n == 3 && wd.v[0].dual_writes && wd.v[1].dual_writes && !wd.v[2].dual_writes);
    CHECK(wd.n == 3 && wd.v[0].n_models == 1 && strcmp(wd.v[0].models[0], "LegacyOrder") == 0);
    CHECK(wd.n == 3 && wd.v[2].n_code == 1 && strcmp(wd.v[2].code[0], "batch/refunds/") == 0);
    writers_decls_free(&wd);
    const struct rb_step *steady = runbook_find_step(rb, "dual-write-steady");
    CHECK(steady && strcmp(rb_attr_get(steady->attrs, steady->n_attrs, "needs"), "writers") == 0);
    runbook_free(rb);
    rb_problems_free(&ps);
}

TEST(demo_runbook_parses_clean)
{
    struct rb_problems ps;
    struct runbook *rb = load("runbooks/demo.md", &ps);
    CHECK(rb != NULL && ps.n == 0);
    show_problems("demo.md", &ps);
    if (!rb)
        return;
    CHECK_STR(rb->title, "Demo cutover: orders on SQLite");
    CHECK(rb->n_roles == 4 && runbook_person(rb, "commander") != NULL);

    const struct rb_system *old = runbook_system(rb, "old"), *nw = runbook_system(rb, "new");
    CHECK(old && strcmp(old->kind, "sqlite") == 0 && strcmp(old->conn, "${CUTOVER_DEMO_DIR}/old.db") == 0);
    CHECK(nw && strcmp(nw->kind, "sqlite") == 0 && strcmp(nw->conn, "${CUTOVER_DEMO_DIR}/new.db") == 0);
    const struct rb_system *m = runbook_system(rb, "metrics");
    CHECK(m && strcmp(m->kind, "scrape") == 0);
    CHECK(m && strcmp(m->conn, "http://127.0.0.1:${CUTOVER_DEMO_PORT}/metrics") == 0);
    const struct rb_system *fl = runbook_system(rb, "flag");
    CHECK(fl && strcmp(fl->kind, "flagd") == 0 && strcmp(fl->conn, "${CUTOVER_DEMO_DIR}/flags.json") == 0);
    CHECK(fl && strcmp(rb_attr_get(fl->attrs, fl->n_attrs, "flag"), "orders-read-new") == 0);

    const char *sigs[] = {"dual_write_failure_rate", "new_read_error_rate", "p99_ratio", "divergence_rate"};
    const char *metric[] = {"migration_dual_write_failures_total", "read_errors_total{backend=\"new\"}",
                            "read_seconds_bucket{backend=\"new\"}", "shadow_reads_total{result=\"diverged\"}"};
    CHECK(rb->n_signals == 6);   /* and dual_write_rate, observed_share */
    CHECK(rb->ramp_observed && strcmp(rb->ramp_observed, "observed_share") == 0);
    for (size_t i = 0; i < 4; i++) {
        const struct rb_signal *sg = runbook_signal(rb, sigs[i]);
        CHECK(sg && sg->source == NULL && strstr(sg->expr, metric[i]) != NULL);
    }
    CHECK(strstr(runbook_signal(rb, "dual_write_failure_rate")->expr, "migration_dual_write_total") != NULL);
    CHECK(strstr(runbook_signal(rb, "new_read_error_rate")->expr, "reads_total{backend=\"new\"}") != NULL);

    CHECK(rb->n_criteria == 4);
    const struct rb_criterion *c = rb->criteria;
    CHECK(c[0].action == RB_ABORT && strcmp(c[0].signal, "new_read_error_rate") == 0 &&
          c[0].op == RB_GT && c[0].threshold == 0.01 && c[0].is_percent && c[0].for_ms == 10000);
    CHECK(c[1].action == RB_ABORT && strcmp(c[1].signal, "p99_ratio") == 0 && c[1].threshold == 2 &&
          !c[1].is_percent && c[1].for_ms == 20000);
    CHECK(c[2].action == RB_HALT && strcmp(c[2].signal, "divergence_rate") == 0 &&
          c[2].threshold == 0.001 && c[2].for_ms == 0);

    CHECK(rb->n_ramp == 4 && rb->ramp_automatic == 0);
    const double pcts[] = {1, 5, 25, 100};
    const int64_t holds[] = {30000, 30000, 60000, 0};
    for (size_t i = 0; i < 4 && i < rb->n_ramp; i++)
        CHECK(rb->ramp[i].percent == pcts[i] && rb->ramp[i].hold_ms == holds[i]);

    CHECK(rb->n_phases == 4);
    for (size_t i = 0; i < rb->n_phases; i++) {
        char num[4];
        snprintf(num, sizeof num, "%zu", i + 2);
        CHECK_STR(rb->phases[i].number, num);
        CHECK(rb->phases[i].n_steps >= 2 && rb->phases[i].n_steps <= 4);
        CHECK(rb->phases[i].rollback && rb->phases[i].rollback[0]);
    }
    CHECK(runbook_find_step(rb, "backfill") && runbook_find_step(rb, "backfill")->action == RB_ACTION_BACKFILL);
    CHECK(runbook_find_step(rb, "compare") && runbook_find_step(rb, "compare")->action == RB_ACTION_COMPARE);
    const struct rb_step *r = runbook_find_step(rb, "ramp");
    CHECK(r && r->action == RB_ACTION_RAMP && rb->phases[r->phase].number[0] == '4');
    CHECK(rb->cleanup_after_ms == 30LL * 86400000);
    runbook_free(rb);
    rb_problems_free(&ps);
}

TEST(runbook_hash_is_of_the_text)
{
    struct rb_problems ps;
    struct runbook *rb = load("runbooks/demo.md", &ps);
    CHECK(rb != NULL);
    if (!rb)
        return;
    char hex[65];
    hash_sha256_hex(rb->text, rb->text_len, hex);
    CHECK_STR(rb->sha256, hex);
    CHECK(strlen(rb->text) == rb->text_len);
    FILE *f = fopen("runbooks/demo.md", "rb");
    char buf[16384];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    CHECK(n == rb->text_len && memcmp(buf, rb->text, n) == 0);
    runbook_free(rb);
    rb_problems_free(&ps);
}

/* ---- every corner of the grammar ---- */

TEST(features_fixture_field_by_field)
{
    struct rb_problems ps;
    struct runbook *rb = load("tests/runbooks/good-features.md", &ps);
    CHECK(rb != NULL && ps.n == 0);
    show_problems("good-features.md", &ps);
    if (!rb)
        return;
    CHECK_STR(rb->title, "Features: every corner of the grammar");
    /* Intro: links keep their address, entities decode, HTML comments vanish. */
    CHECK(rb->n_sections == 3);
    CHECK_STR(rb->sections[0].title, "");
    CHECK(strstr(rb->sections[0].text, "a dashboard (https://grafana.example/d/orders) link") != NULL);
    CHECK(strstr(rb->sections[0].text, "an entity & a") != NULL);
    CHECK(strstr(rb->sections[0].text, "hidden") == NULL);
    CHECK(rb->sections[0].line == 3);
    CHECK_STR(rb->sections[1].title, "Notes");
    CHECK_STR(rb->sections[1].text, "Anything else is kept as a section.\n\n    code block");
    CHECK(rb->sections[1].line == 56);

    /* Sections in any order, headings in any case; markup inside items. */
    CHECK_STR(runbook_person(rb, "dba"), "Bob Ruiz");
    CHECK_STR(runbook_person(rb, "on_call-2"), "Eve Stone");
    const struct rb_signal *lag = runbook_signal(rb, "lag");
    CHECK(lag && lag->source && strcmp(lag->source, "old") == 0 && lag->line == 10);
    const struct rb_system *old = runbook_system(rb, "old");
    CHECK(old && strcmp(old->conn, "host=${PGHOST} dbname=shop") == 0);

    /* Every comparison, signs, percentages, combined durations. */
    CHECK(rb->n_criteria == 6);
    const struct rb_criterion *c = rb->criteria;
    CHECK(c[0].op == RB_GT && c[0].threshold == 0.01 && c[0].for_ms == 5400000);
    CHECK(c[1].action == RB_HALT && c[1].op == RB_GE && c[1].threshold == 300 && c[1].for_ms == 90000);
    CHECK(c[2].action == RB_HOLD && c[2].op == RB_LT && c[2].threshold == -5);
    CHECK(c[3].action == RB_WARN && c[3].op == RB_LE && c[3].threshold == 0.005 && c[3].is_percent);
    CHECK(c[4].op == RB_EQ && c[4].threshold == 0);
    CHECK(c[5].op == RB_NE && c[5].threshold == 2.25); /* "error_rate!=2.25" without spaces */
    CHECK_STR(c[1].text, "Halt if lag >= 300 for 90s");

    CHECK(rb->ramp_automatic == 1 && rb->n_ramp == 3);
    CHECK(rb->ramp[1].percent == 2.5 && rb->ramp[1].hold_ms == 3600000);

    CHECK(rb->n_phases == 2 && rb->n_steps == 6);
    const struct rb_phase *p2 = &rb->phases[0], *p3 = &rb->phases[1];
    CHECK_STR(p2->number, "2");
    CHECK_STR(p2->title, "Dual-write");
    CHECK(p2->n_attrs == 2 && strcmp(rb_attr_get(p2->attrs, p2->n_attrs, "gate"), "7d") == 0);
    CHECK(strcmp(rb_attr_get(p2->attrs, p2->n_attrs, "owner"), "dba") == 0);
    CHECK_STR(p2->prose, "Prose of phase two.\n\n  - a sub-note, kept as prose\n\n"
                         "A sub-heading inside a phase\n\nMore prose.");
    CHECK_STR(p2->rollback, "1. Stop the backfill.\n2. Turn dual-write off.");
    CHECK_STR(p3->number, "3");
    CHECK_STR(p3->title, "");
    CHECK_STR(p3->rollback, "Flip the flag back.");
    CHECK_STR(rb->rollback_general, "General plan first.");

    const struct rb_step *s = rb->steps;
    CHECK_STR(s[0].id, "start-backfill");
    CHECK_STR(s[0].text, "start the backfill");
    CHECK(s[0].action == RB_ACTION_BACKFILL && s[0].n_attrs == 3);
    CHECK_STR(rb_attr_get(s[0].attrs, s[0].n_attrs, "batch"), "10000");
    CHECK_STR(rb_attr_get(s[0].attrs, s[0].n_attrs, "note"), "slow at night");
    CHECK_STR(rb_attr_get(s[0].attrs, s[0].n_attrs, "manual"), "");   /* a flag word */
    CHECK(rb_attr_get(s[0].attrs, s[0].n_attrs, "nope") == NULL);
    CHECK_STR(s[1].id, "2.2"); /* default ids count every step, explicit or not */
    CHECK_STR(s[1].role, "on_call-2");
    CHECK_STR(s[1].text, "check `orders_legacy` rows by hand"); /* a code span mid-text is text */
    CHECK(s[1].action == RB_ACTION_NONE && s[1].line == 43);
    CHECK(strcmp(s[2].id, "2.3") == 0 && s[2].action == RB_ACTION_COMPARE); /* no task box */
    CHECK(strcmp(s[3].id, "2.4") == 0 && s[3].action == RB_ACTION_PREFLIGHT); /* numbered */
    CHECK(strcmp(s[4].id, "audit") == 0 && s[4].action == RB_ACTION_WRITERS && s[4].phase == 1);
    CHECK(strcmp(s[5].id, "3.2") == 0 && s[5].action == RB_ACTION_RAMP);

    CHECK_STR(rb->cleanup_deadline, "2026-12-31");
    CHECK(rb->cleanup_after_ms == 0);
    CHECK_STR(rb->sections[2].title, "Cleanup");
    CHECK(strstr(rb->sections[2].text, "Then drop the table.") != NULL);
    runbook_free(rb);
    rb_problems_free(&ps);
}

TEST(crlf_and_byte_order_mark_keep_lines)
{
    struct rb_problems ps;
    struct runbook *rb = load("tests/runbooks/good-crlf-bom.md", &ps);
    CHECK(rb != NULL && ps.n == 0);
    if (!rb)
        return;
    CHECK_STR(rb->title, "CRLF and a byte order mark");
    CHECK(rb->n_steps == 3);
    CHECK(rb->steps[0].line == 8 && rb->steps[1].line == 9 && rb->steps[2].line == 11);
    CHECK_STR(rb->steps[1].text, "second continued on a second line");
    CHECK(rb->phases[0].line == 7);
    runbook_free(rb);
    rb_problems_free(&ps);
}

TEST(lone_carriage_returns_count_as_lines)
{
    struct rb_problems ps;
    struct runbook *rb = parse("# T\r\r## Roles\r- commander: A\r- Bad\r", &ps);
    CHECK(rb != NULL);
    int found = 0;
    for (size_t i = 0; i < ps.n; i++)
        if (strstr(ps.v[i].message, "expected a role"))
            found = ps.v[i].line;
    CHECK(found == 5);
    runbook_free(rb);
    rb_problems_free(&ps);
}

TEST(trailing_lowercase_code_span_is_an_action)
{
    /* The documented pitfall: a step that ends in a one-word code span names
     * an action, so `orders` here is an unknown action, not text. */
    struct rb_problems ps;
    struct runbook *rb = parse("# T\n## Roles\n- commander: A\n## Phase 1\n"
                               "- [ ] commander: check `orders`\n"
                               "- [ ] commander: check `Orders` and `a b`\n"
                               "## Rollback\n### Phase 1\nx\n", &ps);
    CHECK(rb && ps.n == 1 && ps.v[0].line == 5);
    CHECK(ps.n && strstr(ps.v[0].message, "unknown action `orders`"));
    CHECK(rb && rb->n_steps == 2 && rb->steps[1].action == RB_ACTION_NONE);
    CHECK(rb && rb->n_steps == 2 && strcmp(rb->steps[1].text, "check `Orders` and `a b`") == 0);
    runbook_free(rb);
    rb_problems_free(&ps);
}

TEST(commented_and_struck_criteria)
{
    /* An HTML comment removes a criterion on purpose; strikethrough is not
     * Markdown here, so a struck criterion is an error to look at rather
     * than one that is silently still enforced. */
    struct rb_problems ps;
    struct runbook *rb = parse("# T\n## Roles\n- commander: A\n"
                               "## Systems\n- metrics: prometheus `u`\n"
                               "## Signals\n- s: `x`\n"
                               "## Abort criteria\n"
                               "<!-- - abort if s > 1 -->\n"
                               "- ~~abort if s > 2~~\n"
                               "## Phase 1\n- [ ] commander: go\n## Rollback\n### Phase 1\nx\n", &ps);
    CHECK(rb && rb->n_criteria == 0);
    CHECK(ps.n == 1 && ps.v[0].line == 10 && strstr(ps.v[0].message, "found `~~abort`"));
    runbook_free(rb);
    rb_problems_free(&ps);
}

TEST(entities_and_nul_characters)
{
    struct rb_problems ps = {0};
    const char text[] = "# A &lt;b&gt; &#65;&#x42; &#0; &bogus; x\0y\n";
    struct runbook *rb = runbook_parse("nul.md", text, sizeof text - 1, &ps);
    CHECK(rb && rb->title);
    if (rb && rb->title)
        CHECK_STR(rb->title, "A <b> AB \xef\xbf\xbd &bogus; x\xef\xbf\xbdy");
    CHECK(rb && rb->text_len == sizeof text - 1 && memcmp(rb->text, text, sizeof text - 1) == 0);
    runbook_free(rb);
    rb_problems_free(&ps);
}

/* ---- files that are refused ---- */

TEST(missing_file_is_refused)
{
    struct rb_problems ps;
    struct runbook *rb = load("tests/runbooks/does-not-exist.md", &ps);
    CHECK(rb == NULL);
    CHECK(one_problem("missing", &ps, 0, 0, "cannot be opened: No such file or directory"));
    rb_problems_free(&ps);
}

TEST(directory_is_refused)
{
    struct rb_problems ps;
    struct runbook *rb = load("tests/runbooks", &ps);
    CHECK(rb == NULL);
    CHECK(one_problem("dir", &ps, 0, 0, "is a directory"));
    rb_problems_free(&ps);
}

TEST(special_files_are_refused)
{
    char path[256];
    tmp_path(path, sizeof path, "fifo");
    unlink(path);
    CHECK(mkfifo(path, 0600) == 0);
    struct rb_problems ps;
    struct runbook *rb = load(path, &ps); /* must not hang waiting for a writer */
    CHECK(rb == NULL);
    CHECK(one_problem("fifo", &ps, 0, 0, "is not a regular file"));
    rb_problems_free(&ps);
    unlink(path);
    rb = load("/dev/zero", &ps);
    CHECK(rb == NULL);
    CHECK(one_problem("/dev/zero", &ps, 0, 0, "is not a regular file"));
    rb_problems_free(&ps);
}

TEST(file_of_50_mb_is_refused_unread)
{
    char path[256];
    tmp_path(path, sizeof path, "big.md");
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    CHECK(write(fd, "# Big\n", 6) == 6);
    CHECK(ftruncate(fd, 50L * 1024 * 1024) == 0);
    close(fd);
    struct timespec t0;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    struct rb_problems ps;
    struct runbook *rb = load(path, &ps);
    /* refused from fstat, not by reading 50 MB (which costs CPU time, in
     * the kernel): the goal (100 ms) is measured by `make bench`; here ten
     * times it */
    CHECK(cpu_since(&t0) < 1.0);
    CHECK(rb == NULL);
    CHECK(one_problem("big", &ps, 0, 0, "is 52428800 bytes; a runbook may be at most 4 MiB"));
    rb_problems_free(&ps);
    unlink(path);
}

TEST(size_limit_is_exact)
{
    char path[256];
    tmp_path(path, sizeof path, "limit.md");
    size_t n = RUNBOOK_MAX_BYTES;
    char *buf = malloc(n + 1);
    memset(buf, 'x', n + 1);
    memcpy(buf, "# Limit\n\n", 9);
    for (size_t i = 80; i < n + 1; i += 80)
        buf[i] = '\n';
    write_file(path, buf, n);
    struct rb_problems ps;
    struct runbook *rb = load(path, &ps);
    CHECK(rb != NULL && rb->text_len == n); /* exactly 4 MiB is allowed */
    runbook_free(rb);
    rb_problems_free(&ps);
    write_file(path, buf, n + 1);
    rb = load(path, &ps);
    CHECK(rb == NULL);
    CHECK(one_problem("limit+1", &ps, 0, 0, "is 4194305 bytes; a runbook may be at most 4 MiB"));
    rb_problems_free(&ps);
    rb = runbook_parse("mem.md", buf, n + 1, &ps); /* the same limit holds for parse */
    CHECK(rb != NULL && rb->n_phases == 0);
    CHECK(one_problem("parse", &ps, 0, 0, "is 4194305 bytes; a runbook may be at most 4 MiB"));
    runbook_free(rb);
    rb_problems_free(&ps);
    unlink(path);
    free(buf);
}

TEST(binary_content_is_refused_with_its_line)
{
    struct rb_problems ps;
    struct runbook *rb = load("tests/runbooks/bad-binary-nul.md", &ps);
    CHECK(rb == NULL);
    CHECK(one_problem("nul", &ps, 4, 0, "binary data, not a Markdown runbook"));
    rb_problems_free(&ps);
    rb = load("tests/runbooks/bad-binary-utf8.md", &ps);
    CHECK(rb == NULL);
    CHECK(one_problem("utf8", &ps, 2, 0, "binary data, not a Markdown runbook"));
    rb_problems_free(&ps);

    /* Ill-formed UTF-8 of every kind, each on line 3. */
    const char *bad[] = {"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                         "\xf8\x88\x80\x80\x80", "\x80", "\xc3", "\xe2\x82", "\xc3\x28"};
    char path[256];
    tmp_path(path, sizeof path, "bin.md");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[64];
        int n = snprintf(text, sizeof text, "# T\r\n\nx %s", bad[i]);
        write_file(path, text, (size_t)n);
        rb = load(path, &ps);
        CHECK(rb == NULL);
        CHECK(one_problem(bad[i], &ps, 3, 0, "binary data"));
        rb_problems_free(&ps);
    }
    /* Well-formed multi-byte text of every length is fine. */
    const char *good = "# Caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x9a\x80 \xef\xbf\xbd\n";
    write_file(path, good, strlen(good));
    rb = load(path, &ps);
    CHECK(rb != NULL && strcmp(rb->title, "Caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x9a\x80 \xef\xbf\xbd") == 0);
    runbook_free(rb);
    rb_problems_free(&ps);
    unlink(path);
}

/* ---- lookups and names ---- */

TEST(lookups_and_names)
{
    struct rb_problems ps;
    struct runbook *rb = load("runbooks/orders.md", &ps);
    CHECK(rb != NULL);
    if (!rb)
        return;
    CHECK(runbook_find_step(rb, "nope") == NULL && runbook_step_index(rb, "nope") == -1);
    CHECK(runbook_find_step(rb, NULL) == NULL && runbook_step_index(NULL, "2.1") == -1);
    CHECK(runbook_find_step(rb, "4.3") == &rb->steps[runbook_step_index(rb, "4.3")]);
    CHECK(runbook_system(rb, "nope") == NULL && runbook_signal(rb, "nope") == NULL);
    CHECK(runbook_person(NULL, "dba") == NULL);
    CHECK(rb_attr_get(NULL, 0, "x") == NULL);
    CHECK_STR(rb_action_name(RB_ACTION_NONE), "");
    CHECK_STR(rb_action_name(RB_ACTION_BACKFILL), "backfill");
    CHECK_STR(rb_action_name(RB_ACTION_COMPARE), "compare");
    CHECK_STR(rb_action_name(RB_ACTION_RAMP), "ramp");
    CHECK_STR(rb_action_name(RB_ACTION_WRITERS), "writers");
    CHECK_STR(rb_action_name(RB_ACTION_PREFLIGHT), "preflight");
    CHECK_STR(rb_crit_action_name(RB_ABORT), "abort");
    CHECK_STR(rb_crit_action_name(RB_HALT), "halt");
    CHECK_STR(rb_crit_action_name(RB_HOLD), "hold");
    CHECK_STR(rb_crit_action_name(RB_WARN), "warn");
    const char *ops[] = {">", ">=", "<", "<=", "==", "!="};
    for (int i = RB_GT; i <= RB_NE; i++)
        CHECK_STR(rb_op_name((enum rb_op)i), ops[i]);
    runbook_free(rb);
    rb_problems_free(&ps);
}

/* ---- size: documents shaped to make a parser slow ---- */

/* A parse of about 4 MiB must stay linear: the goal, 1 s on the -O2 build,
 * is measured by `make bench` (bench/bench_runbook.c, against md4c alone on
 * the same bytes). A test asserts no speed, only a bound of ten times the
 * goal in CPU time, which a loaded machine meets (its load delays the parse
 * but is not counted) and a parse gone quadratic (minutes on 4 MiB) does
 * not; the sanitizers run the parser about three times slower. */
#define PARSE_BOUND_S (SLOW_BUILD ? 30.0 : 10.0)

TEST(four_mib_runbook_parses_within_bound)
{
    size_t len;
    char *text = shapes_big_runbook(SHAPES_BIG_SIZE, &len);
    CHECK(text && len <= RUNBOOK_MAX_BYTES);
    if (!text)
        return;
    struct timespec t0;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    struct rb_problems ps = {0};
    struct runbook *rb = runbook_parse("big.md", text, len, &ps);
    double s = cpu_since(&t0);
    printf("  %zu bytes, %zu steps in %.3f s of CPU\n", len, rb ? rb->n_steps : 0, s);
    CHECK(s < PARSE_BOUND_S);
    CHECK(rb && ps.n == 0 && rb->n_steps > 40000);
    show_problems("big.md", &ps);
    runbook_free(rb);
    rb_problems_free(&ps);
    free(text);
}

/* Parses one shape of about 4 MiB; returns the CPU seconds it took. */
static double parse_shape(const struct shape *sh)
{
    size_t n;
    char *t = shapes_text(sh, &n);
    CHECK(t != NULL);
    if (!t)
        return 0;
    struct timespec t0;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    struct rb_problems ps = {0};
    struct runbook *rb = runbook_parse("shape.md", t, n, &ps);
    double s = cpu_since(&t0);
    CHECK(rb != NULL);
    runbook_free(rb);
    rb_problems_free(&ps);
    free(t);
    return s;
}

TEST(hostile_shapes_parse_within_bound)
{
    for (size_t i = 0; i < N_SHAPES; i++) {
        double s = parse_shape(&shapes[i]);
        printf("  %-16s %.3f s of CPU\n", shapes[i].name, s);
        CHECK(s < PARSE_BOUND_S);
    }
}

/* The deep shapes are refused at their line before md4c sees them. */
TEST(deep_lines_are_refused_before_the_parse)
{
    CHECK(md_line_depth("x", 1) == 0);
    CHECK(md_line_depth("- x", 3) == 1);
    CHECK(md_line_depth("  > - 1. 2) x", 13) == 4);
    CHECK(md_line_depth("-x", 2) == 0);
    CHECK(md_line_depth("- - - - - - - -", 15) == 0);  /* a thematic break */
    CHECK(md_line_depth("12345678901. x", 14) == 0);   /* not a list marker */
    size_t depth = 0;
    CHECK(md_first_deep_line("a\n>>\n>>>\n", 9, 2, &depth) == 3 && depth == 3);
    CHECK(md_first_deep_line("a\n>>", 5, 2, &depth) == 0);
    for (size_t i = 0; i < N_SHAPES; i++) {
        int deep = strncmp(shapes[i].name, "deep ", 5) == 0;
        size_t n;
        char *t = shapes_text(&shapes[i], &n);
        struct rb_problems ps = {0};
        struct runbook *rb = t ? runbook_parse("shape.md", t, n, &ps) : NULL;
        int refused = ps.n == 1 && strstr(ps.v[0].message, "lists or quotes on one line");
        CHECK(rb != NULL && refused == deep);
        runbook_free(rb);
        rb_problems_free(&ps);
        free(t);
    }
}

/* ---- out of memory, at every allocation ---- */

#if !SLOW_BUILD
/* glibc lets a program replace malloc; the replacement counts live blocks
 * and fails the allocation a countdown reaches. Not under ASan, which
 * replaces malloc itself. */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);
static long fault_countdown = -1, live_blocks, alloc_calls;

static int fault_now(void)
{
    alloc_calls++;
    return fault_countdown >= 0 && fault_countdown-- == 0;
}

void *malloc(size_t n)
{
    void *p = fault_now() ? NULL : __libc_malloc(n);
    live_blocks += p != NULL;
    return p;
}

void *calloc(size_t n, size_t size)
{
    void *p = fault_now() ? NULL : __libc_calloc(n, size);
    live_blocks += p != NULL;
    return p;
}

void *realloc(void *old, size_t n)
{
    void *p = fault_now() ? NULL : __libc_realloc(old, n);
    live_blocks += p != NULL && old == NULL;
    return p;
}

void free(void *p)
{
    live_blocks -= p != NULL;
    __libc_free(p);
}

/* Runs fn with the k-th allocation failing, for every k up to the number a
 * clean run makes. Every failure the parser sees must make it return NULL
 * and leak nothing. The few allocations inside OpenSSL's digest (through
 * hash_sha256_hex, which does not report failure) are absorbed there, and
 * OpenSSL keeps a per-thread error queue on purpose: those runs succeed
 * and are only counted. */
static void every_allocation_fails_once(const char *what, struct runbook *(*fn)(struct rb_problems *))
{
    struct rb_problems ps = {0};
    runbook_free(fn(&ps)); /* warm up lazily initialised libraries */
    rb_problems_free(&ps);
    long calls0 = alloc_calls;
    runbook_free(fn(&ps));
    rb_problems_free(&ps);
    long total = alloc_calls - calls0, refused = 0, absorbed = 0, leaks = 0;
    for (long k = 0; k < total; k++) {
        long live0 = live_blocks;
        fault_countdown = k;
        struct runbook *rb = fn(&ps);
        fault_countdown = -1;
        refused += rb == NULL;
        absorbed += rb != NULL;
        runbook_free(rb);
        rb_problems_free(&ps);
        if (!rb && live_blocks != live0 && leaks++ == 0)
            printf("  %s: allocation %ld failing leaks %ld blocks\n", what, k, live_blocks - live0);
    }
    printf("  %s: %ld allocations each failed once: %ld refused, %ld absorbed by OpenSSL\n", what,
           total, refused, absorbed);
    CHECK(total > 50 && leaks == 0 && absorbed <= 4);
}

static struct runbook *parse_orders(struct rb_problems *ps)
{
    static char text[16384];
    static size_t len;
    if (!len) {
        FILE *f = fopen("runbooks/orders.md", "rb");
        len = f ? fread(text, 1, sizeof text, f) : 0;
        if (f)
            fclose(f);
    }
    return runbook_parse("orders.md", text, len, ps);
}

static struct runbook *load_features(struct rb_problems *ps)
{
    return runbook_load("tests/runbooks/good-features.md", ps);
}

static struct runbook *load_bad(struct rb_problems *ps)
{
    return runbook_load("tests/runbooks/bad-phase-duplicate.md", ps);
}

TEST(out_of_memory_anywhere_is_clean)
{
    every_allocation_fails_once("parse orders.md", parse_orders);
    every_allocation_fails_once("load good-features.md", load_features);
    every_allocation_fails_once("load bad-phase-duplicate.md", load_bad);
}
#else
TEST(out_of_memory_anywhere_is_clean)
{
    printf("  (runs in the plain build: the sanitizers own malloc here)\n");
}
#endif

TEST(criterion_clauses_in_any_order)
{
    struct rb_problems ps = {0};
    struct runbook *rb = parse(
        "# T\n\n## Roles\n- commander: A\n\n## Systems\n- metrics: prometheus `http://x`\n\n"
        "## Signals\n- err: `e`\n- reads: `r`\n\n## Abort criteria\n"
        "- abort if err > 1% for 30s, min 200 reads, confidence 95%\n"
        "- halt if err >= 2 no data for 2m for 10s\n"
        "- warn if err > 0.5%\n\n"
        "## Phase 1: P\n- [ ] commander: x\n\n## Rollback\n### Phase 1\nundo\n", &ps);
    CHECK(rb && ps.n_errors == 0);
    if (rb && rb->n_criteria == 3) {
        const struct rb_criterion *a = &rb->criteria[0], *b = &rb->criteria[1], *w = &rb->criteria[2];
        CHECK(a->for_ms == 30000 && a->min_count == 200 && a->confidence == 0.95);
        CHECK_STR(a->min_signal, "reads");
        CHECK(a->no_data_ms == 0);
        CHECK(b->no_data_ms == 120000 && b->for_ms == 10000 && !b->min_signal);
        CHECK(w->for_ms == 0 && w->confidence == 0 && !w->min_signal);
    }
    runbook_free(rb);
    rb_problems_free(&ps);
}

TEST(a_readonly_phase_needs_no_rollback_plan)
{
    struct rb_problems ps = {0};
    struct runbook *rb = parse("# T\n\n## Roles\n- commander: A\n\n"
                               "## Phase 1: Look {readonly}\n- [ ] commander: look\n", &ps);
    CHECK(rb && ps.n == 0);
    runbook_free(rb);
    rb_problems_free(&ps);
}

RUN_TESTS(T(a_readonly_phase_needs_no_rollback_plan), T(criterion_clauses_in_any_order), T(every_problem_has_a_fixture_with_its_line), T(empty_items_get_lines_of_their_own),
          T(problems_are_sorted_by_line_and_all_reported), T(problems_accumulate_across_calls),
          T(parse_without_a_problem_list), T(too_many_problems_are_capped),
          T(orders_runbook_parses_clean), T(demo_runbook_parses_clean),
          T(runbook_hash_is_of_the_text), T(features_fixture_field_by_field),
          T(crlf_and_byte_order_mark_keep_lines), T(lone_carriage_returns_count_as_lines),
          T(trailing_lowercase_code_span_is_an_action), T(commented_and_struck_criteria),
          T(entities_and_nul_characters), T(missing_file_is_refused), T(directory_is_refused),
          T(special_files_are_refused), T(file_of_50_mb_is_refused_unread), T(size_limit_is_exact),
          T(binary_content_is_refused_with_its_line), T(lookups_and_names),
          T(four_mib_runbook_parses_within_bound), T(hostile_shapes_parse_within_bound), T(deep_lines_are_refused_before_the_parse),
          T(out_of_memory_anywhere_is_clean))
