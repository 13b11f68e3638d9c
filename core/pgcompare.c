/* pgcompare.c — range checksums, bisection and row merge over two sides
 * that may each be PostgreSQL or SQLite (pgcompare.h). Values travel as
 * canon.h's struct cval, owned here: PostgreSQL's as the text the server
 * writes (integers as numbers, so that keys order as numbers), SQLite's
 * as typed. A bound is a key or open; a range is [lo, hi). */
#include "pgcompare.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgdata.h"
#include "pgrowsum.h"
#include "rowhash.h"

#define CHUNK 1000    /* old's rows per first-level range */
#define FETCH 4096    /* a differing range up to this many rows is fetched whole */
#define HASHED 65536  /* … or its rows' hashes, PostgreSQL on both sides */
#define MAXCOL 256
#define MAXSTMT 16    /* statements prepared per side (a comparison asks a handful) */

/* PostgreSQL type oids the comparison treats apart. */
enum { OID_BOOL = 16, OID_BYTEA = 17, OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_TEXT = 25,
       OID_JSON = 114, OID_BPCHAR = 1042, OID_VARCHAR = 1043, OID_TIMESTAMP = 1114,
       OID_TIMESTAMPTZ = 1184, OID_NUMERIC = 1700, OID_JSONB = 3802 };

struct bound {
    int set;                      /* 0: open */
    struct cval v[MAP_MAX_KEY];
};

/* One side's SQL, built once. */
struct side {
    PGconn *pg;
    sqlite3 *db;
    const char *name;             /* "old", "new" */
    char *vals;                   /* the compared values, in plan order */
    char *sums;                   /* count(*), checksum */
    char *keys;                   /* the key, for ORDER BY and comparisons */
    char *table;
    unsigned oid[MAXCOL];         /* PostgreSQL: the compared values' types (bool read as int) */
    unsigned type[MAXCOL];        /* … as the server gives them */
    char *rowh;                   /* the key, each row's hash (a store on both sides alike) */
    unsigned hoid[MAP_MAX_KEY + 1];
    char *stmt[MAXSTMT];          /* PostgreSQL: the statements prepared, by text */
    size_t n_stmt;
    unsigned koid[MAP_MAX_KEY];
};

struct pgc {
    struct datajob *j;
    const struct compare_opts *o;
    struct compare_result *r;
    struct error *err;
    struct side s[2];
    size_t n, nk;                 /* compared columns, key columns */
    const char **names;
    size_t keypos[MAP_MAX_KEY];
    struct bound *suspects;
    size_t n_suspects, cap_suspects;
    int final;
    int lite_only;                /* SQLite on both sides: rowhash's FNV checksum */
    int dense;                    /* most ranges differed: rows hashed, no sums first */
    int64_t hashed_diff;          /* rows whose hashes differed, this segment */
};

struct rows {
    size_t n, ncol;
    struct cval *v;               /* v[row * ncol + col] */
};

static void put(struct cbuf *b, const char *s) { cbuf_put(b, s, strlen(s)); }

static struct cval cv_text(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        return (struct cval){.t = CV_NULL};
    memcpy(p, s, n);
    p[n] = '\0';
    return (struct cval){.t = CV_TEXT, .s = p, .n = n};
}

static struct cval cv_dup(const struct cval *v)
{
    if (v->t != CV_TEXT && v->t != CV_BLOB)
        return *v;
    struct cval c = cv_text(v->s, v->n);
    c.t = v->t;
    return c;
}

static void cv_free(struct cval *v)
{
    if (v->t == CV_TEXT || v->t == CV_BLOB)
        free((char *)v->s);
    *v = (struct cval){0};
}

static void rows_free(struct rows *r)
{
    for (size_t i = 0; i < r->n * r->ncol; i++)
        cv_free(&r->v[i]);
    free(r->v);
    *r = (struct rows){0};
}

static void bound_free(struct bound *b)
{
    for (size_t i = 0; i < MAP_MAX_KEY; i++)
        cv_free(&b->v[i]);
    b->set = 0;
}

static struct cval pg_cval(PGresult *r, int row, int col, unsigned oid)
{
    return pgcompare_cval(r, row, col, oid);
}

struct cval pgcompare_cval(PGresult *r, int row, int col, unsigned oid)
{
    if (PQgetisnull(r, row, col))
        return (struct cval){.t = CV_NULL};
    const char *s = PQgetvalue(r, row, col);
    if (oid == OID_INT2 || oid == OID_INT4 || oid == OID_INT8)
        return (struct cval){.t = CV_INT, .i = strtoll(s, NULL, 10)};
    /* a float as a number (its text may have an exponent), bytes as bytes */
    if (oid == OID_FLOAT4 || oid == OID_FLOAT8)
        return (struct cval){.t = CV_REAL, .d = strtod(s, NULL)};
    if (oid == OID_BYTEA) {
        size_t n = 0;
        unsigned char *b = PQunescapeBytea((const unsigned char *)s, &n);
        struct cval v = b ? cv_text((const char *)b, n) : (struct cval){.t = CV_NULL};
        PQfreemem(b);
        if (v.t == CV_TEXT)
            v.t = CV_BLOB;
        return v;
    }
    return cv_text(s, (size_t)PQgetlength(r, row, col));
}

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
static PGresult *side_exec(struct side *s, const char *what, const char *sql, int np,
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

static int side_query(struct pgc *c, int side, const struct cval *first, const char *what,
                      const unsigned *types, const struct bound *lo, const struct bound *hi,
                      const struct bound *eq, const char *cond, int order, const char *tail,
                      const char *wrap, struct rows *out);

/* SELECT what FROM side WHERE [K > lo] [K < hi] [K = eq] [ORDER BY K]
 * [tail], every row into out (types: the PostgreSQL oids of what's
 * columns, or NULL for text). */
static int side_rows(struct pgc *c, int side, const char *what, const unsigned *types,
                     const struct bound *lo, const struct bound *hi, const struct bound *eq,
                     int order, const char *tail, struct rows *out)
{
    return side_query(c, side, NULL, what, types, lo, hi, eq, NULL, order, tail, NULL, out);
}

/* side_rows with a first parameter $1 (PostgreSQL; NULL: none) that what
 * or cond (a condition after the key bounds, " AND …") may use, and the
 * query wrapped as SELECT * FROM (…) s wrap. */
static int side_query(struct pgc *c, int side, const struct cval *first, const char *what,
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
        for (int i = 0; i < np; i++) {
            if (p[i]->t == CV_INT)
                snprintf(num[i], sizeof num[i], "%lld", (long long)p[i]->i), tp[i] = num[i];
            else if (p[i]->t == CV_REAL)
                snprintf(num[i], sizeof num[i], "%.17g", p[i]->d), tp[i] = num[i];
            else
                tp[i] = p[i]->t == CV_NULL ? NULL : p[i]->s;
        }
        char what_side[16];
        snprintf(what_side, sizeof what_side, "compare: %s", s->name);
        PGresult *r = side_exec(s, what_side, q.p, np, tp, c->err);
        cbuf_free(&q);
        if (!r)
            return -1;
        out->n = (size_t)PQntuples(r);
        out->ncol = (size_t)PQnfields(r);
        out->v = calloc(out->n * out->ncol + 1, sizeof *out->v);
        for (size_t i = 0; out->v && i < out->n; i++)
            for (size_t k = 0; k < out->ncol; k++)
                out->v[i * out->ncol + k] = pg_cval(r, (int)i, (int)k, types ? types[k] : 0);
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
            out->v[out->n * out->ncol + k] = cv_dup(&v);
        }
        out->n++;
    }
    if (rc == 0 && step != SQLITE_DONE) {
        error_set(c->err, "compare: %s: %s", s->name, sqlite3_errmsg(s->db));
        rc = -1;
    }
    sqlite3_finalize(st);
    return rc;
}

