/* promql_eval.c — evaluates a parsed expression over the sample store at
 * one instant, as Prometheus 2.42's engine does for an instant query
 * (promql/engine.go; the arithmetic itself is in promql_func.c):
 *
 *   vectorSelectorSingle  an instant selector takes each series' latest
 *                         point at or before t, if it is not older than the
 *                         5-minute lookback (t - 5m itself still counts)
 *                         and is not a staleness marker; __name__ is kept.
 *   eval (*parser.Call)   a range selector takes the points with
 *   + matrixIterSlice     t - range <= ts <= t (2.42's window is closed on
 *                         both ends), staleness markers left out; a series
 *                         with no point gives nothing; rate & co. drop
 *                         __name__.
 *   funcHistogramQuantile groups the input by all labels but le (__name__
 *                         included); a sample whose le does not parse with
 *                         ParseFloat is skipped; the output drops le and
 *                         __name__.
 *   aggregation           groups by the by-labels (Keep) or by all but the
 *                         without-labels and __name__; groups come out in
 *                         order of first appearance; sum adds in input
 *                         order, avg is the running mean of 2.42 (with its
 *                         Inf rules), min/max replace a NaN, count counts.
 *   VectorBinop           one-to-one matching on the labels but __name__
 *   + signatureFunc       (or only the on-labels, or without the ignoring-
 *   + resultMetric        labels); the result has the lhs labels without
 *                         __name__ (and only the on-labels, or without the
 *                         ignoring-labels); unmatched samples vanish; a
 *                         duplicate on either side is an error.
 *   VectorscalarBinop     vector op scalar drops __name__; division is
 *   + vectorElemBinop     plain IEEE: x/0 = ±Inf, 0/0 = NaN.
 *   UnaryExpr             -v drops __name__.
 *   rangeEval             an output with two equal label sets is the error
 *                         "vector cannot contain metrics with the same
 *                         labelset".
 * Selected series come in labels.Compare order (series.c), as Prometheus's
 * do, so sums add in the same order. */
#include "promql_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pq_sample {
    struct series_label *l; /* owned array; the strings belong to the store */
    size_t n;
    double v;
};

struct pq_vec {
    struct pq_sample *s;
    size_t n, cap;
};

struct pq_val {
    enum pq_type type;
    double scalar;
    struct pq_vec vec;
};

struct ev {
    const struct series_store *st;
    int64_t t;
    struct error *err;
    struct series_point *buf; /* points of one series without staleness markers */
    size_t buf_cap;
};

/* --- errors and vectors --------------------------------------------------- */

__attribute__((format(printf, 2, 3)))
static int fail(struct ev *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->err ? e->err->msg : (char[1]){0}, e->err ? sizeof e->err->msg : 1, fmt, ap);
    va_end(ap);
    return -1;
}

static void vec_free(struct pq_vec *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->s[i].l);
    free(v->s);
    memset(v, 0, sizeof *v);
}

/* Which labels of a sample a signature or a result keeps. */
typedef int (*label_pred)(const char *name, const struct pq_node *n);

/* Appends a sample with the labels of src that keep() selects (all when
 * keep is NULL). */
static int vec_push(struct ev *e, struct pq_vec *v, const struct series_label *src, size_t n,
                    label_pred keep, const struct pq_node *node, double value)
{
    if (v->n == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 8;
        struct pq_sample *s = realloc(v->s, ncap * sizeof *s);
        if (!s)
            return fail(e, "out of memory");
        v->s = s;
        v->cap = ncap;
    }
    struct pq_sample *smp = &v->s[v->n];
    smp->l = malloc((n ? n : 1) * sizeof *smp->l);
    if (!smp->l)
        return fail(e, "out of memory");
    smp->n = 0;
    for (size_t i = 0; i < n; i++)
        if (!keep || keep(src[i].name, node))
            smp->l[smp->n++] = src[i];
    smp->v = value;
    v->n++;
    return 0;
}

/* --- label predicates: which labels a signature or a result keeps -------- */

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_name(const char *label)
{
    return strcmp(label, "__name__") == 0;
}

static int listed(const char *label, const struct pq_node *n)
{
    return n->n_labels &&
           bsearch(&label, n->labels, n->n_labels, sizeof *n->labels, cmp_str_ptr) != NULL;
}

static int keep_all_but_name(const char *label, const struct pq_node *n)
{
    (void)n;
    return !is_name(label);
}

