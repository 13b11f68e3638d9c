/* sqlschema.c — table columns and primary keys from PRAGMA table_info,
 * and opening a system's SQLite file for the data engine (sqlschema.h). */
#include "sqlschema.h"

#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "envsubst.h"
#include "mapping.h"
#include "rowhash.h"

static int push(char ***v, size_t *n, const char *s)
{
    char **p = realloc(*v, (*n + 1) * sizeof *p);
    if (!p)
        return -1;
    *v = p;
    p[*n] = strdup(s ? s : "");
    return p[(*n)++] ? 0 : -1;
}

int sqltable_read(sqlite3 *db, const char *schema, const char *table,
                  struct sqltable *t, struct error *err)
{
    *t = (struct sqltable){strdup(schema), strdup(table), NULL, 0, NULL, 0};
    struct cbuf q = {0};
    cbuf_put(&q, "PRAGMA ", 7);
    map_quote(&q, schema);
    cbuf_put(&q, ".table_info(", 12);
    map_quote(&q, table);
    cbuf_put(&q, ")", 1);
    sqlite3_stmt *st = NULL;
    int rc = q.p ? sqlite3_prepare_v2(db, q.p, -1, &st, NULL) : SQLITE_NOMEM;
    cbuf_free(&q);
    if (rc != SQLITE_OK) {
        error_set(err, "table `%s`: %s", table, sqlite3_errmsg(db));
        return -1;
    }
    int pkpos[64] = {0};
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int pk = sqlite3_column_int(st, 5);
        if (push(&t->cols, &t->n_cols, (const char *)sqlite3_column_text(st, 1)) != 0)
            break;
        if (pk > 0 && pk < 64)
            pkpos[pk] = (int)t->n_cols;
    }
    sqlite3_finalize(st);
    if (t->n_cols == 0) {
        error_set(err, "table `%s` does not exist (or has no columns)", table);
        return -1;
    }
    for (int k = 1; k < 64 && pkpos[k]; k++)
        push(&t->pk, &t->n_pk, t->cols[pkpos[k] - 1]);
    return 0;
}

void sqltable_free(struct sqltable *t)
{
    for (size_t i = 0; i < t->n_cols; i++)
        free(t->cols[i]);
    for (size_t i = 0; i < t->n_pk; i++)
        free(t->pk[i]);
    free(t->cols);
    free(t->pk);
    free(t->schema);
    free(t->name);
    *t = (struct sqltable){0};
}

char *sqlschema_path(const struct rb_system *sys, struct error *err)
{
    if (strcmp(sys->kind, "sqlite") != 0) {
        error_set(err, "system `%s` is %s: the data engine copies and compares sqlite and postgres stores only",
                  sys->name, sys->kind);
        return NULL;
    }
    if (!rb_attr_get(sys->attrs, sys->n_attrs, "table")) {
        error_set(err, "system `%s` names no table: add table `NAME`", sys->name);
        return NULL;
    }
    return envsubst(sys->conn, err);
}

static int open_as(const struct rb_system *sys, sqlite3 **db, int flags, struct error *err)
{
    char *path = sqlschema_path(sys, err);
    *db = NULL;
    if (!path)
        return -1;
    int rc = sqlite3_open_v2(path, db, flags, NULL);
    free(path);
    if (rc != SQLITE_OK) {
        error_set(err, "system `%s`: %s", sys->name, *db ? sqlite3_errmsg(*db) : "out of memory");
        sqlite3_close(*db);
        *db = NULL;
        return -1;
    }
    sqlite3_busy_timeout(*db, 10000);
    return 0;
}

int sqlschema_open_readonly(const struct rb_system *sys, sqlite3 **db, struct error *err)
{
    return open_as(sys, db, SQLITE_OPEN_READONLY, err);
}

int sqlschema_open(const struct rb_system *sys, sqlite3 **db, struct error *err)
{
    if (open_as(sys, db, SQLITE_OPEN_READWRITE, err) != 0)
        return -1;
    sqlite3_exec(*db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    if (rowhash_register(*db) != SQLITE_OK) {
        error_set(err, "system `%s`: cannot register cutover_rowhash", sys->name);
        sqlite3_close(*db);
        *db = NULL;
        return -1;
    }
    return 0;
}

int sqlschema_in_place(sqlite3 *db, const char *schema, const char *side, struct error *err)
{
    int moved = 0;
    if (sqlite3_file_control(db, schema, SQLITE_FCNTL_HAS_MOVED, &moved) != SQLITE_OK || !moved)
        return 0;
    const char *path = sqlite3_db_filename(db, schema);
    error_set(err, "%s's file %s was deleted or replaced while the copy ran: rows written now "
              "would go into a file nobody reads; put the file back, or start the copy again "
              "against the file that is there",
              side, path && path[0] ? path : "(unnamed)");
    return -1;
}
