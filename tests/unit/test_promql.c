/* test_promql.c — the scrape source's PromQL: parsing (good, bad, with the
 * column), and each rule of Prometheus 2.42's evaluation on hand-computed
 * values: rate/increase/delta extrapolation, counter resets, irate/idelta,
 * the closed range window, lookback and staleness, histogram_quantile's
 * special cases, aggregation, vector matching and division by zero. The
 * integration suite checks the same against the real Prometheus. */
#include "check.h"
#include "core/promql.h"
#include "core/promql_internal.h"

#include <math.h>
#include <stdint.h>

/* Samples below leave the explicit timestamp out unless they need one. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct smp {
    const char *name;
    const char *l[9];
    double v;
};

static void scrape_n(struct series_store *st, int64_t t, const struct smp *s, size_t n)
{
    struct expo_sample es[48];
    struct expo_label el[48][4];
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (s[i].l[2 * k])
            el[i][k] = (struct expo_label){s[i].l[2 * k], s[i].l[2 * k + 1]}, k++;
        es[i] = (struct expo_sample){s[i].name, el[i], k, s[i].v, 0, 0, EXPO_COUNTER};
    }
    struct expo e = {es, n, NULL};
    struct error err;
    CHECK(series_store_ingest(st, &e, t, &err) == 0);
}

#define SCRAPE(st, t, ...)                                                              \
    do {                                                                                \
        const struct smp s_[] = {__VA_ARGS__};                                          \
        scrape_n(st, t, s_, sizeof s_ / sizeof s_[0]);                                  \
    } while (0)

/* A store with one unlabelled series `name`: values at t0, t0+step, ... */
static struct series_store *one_series(const char *name, int64_t t0, int64_t step,
                                       const double *v, size_t n)
{
    struct series_store *st = series_store_new(INT64_C(1) << 40, 100000);
    for (size_t i = 0; i < n; i++)
        SCRAPE(st, t0 + (int64_t)i * step, {name, {NULL}, v[i]});
    return st;
}

static struct error last_err;

/* rc of promql_eval (or -2 when the expression does not parse). */
static int eval(const struct series_store *st, const char *expr, int64_t t, double *v)
{
    struct promql *q;
    *v = -12345;
    if (promql_parse(expr, &q, &last_err) != 0) {
        printf("  parse %s: %s\n", expr, last_err.msg);
        return -2;
    }
    int rc = promql_eval(q, st, t, v, &last_err);
    promql_free(q);
    return rc;
}

static int near(double a, double b)
{
    return a == b || fabs(a - b) <= 1e-12 * fmax(fabs(a), fabs(b));
}

/* Expects rc 1 and a value near want. */
#define CHECK_VALUE(st, expr, t, want)                                                   \
    do {                                                                                 \
        double v_;                                                                       \
        int rc_ = eval(st, expr, t, &v_);                                                \
        if (rc_ != 1 || !near(v_, want))                                                 \
            printf("  %s at %lld: rc %d value %.17g (%s), wanted %.17g\n", expr,          \
                   (long long)(t), rc_, v_, rc_ == 1 ? "" : last_err.msg, (double)(want)); \
        CHECK(rc_ == 1 && near(v_, want));                                               \
    } while (0)

#define CHECK_NODATA(st, expr, t, why)                                                   \
    do {                                                                                 \
        double v_;                                                                       \
        int rc_ = eval(st, expr, t, &v_);                                                \
        if (rc_ != 0)                                                                    \
            printf("  %s: rc %d value %g (%s)\n", expr, rc_, v_, last_err.msg);          \
        CHECK(rc_ == 0 && isnan(v_));                                                    \
        CHECK(strstr(last_err.msg, why) != NULL);                                        \
    } while (0)

#define CHECK_EVAL_ERROR(st, expr, t, why)                                               \
    do {                                                                                 \
        double v_;                                                                       \
        int rc_ = eval(st, expr, t, &v_);                                                \
        CHECK(rc_ == -1);                                                                \
        if (!strstr(last_err.msg, why))                                                  \
            printf("  %s: \"%s\"\n", expr, last_err.msg);                                \
        CHECK(strstr(last_err.msg, why) != NULL);                                        \
    } while (0)

/* --- parsing ------------------------------------------------------------------ */

