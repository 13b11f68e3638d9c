/* pgcompare_ranges.c — a segment cut into ranges along old's keys and
 * each range's checksum taken on both sides at once (pgcompare_internal.h);
 * a range whose checksums differ is bisected until small enough to fetch
 * (pgcompare_rows.c). A range is (lo, hi]. */
#include "pgcompare_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FETCH 4096    /* a differing range up to this many rows is fetched whole */
#define HASHED 65536  /* … or its rows' hashes, PostgreSQL on both sides */

/* count(*) and the checksum (mod 2^64) of one side's range. */
static int checksum(struct pgc *c, int side, const struct bound *lo, const struct bound *hi,
                    int64_t *count, uint64_t *sum)
{
    struct rows r;
    if (pgc_side_rows(c, side, c->s[side].sums, NULL, lo, hi, NULL, 0, NULL, &r) != 0)
        return -1;
    const struct cval *v = r.v;
    *count = v[0].t == CV_INT ? v[0].i : v[0].t == CV_TEXT ? strtoll(v[0].s, NULL, 10) : 0;
    *sum = v[1].t == CV_INT ? (uint64_t)v[1].i
           : v[1].t == CV_TEXT ? strtoull(v[1].s, NULL, 10) : 0;
    pgc_rows_free(&r);
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
    if (pgc_side_rows(c, side, c->s[side].keys, c->s[side].koid, lo, hi, NULL, 1, tail, &r) != 0)
        return -1;
    if (r.n == 1) {
        for (size_t i = 0; i < c->nk; i++)
            out->v[i] = pgc_cv_dup(&r.v[i]);
        out->set = 1;
    }
    int rc = r.n == 1;
    pgc_rows_free(&r);
    return rc;
}

/* A range whose checksums differ: fetched when small, else cut in two at
 * the middle key of its larger side and each half checked again. */
static int settle(struct pgc *c, const struct bound *lo, const struct bound *hi,
                  int64_t count_old, int64_t count_new)
{
    int64_t most = count_old > count_new ? count_old : count_new;
    if (most <= FETCH || (c->s[0].rowh && c->s[1].rowh && most <= HASHED))
        return pgc_fetch(c, lo, hi);
    struct bound mid = {0};
    int side = count_new > count_old;
    int rc = key_at(c, side, lo, hi, most / 2, &mid);
    if (rc <= 0)
        return rc < 0 ? -1 : pgc_fetch(c, lo, hi);
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
    pgc_bound_free(&mid);
    return rc;
}

void pgc_cuts_free(struct cuts *k)
{
    for (size_t i = 0; i < k->n; i++)
        pgc_bound_free(&k->v[i]);
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
    struct cbuf bytea = {0};
    const char *tp[2] = {lim, from->set ? pgc_param(&from->v[0], num, &bytea) : NULL};
    if (q.oom || bytea.oom) {
        error_set(c->err, "out of memory");
        cbuf_free(&q);
        cbuf_free(&bytea);
        return -1;
    }
    PGresult *r = pgc_side_exec(&c->s[0], "compare: old", q.p, from->set ? 2 : 1, tp, c->err);
    cbuf_free(&q);
    cbuf_free(&bytea);
    if (!r)
        return -1;
    size_t got = (size_t)PQntuples(r);
    for (size_t i = 0; i < got && i < ranges; i++) {
        k->v[k->n].v[0] = pgcompare_cval(r, (int)i, 0, s->koid[0]);
        k->v[k->n++].set = 1;
    }
    PQclear(r);
    k->last = got <= ranges;
    if (k->last && k->n > 1)
        pgc_bound_free(&k->v[--k->n]);
    return 0;
}

/* One query: every CHUNK-th key of old's after `from`, `ranges` of them
 * at most (an index-only walk of the segment's keys, numbered). */
