/* pgdata.c — PostgreSQL for the data engine (pgdata.h): connections,
 * tables, and the canonical text of values computed in the server by
 * session-local SQL functions that mirror canon.c rule for rule. */
#include "pgdata.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envsubst.h"

/* libpq messages end in a newline and may span lines; one line here. */
static void pg_error(struct error *err, const char *what, const char *msg)
{
    char line[400];
    snprintf(line, sizeof line, "%s", msg ? msg : "");
    line[strcspn(line, "\n")] = '\0';
    error_set(err, "%s: %s", what, line);
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

int pgdata_open(const struct rb_system *sys, PGconn **out, struct error *err)
{
    *out = NULL;
    if (!rb_attr_get(sys->attrs, sys->n_attrs, "table")) {
        error_set(err, "system `%s` names no table: add table `NAME`", sys->name);
        return -1;
    }
    char *conn = envsubst(sys->conn, err);
    if (!conn)
        return -1;
    /* a host that does not answer would hold the command for minutes;
     * every side speaks UTF8, so old's characters reach new (and the
     * comparison) as characters whatever each database's encoding (the
     * runbook's own connection string may say otherwise: it comes last) */
    static const char *const keys[] = {"connect_timeout", "keepalives", "keepalives_idle",
                                       "keepalives_interval", "keepalives_count",
                                       "application_name", "client_encoding", "dbname", NULL};
    const char *const values[] = {"5", "1", "5", "2", "3", "cutover-data", "UTF8", conn, NULL};
    PGconn *pg = PQconnectdbParams(keys, values, 1);
    free(conn);
    if (PQstatus(pg) != CONNECTION_OK) {
        char what[160];
        snprintf(what, sizeof what, "system `%s`: cannot connect to PostgreSQL", sys->name);
        pg_error(err, what, PQerrorMessage(pg));
        PQfinish(pg);
        return -1;
    }
    /* core prints nothing: libpq's default would write NOTICEs to stderr */
    PQsetNoticeProcessor(pg, quiet, NULL);
    /* text forms of times depend on these: pinned on every connection,
     * so both sides of a comparison write an instant the same way */
    if (pgdata_exec(pg, sys->name, "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; "
                                   "SET IntervalStyle = 'iso_8601'; SET extra_float_digits = 1",
                    err) != 0) {
        PQfinish(pg);
        return -1;
    }
    *out = pg;
    return 0;
}

int pgdata_exec(PGconn *pg, const char *what, const char *sql, struct error *err)
{
    PGresult *r = PQexec(pg, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        pg_error(err, what, PQerrorMessage(pg));
    PQclear(r);
    return ok ? 0 : -1;
}

PGresult *pgdata_query(PGconn *pg, const char *what, const char *sql, int n,
                       const char *const *params, struct error *err)
{
    PGresult *r = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK)
        return r;
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    /* an upsert given two rows for one key: PostgreSQL's words name the
     * statement, not the cause, which is old's */
    if (state && strcmp(state, "21000") == 0 && strstr(sql, "ON CONFLICT"))
        error_set(err, "%s: old holds more than one row with one key: its key must be unique "
                  "(a primary key, or a unique index on it) for its rows to be copied", what);
    else
        pg_error(err, what, PQerrorMessage(pg));
    PQclear(r);
    return NULL;
}

static int push(char ***v, size_t *n, const char *s)
{
    char **p = realloc(*v, (*n + 1) * sizeof *p);
    if (!p)
        return -1;
    *v = p;
    p[*n] = strdup(s ? s : "");
    return p[(*n)++] ? 0 : -1;
}

int pgdata_table(PGconn *pg, const char *table, struct sqltable *t, struct error *err)
{
    *t = (struct sqltable){strdup("public"), strdup(table), NULL, 0, NULL, 0};
    const char *p[1] = {table};
    char what[200];
    snprintf(what, sizeof what, "table `%s`", table);
    PGresult *r = pgdata_query(pg, what,
        "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 "
        "AND NOT attisdropped ORDER BY attnum", 1, p, err);
    if (!r)
        return -1;
    for (int i = 0; i < PQntuples(r); i++)
        push(&t->cols, &t->n_cols, PQgetvalue(r, i, 0));
    PQclear(r);
    if (t->n_cols == 0) {
        error_set(err, "table `%s` does not exist (or has no columns)", table);
        return -1;
    }
    r = pgdata_query(pg, what,
        "SELECT a.attname FROM pg_index i, unnest(i.indkey) WITH ORDINALITY AS u(att, o), "
        "pg_attribute a WHERE i.indrelid = to_regclass($1) AND i.indisprimary "
        "AND a.attrelid = i.indrelid AND a.attnum = u.att ORDER BY u.o", 1, p, err);
    if (!r)
        return -1;
    for (int i = 0; i < PQntuples(r); i++)
        push(&t->pk, &t->n_pk, PQgetvalue(r, i, 0));
    PQclear(r);
    return 0;
}

int pgdata_same_database(PGconn *a, PGconn *b, int *same, struct error *err)
{
    /* a's backend, seen from b: only a session of the same server sees
     * its pid with the same start time, and datname says the database */
    *same = 0;
    PGresult *r = pgdata_query(a, "old", "SELECT pg_backend_pid()::text, "
                               "backend_start::text, current_database() FROM pg_stat_activity "
                               "WHERE pid = pg_backend_pid()", 0, NULL, err);
    if (!r)
        return -1;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return 0;
    }
    const char *p[3] = {PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2)};
    PGresult *s = pgdata_query(b, "new", "SELECT count(*) FROM pg_stat_activity WHERE pid = "
                               "$1::int AND backend_start::text = $2 AND datname = $3 "
                               "AND current_database() = $3", 3, p, err);
    PQclear(r);
    if (!s)
        return -1;
    *same = PQntuples(s) == 1 && strcmp(PQgetvalue(s, 0, 0), "1") == 0;
    PQclear(s);
    return 0;
}

