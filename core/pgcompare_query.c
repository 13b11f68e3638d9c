/* pgcompare_query.c — one side's queries (pgcompare_internal.h): a
 * range's SELECT built over key bounds, run on PostgreSQL (prepared once
 * per text) or SQLite, its rows read as values; both sides' at once, old's
 * on a thread of its own; and the snapshot each side reads a segment in. */
#include "pgcompare_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgdata.h"
#include "rowhash.h"

/* " AND (K) op ($n, …)" or "(?, …)"; appends the bound's values to p. */
static void key_cond(struct pgc *c, int side, const char *op, const struct bound *b,
                     struct cbuf *q, const struct cval **p, int *np)
{
    put(q, " AND (");
    put(q, c->s[side].keys);
    put(q, ") ");
    put(q, op);
    put(q, " (");
    for (size_t i = 0; i < c->nk; i++) {
        char t[16];
        if (c->s[side].pg)
            snprintf(t, sizeof t, "%s$%d", i ? ", " : "", *np + 1);
        else
            snprintf(t, sizeof t, "%s?", i ? ", " : "");
        put(q, t);
        p[(*np)++] = &b->v[i];
    }
    put(q, ")");
}

/* Runs sql on a PostgreSQL side, prepared once and then executed by
 * name: a checksum's expression is long, and planning it for each of
 * thousands of ranges would cost more than the range. */
PGresult *pgc_side_exec(struct side *s, const char *what, const char *sql, int np,
                        const char *const *tp, struct error *err)
{
    size_t i = 0;
    while (i < s->n_stmt && strcmp(s->stmt[i], sql) != 0)
        i++;
    char name[32];
    snprintf(name, sizeof name, "cutover_cmp_%zu", i);
    if (i == s->n_stmt) {
        if (i == MAXSTMT)
            return pgdata_query(s->pg, what, sql, np, tp, err);
        PGresult *p = PQprepare(s->pg, name, sql, np, NULL);
        int ok = PQresultStatus(p) == PGRES_COMMAND_OK;
        PQclear(p);
        if (!ok)
            return pgdata_query(s->pg, what, sql, np, tp, err); /* says why */
        if (!(s->stmt[s->n_stmt] = strdup(sql)))
            return pgdata_query(s->pg, what, sql, np, tp, err);
        s->n_stmt++;
    }
    PGresult *r = PQexecPrepared(s->pg, name, np, tp, NULL, NULL, 0);
    if (PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK)
        return r;
    error_set(err, "%s: %.300s", what, PQerrorMessage(s->pg));
    err->msg[strcspn(err->msg, "\n")] = '\0';
    PQclear(r);
    return NULL;
}

/* SELECT what FROM side WHERE [K > lo] [K <= hi] [K = eq] [ORDER BY K]
 * [tail], every row into out (types: the PostgreSQL oids of what's
 * columns, or NULL for text). */
int pgc_side_rows(struct pgc *c, int side, const char *what, const unsigned *types,
                  const struct bound *lo, const struct bound *hi, const struct bound *eq,
                  int order, const char *tail, struct rows *out)
{
    return pgc_side_query(c, side, NULL, what, types, lo, hi, eq, NULL, order, tail, NULL, out);
}

/* pgc_side_rows with a first parameter $1 (PostgreSQL; NULL: none) that what
 * or cond (a condition after the key bounds, " AND …") may use, and the
 * query wrapped as SELECT * FROM (…) s wrap. */
