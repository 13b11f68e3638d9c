/* db.c — PostgreSQL and SQLite for one-number queries and one-parameter
 * statements, each bounded in time: a statement that does not answer in
 * time is abandoned by the client (a stopped PostgreSQL backend cannot
 * honour its own statement_timeout), and db_interrupt lets another thread
 * end a statement at once, so quitting never waits on a worker. Deadlines
 * are kept on the monotonic clock: an I/O timeout, not a decision. */
#include "db.h"

#include <libpq-fe.h>
#include <poll.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "number.h"

/* Time the client grants the server beyond its own statement_timeout
 * before it gives up on the connection. */
#define DB_GRACE_MS 1000

struct db {
    PGconn *pg;
    sqlite3 *lite;
    int broken;              /* PostgreSQL: abandoned mid-statement; reopen */
    atomic_int interrupted;  /* db_interrupt was called */
    int64_t deadline_ms;     /* SQLite: the running statement's, monotonic */
    int timed_out;           /* SQLite: the progress handler ended it */
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void timeout_error(struct error *err, long timeout_ms, const char *why)
{
    error_set(err, "timed out after %.1f s%s", timeout_ms / 1000.0, why);
}

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
    /* keepalives and tcp_user_timeout notice a peer that vanished (a
     * pulled cable, a dead host) on an idle or a busy connection */
    static const char *const keys[] = {"connect_timeout", "keepalives", "keepalives_idle",
                                       "keepalives_interval", "keepalives_count",
                                       "tcp_user_timeout", "dbname", NULL};
    const char *const values[] = {"2", "1", "5", "2", "2", "10000", conn, NULL};
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

/* SQLite calls this every 1000 virtual-machine steps of a statement; a
 * non-zero answer ends it with SQLITE_INTERRUPT. */
static int lite_progress(void *p)
{
    struct db *db = p;
    if (atomic_load(&db->interrupted))
        return 1;
    if (db->deadline_ms && mono_ms() > db->deadline_ms) {
        db->timed_out = 1;
        return 1;
    }
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
    sqlite3_progress_handler(db->lite, 1000, lite_progress, db);
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

/* Sends the statement and waits for its result, at most timeout_ms plus
 * DB_GRACE_MS, or until db_interrupt. A connection given up on is marked
 * broken (the caller reopens it). Returns the result, or NULL with err. */
static PGresult *pg_run(struct db *db, const char *sql, const char *param, long timeout_ms,
                        struct error *err)
{
    int sent = param ? PQsendQueryParams(db->pg, sql, 1, NULL, &param, NULL, NULL, 0)
                     : PQsendQuery(db->pg, sql);
    if (!sent) {
        pg_error(err, "query failed", PQerrorMessage(db->pg));
        db->broken = PQstatus(db->pg) == CONNECTION_BAD;
        return NULL;
    }
    int64_t deadline = mono_ms() + timeout_ms + DB_GRACE_MS;
    while (PQisBusy(db->pg)) {
        if (atomic_load(&db->interrupted)) {
            error_set(err, "interrupted");
            db->broken = 1;
            return NULL;
        }
        int64_t left = deadline - mono_ms();
        if (left <= 0) {
            timeout_error(err, timeout_ms, " (no answer from the server)");
            db->broken = 1;
            return NULL;
        }
        struct pollfd pfd = {.fd = PQsocket(db->pg), .events = POLLIN};
        if (pfd.fd < 0 || poll(&pfd, 1, left < 100 ? (int)left : 100) < 0 ||
            (pfd.revents && !PQconsumeInput(db->pg))) {
            pg_error(err, "query failed", PQerrorMessage(db->pg));
            db->broken = 1;
            return NULL;
        }
    }
    PGresult *last = NULL, *r;
    while ((r = PQgetResult(db->pg)) != NULL) {   /* the last result counts */
        PQclear(last);
        last = r;
    }
    if (PQstatus(db->pg) == CONNECTION_BAD)
        db->broken = 1;
    return last;
}

/* Sets the server's own statement_timeout (bounded like any statement). */
static int pg_set_timeout(struct db *db, long timeout_ms, struct error *err)
{
    char set[64];
    snprintf(set, sizeof set, "SET statement_timeout = %ld", timeout_ms);
    PGresult *r = pg_run(db, set, NULL, timeout_ms, err);
    PQclear(r);
    return r ? 0 : -1;
}

static int pg_number(struct db *db, const char *sql, long timeout_ms, double *value,
                     struct error *err)
{
    if (pg_set_timeout(db, timeout_ms, err) != 0)
        return -1;
    PGresult *r = pg_run(db, sql, NULL, timeout_ms, err);
    if (!r)
        return -1;
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
    return rc;
}

/* The error of a SQLite statement that stopped: its own message, or why
 * the progress handler ended it. */
static void lite_error(struct db *db, const char *what, long timeout_ms, struct error *err)
{
    if (db->timed_out)
        timeout_error(err, timeout_ms, "");
    else if (atomic_load(&db->interrupted))
        error_set(err, "interrupted");
    else
        error_set(err, "%s: %s", what, sqlite3_errmsg(db->lite));
}

static void lite_arm(struct db *db, long timeout_ms)
{
    db->timed_out = 0;
    db->deadline_ms = mono_ms() + timeout_ms;
}

static int lite_number(struct db *db, const char *sql, long timeout_ms, double *value,
                       struct error *err)
{
    sqlite3_stmt *st = NULL;
    lite_arm(db, timeout_ms);
    if (sqlite3_prepare_v2(db->lite, sql, -1, &st, NULL) != SQLITE_OK) {
        lite_error(db, "query failed", timeout_ms, err);
        return -1;
    }
    int rc, step = sqlite3_step(st);
    if (step == SQLITE_DONE || (step == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_NULL)) {
        rc = 0;
    } else if (step != SQLITE_ROW) {
        lite_error(db, "query failed", timeout_ms, err);
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
                  : lite_number(db, sql, timeout_ms, value, err);
}

static long pg_exec(struct db *db, const char *sql, const char *param, long timeout_ms,
                    struct error *err)
{
    if (pg_set_timeout(db, timeout_ms, err) != 0)
        return -1;
    PGresult *r = pg_run(db, sql, param, timeout_ms, err);
    if (!r)
        return -1;
    long rc = -1;
    if (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
        rc = strtol(PQcmdTuples(r), NULL, 10);
    else
        pg_error(err, "statement failed", PQresultErrorMessage(r));
    PQclear(r);
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

static long lite_exec(struct db *db, const char *sql, const char *param, long timeout_ms,
                      struct error *err)
{
    sqlite3_stmt *st = NULL;
    lite_arm(db, timeout_ms);
    if (sqlite3_prepare_v2(db->lite, sql, -1, &st, NULL) != SQLITE_OK) {
        lite_error(db, "statement failed", timeout_ms, err);
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
        lite_error(db, "statement failed", timeout_ms, err);
    sqlite3_finalize(st);
    return rc;
}

long db_exec_param(struct db *db, const char *sql, const char *param, long timeout_ms,
                   struct error *err)
{
    return db->pg ? pg_exec(db, sql, param, timeout_ms, err)
                  : lite_exec(db, sql, param, timeout_ms, err);
}

int db_usable(const struct db *db)
{
    return !db->broken && !atomic_load(&db->interrupted);
}

void db_interrupt(struct db *db)
{
    atomic_store(&db->interrupted, 1);
    if (db->lite)
        sqlite3_interrupt(db->lite);
}
