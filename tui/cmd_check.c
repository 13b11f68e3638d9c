/* cmd_check.c — `cutover check RUNBOOK`: every problem as FILE:LINE, or a
 * one-line summary of a sound runbook. */
#include <stdio.h>

#include "commands.h"
#include "core/runbook.h"
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

int cmd_check(int argc, char **argv)
{
    struct options o;
    if (options_parse(argc, argv, &o) != 0 || o.n_positional != 1)
        return usage_of("check");
    const char *path = o.positional[0];
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_load(path, &pr);
    print_problems(path, &pr);
    int status = EXIT_OK;
    if (!rb || pr.n_errors) {
        printf("%s: %zu error%s\n", path, pr.n_errors, pr.n_errors == 1 ? "" : "s");
        status = EXIT_FAILED;
    } else {
        printf("%s: ok — \"%s\": %zu roles, %zu systems, %zu signals, %zu criteria, "
               "%zu ramp steps, %zu phases, %zu steps\n",
               path, rb->title, rb->n_roles, rb->n_systems, rb->n_signals,
               rb->n_criteria, rb->n_ramp, rb->n_phases, rb->n_steps);
    }
    runbook_free(rb);
    rb_problems_free(&pr);
    return status;
}
