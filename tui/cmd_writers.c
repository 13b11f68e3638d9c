/* cmd_writers.c — `cutover writers RUNBOOK [--code DIR] [--capture
 * DURATION] [--format json]`: the writer audit. Up to three sources see
 * the writers of the old table — the code (core/codescan.c), the old
 * database's query statistics (core/pgwriters.c) and a live capture
 * (core/pgcapture.c) — and each writer they see is set against the
 * runbook's `## Writers` (core/writers.c): a table, or one JSON object per
 * writer per line then a summary. Exit 3 when a writer is unknown, 0 when
 * none is, 1 on bad input or a capture that could not be removed. */
#include <cjson/cJSON.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "core/codescan.h"
#include "core/envsubst.h"
#include "core/pgcapture.h"
#include "core/pgskipped.h"
#include "core/pgwriters.h"
#include "core/redact.h"
#include "core/runbook.h"
#include "core/stepopts.h"
#include "core/units.h"
#include "core/writers.h"
#include "options.h"
#include "writers_journal.h"

/* The old table, as the runbook's `old` system names it. */
static const char *old_table(const struct runbook *rb)
{
    const struct rb_system *old = runbook_system(rb, "old");
    return old ? rb_attr_get(old->attrs, old->n_attrs, "table") : NULL;
}

/* What the database sources could do, for the notes and the summary. */
struct sources {
    int statements_read;          /* pg_stat_statements was read */
    char statements_note[600];    /* why not, or what it cannot see */
    const struct pgw_stats *stats;
    int capture_run;              /* --capture ran */
    char capture_note[400];
    long long capture_writes;
    int capture_removed;          /* and its triggers are gone */
    struct pgcap_keys keys;       /* the keys the capture saw written */
    struct pgskip_keys key;       /* the mapping's key (n 0: not resolved) */
    char key_note[300];           /* why the rows that skipped new cannot be looked for */
    int skipped_run;              /* rows that skipped new were looked for */
    char skipped_note[400];       /* what was looked at, or why not */
    long long skipped_rows, skipped_candidates;
    char dual_note[400];          /* dual-write in force? what the judge could date */
    int dual_in_force;
    unsigned dated;               /* WSRC_* whose sightings come after `dual-write began` */
    const struct code_scan *scan; /* NULL without --code */
};

static void sites_text(const struct writer_seen *w, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < w->n_sites && n + 1 < len; i++) {
        char at[600];
        writers_site_text(w->sites[i], at, sizeof at);
        n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? " " : "", at);
    }
    if (!w->n_sites)
        snprintf(buf, len, "-");
}

/* Distinct statement texts a writer was seen running. */
static void number(long long v, int known, char *buf, size_t len)
{
    if (known)
        snprintf(buf, len, "%lld", v);
    else
        snprintf(buf, len, "-");
}

/* One line of a statement: whitespace runs made one space, cut at width. */
static void one_line(const char *in, char *out, size_t len, size_t width)
{
    size_t n = 0;
    int space = 0;
    for (const char *p = in; *p && n + 4 < len && n < width; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            space = n > 0;
            continue;
        }
        if (space)
            out[n++] = ' ';
        space = 0;
        out[n++] = *p;
    }
    out[n] = '\0';
    if (n >= width && n + 4 < len)
        strcpy(out + n, "...");
}

