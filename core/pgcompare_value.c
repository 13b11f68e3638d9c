/* pgcompare_value.c — the values a comparison holds (pgcompare.h): canon.h's
 * struct cval, owned here, PostgreSQL's read as the text the server writes
 * (integers as numbers, so that keys order as numbers), SQLite's as typed;
 * rows and bounds of them, freed; how two keys order; and the SQL that
 * gives a PostgreSQL value's canonical text. */
#include "pgcompare_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgdata.h"

static struct cval cv_text(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        return (struct cval){.t = CV_NULL};
    memcpy(p, s, n);
    p[n] = '\0';
    return (struct cval){.t = CV_TEXT, .s = p, .n = n};
}

struct cval pgc_cv_dup(const struct cval *v)
{
    if (v->t != CV_TEXT && v->t != CV_BLOB)
        return *v;
    struct cval c = cv_text(v->s, v->n);
    c.t = v->t;
    return c;
}

const char *pgc_param(const struct cval *v, char num[32], struct cbuf *bytea)
{
    switch (v->t) {
    case CV_NULL:
        return NULL;
    case CV_INT:
        snprintf(num, 32, "%lld", (long long)v->i);
        return num;
    case CV_REAL:
        snprintf(num, 32, "%.17g", v->d);
        return num;
    case CV_BLOB:
        canon_bytea_text(bytea, v->s, v->n);
        return bytea->p ? bytea->p : "";
    case CV_TEXT:
        break;
    }
    return v->s;
}

static void cv_free(struct cval *v)
{
    if (v->t == CV_TEXT || v->t == CV_BLOB)
        free((char *)v->s);
    *v = (struct cval){0};
}

void pgc_rows_free(struct rows *r)
{
    for (size_t i = 0; i < r->n * r->ncol; i++)
        cv_free(&r->v[i]);
    free(r->v);
    *r = (struct rows){0};
}

void pgc_bound_free(struct bound *b)
{
    for (size_t i = 0; i < MAP_MAX_KEY; i++)
        cv_free(&b->v[i]);
    b->set = 0;
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

/* Keys order as numbers when both are numbers, else by their bytes (text
 * keys are ordered COLLATE "C" on PostgreSQL, BINARY on SQLite). */
int pgc_val_cmp(const struct cval *a, const struct cval *b)
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

/* Two canonical decimals ("-12.5", "3", "0.001": no exponent, no leading
 * or trailing zeros) by value, exactly. */
static int dec_cmp(const char *a, const char *b)
{
    int na = *a == '-', nb = *b == '-';
    if (na != nb)
        return na ? -1 : 1;
    a += na, b += nb;
    size_t ia = strcspn(a, "."), ib = strcspn(b, ".");
    int d = ia < ib ? -1 : ia > ib ? 1 : memcmp(a, b, ia);
    if (d == 0) {
        const char *fa = a[ia] ? a + ia + 1 : "", *fb = b[ib] ? b + ib + 1 : "";
        for (; d == 0 && (*fa || *fb); fa += !!*fa, fb += !!*fb)
            d = (*fa ? *fa : '0') - (*fb ? *fb : '0');
        d = d < 0 ? -1 : d > 0;
    } else {
        d = d < 0 ? -1 : 1;
    }
    return na ? -d : d;
}

int pgc_key_cmp(const struct pgc *c, size_t col, const struct cval *a, const struct cval *b)
{
    if (c->s[0].koid[col] != OID_NUMERIC && c->s[1].koid[col] != OID_NUMERIC)
        return pgc_val_cmp(a, b);
    /* a numeric key: PostgreSQL writes it as text, SQLite hands over an
     * integer or a real; all of them by value, as both databases order it */
    struct cbuf x = {0}, y = {0};
    canon_append(&x, a);
    canon_append(&y, b);
    int d = x.p && y.p && x.p[0] == 'n' && y.p[0] == 'n' ? dec_cmp(x.p + 1, y.p + 1)
                                                          : pgc_val_cmp(a, b);
    cbuf_free(&x);
    cbuf_free(&y);
    return d;
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
