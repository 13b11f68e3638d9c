/* compare.c — range checksums, then the rows of the ranges that differ,
 * merged by key (compare.h). A bound is a key (MAP_MAX_KEY values) or
 * open; a range is [lo, hi). */
#include "compare.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgcompare.h"
#include "rowhash.h"

#define CHUNK 1000    /* old's rows per first-level range */
#define FETCH 4096    /* a differing range up to this many rows is fetched whole */

struct bound {
    sqlite3_value *v[MAP_MAX_KEY]; /* v[0] == NULL: open */
};

struct cmp {
    struct datajob *j;
    compare_fn fn;
    void *ctx;
    struct compare_result *r;
    struct error *err;
    size_t n;                  /* compared columns */
    const char **names;        /* their names in new */
    size_t keypos[MAP_MAX_KEY];/* the key's positions among them */
    struct bound *suspects;    /* keys that differed within the snapshots */
    size_t n_suspects, cap_suspects;
    int final;                 /* 1: rows read again, now outside the snapshots */
};

static void put(struct cbuf *b, const char *s) { cbuf_put(b, s, strlen(s)); }

static void bound_free(struct bound *b)
{
    for (size_t i = 0; i < MAP_MAX_KEY; i++) {
        sqlite3_value_free(b->v[i]);
        b->v[i] = NULL;
    }
}

/* SELECT what FROM side WHERE [K >= lo] [AND K < hi] [ORDER BY K] tail */
static char *range_sql(const struct cmp *c, int side, const char *what, const struct bound *lo,
                       const struct bound *hi, int order, const char *tail)
{
    struct cbuf b = {0};
    put(&b, "SELECT ");
    if (what)
        put(&b, what);
    else
        datajob_select(c->j, side, 1, &b);
    put(&b, " FROM ");
    datajob_table(c->j, side, NULL, &b);
    put(&b, " WHERE 1");
    if (lo && lo->v[0]) {
        put(&b, " AND ");
        datajob_key_cmp(c->j, side, ">=", &b);
    }
    if (hi && hi->v[0]) {
        put(&b, " AND ");
        datajob_key_cmp(c->j, side, "<", &b);
    }
    if (order) {
        put(&b, " ORDER BY ");
        datajob_keys(c->j, side, NULL, &b);
    }
    if (tail)
        put(&b, tail);
    return b.oom ? (free(b.p), NULL) : b.p;
}

static sqlite3_stmt *prepare(struct cmp *c, int side, const char *what, const struct bound *lo,
                             const struct bound *hi, int order, const char *tail)
{
    sqlite3 *db = side ? c->j->new_db : c->j->old_db;
    char *sql = range_sql(c, side, what, lo, hi, order, tail);
    sqlite3_stmt *st = NULL;
    if (!sql || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        error_set(c->err, "compare: %s: %s", side ? "new" : "old",
                  sql ? sqlite3_errmsg(db) : "out of memory");
        free(sql);
        return NULL;
    }
    free(sql);
    int at = 1;
    for (size_t i = 0; lo && lo->v[0] && i < c->j->plan.n_key; i++)
        sqlite3_bind_value(st, at++, lo->v[i]);
    for (size_t i = 0; hi && hi->v[0] && i < c->j->plan.n_key; i++)
        sqlite3_bind_value(st, at++, hi->v[i]);
    return st;
}

static int step_error(struct cmp *c, int side, sqlite3_stmt *st)
{
    error_set(c->err, "compare: %s: %s", side ? "new" : "old",
              sqlite3_errmsg(side ? c->j->new_db : c->j->old_db));
    sqlite3_finalize(st);
    return -1;
}

/* count(*) and the checksum of one side's range. */
static int checksum(struct cmp *c, int side, const struct bound *lo, const struct bound *hi,
                    int64_t *count, int64_t *sum)
{
    struct cbuf what = {0};
    put(&what, "count(*), cutover_rowhash(");
    datajob_select(c->j, side, 1, &what);
    put(&what, ")");
    sqlite3_stmt *st = what.oom ? NULL : prepare(c, side, what.p, lo, hi, 0, NULL);
    cbuf_free(&what);
    if (!st)
        return -1;
    if (sqlite3_step(st) != SQLITE_ROW)
        return step_error(c, side, st);
    *count = sqlite3_column_int64(st, 0);
    *sum = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    c->r->ranges++;
    return 0;
}

