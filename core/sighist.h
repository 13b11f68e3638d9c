/* sighist.h — a signal's history over a whole ceremony (up to a day) for
 * the charts: each sample lands in one bucket of each of three tiers
 * (1 s, 20 s, 2 min), a bucket keeping the min and max of its values and
 * whether a poll brought no value. Fixed size, so a copy of the fold costs
 * the same at the first sample and the millionth; a chart reads one column
 * per cell (sighist_columns), never every sample. Pure: no clock. */
#ifndef CUTOVER_SIGHIST_H
#define CUTOVER_SIGHIST_H

#include <stddef.h>
#include <stdint.h>

#define SIGHIST_TIERS 3
#define SIGHIST_BUCKETS 720

struct sighist_bucket {
    uint32_t id;          /* ts / the tier's width, truncated: which bucket this is */
    float lo, hi;         /* min and max of the values that fell in it */
    unsigned char flags;  /* SIGHIST_VALUE, SIGHIST_NODATA */
};

#define SIGHIST_VALUE 1   /* a sample with a value fell in the bucket */
#define SIGHIST_NODATA 2  /* a poll brought no value (an error, no data) */

struct sighist {
    struct sighist_bucket b[SIGHIST_TIERS][SIGHIST_BUCKETS];
};

/* The width of tier k's buckets in ms, and the span it holds. */
int64_t sighist_tier_ms(int tier);
int64_t sighist_tier_span_ms(int tier);

/* Folds a sample taken at ts_ms in (value ignored when !has_value). */
void sighist_add(struct sighist *h, int64_t ts_ms, int has_value, double value);

/* One column of a chart: the min and max of the values in its time. */
struct sighist_cell {
    float lo, hi;
    unsigned char flags;  /* SIGHIST_VALUE / SIGHIST_NODATA; 0: nothing (a gap) */
};

/* Reduces the n columns [t0 + k*cell_ms, t0 + (k+1)*cell_ms) into out,
 * from the finest tier that still holds t0 (so a 1-minute chart reads
 * 1 s buckets and a day's chart 2-minute ones). Returns the width in ms of
 * the buckets read: a column narrower than that repeats its bucket. A
 * NULL h (a signal nothing charts) gives empty columns. */
int64_t sighist_columns(const struct sighist *h, int64_t now_ms, int64_t t0, int64_t cell_ms,
                        size_t n, struct sighist_cell *out);

#endif
