/* pgcompare_rows.c — a differing range's rows (pgcompare_internal.h):
 * read on both sides, whole or as each row's hash first, merged by key and
 * compared column by column; a row that differs is a suspect until it is
 * read again after the snapshots (recheck), then reported. */
#include "pgcompare_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int key_cmp(const struct pgc *c, const struct cval *o, const struct cval *n)
{
    for (size_t i = 0; i < c->nk; i++) {
        int d = pgc_key_cmp(c, i, &o[c->keypos[i]], &n[c->keypos[i]]);
        if (d)
            return d;
    }
    return 0;
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
        b->v[i] = pgc_cv_dup(&row[c->keypos[i]]);
    return 0;
}

/* One row: missing (n NULL), extra (o NULL) or its differing columns; in
 * the first pass only kept as a suspect. */
int pgc_report(struct pgc *c, const struct cval *o, const struct cval *n)
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
    struct cval kv[MAP_MAX_KEY];
    for (size_t i = 0; i < c->nk; i++)
        kv[i] = (o ? o : n)[c->keypos[i]];
    struct cbuf key = {0};
    canon_key_text(&key, kv, c->nk);
    struct divergence d = {cause, key.p ? key.p : "", kv, c->nk, k, cols, o ? ov : NULL,
                           n ? nv : NULL};
    c->r->divergent++;
    c->r->by_cause[cause]++;
    int rc = c->o->on_divergence ? c->o->on_divergence(&d, c->o->ctx, c->err) : 0;
    cbuf_free(&key);
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
        rc = pgc_report(c, d <= 0 ? ro : NULL, d >= 0 ? rn : NULL);
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
    if (pgc_both_query(c, what, types, NULL, NULL, lo, hi, r) != 0)
        return -1;
    int rc = merge_report(c, &r[0], &r[1]);
    pgc_rows_free(&r[0]);
    pgc_rows_free(&r[1]);
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
                 : pgc_both_query(c, what, types, first, cd, NULL, NULL, r);
            if (rc == 0) {
                rc = merge_report(c, &r[0], &r[1]);
                pgc_rows_free(&r[0]);
                pgc_rows_free(&r[1]);
            }
        } else {
            for (size_t i = at; rc == 0 && i < at + m; i++) {
                struct rows o, nw;
                if (pgc_side_rows(c, 0, c->s[0].vals, c->s[0].oid, NULL, NULL, &keys[i], 0, NULL,
                                  &o) != 0)
                    rc = -1;
                else if (pgc_side_rows(c, 1, c->s[1].vals, c->s[1].oid, NULL, NULL, &keys[i], 0,
                                       NULL, &nw) != 0)
                    pgc_rows_free(&o), rc = -1;
                if (rc != 0)
                    break;
                c->r->fetched += (int64_t)(o.n + nw.n);
                if (o.n || nw.n)
                    rc = pgc_report(c, o.n ? o.v : NULL, nw.n ? nw.v : NULL);
                pgc_rows_free(&o);
                pgc_rows_free(&nw);
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
        int d = pgc_key_cmp(c, i, &a[i], &b[i]);
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
int pgc_fetch_hashed(struct pgc *c, const struct bound *lo, const struct bound *hi,
                     int64_t *count_old, int64_t *count_new)
{
    const char *what[2] = {c->s[0].rowh, c->s[1].rowh};
    const unsigned *types[2] = {c->s[0].hoid, c->s[1].hoid};
    struct rows h[2];
    if (pgc_both_query(c, what, types, NULL, NULL, lo, hi, h) != 0)
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
                want[nw].v[i] = pgc_cv_dup(&k[i]);
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
    pgc_rows_free(&h[0]);
    pgc_rows_free(&h[1]);
    c->hashed_diff += (int64_t)nw;
    if (rc == 0)
        rc = fetch_keys(c, want, nw);
    for (size_t i = 0; i < nw; i++)
        pgc_bound_free(&want[i]);
    free(want);
    return rc;
}

int pgc_fetch(struct pgc *c, const struct bound *lo, const struct bound *hi)
{
    return c->s[0].rowh && c->s[1].rowh ? pgc_fetch_hashed(c, lo, hi, NULL, NULL)
                                        : fetch_rows(c, lo, hi);
}

/* The suspects read again by key once the snapshots ended, reported if
 * they still differ, and forgotten. */
int pgc_recheck(struct pgc *c)
{
    c->final = 1;
    int64_t fetched = c->r->fetched;
    int rc = fetch_keys(c, c->suspects, c->n_suspects);
    c->r->fetched = fetched; /* read again, not compared anew */
    for (size_t i = 0; i < c->n_suspects; i++)
        pgc_bound_free(&c->suspects[i]);
    c->n_suspects = 0;
    c->final = 0;
    return rc;
}