int pgc_side_query(struct pgc *c, int side, const struct cval *first, const char *what,
                   const unsigned *types, const struct bound *lo, const struct bound *hi,
                   const struct bound *eq, const char *cond, int order, const char *tail,
                   const char *wrap, struct rows *out)
{
    struct side *s = &c->s[side];
    struct cbuf q = {0};
    const struct cval *p[3 * MAP_MAX_KEY + 1];
    int np = 0, rc = 0;
    *out = (struct rows){0};
    if (first)
        p[np++] = first;
    if (wrap)
        put(&q, "SELECT * FROM (");
    put(&q, "SELECT ");
    put(&q, what);
    put(&q, " FROM ");
    put(&q, s->table);
    put(&q, " WHERE 1 = 1");
    if (lo && lo->set)
        key_cond(c, side, ">", lo, &q, p, &np);
    if (hi && hi->set)
        key_cond(c, side, "<=", hi, &q, p, &np);
    if (eq && eq->set)
        key_cond(c, side, "=", eq, &q, p, &np);
    if (cond)
        put(&q, cond);
    if (order) {
        put(&q, " ORDER BY ");
        put(&q, s->keys);
    }
    if (tail)
        put(&q, tail);
    if (wrap) {
        put(&q, ") s");
        put(&q, wrap);
    }
    if (q.oom) {
        error_set(c->err, "out of memory");
        return -1;
    }
    if (s->pg) {
        char num[3 * MAP_MAX_KEY + 1][32];
        const char *tp[3 * MAP_MAX_KEY + 1];
        struct cbuf bytea[3 * MAP_MAX_KEY + 1] = {{0}};
        int oom = 0;
        for (int i = 0; i < np; i++) {
            tp[i] = pgc_param(p[i], num[i], &bytea[i]);
            oom |= bytea[i].oom;
        }
        char what_side[16];
        snprintf(what_side, sizeof what_side, "compare: %s", s->name);
        PGresult *r = NULL;
        if (oom)
            error_set(c->err, "out of memory");
        else
            r = pgc_side_exec(s, what_side, q.p, np, tp, c->err);
        for (int i = 0; i < np; i++)
            cbuf_free(&bytea[i]);
        cbuf_free(&q);
        if (!r)
            return -1;
        out->n = (size_t)PQntuples(r);
        out->ncol = (size_t)PQnfields(r);
        out->v = calloc(out->n * out->ncol + 1, sizeof *out->v);
        for (size_t i = 0; out->v && i < out->n; i++)
            for (size_t k = 0; k < out->ncol; k++)
                out->v[i * out->ncol + k] = pgcompare_cval(r, (int)i, (int)k, types ? types[k] : 0);
        PQclear(r);
        if (!out->v) {
            error_set(c->err, "out of memory");
            out->n = 0;
            return -1;
        }
        return 0;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, q.p, -1, &st, NULL) != SQLITE_OK) {
        error_set(c->err, "compare: %s: %s", s->name, sqlite3_errmsg(s->db));
        cbuf_free(&q);
        return -1;
    }
    cbuf_free(&q);
    for (int i = 0; i < np; i++) {
        const struct cval *v = p[i];
        if (v->t == CV_INT)
            sqlite3_bind_int64(st, i + 1, v->i);
        else if (v->t == CV_REAL)
            sqlite3_bind_double(st, i + 1, v->d);
        else if (v->t == CV_TEXT)
            sqlite3_bind_text(st, i + 1, v->s, (int)v->n, SQLITE_STATIC);
        else if (v->t == CV_BLOB)
            sqlite3_bind_blob(st, i + 1, v->s, (int)v->n, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, i + 1);
    }
    out->ncol = (size_t)sqlite3_column_count(st);
    size_t cap = 0;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 64;
            struct cval *v = realloc(out->v, cap * out->ncol * sizeof *v);
            if (!v) {
                rc = -1;
                error_set(c->err, "out of memory");
                break;
            }
            out->v = v;
        }
        for (size_t k = 0; k < out->ncol; k++) {
            struct cval v = rowhash_cval(sqlite3_column_value(st, (int)k));
            out->v[out->n * out->ncol + k] = pgc_cv_dup(&v);
        }
        out->n++;
    }
    if (rc == 0 && step != SQLITE_DONE) {
        error_set(c->err, "compare: %s: %s", s->name, sqlite3_errmsg(s->db));
        rc = -1;
    }
    sqlite3_finalize(st);
    if (rc != 0)
        pgc_rows_free(out);   /* what was read before the failure */
    return rc;
}

/* fn of old's argument on a thread of its own while fn of new's runs
 * here (each side has its own connection), or one after the other when
 * no thread can be made. */
void pgc_run_both(void *(*fn)(void *), void *old_arg, void *new_arg)
{
    pthread_t t;
    int threaded = pthread_create(&t, NULL, fn, old_arg) == 0;
    if (!threaded)
        fn(old_arg);
    fn(new_arg);
    if (threaded)
        pthread_join(t, NULL);
}

/* One query on both sides at once, old's on a thread of its own (each
 * side has its own connection): what[side] over (lo, hi], cond[side]
 * and first[side] as pgc_side_query takes them, ordered by key. */
struct side_job {
    struct pgc c;
    struct error err;
    int side;
    const char *what, *cond;
    const unsigned *types;
    const struct cval *first;
    const struct bound *lo, *hi;
    struct rows out;
    int rc;
};