/* aggregation: by (Keep) or without (Del grouping and __name__) */
static int keep_group(const char *label, const struct pq_node *n)
{
    return n->without ? !listed(label, n) && !is_name(label) : listed(label, n);
}

/* signatureFunc: on → the listed labels; otherwise all but __name__ and the
 * ignoring-labels. */
static int keep_match_sig(const char *label, const struct pq_node *n)
{
    return n->match == PQ_MATCH_ON ? listed(label, n) : !is_name(label) && !listed(label, n);
}

/* resultMetric: __name__ dropped, then Keep(on) or Del(ignoring). */
static int keep_match_result(const char *label, const struct pq_node *n)
{
    if (is_name(label))
        return 0;
    if (n->match == PQ_MATCH_ON)
        return listed(label, n);
    return n->match == PQ_MATCH_IGNORING ? !listed(label, n) : 1;
}

static int keep_all_but_le(const char *label, const struct pq_node *n)
{
    (void)n;
    return strcmp(label, "le") != 0;
}

static int keep_all_but_le_name(const char *label, const struct pq_node *n)
{
    return keep_all_but_le(label, n) && !is_name(label);
}

/* --- signatures: a label subset as bytes, and a map from them to indices --- */

struct sbuf {
    char *s;
    size_t len, cap;
};

static int sbuf_add(struct sbuf *b, const char *s)
{
    size_t n = strlen(s) + 1;
    if (b->len + n > b->cap) {
        size_t ncap = (b->len + n) * 2 + 64;
        char *p = realloc(b->s, ncap);
        if (!p)
            return -1;
        b->s = p;
        b->cap = ncap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    return 0;
}

/* The selected labels of smp as name\0value\0... into b (reset first). */
static int signature(struct ev *e, const struct pq_sample *smp, label_pred keep,
                     const struct pq_node *node, struct sbuf *b)
{
    b->len = 0;
    for (size_t i = 0; i < smp->n; i++) {
        if (keep && !keep(smp->l[i].name, node))
            continue;
        if (sbuf_add(b, smp->l[i].name) != 0 || sbuf_add(b, smp->l[i].value) != 0)
            return fail(e, "out of memory");
    }
    return 0;
}

struct sigent {
    char *key; /* NULL: empty slot */
    size_t len;
    size_t val;
};

struct sigmap {
    struct sigent *e;
    size_t cap, n;
};

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * UINT64_C(1099511628211);
    return h;
}

static struct sigent *sigmap_slot(const struct sigmap *m, const char *key, size_t len)
{
    size_t i = (size_t)fnv1a(key, len) & (m->cap - 1);
    while (m->e[i].key && (m->e[i].len != len || memcmp(m->e[i].key, key, len) != 0))
        i = (i + 1) & (m->cap - 1);
    return &m->e[i];
}

static int sigmap_grow(struct sigmap *m)
{
    struct sigmap g = {calloc(m->cap ? m->cap * 2 : 16, sizeof *g.e), m->cap ? m->cap * 2 : 16, 0};
    if (!g.e)
        return -1;
    for (size_t i = 0; i < m->cap; i++)
        if (m->e[i].key)
            *sigmap_slot(&g, m->e[i].key, m->e[i].len) = m->e[i];
    g.n = m->n;
    free(m->e);
    *m = g;
    return 0;
}

/* Looks key up: 1 and *val when present; else inserts it with *val and
 * returns 0; -1 when out of memory. */
static int sigmap_find_or_add(struct sigmap *m, const struct sbuf *key, size_t *val)
{
    if ((m->n + 1) * 2 > m->cap && sigmap_grow(m) != 0)
        return -1;
    struct sigent *slot = sigmap_slot(m, key->s ? key->s : "", key->len);
    if (slot->key) {
        *val = slot->val;
        return 1;
    }
    slot->key = malloc(key->len ? key->len : 1);
    if (!slot->key)
        return -1;
    if (key->len)
        memcpy(slot->key, key->s, key->len);
    slot->len = key->len;
    slot->val = *val;
    m->n++;
    return 0;
}

static void sigmap_free(struct sigmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->e[i].key);
    free(m->e);
    memset(m, 0, sizeof *m);
}

/* {a="1", b="2"} for messages, as labels.String() writes it. */
static void labels_text(const struct pq_sample *smp, char *out, size_t len)
{
    size_t o = (size_t)snprintf(out, len, "{");
    for (size_t i = 0; i < smp->n && o < len; i++)
        o += (size_t)snprintf(out + o, len - o, "%s%s=\"%s\"", i ? ", " : "", smp->l[i].name,
                              smp->l[i].value);
    if (o < len)
        snprintf(out + o, len - o, "}");
}