/* count(*) and the checksum (mod 2^64) of one side's range. */
static int checksum(struct pgc *c, int side, const struct bound *lo, const struct bound *hi,
                    int64_t *count, uint64_t *sum)
{
    struct rows r;
    if (side_rows(c, side, c->s[side].sums, NULL, lo, hi, NULL, 0, NULL, &r) != 0)
        return -1;
    const struct cval *v = r.v;
    *count = v[0].t == CV_INT ? v[0].i : v[0].t == CV_TEXT ? strtoll(v[0].s, NULL, 10) : 0;
    *sum = v[1].t == CV_INT ? (uint64_t)v[1].i
           : v[1].t == CV_TEXT ? strtoull(v[1].s, NULL, 10) : 0;
    rows_free(&r);
    c->r->ranges++;
    return 0;
}

/* The key `offset` rows into the range on one side; 1 found, 0 not, -1. */
static int key_at(struct pgc *c, int side, const struct bound *lo, const struct bound *hi,
                  int64_t offset, struct bound *out)
{
    char tail[48];
    snprintf(tail, sizeof tail, " LIMIT 1 OFFSET %lld", (long long)offset);
    struct rows r;
    if (side_rows(c, side, c->s[side].keys, c->s[side].koid, lo, hi, NULL, 1, tail, &r) != 0)
        return -1;
    if (r.n == 1) {
        for (size_t i = 0; i < c->nk; i++)
            out->v[i] = cv_dup(&r.v[i]);
        out->set = 1;
    }
    int rc = r.n == 1;
    rows_free(&r);
    return rc;
}

/* Keys order as numbers when both are numbers, else by their bytes (text
 * keys are ordered COLLATE "C" on PostgreSQL, BINARY on SQLite). */
static int val_cmp(const struct cval *a, const struct cval *b)
{
    int na = a->t == CV_INT || a->t == CV_REAL, nb = b->t == CV_INT || b->t == CV_REAL;
    if (a->t == CV_NULL || b->t == CV_NULL)
        return (a->t != CV_NULL) - (b->t != CV_NULL);
    if (na && nb) {
        if (a->t == CV_INT && b->t == CV_INT)
            return a->i < b->i ? -1 : a->i > b->i;
        double x = a->t == CV_INT ? (double)a->i : a->d, y = b->t == CV_INT ? (double)b->i : b->d;
        return x < y ? -1 : x > y;
    }
    if (na != nb)
        return na ? -1 : 1;
    int m = memcmp(a->s, b->s, a->n < b->n ? a->n : b->n);
    return m ? m : a->n < b->n ? -1 : a->n > b->n;
}

static int key_cmp(const struct pgc *c, const struct cval *o, const struct cval *n)
{
    for (size_t i = 0; i < c->nk; i++) {
        int d = val_cmp(&o[c->keypos[i]], &n[c->keypos[i]]);
        if (d)
            return d;
    }
    return 0;
}

static void key_text(const struct pgc *c, const struct cval *row, struct cbuf *b)
{
    for (size_t i = 0; i < c->nk; i++) {
        const struct cval *v = &row[c->keypos[i]];
        char t[40];
        if (i)
            put(b, ",");
        if (v->t == CV_INT)
            snprintf(t, sizeof t, "%lld", (long long)v->i), put(b, t);
        else if (v->t == CV_REAL)
            snprintf(t, sizeof t, "%.17g", v->d), put(b, t);
        else if (v->t == CV_NULL)
            put(b, "NULL");
        else
            cbuf_put(b, v->s, v->n);
    }
    cbuf_put(b, "", 0);
}

static int suspect(struct pgc *c, const struct cval *row)
{
    if (c->n_suspects == c->cap_suspects) {
        size_t cap = c->cap_suspects ? c->cap_suspects * 2 : 64;
        struct bound *v = realloc(c->suspects, cap * sizeof *v);
        if (!v) {
            error_set(c->err, "out of memory");
            return -1;
        }
        c->suspects = v;
        c->cap_suspects = cap;
    }
    struct bound *b = &c->suspects[c->n_suspects++];
    *b = (struct bound){.set = 1};
    for (size_t i = 0; i < c->nk; i++)
        b->v[i] = cv_dup(&row[c->keypos[i]]);
    return 0;
}

/* One row: missing (n NULL), extra (o NULL) or its differing columns; in
 * the first pass only kept as a suspect. */
static int report(struct pgc *c, const struct cval *o, const struct cval *n)
{
    struct cval ov[MAXCOL], nv[MAXCOL];
    const char *cols[MAXCOL];
    size_t k = 0;
    enum canon_cause cause = !n ? CAUSE_MISSING_IN_NEW : CAUSE_EXTRA_IN_NEW;
    for (size_t i = 0; i < c->n && k < MAXCOL; i++) {
        struct cval a = o ? o[i] : (struct cval){0}, b = n ? n[i] : (struct cval){0};
        if (o && n) {
            if (canon_equal(&a, &b))
                continue;
            if (k == 0)
                cause = canon_cause(&a, &b);
        }
        cols[k] = c->names[i];
        ov[k] = a;
        nv[k++] = b;
    }
    if (o && n && k == 0)
        return 0;
    if (!c->final)
        return suspect(c, o ? o : n);
    struct cbuf key = {0};
    key_text(c, o ? o : n, &key);
    struct divergence d = {cause, key.p ? key.p : "", k, cols, o ? ov : NULL, n ? nv : NULL};
    c->r->divergent++;
    c->r->by_cause[cause]++;
    int rc = c->o->on_divergence ? c->o->on_divergence(&d, c->o->ctx, c->err) : 0;
    cbuf_free(&key);
    return rc;
}

