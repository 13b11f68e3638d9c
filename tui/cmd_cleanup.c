/* cmd_cleanup.c — `cutover cleanup RUNBOOK --journal F [--code DIR]`: the
 * cleanup list of phase 5, each item verified where the cockpit can see
 * it (core/cleanup.c), under the deadline the journal dates
 * (core/cleanupdue.c). Every run is journaled as a `cleanup_check` event,
 * whose write count the next run compares with. Exit 0 when every item is
 * OK, 3 when one is NOT YET or UNVERIFIED (and the deadline's state is
 * said), 1 on bad input, 2 on usage. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "commands.h"
#include "core/cleanup.h"
#include "core/cleanupjournal.h"
#include "core/events.h"
#include "core/journal.h"
#include "core/redact.h"
#include "core/runbook.h"
#include "journal_path.h"
#include "options.h"

static int journal_check(const char *path, const struct runbook *rb,
                         const struct cleanup_result *r, int done, const char *summary,
                         int64_t now, struct error *err)
{
    struct journal *j = NULL;
    if (journal_open(path, 0, &j, err) != 0)
        return -1;
    cJSON *o = cJSON_CreateObject();
    cJSON *items = cJSON_AddArrayToObject(o, "items");
    for (size_t i = 0; i < CLEANUP_N_ITEMS; i++) {
        cJSON *it = cJSON_CreateObject();
        cJSON_AddStringToObject(it, "item", r->items[i].name);
        cJSON_AddStringToObject(it, "state", cleanup_state_id(r->items[i].state));
        cJSON_AddStringToObject(it, "why", r->items[i].why);
        cJSON_AddItemToArray(items, it);
    }
    cJSON_AddBoolToObject(o, "done", done);
    cJSON_AddStringToObject(o, "summary", summary);
    if (r->write_calls >= 0) {
        cJSON_AddNumberToObject(o, "write_calls", (double)r->write_calls);
        cJSON_AddStringToObject(o, "write_roles", r->write_roles);
    }
    if (r->stats_reset_ms)
        cJSON_AddNumberToObject(o, "stats_reset_ms", (double)r->stats_reset_ms);
    char *body = events_encode(EVK_CLEANUP_CHECK, o, err);
    /* the reasons quote what the stores said: the runbook's secrets never reach the journal */
    struct redactor *red = redactor_new();
    int oom = !red || redactor_add_runbook(red, rb) != 0;
    char *safe = body && !oom ? redact_json(red, body, &oom) : NULL;
    redactor_free(red);
    if (safe) {   /* NULL: nothing needed masking */
        free(body);
        body = safe;
    }
    if (oom) {
        free(body);
        body = NULL;
        error_set(err, "out of memory");
    }
    int rc = -1;
    if (body) {
        struct journal_event ev = {.ts_ms = now, .actor = "engine", .kind = EV_CLEANUP_CHECK,
                                   .body = body};
        rc = journal_append(j, &ev, NULL, err);
    }
    free(body);
    journal_close(j);
    return rc;
}

/* "3 of 5 items OK; not yet: table, code; unverified: writers" */
static void summarize(const struct cleanup_result *r, char *buf, size_t len)
{
    size_t ok = 0;
    for (size_t i = 0; i < CLEANUP_N_ITEMS; i++)
        ok += r->items[i].state == CLEANUP_OK;
    size_t n = (size_t)snprintf(buf, len, "%zu of %d items OK", ok, CLEANUP_N_ITEMS);
    const enum cleanup_state open[] = {CLEANUP_NOT_YET, CLEANUP_UNVERIFIED};
    for (size_t k = 0; k < 2; k++) {
        const char *sep = "; ";
        for (size_t i = 0; i < CLEANUP_N_ITEMS && n < len; i++) {
            if (r->items[i].state != open[k])
                continue;
            n += (size_t)snprintf(buf + n, len - n, "%s%s%s%s", sep, sep[0] == ';' ? cleanup_state_id(open[k]) : "",
                                  sep[0] == ';' ? ": " : "", r->items[i].name);
            sep = ", ";
        }
    }
}

static int cleanup(const char *rb_path, const struct runbook *rb, const char *jpath,
                   const char *code)
{
    struct cleanup_view v;
    struct runbook *in_force = NULL;
    struct error err = {{0}};
    char why[400];
    if (journal_path_existing(jpath, why, sizeof why) != 0) {
        fprintf(stderr, "cutover: %s\n", why);
        return EXIT_FAILED;
    }
    if (cleanup_read_journal(jpath, &v, &in_force, &err) != 0) {
        fprintf(stderr, "cutover: %s\n", err.msg);
        return EXIT_FAILED;
    }
    if (strcmp(in_force->sha256, rb->sha256) != 0)
        fprintf(stderr, "cutover: warning: %s is not the runbook in force in %s; its deadline "
                        "is the journal's, its systems are %s's\n", rb_path, jpath, rb_path);
    struct cleanup_request q = {rb, code, v.anchor_ms, &v};
    struct cleanup_result r;
    if (cleanup_run(&q, &r, &err) != 0) {
        fprintf(stderr, "cutover: %s\n", err.msg);
        runbook_free(in_force);
        return EXIT_FAILED;
    }
    int64_t now = clock_now_ms();
    int done = cleanup_all_ok(&r);
    char deadline[300];
    struct cleanup_view as_now = v;   /* this run's verdict counts for the deadline */
    as_now.checked_ms = now;
    as_now.check_done = done;
    int overdue = cleanup_deadline_line(in_force, &as_now, now, deadline, sizeof deadline);
    runbook_free(in_force);

    printf("cleanup of %s (journal %s)\n", rb->title ? rb->title : rb_path, jpath);
    printf("  %s\n\n", deadline[0] ? deadline : "no cleanup deadline in the runbook");
    for (size_t i = 0; i < CLEANUP_N_ITEMS; i++)
        printf("%-10s  %s\n            %s\n", cleanup_state_name(r.items[i].state),
               r.items[i].title, r.items[i].why);
    char summary[400];
    summarize(&r, summary, sizeof summary);
    if (overdue)
        snprintf(summary + strlen(summary), sizeof summary - strlen(summary), "; %s",
                 strstr(deadline, "overdue") ? strstr(deadline, "overdue") : "overdue");
    printf("\n%s: %s\n", done ? "done" : "NOT DONE", summary);
    if (journal_check(jpath, rb, &r, done, summary, now, &err) != 0) {
        fprintf(stderr, "cutover: the check was not journaled: %s\n", err.msg);
        return EXIT_FAILED;
    }
    return done ? EXIT_OK : EXIT_ABORTED;
}

int cmd_cleanup(int argc, char **argv)
{
    const char *code = options_take(&argc, argv, "--code");
    struct options o;
    if (options_parse(argc, argv, &o) != 0 || o.n_positional != 1 || !o.journal)
        return usage_of("cleanup");
    const char *path = o.positional[0];
    struct rb_problems problems = {0};
    struct runbook *rb = runbook_load(path, &problems);
    size_t errors = problems.n_errors;
    rb_problems_free(&problems);
    if (!rb || errors) {
        fprintf(stderr, "cutover: %s has problems; `cutover check %s` lists them\n", path, path);
        runbook_free(rb);
        return EXIT_FAILED;
    }
    redact_install_runbook(rb);   /* its secrets never reach the output nor the journal */
    int rc = cleanup(path, rb, o.journal, code);
    runbook_free(rb);
    return rc;
}