static void print_table(const struct writers_audit *a, const struct sources *src,
                        const char *table)
{
    int width = 6;
    for (size_t i = 0; i < a->n; i++)
        if ((int)strlen(a->v[i].name) > width)
            width = (int)strlen(a->v[i].name);
    printf("%-*s  %-18s  %-20s  %5s  %8s  %8s  %-11s  %-8s  %s\n", width, "WRITER", "SEEN", "OPS",
           "STMTS", "CALLS", "ROWS", "DUAL-WRITES", "DECLARED", "CODE SITES");
    for (size_t i = 0; i < a->n; i++) {
        const struct writer_seen *w = &a->v[i];
        char sites[1024], seen[40], ops[80], calls[24], rows[24];
        sites_text(w, sites, sizeof sites);
        writers_seen_text(w->sources, seen, sizeof seen);
        writers_ops_text(w, ops, sizeof ops);
        number(w->calls, w->n_stmts > 0, calls, sizeof calls);
        number(w->rows, w->n_stmts > 0, rows, sizeof rows);
        printf("%-*s  %-18s  %-20s  %5zu  %8s  %8s  %-11s  %-8s  %s\n", width, w->name, seen, ops,
               writers_n_statements(w), calls, rows,
               w->decl ? (w->decl->dual_writes ? "yes" : "no") : "?", w->decl ? "yes" : "NO",
               sites);
    }
    int header = 0;
    for (size_t i = 0; i < a->n; i++) {
        const struct writer_seen *w = &a->v[i];
        if (w->skipped >= 0) {
            if (!header++)
                printf("\nRows that reached old and not new:\n");
            printf("  %s%s%s: %lld rows\n", w->name, w->app[0] ? ", app " : "", w->app, w->skipped);
        }
    }
    header = 0;
    for (size_t i = 0; i < a->n; i++) {
        const struct writer_seen *w = &a->v[i];
        if (writers_is_unknown(w)) {
            if (!header++)
                printf("\nUnknown writers:\n");
            printf("  %s: %s\n", w->name, w->why);
        }
    }
    header = 0;
    for (size_t i = 0; i < a->n; i++) {
        const struct writer_seen *w = &a->v[i];
        for (size_t k = 0; k < w->n_stmts; k++) {
            const struct writer_stmt *st = &w->stmts[k];
            if (!header++)
                printf("\nStatements:\n");
            char text[240], o[80];
            one_line(st->text, text, sizeof text, 160);
            pgw_ops_text(st->ops, o, sizeof o);
            if (st->source == WSRC_CAPTURE)
                printf("  %s [capture] app %s, client %s, role %s: %lld writes, %lld rows, %s: %s\n",
                       w->name, st->app && *st->app ? st->app : "\"\"",
                       st->client ? st->client : "?", st->role, st->calls, st->rows, o, text);
            else
                printf("  %s [stats] role %s: %lld calls, %lld rows, %s%s%s: %s\n", w->name, st->role,
                       st->calls, st->rows, o, st->via ? " via " : "", st->via ? st->via : "",
                       text);
        }
    }
    printf("\nSources:\n");
    if (src->stats) {
        if (src->statements_read)
            printf("  statistics: pg_stat_statements read (%zu entries, track = %s, "
                   "track_utility = %s), %zu write the table\n",
                   src->stats->entries, src->stats->track[0] ? src->stats->track : "?",
                   src->stats->track_utility[0] ? src->stats->track_utility : "?", src->stats->n);
        else
            printf("  statistics: skipped: %s\n", src->statements_note);
        if (src->statements_read && src->statements_note[0])
            printf("  statistics: %s\n", src->statements_note);
        for (size_t i = 0; src->stats->names.n && i < src->stats->names.n; i++)
            if (src->stats->names.v[i].kind != PGW_TABLE)
                printf("  statistics: writes the table through %s\n", src->stats->names.v[i].detail);
        if (src->statements_read)
            for (const char *const *l = pgw_limits(src->stats); *l; l++)
                printf("  limit: %s\n", *l);
    } else {
        printf("  statistics: skipped: %s\n", src->statements_note);
    }
    if (src->capture_run)
        printf("  capture: %s; %lld writes recorded; trigger %s\n", src->capture_note,
               src->capture_writes, src->capture_removed ? "removed (checked)" : "NOT REMOVED");
    else
        printf("  capture: skipped: %s\n", src->capture_note);
    if (src->skipped_run)
        printf("  skipped: %lld of %lld rows %s reached old and not new\n", src->skipped_rows,
               src->skipped_candidates, src->skipped_note);
    else
        printf("  skipped: not looked for: %s\n", src->skipped_note);
    if (!src->scan)
        printf("  code: skipped: no --code DIR\n");
    printf("  dual-write: %s\n", src->dual_note);
    printf("\n%zu writer%s of `%s`, %zu unknown", a->n, a->n == 1 ? "" : "s", table, a->unknown);
    if (src->scan) {
        printf("; %zu files read, %zu skipped (documentation, binaries); names searched:",
               src->scan->files_read, src->scan->files_skipped);
        for (size_t i = 0; i < src->scan->n_names; i++)
            printf(" %s", src->scan->names[i]);
    }
    printf("\n");
}

static void add_str_or_null(cJSON *o, const char *key, const char *v)
{
    if (v && *v)
        cJSON_AddStringToObject(o, key, v);
    else
        cJSON_AddNullToObject(o, key);
}

