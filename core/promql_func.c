/* promql_func.c — the arithmetic of PromQL's functions, rule for rule from
 * Prometheus 2.42 (read in its source; the C is ours):
 *
 *   promql/functions.go extrapolatedRate   rate, increase, delta
 *     - fewer than 2 points in the window: no result for the series;
 *     - counters: a drop between consecutive points is a reset, and the
 *       value before it is added back (resultValue += prevValue);
 *     - durationToStart / durationToEnd: first point to window start, last
 *       point to window end; the average interval between points;
 *     - counters only, if the result > 0 and the first value >= 0: the
 *       extrapolated zero point (sampledInterval * first / result) limits
 *       durationToStart, so a counter is never extrapolated below 0;
 *     - each edge: extrapolate to the window edge when the gap is below
 *       1.1 × the average interval, else by half an average interval;
 *     - rate divides by the range in seconds (time.Duration.Seconds()).
 *   promql/functions.go instantValue       irate, idelta
 *     - the last two points; for irate a drop means a reset and the last
 *       value is the increase; equal timestamps: no result.
 *   promql/quantile.go bucketQuantile     histogram_quantile
 *     - q NaN: NaN; q < 0: -Inf; q > 1: +Inf;
 *     - buckets sorted by upper bound; the highest must be +Inf, else NaN;
 *     - buckets with the same bound are added together (coalesceBuckets);
 *     - counts made monotonic (ensureMonotonic: a lower count than an
 *       earlier one becomes that one);
 *     - fewer than 2 buckets, or 0 observations: NaN;
 *     - rank = q × observations; the first bucket whose count >= rank;
 *       in the +Inf bucket: the second highest bound; in the lowest bucket
 *       with a bound <= 0: that bound; else linear interpolation in the
 *       bucket, whose start is 0 for the lowest bucket.
 *   strconv.ParseFloat and prometheus/common model.ParseDuration for the
 *   number and duration syntax (le label values, literals, ranges). */
#include "promql_internal.h"

#include "number.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --- rates --------------------------------------------------------------- */

/* time.Duration(ms).Seconds(): whole seconds plus the nanoseconds / 1e9. */
static double duration_seconds(int64_t ms)
{
    return (double)(ms / 1000) + (double)((ms % 1000) * 1000000) / 1e9;
}

static double counter_increase(const struct series_point *p, size_t n, int is_counter)
{
    double result = p[n - 1].value - p[0].value;
    double prev = p[0].value;
    for (size_t i = 1; i < n && is_counter; i++) {
        if (p[i].value < prev)
            result += prev;
        prev = p[i].value;
    }
    return result;
}

int pq_extrapolated_rate(const struct series_point *p, size_t n, int64_t range_start,
                         int64_t range_end, int64_t range_ms, int is_counter, int is_rate,
                         double *out)
{
    if (n < 2)
        return 0;
    double result = counter_increase(p, n, is_counter);
    double to_start = (double)(p[0].t_ms - range_start) / 1000;
    double to_end = (double)(range_end - p[n - 1].t_ms) / 1000;
    double sampled = (double)(p[n - 1].t_ms - p[0].t_ms) / 1000;
    double avg = sampled / (double)(n - 1);
    if (is_counter && result > 0 && p[0].value >= 0) {
        double to_zero = sampled * (p[0].value / result);
        if (to_zero < to_start)
            to_start = to_zero;
    }
    double threshold = avg * 1.1;
    double interval = sampled;
    interval += to_start < threshold ? to_start : avg / 2;
    interval += to_end < threshold ? to_end : avg / 2;
    double factor = interval / sampled;
    if (is_rate)
        factor /= duration_seconds(range_ms);
    *out = result * factor;
    return 1;
}

int pq_instant_value(const struct series_point *p, size_t n, int is_rate, double *out)
{
    if (n < 2)
        return 0;
    const struct series_point *last = &p[n - 1], *prev = &p[n - 2];
    double result = is_rate && last->value < prev->value ? last->value
                                                          : last->value - prev->value;
    int64_t interval = last->t_ms - prev->t_ms;
    if (interval == 0)
        return 0;
    if (is_rate)
        result /= (double)interval / 1000;
    *out = result;
    return 1;
}

/* --- histogram_quantile ---------------------------------------------------- */

/* By upper bound; NaN bounds last, so a histogram with one has no +Inf top. */
static int bucket_cmp(const void *a, const void *b)
{
    double x = ((const struct pq_bucket *)a)->upper, y = ((const struct pq_bucket *)b)->upper;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return (x > y) - (x < y);
}

static size_t coalesce(struct pq_bucket *b, size_t n)
{
    struct pq_bucket last = b[0];
    size_t i = 0;
    for (size_t j = 1; j < n; j++) {
        if (b[j].upper == last.upper) {
            last.count += b[j].count;
        } else {
            b[i++] = last;
            last = b[j];
        }
    }
    b[i] = last;
    return i + 1;
}

static void ensure_monotonic(struct pq_bucket *b, size_t n)
{
    double max = b[0].count;
    for (size_t i = 1; i < n; i++) {
        if (b[i].count > max)
            max = b[i].count;
        else if (b[i].count < max)
            b[i].count = max;
    }
}

