/* cleanup.c — the cleanup list (cleanup.h): the items every store
 * shares (the code, the flag) and an old SQLite store's; PostgreSQL's
 * are in cleanup_pg.c. */
#include "cleanup_internal.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "codescan.h"
#include "envsubst.h"
#include "flags.h"
#include "writers.h"

static const char *const titles[CLEANUP_N_ITEMS][2] = {
    {"table", "the old table no longer writable by the application, then gone"},
    {"code", "the old names absent from the code"},
    {"flag", "the flag archived or fixed at 100 %"},
    {"capture", "no capture trigger left"},
    {"writers", "no writer of the old table seen since the cutover"},
};

const char *cleanup_state_name(enum cleanup_state s)
{
    return s == CLEANUP_OK ? "OK" : s == CLEANUP_NOT_YET ? "NOT YET" : "UNVERIFIED";
}

const char *cleanup_state_id(enum cleanup_state s)
{
    return s == CLEANUP_OK ? "ok" : s == CLEANUP_NOT_YET ? "not yet" : "unverified";
}

int cleanup_all_ok(const struct cleanup_result *r)
{
    for (size_t i = 0; i < CLEANUP_N_ITEMS; i++)
        if (r->items[i].state != CLEANUP_OK)
            return 0;
    return 1;
}

static void say(struct cleanup_item *it, enum cleanup_state s, const char *why)
{
    it->state = s;
    snprintf(it->why, sizeof it->why, "%s", why);
}

/* ---- the code ------------------------------------------------------------ */

static void code_item(const struct cleanup_request *q, const char *table, struct cleanup_item *it)
{
    if (!q->code_dir) {
        say(it, CLEANUP_UNVERIFIED, "no --code DIR: the code was not searched");
        return;
    }
    struct writers_decls d;
    const char *models[64];
    size_t n_models = 0;
    int parsed = writers_parse(q->rb, &d) == 0;
    for (size_t i = 0; parsed && i < d.n; i++)
        for (size_t k = 0; k < d.v[i].n_models && n_models < 64; k++)
            models[n_models++] = d.v[i].models[k];
    struct code_scan scan = {0};
    struct error err = {{0}};
    if (codescan_run(q->code_dir, table, models, n_models, &scan, &err) != 0) {
        say(it, CLEANUP_UNVERIFIED, err.msg);
    } else if (!scan.n_sites) {
        snprintf(it->why, sizeof it->why,
                 "no line of %s names `%s`%s (%zu file%s read; comments do not count)",
                 q->code_dir, table, n_models ? " nor its models" : "", scan.files_read,
                 scan.files_read == 1 ? "" : "s");
        it->state = CLEANUP_OK;
    } else {
        it->state = CLEANUP_NOT_YET;
        size_t n = (size_t)snprintf(it->why, sizeof it->why, "%zu place%s in %s still name it:",
                                    scan.n_sites, scan.n_sites == 1 ? "" : "s", q->code_dir);
        for (size_t i = 0; i < scan.n_sites && i < 5 && n < sizeof it->why; i++)
            n += (size_t)snprintf(it->why + n, sizeof it->why - n, " %s:%d (%s `%s`)%s",
                                  scan.sites[i].path, scan.sites[i].line,
                                  codescan_use_name(scan.sites[i].use), scan.sites[i].name,
                                  i + 1 < scan.n_sites && i < 4 ? "," : "");
        if (scan.n_sites > 5 && n < sizeof it->why)
            snprintf(it->why + n, sizeof it->why - n, " and %zu more", scan.n_sites - 5);
    }
    codescan_free(&scan);
    if (parsed)
        writers_decls_free(&d);
}

/* ---- the flag ------------------------------------------------------------ */

static void flag_item(const struct runbook *rb, struct cleanup_item *it)
{
    const struct rb_system *sys = runbook_system(rb, "flag");
    if (!sys) {
        say(it, CLEANUP_UNVERIFIED, "the runbook names no `flag` system");
        return;
    }
    struct error err = {{0}};
    struct flag_driver *d = flags_open(sys, &err);
    if (!d) {
        say(it, CLEANUP_UNVERIFIED, err.msg);
        return;
    }
    double pct = 0;
    if (flags_read(d, &pct, &err) == 0) {
        it->state = pct >= 100 ? CLEANUP_OK : CLEANUP_NOT_YET;
        snprintf(it->why, sizeof it->why, pct >= 100 ? "%s reads %g %%: fixed at 100 %%"
                                                     : "%s reads %g %%, not 100 %%",
                 flags_describe(d), pct);
    } else if (sys->kind && strcmp(sys->kind, "flagd") == 0 && strstr(err.msg, " is not in ")) {
        /* flagd's read says "flag F is not in FILE" when the flag was taken
         * out of the file: archived (any other failure proves nothing) */
        it->state = CLEANUP_OK;
        snprintf(it->why, sizeof it->why, "archived: %s", err.msg);
    } else {
        it->state = CLEANUP_UNVERIFIED;
        snprintf(it->why, sizeof it->why, "the flag could not be read: %s", err.msg);
    }
    flags_close(d);
}

