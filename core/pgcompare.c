/* pgcompare.c — a comparison run (pgcompare.h): each side's SQL built,
 * then the whole table segment by segment, or a sample of old's keys; the
 * pieces are pgcompare_sql.c (each side's SQL), pgcompare_query.c (its
 * queries), pgcompare_ranges.c (ranges and their checksums),
 * pgcompare_rows.c (rows merged and compared) and pgcompare_value.c (the
 * values). A bound is a key or open; a range is (lo, hi]. */
#include "pgcompare_internal.h"

#include <stdlib.h>

#include "pgdata.h"

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
    if (pgc_side_rows(c, 0, "count(*)", NULL, NULL, NULL, NULL, 0, NULL, &r) != 0)
        return -1;
    *n = r.n && r.v[0].t == CV_INT ? r.v[0].i
         : r.n && r.v[0].t == CV_TEXT ? strtoll(r.v[0].s, NULL, 10) : 0;
    pgc_rows_free(&r);
    return 0;
}

static int progress(struct pgc *c, int64_t total, const struct bound *after, int done)
{
    if (!c->o->on_progress)
        return 0;
    /* old was counted (or estimated) when the run started and may have
     * grown since: the rows verified are the better count once past it,
     * and the whole count once done — never "7832 of 7831" */
    if (done || c->r->rows_old > total)
        total = c->r->rows_old;
    struct compare_progress p = {.r = c->r, .total = total, .n_key = c->nk,
                                 .after = after && after->set ? after->v : NULL, .done = done};
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
            from.v[i] = pgc_cv_dup(&o->after[i]);
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
        rc = pgc_cut(c, &from, ranges, &k);
    int last = 0;
    while (rc == 0 && !last) {
        int64_t t0 = o->now_ms ? o->now_ms() : 0;
        size_t upcoming = ranges > most ? most : ranges;
        rc = pgc_snapshot(c, 1);
        if (rc == 0)
            rc = pgc_check_all(c, &k, &next, upcoming);
        pgc_snapshot(c, 0);
        if (rc == 0)
            rc = pgc_recheck(c);
        last = k.last;
        if (rc == 0 && k.n > 1) {
            pgc_bound_free(&from);
            from = k.v[k.n - 1];
            k.v[k.n - 1] = (struct bound){0};
        }
        pgc_cuts_free(&k);
        k = next;
        next = (struct cuts){0};
        if (rc == 0 && !last && !k.v)
            rc = pgc_cut(c, &from, upcoming, &k); /* no next cut was made (one side errs) */
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
    pgc_cuts_free(&k);
    pgc_cuts_free(&next);
    if (rc == 0)
        rc = progress(c, total, &from, 1);
    pgc_bound_free(&from);
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
    if (pgc_side_rows(c, 0, c->s[0].keys, c->s[0].koid, NULL, NULL, NULL, 0, tail, &keys) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < keys.n; i++) {
        struct bound eq = {.set = 1};
        for (size_t k = 0; k < c->nk; k++)
            eq.v[k] = keys.v[i * keys.ncol + k];
        struct rows o, n;
        if (pgc_side_rows(c, 0, c->s[0].vals, c->s[0].oid, NULL, NULL, &eq, 0, NULL, &o) != 0) {
            rc = -1;
            break;
        }
        if (pgc_side_rows(c, 1, c->s[1].vals, c->s[1].oid, NULL, NULL, &eq, 0, NULL, &n) != 0) {
            pgc_rows_free(&o);
            rc = -1;
            break;
        }
        /* a key deleted from old since it was drawn is no row of old: left
         * out of the sample, or it would lower the rate */
        if (o.n) {
            c->r->sampled++;
            c->r->rows_old += (int64_t)o.n;
            c->r->rows_new += (int64_t)n.n;
            rc = pgc_report(c, o.v, n.n ? n.v : NULL);
        }
        pgc_rows_free(&o);
        pgc_rows_free(&n);
        /* a sample keeps to the rate too: each key is a lookup on both sides */
        struct compare_progress p = {.r = c->r, .total = (int64_t)keys.n, .sample = 1};
        if (rc == 0 && c->o->on_progress)
            rc = c->o->on_progress(&p, c->o->ctx, c->err);
    }
    pgc_rows_free(&keys);
    if (rc == 0)
        rc = pgc_recheck(c);
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
        rc = pgc_side_init(&c, side);
    if (rc == 0 && j->old_pg && j->new_pg)
        rc = pgc_both_pg(&c);
    if (rc == 0)
        rc = o->sample > 0 ? run_sample(&c) : run_whole(&c);
    pgc_help_close(&c);
    for (size_t i = 0; i < c.n_suspects; i++)
        pgc_bound_free(&c.suspects[i]);
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