static void print_json(const struct writers_audit *a, const struct sources *src)
{
    for (size_t i = 0; i < a->n; i++) {
        const struct writer_seen *w = &a->v[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "writer", w->name);
        add_str_or_null(o, "application_name", w->decl && w->decl->app ? w->decl->app : w->app);
        add_str_or_null(o, "role", w->decl && w->decl->role ? w->decl->role : w->role);
        cJSON *sources = cJSON_AddArrayToObject(o, "sources");
        if (w->sources & WSRC_STATEMENTS)
            cJSON_AddItemToArray(sources, cJSON_CreateString("statements"));
        if (w->sources & WSRC_CAPTURE)
            cJSON_AddItemToArray(sources, cJSON_CreateString("capture"));
        if (w->sources & WSRC_SKIPPED)
            cJSON_AddItemToArray(sources, cJSON_CreateString("skipped"));
        if (w->sources & WSRC_CODE)
            cJSON_AddItemToArray(sources, cJSON_CreateString("code"));
        if (w->skipped >= 0)
            cJSON_AddNumberToObject(o, "skipped", (double)w->skipped);
        else
            cJSON_AddNullToObject(o, "skipped");
        add_str_or_null(o, "why", w->why);
        cJSON_AddBoolToObject(o, "declared", w->decl != NULL);
        if (w->decl)
            cJSON_AddBoolToObject(o, "dual_writes", w->decl->dual_writes);
        else
            cJSON_AddNullToObject(o, "dual_writes");
        cJSON *ops = cJSON_AddArrayToObject(o, "ops");
        for (int b = 0; b < PGW_N_OPS; b++)
            if (w->ops & (1u << b))
                cJSON_AddItemToArray(ops, cJSON_CreateString(pgw_op_name(b)));
        if (!w->ops && w->n_sites)
            cJSON_AddItemToArray(ops, cJSON_CreateString(w->possible_only ? "possible" : "write"));
        if (w->n_stmts) {
            cJSON_AddNumberToObject(o, "calls", (double)w->calls);
            cJSON_AddNumberToObject(o, "rows", (double)w->rows);
        } else {
            cJSON_AddNullToObject(o, "calls");
            cJSON_AddNullToObject(o, "rows");
        }
        cJSON *stmts = cJSON_AddArrayToObject(o, "statements");
        for (size_t k = 0; k < w->n_stmts; k++) {
            const struct writer_stmt *st = &w->stmts[k];
            cJSON *s = cJSON_CreateObject();
            cJSON_AddStringToObject(s, "source", st->source == WSRC_CAPTURE ? "capture" : "statements");
            cJSON_AddStringToObject(s, "text", st->text ? st->text : "");
            add_str_or_null(s, "role", st->role);
            if (st->source == WSRC_CAPTURE) {
                cJSON_AddStringToObject(s, "application_name", st->app ? st->app : "");
                add_str_or_null(s, "client", st->client);
            }
            add_str_or_null(s, "via", st->via);
            cJSON *so = cJSON_AddArrayToObject(s, "ops");
            for (int b = 0; b < PGW_N_OPS; b++)
                if (st->ops & (1u << b))
                    cJSON_AddItemToArray(so, cJSON_CreateString(pgw_op_name(b)));
            cJSON_AddNumberToObject(s, "calls", (double)st->calls);
            cJSON_AddNumberToObject(s, "rows", (double)st->rows);
            cJSON_AddItemToArray(stmts, s);
        }
        cJSON *code = cJSON_AddArrayToObject(o, "code");
        cJSON *possible = cJSON_AddArrayToObject(o, "possible_code");
        for (size_t k = 0; k < w->n_sites; k++) {
            char at[600];
            snprintf(at, sizeof at, "%s:%d", w->sites[k]->path, w->sites[k]->line);
            cJSON_AddItemToArray(code, cJSON_CreateString(at));
            if (w->sites[k]->use == CODE_POSSIBLE)   /* a name built from pieces */
                cJSON_AddItemToArray(possible, cJSON_CreateString(at));
        }
        char *text = cJSON_PrintUnformatted(o);
        if (text)
            puts(text);
        free(text);
        cJSON_Delete(o);
    }
    cJSON *top = cJSON_CreateObject();
    cJSON *sum = cJSON_AddObjectToObject(top, "summary");
    cJSON_AddNumberToObject(sum, "writers", (double)a->n);
    cJSON_AddNumberToObject(sum, "unknown", (double)a->unknown);
    cJSON *st = cJSON_AddObjectToObject(sum, "statements");
    cJSON_AddStringToObject(st, "status", src->statements_read ? "read" : "skipped");
    add_str_or_null(st, "note", src->statements_note);
    if (src->stats && src->statements_read) {
        add_str_or_null(st, "track", src->stats->track);
        add_str_or_null(st, "track_utility", src->stats->track_utility);
        cJSON_AddNumberToObject(st, "entries", (double)src->stats->entries);
        cJSON *lim = cJSON_AddArrayToObject(st, "limits");
        for (const char *const *l = pgw_limits(src->stats); *l; l++)
            cJSON_AddItemToArray(lim, cJSON_CreateString(*l));
        cJSON *via = cJSON_AddArrayToObject(st, "through");
        for (size_t i = 0; i < src->stats->names.n; i++)
            if (src->stats->names.v[i].kind != PGW_TABLE)
                cJSON_AddItemToArray(via, cJSON_CreateString(src->stats->names.v[i].detail));
    }
    cJSON *cap = cJSON_AddObjectToObject(sum, "capture");
    cJSON_AddStringToObject(cap, "status", src->capture_run ? "ran" : "skipped");
    add_str_or_null(cap, "note", src->capture_note);
    if (src->capture_run) {
        cJSON_AddNumberToObject(cap, "writes", (double)src->capture_writes);
        cJSON_AddBoolToObject(cap, "removed", src->capture_removed);
    }
    cJSON *sk = cJSON_AddObjectToObject(sum, "skipped");
    cJSON_AddStringToObject(sk, "status", src->skipped_run ? "read" : "skipped");
    add_str_or_null(sk, "note", src->skipped_note);
    if (src->skipped_run) {
        cJSON_AddNumberToObject(sk, "candidates", (double)src->skipped_candidates);
        cJSON_AddNumberToObject(sk, "rows", (double)src->skipped_rows);
    }
    cJSON *dw = cJSON_AddObjectToObject(sum, "dual_write");
    cJSON_AddBoolToObject(dw, "in_force", src->dual_in_force);
    cJSON *dated = cJSON_AddArrayToObject(dw, "dated");
    if (src->dated & WSRC_STATEMENTS)
        cJSON_AddItemToArray(dated, cJSON_CreateString("statements"));
    if (src->dated & WSRC_CAPTURE)
        cJSON_AddItemToArray(dated, cJSON_CreateString("capture"));
    add_str_or_null(dw, "note", src->dual_note);
    cJSON *code = cJSON_AddObjectToObject(sum, "code");
    cJSON_AddStringToObject(code, "status", src->scan ? "read" : "skipped");
    if (src->scan) {
        cJSON_AddNumberToObject(code, "files_read", (double)src->scan->files_read);
        cJSON_AddNumberToObject(code, "files_skipped", (double)src->scan->files_skipped);
    }
    /* the earlier shape's keys, kept for the tools that read them */
    cJSON_AddNumberToObject(sum, "files_read", src->scan ? (double)src->scan->files_read : 0);
    cJSON_AddNumberToObject(sum, "files_skipped", src->scan ? (double)src->scan->files_skipped : 0);
    char *text = cJSON_PrintUnformatted(top);
    if (text)
        puts(text);
    free(text);
    cJSON_Delete(top);
}


