/* pgcapture.c — the capture triggers: installed in one transaction, read
 * grouped, removed and checked. The trigger function runs as the writer
 * (so current_user is the writer's) and hands the row to a SECURITY
 * DEFINER function owned by the installer, so a writer needs no right on
 * the audit table; an error inside is swallowed — a capture never makes a
 * write fail. */
#include "pgcapture.h"

#include <libpq-fe.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgwriters.h"

/* Ends a transaction an error left open (none open: nothing to say). */
static void abort_tx(PGconn *pg)
{
    if (PQtransactionStatus(pg) != PQTRANS_IDLE)
        PQclear(PQexec(pg, "ROLLBACK"));
}

static int exec_ok(PGconn *pg, const char *sql, const char *what, struct error *err)
{
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        return pgw_fail(r, what, err);
    PQclear(r);
    return 0;
}

int pgcap_find(struct pg_conn *pg, int *running, char *what, size_t len, struct error *err)
{
    *running = 0;
    what[0] = '\0';
    PGresult *r = PQexec(pg,
        "SELECT (SELECT count(*) FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
        "        JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = '" PGCAP_SCHEMA "'), "
        "  to_regclass('" PGCAP_SCHEMA ".capture') IS NOT NULL "
        "FROM pg_namespace WHERE nspname = '" PGCAP_SCHEMA "'");
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        return pgw_fail(r, "cannot look for a capture", err);
    if (PQntuples(r) == 0) {
        PQclear(r);
        return 0;
    }
    long triggers = atol(PQgetvalue(r, 0, 0));
    int has_capture = PQgetvalue(r, 0, 1)[0] == 't';
    PQclear(r);
    char since[64] = "?", table[200] = "?";
    if (has_capture) {
        r = PQexec(pg, "SELECT c.tbl::text, to_char(c.started AT TIME ZONE 'UTC', "
                       "'YYYY-MM-DD HH24:MI:SS \"UTC\"'), EXISTS (SELECT 1 FROM pg_stat_activity a "
                       "WHERE a.pid = c.backend AND a.backend_start = c.backend_start) "
                       "FROM " PGCAP_SCHEMA ".capture c LIMIT 1");
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
            snprintf(table, sizeof table, "%s", PQgetvalue(r, 0, 0));
            snprintf(since, sizeof since, "%s", PQgetvalue(r, 0, 1));
            *running = PQgetvalue(r, 0, 2)[0] == 't';
        }
        PQclear(r);
    }
    snprintf(what, len, "schema %s with %ld capture trigger%s on %s, installed %s%s", PGCAP_SCHEMA,
             triggers, triggers == 1 ? "" : "s", table, since,
             *running ? " by a capture still running" : " by a capture that did not finish");
    return 1;
}

/* The text of a row's key from record variable `rec` ("r", "NEW"): a JSON
 * array of its columns' values, `json_build_array((rec."a"), (rec."b"))::text`,
 * so that a composite key splits again at its columns whatever they hold.
 * "NULL::text" when no key is given. -1 when a column cannot be quoted. */
int pgcap_key_expr(struct pg_conn *pg, const char *const *cols, size_t n_cols, const char *rec,
                   char *buf, size_t len)
{
    if (!n_cols) {
        snprintf(buf, len, "NULL::text");   /* typed: array_agg(NULL) has no type */
        return 0;
    }
    size_t n = (size_t)snprintf(buf, len, "json_build_array(");
    for (size_t i = 0; i < n_cols; i++) {
        char *q = PQescapeIdentifier(pg, cols[i], strlen(cols[i]));
        if (!q)
            return -1;
        if (n < len)
            n += (size_t)snprintf(buf + n, len - n, "%s(%s.%s)", i ? ", " : "", rec, q);
        PQfreemem(q);
    }
    if (n < len)
        n += (size_t)snprintf(buf + n, len - n, ")::text");
    return n < len ? 0 : -1;
}

/* note(op, app, client, session role, current role, statement, rows, keys) */
#define NOTE_SIG PGCAP_SCHEMA ".note(text, text, text, text, text, text, bigint, text[])"

/* A trigger function: hands what the session knows of the writer, then
 * ROWS_AND_KEYS (the rows counted, the keys written), to note(). It runs
 * as the writer and swallows its own errors. */
