/* cmd_check.c — `cutover check RUNBOOK [--journal F]`: every problem as
 * FILE:LINE, or a one-line summary of a sound runbook (then its cleanup
 * deadline: the rule, or with a journal the date and the days left). */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "commands.h"
#include "core/cleanupjournal.h"
#include "core/datajob.h"
#include "core/flags.h"
#include "core/mapping.h"
#include "core/panels_decl.h"
#include "core/promql.h"
#include "core/redact.h"
#include "core/runbook.h"
#include "core/stepopts.h"
#include "core/writers.h"
#include "journal_path.h"
#include "options.h"

static void print_problems(const char *path, const struct rb_problems *pr)
{
    for (size_t i = 0; i < pr->n; i++) {
        const struct rb_problem *p = &pr->v[i];
        if (p->line > 0)
            printf("%s:%d: %s%s\n", path, p->line, p->warning ? "warning: " : "", p->message);
        else
            printf("%s: %s%s\n", path, p->warning ? "warning: " : "", p->message);
    }
}

/* The ## Mapping's syntax, then, when the runbook uses the data engine
 * and its stores can be reached, its columns against both tables (read,
 * never written); a store out of reach leaves them unjudged, in words.
 * Returns the number of problems printed. */
static size_t check_mapping(const char *path, const struct runbook *rb)
{
    size_t n = 0;
    struct mapping m;
    if (mapping_parse(rb, &m) == 0)
        for (size_t i = 0; i < m.n_problems; i++, n++)
            printf("%s:%d: %s\n", path, m.problems[i].line, m.problems[i].msg);
    mapping_free(&m);
    if (n || !datajob_used(rb))
        return n;
    struct error err = {{0}};
    redact_install_runbook(rb);   /* a store's error may echo its connection */
    if (datajob_check_schemas(rb, &m, &err) != 0)
        printf("%s: note: the mapping was not checked against the tables: %s\n", path, err.msg);
    else
        for (size_t i = 0; i < m.n_problems; i++, n++)
            printf("%s:%d: %s\n", path, m.problems[i].line, m.problems[i].msg);
    mapping_free(&m);
    return n;
}

/* What the parser cannot judge alone: the flag system's attributes,
 * scrape expressions (the subset of PromQL cutover evaluates itself), the
 * ## Mapping (check_mapping), the action steps' options (with the
 * parsers their jobs read them with: stepopts.h), and the panels (## Panels, or the
 * named defaults a runbook's own signal names leave empty: a warning).
 * Returns the number of problems printed. */
static size_t check_drivers(const char *path, const struct runbook *rb)
{
    size_t n = 0;
    struct error err = {{0}};
    const struct rb_system *flag = runbook_system(rb, "flag");
    if (flag && flags_check(flag, &err) != 0) {
        printf("%s:%d: %s\n", path, flag->line, err.msg);
        n++;
    }
    for (size_t i = 0; i < rb->n_signals; i++) {
        const struct rb_signal *sig = &rb->signals[i];
        const struct rb_system *sys = runbook_system(rb, sig->source ? sig->source : "metrics");
        struct promql *q = NULL;
        if (!sys || strcmp(sys->kind, "scrape") != 0)
            continue;
        if (promql_parse(sig->expr, &q, &err) != 0) {
            printf("%s:%d: signal %s: %s\n", path, sig->line, sig->name, err.msg);
            n++;
        }
        promql_free(q);
    }
    n += check_mapping(path, rb);
    struct writers_decls wd;
    if (writers_parse(rb, &wd) == 0)
        for (size_t i = 0; i < wd.n_problems; i++, n++)
            printf("%s:%d: %s\n", path, wd.problems[i].line, wd.problems[i].msg);
    writers_decls_free(&wd);
    struct panels_decls pd;
    if (panels_parse(rb, &pd) == 0)
        for (size_t i = 0; i < pd.n_problems; i++) {
            const struct panels_problem *p = &pd.problems[i];
            const char *w = p->warning ? "warning: " : "";
            if (p->line > 0)
                printf("%s:%d: %s%s\n", path, p->line, w, p->msg);
            else
                printf("%s: %s%s\n", path, w, p->msg);
            n += !p->warning;
        }
    panels_decls_free(&pd);
    struct stepopts_problems so;
    if (stepopts_check(rb, &so) == 0)
        for (size_t i = 0; i < so.n; i++) {
            printf("%s:%d: %s%s\n", path, so.v[i].line, so.v[i].warning ? "warning: " : "",
                   so.v[i].msg);
            n += !so.v[i].warning;
        }
    stepopts_problems_free(&so);
    return n;
}

/* The cleanup deadline: the rule, or with --journal the date and the days
 * left (or overdue) as the journal dates them. */
static int deadline_line(const char *path, const struct runbook *rb, const char *journal)
{
    struct cleanup_view v;
    struct runbook *in_force = NULL;
    struct error err = {{0}};
    char line[300], why[400];
    if (journal && journal_path_existing(journal, why, sizeof why) != 0) {
        printf("%s: --journal: %s\n", path, why);
        return EXIT_FAILED;
    }
    if (journal && cleanup_read_journal(journal, &v, &in_force, &err) != 0) {
        printf("%s: --journal %s: %s\n", path, journal, err.msg);
        return EXIT_FAILED;
    }
    if (!journal)
        cleanup_view_init(&v);
    cleanup_deadline_line(in_force ? in_force : rb, &v, clock_now_ms(), line, sizeof line);
    if (line[0])
        printf("%s: %s\n", path, line);
    runbook_free(in_force);
    return EXIT_OK;
}

static const char *plural(size_t n)
{
    return n == 1 ? "" : "s";
}

int cmd_check(int argc, char **argv)
{
    struct options o;
    if (options_parse(argc, argv, &o) != 0 || o.n_positional != 1)
        return usage_of("check");
    const char *path = o.positional[0];
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_load(path, &pr);
    print_problems(path, &pr);
    size_t errors = pr.n_errors + (rb && !pr.n_errors ? check_drivers(path, rb) : 0);
    int status = EXIT_OK;
    if (!rb || errors) {
        printf("%s: %zu error%s\n", path, errors, errors == 1 ? "" : "s");
        status = EXIT_FAILED;
    } else {
        printf("%s: ok — \"%s\": %zu role%s, %zu system%s, %zu signal%s, %zu criteri%s, "
               "%zu ramp step%s, %zu phase%s, %zu step%s\n",
               path, rb->title, rb->n_roles, plural(rb->n_roles), rb->n_systems,
               plural(rb->n_systems), rb->n_signals, plural(rb->n_signals), rb->n_criteria,
               rb->n_criteria == 1 ? "on" : "a", rb->n_ramp, plural(rb->n_ramp), rb->n_phases,
               plural(rb->n_phases), rb->n_steps, plural(rb->n_steps));
        status = deadline_line(path, rb, o.journal);
    }
    runbook_free(rb);
    rb_problems_free(&pr);
    return status;
}
