/* cmd_run.c — `cutover run RUNBOOK` and `cutover join JOURNAL`: open the
 * ceremony and hand it to a console (full screen or headless). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "commands.h"
#include "console.h"
#include "core/ceremony.h"
#include "core/events.h"
#include "core/redact.h"
#include "core/stepopts.h"
#include "prompt.h"
#include "self_exe.h"
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

/* The runbook a journal records: `cutover run --journal J` with no RUNBOOK
 * drives the ceremony it holds (taking over needs no copy of the file). */
static struct runbook *runbook_of_journal(const char *journal)
{
    struct journal *j;
    struct error err = {{0}};
    struct runbook *rb = NULL;
    char why[4200];
    if (journal_path_existing(journal, why, sizeof why) != 0)
        fprintf(stderr, "cutover: %s\n", why);
    else if (journal_open(journal, JOURNAL_READONLY, &j, &err) != 0)
        fprintf(stderr, "cutover: %s\n", err.msg);
    else {
        if (!(rb = ceremony_runbook_from_journal(j, journal, &err)))
            fprintf(stderr, "cutover: %s\n", err.msg);
        journal_close(j);
    }
    return rb;
}

#define TAKEOVER_ENV "CUTOVER_TAKEOVER_REASON"

/* A console that took over says so in the journal: T on a joined console
 * (which starts this one in its place) with the reason it was given, or a
 * `cutover run` that replaced another's lapsed lease. */
static int journal_takeover(struct ceremony *c)
{
    const char *reason = getenv(TAKEOVER_ENV);
    if ((!reason || !reason[0]) && c->took_over_from[0])
        reason = "`cutover run` on the journal: the driver's lease had lapsed";
    if (!reason || !reason[0])
        return 0;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "actor_role", c->role);
    cJSON_AddStringToObject(o, "reason", reason);
    if (c->took_over_from[0])
        cJSON_AddStringToObject(o, "previous", c->took_over_from);
    char *body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    struct error err = {{0}};
    int rc = body ? ceremony_append(c, EV_TAKEOVER, body, clock_now_ms(), &err) : -1;
    free(body);
    unsetenv(TAKEOVER_ENV);
    if (rc != 0)
        fprintf(stderr, "cutover: the take-over could not be journaled: %s\n",
                err.msg[0] ? err.msg : "out of memory");
    return rc;
}

/* This console starts again as `cutover VERB …` in this process's place
 * and terminal, with ENV set to VALUE for it to read. Returns only on
 * failure. */
static int start_again(char *const args[], const char *env, const char *value)
{
    if (setenv(env, value, 1) != 0)
        return EXIT_FAILED;
    self_exec(args);
    fprintf(stderr, "cutover: cannot start `cutover %s` again: %s\n", args[1], strerror(errno));
    return EXIT_FAILED;
}

/* A take-over (T) that lost the lease to a console quicker to take it:
 * this console goes back to being the joined one it was, in the same
 * terminal, its status line saying who drives now (or why not). */
static int takeover_lost(const char *journal, const char *name, const char *role,
                         const char *why)
{
    char said[PROMPT_MAX + 64];
    struct journal *j;
    struct journal_lease holder;
    struct error err = {{0}};
    snprintf(said, sizeof said, "not taken over: %s", why);
    if (journal_open(journal, JOURNAL_READONLY, &j, &err) == 0) {
        if (journal_lease_holder(j, clock_now_ms(), JOURNAL_LEASE_MS, &holder, &err) == 1)
            snprintf(said, sizeof said, "not taken over: %s took over first and drives "
                     "(pid %ld on %s)", holder.holder, holder.pid, holder.host);
        journal_close(j);
    }
    unsetenv(TAKEOVER_ENV);
    char *args[] = {"cutover", "join", (char *)journal, "--as", (char *)name, "--role",
                    (char *)role, NULL};
    return start_again(args, CONSOLE_TAKEOVER_REFUSED_ENV, said);
}

/* A bad value among the action steps' options (stepopts.h) would only
 * show once the step's job starts, as a failure retried with back-off:
 * refused here, at its line, before the ceremony begins. 1 when refused. */
static int step_options_refused(const char *path, const struct runbook *rb)
{
    struct stepopts_problems so;
    if (stepopts_check(rb, &so) != 0)
        return 0;   /* out of memory: the job still judges its own options */
    for (size_t i = 0; i < so.n; i++)
        if (!so.v[i].warning)
            fprintf(stderr, "%s:%d: %s\n", path, so.v[i].line, so.v[i].msg);
    if (so.n_errors)
        fprintf(stderr, "cutover: %s has problems; `cutover check %s` lists them\n", path, path);
    int refused = so.n_errors > 0;
    stepopts_problems_free(&so);
    return refused;
}

int cmd_run(int argc, char **argv)
{
    struct options o;
    if (options_parse(argc, argv, &o) != 0 || o.n_positional > 1 ||
        (o.n_positional == 0 && !o.journal))
        return usage_of("run");
    struct runbook *rb;
    const char *path;
    if (o.n_positional == 0) {
        if (!(rb = runbook_of_journal(o.journal)))
            return EXIT_FAILED;
        path = rb->name;
    } else {
        path = o.positional[0];
        struct rb_problems pr = {0};
        rb = runbook_load(path, &pr);
        if (!rb || pr.n_errors) {
            print_problems(path, &pr);
            fprintf(stderr, "cutover: %s has problems; `cutover check %s` lists them\n", path, path);
            runbook_free(rb);
            rb_problems_free(&pr);
            return EXIT_FAILED;
        }
        rb_problems_free(&pr);
        if (step_options_refused(path, rb)) {
            runbook_free(rb);
            return EXIT_FAILED;
        }
    }
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
    if (console_needs_terminal("run", o.headless) != 0) {   /* the runbook's problems first */
        runbook_free(rb);
        return EXIT_USAGE;
    }
    char why[4200];
    if (journal_path_create(journal, why, sizeof why) != 0) {
        fprintf(stderr, "cutover: %s\n", why);
        runbook_free(rb);
        return EXIT_FAILED;
    }
    if (ceremony_start(&c, rb, path, journal, o.force, name, role, clock_now_ms(), &err) != 0) {
        fprintf(stderr, "cutover: %s\n", err.msg);
        if (getenv(TAKEOVER_ENV) && !o.headless)
            return takeover_lost(journal, name, role, err.msg);
        return EXIT_FAILED;
    }
    if (journal_takeover(&c) != 0) {
        ceremony_close(&c);
        return EXIT_FAILED;
    }
    int status = console_run(&c, o.headless ? "headless" : "run", o.headless, journal, NULL);
    ceremony_close(&c);
    return status;
}

/* This console becomes the driver: `cutover run --journal J` as the same
 * person, in this process's place and terminal, with the reason to journal. */
static int take_over(const char *journal, const char *name, const char *role, const char *reason)
{
    char *args[] = {"cutover", "run", "--journal", (char *)journal, "--as", (char *)name,
                    "--role", (char *)role, NULL};
    return start_again(args, TAKEOVER_ENV, reason);
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
    if (console_needs_terminal("join", o.headless) != 0) {   /* the journal's problems first */
        ceremony_close(&c);
        return EXIT_USAGE;
    }
    redact_install_runbook(c.rb);
    char takeover[PROMPT_MAX] = "";
    int status = console_run(&c, "join", o.headless, o.positional[0], takeover);
    ceremony_close(&c);
    if (takeover[0])
        return take_over(o.positional[0], o.as, o.role, takeover);
    return status;
}
