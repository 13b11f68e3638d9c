/* datacmd.c — the options, set-up and journal of the data commands
 * (datacmd.h). */
#include "datacmd.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "clock.h"
#include "core/ceremony.h"
#include "core/redact.h"
#include "core/stepopts.h"
#include "commands.h"
#include "journal_path.h"

static int parse(struct datacmd *c, const char *name, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char wants[200];
        if (strcmp(a, "--journal") == 0 && v) {
            c->journal_path = v, i++;
        } else if (strcmp(a, "--rate") == 0 && v) {
            c->rate_given = 1, i++;
            if (stepopts_rate(v, &c->rate, wants, sizeof wants) != 0) {
                fprintf(stderr, "cutover %s: --rate wants %s, not `%s`\n", name, wants, v);
                return -1;
            }
        } else if (strcmp(a, "--batch") == 0 && v) {
            i++;
            if (stepopts_batch(v, &c->batch, wants, sizeof wants) != 0) {
                fprintf(stderr, "cutover %s: --batch wants %s, not `%s`\n", name, wants, v);
                return -1;
            }
        } else if (strcmp(a, "--as") == 0 && v) {
            c->as = v, i++;
        } else if (strcmp(a, "--role") == 0 && v) {
            c->role = v, i++;
        } else if (strcmp(a, "--format") == 0 && v && (!strcmp(v, "json") || !strcmp(v, "text"))) {
            c->json = strcmp(v, "json") == 0, i++;
        } else if (strcmp(a, "--pause") == 0 || strcmp(a, "--resume") == 0) {
            c->pause = strcmp(a, "--pause") == 0;
        } else if (strcmp(a, "--driven") == 0) {
            c->driven = 1;
        } else if (strcmp(a, "--running") == 0) {
            c->running = 1;
        } else if (strcmp(a, "--restart") == 0) {
            c->restart = 1;
        } else if (a[0] != '-' && !c->runbook_path) {
            c->runbook_path = a;
        } else {
            fprintf(stderr, "cutover %s: unexpected `%s`\n", name, a);
            return -1;
        }
    }
    return c->runbook_path ? 0 : -1;
}

/* --as NAME --role ROLE (the cockpit's P and R pass the console's own):
 * the person a backfill_control is journaled as, who must be the one the
 * runbook gives that role. Without them a change is the engine's. */
static int identity(struct datacmd *c, const char *name)
{
    struct error err = {{0}};
    if (!c->as && !c->role)
        return 0;
    if (!c->as || !c->role) {
        fprintf(stderr, "cutover %s: --as and --role go together (who changes the job)\n", name);
        return -1;
    }
    if (ceremony_check_identity(c->rb, c->as, c->role, &err) != 0) {
        fprintf(stderr, "cutover %s: %s\n", name, err.msg);
        return -1;
    }
    events_actor(c->actor, sizeof c->actor, c->as, c->role);
    return 0;
}

int datacmd_open(struct datacmd *c, const char *name, int argc, char **argv)
{
    *c = (struct datacmd){.pause = -1, .name = name};
    if (parse(c, name, argc, argv) != 0)
        return usage_of(name);
    struct rb_problems pr = {0};
    c->rb = runbook_load(c->runbook_path, &pr);
    for (size_t i = 0; i < pr.n; i++)
        if (!pr.v[i].warning)
            fprintf(stderr, "%s:%d: %s\n", c->runbook_path, pr.v[i].line, pr.v[i].message);
    size_t errors = pr.n_errors;
    rb_problems_free(&pr);
    if (!c->rb || errors)
        return EXIT_FAILED;
    redact_install_runbook(c->rb);   /* its secrets never reach the output */
    struct error err = {{0}};
    if (identity(c, name) != 0)
        return EXIT_FAILED;
    /* the journal first: a store that cannot be reached is journaled */
    if (c->journal_path) {
        char why[300];
        if (journal_path_writable(c->journal_path, why, sizeof why) != 0) {
            fprintf(stderr, "cutover %s: %s\n", name, why);
            return EXIT_FAILED;
        }
        if (journal_open(c->journal_path, JOURNAL_CREATE, &c->journal, &err) != 0) {
            fprintf(stderr, "cutover %s: %s\n", name, err.msg);
            return EXIT_FAILED;
        }
    }
    if (datajob_open(&c->job, c->rb, &err) != 0) {
        const struct map_problem *first = c->job.map.n_problems ? &c->job.map.problems[0] : NULL;
        for (size_t i = 0; i < c->job.map.n_problems; i++)
            fprintf(stderr, "%s:%d: %s\n", c->runbook_path, c->job.map.problems[i].line,
                    c->job.map.problems[i].msg);
        fprintf(stderr, "cutover %s: %s\n", name, err.msg);
        char why[sizeof err.msg + 600];
        if (first)
            snprintf(why, sizeof why, "%s (%s:%d: %s)", err.msg, c->runbook_path, first->line,
                     first->msg);
        else
            snprintf(why, sizeof why, "%s", err.msg);
        return datacmd_journal_failure(c, why);
    }
    if (datajob_keys_whole(&c->job, &err) != 0)
        return datacmd_fail(c, err.msg);
    c->ctl = (struct bfcontrol_store){c->job.new_db, c->job.new_pg};
    return 0;
}