/* SIGINT or SIGTERM during a capture's window ends the window early: the
 * capture is still read and removed. */
static volatile sig_atomic_t stop_window;

static void on_stop(int sig)
{
    (void)sig;
    stop_window = 1;
}

static void wait_window(int64_t ms)
{
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t gone = (int64_t)(now.tv_sec - start.tv_sec) * 1000 +
                       (now.tv_nsec - start.tv_nsec) / 1000000;
        if (stop_window || gone >= ms)
            break;
        int64_t left = ms - gone < 100 ? ms - gone : 100;
        struct timespec ts = {0, (long)left * 1000000L};
        nanosleep(&ts, NULL);
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
}

struct request {
    const char *path, *dir, *capture, *journal;
    enum pgcap_level level;
    int json, cleanup;
};

/* The capture's window: install, wait, read into a, remove and check. 0,
 * or -1 with err (the removal's failure too, after reading). */
static int capture(PGconn *pg, const char *table, const struct request *q, int64_t ms,
                   struct writers_audit *a, const struct writers_decls *d, struct sources *src,
                   struct error *err)
{
    if (pgcap_install_keyed(pg, table, (const char *const *)src->key.old_col, src->key.n,
                            q->level, err) != 0)
        return -1;
    src->capture_run = 1;
    char dur[32];
    units_format_duration(ms, dur, sizeof dur);
    snprintf(src->capture_note, sizeof src->capture_note, "%s-level triggers on `%s` for %s",
             q->level == PGCAP_ROW ? "row" : "statement", table, dur);
    fprintf(stderr, "cutover: capturing the writes to `%s` for %s (Ctrl-C ends the window early)\n",
            table, dur);
    wait_window(ms);
    if (stop_window)
        snprintf(src->capture_note + strlen(src->capture_note),
                 sizeof src->capture_note - strlen(src->capture_note), " (ended early)");
    /* a long window may outlive the connection (idle_session_timeout, a
     * restart): the capture is read and removed on a new one then */
    PGresult *alive = PQexec(pg, "SELECT 1");
    if (PQresultStatus(alive) != PGRES_TUPLES_OK)
        PQreset(pg);
    PQclear(alive);
    struct pgcap_result res;
    struct error removal = {{0}};
    int rc = pgcap_collect(pg, &res, err);
    if (rc == 0)
        rc = pgcap_keys(pg, &src->keys, err);
    src->capture_removed = pgcap_remove(pg, &removal) == 0;
    if (rc != 0) {
        if (!src->capture_removed)
            fprintf(stderr, "cutover: %s\n", removal.msg);
        pgcap_result_free(&res);
        return -1;
    }
    for (size_t i = 0; i < res.n && rc == 0; i++) {
        const struct pgcap_row *c = &res.v[i];
        unsigned op = strcmp(c->op, "insert") == 0   ? PGW_INSERT
                      : strcmp(c->op, "update") == 0 ? PGW_UPDATE
                      : strcmp(c->op, "delete") == 0 ? PGW_DELETE
                                                     : PGW_TRUNCATE;
        /* the writer is the session's role; a SECURITY DEFINER function
         * (or SET ROLE) makes the current role another, said beside it */
        char via[300] = "";
        if (strcmp(c->session_role, c->current_role) != 0)
            snprintf(via, sizeof via, "running as %s", c->current_role);
        struct writer_stmt s = {WSRC_CAPTURE, c->app, c->session_role, c->client, c->statement,
                                via[0] ? via : NULL, op, c->writes, c->rows, 0};
        src->capture_writes += c->writes;
        if (writers_observe(a, d, &s) != 0) {
            error_set(err, "out of memory");
            rc = -1;
        }
    }
    pgcap_result_free(&res);
    if (rc == 0 && !src->capture_removed) {
        *err = removal;
        rc = -1;
    }
    return rc;
}

