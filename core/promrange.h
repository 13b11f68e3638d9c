/* promrange.h — a signal's history from Prometheus's /api/v1/query_range,
 * as the points a gate is judged over (gate.h).
 *
 * Prometheus refuses a request of more than 11,000 points per series, so a
 * long window at a fine step is read in pages; the pure parts — choosing a
 * step, planning the pages, reading one matrix answer — are separate from
 * the one function that goes to the network, so tests reach them without
 * a server. Everything here is thread-safe (no globals; libcurl easy
 * handles of our own; libcurl's implicit global init is thread-safe from
 * 7.84, CURL_VERSION_THREADSAFE — Debian 12 has 7.88) and bounded in time
 * (a timeout per request and one for the whole read). */
#ifndef CUTOVER_PROMRANGE_H
#define CUTOVER_PROMRANGE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "gate.h"

/* What Prometheus answers at most per series and request (its
 * "exceeded maximum resolution of 11,000 points per timeseries"). */
#define PROMRANGE_MAX_POINTS 11000
/* The resolution a window is read at by default: about this many points. */
#define PROMRANGE_TARGET_POINTS 10000

/* The step to read a window of window_ms at: the coarser of the signal's
 * poll interval and window/10,000, rounded up to a whole second (the
 * finest Prometheus stores is what it scraped; a second is the finest a
 * runbook's history asks about). Always >= 1000. */
int64_t promrange_step(int64_t window_ms, int64_t interval_ms);

/* The number of points a query_range over [from, to] at step answers per
 * series: one at from, then one every step up to to. 0 when to < from. */
int64_t promrange_points(int64_t from_ms, int64_t to_ms, int64_t step_ms);

/* Pages: [from, to] split into requests of at most max_points points each
 * (max_points <= 0: PROMRANGE_MAX_POINTS). Page i starts one step after
 * page i-1 ends, on the same grid as one unpaged request would use, so
 * concatenating the pages repeats no point and misses none. */
struct promrange_page {
    int64_t start_ms, end_ms;
};
size_t promrange_page_count(int64_t from_ms, int64_t to_ms, int64_t step_ms, int max_points);
/* Page i of that plan (i < promrange_page_count). */
struct promrange_page promrange_page_at(int64_t from_ms, int64_t to_ms, int64_t step_ms,
                                        int max_points, size_t i);

/* Points read so far, oldest first, appended page by page. The first
 * series' labels are kept so that a page naming another series is an
 * error (a gate needs one series over the whole window). */
struct promrange_points {
    struct gate_point *v;
    size_t n, cap;
    char *metric;       /* the series' labels as JSON, owned; NULL: none yet */
};
void promrange_points_free(struct promrange_points *p);

/* Reads one answer of /api/v1/query_range (len bytes) and appends its
 * points to *out, dropping any at or before the last one kept (a page's
 * boundary point, should a server repeat it). Values are strings, "NaN"
 * and "±Inf" included (kept as such: the judge counts them as covering
 * nothing); timestamps are seconds with a fraction. An empty result adds
 * nothing and is not an error (the judge calls it insufficient).
 * Returns 0, or -1 with err in words: an error answer, malformed or
 * truncated JSON, not a matrix, more than one series (or a series other
 * than the one earlier pages gave), a sample that is not [time, "value"]. */
int promrange_parse(const char *json, size_t len, struct promrange_points *out,
                    struct error *err);

/* Limits of one read; zeros take the defaults. */
struct promrange_opts {
    long request_timeout_ms;  /* each request (default 10 s) */
    long total_timeout_ms;    /* the whole read, every page (default 60 s) */
    int max_points;           /* per request (default PROMRANGE_MAX_POINTS) */
    size_t max_body;          /* bytes of one answer (default 16 MiB) */
};

/* What a read did, for the front end to say. */
struct promrange_stats {
    size_t requests;          /* pages asked for */
    int64_t points_asked;     /* points on the grid over [from, to] */
};

/* Reads expr over [from_ms, to_ms] at step_ms from the Prometheus at
 * base_url (its API root, e.g. http://127.0.0.1:9090; ${ENV} expanded),
 * paged, into *pts (malloc'd, oldest first, caller frees; NULL when none)
 * and *n. Returns 0, or -1 with err in words naming the source with any
 * secret in its URL masked: connection refused, timed out, HTTP 400 with
 * Prometheus's own error, a truncated answer, more than one series.
 * opts and stats may be NULL. Thread-safe; blocks at most
 * opts->total_timeout_ms (plus one connect), so call it from a worker. */
int promrange_fetch(const char *base_url, const char *expr, int64_t from_ms, int64_t to_ms,
                    int64_t step_ms, struct gate_point **pts, size_t *n, struct error *err);
int promrange_fetch_opts(const char *base_url, const char *expr, int64_t from_ms,
                         int64_t to_ms, int64_t step_ms, const struct promrange_opts *opts,
                         struct gate_point **pts, size_t *n, struct promrange_stats *stats,
                         struct error *err);

/* A gate judged at at_ms over its signal's history: the step for its
 * window (step_ms 0: promrange_step of the window and interval_ms, the
 * signal's poll interval), the window and the gap allowed before it
 * (gate_max_gap, gate_window_start) read with promrange_fetch_opts, then
 * gate_judge — the cockpit's judge, so a backtest at any at_ms says what
 * the cockpit would have. Fills *v and, when not NULL, *read. Returns 0,
 * or -1 with err when the history could not be read (v->state is then
 * GATE_UNJUDGED: missing history never passes). */
struct promrange_read {
    int64_t step_ms, from_ms, to_ms;
    size_t points, requests;
};
int promrange_judge_gate(const struct rb_gate *g, const char *base_url, const char *expr,
                         int64_t interval_ms, int64_t step_ms, int64_t at_ms,
                         const struct promrange_opts *opts, struct gate_verdict *v,
                         struct promrange_read *read, struct error *err);

/* The query_range URL of one page (base without trailing slashes, expr
 * escaped; start, end and step in seconds with milliseconds). Caller frees;
 * NULL when out of memory. */
char *promrange_url(const char *base, const char *expr, int64_t start_ms, int64_t end_ms,
                    int64_t step_ms);

#endif