TEST(parse_accepts_the_subset)
{
    const char *good[] = {
        "sum(rate(migration_dual_write_failures_total[1m])) / "
        "sum(rate(migration_dual_write_total[1m]))",
        "histogram_quantile(0.99, sum by (le) (rate(read_seconds_bucket{backend=\"new\"}[1m])))"
        " / histogram_quantile(0.99, sum by (le) (rate(read_seconds_bucket{backend=\"old\"}"
        "[1m])))",
        "sum(rate(shadow_reads_total{result=\"diverged\"}[5m])) / "
        "sum(rate(shadow_reads_total[5m]))",
        "sum(x) by (a, b,)", "SUM WITHOUT (a) (x)", "avg(x)", "min(x)", "max by () (x)",
        "count(x)", "x{a=\"b\",}", "{__name__=\"x\"}", "{__name__=~\"x|y\", a!=\"\"}",
        "x{a!~\"b.*\"}", "rate((x[1m]))", "irate(x[5m])", "increase(x[1h30m])",
        "delta(x[1d])", "idelta(x[1w])", "rate(x[1y])", "rate(x[100ms])", "rate(x [ 1m ])",
        "x # a comment\n + 1", "-x", "+x", "- - 1", "(x)", "((1))", "1e3", ".5", "0x1F",
        "Inf", "-NaN", "x / on (a) y", "x - ignoring (a, b) y", "x * on () y",
        "ns:metric:rate5m", "x{a='b'}", "x{a=`b\\`}", "x{a=\"\\u00e9\\x41\\101\\n\"}",
        "x{by=\"1\", on=\"2\"}", "sum by (on) (x)", "rate", "x{}",
        "histogram_quantile(1 - 0.01, x)",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        struct promql *q = NULL;
        struct error err = {{0}};
        int rc = promql_parse(good[i], &q, &err);
        if (rc != 0)
            printf("  refused %s: %s\n", good[i], err.msg);
        CHECK(rc == 0 && q != NULL);
        promql_free(q);
    }
}

static void check_bad(const char *expr, const char *want)
{
    struct promql *q = (struct promql *)1;
    struct error err = {{0}};
    int rc = promql_parse(expr, &q, &err);
    if (rc != -1 || !strstr(err.msg, want))
        printf("  %s: rc %d \"%s\", wanted \"%s\"\n", expr, rc, err.msg, want);
    CHECK(rc == -1 && q == NULL);
    CHECK(strstr(err.msg, want) != NULL);
}

TEST(parse_errors_say_where_and_what)
{
    check_bad("sum(x", "at column 6: expected ',' or ')', got end of input");
    check_bad("rate(x[1m]", "at column 11: expected ',' or ')', got end of input");
    check_bad("rate(x[1m)", "at column 10: expected ']', got ')'");
    check_bad("foo(x)", "at column 1: unknown function `foo`");
    check_bad("1 + abs(x)", "at column 5: function `abs` is not supported by the scrape "
                            "source; use a prometheus source");
    check_bad("topk(3, x)", "at column 1: aggregation `topk` is not supported");
    check_bad("x > 1", "at column 3: operator `>` is not supported by the scrape source");
    check_bad("x and y", "at column 3: operator `and` is not supported");
    check_bad("x ^ 2", "operator `^` is not supported");
    check_bad("x % 2", "operator `%` is not supported");
    check_bad("x offset 5m", "at column 3: modifier `offset` is not supported");
    check_bad("x @ 100", "modifier `@` is not supported");
    check_bad("x / bool y", "modifier `bool` is not supported");
    check_bad("x / on (a) group_left y", "modifier `group_left` is not supported");
    check_bad("rate(x[5m:1m])", "at column 7: subqueries are not supported");
    check_bad("rate(x)", "at column 1: expected type range vector in call to function "
                         "\"rate\", got instant vector");
    check_bad("histogram_quantile(x, y)", "expected type scalar in call to function");
    check_bad("histogram_quantile(0.9)", "expected 2 argument(s) in call to "
                                         "\"histogram_quantile\", got 1");
    check_bad("rate(x[1m], y[1m])", "expected 1 argument(s) in call to \"rate\", got 2");
    check_bad("rate(x[1m],)", "at column 12: trailing commas not allowed");
    check_bad("x[1m]", "the expression gives a range vector, not a number");
    check_bad("sum(x[1m])", "expected type instant vector in aggregation expression, got "
                            "range vector");
    check_bad("sum(1)", "got scalar");
    check_bad("sum(x, y)", "expected 1, got 2");
    check_bad("x[1m] + 1", "binary expression must contain only scalar and instant vector");
    check_bad("-x[1m]", "unary expression only allowed on expressions of type scalar or "
                        "instant vector");
    check_bad("1 + on (a) x", "vector matching only allowed between instant vectors");
    check_bad("rate(x[0s])", "at column 8: the range must be greater than 0");
    check_bad("rate(x[1m1h])", "bad duration \"1m1h\"");
    check_bad("rate(x[1.5m])", "bad duration");
    check_bad("rate(x[5])", "bad duration");
    check_bad("rate(x[])", "expected a duration, got ']'");
    check_bad("{}", "at column 1: vector selector must contain at least one non-empty "
                    "matcher");
    check_bad("{a=\"\"}", "at least one non-empty matcher");
    check_bad("{a=~\".*\"}", "at least one non-empty matcher");
    check_bad("x{__name__=\"y\"}", "metric name must not be set twice: \"x\" or \"y\"");
    check_bad("x{a=~\"(\"}", "at column 3: invalid regular expression");
    check_bad("x{a=\"b}", "at column 5: unterminated quoted string");
    check_bad("x{a=b}", "at column 5: expected a quoted label value, got identifier");
    check_bad("x{a:b=\"1\"}", "expected a label name");
    check_bad("x{a==\"1\"}", "expected a label matching operator");
    check_bad("x{a=\"\\q\"}", "at column 6: invalid escape sequence");
    check_bad("x{a='\\\"'}", "invalid escape sequence");
    check_bad("x{a=\"\\x00\"}", "cannot contain a NUL");
    check_bad("x{a=\"\xff\"}", "invalid UTF-8");
    check_bad("(x)[1m]", "at column 4: ranges only allowed for vector selectors");
    check_bad("5m", "at column 1: unexpected duration \"5m\"");
    check_bad("\"str\"", "a string is not a number or a series");
    check_bad("", "the expression is empty");
    check_bad("  # only a comment", "the expression is empty");
    check_bad("sum by (a) (x) by (b)", "at column 16: expected an operator or the end of "
                                       "the expression, got identifier");
    check_bad("sum by (a:b) (x)", "expected a label name");
    check_bad("1 +", "at column 4: expected a number, a selector, a function or '('");
    check_bad("x $ y", "at column 3: expected an operator or the end of the expression, got "
                       "unexpected character '$'");
    check_bad("0x", "bad number \"0x\"");
    check_bad("1e", "bad number");
    check_bad("by", "at column 1: unexpected `by`");
    check_bad("x{a=\"é\"} > 1", "at column 10: operator `>`"); /* columns count characters */
}