/* The key the rows that skipped new are looked for by: the mapping's,
 * resolved against both tables as backfill resolves it (the capture then
 * records old's side of it). Its absence is said, in src->key_note. */
static void resolve_key(const struct runbook *rb, const struct writers_decls *d,
                        const struct request *q, struct sources *src)
{
    const struct rb_system *nw = runbook_system(rb, "new");
    struct error err = {{0}};
    if (!d->since && !q->capture)
        snprintf(src->key_note, sizeof src->key_note,
                 "no --capture, and no `dual-write began` in ## Writers");
    else if (!nw || !nw->kind || strcmp(nw->kind, "postgres") != 0 ||
             !rb_attr_get(nw->attrs, nw->n_attrs, "table"))
        snprintf(src->key_note, sizeof src->key_note,
                 "needs the `old` and `new` systems on PostgreSQL, each with its table");
    else if (pgskip_keys_resolve(rb, &src->key, &err) != 0)
        snprintf(src->key_note, sizeof src->key_note,
                 "the key cannot be resolved through the mapping: %s (`cutover check` lists "
                 "the mapping's problems)", err.msg);
}

/* Rows that reached old and not new since dual-write began, traced to
 * their writers by the capture's keys (core/pgskipped.h). 0, or -1 with
 * err when the look failed (its absence is said, never taken for none). */
