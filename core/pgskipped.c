/* pgskipped.c — rows that reached old and not new (pgskipped.h): the
 * candidates' keys gathered from the capture and from old's time column,
 * one key once (the capture's writer wins), then asked of new in batches
 * with the writer beside each key, so new answers grouped. */
#include "pgskipped.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datajob.h"
#include "pgwriters.h"

int pgskip_keys_resolve(const struct runbook *rb, struct pgskip_keys *k, struct error *err)
{
    memset(k, 0, sizeof *k);
    struct datajob j;
    int rc = datajob_open(&j, rb, err);
    for (size_t i = 0; rc == 0 && i < j.plan.n_key; i++) {
        const struct map_col *c = &j.plan.cols[j.plan.key[i]];
        k->old_col[k->n] = strdup(c->old_name);
        k->new_col[k->n] = strdup(c->name);
        k->n++;
        if (!k->old_col[i] || !k->new_col[i]) {
            error_set(err, "out of memory");
            rc = -1;
        }
    }
    datajob_close(&j);
    if (rc != 0)
        pgskip_keys_free(k);
    return rc;
}

void pgskip_keys_free(struct pgskip_keys *k)
{
    for (size_t i = 0; i < k->n; i++) {
        free(k->old_col[i]);
        free(k->new_col[i]);
    }
    memset(k, 0, sizeof *k);
}

struct cand {
    char *key;
    const char *app, *role;   /* the capture's (not owned), or "" */
};

static int by_key(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    /* the capture's writer first, so it is the one kept */
    return c ? c : (y->app[0] || y->role[0]) - (x->app[0] || x->role[0]);
}

struct cands {
    struct cand *v;
    size_t n, cap;
    int cut;
};

static int push(struct cands *c, const char *key, const char *app, const char *role)
{
    if (c->n >= PGSKIP_MAX) {
        c->cut = 1;
        return 0;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        struct cand *v = realloc(c->v, cap * sizeof *v);
        if (!v)
            return -1;
        c->v = v, c->cap = cap;
    }
    struct cand *slot = &c->v[c->n];
    slot->key = strdup(key);
    if (!slot->key)
        return -1;
    slot->app = app;
    slot->role = role;
    c->n++;
    return 0;
}

/* The table's name as PostgreSQL resolves it, quoted as regclass prints
 * it (malloc'd), or NULL with err. */
static char *resolve(PGconn *pg, const char *table, const char *side, struct error *err)
{
    const char *p[] = {table};
    PGresult *r = PQexecParams(pg, "SELECT to_regclass($1)::text", 1, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        pgw_fail(r, "cannot resolve a table", err);
        return NULL;
    }
    char *name = PQgetisnull(r, 0, 0) ? NULL : strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    if (!name)
        error_set(err, "the %s table `%.100s` is not in the %s database", side, table, side);
    return name;
}

