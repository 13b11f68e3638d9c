/* cmd_run.c — `cutover run RUNBOOK` and `cutover join JOURNAL`: open the
 * ceremony and hand it to a console (full screen or headless). */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "commands.h"
#include "console.h"
#include "core/ceremony.h"
#include "core/redact.h"
#include "journal_path.h"
#include "options.h"

/* runbooks/orders.md → orders.journal (in the current directory). */
static void default_journal(const char *runbook, char *buf, size_t len)
{
    const char *base = strrchr(runbook, '/');
    base = base ? base + 1 : runbook;
    size_t n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".md") == 0)
        n -= 3;
    snprintf(buf, len, "%.*s.journal", (int)n, base);
}

static void print_problems(const char *path, const struct rb_problems *pr)
{
    for (size_t i = 0; i < pr->n; i++)
        if (!pr->v[i].warning)
            fprintf(stderr, "%s:%d: %s\n", path, pr->v[i].line, pr->v[i].message);
}

int cmd_run(int argc, char **argv)
{
    struct options o;
    if (options_parse(argc, argv, &o) != 0 || o.n_positional != 1)
        return usage_of("run");
    const char *path = o.positional[0];
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_load(path, &pr);
    if (!rb || pr.n_errors) {
        print_problems(path, &pr);
        fprintf(stderr, "cutover: %s has problems; `cutover check %s` lists them\n", path, path);
        runbook_free(rb);
        rb_problems_free(&pr);
        return EXIT_FAILED;
    }
    rb_problems_free(&pr);
    redact_install_runbook(rb);   /* before any thread; out of memory: the syntaxes still mask */

    const char *role = o.role ? o.role : "commander";
    const char *name = o.as ? o.as : runbook_person(rb, role);
    char journal[4096];
    if (o.journal)
        snprintf(journal, sizeof journal, "%s", o.journal);
    else
        default_journal(path, journal, sizeof journal);

    struct ceremony c;
    struct error err = {{0}};
    if (!name) {
        fprintf(stderr, "cutover: role '%s' is not in %s's ## Roles\n", role, path);
        runbook_free(rb);
        return EXIT_FAILED;
    }
    char why[4200];
    if (journal_path_writable(journal, why, sizeof why) != 0) {
        fprintf(stderr, "cutover: %s\n", why);
        runbook_free(rb);
        return EXIT_FAILED;
    }
    if (ceremony_start(&c, rb, path, journal, o.force, name, role, clock_now_ms(), &err) != 0) {
        fprintf(stderr, "cutover: %s\n", err.msg);
        return EXIT_FAILED;
    }
    int status = console_run(&c, o.headless ? "headless" : "run", o.headless, journal);
    ceremony_close(&c);
    return status;
}

int cmd_join(int argc, char **argv)
{
    struct options o;
    if (options_parse(argc, argv, &o) != 0 || o.n_positional != 1 || !o.as || !o.role)
        return usage_of("join");
    struct ceremony c;
    struct error err = {{0}};
    if (ceremony_join_verified(&c, o.positional[0], o.as, o.role, o.force, clock_now_ms(),
                               &err) != 0) {
        fprintf(stderr, "cutover: %s\n", err.msg);
        return EXIT_FAILED;
    }
    redact_install_runbook(c.rb);
    int status = console_run(&c, "join", o.headless, o.positional[0]);
    ceremony_close(&c);
    return status;
}
