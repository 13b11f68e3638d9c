/* compare.h — old and new compared through the mapping, on any pair of
 * stores (SQLite or PostgreSQL on either side): checksums of key ranges
 * computed inside each database, the ranges that differ split again until
 * small, then fetched and compared row by row and column by column with
 * canon.h's meaning of equal; each divergent row reported with its likely
 * cause. The engine is pgcompare.h.
 *
 * A comparison walks old's keys in segments of ranges (about a second's
 * work each); each segment is read in one snapshot per side, its
 * differing rows read again by key once that snapshot ended (dual-write
 * may have changed them meanwhile) and reported, and then the segment is
 * verified: on_progress hears the verified prefix's last key, the
 * checkpoint a resumed comparison starts after (opts.after).
 *
 * A sample (opts.sample = N) compares N keys drawn uniformly from old's
 * instead, and gives the divergence rate with its 95 % Wilson interval. */
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
    const struct cval *key_values; /* the same, n_key typed values: the integer
                                 * 10 is not the text '10', ('x,y', 'z') is
                                 * not ('x', 'y,z') */
    size_t n_key;
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
    /* a sample (opts.sample > 0): keys drawn, and the divergence rate */
    int64_t sampled;
    double rate, rate_low, rate_high;
};

/* Where a whole comparison stands, after each verified segment and at
 * the end; counts include earlier runs (opts.prior). */
struct compare_progress {
    const struct compare_result *r;
    int64_t total;              /* old's rows when this run started (PostgreSQL:
                                 * the planner's estimate from 100,000 rows);
                                 * never below the rows verified, and those
                                 * once done */
    size_t n_key;
    const struct cval *after;   /* the verified prefix's last key, or NULL */
    int done;
    int sample;                 /* a sample's: after each key looked up (r->sampled
                                 * of total); no checkpoint, never done */
};
typedef int (*compare_progress_fn)(const struct compare_progress *p, void *ctx,
                                   struct error *err);

struct compare_opts {
    compare_fn on_divergence;
    compare_progress_fn on_progress;
    void *ctx;                  /* for both */
    const struct cval *after;   /* resume after this key (n_key values), or NULL */
    size_t n_after;
    struct compare_result prior;/* counts of the runs before the checkpoint */
    int64_t sample;             /* > 0: compare this many random keys only */
    int64_t (*now_ms)(void);    /* the clock that sizes segments; NULL: fixed size */
    int64_t segment_ms;         /* a segment's target time (0: 1000) */
    int64_t segment_rows;       /* at most this many of old's rows a segment (0: no cap) */
};

int compare_run_opts(struct datajob *j, const struct compare_opts *o,
                     struct compare_result *r, struct error *err);

/* The whole comparison at once, no progress, no checkpoint. */
int compare_run(struct datajob *j, compare_fn fn, void *ctx, struct compare_result *r,
                struct error *err);

/* The 95 % Wilson score interval of d successes in n trials (z = 1.96). */
void compare_wilson(int64_t d, int64_t n, double *low, double *high);

#endif