/* fn of old's argument on a thread of its own while fn of new's runs
 * here (each side has its own connection), or one after the other when
 * no thread can be made. */
static void run_both(void *(*fn)(void *), void *old_arg, void *new_arg)
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
 * and first[side] as side_query takes them, ordered by key. */
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
    j->rc = side_query(&j->c, j->side, j->first, j->what, j->types, j->lo, j->hi, NULL, j->cond,
                       1, NULL, NULL, &j->out);
    return NULL;
}

static int both_query(struct pgc *c, const char *const *what, const unsigned *const *types,
                      const struct cval *first, const char *const *cond,
                      const struct bound *lo, const struct bound *hi, struct rows *out)
{
    struct side_job j[2];
    for (int side = 0; side < 2; side++)
        j[side] = (struct side_job){.c = *c, .side = side, .what = what[side],
                                    .types = types[side], .first = first ? &first[side] : NULL,
                                    .cond = cond ? cond[side] : NULL, .lo = lo, .hi = hi};
    run_both(side_job_run, &j[0], &j[1]);
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
        rows_free(&out[0]);
        rows_free(&out[1]);
    }
    return rc;
}

/* Both sides' full rows, sorted by key, merged: a key one side lacks, or
 * values that differ, reported. */
static int merge_report(struct pgc *c, const struct rows *o, const struct rows *n)
{
    size_t io = 0, in = 0;
    int rc = 0;
    while (rc == 0 && (io < o->n || in < n->n)) {
        const struct cval *ro = io < o->n ? &o->v[io * o->ncol] : NULL;
        const struct cval *rn = in < n->n ? &n->v[in * n->ncol] : NULL;
        int d = !ro ? 1 : !rn ? -1 : key_cmp(c, ro, rn);
        rc = report(c, d <= 0 ? ro : NULL, d >= 0 ? rn : NULL);
        if (d <= 0)
            io++, c->r->fetched++;
        if (d >= 0)
            in++, c->r->fetched++;
    }
    return rc;
}

/* Both sides' rows of (lo, hi], merged by key. */
static int fetch_rows(struct pgc *c, const struct bound *lo, const struct bound *hi)
{
    const char *what[2] = {c->s[0].vals, c->s[1].vals};
    const unsigned *types[2] = {c->s[0].oid, c->s[1].oid};
    struct rows r[2];
    if (both_query(c, what, types, NULL, NULL, lo, hi, r) != 0)
        return -1;
    int rc = merge_report(c, &r[0], &r[1]);
    rows_free(&r[0]);
    rows_free(&r[1]);
    return rc;
}

/* One-column keys as an array literal for "= ANY($1)"; 0 when a key is
 * neither an integer nor text. */
static int key_array(const struct bound *k, size_t n, struct cbuf *b)
{
    put(b, "{");
    for (size_t i = 0; i < n; i++) {
        const struct cval *v = &k[i].v[0];
        put(b, i ? "," : "");
        if (v->t == CV_INT) {
            char t[32];
            snprintf(t, sizeof t, "%lld", (long long)v->i);
            put(b, t);
        } else if (v->t == CV_TEXT) {
            put(b, "\"");
            for (size_t j = 0; j < v->n; j++) {
                if (v->s[j] == '"' || v->s[j] == '\\')
                    put(b, "\\");
                cbuf_put(b, &v->s[j], 1);
            }
            put(b, "\"");
        } else {
            return 0;
        }
    }
    put(b, "}");
    return !b->oom;
}

/* The rows of these keys, read on both sides and compared: a thousand
 * keys a query when both sides are PostgreSQL and the key one column,
 * else a query per key and side. */
static int fetch_keys(struct pgc *c, const struct bound *keys, size_t n)
{
    enum { BATCH = 1000 };
    int rc = 0;
    for (size_t at = 0; rc == 0 && at < n; at += BATCH) {
        size_t m = n - at < BATCH ? n - at : BATCH;
        struct cbuf arr = {0}, cond[2] = {{0}, {0}};
        if (c->nk == 1 && c->s[0].pg && c->s[1].pg && key_array(keys + at, m, &arr)) {
            for (int side = 0; side < 2; side++) {
                put(&cond[side], " AND (");
                put(&cond[side], c->s[side].keys);
                put(&cond[side], ") = ANY($1)");
            }
            const char *what[2] = {c->s[0].vals, c->s[1].vals};
            const char *cd[2] = {cond[0].p, cond[1].p};
            const unsigned *types[2] = {c->s[0].oid, c->s[1].oid};
            struct cval first[2] = {{.t = CV_TEXT, .s = arr.p, .n = arr.n},
                                    {.t = CV_TEXT, .s = arr.p, .n = arr.n}};
            struct rows r[2];
            rc = cond[0].oom || cond[1].oom ? (error_set(c->err, "out of memory"), -1)
                 : both_query(c, what, types, first, cd, NULL, NULL, r);
            if (rc == 0)
                rc = merge_report(c, &r[0], &r[1]);
            if (rc == 0) {
                rows_free(&r[0]);
                rows_free(&r[1]);
            }
        } else {
            for (size_t i = at; rc == 0 && i < at + m; i++) {
                struct rows o, nw;
                if (side_rows(c, 0, c->s[0].vals, c->s[0].oid, NULL, NULL, &keys[i], 0, NULL,
                              &o) != 0)
                    rc = -1;
                else if (side_rows(c, 1, c->s[1].vals, c->s[1].oid, NULL, NULL, &keys[i], 0,
                                   NULL, &nw) != 0)
                    rows_free(&o), rc = -1;
                if (rc != 0)
                    break;
                c->r->fetched += (int64_t)(o.n + nw.n);
                if (o.n || nw.n)
                    rc = report(c, o.n ? o.v : NULL, nw.n ? nw.v : NULL);
                rows_free(&o);
                rows_free(&nw);
            }
        }
        cbuf_free(&arr);
        cbuf_free(&cond[0]);
        cbuf_free(&cond[1]);
    }
    return rc;
}

/* The key columns that lead a row of keys and hash. */
static int lead_cmp(const struct pgc *c, const struct cval *a, const struct cval *b)
{
    for (size_t i = 0; i < c->nk; i++) {
        int d = val_cmp(&a[i], &b[i]);
        if (d)
            return d;
    }
    return 0;
}

/* A differing range, PostgreSQL on both sides: each side's keys and row
 * hashes in one pass (16 bytes a row where the row itself is ten times
 * that), merged; only the rows one side lacks or whose hashes differ are
 * then read whole and compared. Many differences thus cost a pass, not a
 * bisection each. Counts the rows each side has in the range. */