static void *side_job_run(void *arg)
{
    struct side_job *j = arg;
    j->c.err = &j->err;
    j->rc = pgc_side_query(&j->c, j->side, j->first, j->what, j->types, j->lo, j->hi, NULL, j->cond,
                           1, NULL, NULL, &j->out);
    return NULL;
}

int pgc_both_query(struct pgc *c, const char *const *what, const unsigned *const *types,
                   const struct cval *first, const char *const *cond,
                   const struct bound *lo, const struct bound *hi, struct rows *out)
{
    struct side_job j[2];
    for (int side = 0; side < 2; side++)
        j[side] = (struct side_job){.c = *c, .side = side, .what = what[side],
                                    .types = types[side], .first = first ? &first[side] : NULL,
                                    .cond = cond ? cond[side] : NULL, .lo = lo, .hi = hi};
    pgc_run_both(side_job_run, &j[0], &j[1]);
    int rc = 0;
    for (int side = 0; side < 2; side++) {
        c->s[side] = j[side].c.s[side]; /* its statements, prepared meanwhile */
        out[side] = j[side].out;
        if (j[side].rc != 0 && rc == 0) {
            error_set(c->err, "%s", j[side].err.msg);
            rc = -1;
        }
    }
    if (rc != 0) {
        pgc_rows_free(&out[0]);
        pgc_rows_free(&out[1]);
    }
    return rc;
}

int pgc_snapshot(struct pgc *c, int begin)
{
    for (int side = 0; side < 2; side++) {
        struct side *s = &c->s[side];
        const char *sql = begin ? (s->pg ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                                         : "BEGIN")
                                : "COMMIT";
        if (s->pg) {
            if (pgdata_exec(s->pg, s->name, sql, begin ? c->err : NULL) != 0)
                return -1;
        } else {
            sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        }
    }
    c->snap[0] = '\0';
    if (begin && c->help_state == 1) {
        PGresult *r = pgdata_query(c->s[0].pg, "compare: old", "SELECT pg_export_snapshot()", 0,
                                   NULL, c->err);
        if (!r)
            return -1;
        snprintf(c->snap, sizeof c->snap, "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    return 0;
}

/* Old's second session: a connection of its own (as old's first one is
 * opened), the same session settings, and a snapshot exported once to
 * prove this server lets sessions share one (a standby before 10 does
 * not); any failure leaves the run to old's first session alone. */
int pgc_help_open(struct pgc *c)
{
    if (c->help_state)
        return c->help_state > 0;
    c->help_state = -1;
    struct error e = {{0}};
    PGconn *pg = NULL;
    if (!c->s[0].pg || pgdata_open(c->j->old_sys, &pg, &e) != 0)
        return 0;
    PGresult *r = NULL;
    /* the canonical text's functions only when old's checksum calls them
     * (against SQLite); between two PostgreSQL they are not needed */
    if ((strstr(c->s[0].sums, "pg_temp.") && pgdata_install_canon(pg, &e) != 0) ||
        pgdata_exec(pg, "old", "SET enable_sort = off; SET jit = off; "
                               "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", &e) != 0 ||
        !(r = pgdata_query(pg, "old", "SELECT pg_export_snapshot()", 0, NULL, &e)) ||
        pgdata_exec(pg, "old", "COMMIT", &e) != 0) {
        PQclear(r);
        PQfinish(pg);
        return 0;
    }
    PQclear(r);
    c->help = c->s[0];
    c->help.pg = pg;
    c->help.n_stmt = 0;
    memset(c->help.stmt, 0, sizeof c->help.stmt);
    c->help_state = 1;
    return 1;
}

int pgc_help_begin(struct pgc *c)
{
    if (c->help_state != 1 || !c->snap[0] || strspn(c->snap, "0123456789ABCDEFabcdef-") !=
                                                 strlen(c->snap)) {
        error_set(c->err, "compare: old: no snapshot to share");
        return -1;
    }
    char sql[160];
    snprintf(sql, sizeof sql, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; "
                              "SET TRANSACTION SNAPSHOT '%s'", c->snap);
    if (pgdata_exec(c->help.pg, "compare: old", sql, c->err) != 0) {
        pgc_help_close(c);  /* the run goes on without it */
        return -1;
    }
    return 0;
}

void pgc_help_end(struct pgc *c) { pgdata_exec(c->help.pg, "compare: old", "COMMIT", NULL); }

void pgc_help_close(struct pgc *c)
{
    if (c->help_state != 1)
        return;
    for (size_t i = 0; i < c->help.n_stmt; i++)
        free(c->help.stmt[i]);
    PQfinish(c->help.pg);
    c->help_state = -1;
}