/* Old's rows written since the time, by its column. */
static int from_column(PGconn *old, const struct pgskip_request *q, struct cands *c,
                       struct error *err)
{
    char key[600], sql[2000];
    char *tbl = resolve(old, q->old_table, "old", err);
    if (!tbl)
        return -1;
    char *col = PQescapeIdentifier(old, q->column, strlen(q->column));
    if (!col || pgcap_key_expr(old, (const char *const *)q->key->old_col, q->key->n, "t", key,
                               sizeof key) != 0) {
        PQfreemem(col);
        free(tbl);
        error_set(err, "the old table's key or column cannot be quoted");
        return -1;
    }
    snprintf(sql, sizeof sql, "SELECT %s FROM %s t WHERE t.%s >= $1::timestamptz LIMIT %d", key,
             tbl, col, PGSKIP_MAX + 1);
    PQfreemem(col);
    free(tbl);
    const char *t[] = {q->since};
    PGresult *r = PQexecParams(old, sql, 1, NULL, t, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        return pgw_fail(r, "cannot read old's rows written since dual-write began", err);
    for (int i = 0; i < PQntuples(r); i++)
        if (push(c, PQgetvalue(r, i, 0), "", "") != 0) {
            PQclear(r);
            error_set(err, "out of memory");
            return -1;
        }
    PQclear(r);
    return 0;
}

static struct pgskip_group *group_for(struct pgskip_result *out, const char *app, const char *role)
{
    for (size_t i = 0; i < out->n; i++)
        if (strcmp(out->v[i].app, app) == 0 && strcmp(out->v[i].role, role) == 0)
            return &out->v[i];
    struct pgskip_group *v = realloc(out->v, (out->n + 1) * sizeof *v);
    if (!v)
        return NULL;
    out->v = v;
    struct pgskip_group *g = &v[out->n];
    memset(g, 0, sizeof *g);
    g->app = strdup(app);
    g->role = strdup(role);
    if (!g->app || !g->role) {
        free(g->app);
        free(g->role);
        return NULL;
    }
    out->n++;
    return g;
}

/* Text arrays for libpq: {"a","b"} with " and \ escaped. */
static char *pg_array(const struct cand *v, size_t n, int which)
{
    size_t len = 3;
    for (size_t i = 0; i < n; i++) {
        const char *s = which == 0 ? v[i].key : which == 1 ? v[i].app : v[i].role;
        len += 2 * strlen(s) + 3;
    }
    char *a = malloc(len), *p = a;
    if (!a)
        return NULL;
    *p++ = '{';
    for (size_t i = 0; i < n; i++) {
        const char *s = which == 0 ? v[i].key : which == 1 ? v[i].app : v[i].role;
        if (i)
            *p++ = ',';
        *p++ = '"';
        for (; *s; s++) {
            if (*s == '"' || *s == '\\')
                *p++ = '\\';
            *p++ = *s;
        }
        *p++ = '"';
    }
    *p++ = '}';
    *p = '\0';
    return a;
}

/* A column's type as its table's database names it ("bigint",
 * "character varying(20)"), into buf; -1 with err. */
static int column_type(PGconn *pg, const char *table, const char *col, char *buf, size_t len,
                       struct error *err)
{
    const char *p[] = {table, col};
    PGresult *r = PQexecParams(pg, "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                               "WHERE a.attrelid = $1::regclass AND a.attname = $2 "
                               "AND a.attnum > 0 AND NOT a.attisdropped", 2, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        return pgw_fail(r, "cannot read a key column's type", err);
    int found = PQntuples(r) == 1;
    snprintf(buf, len, "%s", found ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    if (!found)
        error_set(err, "`%.60s` is not a column of %.100s", col, table);
    return found ? 0 : -1;
}

/* "n.\"id\" = ((c.k::jsonb ->> 0)::text)::bigint AND …": each of new's
 * key columns against old's value at its place, read as old's type and
 * cast to new's (old's type is skipped when new's database does not know
 * it: an enum or a domain of old's). */
static int key_match(PGconn *old, PGconn *nw, const struct pgskip_request *q, const char *old_tbl,
                     const char *new_tbl, char *buf, size_t len, struct error *err)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < q->key->n; i++) {
        char ot[128], nt[128];
        if (column_type(old, old_tbl, q->key->old_col[i], ot, sizeof ot, err) != 0 ||
            column_type(nw, new_tbl, q->key->new_col[i], nt, sizeof nt, err) != 0)
            return -1;
        const char *p[] = {ot};
        PGresult *r = PQexecParams(nw, "SELECT to_regtype($1) IS NOT NULL", 1, NULL, p, NULL, NULL, 0);
        int known = PQresultStatus(r) == PGRES_TUPLES_OK && PQgetvalue(r, 0, 0)[0] == 't';
        PQclear(r);
        char *col = PQescapeIdentifier(nw, q->key->new_col[i], strlen(q->key->new_col[i]));
        if (!col) {
            error_set(err, "new's key column cannot be quoted");
            return -1;
        }
        if (n < len)
            n += (size_t)snprintf(buf + n, len - n, "%sn.%s = ((c.k::jsonb ->> %zu)::%s)::%s",
                                  i ? " AND " : "", col, i, known ? ot : "text", nt);
        PQfreemem(col);
    }
    if (n >= len) {
        error_set(err, "the key is too long to look for");
        return -1;
    }
    return 0;
}

static int add_group(struct pgskip_result *out, const char *app, const char *role, long long k,
                     const char *first_key)
{
    struct pgskip_group *g = group_for(out, app, role);
    if (!g)
        return -1;
    if (!g->rows)
        snprintf(g->first_key, sizeof g->first_key, "%s", first_key);
    g->rows += k;
    out->skipped += k;
    return 0;
}

/* One batch asked of new: 0, 1 when a key would not cast to new's type
 * (a data exception: the batch is asked again key by key), -1 with err. */
static int ask_batch(PGconn *nw, const char *sql, const struct cand *v, size_t m,
                     struct pgskip_result *out, struct error *err)
{
    char *a[3] = {pg_array(v, m, 0), pg_array(v, m, 1), pg_array(v, m, 2)};
    if (!a[0] || !a[1] || !a[2]) {
        free(a[0]), free(a[1]), free(a[2]);
        error_set(err, "out of memory");
        return -1;
    }
    const char *p[] = {a[0], a[1], a[2]};
    PGresult *r = PQexecParams(nw, sql, 3, NULL, p, NULL, NULL, 0);
    free(a[0]), free(a[1]), free(a[2]);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        if (state && strncmp(state, "22", 2) == 0) {
            PQclear(r);
            return 1;
        }
        return pgw_fail(r, "cannot look for old's rows in new", err);
    }
    for (int i = 0; i < PQntuples(r); i++)
        if (add_group(out, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), atoll(PQgetvalue(r, i, 2)),
                      PQgetvalue(r, i, 3)) != 0) {
            PQclear(r);
            error_set(err, "out of memory");
            return -1;
        }
    PQclear(r);
    return 0;
}

