/* db.c — PostgreSQL and SQLite for one-number queries. */
#include "db.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"

struct db {
    PGconn *pg;
    sqlite3 *lite;
};

/* libpq messages end in a newline; the screen wants one line. */
static void pg_error(struct error *err, const char *what, const char *msg)
{
    char line[400];
    snprintf(line, sizeof line, "%s", msg ? msg : "");
    line[strcspn(line, "\n")] = '\0';
    error_set(err, "%s: %s", what, line);
}

static int open_pg(const char *conn, struct db *db, struct error *err)
{
    /* without connect_timeout libpq waits for the kernel (minutes) on a
     * host that does not answer; the connection string may still set its own */
    static const char *const keys[] = {"connect_timeout", "dbname", NULL};
    const char *const values[] = {"2", conn, NULL};
    db->pg = PQconnectdbParams(keys, values, 1);
    if (PQstatus(db->pg) != CONNECTION_OK) {
        pg_error(err, "cannot connect to PostgreSQL", PQerrorMessage(db->pg));
        return -1;
    }
    /* text forms of times depend on these; pin them on every connection */
    PGresult *r = PQexec(db->pg, "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'");
    PQclear(r);
    return 0;
}

static int open_sqlite(const char *path, struct db *db, struct error *err)
{
    int rc = sqlite3_open_v2(path, &db->lite, SQLITE_OPEN_READWRITE, NULL);
    if (rc != SQLITE_OK) {
        error_set(err, "cannot open SQLite database %s: %s", path,
                  db->lite ? sqlite3_errmsg(db->lite) : sqlite3_errstr(rc));
        return -1;
    }
    sqlite3_busy_timeout(db->lite, 2000);
    return 0;
}

int db_open(const char *kind, const char *conn, struct db **out, struct error *err)
{
    struct db *db = calloc(1, sizeof *db);
    *out = NULL;
    if (!db) {
        error_set(err, "out of memory");
        return -1;
    }
    int rc = strcmp(kind, "postgres") == 0 ? open_pg(conn, db, err)
           : strcmp(kind, "sqlite") == 0 ? open_sqlite(conn, db, err)
           : (error_set(err, "unknown database kind %s", kind), -1);
    if (rc != 0) {
        db_close(db);
        return -1;
    }
    *out = db;
    return 0;
}

void db_close(struct db *db)
{
    if (!db)
        return;
    if (db->pg)
        PQfinish(db->pg);
    if (db->lite)
        sqlite3_close(db->lite);
    free(db);
}

static int pg_number(struct db *db, const char *sql, long timeout_ms, double *value,
                     struct error *err)
{
    char set[64];
    snprintf(set, sizeof set, "SET statement_timeout = %ld", timeout_ms);
    PQclear(PQexec(db->pg, set));
    PGresult *r = PQexec(db->pg, sql);
    int rc;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        pg_error(err, "query failed", PQresultErrorMessage(r));
        rc = -1;
    } else if (PQntuples(r) == 0 || PQnfields(r) == 0 || PQgetisnull(r, 0, 0)) {
        rc = 0;
    } else if (number_parse(PQgetvalue(r, 0, 0), value) != 0) {
        error_set(err, "the query's answer \"%.40s\" is not a number", PQgetvalue(r, 0, 0));
        rc = -1;
    } else {
        rc = 1;
    }
    PQclear(r);
    if (PQstatus(db->pg) == CONNECTION_BAD)
        PQreset(db->pg);
    return rc;
}

static int lite_number(struct db *db, const char *sql, double *value, struct error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->lite, sql, -1, &st, NULL) != SQLITE_OK) {
        error_set(err, "query failed: %s", sqlite3_errmsg(db->lite));
        return -1;
    }
    int rc, step = sqlite3_step(st);
    if (step == SQLITE_DONE || (step == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_NULL)) {
        rc = 0;
    } else if (step != SQLITE_ROW) {
        error_set(err, "query failed: %s", sqlite3_errmsg(db->lite));
        rc = -1;
    } else if (sqlite3_column_type(st, 0) == SQLITE_TEXT &&
               number_parse((const char *)sqlite3_column_text(st, 0), value) != 0) {
        error_set(err, "the query's answer \"%.40s\" is not a number",
                  (const char *)sqlite3_column_text(st, 0));
        rc = -1;
    } else {
        if (sqlite3_column_type(st, 0) != SQLITE_TEXT)
            *value = sqlite3_column_double(st, 0);
        rc = 1;
    }
    sqlite3_finalize(st);
    return rc;
}

int db_query_number(struct db *db, const char *sql, long timeout_ms, double *value,
                    struct error *err)
{
    return db->pg ? pg_number(db, sql, timeout_ms, value, err)
                  : lite_number(db, sql, value, err);
}

static long pg_exec(struct db *db, const char *sql, const char *param, long timeout_ms,
                    struct error *err)
{
    char set[64];
    snprintf(set, sizeof set, "SET statement_timeout = %ld", timeout_ms);
    PQclear(PQexec(db->pg, set));
    PGresult *r = PQexecParams(db->pg, sql, 1, NULL, &param, NULL, NULL, 0);
    long rc = -1;
    if (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
        rc = strtol(PQcmdTuples(r), NULL, 10);
    else
        pg_error(err, "statement failed", PQresultErrorMessage(r));
    PQclear(r);
    if (PQstatus(db->pg) == CONNECTION_BAD)
        PQreset(db->pg);
    return rc;
}

/* Binds a number as a number, so that a column without a type still
 * compares as one. */
static int lite_bind(sqlite3_stmt *st, const char *param)
{
    double v;
    if (number_parse(param, &v) != 0)
        return sqlite3_bind_text(st, 1, param, -1, SQLITE_TRANSIENT);
    if (v == (double)(sqlite3_int64)v)
        return sqlite3_bind_int64(st, 1, (sqlite3_int64)v);
    return sqlite3_bind_double(st, 1, v);
}

static long lite_exec(struct db *db, const char *sql, const char *param, struct error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->lite, sql, -1, &st, NULL) != SQLITE_OK) {
        error_set(err, "statement failed: %s", sqlite3_errmsg(db->lite));
        return -1;
    }
    long rc = -1;
    int step = SQLITE_ERROR;
    if (sqlite3_bind_parameter_count(st) != 1)
        error_set(err, "the statement must have exactly one parameter ($1)");
    else if (lite_bind(st, param) != SQLITE_OK)
        error_set(err, "cannot bind $1: %s", sqlite3_errmsg(db->lite));
    else if ((step = sqlite3_step(st)) == SQLITE_DONE || step == SQLITE_ROW)
        rc = sqlite3_changes(db->lite);
    else
        error_set(err, "statement failed: %s", sqlite3_errmsg(db->lite));
    sqlite3_finalize(st);
    return rc;
}

long db_exec_param(struct db *db, const char *sql, const char *param, long timeout_ms,
                   struct error *err)
{
    return db->pg ? pg_exec(db, sql, param, timeout_ms, err) : lite_exec(db, sql, param, err);
}