/* rangeEval's check: no two samples with the same label set. */
static int check_unique(struct ev *e, const struct pq_vec *v)
{
    struct sigmap m = {0};
    struct sbuf b = {0};
    int rc = 0;
    for (size_t i = 0; i < v->n && rc == 0; i++) {
        size_t idx = i;
        rc = signature(e, &v->s[i], NULL, NULL, &b);
        int f = rc == 0 ? sigmap_find_or_add(&m, &b, &idx) : -1;
        if (f < 0 && rc == 0)
            rc = fail(e, "out of memory");
        else if (f == 1)
            rc = fail(e, "vector cannot contain metrics with the same labelset");
    }
    sigmap_free(&m);
    free(b.s);
    return rc;
}

/* --- selectors ------------------------------------------------------------- */

static int eval_instant_selector(struct ev *e, const struct pq_node *n, struct pq_vec *out)
{
    size_t cursor = 0;
    const struct series *s;
    while ((s = series_store_next(e->st, n->matchers, n->n_matchers, &cursor))) {
        const struct series_point *p;
        size_t np = series_range(s, e->t - PROMQL_LOOKBACK_MS, e->t, &p);
        if (np == 0 || series_point_is_stale(&p[np - 1]))
            continue;
        size_t nl;
        const struct series_label *l = series_labels(s, &nl);
        if (vec_push(e, out, l, nl, NULL, NULL, p[np - 1].value) != 0)
            return -1;
    }
    return 0;
}

/* The points of s in [mint, maxt] without staleness markers, in e->buf. */
static int window_points(struct ev *e, const struct series *s, int64_t mint, int64_t maxt,
                         size_t *n)
{
    const struct series_point *p;
    size_t np = series_range(s, mint, maxt, &p);
    if (np > e->buf_cap) {
        struct series_point *b = realloc(e->buf, np * sizeof *b);
        if (!b)
            return fail(e, "out of memory");
        e->buf = b;
        e->buf_cap = np;
    }
    *n = 0;
    for (size_t i = 0; i < np; i++)
        if (!series_point_is_stale(&p[i]))
            e->buf[(*n)++] = p[i];
    return 0;
}

static int apply_range_func(const struct pq_node *call, const struct series_point *p, size_t n,
                            int64_t mint, int64_t maxt, int64_t range, double *v)
{
    switch (call->func) {
    case PQ_RATE: return pq_extrapolated_rate(p, n, mint, maxt, range, 1, 1, v);
    case PQ_INCREASE: return pq_extrapolated_rate(p, n, mint, maxt, range, 1, 0, v);
    case PQ_DELTA: return pq_extrapolated_rate(p, n, mint, maxt, range, 0, 0, v);
    case PQ_IRATE: return pq_instant_value(p, n, 1, v);
    case PQ_IDELTA: return pq_instant_value(p, n, 0, v);
    default: return 0;
    }
}

static int eval_range_func(struct ev *e, const struct pq_node *call, struct pq_vec *out)
{
    const struct pq_node *sel = call->args[0];
    int64_t maxt = e->t, mint = e->t - sel->range_ms;
    size_t cursor = 0;
    const struct series *s;
    while ((s = series_store_next(e->st, sel->matchers, sel->n_matchers, &cursor))) {
        size_t np = 0, nl;
        double v;
        if (window_points(e, s, mint, maxt, &np) != 0)
            return -1;
        if (!apply_range_func(call, e->buf, np, mint, maxt, sel->range_ms, &v))
            continue;
        const struct series_label *l = series_labels(s, &nl);
        if (vec_push(e, out, l, nl, keep_all_but_name, NULL, v) != 0)
            return -1;
    }
    return check_unique(e, out);
}

static int eval_node(struct ev *e, const struct pq_node *n, struct pq_val *out);

static void val_free(struct pq_val *v)
{
    vec_free(&v->vec);
}

/* Evaluates n into out, typed as the parser typed n. */
static int eval_typed(struct ev *e, const struct pq_node *n, struct pq_val *out)
{
    memset(out, 0, sizeof *out);
    out->type = n->type;
    if (eval_node(e, n, out) != 0) {
        val_free(out);
        return -1;
    }
    return 0;
}

