/* pgtally.h — old's rows counted a slice at a time, for a PostgreSQL
 * backfill's total, on old's own session while it idles anyway: a batch
 * streamed from old leaves old's session free while new takes the batch
 * in, and the count's next query goes out on it then (behind the COPY,
 * pgcopy.h's `then`). A slice is a walk of old's key index to the key
 * `slice` rows on; the last query counts what is left after it. The
 * answer is collected before old's session is used again. Until the
 * total is in, the progress says counting (backfill.h). */
#ifndef CUTOVER_PGTALLY_H
#define CUTOVER_PGTALLY_H

#include <stdint.h>

#include <libpq-fe.h>

#include "backfill.h"

struct pgtally {
    const struct datajob *j;
    PGconn *old;
    struct backfill_progress *p;  /* its total, and counting until the total is in */
    int pending;                  /* a query of the count is out on old */
    int last;                     /* … and it counts the rest: the last one */
    long slice;                   /* the pending slice's rows */
    int waited;                   /* the last answer was waited for */
    int64_t rows;                 /* counted so far */
    char *upto[MAP_MAX_KEY];      /* … up to this key (has_upto) */
    int has_upto;
};

/* A count of old's rows from the first, into p->total (p->counting set). */
void pgtally_start(struct pgtally *t, const struct datajob *j, PGconn *old,
                   struct backfill_progress *p);
/* How many rows the next slice counts, behind a batch of `batch` rows. */
long pgtally_slice(const struct pgtally *t, long batch);
/* The count's next query into q (nothing once the total is in): a slice
 * of `slice` rows, or the rest; its values written in (it goes out
 * behind a COPY, as text). */
void pgtally_query(const struct pgtally *t, long slice, struct cbuf *q);
/* The query of a slice of `slice` rows went out on old. */
void pgtally_sent(struct pgtally *t, long slice);
/* Waits for the query out on old, if one is, and takes its answer in:
 * old's session is free again. */
int pgtally_collect(struct pgtally *t, struct error *err);
/* Counts the rest of old now, when the copy ended before the count. */
int pgtally_finish(struct pgtally *t, struct error *err);
/* Drops a query still out on old, and frees what the count holds. */
void pgtally_free(struct pgtally *t);

#endif
