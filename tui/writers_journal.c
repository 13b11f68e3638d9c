/* writers_journal.c — the writer audit's verdict, journaled
 * (writers_journal.h). Statement texts stay out of the journal: they may
 * hold values; the table has names, counts (statements too) and code
 * sites, and the statistics' limits as sentences of our own. */
#include "writers_journal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "core/events.h"
#include "core/journal.h"
#include "journal_path.h"

int writers_journal_check(const char *path, const struct runbook *rb, char *msg, size_t len)
{
    if (journal_path_writable(path, msg, len) != 0)
        return -1;
    struct journal *j = NULL;
    struct error err = {{0}};
    if (journal_open(path, JOURNAL_CREATE, &j, &err) != 0) {
        snprintf(msg, len, "%s", err.msg);
        return -1;
    }
    char *body = NULL;
    int rc = journal_last_of_kind(j, EV_RUNBOOK, &body, &err);
    journal_close(j);
    if (rc != 0) {
        snprintf(msg, len, "%s", err.msg);
        return -1;
    }
    if (!body)
        return 0;
    struct event_body b;
    rc = 0;
    if (events_decode(EV_RUNBOOK, body, &b, &err) == 0) {
        const char *sha = event_str(&b, "sha256");
        if (sha && strcmp(sha, rb->sha256) != 0) {
            snprintf(msg, len, "%s is not the runbook in force in %s (sha256 %.12s, the "
                     "journal's %.12s): audit with the runbook the ceremony runs, or replace "
                     "it first (`cutover run RUNBOOK --journal J --force`)", rb->name, path,
                     rb->sha256, sha);
            rc = -1;
        }
    }
    events_body_free(&b);
    free(body);
    return rc;
}

static void add_sites(cJSON *o, const struct writer_seen *w)
{
    cJSON *code = cJSON_AddArrayToObject(o, "code");
    for (size_t k = 0; k < w->n_sites && k < 8; k++) {   /* the panel shows a few */
        char at[600];
        writers_site_text(w->sites[k], at, sizeof at);
        cJSON_AddItemToArray(code, cJSON_CreateString(at));
    }
}

static const char *app_of(const struct writer_seen *w)
{
    return w->decl && w->decl->app ? w->decl->app : w->app;
}

static const char *role_of(const struct writer_seen *w)
{
    return w->decl && w->decl->role ? w->decl->role : w->role;
}

static cJSON *row(const struct writer_seen *w)
{
    char seen[64], ops[80];
    writers_seen_text(w->sources, seen, sizeof seen);
    writers_ops_text(w, ops, sizeof ops);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "writer", w->name);
    cJSON_AddStringToObject(o, "seen", seen);
    cJSON_AddStringToObject(o, "ops", ops);
    cJSON_AddNumberToObject(o, "statements", (double)writers_n_statements(w));
    if (w->n_stmts) {
        cJSON_AddNumberToObject(o, "calls", (double)w->calls);
        cJSON_AddNumberToObject(o, "rows", (double)w->rows);
    }
    if (w->skipped >= 0)
        cJSON_AddNumberToObject(o, "skipped", (double)w->skipped);
    cJSON_AddBoolToObject(o, "declared", w->decl != NULL);
    cJSON_AddBoolToObject(o, "unknown", writers_is_unknown(w));
    if (w->decl)
        cJSON_AddBoolToObject(o, "dual_writes", w->decl->dual_writes);
    cJSON_AddStringToObject(o, "app", app_of(w));
    cJSON_AddStringToObject(o, "role", role_of(w));
    add_sites(o, w);
    return o;
}

static char *unknown_body(const struct writer_seen *w, struct error *err)
{
    char seen[64], ops[80];
    writers_seen_text(w->sources, seen, sizeof seen);
    writers_ops_text(w, ops, sizeof ops);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "writer", w->name);
    cJSON_AddStringToObject(o, "seen", seen);
    if (app_of(w)[0])
        cJSON_AddStringToObject(o, "app", app_of(w));
    if (role_of(w)[0])
        cJSON_AddStringToObject(o, "role", role_of(w));
    cJSON_AddStringToObject(o, "ops", ops);
    add_sites(o, w);
    cJSON_AddStringToObject(o, "why", w->why[0] ? w->why : "not declared in ## Writers");
    return events_encode(EVK_UNKNOWN_WRITER, o, err);
}

int writers_journal(const char *path, const struct runbook *rb, const char *table,
                    const struct writers_audit *a, const char *sources, long long skipped_rows,
                    const char *const *limits, char *msg, size_t len)
{
    struct error err = {{0}};
    size_t n = 0;
    struct journal_event *evs = calloc(a->n + 1, sizeof *evs);
    int rc = -1;
    int64_t now = clock_now_ms();
    if (!evs) {
        snprintf(msg, len, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < a->n; i++) {
        if (!writers_is_unknown(&a->v[i]))
            continue;
        char *body = unknown_body(&a->v[i], &err);
        if (!body)
            goto out;
        evs[n++] = (struct journal_event){.ts_ms = now, .actor = "engine",
                                          .kind = EV_UNKNOWN_WRITER, .body = body};
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "table", table);
    cJSON_AddNumberToObject(o, "writers", (double)a->n);
    cJSON_AddNumberToObject(o, "unknown", (double)a->unknown);
    cJSON_AddBoolToObject(o, "clean", a->unknown == 0);
    cJSON_AddStringToObject(o, "runbook_sha256", rb->sha256);
    cJSON_AddStringToObject(o, "sources", sources);
    if (skipped_rows >= 0)
        cJSON_AddNumberToObject(o, "skipped_rows", (double)skipped_rows);
    if (limits) {   /* what the statistics cannot see: our sentences, no statement */
        cJSON *lim = cJSON_AddArrayToObject(o, "limits");
        for (const char *const *l = limits; *l; l++)
            cJSON_AddItemToArray(lim, cJSON_CreateString(*l));
    }
    cJSON *list = cJSON_AddArrayToObject(o, "list");
    for (size_t i = 0; i < a->n; i++)
        cJSON_AddItemToArray(list, row(&a->v[i]));
    char *body = events_encode(EVK_WRITERS, o, &err);
    if (!body)
        goto out;
    evs[n++] = (struct journal_event){.ts_ms = now, .actor = "engine", .kind = EV_WRITERS,
                                      .body = body};
    struct journal *j = NULL;
    if (journal_open(path, JOURNAL_CREATE, &j, &err) == 0) {
        rc = journal_append_many(j, evs, n, &err);
        journal_close(j);
    }
out:
    if (rc != 0)
        snprintf(msg, len, "journal: %s", err.msg);
    for (size_t i = 0; i < n; i++)
        free((char *)evs[i].body);
    free(evs);
    return rc;
}