int pgc_cut(struct pgc *c, const struct bound *from, size_t ranges, struct cuts *k)
{
    k->v = calloc(ranges + 1, sizeof *k->v);
    if (!k->v) {
        error_set(c->err, "out of memory");
        return -1;
    }
    k->v[0].set = from->set;
    for (size_t i = 0; from->set && i < c->nk; i++)
        k->v[0].v[i] = pgc_cv_dup(&from->v[i]);
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
    int rc = what.oom ? -1 : pgc_side_query(c, 0, NULL, what.p, c->s[0].koid, from, NULL, NULL,
                                            NULL, 1, tail, wrap, &r);
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
            k->v[k->n].v[j] = pgc_cv_dup(&r.v[i * r.ncol + j]);
        k->v[k->n++].set = 1;
    }
    k->last = !more;
    /* old ends in this segment: its last chunk and whatever new has
     * beyond it make one range, open at the end */
    if (k->last && k->n > 1)
        pgc_bound_free(&k->v[--k->n]);
    pgc_rows_free(&r);
    return 0;
}

static const struct bound *range_hi(const struct cuts *k, size_t i)
{
    return i + 1 < k->n ? &k->v[i + 1] : NULL;
}

static size_t range_count(const struct cuts *k) { return k->last ? k->n : k->n - 1; }

/* Old's work of a segment, shared (PostgreSQL old): its ranges in
 * pieces, then the next segment's cut. Old's session takes them from the
 * front; new's side, once its own sums are done, takes them from the back
 * on old's second session (the cut first), so that old's mapping — its
 * casts and JSON parsing, most of the comparison's work — runs on two
 * backends instead of leaving one core idle. */
struct old_work {
    pthread_mutex_t mu;
    size_t front, back;           /* items [front, back) are left */
    size_t pieces, per;           /* pieces of `per` ranges; item `pieces` is the cut */
};