static int fetch_hashed(struct pgc *c, const struct bound *lo, const struct bound *hi,
                        int64_t *count_old, int64_t *count_new)
{
    const char *what[2] = {c->s[0].rowh, c->s[1].rowh};
    const unsigned *types[2] = {c->s[0].hoid, c->s[1].hoid};
    struct rows h[2];
    if (both_query(c, what, types, NULL, NULL, lo, hi, h) != 0)
        return -1;
    struct bound *want = NULL;
    size_t nw = 0, cap = 0, io = 0, in = 0;
    int rc = 0;
    while (rc == 0 && (io < h[0].n || in < h[1].n)) {
        const struct cval *ro = io < h[0].n ? &h[0].v[io * h[0].ncol] : NULL;
        const struct cval *rn = in < h[1].n ? &h[1].v[in * h[1].ncol] : NULL;
        int d = !ro ? 1 : !rn ? -1 : lead_cmp(c, ro, rn);
        if (d != 0 || ro[c->nk].t != rn[c->nk].t || ro[c->nk].i != rn[c->nk].i) {
            if (nw == cap) {
                cap = cap ? 2 * cap : 64;
                struct bound *v = realloc(want, cap * sizeof *v);
                if (!v) {
                    error_set(c->err, "out of memory");
                    rc = -1;
                    break;
                }
                want = v;
            }
            const struct cval *k = d <= 0 ? ro : rn;
            want[nw] = (struct bound){.set = 1};
            for (size_t i = 0; i < c->nk; i++)
                want[nw].v[i] = cv_dup(&k[i]);
            nw++;
        }
        if (d <= 0)
            io++;
        if (d >= 0)
            in++;
    }
    if (count_old)
        *count_old = (int64_t)h[0].n;
    if (count_new)
        *count_new = (int64_t)h[1].n;
    rows_free(&h[0]);
    rows_free(&h[1]);
    c->hashed_diff += (int64_t)nw;
    if (rc == 0)
        rc = fetch_keys(c, want, nw);
    for (size_t i = 0; i < nw; i++)
        bound_free(&want[i]);
    free(want);
    return rc;
}

static int fetch(struct pgc *c, const struct bound *lo, const struct bound *hi)
{
    return c->s[0].rowh && c->s[1].rowh ? fetch_hashed(c, lo, hi, NULL, NULL)
                                        : fetch_rows(c, lo, hi);
}

/* A range whose checksums differ: fetched when small, else cut in two at
 * the middle key of its larger side and each half checked again. */
static int settle(struct pgc *c, const struct bound *lo, const struct bound *hi,
                  int64_t count_old, int64_t count_new)
{
    int64_t most = count_old > count_new ? count_old : count_new;
    if (most <= FETCH || (c->s[0].rowh && c->s[1].rowh && most <= HASHED))
        return fetch(c, lo, hi);
    struct bound mid = {0};
    int side = count_new > count_old;
    int rc = key_at(c, side, lo, hi, most / 2, &mid);
    if (rc <= 0)
        return rc < 0 ? -1 : fetch(c, lo, hi);
    for (int half = 0; half < 2 && rc >= 0; half++) {
        const struct bound *a = half ? &mid : lo, *b = half ? hi : &mid;
        int64_t co, cn;
        uint64_t so, sn;
        rc = checksum(c, 0, a, b, &co, &so);
        if (rc == 0)
            rc = checksum(c, 1, a, b, &cn, &sn);
        if (rc == 0 && (co != cn || so != sn))
            rc = settle(c, a, b, co, cn);
    }
    bound_free(&mid);
    return rc;
}

/* A segment's first-level ranges, cut along old's keys, CHUNK rows each:
 * range i is (v[i], v[i + 1]]; v[0] is where the segment starts (open
 * before the first key); when old ran out, the last range is open at its
 * end (`last`). */
struct cuts {
    struct bound *v;
    size_t n;
    int last;
};

static void cuts_free(struct cuts *k)
{
    for (size_t i = 0; i < k->n; i++)
        bound_free(&k->v[i]);
    free(k->v);
    *k = (struct cuts){0};
}

/* PostgreSQL, a key of one column: each CHUNK-th key found from the one
 * before by skipping CHUNK index entries, in one recursive query (a
 * quarter of what numbering every key of the segment costs); one key
 * more than the segment's says whether old ends in it. */
static int cut_pg(struct pgc *c, const struct bound *from, size_t ranges, struct cuts *k)
{
    const struct side *s = &c->s[0];
    struct cbuf q = {0};
    char step[64], lim[32];
    snprintf(step, sizeof step, " ORDER BY %s OFFSET %d LIMIT 1)", s->keys, CHUNK - 1);
    put(&q, "WITH RECURSIVE r(k, n) AS (SELECT (SELECT ");
    put(&q, s->keys);
    put(&q, " FROM ");
    put(&q, s->table);
    if (from->set) {
        put(&q, " WHERE ");
        put(&q, s->keys);
        put(&q, " > $2");
    }
    put(&q, step);
    put(&q, ", 1 UNION ALL SELECT (SELECT ");
    put(&q, s->keys);
    put(&q, " FROM ");
    put(&q, s->table);
    put(&q, " WHERE ");
    put(&q, s->keys);
    put(&q, " > r.k");
    put(&q, step);
    put(&q, ", n + 1 FROM r WHERE n < $1::int AND r.k IS NOT NULL) "
            "SELECT k FROM r WHERE k IS NOT NULL ORDER BY n");
    snprintf(lim, sizeof lim, "%zu", ranges + 1);
    char num[32];
    const char *tp[2] = {lim, NULL};
    const struct cval *f = &from->v[0];
    if (from->set && f->t == CV_INT)
        snprintf(num, sizeof num, "%lld", (long long)f->i), tp[1] = num;
    else if (from->set && f->t == CV_REAL)
        snprintf(num, sizeof num, "%.17g", f->d), tp[1] = num;
    else if (from->set)
        tp[1] = f->t == CV_NULL ? NULL : f->s;
    if (q.oom) {
        error_set(c->err, "out of memory");
        return -1;
    }
    PGresult *r = side_exec(&c->s[0], "compare: old", q.p, from->set ? 2 : 1, tp, c->err);
    cbuf_free(&q);
    if (!r)
        return -1;
    size_t got = (size_t)PQntuples(r);
    for (size_t i = 0; i < got && i < ranges; i++) {
        k->v[k->n].v[0] = pg_cval(r, (int)i, 0, s->koid[0]);
        k->v[k->n++].set = 1;
    }
    PQclear(r);
    k->last = got <= ranges;
    if (k->last && k->n > 1)
        bound_free(&k->v[--k->n]);
    return 0;
}

/* One query: every CHUNK-th key of old's after `from`, `ranges` of them
 * at most (an index-only walk of the segment's keys, numbered). */