/* ---- an old SQLite store --------------------------------------------------- */

static void sqlite_items(const char *path, const char *table, struct cleanup_result *res)
{
    struct cleanup_item *t = &res->items[CLEANUP_TABLE], *w = &res->items[CLEANUP_WRITERS];
    say(&res->items[CLEANUP_CAPTURE], CLEANUP_OK,
        "the old store is SQLite: a capture exists for PostgreSQL only, nothing to remove");
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT) {
            res->table_gone = 1;
            snprintf(t->why, sizeof t->why, "the file %s is gone", path);
            say(w, CLEANUP_OK, "the old file is gone: nothing can write it");
            t->state = CLEANUP_OK;
        } else {
            t->state = w->state = CLEANUP_UNVERIFIED;
            snprintf(t->why, sizeof t->why, "cannot look at %s: %s", path, strerror(errno));
            snprintf(w->why, sizeof w->why, "%s", t->why);
        }
        return;
    }
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    sqlite3_stmt *q = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE type IN "
                                    "('table', 'view') AND name = ?1", -1, &q, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
    int exists = -1;
    if (rc == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        exists = sqlite3_column_int(q, 0) > 0;
    if (exists < 0) {
        t->state = w->state = CLEANUP_UNVERIFIED;
        snprintf(t->why, sizeof t->why, "cannot read %s: %s", path,
                 db ? sqlite3_errmsg(db) : "out of memory");
        snprintf(w->why, sizeof w->why, "%s", t->why);
    } else if (!exists) {
        res->table_gone = 1;
        t->state = w->state = CLEANUP_OK;
        snprintf(t->why, sizeof t->why, "%s is gone from %s", table, path);
        snprintf(w->why, sizeof w->why, "%s is gone: nothing can write it", table);
    } else {
        unsigned mode = (unsigned)st.st_mode & 07777;
        t->state = CLEANUP_NOT_YET;
        if (mode & 0222)
            snprintf(t->why, sizeof t->why,
                     "%s is writable (mode %04o): make it read-only (chmod a-w), then drop %s",
                     path, mode, table);
        else
            snprintf(t->why, sizeof t->why,
                     "%s is read-only (mode %04o), but %s is still there: drop it (or the file)",
                     path, mode, table);
        say(w, CLEANUP_UNVERIFIED,
            "SQLite keeps no record of who writes: the file's mode and the code are what "
            "can be seen");
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
}

int cleanup_run(const struct cleanup_request *q, struct cleanup_result *out, struct error *err)
{
    memset(out, 0, sizeof *out);
    out->write_calls = -1;
    for (size_t i = 0; i < CLEANUP_N_ITEMS; i++) {
        out->items[i].name = titles[i][0];
        out->items[i].title = titles[i][1];
        out->items[i].state = CLEANUP_UNVERIFIED;
    }
    const struct rb_system *old = runbook_system(q->rb, "old");
    const char *table = old ? rb_attr_get(old->attrs, old->n_attrs, "table") : NULL;
    if (!table) {
        error_set(err, "%s names no table for the `old` system: write "
                       "`- old: KIND `CONNECTION` table `NAME``", q->rb->name);
        return -1;
    }
    code_item(q, table, &out->items[CLEANUP_CODE]);
    flag_item(q->rb, &out->items[CLEANUP_FLAG]);
    struct error e = {{0}};
    char *conn = envsubst(old->conn, &e);
    const char *kind = old->kind ? old->kind : "";
    if (!conn) {
        for (size_t i = 0; i < CLEANUP_N_ITEMS; i++)
            if (i != CLEANUP_CODE && i != CLEANUP_FLAG)
                say(&out->items[i], CLEANUP_UNVERIFIED, e.msg);
    } else if (strcmp(kind, "postgres") == 0) {
        cleanup_postgres(q, conn, table, out);
    } else if (strcmp(kind, "sqlite") == 0) {
        sqlite_items(conn, table, out);
    } else {
        char why[200];
        snprintf(why, sizeof why, "the old store is `%s`: cutover can look into PostgreSQL "
                                  "and SQLite only", kind);
        for (size_t i = 0; i < CLEANUP_N_ITEMS; i++)
            if (i != CLEANUP_CODE && i != CLEANUP_FLAG)
                say(&out->items[i], CLEANUP_UNVERIFIED, why);
    }
    free(conn);
    return 0;
}