/* Found by fuzzing: deep nesting must be an error, not a stack overflow. */
TEST(parse_refuses_deep_nesting)
{
    static char text[200001];
    const char *units[] = {"-", "(", "sum(", "1 + "};
    for (size_t u = 0; u < 4; u++) {
        size_t n = 0, k = strlen(units[u]);
        while (n + k + 1 < sizeof text) {
            memcpy(text + n, units[u], k);
            n += k;
        }
        memcpy(text + n, "1", 2);
        check_bad(text, "the expression nests too deeply (over 256 levels)");
    }
    char ok[2000] = "";
    for (int i = 0; i < 100; i++)
        strcat(ok, "-(");
    strcat(ok, "1");
    for (int i = 0; i < 100; i++)
        strcat(ok, ")");
    struct series_store *st = series_store_new(1000, 10);
    CHECK_VALUE(st, ok, 0, 1);
    series_store_free(st);
}

TEST(parse_numbers_as_go_does)
{
    struct series_store *st = series_store_new(1000, 10);
    CHECK_VALUE(st, "0x1f", 0, 31);
    CHECK_VALUE(st, "017", 0, 15); /* strconv.ParseInt base 0: octal */
    CHECK_VALUE(st, "08", 0, 8);   /* not octal: ParseFloat */
    CHECK_VALUE(st, "1e3", 0, 1000);
    CHECK_VALUE(st, "1.5E-1", 0, 0.15);
    CHECK_VALUE(st, ".5", 0, 0.5);
    CHECK_VALUE(st, "5.", 0, 5);
    CHECK_VALUE(st, "Inf", 0, INFINITY);
    CHECK_VALUE(st, "-inf", 0, -INFINITY);
    CHECK_VALUE(st, "99999999999999999999", 0, 1e20);
    CHECK_NODATA(st, "NaN", 0, "NaN");
    series_store_free(st);
}

