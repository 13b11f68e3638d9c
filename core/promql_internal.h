/* promql_internal.h — what promql_parse.c, promql_eval.c and promql_func.c
 * share: the syntax tree, and the pure functions ported in meaning from
 * Prometheus 2.42 (rates, bucket quantiles, Go's number syntax), declared
 * here so the unit tests can check them on hand-computed values. */
#ifndef CUTOVER_PROMQL_INTERNAL_H
#define CUTOVER_PROMQL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "promql.h"
#include "series.h"

enum pq_type { PQ_SCALAR, PQ_VECTOR, PQ_MATRIX };

enum pq_kind {
    PQ_NUMBER,   /* num */
    PQ_SELECTOR, /* matchers; range_ms > 0 makes it a range selector */
    PQ_CALL,     /* func(args) */
    PQ_AGG,      /* agg [by|without (grouping)] (args[0]) */
    PQ_BINARY,   /* args[0] op args[1], with optional on/ignoring */
    PQ_NEG,      /* -args[0] */
};

enum pq_func { PQ_RATE, PQ_IRATE, PQ_INCREASE, PQ_DELTA, PQ_IDELTA, PQ_HISTOGRAM_QUANTILE };
enum pq_agg { PQ_SUM, PQ_AVG, PQ_MIN, PQ_MAX, PQ_COUNT };
enum pq_op { PQ_ADD, PQ_SUB, PQ_MUL, PQ_DIV };
enum pq_match { PQ_MATCH_ALL, PQ_MATCH_ON, PQ_MATCH_IGNORING };

struct pq_node {
    enum pq_kind kind;
    enum pq_type type;
    int paren;                        /* written in parentheses */
    int depth;                        /* 1 for a leaf; bounded by PQ_MAX_DEPTH */
    double num;
    struct series_matcher *matchers;
    size_t n_matchers;
    const char *metric;               /* the name selected by equality, or NULL */
    int64_t range_ms;
    enum pq_func func;
    enum pq_agg agg;
    enum pq_op op;
    struct pq_node *args[2];
    size_t n_args;
    char **labels;                    /* grouping, or on/ignoring labels; sorted */
    size_t n_labels;
    int without;                      /* PQ_AGG: without (...) instead of by (...) */
    enum pq_match match;              /* PQ_BINARY */
};

/* How deep an expression may nest: the parser and the evaluator recurse,
 * and a bound keeps hostile input ("------…", "1+1+…") off the stack's end. */
#define PQ_MAX_DEPTH 256

struct promql {
    struct pq_node *root;
};

void pq_node_free(struct pq_node *n);

/* Go's strconv.ParseFloat(s, 64): the whole string, no spaces, decimal or
 * hex with a p exponent, [+-]Inf/Infinity, NaN. Returns 0 or -1 (syntax, or
 * out of range). */
int pq_parse_float(const char *s, double *out);

/* model.ParseDuration of prometheus/common v0.39: [Ny][Nw][Nd][Nh][Nm][Ns][Nms]. */
int pq_parse_duration(const char *s, size_t len, int64_t *ms);

/* extrapolatedRate (promql/functions.go) over the points of the window
 * [range_start, range_end] (range_end - range_start == range_ms), oldest
 * first, staleness markers left out. Returns 1 with *out, or 0 when there
 * are fewer than 2 points. */
int pq_extrapolated_rate(const struct series_point *p, size_t n, int64_t range_start,
                         int64_t range_end, int64_t range_ms, int is_counter, int is_rate,
                         double *out);

/* instantValue (promql/functions.go): irate (is_rate) and idelta. */
int pq_instant_value(const struct series_point *p, size_t n, int is_rate, double *out);

struct pq_bucket {
    double upper;
    double count;
};

/* bucketQuantile (promql/quantile.go); sorts and rewrites b. */
double pq_bucket_quantile(double q, struct pq_bucket *b, size_t n);

#endif