struct side_scan {
    struct pgc c;
    struct error err;
    struct compare_result r;
    const struct cuts *k;
    struct cuts *next;            /* the next segment's cut, made by whoever takes it */
    size_t next_ranges;
    int side;
    int64_t *count;
    uint64_t *sum;
    struct old_work *w;           /* shared: old's items */
    int64_t *old_count;           /* … and where their sums go */
    uint64_t *old_sum;
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
             : pgc_side_query(c, side, &first, what.p, NULL, &k->v[0],
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
    pgc_rows_free(&r);
    c->r->ranges += (int64_t)n;
    return 0;
}

/* The sums of ranges [from, to) of k on one side, into count and sum at
 * those places. */
static int sums_of(struct pgc *c, int side, const struct cuts *k, size_t from, size_t to,
                   int64_t *count, uint64_t *sum)
{
    int end = to == range_count(k);
    struct cuts part = {.v = k->v + from, .n = to - from + !(end && k->last),
                        .last = end && k->last};
    if (bucketable(c, side, &part))
        return bucket_sums(c, side, &part, count + from, sum + from);
    for (size_t i = from; i < to; i++)
        if (checksum(c, side, &k->v[i], range_hi(k, i), &count[i], &sum[i]) != 0)
            return -1;
    return 0;
}

/* Takes old's next item, from the front or the back; 0 when none is left. */
static int old_take(struct old_work *w, int back, size_t *item)
{
    pthread_mutex_lock(&w->mu);
    int got = w->front < w->back;
    if (got)
        *item = back ? --w->back : w->front++;
    pthread_mutex_unlock(&w->mu);
    return got;
}

/* One of old's items on c's old session (the first or the second). */
static int old_item(struct side_scan *s, struct pgc *c, size_t item)
{
    const struct old_work *w = s->w;
    if (item == w->pieces)
        return pgc_cut(c, &s->k->v[s->k->n - 1], s->next_ranges, s->next);
    size_t n = range_count(s->k), from = item * w->per;
    size_t to = from + w->per < n ? from + w->per : n;
    return sums_of(c, 0, s->k, from, to, s->old_count, s->old_sum);
}

/* New's side, its own sums done: old's items left, taken from the back on
 * old's second session (opened the first time it is wanted) in old's
 * snapshot of the segment. */
static int help_old(struct side_scan *s)
{
    struct old_work *w = s->w;
    pthread_mutex_lock(&w->mu);
    int left = w->front < w->back;
    pthread_mutex_unlock(&w->mu);
    if (!left || !pgc_help_open(&s->c) || pgc_help_begin(&s->c) != 0)
        return 0;  /* old's first session does it all */
    struct pgc h = s->c;
    h.s[0] = s->c.help;
    size_t item;
    int rc = 0;
    while (rc == 0 && old_take(w, 1, &item))
        rc = old_item(s, &h, item);
    s->c.help = h.s[0]; /* its statements, prepared meanwhile */
    pgc_help_end(&s->c);
    return rc;
}

static void *side_scan_run(void *arg)
{
    struct side_scan *s = arg;
    s->c.err = &s->err;
    s->c.r = &s->r;
    s->rc = 0;
    size_t item;
    if (s->w && s->side == 0) {
        while (s->rc == 0 && old_take(s->w, 0, &item))
            s->rc = old_item(s, &s->c, item);
        return NULL;
    }
    s->rc = sums_of(&s->c, s->side, s->k, 0, range_count(s->k), s->count, s->sum);
    if (s->rc == 0 && s->w)
        s->rc = help_old(s);
    else if (s->rc == 0 && s->next) /* old's keys for the next segment, cut while new sums */
        s->rc = pgc_cut(&s->c, &s->k->v[s->k->n - 1], s->next_ranges, s->next);
    return NULL;
}

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
        rc = pgc_fetch_hashed(c, &k->v[i], range_hi(k, end - 1), &co, &cn);
        c->r->rows_old += co;
        c->r->rows_new += cn;
        c->r->ranges += 2 * (int64_t)(end - i);
    }
    if (rc == 0 && next && !k->last && k->n > 1)
        rc = pgc_cut(c, &k->v[k->n - 1], next_ranges, next);
    c->dense = c->hashed_diff * 4 >= (int64_t)n;
    return rc;
}

/* Every range's checksums, the two sides at once (old's on a thread of
 * its own, its work shared with new's side when old is PostgreSQL), then
 * the ranges that differ settled. */
int pgc_check_all(struct pgc *c, const struct cuts *k, struct cuts *next, size_t next_ranges)
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
    int cut = next && !k->last && k->n > 1;
    /* pieces of 32 ranges or more, 8 at most: the side that ends first
     * waits for at most one of the other's, and a loaded machine's
     * wake-ups (a round trip each) stay few */
    size_t pieces = n / 32 < 1 ? 1 : n / 32 > 8 ? 8 : n / 32;
    struct old_work w = {.pieces = pieces, .per = (n + pieces - 1) / pieces};
    w.back = w.pieces + (size_t)cut;
    int shared = c->s[0].pg && c->help_state >= 0 && pthread_mutex_init(&w.mu, NULL) == 0;
    for (int side = 0; side < 2; side++)
        sides[side] = (struct side_scan){.c = *c, .k = k, .side = side,
                                         .count = cnt + (size_t)side * n,
                                         .sum = sum + (size_t)side * n, .w = shared ? &w : NULL,
                                         .old_count = cnt, .old_sum = sum};
    if (cut) {
        for (int side = 0; side < 2; side++) {
            sides[side].next = side == 0 || shared ? next : NULL;
            sides[side].next_ranges = next_ranges;
        }
    }
    pgc_run_both(side_scan_run, &sides[0], &sides[1]);
    if (shared)
        pthread_mutex_destroy(&w.mu);
    int rc = 0;
    c->help = sides[1].c.help;  /* old's second session, opened meanwhile */
    c->help_state = sides[1].c.help_state;
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