#define CAPTURE_FN(NAME, ROWS_AND_KEYS)                                                      \
    "CREATE FUNCTION " PGCAP_SCHEMA "." NAME "() RETURNS trigger LANGUAGE plpgsql AS $f$"     \
    "BEGIN"                                                                                  \
    "  PERFORM " PGCAP_SCHEMA ".note(lower(TG_OP), current_setting('application_name'),"      \
    "    coalesce(host(inet_client_addr()), 'local'), session_user::text, current_user::text," \
    "    left(current_query(), 4000), " ROWS_AND_KEYS ");"                                     \
    "  RETURN NULL;"                                                                         \
    "EXCEPTION WHEN OTHERS THEN RETURN NULL;"                                                \
    "END $f$;"

/* The triggers of each level: statement-level ones read the rows from a
 * transition table; a row-level one fires per row; TRUNCATE has no rows. */
#define PGCAP_ANY_LEVEL (-1)
struct capture_trigger {
    int level;   /* enum pgcap_level, or PGCAP_ANY_LEVEL */
    const char *name, *event, *each, *function;
};
static const struct capture_trigger capture_triggers[] = {
    {PGCAP_STATEMENT, "cutover_audit_insert", "INSERT",
     "REFERENCING NEW TABLE AS cutover_rows FOR EACH STATEMENT", "seen_statement()"},
    {PGCAP_STATEMENT, "cutover_audit_update", "UPDATE",
     "REFERENCING NEW TABLE AS cutover_rows FOR EACH STATEMENT", "seen_statement()"},
    {PGCAP_STATEMENT, "cutover_audit_delete", "DELETE",
     "REFERENCING OLD TABLE AS cutover_rows FOR EACH STATEMENT", "seen_statement()"},
    {PGCAP_ROW, "cutover_audit_row", "INSERT OR UPDATE", "FOR EACH ROW", "seen_row()"},
    {PGCAP_ROW, "cutover_audit_row_delete", "DELETE", "FOR EACH ROW", "seen('1')"},
    {PGCAP_ANY_LEVEL, "cutover_audit_truncate", "TRUNCATE", "FOR EACH STATEMENT", "seen('')"},
};

int pgcap_install(struct pg_conn *pg, const char *table, enum pgcap_level level,
                  struct error *err)
{
    return pgcap_install_keyed(pg, table, NULL, 0, level, err);
}

