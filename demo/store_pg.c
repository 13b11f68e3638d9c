/* store_pg.c — the orders table in PostgreSQL through libpq. Each
 * connection carries an application_name naming its writer path, so a
 * writer audit (pg_stat_activity, pg_stat_statements) can tell the orders
 * API from the monthly batch. A lost connection is reset on the next call,
 * and its statements prepared again. */
#include "store_internal.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLUMNS "id, customer_id, total_cents, status, note, created, written_by"

struct pg {
    struct store base;
    PGconn *conn;
    int prepared;
};

/* The one-line reason of a failed result, without libpq's newline. */
static void pg_error(struct pg *p, const PGresult *res, const char *what, struct error *err)
{
    const char *m = res ? PQresultErrorMessage(res) : PQerrorMessage(p->conn);
    char msg[300];
    snprintf(msg, sizeof msg, "%s", m && *m ? m : "unknown error");
    msg[strcspn(msg, "\n")] = '\0';
    error_set(err, "postgres %s on %s: %s", what, p->base.table, msg);
}

static enum store_rc classify(struct pg *p, const PGresult *res)
{
    if (PQstatus(p->conn) != CONNECTION_OK)
        return STORE_CONNECTION;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (!state)
        return STORE_ERROR;
    if (strncmp(state, "23", 2) == 0)
        return STORE_CONSTRAINT;
    /* serialization failure, deadlock, lock not available, query canceled */
    if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03") ||
        !strcmp(state, "57014"))
        return STORE_BUSY;
    if (strncmp(state, "08", 2) == 0)
        return STORE_CONNECTION;
    return STORE_ERROR;
}

static int prepare_one(struct pg *p, const char *name, const char *fmt, int nparams,
                       struct error *err)
{
    char sql[600];
    snprintf(sql, sizeof sql, fmt, p->base.table);
    PGresult *res = PQprepare(p->conn, name, sql, nparams, NULL);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        pg_error(p, res, "prepare", err);
    PQclear(res);
    return ok ? 0 : -1;
}

/* Makes sure the connection is up and the statements exist (after the
 * table does: statements are prepared on first use). */
static int ready(struct pg *p, struct error *err)
{
    if (PQstatus(p->conn) != CONNECTION_OK) {
        PQreset(p->conn);
        p->prepared = 0;
        if (PQstatus(p->conn) != CONNECTION_OK) {
            pg_error(p, NULL, "connection", err);
            return -1;
        }
    }
    if (p->prepared)
        return 0;
    if (prepare_one(p, "ins",
                    "INSERT INTO %s (customer_id, total_cents, status, note, created, written_by) "
                    "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id", 6, err) != 0 ||
        prepare_one(p, "ups",
                    "INSERT INTO %s (" COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7) "
                    "ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, "
                    "total_cents = excluded.total_cents, status = excluded.status, "
                    "note = excluded.note, created = excluded.created, "
                    "written_by = excluded.written_by", 7, err) != 0 ||
        prepare_one(p, "get", "SELECT " COLUMNS " FROM %s WHERE id = $1", 1, err) != 0 ||
        prepare_one(p, "cnt", "SELECT count(*) FROM %s", 0, err) != 0)
        return -1;
    p->prepared = 1;
    return 0;
}

/* Runs a prepared statement; the caller clears the result. */
static PGresult *run(struct pg *p, const char *name, int n, const char *const *values)
{
    return PQexecPrepared(p->conn, name, n, values, NULL, NULL, 0);
}

static int pg_exec(struct store *s, const char *sql, struct error *err)
{
    struct pg *p = (struct pg *)s;
    PGresult *res = PQexec(p->conn, sql);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        pg_error(p, res, sql, err);
    PQclear(res);
    return ok ? 0 : -1;
}

static int pg_create(struct store *s, bool serial, struct error *err)
{
    char sql[600];
    snprintf(sql, sizeof sql,
             "CREATE TABLE IF NOT EXISTS %s (id %s PRIMARY KEY, customer_id BIGINT NOT NULL, "
             "total_cents BIGINT NOT NULL, status TEXT NOT NULL, note TEXT, "
             "created TEXT NOT NULL, written_by TEXT NOT NULL)",
             s->table, serial ? "BIGSERIAL" : "BIGINT");
    return pg_exec(s, sql, err) == 0 ? ready((struct pg *)s, err) : -1;
}

