/* series.h — the `scrape` signal source's sample store: the samples of each
 * scrape kept per series, with Prometheus's staleness markers, pruned to a
 * retention so memory stays bounded, and looked up with label matchers.
 * It is what core/promql.h evaluates over. Not thread-safe: one owner. */
#ifndef CUTOVER_SERIES_H
#define CUTOVER_SERIES_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "expo.h"

struct series_store;
struct series;

/* A series' labels are sorted by name and include "__name__" (the metric
 * name); labels with an empty value do not exist, as in Prometheus. */
struct series_label {
    const char *name;
    const char *value;
};

struct series_point {
    int64_t t_ms;
    double value; /* a staleness marker is a special NaN: series_point_is_stale() */
};

/* Creates an empty store. Points older than retention_ms before the newest
 * scrape are dropped, and a series keeps at most max_points_per_series
 * points (the oldest go first). Returns NULL when out of memory. Size the
 * retention from promql_max_range_ms() of the expressions it serves. */
struct series_store *series_store_new(int64_t retention_ms, size_t max_points_per_series);
void series_store_free(struct series_store *st);

/* Keeps only series of the given metric names from now on (call once per
 * name); NULL keeps every series for good, whatever names come later.
 * Without a call everything is kept. Returns 0, or -1 when out of memory. */
int series_store_want(struct series_store *st, const char *metric_name);

/* 1 when the store keeps series of this metric name, else 0. */
int series_store_wanted(const struct series_store *st, const char *metric_name);

/* Adds one scrape taken at scrape_ms. A sample without its own timestamp is
 * stored at scrape_ms; a sample at or before its series' last point is
 * dropped (Prometheus refuses out-of-order and duplicate samples). A series
 * of the previous scrape (without explicit timestamps) that is missing from
 * this one gets a staleness marker at scrape_ms. A failed scrape is an
 * empty one (scrape NULL or no samples): every series goes stale, as in
 * Prometheus. Returns 0, or -1 with err set and the store unchanged when a
 * sample is malformed (no name, a label twice) or memory runs out. */
int series_store_ingest(struct series_store *st, const struct expo *scrape, int64_t scrape_ms,
                        struct error *err);

/* Bytes the store holds on the heap (series, labels, points). */
size_t series_store_memory(const struct series_store *st);
size_t series_store_count(const struct series_store *st);

enum series_match_op { SERIES_MATCH_EQ, SERIES_MATCH_NE, SERIES_MATCH_RE, SERIES_MATCH_NRE };

/* One label matcher: label op "value". For =~ and !~ the value is a regular
 * expression matched against the whole label value (see series.c for how
 * POSIX ERE differs from Prometheus's RE2). An absent label matches as "". */
struct series_matcher {
    enum series_match_op op;
    char *label;
    char *value;
    int has_re;
    regex_t re;
};

/* Fills m (copies label and value; compiles the regex). Returns 0, or -1
 * with err set ("invalid regular expression ...") and m left empty. */
int series_matcher_init(struct series_matcher *m, enum series_match_op op, const char *label,
                        const char *value, struct error *err);
void series_matcher_free(struct series_matcher *m);
int series_matcher_matches(const struct series_matcher *m, const char *value);

/* Iterates the series that satisfy all n matchers, in Prometheus's order
 * (sorted by label set). Start with *cursor = 0; returns NULL at the end. */
const struct series *series_store_next(const struct series_store *st,
                                       const struct series_matcher *m, size_t n,
                                       size_t *cursor);

const struct series_label *series_labels(const struct series *s, size_t *n);
/* The value of a label, or "" when the series has no such label. */
const char *series_label_value(const struct series *s, const char *name);

/* The points with mint <= t <= maxt, oldest first, staleness markers
 * included; *first points into the store (valid until the next ingest). */
size_t series_range(const struct series *s, int64_t mint, int64_t maxt,
                    const struct series_point **first);
int series_point_is_stale(const struct series_point *p);

#endif