int pgcap_install_keyed(struct pg_conn *pg, const char *table, const char *const *key,
                        size_t n_key, enum pgcap_level level, struct error *err)
{
    char key_r[600], key_new[600];
    if (pgcap_key_expr(pg, key, n_key, "r", key_r, sizeof key_r) != 0 ||
        pgcap_key_expr(pg, key, n_key, "NEW", key_new, sizeof key_new) != 0) {
        error_set(err, "the old table's key cannot be quoted");
        return -1;
    }
    PGresult *r;
    const char *p[] = {table};
    r = PQexecParams(pg, "SELECT to_regclass($1)::oid::regclass::text", 1, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        return pgw_fail(r, "cannot resolve the old table", err);
    if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0)) {
        PQclear(r);
        error_set(err, "the old table `%s` is not in the old database", table);
        return -1;
    }
    char rel[300];   /* quoted and qualified as needed by regclass's output */
    snprintf(rel, sizeof rel, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);

    static const char *const setup_fmt =
        "BEGIN;"
        "SET LOCAL lock_timeout = '3s';"
        "CREATE SCHEMA " PGCAP_SCHEMA ";"
        "REVOKE ALL ON SCHEMA " PGCAP_SCHEMA " FROM PUBLIC;"
        "GRANT USAGE ON SCHEMA " PGCAP_SCHEMA " TO PUBLIC;"
        "CREATE TABLE " PGCAP_SCHEMA ".capture (tbl regclass NOT NULL, "
        "  started timestamptz NOT NULL DEFAULT now(), backend int NOT NULL DEFAULT pg_backend_pid(), "
        "  backend_start timestamptz, level text NOT NULL);"
        "CREATE TABLE " PGCAP_SCHEMA ".writes (at timestamptz NOT NULL DEFAULT clock_timestamp(), "
        "  op text, app text, client text, session_role text, role_now text, "
        "  statement text, n bigint, keys text[]);"
        /* runs as the installer: a writer needs no right on the table */
        "CREATE FUNCTION " NOTE_SIG " RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS "
        "  'INSERT INTO " PGCAP_SCHEMA ".writes (op, app, client, session_role, role_now, "
        "   statement, n, keys) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)';"
        "REVOKE ALL ON FUNCTION " NOTE_SIG " FROM PUBLIC;"
        "GRANT EXECUTE ON FUNCTION " NOTE_SIG " TO PUBLIC;"
        /* statement level: the rows from the transition table, and the
         * keys written (not deleted), for the rows that skip new */
        CAPTURE_FN("seen_statement", "(SELECT count(*) FROM cutover_rows),"
                   "    CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE"
                   "      (SELECT array_agg(%s) FROM (SELECT * FROM cutover_rows LIMIT 10000) r) END")
        /* row level, and TRUNCATE: TG_ARGV[0] is the count ('' unknown) */
        CAPTURE_FN("seen", "nullif(TG_ARGV[0], '')::bigint, NULL")
        /* row level, an insert or update: the row's key too */
        CAPTURE_FN("seen_row", "1, ARRAY[%s]");
    char setup[8192];
    snprintf(setup, sizeof setup, setup_fmt, key_r, key_new);
    if (exec_ok(pg, setup, "cannot install the capture", err) != 0) {
        abort_tx(pg);
        return -1;
    }
    char sql[4096];
    size_t n = 0;
    for (size_t i = 0; i < sizeof capture_triggers / sizeof capture_triggers[0]; i++) {
        const struct capture_trigger *t = &capture_triggers[i];
        if ((t->level == PGCAP_ANY_LEVEL || t->level == (int)level) && n < sizeof sql)
            n += (size_t)snprintf(sql + n, sizeof sql - n, "CREATE TRIGGER %s AFTER %s ON %s %s "
                                  "EXECUTE FUNCTION " PGCAP_SCHEMA ".%s;", t->name, t->event, rel,
                                  t->each, t->function);
    }
    if (exec_ok(pg, sql, "cannot install the capture triggers", err) != 0) {
        abort_tx(pg);
        return -1;
    }
    const char *q[] = {rel, level == PGCAP_ROW ? "row" : "statement"};
    r = PQexecParams(pg,
                     "INSERT INTO " PGCAP_SCHEMA ".capture (tbl, backend_start, level) "
                     "SELECT $1::regclass, backend_start, $2 FROM pg_stat_activity "
                     "WHERE pid = pg_backend_pid()",
                     2, NULL, q, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        pgw_fail(r, "cannot record the capture", err);
        abort_tx(pg);
        return -1;
    }
    PQclear(r);
    if (exec_ok(pg, "COMMIT", "cannot install the capture", err) != 0) {
        abort_tx(pg);
        return -1;
    }
    return 0;
}

static char *cell(PGresult *r, int i, int c)
{
    return strdup(PQgetisnull(r, i, c) ? "" : PQgetvalue(r, i, c));
}

/* The rows of r, the answer to a read of the capture (what: what to say
 * when the read failed), copied into a new array *v of `size`-byte
 * entries, at most `most` of them (*cut, when not NULL: there were more);
 * copy(r, i, entry) copies row i's cells and says -1 when out of memory.
 * *n counts the entries begun, so that on -1 the caller's free function
 * frees whatever was copied. Clears r. */
static int read_rows(PGresult *r, const char *what, int most, size_t size,
                     int (*copy)(PGresult *r, int i, void *entry), void **v, size_t *n,
                     int *cut, struct error *err)
{
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        return pgw_fail(r, what, err);
    int rows = PQntuples(r);
    if (cut)
        *cut = rows > most;
    if (rows > most)
        rows = most;
    *v = rows ? calloc((size_t)rows, size) : NULL;
    int rc = rows && !*v ? -1 : 0;
    for (int i = 0; rc == 0 && i < rows; i++) {
        (*n)++;
        rc = copy(r, i, (char *)*v + (size_t)i * size);
    }
    PQclear(r);
    if (rc != 0)
        error_set(err, "out of memory");
    return rc;
}

static int copy_write(PGresult *r, int i, void *entry)
{
    struct pgcap_row *w = entry;
    w->op = cell(r, i, 0);
    w->app = cell(r, i, 1);
    w->client = cell(r, i, 2);
    w->session_role = cell(r, i, 3);
    w->current_role = cell(r, i, 4);
    w->statement = cell(r, i, 5);
    w->writes = atoll(PQgetvalue(r, i, 6));
    w->rows = atoll(PQgetvalue(r, i, 7));
    return w->op && w->app && w->client && w->session_role && w->current_role && w->statement
               ? 0 : -1;
}