/* canon.c's rules in SQL, for text as the server writes each value
 * (TimeZone UTC, DateStyle ISO): a plain decimal is a number written
 * without trailing fraction zeros; an ISO timestamp is its instant in
 * microseconds; an object or array of valid JSON is canonical JSON; the
 * rest is text. Each function is created in pg_temp: nothing is left in
 * the user's database. cutover_canon is a single STABLE expression, so
 * the planner inlines it (a call per value would cost more than the
 * scan); JSON is walked in PL/pgSQL, whose plans live for the session. */
static const char canon_sql[] =
    "CREATE OR REPLACE FUNCTION pg_temp.cutover_cj(j jsonb) RETURNS text LANGUAGE plpgsql "
    "IMMUTABLE AS $f$ BEGIN"
    " IF jsonb_typeof(j) = 'object' THEN"
    "  RETURN '{' || coalesce((SELECT string_agg(to_json(k)::text || ':' || " PGDATA_JSON_SCALAR("v")
    ", ',' ORDER BY k COLLATE \"C\") FROM jsonb_each(j) AS e(k, v)), '') || '}';"
    " ELSIF jsonb_typeof(j) = 'array' THEN"
    "  RETURN '[' || coalesce((SELECT string_agg(" PGDATA_JSON_SCALAR("v") ", ',' ORDER BY o)"
    "  FROM jsonb_array_elements(j) WITH ORDINALITY AS a(v, o)), '') || ']';"
    " END IF;"
    " RETURN " PGDATA_JSON_SCALAR("j") "; END $f$;"
    "CREATE OR REPLACE FUNCTION pg_temp.cutover_json(v text) RETURNS text LANGUAGE plpgsql "
    "IMMUTABLE AS $f$ BEGIN RETURN pg_temp.cutover_cj(v::jsonb); "
    "EXCEPTION WHEN others THEN RETURN NULL; END $f$;"
    /* canon_timestamp's checks (a text that looks like a time but is no
     * day, such as 2024-02-30, stays text: casting it would fail the scan) */
    "CREATE OR REPLACE FUNCTION pg_temp.cutover_is_time(v text) RETURNS boolean LANGUAGE sql "
    "IMMUTABLE AS $f$ SELECT CASE WHEN substr(v, 1, 4)::int < 1 OR substr(v, 6, 2)::int "
    "NOT BETWEEN 1 AND 12 OR substr(v, 12, 2)::int > 24 OR substr(v, 15, 2)::int > 59 THEN false"
    " WHEN substr(v, 9, 2)::int NOT BETWEEN 1 AND extract(day FROM make_date(substr(v, 1, 4)::int,"
    " substr(v, 6, 2)::int, 1) + interval '1 month' - interval '1 day')::int THEN false"
    " WHEN substr(v, 12, 2) = '24' THEN v ~ '^.{11}24:00(:00([.,]0+)?)?([Zz]|[+-].*)?$'"
    " WHEN substr(v, 17, 1) = ':' THEN substr(v, 18, 2)::int <= 60 ELSE true END $f$;"
    "CREATE OR REPLACE FUNCTION pg_temp.cutover_canon(v text) RETURNS text LANGUAGE sql "
    "STABLE AS $f$ SELECT CASE"
    " WHEN v IS NULL THEN 'N'"
    " WHEN v ~ '^[+-]?(0|[1-9][0-9]*)(\\.[0-9]+)?$' THEN 'n' || trim_scale(v::numeric)::text"
    " WHEN v ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?"
    "([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?$'"
    "  THEN CASE WHEN pg_temp.cutover_is_time(v) THEN"
    "  'T' || (extract(epoch FROM replace(v, ',', '.')::timestamptz) * 1000000)::bigint::text"
    "  ELSE 's' || v END"
    " WHEN v ~ '^\\s*[\\[{]' THEN coalesce('j' || pg_temp.cutover_json(v), 's' || v)"
    " ELSE 's' || v END $f$;"
    "CREATE OR REPLACE FUNCTION pg_temp.cutover_rowsum(t text) RETURNS bigint LANGUAGE sql "
    "IMMUTABLE AS $f$ SELECT ('x' || left(md5(t), 16))::bit(64)::bigint $f$;";

int pgdata_install_canon(PGconn *pg, struct error *err)
{
    if (pgdata_exec(pg, "canonical text", "BEGIN", err) != 0)
        return -1;
    if (pgdata_exec(pg, "canonical text", canon_sql, err) != 0) {
        pgdata_exec(pg, "canonical text", "ROLLBACK", NULL);
        return -1;
    }
    return pgdata_exec(pg, "canonical text", "COMMIT", err);
}

uint64_t pgdata_rowhash(const char *s, size_t n)
{
    unsigned char md[EVP_MAX_MD_SIZE] = {0};
    unsigned len = 0;
    EVP_Digest(s, n, md, &len, EVP_md5(), NULL);
    uint64_t h = 0;
    for (int i = 0; i < 8; i++)
        h = h << 8 | md[i];
    return h;
}

int pgdata_try_lock(PGconn *pg, const char *what, const char *key, struct error *err)
{
    const char *prm[1] = {key};
    PGresult *r = pgdata_query(pg, what, "SELECT pg_try_advisory_lock(hashtext('cutover ' || $1))",
                               1, prm, err);
    if (!r)
        return -1;
    int got = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    return got;
}