static int cut(struct pgc *c, const struct bound *from, size_t ranges, struct cuts *k)
{
    k->v = calloc(ranges + 1, sizeof *k->v);
    if (!k->v) {
        error_set(c->err, "out of memory");
        return -1;
    }
    k->v[0].set = from->set;
    for (size_t i = 0; from->set && i < c->nk; i++)
        k->v[0].v[i] = cv_dup(&from->v[i]);
    k->n = 1;
    if (c->s[0].pg && c->nk == 1)
        return cut_pg(c, from, ranges, k);
    struct cbuf what = {0};
    char tail[48], wrap[120];
    put(&what, c->s[0].keys);
    put(&what, ", row_number() OVER (ORDER BY ");
    put(&what, c->s[0].keys);
    put(&what, ") AS cutover_rn");
    /* one key past the segment, if there is one, says whether old ends in it */
    long long most = (long long)ranges * CHUNK;
    snprintf(tail, sizeof tail, " LIMIT %lld", most + 1);
    snprintf(wrap, sizeof wrap, " WHERE cutover_rn %% %d = 0 OR cutover_rn = %lld ORDER BY cutover_rn",
             CHUNK, most + 1);
    struct rows r;
    int rc = what.oom ? -1 : side_query(c, 0, NULL, what.p, c->s[0].koid, from, NULL, NULL, NULL,
                                        1, tail, wrap, &r);
    cbuf_free(&what);
    if (rc != 0)
        return -1;
    int more = 0;
    for (size_t i = 0; i < r.n; i++) {
        const struct cval *rn = &r.v[i * r.ncol + c->nk];
        long long n = rn->t == CV_INT ? rn->i : rn->t == CV_TEXT ? strtoll(rn->s, NULL, 10) : 0;
        if (n > most) {
            more = 1;
            continue;
        }
        for (size_t j = 0; j < c->nk; j++)
            k->v[k->n].v[j] = cv_dup(&r.v[i * r.ncol + j]);
        k->v[k->n++].set = 1;
    }
    k->last = !more;
    /* old ends in this segment: its last chunk and whatever new has
     * beyond it make one range, open at the end */
    if (k->last && k->n > 1)
        bound_free(&k->v[--k->n]);
    rows_free(&r);
    return 0;
}

static const struct bound *range_hi(const struct cuts *k, size_t i)
{
    return i + 1 < k->n ? &k->v[i + 1] : NULL;
}

static size_t range_count(const struct cuts *k) { return k->last ? k->n : k->n - 1; }

struct side_scan {
    struct pgc c;
    struct error err;
    struct compare_result r;
    const struct cuts *k;
    struct cuts *next;            /* old's side: the next segment's cut, made here */
    size_t next_ranges;
    int side;
    int64_t *count;
    uint64_t *sum;
    int rc;
};

/* On PostgreSQL with an integer key, every range of the segment in one
 * query: each row's range is width_bucket of its key over the bounds
 * (+1, as a range holds its upper bound), summed by range — one scan the
 * server may run in parallel, instead of a query per range. */
static int bucketable(const struct pgc *c, int side, const struct cuts *k)
{
    const struct side *s = &c->s[side];
    if (!s->pg || c->nk != 1 || k->n < 2 ||
        (s->koid[0] != OID_INT2 && s->koid[0] != OID_INT4 && s->koid[0] != OID_INT8))
        return 0;
    for (size_t i = 1; i < k->n; i++)
        if (k->v[i].v[0].t != CV_INT || k->v[i].v[0].i == INT64_MAX)
            return 0;
    return 1;
}

static int bucket_sums(struct pgc *c, int side, const struct cuts *k, int64_t *count,
                       uint64_t *sum)
{
    struct cbuf arr = {0}, what = {0};
    put(&arr, "{");
    for (size_t i = 1; i < k->n; i++) {
        char t[32];
        snprintf(t, sizeof t, "%s%lld", i > 1 ? "," : "", (long long)k->v[i].v[0].i + 1);
        put(&arr, t);
    }
    put(&arr, "}");
    put(&what, "width_bucket(");
    put(&what, c->s[side].keys);
    put(&what, ", $1::bigint[]), ");
    put(&what, c->s[side].sums);
    struct cval first = {.t = CV_TEXT, .s = arr.p, .n = arr.n};
    struct rows r;
    int rc = arr.oom || what.oom ? -1
             : side_query(c, side, &first, what.p, NULL, &k->v[0],
                          k->last ? NULL : &k->v[k->n - 1], NULL, NULL, 0, " GROUP BY 1", NULL,
                          &r);
    cbuf_free(&arr);
    cbuf_free(&what);
    if (rc != 0)
        return -1;
    size_t n = range_count(k);
    for (size_t i = 0; i < r.n; i++) {
        const struct cval *v = &r.v[i * r.ncol];
        long long b = v[0].t == CV_TEXT ? strtoll(v[0].s, NULL, 10) : -1;
        if (b < 0 || (size_t)b >= n)
            continue; /* beyond the segment: the WHERE keeps none */
        count[b] = v[1].t == CV_TEXT ? strtoll(v[1].s, NULL, 10) : 0;
        sum[b] = v[2].t == CV_TEXT ? strtoull(v[2].s, NULL, 10) : 0;
    }
    rows_free(&r);
    c->r->ranges += (int64_t)n;
    return 0;
}

static void *side_scan_run(void *arg)
{
    struct side_scan *s = arg;
    s->c.err = &s->err;
    s->c.r = &s->r;
    s->rc = 0;
    if (bucketable(&s->c, s->side, s->k)) {
        s->rc = bucket_sums(&s->c, s->side, s->k, s->count, s->sum);
    } else {
        for (size_t i = 0; i < range_count(s->k) && s->rc == 0; i++)
            s->rc = checksum(&s->c, s->side, &s->k->v[i], range_hi(s->k, i), &s->count[i],
                             &s->sum[i]);
    }
    /* old's keys for the next segment, cut while new still sums this one */
    if (s->rc == 0 && s->next)
        s->rc = cut(&s->c, &s->k->v[s->k->n - 1], s->next_ranges, s->next);
    return NULL;
}

/* Every range's checksums, the two sides at once (old's on a thread of
 * its own), then the ranges that differ settled. */
/* A segment where most ranges are expected to differ (the last one's
 * did): no sums first, the rows' hashes of a run of DENSE ranges read at
 * once on both sides and merged. It stays so while it finds a differing
 * row per four ranges or more. */
static int check_dense(struct pgc *c, const struct cuts *k, struct cuts *next,
                       size_t next_ranges)
{
    enum { DENSE = 32 };
    size_t n = range_count(k);
    int rc = 0;
    c->hashed_diff = 0;
    for (size_t i = 0; rc == 0 && i < n; i += DENSE) {
        size_t end = i + DENSE < n ? i + DENSE : n;
        int64_t co = 0, cn = 0;
        rc = fetch_hashed(c, &k->v[i], range_hi(k, end - 1), &co, &cn);
        c->r->rows_old += co;
        c->r->rows_new += cn;
        c->r->ranges += 2 * (int64_t)(end - i);
    }
    if (rc == 0 && next && !k->last && k->n > 1)
        rc = cut(c, &k->v[k->n - 1], next_ranges, next);
    c->dense = c->hashed_diff * 4 >= (int64_t)n;
    return rc;
}

