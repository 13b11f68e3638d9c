/* promql.h — the subset of PromQL that the `scrape` signal source evaluates
 * itself over core/series.h, with Prometheus 2.42's exact semantics
 * (rates, histogram_quantile, aggregation, vector matching), so a runbook's
 * signal gives the same number with or without a Prometheus server.
 *
 * The subset: number literals (1, 1.5e3, 0x1f, Inf, NaN); instant selectors
 * with = != =~ !~ matchers; range selectors foo[1h30m] (units ms s m h d w y);
 * rate, irate, increase, delta, idelta, histogram_quantile(φ, v);
 * sum, avg, min, max, count with by (...) / without (...) before or after
 * the argument; + - * / between scalars and vectors, one-to-one matching on
 * all labels but __name__, or on (...) / ignoring (...); parentheses; unary
 * minus and plus. Anything else is a parse error that names it. */
#ifndef CUTOVER_PROMQL_H
#define CUTOVER_PROMQL_H

#include <stdint.h>

#include "error.h"
#include "series.h"

struct promql;

/* How far back Prometheus looks for an instant selector's sample. */
#define PROMQL_LOOKBACK_MS (5 * 60 * 1000)

/* Parses text. Returns 0 and *out (free with promql_free), or -1 with err
 * saying where and what: "at column 17: expected ')'"; "at column 1:
 * function `abs` is not supported by the scrape source; use a prometheus
 * source". The expression must give a scalar or an instant vector, and may
 * nest at most 256 levels deep. */
int promql_parse(const char *text, struct promql **out, struct error *err);
void promql_free(struct promql *q);

/* The longest span before the evaluation time the expression reads: its
 * largest range selector, or PROMQL_LOOKBACK_MS when it has an instant
 * selector. A store serving it needs at least this retention. */
int64_t promql_max_range_ms(const struct promql *q);

/* What an expression is made of, for explaining its answers (a NaN from a
 * histogram without observations is not a NaN from 0/0), and for knowing
 * that one scrape cannot answer it (a range needs two). */
#define PROMQL_HAS_RANGE 1u      /* a range selector: foo[1m] */
#define PROMQL_HAS_QUANTILE 2u   /* histogram_quantile */
#define PROMQL_HAS_DIVISION 4u   /* a / */
unsigned promql_features(const struct promql *q);

/* Why an expression of these features gives NaN, in words for a panel:
 * a histogram without observations, 0/0 over idle counters, or a series
 * whose own value is NaN. */
const char *promql_nan_reason(unsigned features);

/* 1 when every selector of q matches a series of st (what one scrape can
 * show of an expression that needs two), else 0 with err naming the first
 * that matches none ("no data: no series of `foo_total` matches"). */
int promql_selectors_found(const struct promql *q, const struct series_store *st,
                           struct error *err);

/* Tells the store to keep the metrics the expression selects (all of them
 * when a selector has no fixed metric name). Returns 0, or -1 when out of
 * memory. */
int promql_want(const struct promql *q, struct series_store *st);

/* Evaluates at t_ms.
 *   1  *value is the result: a scalar, or the one element of a vector;
 *      it may be ±Inf (x/0).
 *   0  no data: *value is NaN and err says why — "no data: the expression
 *      selected no series" for an empty vector, "no data: the value is
 *      NaN: " and promql_nan_reason() for NaN. Missing data must never pass a criterion, so a NaN is
 *      never returned as a number.
 *  -1  an evaluation error in err, e.g. "the expression gave 3 series, not
 *      one: add sum(...) or a label matcher", or Prometheus's own errors
 *      ("vector cannot contain metrics with the same labelset"). */
int promql_eval(const struct promql *q, const struct series_store *st, int64_t t_ms,
                double *value, struct error *err);

#endif