/* Lookup only: 1 and *val when key is present, else 0. */
static int sigmap_get(const struct sigmap *m, const struct sbuf *key, size_t *val)
{
    if (!m->cap)
        return 0;
    const struct sigent *slot = sigmap_slot(m, key->s ? key->s : "", key->len);
    if (!slot->key)
        return 0;
    *val = slot->val;
    return 1;
}

/* Index of smp's group under keep(): an existing one, or *n_groups (then
 * incremented) for a new one; -1 when out of memory. */
static long group_of(struct ev *e, struct sigmap *m, struct sbuf *b, const struct pq_sample *smp,
                     label_pred keep, const struct pq_node *node, size_t *n_groups)
{
    size_t idx = *n_groups;
    if (signature(e, smp, keep, node, b) != 0)
        return -1;
    int f = sigmap_find_or_add(m, b, &idx);
    if (f < 0)
        return fail(e, "out of memory");
    if (f == 0)
        (*n_groups)++;
    return (long)idx;
}

/* --- histogram_quantile ------------------------------------------------------ */

struct hq_group {
    size_t first; /* the sample whose labels the group's output takes */
    struct pq_bucket *b;
    size_t n, cap;
};

static int hq_add(struct ev *e, struct hq_group *g, double upper, double count)
{
    if (g->n == g->cap) {
        size_t ncap = g->cap ? g->cap * 2 : 16;
        struct pq_bucket *b = realloc(g->b, ncap * sizeof *b);
        if (!b)
            return fail(e, "out of memory");
        g->b = b;
        g->cap = ncap;
    }
    g->b[g->n++] = (struct pq_bucket){upper, count};
    return 0;
}

/* Sorts the vector's buckets into groups (funcHistogramQuantile). */
static int hq_group_buckets(struct ev *e, const struct pq_vec *in, struct hq_group **groups,
                            size_t *n_groups)
{
    struct sigmap m = {0};
    struct sbuf b = {0};
    int rc = 0;
    for (size_t i = 0; i < in->n && rc == 0; i++) {
        double upper;
        const char *le = NULL;
        for (size_t k = 0; k < in->s[i].n; k++)
            if (strcmp(in->s[i].l[k].name, "le") == 0)
                le = in->s[i].l[k].value;
        if (!le || pq_parse_float(le, &upper) != 0)
            continue; /* no bucket label, or a malformed one: skipped */
        size_t before = *n_groups;
        long g = group_of(e, &m, &b, &in->s[i], keep_all_but_le, NULL, n_groups);
        if (g >= 0 && *n_groups > before) {
            struct hq_group *ng = realloc(*groups, *n_groups * sizeof *ng);
            if (!ng) {
                (*n_groups)--;
                rc = fail(e, "out of memory");
                break;
            }
            *groups = ng;
            ng[g] = (struct hq_group){.first = i};
        }
        rc = g < 0 ? -1 : hq_add(e, &(*groups)[g], upper, in->s[i].v);
    }
    sigmap_free(&m);
    free(b.s);
    return rc;
}

static int eval_histogram_quantile(struct ev *e, const struct pq_node *n, struct pq_vec *out)
{
    struct pq_val q, in;
    if (eval_typed(e, n->args[0], &q) != 0)
        return -1;
    if (eval_typed(e, n->args[1], &in) != 0)
        return -1;
    struct hq_group *g = NULL;
    size_t ng = 0;
    int rc = hq_group_buckets(e, &in.vec, &g, &ng);
    for (size_t i = 0; i < ng; i++) {
        const struct pq_sample *first = &in.vec.s[g[i].first];
        double v = pq_bucket_quantile(q.scalar, g[i].b, g[i].n);
        if (rc == 0)
            rc = vec_push(e, out, first->l, first->n, keep_all_but_le_name, NULL, v);
        free(g[i].b);
    }
    free(g);
    val_free(&in);
    return rc == 0 ? check_unique(e, out) : -1;
}

/* --- aggregations ---------------------------------------------------------------- */

struct agg_group {
    size_t first;
    double value, mean;
    size_t count;
};

/* One more sample into its group (aggregation, the non-first case). */
static void agg_update(enum pq_agg op, struct agg_group *g, double v)
{
    switch (op) {
    case PQ_SUM: g->value += v; break;
    case PQ_AVG:
        g->count++;
        if (isinf(g->mean)) {
            if (isinf(v) && (g->mean > 0) == (v > 0))
                break;
            if (!isinf(v) && !isnan(v))
                break;
        }
        g->mean += v / (double)g->count - g->mean / (double)g->count;
        break;
    case PQ_MAX:
        if (g->value < v || isnan(g->value))
            g->value = v;
        break;
    case PQ_MIN:
        if (g->value > v || isnan(g->value))
            g->value = v;
        break;
    case PQ_COUNT: g->count++; break;
    }
}