/* The key `offset` rows into the range on one side; 1 found, 0 not, -1. */
static int key_at(struct cmp *c, int side, const struct bound *lo, const struct bound *hi,
                  int64_t offset, struct bound *out)
{
    struct cbuf what = {0}, tail = {0};
    char t[48];
    datajob_keys(c->j, side, NULL, &what);
    snprintf(t, sizeof t, " LIMIT 1 OFFSET %lld", (long long)offset);
    put(&tail, t);
    sqlite3_stmt *st = what.oom ? NULL : prepare(c, side, what.p, lo, hi, 1, tail.p);
    cbuf_free(&what);
    cbuf_free(&tail);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        for (size_t i = 0; i < c->j->plan.n_key; i++)
            out->v[i] = sqlite3_value_dup(sqlite3_column_value(st, (int)i));
    else if (rc != SQLITE_DONE)
        return step_error(c, side, st);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW;
}

/* SQLite's order of values (BINARY collation): NULL, numbers, text, blob. */
static int value_cmp(sqlite3_value *a, sqlite3_value *b)
{
    static const int rank[] = {0, 1, 1, 2, 3, 0}; /* by SQLITE_INTEGER=1 … SQLITE_NULL=5 */
    int ta = sqlite3_value_type(a), tb = sqlite3_value_type(b);
    if (rank[ta] != rank[tb])
        return rank[ta] < rank[tb] ? -1 : 1;
    if (rank[ta] == 0)
        return 0;
    if (rank[ta] == 1) {
        if (ta == SQLITE_INTEGER && tb == SQLITE_INTEGER) {
            sqlite3_int64 x = sqlite3_value_int64(a), y = sqlite3_value_int64(b);
            return x < y ? -1 : x > y;
        }
        double x = sqlite3_value_double(a), y = sqlite3_value_double(b);
        return x < y ? -1 : x > y;
    }
    const void *pa = rank[ta] == 2 ? (const void *)sqlite3_value_text(a) : sqlite3_value_blob(a);
    const void *pb = rank[tb] == 2 ? (const void *)sqlite3_value_text(b) : sqlite3_value_blob(b);
    int na = sqlite3_value_bytes(a), nb = sqlite3_value_bytes(b);
    int m = memcmp(pa ? pa : "", pb ? pb : "", (size_t)(na < nb ? na : nb));
    return m ? m : na < nb ? -1 : na > nb;
}

static int key_cmp(const struct cmp *c, sqlite3_stmt *o, sqlite3_stmt *n)
{
    for (size_t i = 0; i < c->j->plan.n_key; i++) {
        int d = value_cmp(sqlite3_column_value(o, (int)c->keypos[i]),
                          sqlite3_column_value(n, (int)c->keypos[i]));
        if (d)
            return d;
    }
    return 0;
}

static void key_text(const struct cmp *c, sqlite3_stmt *st, struct cbuf *b)
{
    for (size_t i = 0; i < c->j->plan.n_key; i++) {
        const unsigned char *t = sqlite3_column_text(st, (int)c->keypos[i]);
        if (i)
            put(b, ",");
        put(b, t ? (const char *)t : "NULL");
    }
    cbuf_put(b, "", 0);
}

/* Keeps a differing row's key, to be read again once the scan is over. */
static int suspect(struct cmp *c, sqlite3_stmt *st)
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
    *b = (struct bound){0};
    for (size_t i = 0; i < c->j->plan.n_key; i++)
        if (!(b->v[i] = sqlite3_value_dup(sqlite3_column_value(st, (int)c->keypos[i])))) {
            error_set(c->err, "out of memory");
            return -1;
        }
    return 0;
}

/* Reports one row: missing (n NULL), extra (o NULL) or its differing
 * columns — in the first pass only as a suspect. */