/* sort.Search(n-1, count >= rank): the first such bucket, or n-1. */
static size_t rank_bucket(const struct pq_bucket *b, size_t n, double rank)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (!(b[mid].count >= rank))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

double pq_bucket_quantile(double q, struct pq_bucket *b, size_t n)
{
    if (isnan(q))
        return NAN;
    if (q < 0)
        return -INFINITY;
    if (q > 1)
        return INFINITY;
    if (n == 0)
        return NAN;
    qsort(b, n, sizeof *b, bucket_cmp);
    if (!(isinf(b[n - 1].upper) && b[n - 1].upper > 0))
        return NAN;
    n = coalesce(b, n);
    ensure_monotonic(b, n);
    if (n < 2)
        return NAN;
    double observations = b[n - 1].count;
    if (observations == 0)
        return NAN;
    double rank = q * observations;
    size_t i = rank_bucket(b, n, rank);
    if (i == n - 1)
        return b[n - 2].upper;
    if (i == 0 && b[0].upper <= 0)
        return b[0].upper;
    double start = 0, end = b[i].upper, count = b[i].count;
    if (i > 0) {
        start = b[i - 1].upper;
        count -= b[i - 1].count;
        rank -= b[i - 1].count;
    }
    return start + (end - start) * (rank / count);
}

/* --- Go's number syntax ----------------------------------------------------- */

static size_t span(const char *s, const char *set)
{
    return strspn(s, set);
}

/* Mantissa digits with an optional point: "1", "1.", ".5", "1.5". */
static const char *skip_mantissa(const char *s, const char *digits)
{
    size_t a = span(s, digits);
    s += a;
    if (*s != '.')
        return a ? s : NULL;
    size_t b = span(s + 1, digits);
    return a || b ? s + 1 + b : NULL;
}

/* Exponent: required for hex ('p'), optional for decimal ('e'). */
static const char *skip_exponent(const char *s, const char *marks, int required)
{
    if (!*s || !strchr(marks, *s))
        return required ? NULL : s;
    s++;
    if (*s == '+' || *s == '-')
        s++;
    size_t d = span(s, "0123456789");
    return d ? s + d : NULL;
}

static int float_syntax_ok(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s = skip_mantissa(s + 2, "0123456789abcdefABCDEF");
        s = s ? skip_exponent(s, "pP", 1) : NULL;
    } else {
        s = skip_mantissa(s, "0123456789");
        s = s ? skip_exponent(s, "eE", 0) : NULL;
    }
    return s && !*s;
}

static int special_float(const char *s, double *out)
{
    const char *p = s;
    double sign = 1;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    if (strcasecmp(p, "inf") == 0 || strcasecmp(p, "infinity") == 0) {
        *out = sign * INFINITY;
        return 1;
    }
    if (p == s && strcasecmp(p, "nan") == 0) {
        *out = NAN;
        return 1;
    }
    return 0;
}

int pq_parse_float(const char *s, double *out)
{
    if (special_float(s, out))
        return 0;
    if (!float_syntax_ok(s))
        return -1;
    errno = 0;
    double v = number_strtod(s, NULL);
    if (errno == ERANGE && isinf(v))
        return -1;
    *out = v;
    return 0;
}

/* --- durations ---------------------------------------------------------------- */

static const struct {
    const char *unit;
    int64_t ms;
} dur_units[] = {
    {"y", INT64_C(365) * 24 * 3600 * 1000}, {"w", INT64_C(7) * 24 * 3600 * 1000},
    {"d", INT64_C(24) * 3600 * 1000},       {"h", INT64_C(3600) * 1000},
    {"m", INT64_C(60) * 1000},              {"s", 1000},
    {"ms", 1},
};
#define N_DUR_UNITS (sizeof dur_units / sizeof dur_units[0])

/* The unit at s[*i] ("ms" before "m") at or after index `from`, or -1. */
static int dur_unit(const char *s, size_t len, size_t *i, size_t from)
{
    for (size_t u = from; u < N_DUR_UNITS; u++) {
        size_t ul = strlen(dur_units[u].unit);
        if (*i + ul > len || strncmp(s + *i, dur_units[u].unit, ul) != 0)
            continue;
        if (ul == 1 && dur_units[u].unit[0] == 'm' && *i + 1 < len && s[*i + 1] == 's')
            continue;
        *i += ul;
        return (int)u;
    }
    return -1;
}

int pq_parse_duration(const char *s, size_t len, int64_t *ms)
{
    size_t i = 0, from = 0;
    int64_t total = 0;
    if (len == 0)
        return -1;
    while (i < len) {
        int64_t n = 0;
        size_t d0 = i;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            if (n > (INT64_MAX - 9) / 10)
                return -1;
            n = n * 10 + (s[i] - '0');
        }
        int u = i > d0 ? dur_unit(s, len, &i, from) : -1;
        if (u < 0 || n > INT64_MAX / dur_units[u].ms ||
            total > INT64_MAX - n * dur_units[u].ms)
            return -1;
        total += n * dur_units[u].ms;
        from = (size_t)u + 1;
    }
    *ms = total;
    return 0;
}