static double agg_result(enum pq_agg op, const struct agg_group *g)
{
    return op == PQ_AVG ? g->mean : op == PQ_COUNT ? (double)g->count : g->value;
}

static int aggregate(struct ev *e, const struct pq_node *n, const struct pq_vec *in,
                     struct agg_group *g, size_t *ng)
{
    struct sigmap m = {0};
    struct sbuf b = {0};
    int rc = 0;
    for (size_t i = 0; i < in->n && rc == 0; i++) {
        size_t before = *ng;
        long k = group_of(e, &m, &b, &in->s[i], keep_group, n, ng);
        if (k < 0)
            rc = -1;
        else if (*ng > before)
            g[k] = (struct agg_group){i, in->s[i].v, in->s[i].v, 1};
        else
            agg_update(n->agg, &g[k], in->s[i].v);
    }
    sigmap_free(&m);
    free(b.s);
    return rc;
}

static int eval_aggregation(struct ev *e, const struct pq_node *n, struct pq_vec *out)
{
    struct pq_val in;
    if (eval_typed(e, n->args[0], &in) != 0)
        return -1;
    size_t ng = 0;
    struct agg_group *g = malloc((in.vec.n ? in.vec.n : 1) * sizeof *g);
    int rc = g ? aggregate(e, n, &in.vec, g, &ng) : fail(e, "out of memory");
    for (size_t i = 0; i < ng && rc == 0; i++) {
        const struct pq_sample *first = &in.vec.s[g[i].first];
        rc = vec_push(e, out, first->l, first->n, keep_group, n, agg_result(n->agg, &g[i]));
    }
    free(g);
    val_free(&in);
    return rc;
}

/* --- arithmetic ------------------------------------------------------------------ */

static double arith(enum pq_op op, double l, double r)
{
    switch (op) {
    case PQ_ADD: return l + r;
    case PQ_SUB: return l - r;
    case PQ_MUL: return l * r;
    default: return l / r;
    }
}

static int vector_scalar(struct ev *e, enum pq_op op, const struct pq_vec *v, double sc,
                         int scalar_left, struct pq_vec *out)
{
    for (size_t i = 0; i < v->n; i++) {
        double r = scalar_left ? arith(op, sc, v->s[i].v) : arith(op, v->s[i].v, sc);
        if (vec_push(e, out, v->s[i].l, v->s[i].n, keep_all_but_name, NULL, r) != 0)
            return -1;
    }
    return check_unique(e, out);
}

/* The rhs by match signature; a repeated signature is an error. */
static int index_rhs(struct ev *e, const struct pq_node *n, const struct pq_vec *rhs,
                     struct sigmap *m, struct sbuf *b)
{
    for (size_t i = 0; i < rhs->n; i++) {
        size_t idx = i;
        if (signature(e, &rhs->s[i], keep_match_sig, n, b) != 0)
            return -1;
        int f = sigmap_find_or_add(m, b, &idx);
        if (f < 0)
            return fail(e, "out of memory");
        if (f == 1) {
            char a[200], c[200];
            labels_text(&rhs->s[i], a, sizeof a);
            labels_text(&rhs->s[idx], c, sizeof c);
            return fail(e, "found duplicate series for the match group on the right hand-side "
                           "of the operation: [%s, %s];many-to-many matching not allowed: "
                           "matching labels must be unique on one side", a, c);
        }
    }
    return 0;
}

static int match_lhs(struct ev *e, const struct pq_node *n, const struct pq_vec *lhs,
                     const struct pq_vec *rhs, const struct sigmap *rm, struct pq_vec *out)
{
    struct sigmap seen = {0};
    struct sbuf b = {0};
    int rc = 0;
    for (size_t i = 0; i < lhs->n && rc == 0; i++) {
        size_t r, dummy = 0;
        rc = signature(e, &lhs->s[i], keep_match_sig, n, &b);
        if (rc != 0 || !sigmap_get(rm, &b, &r))
            continue;
        int f = sigmap_find_or_add(&seen, &b, &dummy);
        if (f != 0) {
            rc = f < 0 ? fail(e, "out of memory")
                       : fail(e, "multiple matches for labels: many-to-one matching must be "
                                 "explicit (group_left/group_right)");
            break;
        }
        rc = vec_push(e, out, lhs->s[i].l, lhs->s[i].n, keep_match_result, n,
                      arith(n->op, lhs->s[i].v, rhs->s[r].v));
    }
    sigmap_free(&seen);
    free(b.s);
    return rc;
}

