/* cmd_approve.c — `cutover approve JOURNAL STEP --as NAME --role commander`
 * (or `cutover approve RUNBOOK --journal J STEP`): the commander's half of
 * an {irreversible} step, from a script; its owner's `cutover ack` (another
 * person) is the other half. With `--override --reason TEXT` the commander
 * overrides the step's unmet conditions instead (core/approve.h). Exit 1
 * when refused. */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "commands.h"
#include "core/approve.h"
#include "core/ceremony.h"
#include "options.h"

/* RUNBOOK with --journal: it must be the runbook the journal records. */
static int same_runbook(const char *path, const struct ceremony *c)
{
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_load(path, &pr);
    int same = rb && pr.n_errors == 0 && strcmp(rb->sha256, c->rb->sha256) == 0;
    if (!same)
        fprintf(stderr, "cutover: %s is not the runbook the journal records (sha256 %.12s)%s\n",
                path, c->rb->sha256, rb && pr.n_errors == 0 ? "" : ": it does not load");
    runbook_free(rb);
    rb_problems_free(&pr);
    return same;
}

int cmd_approve(int argc, char **argv)
{
    struct options o;
    if (options_parse(argc, argv, &o) != 0 || !o.as || !o.role ||
        o.n_positional != (o.journal ? (o.n_positional == 2 ? 2 : 1) : 2) || o.n_positional < 1)
        return usage_of("approve");
    if (o.reason && !o.override) {
        fprintf(stderr, "cutover approve: --reason goes with --override\n");
        return usage_of("approve");
    }
    const char *journal = o.journal ? o.journal : o.positional[0];
    const char *step = o.positional[o.n_positional - 1];
    struct ceremony c;
    struct error err = {{0}};
    if (ceremony_join(&c, journal, o.as, o.role, &err) != 0) {
        fprintf(stderr, "cutover: %s\n", err.msg);
        return EXIT_FAILED;
    }
    if (o.journal && o.n_positional == 2 && !same_runbook(o.positional[0], &c)) {
        ceremony_close(&c);
        return EXIT_FAILED;
    }
    char msg[700];
    int rc = approve_step(&c, step, o.override ? (o.reason ? o.reason : "") : NULL,
                          clock_now_ms(), msg, sizeof msg, &err);
    ceremony_close(&c);
    if (rc < 0) {
        fprintf(stderr, "cutover: %s\n", err.msg);
        return EXIT_FAILED;
    }
    fprintf(rc ? stderr : stdout, "%s%s\n", rc ? "cutover: " : "", msg);
    return rc ? EXIT_FAILED : EXIT_OK;
}