TEST(parse_durations_as_prometheus_does)
{
    int64_t ms;
    CHECK(pq_parse_duration("1h30m", 5, &ms) == 0 && ms == 5400000);
    CHECK(pq_parse_duration("90s", 3, &ms) == 0 && ms == 90000);
    CHECK(pq_parse_duration("1y2w3d4h5m6s7ms", 15, &ms) == 0 &&
          ms == INT64_C(365) * 86400000 + 14 * INT64_C(86400000) + 3 * 86400000 +
                    4 * 3600000 + 5 * 60000 + 6000 + 7);
    CHECK(pq_parse_duration("250ms", 5, &ms) == 0 && ms == 250);
    CHECK(pq_parse_duration("0s", 2, &ms) == 0 && ms == 0);
    const char *bad[] = {"", "5", "m", "1m1h", "1h1h", "1.5m", "1M", "1x", "99999999999y"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(pq_parse_duration(bad[i], strlen(bad[i]), &ms) == -1);
}

TEST(go_parse_float_rules)
{
    double v;
    CHECK(pq_parse_float("+Inf", &v) == 0 && isinf(v) && v > 0);
    CHECK(pq_parse_float("-infinity", &v) == 0 && isinf(v) && v < 0);
    CHECK(pq_parse_float("NaN", &v) == 0 && isnan(v));
    CHECK(pq_parse_float("0.25", &v) == 0 && v == 0.25);
    CHECK(pq_parse_float("1e-3", &v) == 0 && v == 1e-3);
    CHECK(pq_parse_float("0x1p-2", &v) == 0 && v == 0.25);
    const char *bad[] = {"", " 1", "1 ", "0x10", "+nan", "1e400", "1_0", "abc", ".", "1e"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(pq_parse_float(bad[i], &v) == -1);
}

TEST(max_range_sizes_the_store)
{
    const struct {
        const char *expr;
        int64_t ms;
    } cases[] = {
        {"1", 0},
        {"x", PROMQL_LOOKBACK_MS},
        {"rate(x[1m])", 60000},
        {"rate(x[5m]) / rate(y[1h])", 3600000},
        {"sum(rate(x[30s])) + on () max(y)", PROMQL_LOOKBACK_MS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct promql *q;
        struct error err;
        CHECK(promql_parse(cases[i].expr, &q, &err) == 0);
        CHECK(promql_max_range_ms(q) == cases[i].ms);
        promql_free(q);
    }
}

TEST(want_registers_the_selected_metrics)
{
    struct series_store *st = series_store_new(600000, 100);
    struct promql *q;
    struct error err;
    CHECK(promql_parse("sum(rate(a[1m])) / sum(rate(b[1m]))", &q, &err) == 0);
    CHECK(promql_want(q, st) == 0);
    SCRAPE(st, 1000, {"a", {NULL}, 1}, {"b", {NULL}, 1}, {"c", {NULL}, 1});
    CHECK(series_store_count(st) == 2);
    promql_free(q);
    CHECK(promql_parse("{__name__=~\"c|d\"}", &q, &err) == 0);
    CHECK(promql_want(q, st) == 0);
    SCRAPE(st, 2000, {"a", {NULL}, 1}, {"b", {NULL}, 1}, {"c", {NULL}, 1});
    CHECK(series_store_count(st) == 3);
    promql_free(q);
    series_store_free(st);
}

/* --- rate, increase, delta: promql/functions.go extrapolatedRate ------------- */

TEST(rate_of_a_steady_counter)
{
    const double v[] = {0, 10, 20, 30, 40, 50, 60};
    struct series_store *st = one_series("c", 0, 10000, v, 7);
    CHECK_VALUE(st, "rate(c[1m])", 60000, 1.0);
    CHECK_VALUE(st, "increase(c[1m])", 60000, 60.0);
    CHECK_VALUE(st, "irate(c[1m])", 60000, 1.0);
    series_store_free(st);
}

/* 2.42 selects t-range <= ts <= t: the point at exactly t-1m counts. With
 * it: (70 - 0) over 60 s, no extrapolation. A left-open window (as in 3.x)
 * would drop it: 50 over 50 s of points, extrapolated by the 10 s gap to
 * the start (< 1.1 × 10 s; the zero point, 20 s back, is further), = 1.0;
 * that is also what 1 ms later gives (9.999 s + 0.001 s of extrapolation). */
TEST(range_window_is_closed_on_the_left)
{
    const double v[] = {0, 20, 30, 40, 50, 60, 70};
    struct series_store *st = one_series("c", 0, 10000, v, 7);
    CHECK_VALUE(st, "rate(c[1m])", 60000, 70.0 / 60);
    CHECK_VALUE(st, "rate(c[1m])", 60001, 50.0 * (50 + 9.999 + 0.001) / 50 / 60);
    /* 1 ms earlier the last point drops out; the first is 0, so its zero
     * point (0 s back) is the start: 60 over 50 s, + 9.999 s to the end */
    CHECK_VALUE(st, "rate(c[1m])", 59999, 60.0 * (50 + 0 + 9.999) / 50 / 60);
    series_store_free(st);
}

/* Points at 5..45 s, window [0, 60]: 5 s to the start (< 1.1 × 10 s:
 * extrapolate fully), 15 s to the end (>= 11 s: half an interval). */
TEST(rate_extrapolates_to_the_window_edges)
{
    const double v[] = {10, 20, 30, 40, 50};
    struct series_store *st = one_series("c", 5000, 10000, v, 5);
    CHECK_VALUE(st, "increase(c[1m])", 60000, 40.0 * 50 / 40);
    CHECK_VALUE(st, "rate(c[1m])", 60000, 50.0 / 60);
    CHECK_VALUE(st, "delta(c[1m])", 60000, 50.0);
    series_store_free(st);
}

/* A counter is not extrapolated below zero: from 1 at 30 s rising 10 per
 * 10 s, zero is 1 s before the first point, nearer than the window start. */
TEST(counter_extrapolation_stops_at_zero)
{
    const double v[] = {1, 11, 21, 31};
    struct series_store *st = one_series("c", 30000, 10000, v, 4);
    CHECK_VALUE(st, "increase(c[1m])", 60000, 31.0);
    CHECK_VALUE(st, "rate(c[1m])", 60000, 31.0 / 60);
    /* delta is no counter: half an interval (5 s) beyond 30 s of samples */
    CHECK_VALUE(st, "delta(c[1m])", 60000, 30.0 * 35 / 30);
    series_store_free(st);
}

TEST(counter_resets_are_added_back)
{
    const double v[] = {0, 10, 20, 5, 15, 25, 35};
    struct series_store *st = one_series("c", 0, 10000, v, 7);
    CHECK_VALUE(st, "increase(c[1m])", 60000, 35 + 20);
    CHECK_VALUE(st, "rate(c[1m])", 60000, 55.0 / 60);
    CHECK_VALUE(st, "delta(c[1m])", 60000, 35); /* delta does not know resets */
    CHECK_VALUE(st, "irate(c[1m])", 60000, 1.0);
    CHECK_VALUE(st, "irate(c[1m])", 30000, 0.5); /* 20 → 5: a reset, 5 in 10 s */
    CHECK_VALUE(st, "idelta(c[1m])", 30000, -15);
    series_store_free(st);
}

TEST(delta_of_a_gauge)
{
    const double v[] = {10, 5, 0, -5, -10};
    struct series_store *st = one_series("g", 10000, 10000, v, 5);
    CHECK_VALUE(st, "delta(g[1m])", 60000, -30.0);
    CHECK_VALUE(st, "idelta(g[1m])", 60000, -5.0);
    series_store_free(st);
}

TEST(fewer_than_two_points_give_no_rate)
{
    const double v[] = {1, 2};
    struct series_store *st = one_series("c", 0, 30000, v, 2);
    CHECK_NODATA(st, "rate(c[20s])", 40000, "selected no series");
    CHECK_NODATA(st, "irate(c[20s])", 40000, "selected no series");
    CHECK_NODATA(st, "sum(rate(c[20s]))", 40000, "selected no series");
    CHECK_VALUE(st, "rate(c[30s])", 30000, 1.0 / 30);
    series_store_free(st);
}

TEST(range_functions_drop_the_metric_name)
{
    struct series_store *st = series_store_new(INT64_C(1) << 40, 1000);
    for (int64_t t = 0; t <= 60000; t += 10000)
        SCRAPE(st, t, {"a", {"k", "1", NULL}, (double)t}, {"b", {"k", "1", NULL}, (double)t});
    CHECK_EVAL_ERROR(st, "rate({__name__=~\"a|b\"}[1m])", 60000,
                     "vector cannot contain metrics with the same labelset");
    /* the error comes from rate itself, before any aggregation */
    CHECK_EVAL_ERROR(st, "sum(rate({__name__=~\"a|b\"}[1m]))", 60000, "same labelset");
    CHECK_VALUE(st, "sum(rate({__name__=~\"a|b\", __name__=\"a\"}[1m]))", 60000, 1000.0);
    series_store_free(st);
}

/* --- instant selectors: lookback and staleness -------------------------------- */

TEST(instant_selector_looks_back_five_minutes)
{
    struct series_store *st = series_store_new(INT64_C(1) << 40, 1000);
    SCRAPE(st, 1000, {"g", {NULL}, 7});
    CHECK_NODATA(st, "g", 999, "selected no series");
    CHECK_VALUE(st, "g", 1000, 7);
    CHECK_VALUE(st, "g", 1000 + 300000, 7); /* exactly 5 m: still there */
    CHECK_NODATA(st, "g", 1000 + 300001, "selected no series");
    series_store_free(st);
}

TEST(stale_series_vanish_at_once)
{
    struct series_store *st = series_store_new(INT64_C(1) << 40, 1000);
    for (int64_t t = 0; t <= 30000; t += 10000)
        SCRAPE(st, t, {"g", {NULL}, (double)t}, {"other", {NULL}, 1});
    SCRAPE(st, 40000, {"other", {NULL}, 1});
    CHECK_VALUE(st, "g", 39999, 30000);
    CHECK_NODATA(st, "g", 40000, "selected no series");
    CHECK_NODATA(st, "g", 100000, "selected no series");
    /* a range skips the marker: 4 points, 0..30000 */
    CHECK_VALUE(st, "increase(g[1m])", 60000, 30000.0 * (30 + 5) / 30);
    SCRAPE(st, 50000, {"g", {NULL}, 5}, {"other", {NULL}, 1});
    CHECK_VALUE(st, "g", 50000, 5);
    series_store_free(st);
}

/* --- histogram_quantile: promql/quantile.go bucketQuantile ----------------------- */

static double bq(double q, const double *le, const double *count, size_t n)
{
    struct pq_bucket b[16];
    for (size_t i = 0; i < n; i++)
        b[i] = (struct pq_bucket){le[i], count[i]};
    return pq_bucket_quantile(q, b, n);
}

TEST(bucket_quantile_interpolates)
{
    const double le[] = {0.1, 0.5, 1, INFINITY}, c[] = {10, 50, 90, 100};
    CHECK(near(bq(0.5, le, c, 4), 0.5));
    CHECK(near(bq(0.25, le, c, 4), 0.1 + 0.4 * 15 / 40));
    CHECK(near(bq(0.05, le, c, 4), 0.05)); /* lowest bucket starts at 0 */
    CHECK(near(bq(0.9, le, c, 4), 1));
    CHECK(near(bq(0.95, le, c, 4), 1)); /* in the +Inf bucket: second highest bound */
    CHECK(near(bq(0, le, c, 4), 0));
    CHECK(near(bq(1, le, c, 4), 1));
}

TEST(bucket_quantile_special_cases)
{
    const double le[] = {0.1, 0.5, INFINITY}, c[] = {1, 2, 3};
    CHECK(isinf(bq(-0.1, le, c, 3)) && bq(-0.1, le, c, 3) < 0);
    CHECK(isinf(bq(1.1, le, c, 3)) && bq(1.1, le, c, 3) > 0);
    CHECK(isnan(bq(NAN, le, c, 3)));
    const double no_inf[] = {0.1, 0.5, 1};
    CHECK(isnan(bq(0.5, no_inf, c, 3)));
    const double zero[] = {0, 0, 0};
    CHECK(isnan(bq(0.5, le, zero, 3)));
    const double only_inf[] = {INFINITY}, one[] = {5};
    CHECK(isnan(bq(0.5, only_inf, one, 1)));
    const double nan_le[] = {0.1, NAN, INFINITY};
    CHECK(isnan(bq(0.5, nan_le, c, 3)));
}

TEST(bucket_quantile_sorts_coalesces_and_fixes_monotonicity)
{
    const double le[] = {INFINITY, 1, 0.1, 0.5}, c[] = {100, 90, 10, 50};
    CHECK(near(bq(0.5, le, c, 4), 0.5));
    /* two buckets with the same bound are added together */
    const double dle[] = {0.1, 1, 1, INFINITY}, dc[] = {10, 40, 40, 100};
    CHECK(near(bq(0.5, dle, dc, 4), 0.1 + 0.9 * 40 / 70));
    /* 8 after 10 is raised to 10 */
    const double mle[] = {0.1, 0.5, 1, INFINITY}, mc[] = {10, 8, 20, 20};
    CHECK(near(bq(0.5, mle, mc, 4), 0.1));
    CHECK(near(bq(0.75, mle, mc, 4), 0.5 + 0.5 * 5 / 10));
}

TEST(bucket_quantile_lowest_bucket_at_or_below_zero)
{
    const double le[] = {-1, 0, 1, INFINITY}, c[] = {10, 20, 30, 30};
    CHECK(near(bq(0.2, le, c, 4), -1)); /* in the lowest bucket, bound <= 0 */
    CHECK(near(bq(0.5, le, c, 4), -1 + 1.0 * 5 / 10));
}

static void histogram_scrape(struct series_store *st, int64_t t, double scale, int with_inf)
{
    SCRAPE(st, t, {"h_bucket", {"b", "x", "le", "0.1", NULL}, 10 * scale},
           {"h_bucket", {"b", "x", "le", "0.5", NULL}, 50 * scale},
           {"h_bucket", {"b", "x", "le", "1", NULL}, 90 * scale},
           {"h_bucket", {"b", "y", "le", "1.0", NULL}, 0},
           {"h_bucket", {"b", "x", "le", with_inf ? "+Inf" : "2", NULL}, 100 * scale},
           {"h_bucket", {"b", "x", "le", "junk", NULL}, 1000 * scale},
           {"h_bucket", {"b", "x", NULL}, 1000 * scale});
}

TEST(histogram_quantile_over_rates)
{
    struct series_store *st = series_store_new(INT64_C(1) << 40, 1000);
    for (int64_t t = 0; t <= 60000; t += 10000)
        histogram_scrape(st, t, (double)t / 1000, 1);
    const char *p50 = "histogram_quantile(0.5, sum by (le) (rate(h_bucket{b=\"x\"}[1m])))";
    CHECK_VALUE(st, p50, 60000, 0.5);
    CHECK_VALUE(st, "histogram_quantile(0.25, rate(h_bucket{b=\"x\"}[1m]))", 60000,
                0.1 + 0.4 * 15 / 40);
    CHECK_VALUE(st, "histogram_quantile(0.95, h_bucket{b=\"x\"})", 60000, 1);
    CHECK_VALUE(st, "histogram_quantile(2, rate(h_bucket{b=\"x\"}[1m]))", 60000, INFINITY);
    CHECK_VALUE(st, "histogram_quantile(-1, rate(h_bucket{b=\"x\"}[1m]))", 60000,
                -INFINITY);
    /* b="y" has one bucket, no +Inf: NaN is no data */
    CHECK_NODATA(st, "histogram_quantile(0.5, rate(h_bucket{b=\"y\"}[1m]))", 60000, "NaN");
    /* le="1" and le="1.0" land in one bucket once summed over b */
    CHECK_VALUE(st, "histogram_quantile(0.5, sum by (le) (rate(h_bucket[1m])))", 60000, 0.5);
    CHECK_EVAL_ERROR(st, "histogram_quantile(0.5, rate(h_bucket[1m]))", 60000,
                     "gives 2 series");
    series_store_free(st);
}

TEST(histogram_quantile_no_data_cases)
{
    struct series_store *st = series_store_new(INT64_C(1) << 40, 1000);
    for (int64_t t = 0; t <= 60000; t += 10000)
        histogram_scrape(st, t, 1, 1); /* counters that never move */
    CHECK_NODATA(st, "histogram_quantile(0.99, sum by (le) (rate(h_bucket[1m])))", 60000,
                 "NaN");
    series_store_free(st);
    st = series_store_new(INT64_C(1) << 40, 1000);
    for (int64_t t = 0; t <= 60000; t += 10000)
        histogram_scrape(st, t, (double)t, 0); /* no +Inf bucket */
    CHECK_NODATA(st, "histogram_quantile(0.5, rate(h_bucket{b=\"x\"}[1m]))", 60000, "NaN");
    CHECK_NODATA(st, "histogram_quantile(0.5, rate(nothing[1m]))", 60000, "no series");
    series_store_free(st);
}

/* --- aggregation --------------------------------------------------------------------- */

static struct series_store *labelled(void)
{
    struct series_store *st = series_store_new(INT64_C(1) << 40, 1000);
    SCRAPE(st, 1000, {"m", {"a", "1", "b", "x", NULL}, 1}, {"m", {"a", "1", "b", "y", NULL}, 2},
           {"m", {"a", "2", "b", "x", NULL}, 4}, {"m", {"a", "2", "b", "y", NULL}, 8},
           {"n", {"a", "1", NULL}, 10}, {"n", {"a", "2", NULL}, 20},
           {"infs", {"a", "1", NULL}, INFINITY}, {"infs", {"a", "2", NULL}, 5},
           {"nans", {"a", "1", NULL}, NAN}, {"nans", {"a", "2", NULL}, 3});
    return st;
}

TEST(aggregations)
{
    struct series_store *st = labelled();
    CHECK_VALUE(st, "sum(m)", 1000, 15);
    CHECK_VALUE(st, "avg(m)", 1000, 15.0 / 4);
    CHECK_VALUE(st, "min(m)", 1000, 1);
    CHECK_VALUE(st, "max(m)", 1000, 8);
    CHECK_VALUE(st, "count(m)", 1000, 4);
    CHECK_VALUE(st, "sum by (a) (m{a=\"2\"})", 1000, 12);
    CHECK_VALUE(st, "sum(m{a=\"2\"}) by (a)", 1000, 12);
    CHECK_VALUE(st, "max without (b) (m{a=\"1\"})", 1000, 2);
    CHECK_EVAL_ERROR(st, "sum by (a) (m)", 1000, "gives 2 series, not one");
    CHECK_EVAL_ERROR(st, "sum without (a) (m)", 1000, "gives 2 series");
    CHECK_VALUE(st, "count(sum by (a, b) (m))", 1000, 4);
    CHECK_VALUE(st, "count(sum without (b) (m))", 1000, 2);
    CHECK_VALUE(st, "sum(sum by (zzz) (m))", 1000, 15); /* absent label: one group */
    CHECK_VALUE(st, "max(infs)", 1000, INFINITY);
    CHECK_VALUE(st, "avg(infs)", 1000, INFINITY); /* Inf mean kept, not Inf - Inf */
    CHECK_VALUE(st, "max(nans)", 1000, 3);        /* a NaN is replaced */
    CHECK_VALUE(st, "min(nans)", 1000, 3);
    CHECK_NODATA(st, "sum(nans)", 1000, "NaN");
    CHECK_NODATA(st, "sum(absent_metric)", 1000, "no series");
    series_store_free(st);
}

/* --- binary operators and matching --------------------------------------------------- */

TEST(scalar_arithmetic_and_precedence)
{
    struct series_store *st = series_store_new(1000, 10);
    CHECK_VALUE(st, "1 - 2 - 3", 0, -4);
    CHECK_VALUE(st, "2 * 3 + 4 * 5", 0, 26);
    CHECK_VALUE(st, "8 / 2 / 2", 0, 2);
    CHECK_VALUE(st, "-2 * 3", 0, -6);
    CHECK_VALUE(st, "2 * -3", 0, -6);
    CHECK_VALUE(st, "-(1 + 2)", 0, -3);
    CHECK_VALUE(st, "(1 + 2) * 3", 0, 9);
    CHECK_VALUE(st, "1 / 0", 0, INFINITY);
    CHECK_VALUE(st, "-1 / 0", 0, -INFINITY);
    CHECK_NODATA(st, "0 / 0", 0, "NaN");
    series_store_free(st);
}

TEST(vector_matching)
{
    struct series_store *st = labelled();
    /* label sets differ (b): nothing matches, the result is empty */
    CHECK_NODATA(st, "m{b=\"x\",a=\"1\"} / n{a=\"1\"}", 1000, "no series");
    CHECK_NODATA(st, "m{b=\"x\"} / n", 1000, "no series");
    CHECK_VALUE(st, "m{b=\"x\",a=\"1\"} / ignoring (b) n", 1000, 0.1);
    CHECK_VALUE(st, "m{b=\"y\",a=\"2\"} / ignoring (b) n{a=\"2\"}", 1000, 0.4);
    CHECK_VALUE(st, "m{b=\"y\",a=\"2\"} / on (a) n", 1000, 0.4);
    CHECK_VALUE(st, "sum(m) / on () sum(n)", 1000, 0.5);
    CHECK_VALUE(st, "sum(m{a=\"1\"}) / sum(n)", 1000, 0.1);
    CHECK_EVAL_ERROR(st, "n / on () m", 1000, "found duplicate series for the match group");
    CHECK_EVAL_ERROR(st, "m / on (a) n", 1000, "multiple matches for labels: many-to-one");
    CHECK_EVAL_ERROR(st, "m / ignoring (b) n", 1000, "multiple matches for labels");
    CHECK_EVAL_ERROR(st, "m / m", 1000, "gives 4 series");
    CHECK_VALUE(st, "count(m / m)", 1000, 4);
    series_store_free(st);
}

TEST(vector_scalar_and_unary_drop_the_name)
{
    struct series_store *st = labelled();
    CHECK_VALUE(st, "n{a=\"2\"} * 2 + 1", 1000, 41);
    CHECK_VALUE(st, "1 - n{a=\"2\"}", 1000, -19);
    CHECK_VALUE(st, "-n{a=\"2\"}", 1000, -20);
    CHECK_VALUE(st, "n{a=\"2\"} / 0", 1000, INFINITY);
    CHECK_VALUE(st, "-n{a=\"2\"} / 0", 1000, -INFINITY);
    CHECK_NODATA(st, "n{a=\"2\"} * 0 / 0", 1000, "NaN");
    CHECK_EVAL_ERROR(st, "{__name__=~\"n|infs\"} * 1", 1000, "same labelset");
    CHECK_EVAL_ERROR(st, "-{__name__=~\"n|infs\"}", 1000, "same labelset");
    CHECK_VALUE(st, "sum({__name__=~\"n|m\", b=\"\"})", 1000, 30);
    series_store_free(st);
}

TEST(result_must_be_one_number)
{
    struct series_store *st = labelled();
    CHECK_EVAL_ERROR(st, "n", 1000, "the expression gives 2 series, not one");
    CHECK_NODATA(st, "n{a=\"3\"}", 1000, "no data: the expression selected no series");
    CHECK_VALUE(st, "n{a=\"1\"}", 1000, 10);
    series_store_free(st);
}

RUN_TESTS(T(parse_accepts_the_subset), T(parse_errors_say_where_and_what),
          T(parse_refuses_deep_nesting), T(parse_numbers_as_go_does), T(parse_durations_as_prometheus_does),
          T(go_parse_float_rules), T(max_range_sizes_the_store),
          T(want_registers_the_selected_metrics), T(rate_of_a_steady_counter),
          T(range_window_is_closed_on_the_left), T(rate_extrapolates_to_the_window_edges),
          T(counter_extrapolation_stops_at_zero), T(counter_resets_are_added_back),
          T(delta_of_a_gauge), T(fewer_than_two_points_give_no_rate),
          T(range_functions_drop_the_metric_name), T(instant_selector_looks_back_five_minutes),
          T(stale_series_vanish_at_once), T(bucket_quantile_interpolates),
          T(bucket_quantile_special_cases),
          T(bucket_quantile_sorts_coalesces_and_fixes_monotonicity),
          T(bucket_quantile_lowest_bucket_at_or_below_zero), T(histogram_quantile_over_rates),
          T(histogram_quantile_no_data_cases), T(aggregations),
          T(scalar_arithmetic_and_precedence), T(vector_matching),
          T(vector_scalar_and_unary_drop_the_name), T(result_must_be_one_number))