static int report(struct cmp *c, sqlite3_stmt *o, sqlite3_stmt *n)
{
    struct cval ov[64], nv[64];
    const char *cols[64];
    size_t k = 0;
    enum canon_cause cause = !n ? CAUSE_MISSING_IN_NEW : CAUSE_EXTRA_IN_NEW;
    for (size_t i = 0; i < c->n && k < 64; i++) {
        struct cval a = o ? rowhash_cval(sqlite3_column_value(o, (int)i)) : (struct cval){0};
        struct cval b = n ? rowhash_cval(sqlite3_column_value(n, (int)i)) : (struct cval){0};
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
    int rc = c->fn ? c->fn(&d, c->ctx, c->err) : 0;
    cbuf_free(&key);
    return rc;
}

/* Both sides' rows of [lo, hi), merged by key. */
static int fetch(struct cmp *c, const struct bound *lo, const struct bound *hi)
{
    sqlite3_stmt *o = prepare(c, 0, NULL, lo, hi, 1, NULL);
    sqlite3_stmt *n = o ? prepare(c, 1, NULL, lo, hi, 1, NULL) : NULL;
    if (!n) {
        sqlite3_finalize(o);
        return -1;
    }
    int ro = sqlite3_step(o), rn = sqlite3_step(n), rc = 0;
    while (rc == 0 && (ro == SQLITE_ROW || rn == SQLITE_ROW)) {
        int d = ro != SQLITE_ROW ? 1 : rn != SQLITE_ROW ? -1 : key_cmp(c, o, n);
        rc = report(c, d <= 0 ? o : NULL, d >= 0 ? n : NULL);
        if (d <= 0)
            ro = sqlite3_step(o), c->r->fetched++;
        if (d >= 0)
            rn = sqlite3_step(n), c->r->fetched++;
    }
    if (rc == 0 && ro != SQLITE_DONE)
        rc = step_error(c, 0, o), o = NULL;
    if (rc == 0 && rn != SQLITE_DONE)
        rc = step_error(c, 1, n), n = NULL;
    sqlite3_finalize(o);
    sqlite3_finalize(n);
    return rc;
}

/* A range whose checksums differ: fetched when small, else cut in two at
 * the middle key of its larger side and each half checked again. */
static int settle(struct cmp *c, const struct bound *lo, const struct bound *hi,
                  int64_t count_old, int64_t count_new)
{
    int64_t most = count_old > count_new ? count_old : count_new;
    if (most <= FETCH)
        return fetch(c, lo, hi);
    struct bound mid = {0};
    int side = count_new > count_old;
    int rc = key_at(c, side, lo, hi, most / 2, &mid);
    if (rc <= 0)
        return rc < 0 ? -1 : fetch(c, lo, hi);
    for (int half = 0; half < 2 && rc >= 0; half++) {
        const struct bound *a = half ? &mid : lo, *b = half ? hi : &mid;
        int64_t co, cn, so, sn;
        rc = checksum(c, 0, a, b, &co, &so);
        if (rc == 0)
            rc = checksum(c, 1, a, b, &cn, &sn);
        if (rc == 0 && (co != cn || so != sn))
            rc = settle(c, a, b, co, cn);
    }
    bound_free(&mid);
    return rc;
}

/* The first-level ranges: cut along old's keys, CHUNK rows each. bounds[0]
 * is open (before the first key); range i is [bounds[i], bounds[i + 1]),
 * the last one open at its end. */
struct cuts {
    struct bound *v;
    size_t n;
};

static int cut(struct cmp *c, struct cuts *k)
{
    for (;;) {
        struct bound *v = realloc(k->v, (k->n + 1) * sizeof *v);
        if (!v) {
            error_set(c->err, "out of memory");
            return -1;
        }
        k->v = v;
        if (k->n == 0) {
            k->v[k->n++] = (struct bound){0};
            continue;
        }
        struct bound next = {0};
        int rc = key_at(c, 0, &k->v[k->n - 1], NULL, CHUNK, &next);
        if (rc <= 0)
            return rc;
        k->v[k->n++] = next;
    }
}

/* One side's checksums of every range, on a thread of its own: the two
 * databases scan at once. */
struct side_scan {
    struct cmp c;                 /* a copy, with its own err and counts */
    struct error err;
    struct compare_result r;
    const struct cuts *k;
    int side;
    int64_t *count, *sum;
    int rc;
};

static void *side_scan_run(void *arg)
{
    struct side_scan *s = arg;
    s->c.err = &s->err;
    s->c.r = &s->r;
    s->rc = 0;
    for (size_t i = 0; i < s->k->n && s->rc == 0; i++)
        s->rc = checksum(&s->c, s->side, &s->k->v[i], i + 1 < s->k->n ? &s->k->v[i + 1] : NULL,
                         &s->count[i], &s->sum[i]);
    return NULL;
}

static int check_all(struct cmp *c, const struct cuts *k)
{
    struct side_scan sides[2];
    int64_t *v = calloc(4 * k->n, sizeof *v);
    if (!v) {
        error_set(c->err, "out of memory");
        return -1;
    }
    for (int side = 0; side < 2; side++)
        sides[side] = (struct side_scan){.c = *c, .k = k, .side = side,
                                         .count = v + (size_t)side * 2 * k->n,
                                         .sum = v + (size_t)side * 2 * k->n + k->n};
    pthread_t t;
    int threaded = pthread_create(&t, NULL, side_scan_run, &sides[0]) == 0;
    if (!threaded)
        side_scan_run(&sides[0]);
    side_scan_run(&sides[1]);
    if (threaded)
        pthread_join(t, NULL);
    int rc = 0;
    for (int side = 0; side < 2; side++) {
        c->r->ranges += sides[side].r.ranges;
        if (sides[side].rc != 0 && rc == 0) {
            error_set(c->err, "%s", sides[side].err.msg);
            rc = -1;
        }
    }
    for (size_t i = 0; rc == 0 && i < k->n; i++) {
        int64_t co = sides[0].count[i], cn = sides[1].count[i];
        c->r->rows_old += co;
        c->r->rows_new += cn;
        if (co != cn || sides[0].sum[i] != sides[1].sum[i])
            rc = settle(c, &k->v[i], i + 1 < k->n ? &k->v[i + 1] : NULL, co, cn);
    }
    free(v);
    return rc;
}

/* The suspects read again, each side's row by its key, after the scan's
 * snapshots ended: a row that dual-write changed while the ranges were
 * read, and that agrees now, is not called divergent. */
static int recheck(struct cmp *c)
{
    sqlite3_stmt *st[2] = {NULL, NULL};
    int rc = 0;
    for (int side = 0; side < 2 && rc == 0; side++) {
        struct cbuf b = {0};
        cbuf_put(&b, "SELECT ", 7);
        datajob_select(c->j, side, 1, &b);
        cbuf_put(&b, " FROM ", 6);
        datajob_table(c->j, side, NULL, &b);
        cbuf_put(&b, " WHERE ", 7);
        datajob_key_cmp(c->j, side, "=", &b);
        sqlite3 *db = side ? c->j->new_db : c->j->old_db;
        if (b.oom || sqlite3_prepare_v2(db, b.p, -1, &st[side], NULL) != SQLITE_OK) {
            error_set(c->err, "compare: %s: %s", side ? "new" : "old",
                      b.oom ? "out of memory" : sqlite3_errmsg(db));
            rc = -1;
        }
        cbuf_free(&b);
    }
    c->final = 1;
    for (size_t i = 0; rc == 0 && i < c->n_suspects; i++) {
        int found[2];
        for (int side = 0; side < 2 && rc == 0; side++) {
            sqlite3_reset(st[side]);
            for (size_t k = 0; k < c->j->plan.n_key; k++)
                sqlite3_bind_value(st[side], (int)k + 1, c->suspects[i].v[k]);
            int r = sqlite3_step(st[side]);
            found[side] = r == SQLITE_ROW;
            if (r != SQLITE_ROW && r != SQLITE_DONE)
                rc = step_error(c, side, st[side]), st[side] = NULL;
        }
        if (rc == 0 && (found[0] || found[1]))
            rc = report(c, found[0] ? st[0] : NULL, found[1] ? st[1] : NULL);
    }
    sqlite3_finalize(st[0]);
    sqlite3_finalize(st[1]);
    return rc;
}

int compare_run(struct datajob *j, compare_fn fn, void *ctx, struct compare_result *r,
                struct error *err)
{
    if (j->old_pg || j->new_pg)
        return pgcompare_run(j, fn, ctx, r, err);
    *r = (struct compare_result){0};
    struct cmp c = {.j = j, .fn = fn, .ctx = ctx, .r = r, .err = err};
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
    /* Both sides read one snapshot each, however long the comparison. */
    sqlite3_exec(j->old_db, "BEGIN", NULL, NULL, NULL);
    sqlite3_exec(j->new_db, "BEGIN", NULL, NULL, NULL);
    struct cuts k = {0};
    int rc = cut(&c, &k);
    if (rc >= 0)
        rc = check_all(&c, &k);
    for (size_t i = 0; i < k.n; i++)
        bound_free(&k.v[i]);
    free(k.v);
    sqlite3_exec(j->old_db, "COMMIT", NULL, NULL, NULL);
    sqlite3_exec(j->new_db, "COMMIT", NULL, NULL, NULL);
    if (rc >= 0)
        rc = recheck(&c);
    for (size_t i = 0; i < c.n_suspects; i++)
        bound_free(&c.suspects[i]);
    free(c.suspects);
    free(c.names);
    return rc < 0 ? -1 : 0;
}