int pgcap_collect(struct pg_conn *pg, struct pgcap_result *out, struct error *err)
{
    memset(out, 0, sizeof *out);
    /* literals (quoted strings, numbers) become ?: the same statement with
     * other values is one group, and no value leaves the database */
    const char *p[] = {"'(?:[^']|'')*'|\\m[0-9]+(?:\\.[0-9]+)?\\M"};
    PGresult *r = PQexecParams(pg,
        "SELECT op, app, client, session_role, role_now, "
        "  regexp_replace(statement, $1, '?', 'g') AS stmt, count(*), coalesce(sum(n), -1) "
        "FROM " PGCAP_SCHEMA ".writes GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 7 DESC, 1, 2",
        1, NULL, p, NULL, NULL, 0);
    void *v = NULL;
    int rc = read_rows(r, "cannot read the capture", INT_MAX, sizeof *out->v, copy_write, &v,
                       &out->n, NULL, err);
    out->v = v;
    if (rc != 0)
        pgcap_result_free(out);
    return rc;
}

void pgcap_result_free(struct pgcap_result *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].op);
        free(r->v[i].app);
        free(r->v[i].client);
        free(r->v[i].session_role);
        free(r->v[i].current_role);
        free(r->v[i].statement);
    }
    free(r->v);
    memset(r, 0, sizeof *r);
}

int pgcap_remove(struct pg_conn *pg, struct error *err)
{
    abort_tx(pg);   /* a transaction an error left open */
    PGresult *r = PQexec(pg,
        "SELECT format('DROP TRIGGER %I ON %s', t.tgname, t.tgrelid::regclass) "
        "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
        "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = '" PGCAP_SCHEMA "'");
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        return pgw_fail(r, "cannot list the capture triggers", err);
    if (exec_ok(pg, "BEGIN; SET LOCAL lock_timeout = '10s'", "cannot remove the capture", err))
        goto fail;
    for (int i = 0; i < PQntuples(r); i++)
        if (exec_ok(pg, PQgetvalue(r, i, 0), "cannot drop a capture trigger", err) != 0)
            goto fail;
    if (exec_ok(pg, "DROP SCHEMA IF EXISTS " PGCAP_SCHEMA " CASCADE; COMMIT",
                "cannot drop the capture schema", err) != 0)
        goto fail;
    PQclear(r);
    int running;
    char what[400];
    int found = pgcap_find(pg, &running, what, sizeof what, err);
    if (found < 0)
        return -1;
    if (found) {
        error_set(err, "the capture is still installed after its removal: %s", what);
        return -1;
    }
    return 0;
fail:
    PQclear(r);
    abort_tx(pg);
    return -1;
}

static int copy_key(PGresult *r, int i, void *entry)
{
    struct pgcap_key *k = entry;
    k->key = cell(r, i, 0);
    k->app = cell(r, i, 1);
    k->role = cell(r, i, 2);
    k->client = cell(r, i, 3);
    return k->key && k->app && k->role && k->client ? 0 : -1;
}

int pgcap_keys(struct pg_conn *pg, struct pgcap_keys *out, struct error *err)
{
    memset(out, 0, sizeof *out);
    char sql[600];
    snprintf(sql, sizeof sql,
             "SELECT k, app, session_role, client FROM (SELECT DISTINCT ON (k) k, app, "
             "  session_role, client, at FROM " PGCAP_SCHEMA ".writes, unnest(keys) AS k "
             "  WHERE k IS NOT NULL ORDER BY k, at DESC) s LIMIT %d", PGCAP_KEYS_MAX + 1);
    PGresult *r = PQexec(pg, sql);
    void *v = NULL;
    int rc = read_rows(r, "cannot read the keys the capture saw", PGCAP_KEYS_MAX, sizeof *out->v,
                       copy_key, &v, &out->n, &out->cut, err);
    out->v = v;
    if (rc != 0)
        pgcap_keys_free(out);
    return rc;
}

void pgcap_keys_free(struct pgcap_keys *k)
{
    for (size_t i = 0; i < k->n; i++) {
        free(k->v[i].key);
        free(k->v[i].app);
        free(k->v[i].role);
        free(k->v[i].client);
    }
    free(k->v);
    memset(k, 0, sizeof *k);
}