/* why in one line (malloc'd, NULL when out of memory): libpq's messages
 * end in a newline and may run on over indented lines */
static char *one_line(const char *why)
{
    char *o = malloc(strlen(why) + 1);
    size_t n = 0;
    for (const char *p = why; o && *p; p++) {
        if (*p != '\n') {
            o[n++] = *p;
            continue;
        }
        while (n > 0 && isspace((unsigned char)o[n - 1]))
            n--;
        while (isspace((unsigned char)p[1]))
            p++;
        if (p[1])
            o[n++] = ' ';
    }
    if (o)
        o[n] = '\0';
    return o;
}

/* The event's body (json consumed) into *body; -1 with the reason printed. */
static int encode(enum event_kind k, void *json, char **body)
{
    struct error err = {{0}};
    if (!(*body = events_encode(k, json, &err))) {
        fprintf(stderr, "cutover: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int append(struct datacmd *c, enum event_kind k, const char *body, struct error *err)
{
    /* the engine's work is the engine's; a change of the running copy is
     * the person's who asked for it (--as, --role) */
    const char *actor = k == EVK_BACKFILL_CONTROL && c->actor[0] ? c->actor : "engine";
    struct journal_event ev = {.ts_ms = clock_now_ms(), .actor = actor,
                               .kind = events_spec(k)->kind, .body = body};
    return journal_append(c->journal, &ev, NULL, err);
}

/* A failure's event waits longer for a journal another process holds
 * than the engine's other writes (5 s): the command ends with it, and a
 * failure the journal never heard of is lost to everyone watching and to
 * the post-mortem. A failure that is no lock (a full disk) fails again at
 * once. Ctrl-C gives up the wait. */
#define FAILURE_WAIT_MS 60000

/* Appends the data_failed event o (consumed), waiting for the journal's
 * write lock up to FAILURE_WAIT_MS more when the first try fails, and
 * says so. */
static void journal_failure(struct datacmd *c, cJSON *o)
{
    char *body;
    if (encode(EVK_DATA_FAILED, o, &body) != 0)
        return;
    struct error err = {{0}};
    if (append(c, EVK_DATA_FAILED, body, &err) != 0) {
        fprintf(stderr, "cutover %s: journal: %s; waiting for the journal up to %d s more, "
                "so that this failure is journaled (Ctrl-C gives up)\n",
                c->name, err.msg, FAILURE_WAIT_MS / 1000);
        journal_set_busy_timeout(c->journal, FAILURE_WAIT_MS);
        if (append(c, EVK_DATA_FAILED, body, &err) == 0)
            fprintf(stderr, "cutover %s: the failure is journaled\n", c->name);
        else
            fprintf(stderr, "cutover %s: journal: %s: the failure is NOT journaled\n", c->name,
                    err.msg);
    }
    free(body);
}

/* Journals a data_failed with why, said in one line, and prints that
 * line first when `say`. */
static int failed(struct datacmd *c, const char *why, int say)
{
    char *line = one_line(why);
    if (say)
        fprintf(stderr, "cutover %s: %s\n", c->name, line ? line : why);
    /* a change asked of a running copy (--running, --pause, --resume)
     * that fails is the request's failure, not the copy's: the copy runs on */
    int control = c->running || c->pause >= 0;
    if (c->journal && !c->driven && !control) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "job", c->name);
        cJSON_AddStringToObject(o, "why", line ? line : why);
        journal_failure(c, o);
    }
    free(line);
    return EXIT_FAILED;
}

int datacmd_fail(struct datacmd *c, const char *why) { return failed(c, why, 1); }

int datacmd_journal_failure(struct datacmd *c, const char *why) { return failed(c, why, 0); }

void datacmd_close(struct datacmd *c)
{
    datajob_close(&c->job);
    if (c->journal)
        journal_close(c->journal);
    runbook_free(c->rb);
    *c = (struct datacmd){0};
}

int datacmd_journal(struct datacmd *c, enum event_kind k, void *json)
{
    if (!c->journal) {
        cJSON_Delete(json);
        return 0;
    }
    char *body;
    if (encode(k, json, &body) != 0)
        return -1;
    struct error err = {{0}};
    int rc = append(c, k, body, &err);
    free(body);
    if (rc != 0)
        fprintf(stderr, "cutover: journal: %s\n", err.msg);
    return rc;
}