static int check_all(struct pgc *c, const struct cuts *k, struct cuts *next, size_t next_ranges)
{
    if (c->dense)
        return check_dense(c, k, next, next_ranges);
    size_t n = range_count(k), differ = 0;
    struct side_scan sides[2];
    int64_t *cnt = calloc(2 * n + 1, sizeof *cnt);
    uint64_t *sum = calloc(2 * n + 1, sizeof *sum);
    if (!cnt || !sum) {
        free(cnt);
        free(sum);
        error_set(c->err, "out of memory");
        return -1;
    }
    for (int side = 0; side < 2; side++)
        sides[side] = (struct side_scan){.c = *c, .k = k, .side = side,
                                         .count = cnt + (size_t)side * n,
                                         .sum = sum + (size_t)side * n};
    if (next && !k->last && k->n > 1) {
        sides[0].next = next;
        sides[0].next_ranges = next_ranges;
    }
    run_both(side_scan_run, &sides[0], &sides[1]);
    int rc = 0;
    for (int side = 0; side < 2; side++) {
        c->s[side] = sides[side].c.s[side]; /* its statements, prepared meanwhile */
        c->r->ranges += sides[side].r.ranges;
        if (sides[side].rc != 0 && rc == 0) {
            error_set(c->err, "%s", sides[side].err.msg);
            rc = -1;
        }
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int64_t co = sides[0].count[i], cn = sides[1].count[i];
        c->r->rows_old += co;
        c->r->rows_new += cn;
        if (co != cn || sides[0].sum[i] != sides[1].sum[i]) {
            differ++;
            rc = settle(c, &k->v[i], range_hi(k, i), co, cn);
        }
    }
    /* many differences: the next segment hashes rows straight away,
     * where sums then a pass over the rows would read them twice */
    c->dense = c->s[0].rowh && c->s[1].rowh && n >= 4 && differ * 4 >= n;
    free(cnt);
    free(sum);
    return rc;
}

/* The suspects read again by key once the snapshots ended, reported if
 * they still differ, and forgotten. */
static int recheck(struct pgc *c)
{
    c->final = 1;
    int64_t fetched = c->r->fetched;
    int rc = fetch_keys(c, c->suspects, c->n_suspects);
    c->r->fetched = fetched; /* read again, not compared anew */
    for (size_t i = 0; i < c->n_suspects; i++)
        bound_free(&c->suspects[i]);
    c->n_suspects = 0;
    c->final = 0;
    return rc;
}

/* The canonical text of value x of type oid, as pg_temp.cutover_canon
 * gives it for x's text, with the checks that the type makes needless
 * left out (a scan evaluates this for every value), and a JSON object
 * walked inline, with no function call but for nested members. */
void pgcompare_canon_sql(struct cbuf *b, const char *x, unsigned oid)
{
    struct cbuf v = {0};
    put(&v, "(");
    put(&v, x);
    put(&v, ")");
    const char *e = v.p ? v.p : "NULL";
    switch (oid) {
    case OID_INT2: case OID_INT4: case OID_INT8:
        put(b, "coalesce('n' || ");
        put(b, e);
        put(b, "::text, 'N')");
        break;
    case OID_NUMERIC:
        put(b, "CASE WHEN ");
        put(b, e);
        put(b, " IS NULL THEN 'N' WHEN ");
        put(b, e);
        put(b, " = 'NaN' THEN 'sNaN' ELSE 'n' || trim_scale(");
        put(b, e);
        put(b, ")::text END");
        break;
    case OID_BOOL:
        put(b, "coalesce('n' || ");
        put(b, e);
        put(b, "::int::text, 'N')");
        break;
    case OID_FLOAT4: case OID_FLOAT8: /* its shortest text, read exactly as a decimal */
        put(b, "CASE WHEN ");
        put(b, e);
        put(b, " IS NULL THEN 'N' WHEN ");
        put(b, e);
        put(b, " IN ('NaN', 'Infinity', '-Infinity') THEN 's' || ");
        put(b, e);
        put(b, "::text ELSE 'n' || trim_scale(");
        put(b, e);
        put(b, "::text::numeric)::text END");
        break;
    case OID_BYTEA:
        put(b, "coalesce('x' || encode(");
        put(b, e);
        put(b, ", 'hex'), 'N')");
        break;
    case OID_TIMESTAMP: case OID_TIMESTAMPTZ:
        put(b, "CASE WHEN ");
        put(b, e);
        put(b, " IS NULL THEN 'N' WHEN isfinite(");
        put(b, e);
        put(b, ") THEN 'T' || (extract(epoch FROM ");
        put(b, e);
        put(b, ") * 1000000)::bigint::text ELSE 's' || ");
        put(b, e);
        put(b, "::text END");
        break;
    case OID_JSON: case OID_JSONB:
        put(b, "CASE WHEN ");
        put(b, e);
        put(b, " IS NULL THEN 'N' WHEN jsonb_typeof(");
        put(b, e);
        put(b, "::jsonb) = 'object' THEN 'j{' || coalesce((SELECT string_agg(to_json(k)::text "
               "|| ':' || " PGDATA_JSON_SCALAR("v") ", ',' ORDER BY k COLLATE \"C\") FROM "
               "jsonb_each(");
        put(b, e);
        put(b, "::jsonb) AS e(k, v)), '') || '}' WHEN jsonb_typeof(");
        put(b, e);
        put(b, "::jsonb) = 'array' THEN 'j' || pg_temp.cutover_cj(");
        put(b, e);
        put(b, "::jsonb) ELSE pg_temp.cutover_canon(");
        put(b, e);
        put(b, "::text) END");
        break;
    default:
        put(b, "pg_temp.cutover_canon(");
        put(b, e);
        put(b, "::text)");
    }
    cbuf_free(&v);
}

/* The side's SQL: on PostgreSQL, the values' types read first (a boolean
 * is compared as 0/1, as SQLite stores it; text keys order COLLATE "C";
 * json and jsonb are canonical JSON). */