static int look_skipped(const struct runbook *rb, PGconn *pg, const struct writers_decls *d,
                        struct writers_audit *a, struct sources *src, struct error *err)
{
    const struct rb_system *nw = runbook_system(rb, "new");
    if (!src->key.n) {
        snprintf(src->skipped_note, sizeof src->skipped_note, "%s", src->key_note);
        return 0;
    }
    char *conn = envsubst(nw->conn, err);
    if (!conn)
        return -1;
    struct pgskip_request req = {old_table(rb), &src->key, d->since, d->since_column,
                                 src->capture_run ? &src->keys : NULL, conn,
                                 rb_attr_get(nw->attrs, nw->n_attrs, "table")};
    struct pgskip_result res;
    int rc = pgskip_find(pg, &req, &res, err);
    free(conn);
    if (rc != 0)
        return -1;
    src->skipped_run = 1;
    src->skipped_rows = res.skipped;
    src->skipped_candidates = res.candidates;
    char since[200] = "";
    if (d->since)
        snprintf(since, sizeof since, "%swritten since %s (old's `%s`)",
                 src->capture_run ? " or " : "", d->since, d->since_column);
    snprintf(src->skipped_note, sizeof src->skipped_note, "%s%s%s",
             src->capture_run ? "the capture saw written" : "", since,
             res.cut ? " (more candidates than could be looked at: the rest not checked)" : "");
    for (size_t i = 0; i < res.n && rc == 0; i++)
        if (writers_skipped(a, d, res.v[i].app, res.v[i].role, res.v[i].rows,
                            res.v[i].first_key) != 0) {
            error_set(err, "out of memory");
            rc = -1;
        }
    pgskip_result_free(&res);
    return rc;
}

/* Is dual-write in force, and which sources saw writes since it began?
 * Then the judge (core/writers.h): an `old only` writer seen writing old
 * since then is unknown. 0, or -1 with err (a time PostgreSQL cannot read). */
static int judge(PGconn *pg, const struct writers_decls *d, const struct pgw_stats *stats,
                 struct writers_audit *a, struct sources *src, struct error *err)
{
    if (!d->since) {
        snprintf(src->dual_note, sizeof src->dual_note,
                 "not judged: no `dual-write began` in ## Writers");
        return 0;
    }
    int stats_after = 0;
    if (pgw_since(pg, d->since, stats->reset, &src->dual_in_force, &stats_after, err) != 0)
        return -1;
    if (!src->dual_in_force) {
        snprintf(src->dual_note, sizeof src->dual_note, "not yet in force (begins at %s)",
                 d->since);
        return 0;
    }
    src->dated = (src->capture_run ? WSRC_CAPTURE : 0u) |
                 (src->statements_read && stats_after ? WSRC_STATEMENTS : 0u);
    char dated[40];
    writers_seen_text(src->dated, dated, sizeof dated);
    size_t made = writers_judge(a, d, 1, src->dated);
    int n = src->dated
                ? snprintf(src->dual_note, sizeof src->dual_note,
                           "in force since %s: a writer declared old only that %s saw writing "
                           "old is unknown (%zu)", d->since, dated, made)
                : snprintf(src->dual_note, sizeof src->dual_note,
                           "in force since %s, but no source could date what it saw: not judged",
                           d->since);
    if (src->statements_read && !stats_after && n > 0 && (size_t)n < sizeof src->dual_note)
        snprintf(src->dual_note + n, sizeof src->dual_note - (size_t)n,
                 "; the statistics were last reset %s, before it: they cannot say when a "
                 "statement ran (reset them when dual-write begins, or --capture)",
                 stats->reset[0] ? stats->reset : "at a time not known");
    return 0;
}

