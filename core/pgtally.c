/* pgtally.c — old's rows counted a slice at a time behind a backfill's
 * batches (pgtally.h). */
#include "pgtally.h"

#include <stdlib.h>
#include <string.h>

#include "pgkeyset.h"

/* The fewest of old's rows one slice walks: 250,000 keys of an index are
 * some 25 ms of old's time, spent while it idles anyway */
#define SLICE_MIN 250000L

static void put(struct cbuf *b, const char *s) { cbuf_put(b, s, strlen(s)); }

void pgtally_start(struct pgtally *t, const struct datajob *j, PGconn *old,
                   struct backfill_progress *p)
{
    memset(t, 0, sizeof *t);
    t->j = j;
    t->old = old;
    t->p = p;
    p->counting = 1;
}

/* twice the batch (old's part of a row costs more than a row of an
 * index's walk), or the batch when the last slice overran; never under
 * SLICE_MIN, or the small batches of a rate limit would leave the total
 * unknown until halfway through the copy */
long pgtally_slice(const struct pgtally *t, long batch)
{
    long slice = t->waited ? batch : 2 * batch;
    return slice < SLICE_MIN ? SLICE_MIN : slice;
}

void pgtally_query(const struct pgtally *t, long slice, struct cbuf *q)
{
    if (!t->p || !t->p->counting)
        return;
    char **lo = t->has_upto ? (char **)t->upto : NULL;
    if (!t->last) {
        pgkeyset_after(t->j, t->old, lo, slice, NULL, NULL, q);
        return;
    }
    put(q, "SELECT count(*)::text FROM ");
    datajob_table(t->j, 0, NULL, q);
    pgkeyset_range(t->j, 0, t->old, lo, NULL, NULL, NULL, NULL, q);
}

void pgtally_sent(struct pgtally *t, long slice)
{
    t->pending = 1;
    t->slice = slice;
}

/* Moves the count on by the answer r: the rest's count ends it (the
 * total is in); a slice's last key moves it on by the slice; no such
 * key, fewer are left, and the next query counts them. */
static int take(struct pgtally *t, PGresult *r, struct error *err)
{
    if (t->last) {
        t->p->total = t->rows + strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        t->p->counting = 0;
        return 0;
    }
    if (PQntuples(r) != 1) {
        t->last = 1;
        return 0;
    }
    t->rows += t->slice;
    t->has_upto = 1;
    for (size_t i = 0; i < t->j->plan.n_key; i++) {
        free(t->upto[i]);
        if (!(t->upto[i] = strdup(PQgetvalue(r, 0, (int)i)))) {
            t->has_upto = 0;
            error_set(err, "out of memory");
            return -1;
        }
    }
    return 0;
}

int pgtally_collect(struct pgtally *t, struct error *err)
{
    if (!t->pending)
        return 0;
    t->pending = 0;
    /* done before old's session was wanted again, or waited for */
    t->waited = !PQconsumeInput(t->old) || PQisBusy(t->old);
    PGresult *r, *answer = NULL;
    int rc = 0;
    while ((r = PQgetResult(t->old))) {
        if (PQresultStatus(r) == PGRES_TUPLES_OK && !answer) {
            answer = r;
            continue;
        }
        if (rc == 0)
            error_set(err, "backfill: old: counting its rows: %s", PQerrorMessage(t->old));
        rc = -1;
        PQclear(r);
    }
    if (rc == 0 && !answer) {
        error_set(err, "backfill: old: counting its rows: no answer");
        rc = -1;
    }
    if (rc == 0)
        rc = take(t, answer, err);
    PQclear(answer);
    return rc;
}

int pgtally_finish(struct pgtally *t, struct error *err)
{
    if (pgtally_collect(t, err) != 0)
        return -1;
    if (!t->p || !t->p->counting)
        return 0;
    t->last = 1;
    struct cbuf q = {0};
    pgtally_query(t, 0, &q);
    int sent = !q.oom && PQsendQuery(t->old, q.p);
    cbuf_free(&q);
    if (!sent) {
        error_set(err, "backfill: old: counting its rows: %s",
                  q.oom ? "out of memory" : PQerrorMessage(t->old));
        return -1;
    }
    pgtally_sent(t, 0);
    return pgtally_collect(t, err);
}

void pgtally_free(struct pgtally *t)
{
    PGresult *r;
    while (t->pending && (r = PQgetResult(t->old)))
        PQclear(r);
    t->pending = 0;
    pgkeyset_free(t->upto);
}