static int side_init(struct pgc *c, int side)
{
    struct side *s = &c->s[side];
    struct datajob *j = c->j;
    struct cbuf exprs = {0}, vals = {0}, sums = {0}, keys = {0}, table = {0};
    s->pg = side ? j->new_pg : j->old_pg;
    s->db = side ? j->new_db : j->old_db;
    s->name = side ? "new" : "old";
    datajob_select(j, side, 1, &exprs);
    datajob_table(j, side, NULL, &table);
    int rc = 0;
    if (s->pg) {
        struct cbuf q = {0};
        put(&q, "SELECT ");
        put(&q, exprs.p ? exprs.p : "");
        put(&q, " FROM ");
        put(&q, table.p ? table.p : "");
        put(&q, " LIMIT 0");
        PGresult *r = q.oom ? NULL : pgdata_query(s->pg, s->name, q.p, 0, NULL, c->err);
        cbuf_free(&q);
        /* the per-range sums group by a computed bucket whose count the
         * planner guesses as one per row, and so sorts (to disk) where a
         * hash of a few hundred groups is what it needs; and no JIT: the
         * cost enable_sort adds to any sort left in a plan sets JIT off,
         * and compiling a statement took 0.3-0.6 s each execution, longer
         * than the segment's scan it was meant to speed up */
        if (!r || pgdata_install_canon(s->pg, c->err) != 0 ||
            pgdata_exec(s->pg, s->name, "SET enable_sort = off; SET jit = off", c->err) != 0)
            rc = -1;
        for (size_t i = 0; r && i < c->n && i < MAXCOL; i++)
            s->oid[i] = s->type[i] = PQftype(r, (int)i);
        PQclear(r);
        put(&sums, "count(*), ((coalesce(sum(pg_temp.cutover_rowsum(");
        size_t at = 0;
        for (size_t i = 0; i < j->plan.n_cols; i++) {
            const struct map_col *m = &j->plan.cols[i];
            if (!m->compared)
                continue;
            struct cbuf e = {0};
            if (side)
                map_quote(&e, m->name);
            else
                put(&e, m->old_sql);
            const char *x = e.p ? e.p : "NULL";
            unsigned oid = s->oid[at];
            put(&vals, at ? ", (" : "(");
            put(&vals, x);
            put(&vals, oid == OID_BOOL ? ")::int" : ")");
            if (oid == OID_BOOL)
                s->oid[at] = OID_INT4;
            put(&sums, at ? " || " : "");
            pgcompare_canon_sql(&sums, x, oid);
            put(&sums, " || chr(31)");
            cbuf_free(&e);
            at++;
        }
        put(&sums, ")), 0) % 18446744073709551616 + 18446744073709551616) "
                   "% 18446744073709551616)::text");
        for (size_t i = 0; i < c->nk; i++) {
            const struct map_col *m = &j->plan.cols[j->plan.key[i]];
            unsigned oid = s->oid[c->keypos[i]];
            s->koid[i] = oid;
            if (i)
                put(&keys, ", ");
            map_quote(&keys, side ? m->name : m->old_name);
            if (oid == OID_TEXT || oid == OID_VARCHAR || oid == OID_BPCHAR)
                put(&keys, " COLLATE \"C\"");
        }
    } else {
        /* SQLite on both sides: the cheaper FNV checksum (rowhash.h);
         * against PostgreSQL, the MD5 one its SQL computes too */
        if ((c->lite_only ? rowhash_register(s->db) : rowhash_register_md5(s->db)) != SQLITE_OK) {
            error_set(c->err, "compare: %s: cannot register the checksum", s->name);
            rc = -1;
        }
        put(&vals, exprs.p ? exprs.p : "");
        put(&sums, c->lite_only ? "count(*), cutover_rowhash(" : "count(*), cutover_rowmd5(");
        put(&sums, exprs.p ? exprs.p : "");
        put(&sums, ")");
        datajob_keys(j, side, NULL, &keys);
        if (c->lite_only) {
            struct cbuf h = {0};
            put(&h, keys.p ? keys.p : "");
            put(&h, ", cutover_rowhash1(");
            put(&h, exprs.p ? exprs.p : "");
            put(&h, ")");
            if (h.oom)
                rc = -1;
            s->rowh = h.p;
        }
    }
    cbuf_free(&exprs);
    s->vals = vals.p;
    s->sums = sums.p;
    s->keys = keys.p;
    s->table = table.p;
    if (rc == 0 && (vals.oom || sums.oom || keys.oom || table.oom || !s->vals || !s->keys)) {
        error_set(c->err, "out of memory");
        rc = -1;
    }
    return rc;
}

/* PostgreSQL on both sides: pgrowsum.h's cheaper checksum replaces the
 * canonical text's, on both at once (each side's form depends on both
 * sides' types). */
static int both_pg(struct pgc *c)
{
    int typed = 0;
    if (pgrowsum_probe(c->s[0].pg, c->s[1].pg, &typed, c->err) != 0)
        return -1;
    const char *x[MAXCOL];
    struct cbuf e[MAXCOL];
    for (int side = 0; side < 2; side++) {
        size_t at = 0;
        for (size_t i = 0; i < c->j->plan.n_cols; i++) {
            const struct map_col *m = &c->j->plan.cols[i];
            if (!m->compared)
                continue;
            e[at] = (struct cbuf){0};
            if (side)
                map_quote(&e[at], m->name);
            else
                put(&e[at], m->old_sql);
            x[at] = e[at].p ? e[at].p : "NULL";
            at++;
        }
        struct cbuf sums = {0}, rowh = {0};
        pgrowsum_sql(&sums, x, c->s[side].type, c->s[!side].type, at, typed);
        put(&rowh, c->s[side].keys);
        put(&rowh, ", ");
        pgrowsum_row(&rowh, x, c->s[side].type, c->s[!side].type, at, typed);
        for (size_t i = 0; i < at; i++)
            cbuf_free(&e[i]);
        if (sums.oom || rowh.oom) {
            cbuf_free(&sums);
            cbuf_free(&rowh);
            error_set(c->err, "out of memory");
            return -1;
        }
        free(c->s[side].sums);
        c->s[side].sums = sums.p;
        c->s[side].rowh = rowh.p;
        for (size_t i = 0; i < c->nk; i++)
            c->s[side].hoid[i] = c->s[side].koid[i];
        c->s[side].hoid[c->nk] = OID_INT8;
    }
    return 0;
}

static int snapshot(struct pgc *c, int begin)
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
    return 0;
}

/* old's rows now (the progress's total). */
static int count_old(struct pgc *c, int64_t *n)
{
    /* PostgreSQL: the planner's estimate when it says 100,000 rows or
     * more (a progress bar's total; counting them is a whole scan of
     * the key, 5 % of a comparison) */
    if (c->s[0].pg) {
        const char *tp[1] = {c->s[0].table};
        PGresult *e = pgdata_query(c->s[0].pg, "compare: old",
                                   "SELECT reltuples::bigint FROM pg_class WHERE oid = "
                                   "to_regclass($1)", 1, tp, NULL);
        long long est = e && PQntuples(e) == 1 ? strtoll(PQgetvalue(e, 0, 0), NULL, 10) : -1;
        PQclear(e);
        if (est >= 100000) {
            *n = est;
            return 0;
        }
    }
    struct rows r;
    if (side_rows(c, 0, "count(*)", NULL, NULL, NULL, NULL, 0, NULL, &r) != 0)
        return -1;
    *n = r.n && r.v[0].t == CV_INT ? r.v[0].i
         : r.n && r.v[0].t == CV_TEXT ? strtoll(r.v[0].s, NULL, 10) : 0;
    rows_free(&r);
    return 0;
}