/* The text form of an order's columns after id; buffers from the caller. */
static void order_params(const struct order *o, char cust[24], char total[24],
                         const char *v[6])
{
    snprintf(cust, 24, "%lld", o->customer_id);
    snprintf(total, 24, "%lld", o->total_cents);
    v[0] = cust;
    v[1] = total;
    v[2] = o->status;
    v[3] = o->note_null ? NULL : o->note;
    v[4] = o->created;
    v[5] = o->written_by;
}

static enum store_rc pg_insert(struct store *s, struct order *o, struct error *err)
{
    struct pg *p = (struct pg *)s;
    if (ready(p, err) != 0)
        return STORE_CONNECTION;
    char cust[24], total[24];
    const char *v[6];
    order_params(o, cust, total, v);
    PGresult *res = run(p, "ins", 6, v);
    enum store_rc rc = STORE_OK;
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
        o->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    } else {
        pg_error(p, res, "insert", err);
        rc = classify(p, res);
    }
    PQclear(res);
    return rc;
}

static enum store_rc pg_upsert(struct store *s, const struct order *o, struct error *err)
{
    struct pg *p = (struct pg *)s;
    if (ready(p, err) != 0)
        return STORE_CONNECTION;
    char id[24], cust[24], total[24];
    const char *v[7];
    snprintf(id, sizeof id, "%lld", o->id);
    v[0] = id;
    order_params(o, cust, total, v + 1);
    PGresult *res = run(p, "ups", 7, v);
    enum store_rc rc = STORE_OK;
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        pg_error(p, res, "upsert", err);
        rc = classify(p, res);
    }
    PQclear(res);
    return rc;
}

static void value(const PGresult *res, int col, char *out, size_t len)
{
    snprintf(out, len, "%s", PQgetvalue(res, 0, col));
}

static enum store_rc pg_get(struct store *s, long long id, struct order *out,
                            struct error *err)
{
    struct pg *p = (struct pg *)s;
    if (ready(p, err) != 0)
        return STORE_CONNECTION;
    char key[24];
    snprintf(key, sizeof key, "%lld", id);
    const char *v[1] = {key};
    PGresult *res = run(p, "get", 1, v);
    enum store_rc rc = STORE_NOT_FOUND;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        pg_error(p, res, "read", err);
        rc = classify(p, res);
    } else if (PQntuples(res) == 1) {
        memset(out, 0, sizeof *out);
        out->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        out->customer_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
        out->total_cents = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
        value(res, 3, out->status, sizeof out->status);
        out->note_null = PQgetisnull(res, 0, 4);
        value(res, 4, out->note, sizeof out->note);
        value(res, 5, out->created, sizeof out->created);
        value(res, 6, out->written_by, sizeof out->written_by);
        rc = STORE_OK;
    }
    PQclear(res);
    return rc;
}

static enum store_rc pg_count(struct store *s, long long *n, struct error *err)
{
    struct pg *p = (struct pg *)s;
    if (ready(p, err) != 0)
        return STORE_CONNECTION;
    PGresult *res = run(p, "cnt", 0, NULL);
    enum store_rc rc = STORE_OK;
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
        *n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    } else {
        pg_error(p, res, "count", err);
        rc = classify(p, res);
    }
    PQclear(res);
    return rc;
}

static void pg_close(struct store *s)
{
    struct pg *p = (struct pg *)s;
    PQfinish(p->conn);
    free(p);
}

static const struct store_ops pg_ops = {
    .create = pg_create, .insert = pg_insert, .upsert = pg_upsert, .get = pg_get,
    .count = pg_count, .exec = pg_exec, .close = pg_close,
};

struct store *store_pg_open(const char *conninfo, const char *table, const char *app,
                            struct error *err)
{
    struct pg *p = calloc(1, sizeof *p);
    if (!p) {
        error_set(err, "out of memory");
        return NULL;
    }
    p->base.ops = &pg_ops;
    snprintf(p->base.table, sizeof p->base.table, "%s", table);
    /* expand_dbname: the first value is the whole connection string; the
     * keywords after it win over what it says */
    const char *const keys[] = {"dbname", "application_name", "connect_timeout", NULL};
    const char *const vals[] = {conninfo, app, "5", NULL};
    p->conn = PQconnectdbParams(keys, vals, 1);
    if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
        if (p->conn)
            pg_error(p, NULL, "connection", err);
        else
            error_set(err, "postgres: out of memory");
        PQfinish(p->conn);
        free(p);
        return NULL;
    }
    /* created is text, but pin what ::text would depend on anyway */
    PGresult *res = PQexec(p->conn, "SET TimeZone = 'UTC'");
    PQclear(res);
    return &p->base;
}