static int ask_new(PGconn *old, PGconn *nw, const struct pgskip_request *q, const struct cand *v,
                   size_t n, struct pgskip_result *out, struct error *err)
{
    char match[2400], sql[3200];
    char *old_tbl = resolve(old, q->old_table, "old", err);
    char *tbl = old_tbl ? resolve(nw, q->new_table, "new", err) : NULL;
    int rc = tbl ? key_match(old, nw, q, old_tbl, tbl, match, sizeof match, err) : -1;
    if (rc == 0)
        snprintf(sql, sizeof sql,
                 "SELECT c.app, c.role, count(*), (SELECT string_agg(e, ',') FROM "
                 "jsonb_array_elements_text(min(c.k)::jsonb) e) FROM unnest($1::text[], "
                 "$2::text[], $3::text[]) AS c(k, app, role) WHERE NOT EXISTS (SELECT 1 FROM %s n "
                 "WHERE %s) GROUP BY 1, 2", tbl, match);
    free(old_tbl);
    free(tbl);
    for (size_t at = 0; rc == 0 && at < n; at += 5000) {
        size_t m = n - at < 5000 ? n - at : 5000;
        rc = ask_batch(nw, sql, v + at, m, out, err);
        /* a key new's type cannot hold is a row new cannot hold */
        for (size_t k = 0; rc == 1 && k < m; k++) {
            int one = ask_batch(nw, sql, v + at + k, 1, out, err);
            if (one == 1 && add_group(out, v[at + k].app, v[at + k].role, 1, v[at + k].key) != 0)
                error_set(err, "out of memory"), one = -1;
            if (one < 0)
                rc = -1;
        }
        if (rc == 1)
            rc = 0;
    }
    return rc;
}

int pgskip_find(struct pg_conn *old, const struct pgskip_request *q, struct pgskip_result *out,
                struct error *err)
{
    memset(out, 0, sizeof *out);
    struct cands c = {0};
    PGconn *nw = NULL;
    int rc = -1;
    if (q->captured)
        for (size_t i = 0; i < q->captured->n; i++)
            if (push(&c, q->captured->v[i].key, q->captured->v[i].app, q->captured->v[i].role) != 0)
                goto oom;
    if (q->since && q->column && from_column(old, q, &c, err) != 0)
        goto out;
    qsort(c.v, c.n, sizeof *c.v, by_key);
    size_t m = 0;
    for (size_t i = 0; i < c.n; i++) {
        if (m && strcmp(c.v[m - 1].key, c.v[i].key) == 0) {
            free(c.v[i].key);
            continue;
        }
        c.v[m++] = c.v[i];
    }
    c.n = m;
    out->candidates = (long long)c.n;
    out->cut = c.cut || (q->captured && q->captured->cut);
    if (c.n == 0) {
        rc = 0;
        goto out;
    }
    if (!(nw = pgw_connect(q->new_conn, err)))
        goto out;
    rc = ask_new(old, nw, q, c.v, c.n, out, err);
    goto out;
oom:
    error_set(err, "out of memory");
out:
    if (nw)
        PQfinish(nw);
    for (size_t i = 0; i < c.n; i++)
        free(c.v[i].key);
    free(c.v);
    if (rc != 0)
        pgskip_result_free(out);
    return rc;
}

void pgskip_result_free(struct pgskip_result *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].app);
        free(r->v[i].role);
    }
    free(r->v);
    memset(r, 0, sizeof *r);
}