static int vector_vector(struct ev *e, const struct pq_node *n, const struct pq_vec *lhs,
                         const struct pq_vec *rhs, struct pq_vec *out)
{
    if (lhs->n == 0 || rhs->n == 0)
        return 0;
    struct sigmap rm = {0};
    struct sbuf b = {0};
    int rc = index_rhs(e, n, rhs, &rm, &b);
    if (rc == 0)
        rc = match_lhs(e, n, lhs, rhs, &rm, out);
    sigmap_free(&rm);
    free(b.s);
    return rc == 0 ? check_unique(e, out) : -1;
}

static int eval_binary(struct ev *e, const struct pq_node *n, struct pq_val *out)
{
    struct pq_val l, r;
    if (eval_typed(e, n->args[0], &l) != 0)
        return -1;
    if (eval_typed(e, n->args[1], &r) != 0) {
        val_free(&l);
        return -1;
    }
    int rc = 0;
    if (l.type == PQ_SCALAR && r.type == PQ_SCALAR)
        out->scalar = arith(n->op, l.scalar, r.scalar);
    else if (l.type == PQ_SCALAR)
        rc = vector_scalar(e, n->op, &r.vec, l.scalar, 1, &out->vec);
    else if (r.type == PQ_SCALAR)
        rc = vector_scalar(e, n->op, &l.vec, r.scalar, 0, &out->vec);
    else
        rc = vector_vector(e, n, &l.vec, &r.vec, &out->vec);
    val_free(&l);
    val_free(&r);
    return rc;
}

static int eval_neg(struct ev *e, const struct pq_node *n, struct pq_val *out)
{
    struct pq_val a;
    if (eval_typed(e, n->args[0], &a) != 0)
        return -1;
    int rc = 0;
    if (a.type == PQ_SCALAR)
        out->scalar = -a.scalar;
    else
        rc = vector_scalar(e, PQ_MUL, &a.vec, -1, 0, &out->vec);
    val_free(&a);
    return rc;
}

static int eval_node(struct ev *e, const struct pq_node *n, struct pq_val *out)
{
    switch (n->kind) {
    case PQ_NUMBER: out->scalar = n->num; return 0;
    case PQ_SELECTOR: return eval_instant_selector(e, n, &out->vec);
    case PQ_CALL:
        return n->func == PQ_HISTOGRAM_QUANTILE ? eval_histogram_quantile(e, n, &out->vec)
                                                : eval_range_func(e, n, &out->vec);
    case PQ_AGG: return eval_aggregation(e, n, &out->vec);
    case PQ_BINARY: return eval_binary(e, n, out);
    case PQ_NEG: return eval_neg(e, n, out);
    }
    return fail(e, "internal error: unknown expression node");
}

/* --- the result ----------------------------------------------------------------------- */

static int final_value(struct ev *e, const struct promql *q, const struct pq_val *v,
                       double *value)
{
    double x = v->scalar;
    if (v->type == PQ_VECTOR) {
        if (v->vec.n == 0) {
            fail(e, "no data: the expression selected no series (or too few samples in a "
                    "range)");
            return 0;
        }
        if (v->vec.n > 1)
            return fail(e, "the expression gives %zu series, not one: aggregate them with "
                           "sum(...) or select one with a label matcher", v->vec.n);
        x = v->vec.s[0].v;
    }
    if (isnan(x)) {
        fail(e, "no data: the value is NaN: %s", promql_nan_reason(promql_features(q)));
        return 0;
    }
    *value = x;
    return 1;
}

int promql_eval(const struct promql *q, const struct series_store *st, int64_t t_ms,
                double *value, struct error *err)
{
    *value = NAN;
    if (!q || !st) {
        error_set(err, "no expression or no store");
        return -1;
    }
    struct ev e = {.st = st, .t = t_ms, .err = err};
    struct pq_val v;
    int rc = eval_typed(&e, q->root, &v);
    free(e.buf);
    if (rc != 0)
        return -1;
    rc = final_value(&e, q, &v, value);
    val_free(&v);
    return rc;
}