static int progress(struct pgc *c, int64_t total, const struct bound *after, int done)
{
    if (!c->o->on_progress)
        return 0;
    struct compare_progress p = {c->r, total, c->nk, after && after->set ? after->v : NULL, done};
    return c->o->on_progress(&p, c->o->ctx, c->err);
}

/* The whole comparison, segment after segment from opts.after: each read
 * in one snapshot per side, its suspects settled after it, then reported
 * as verified. A segment is sized to take about segment_ms. */
static int run_whole(struct pgc *c)
{
    const struct compare_opts *o = c->o;
    struct bound from = {0};
    if (o->after && o->n_after == c->nk) {
        from.set = 1;
        for (size_t i = 0; i < c->nk; i++)
            from.v[i] = cv_dup(&o->after[i]);
    }
    int64_t total = 0;
    int rc = count_old(c, &total);
    int64_t target = o->segment_ms > 0 ? o->segment_ms : 1000;
    size_t ranges = 4, most = 4096;
    if (o->segment_rows > 0)
        most = o->segment_rows / CHUNK > 0 ? (size_t)(o->segment_rows / CHUNK) : 1;
    if (ranges > most)
        ranges = most;
    /* the first segment's keys; each next one's are cut by old's thread
     * while new sums the current one */
    struct cuts k = {0}, next = {0};
    if (rc == 0)
        rc = cut(c, &from, ranges, &k);
    int last = 0;
    while (rc == 0 && !last) {
        int64_t t0 = o->now_ms ? o->now_ms() : 0;
        size_t upcoming = ranges > most ? most : ranges;
        rc = snapshot(c, 1);
        if (rc == 0)
            rc = check_all(c, &k, &next, upcoming);
        snapshot(c, 0);
        if (rc == 0)
            rc = recheck(c);
        last = k.last;
        if (rc == 0 && k.n > 1) {
            bound_free(&from);
            from = k.v[k.n - 1];
            k.v[k.n - 1] = (struct bound){0};
        }
        cuts_free(&k);
        k = next;
        next = (struct cuts){0};
        if (rc == 0 && !last && !k.v)
            rc = cut(c, &from, upcoming, &k); /* no next cut was made (one side errs) */
        if (rc == 0 && !last)
            rc = progress(c, total, &from, 0);
        if (o->now_ms) {
            int64_t took = o->now_ms() - t0;
            if (took < target / 2 && ranges < most)
                ranges *= 2;
            else if (took > 2 * target && ranges > 1)
                ranges /= 2;
        }
    }
    cuts_free(&k);
    cuts_free(&next);
    if (rc == 0)
        rc = progress(c, total, &from, 1);
    bound_free(&from);
    return rc;
}

/* N keys drawn uniformly from old's (every key as likely; ORDER BY
 * random() costs one scan of the key, a fraction of a comparison's), each
 * row compared through the mapping; those that differ read again, then
 * reported. Rows only new has are not seen by a sample of old's keys. */
static int run_sample(struct pgc *c)
{
    char tail[64];
    snprintf(tail, sizeof tail, " ORDER BY random() LIMIT %lld", (long long)c->o->sample);
    struct rows keys;
    if (side_rows(c, 0, c->s[0].keys, c->s[0].koid, NULL, NULL, NULL, 0, tail, &keys) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < keys.n; i++) {
        struct bound eq = {.set = 1};
        for (size_t k = 0; k < c->nk; k++)
            eq.v[k] = keys.v[i * keys.ncol + k];
        struct rows o, n;
        if (side_rows(c, 0, c->s[0].vals, c->s[0].oid, NULL, NULL, &eq, 0, NULL, &o) != 0) {
            rc = -1;
            break;
        }
        if (side_rows(c, 1, c->s[1].vals, c->s[1].oid, NULL, NULL, &eq, 0, NULL, &n) != 0) {
            rows_free(&o);
            rc = -1;
            break;
        }
        c->r->sampled++;
        c->r->rows_old += (int64_t)o.n;
        c->r->rows_new += (int64_t)n.n;
        if (o.n)
            rc = report(c, o.v, n.n ? n.v : NULL);
        rows_free(&o);
        rows_free(&n);
    }
    rows_free(&keys);
    if (rc == 0)
        rc = recheck(c);
    c->r->rate = c->r->sampled ? (double)c->r->divergent / (double)c->r->sampled : 0;
    compare_wilson(c->r->divergent, c->r->sampled, &c->r->rate_low, &c->r->rate_high);
    return rc;
}

int pgcompare_run(struct datajob *j, const struct compare_opts *o, struct compare_result *r,
                  struct error *err)
{
    *r = o->prior;
    struct pgc c = {.j = j, .o = o, .r = r, .err = err, .nk = j->plan.n_key};
    c.names = calloc(j->plan.n_cols ? j->plan.n_cols : 1, sizeof *c.names);
    if (!c.names) {
        error_set(err, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < j->plan.n_cols; i++) {
        if (!j->plan.cols[i].compared)
            continue;
        for (size_t k = 0; k < j->plan.n_key; k++)
            if (j->plan.key[k] == i)
                c.keypos[k] = c.n;
        c.names[c.n++] = j->plan.cols[i].name;
    }
    c.lite_only = !j->old_pg && !j->new_pg;
    int rc = c.n > MAXCOL ? (error_set(err, "compare: more than %d columns", MAXCOL), -1) : 0;
    for (int side = 0; side < 2 && rc == 0; side++)
        rc = side_init(&c, side);
    if (rc == 0 && j->old_pg && j->new_pg)
        rc = both_pg(&c);
    if (rc == 0)
        rc = o->sample > 0 ? run_sample(&c) : run_whole(&c);
    for (size_t i = 0; i < c.n_suspects; i++)
        bound_free(&c.suspects[i]);
    free(c.suspects);
    for (int side = 0; side < 2; side++) {
        free(c.s[side].vals);
        free(c.s[side].sums);
        free(c.s[side].rowh);
        free(c.s[side].keys);
        free(c.s[side].table);
        for (size_t i = 0; i < c.s[side].n_stmt; i++)
            free(c.s[side].stmt[i]);
        if (c.s[side].pg)
            PQclear(PQexec(c.s[side].pg, "DEALLOCATE ALL; RESET enable_sort; RESET jit"));
    }
    free(c.names);
    return rc < 0 ? -1 : 0;
}
