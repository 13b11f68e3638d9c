/* compare.h — old and new compared through the mapping: checksums of key
 * ranges computed inside each database (cutover_rowhash), the ranges that
 * differ fetched (or, when large, split again until they are small) and
 * compared row by row and column by column with canon.h's meaning of
 * equal; each divergent row reported with its likely cause. This file
 * compares SQLite with SQLite; with PostgreSQL on either side compare_run
 * hands over to pgcompare.h, which works the same way. Ranges are cut along old's keys, CHUNK rows each, so that one
 * divergent row costs one chunk's fetch, and 1 % of rows divergent costs
 * about one more scan; the two databases compute their checksums at once,
 * old's on a thread of its own. Rows that differ within the two snapshots
 * are read again by key once the scan is over, and reported only if they
 * still differ (dual-write may have changed them meanwhile); their keys
 * are held until then. */
#ifndef CUTOVER_COMPARE_H
#define CUTOVER_COMPARE_H

#include <stdint.h>

#include "canon.h"
#include "datajob.h"
#include "error.h"

/* One divergent row; everything is valid only during the callback. */
struct divergence {
    enum canon_cause cause;
    const char *key;            /* "1001", or "eu,42" for a composite key */
    size_t n;                   /* columns that differ (all, for a missing row) */
    const char *const *columns; /* new's names */
    const struct cval *old;     /* n values, through the mapping (NULL: row missing) */
    const struct cval *new_;    /* n values (NULL: row missing in new) */
};

/* Return 0 to go on, -1 to stop the comparison (its err is kept). */
typedef int (*compare_fn)(const struct divergence *d, void *ctx, struct error *err);

struct compare_result {
    int64_t rows_old, rows_new;
    int64_t divergent;
    int64_t by_cause[CAUSE_COUNT];
    int64_t ranges;      /* checksum queries answered, on both sides */
    int64_t fetched;     /* rows fetched to be compared one by one */
};

int compare_run(struct datajob *j, compare_fn fn, void *ctx, struct compare_result *r,
                struct error *err);

#endif