static int audit(const struct runbook *rb, const struct request *q)
{
    const char *table = old_table(rb);
    const struct rb_system *old = runbook_system(rb, "old");
    if (!table) {
        fprintf(stderr, "cutover: %s names no table for the `old` system: "
                        "write `- old: KIND `CONNECTION` table `NAME``\n", q->path);
        return EXIT_FAILED;
    }
    int is_pg = old->kind && strcmp(old->kind, "postgres") == 0;
    if (!is_pg && (q->capture || q->cleanup)) {
        fprintf(stderr, "cutover: %s: the old system is %s; --capture needs PostgreSQL\n", q->path,
                old->kind ? old->kind : "not said");
        return EXIT_FAILED;
    }
    if (!is_pg && !q->dir) {
        fprintf(stderr, "cutover: %s: the old system is %s: its statistics cannot be read; "
                        "give --code DIR\n", q->path, old->kind ? old->kind : "not said");
        return EXIT_FAILED;
    }
    int64_t window = 0;
    char wants[200];
    if (q->capture && stepopts_capture(q->capture, &window, wants, sizeof wants) != 0) {
        fprintf(stderr, "cutover: --capture %s: expected %s\n", q->capture, wants);
        return EXIT_USAGE;
    }
    char jmsg[600];
    if (q->journal && writers_journal_check(q->journal, rb, jmsg, sizeof jmsg) != 0) {
        fprintf(stderr, "cutover: %s\n", jmsg);
        return EXIT_FAILED;
    }
    struct writers_decls d;
    if (writers_parse(rb, &d) != 0) {
        fprintf(stderr, "cutover: out of memory\n");
        return EXIT_FAILED;
    }
    for (size_t i = 0; i < d.n_problems; i++)
        fprintf(stderr, "%s:%d: %s\n", q->path, d.problems[i].line, d.problems[i].msg);
    if (d.n_problems) {
        writers_decls_free(&d);
        return EXIT_FAILED;
    }
    struct sources src = {0};
    struct code_scan scan = {0};
    struct pgw_stats stats = {0};
    struct writers_audit a = {0};
    struct error err = {{0}};
    PGconn *pg = NULL;
    char *conn = NULL;
    int rc = EXIT_FAILED, capture_failed = 0;

    if (q->dir) {
        const char **models = NULL;
        size_t n_models = 0;
        for (size_t i = 0; i < d.n; i++)
            for (size_t k = 0; k < d.v[i].n_models; k++) {
                const char **v = realloc(models, (n_models + 1) * sizeof *v);
                if (v) {
                    models = v;
                    models[n_models++] = d.v[i].models[k];
                }
            }
        int r = codescan_run(q->dir, table, models, n_models, &scan, &err);
        free(models);
        if (r != 0) {
            fprintf(stderr, "cutover: %s\n", err.msg);
            writers_decls_free(&d);
            return EXIT_FAILED;
        }
        src.scan = &scan;
    }
    if (writers_audit(&d, &scan, &a) != 0)
        goto oom;
    snprintf(src.capture_note, sizeof src.capture_note, "no --capture DURATION");
    if (is_pg) {
        if (!(conn = envsubst(old->conn, &err)) || !(pg = pgw_connect(conn, &err))) {
            fprintf(stderr, "cutover: %s\n", err.msg);
            goto out;
        }
        int running = 0;
        char what[500];
        int found = pgcap_find(pg, &running, what, sizeof what, &err);
        if (found < 0) {
            fprintf(stderr, "cutover: %s\n", err.msg);
            goto out;
        }
        if (q->cleanup) {
            if (!found) {
                printf("no capture installed in the old database: nothing to remove\n");
                rc = EXIT_OK;
            } else if (pgcap_remove(pg, &err) != 0) {
                fprintf(stderr, "cutover: %s\n", err.msg);
            } else {
                printf("removed %s; checked: no capture trigger or schema is left\n", what);
                rc = EXIT_OK;
            }
            goto out;
        }
        if (found) {
            fprintf(stderr, "cutover: warning: %s; `cutover writers %s --capture-cleanup` "
                            "removes it\n", what, q->path);
            if (q->capture) {
                fprintf(stderr, "cutover: a new capture cannot start while one is installed\n");
                goto out;
            }
        }
        resolve_key(rb, &d, q, &src);
        if (q->capture &&
            capture(pg, table, q, window, &a, &d, &src, &err) != 0) {
            fprintf(stderr, "cutover: %s\n", err.msg);
            capture_failed = 1;
            if (!src.capture_run)
                goto out;
        }
        if (pgw_statements(conn, table, &stats, &err) != 0) {
            fprintf(stderr, "cutover: %s\n", err.msg);
            goto out;
        }
        src.stats = &stats;
        src.statements_read = stats.available;
        snprintf(src.statements_note, sizeof src.statements_note, "%s", stats.note);
        for (size_t i = 0; i < stats.n; i++) {
            const struct pgw_stmt *st = &stats.v[i];
            if (st->secdef_nested)
                continue;   /* its callers are seen by their own calls */
            char via[400] = "";
            if (st->via >= 0 && stats.names.v[st->via].kind != PGW_TABLE)
                snprintf(via, sizeof via, "%s", stats.names.v[st->via].detail);
            if (!st->toplevel)
                snprintf(via + strlen(via), sizeof via - strlen(via), "%snested (toplevel = false)",
                         via[0] ? ", " : "");
            struct writer_stmt s = {WSRC_STATEMENTS, NULL, st->role, NULL, st->query,
                                    via[0] ? via : NULL, st->ops, st->calls, st->rows,
                                    !st->toplevel};
            if (writers_observe(&a, &d, &s) != 0)
                goto oom;
        }
        if (look_skipped(rb, pg, &d, &a, &src, &err) != 0) {
            fprintf(stderr, "cutover: rows that skipped new: %s\n", err.msg);
            goto out;
        }
        if (judge(pg, &d, &stats, &a, &src, &err) != 0) {
            fprintf(stderr, "cutover: %s\n", err.msg);
            goto out;
        }
    } else {
        snprintf(src.statements_note, sizeof src.statements_note,
                 "the old system is %s, not PostgreSQL", old->kind ? old->kind : "not said");
        snprintf(src.capture_note, sizeof src.capture_note, "the old system is not PostgreSQL");
        snprintf(src.skipped_note, sizeof src.skipped_note, "the old system is not PostgreSQL");
        snprintf(src.dual_note, sizeof src.dual_note,
                 "not judged: the old system is not PostgreSQL (the code is not dated)");
    }
    if (q->json)
        print_json(&a, &src);
    else
        print_table(&a, &src, table);
    rc = capture_failed ? EXIT_FAILED : a.unknown ? EXIT_ABORTED : EXIT_OK;
    if (q->journal && !capture_failed) {
        char sources[64];
        snprintf(sources, sizeof sources, "%s%s%s%s", src.statements_read ? "statements " : "",
                 src.capture_run ? "capture " : "", src.skipped_run ? "skipped " : "",
                 src.scan ? "code" : "");
        if (writers_journal(q->journal, rb, table, &a, sources,
                            src.skipped_run ? src.skipped_rows : -1,
                            src.statements_read ? pgw_limits(src.stats) : NULL, jmsg,
                            sizeof jmsg) != 0) {
            fprintf(stderr, "cutover: %s\n", jmsg);
            rc = EXIT_FAILED;
        } else {
            fprintf(stderr, "cutover: journaled in %s: %zu writers, %zu unknown\n", q->journal,
                    a.n, a.unknown);
        }
    }
    goto out;
oom:
    fprintf(stderr, "cutover: out of memory\n");
    rc = EXIT_FAILED;
out:
    if (pg)
        PQfinish(pg);
    free(conn);
    pgw_stats_free(&stats);
    pgcap_keys_free(&src.keys);
    pgskip_keys_free(&src.key);
    writers_audit_free(&a);
    codescan_free(&scan);
    writers_decls_free(&d);
    return rc;
}

int cmd_writers(int argc, char **argv)
{
    struct request q = {0};
    q.dir = options_take(&argc, argv, "--code");
    q.capture = options_take(&argc, argv, "--capture");
    const char *format = options_take(&argc, argv, "--format");
    const char *level = options_take(&argc, argv, "--capture-level");
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--capture-cleanup") == 0) {
            q.cleanup = 1;
            memmove(&argv[i], &argv[i + 1], (size_t)(argc - i - 1) * sizeof *argv);
            argc--;
            i--;
        }
    struct options o;
    if (options_parse(argc, argv, &o) != 0 || o.n_positional != 1)
        return usage_of("writers");
    if (format && strcmp(format, "json") != 0 && strcmp(format, "table") != 0) {
        fprintf(stderr, "cutover: --format %s: expected table or json\n", format);
        return EXIT_USAGE;
    }
    if (level && strcmp(level, "row") != 0 && strcmp(level, "statement") != 0) {
        fprintf(stderr, "cutover: --capture-level %s: expected statement or row\n", level);
        return EXIT_USAGE;
    }
    q.level = level && strcmp(level, "row") == 0 ? PGCAP_ROW : PGCAP_STATEMENT;
    q.json = format && strcmp(format, "json") == 0;
    q.path = o.positional[0];
    q.journal = o.journal;
    if (q.journal && q.cleanup) {
        fprintf(stderr, "cutover: --capture-cleanup journals nothing: drop --journal\n");
        return EXIT_USAGE;
    }
    struct rb_problems problems = {0};
    struct runbook *rb = runbook_load(q.path, &problems);
    size_t errors = problems.n_errors;
    rb_problems_free(&problems);
    if (!rb || errors) {
        fprintf(stderr, "cutover: %s has problems; `cutover check %s` lists them\n", q.path, q.path);
        runbook_free(rb);
        return EXIT_FAILED;
    }
    redact_install_runbook(rb);   /* its secrets never reach the output */
    int rc = audit(rb, &q);
    runbook_free(rb);
    return rc;
}
