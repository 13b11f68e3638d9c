/* test_series.c — the scrape source's sample store: what a scrape stores,
 * Prometheus's staleness markers, out-of-order samples, retention and the
 * per-series cap, the memory bound over an hour, the metric filter, and the
 * label matchers with their RE2-to-POSIX regex rewrite. */
#include "check.h"
#include "core/series.h"

#include <math.h>
#include <stdint.h>

/* Samples below leave the explicit timestamp out unless they need one. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* A sample written compactly: name, label pairs (NULL-ended), value. */
struct smp {
    const char *name;
    const char *l[9];
    double v;
    int64_t ts; /* explicit timestamp when non-zero */
};

static int scrape_n(struct series_store *st, int64_t t, const struct smp *s, size_t n,
                    struct error *err)
{
    struct expo_sample es[32];
    struct expo_label el[32][4];
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (s[i].l[2 * k])
            el[i][k] = (struct expo_label){s[i].l[2 * k], s[i].l[2 * k + 1]}, k++;
        es[i] = (struct expo_sample){s[i].name, el[i], k, s[i].v, s[i].ts != 0, s[i].ts,
                                     EXPO_COUNTER};
    }
    struct expo e = {es, n, NULL};
    return series_store_ingest(st, &e, t, err);
}

#define SCRAPE(st, t, ...)                                                              \
    do {                                                                                \
        const struct smp s_[] = {__VA_ARGS__};                                          \
        struct error e_;                                                                \
        CHECK(scrape_n(st, t, s_, sizeof s_ / sizeof s_[0], &e_) == 0);                  \
    } while (0)

/* The one series matching name; NULL if none or several. */
static const struct series *find(const struct series_store *st, const char *label,
                                 const char *value)
{
    struct series_matcher m;
    struct error err;
    if (series_matcher_init(&m, SERIES_MATCH_EQ, label, value, &err) != 0)
        return NULL;
    size_t cur = 0;
    const struct series *s = series_store_next(st, &m, 1, &cur);
    const struct series *again = s ? series_store_next(st, &m, 1, &cur) : NULL;
    series_matcher_free(&m);
    return again ? NULL : s;
}

static size_t points(const struct series *s, const struct series_point **p)
{
    return s ? series_range(s, INT64_MIN, INT64_MAX, p) : 0;
}

TEST(ingest_and_lookup)
{
    struct series_store *st = series_store_new(60000, 100);
    SCRAPE(st, 1000, {"up", {NULL}, 1}, {"req_total", {"code", "200", NULL}, 5},
           {"req_total", {"code", "500", NULL}, 2});
    CHECK(series_store_count(st) == 3);
    const struct series *s = find(st, "code", "500");
    const struct series_point *p;
    CHECK(points(s, &p) == 1);
    CHECK(p[0].t_ms == 1000 && p[0].value == 2);
    CHECK_STR(series_label_value(s, "__name__"), "req_total");
    CHECK_STR(series_label_value(s, "code"), "500");
    CHECK_STR(series_label_value(s, "absent"), "");
    size_t n;
    const struct series_label *l = series_labels(s, &n);
    CHECK(n == 2);
    CHECK_STR(l[0].name, "__name__");
    CHECK_STR(l[1].name, "code");
    series_store_free(st);
}

/* labels.Compare: label by label, name then value, shorter first. */
TEST(series_come_in_prometheus_order)
{
    struct series_store *st = series_store_new(60000, 100);
    SCRAPE(st, 1000, {"b", {NULL}, 1}, {"a", {"x", "2", NULL}, 1}, {"ab", {NULL}, 1},
           {"a", {"x", "10", NULL}, 1}, {"a", {NULL}, 1}, {"a", {"A", "z", NULL}, 1});
    const char *want[][2] = {{"a", "A"}, {"a", ""}, {"a", "10"}, {"a", "2"}, {"ab", ""},
                             {"b", ""}};
    size_t cur = 0, i = 0;
    const struct series *s;
    while ((s = series_store_next(st, NULL, 0, &cur)) && i < 6) {
        CHECK_STR(series_label_value(s, "__name__"), want[i][0]);
        if (want[i][1][0] == 'A')
            CHECK_STR(series_label_value(s, "A"), "z");
        else
            CHECK_STR(series_label_value(s, "x"), want[i][1]);
        i++;
    }
    CHECK(i == 6);
    series_store_free(st);
}

TEST(own_timestamp_wins_over_scrape_time)
{
    struct series_store *st = series_store_new(60000, 100);
    SCRAPE(st, 5000, {"g", {NULL}, 7, 4200});
    const struct series_point *p;
    CHECK(points(find(st, "__name__", "g"), &p) == 1);
    CHECK(p[0].t_ms == 4200);
    series_store_free(st);
}

TEST(out_of_order_and_duplicate_samples_are_dropped)
{
    struct series_store *st = series_store_new(60000, 100);
    SCRAPE(st, 2000, {"g", {NULL}, 1});
    SCRAPE(st, 3000, {"g", {NULL}, 2, 1500});
    SCRAPE(st, 3000, {"g", {NULL}, 3, 2000});
    SCRAPE(st, 3000, {"g", {NULL}, 4}, {"g", {NULL}, 5});
    const struct series_point *p;
    CHECK(points(find(st, "__name__", "g"), &p) == 2);
    CHECK(p[0].value == 1 && p[1].t_ms == 3000 && p[1].value == 4);
    series_store_free(st);
}

TEST(missing_series_gets_one_staleness_marker)
{
    struct series_store *st = series_store_new(600000, 100);
    SCRAPE(st, 1000, {"a", {NULL}, 1}, {"b", {NULL}, 1});
    SCRAPE(st, 2000, {"a", {NULL}, 2}, {"b", {NULL}, 2});
    SCRAPE(st, 3000, {"a", {NULL}, 3});
    SCRAPE(st, 4000, {"a", {NULL}, 4});
    SCRAPE(st, 5000, {"a", {NULL}, 5}, {"b", {NULL}, 5});
    const struct series_point *p;
    CHECK(points(find(st, "__name__", "b"), &p) == 4);
    CHECK(p[2].t_ms == 3000 && series_point_is_stale(&p[2]));
    CHECK(p[3].t_ms == 5000 && !series_point_is_stale(&p[3]) && p[3].value == 5);
    CHECK(points(find(st, "__name__", "a"), &p) == 5);
    series_store_free(st);
}

TEST(explicit_timestamps_are_not_tracked_for_staleness)
{
    struct series_store *st = series_store_new(600000, 100);
    SCRAPE(st, 1000, {"a", {NULL}, 1, 900}, {"b", {NULL}, 1});
    SCRAPE(st, 2000, {"b", {NULL}, 2});
    const struct series_point *p;
    CHECK(points(find(st, "__name__", "a"), &p) == 1);
    CHECK(!series_point_is_stale(&p[0]));
    series_store_free(st);
}

TEST(failed_scrape_makes_everything_stale)
{
    struct series_store *st = series_store_new(600000, 100);
    SCRAPE(st, 1000, {"a", {NULL}, 1}, {"b", {NULL}, 1});
    struct error err;
    CHECK(series_store_ingest(st, NULL, 2000, &err) == 0);
    const struct series_point *p;
    CHECK(points(find(st, "__name__", "a"), &p) == 2 && series_point_is_stale(&p[1]));
    CHECK(points(find(st, "__name__", "b"), &p) == 2 && series_point_is_stale(&p[1]));
    series_store_free(st);
}

TEST(nan_value_is_not_a_staleness_marker)
{
    struct series_store *st = series_store_new(600000, 100);
    SCRAPE(st, 1000, {"a", {NULL}, NAN}, {"b", {NULL}, INFINITY});
    const struct series_point *p;
    CHECK(points(find(st, "__name__", "a"), &p) == 1);
    CHECK(isnan(p[0].value) && !series_point_is_stale(&p[0]));
    CHECK(points(find(st, "__name__", "b"), &p) == 1 && isinf(p[0].value));
    series_store_free(st);
}

TEST(empty_label_value_is_no_label)
{
    struct series_store *st = series_store_new(600000, 100);
    SCRAPE(st, 1000, {"a", {"x", "", NULL}, 1});
    SCRAPE(st, 2000, {"a", {NULL}, 2});
    CHECK(series_store_count(st) == 1);
    const struct series_point *p;
    CHECK(points(find(st, "__name__", "a"), &p) == 2);
    series_store_free(st);
}

TEST(malformed_scrape_changes_nothing)
{
    struct series_store *st = series_store_new(600000, 100);
    SCRAPE(st, 1000, {"a", {NULL}, 1});
    const struct smp bad[] = {{"a", {NULL}, 2}, {"c", {"x", "1", "x", "2", NULL}, 1}};
    struct error err;
    CHECK(scrape_n(st, 2000, bad, 2, &err) == -1);
    CHECK(strstr(err.msg, "label name twice") != NULL);
    const struct smp noname[] = {{"", {NULL}, 2}};
    CHECK(scrape_n(st, 2000, noname, 1, &err) == -1);
    CHECK(strstr(err.msg, "no metric name") != NULL);
    const struct series_point *p;
    CHECK(series_store_count(st) == 1);
    CHECK(points(find(st, "__name__", "a"), &p) == 1);
    series_store_free(st);
}

TEST(retention_prunes_points_and_forgets_series)
{
    struct series_store *st = series_store_new(10000, 1000);
    for (int64_t t = 1000; t <= 30000; t += 1000) {
        if (t <= 15000)
            SCRAPE(st, t, {"a", {NULL}, (double)t}, {"gone", {NULL}, 1});
        else
            SCRAPE(st, t, {"a", {NULL}, (double)t});
    }
    const struct series_point *p;
    size_t n = points(find(st, "__name__", "a"), &p);
    CHECK(n == 11);
    CHECK(p[0].t_ms == 20000); /* now - retention is kept, older goes */
    CHECK(find(st, "__name__", "gone") == NULL);
    CHECK(series_store_count(st) == 1);
    series_store_free(st);
}

TEST(point_cap_drops_the_oldest)
{
    struct series_store *st = series_store_new(INT64_C(1) << 40, 5);
    for (int64_t t = 1; t <= 12; t++)
        SCRAPE(st, t * 1000, {"a", {NULL}, (double)t});
    const struct series_point *p;
    CHECK(points(find(st, "__name__", "a"), &p) == 5);
    CHECK(p[0].value == 8 && p[4].value == 12);
    series_store_free(st);
}

TEST(range_is_closed_at_both_ends)
{
    struct series_store *st = series_store_new(600000, 100);
    for (int64_t t = 1000; t <= 5000; t += 1000)
        SCRAPE(st, t, {"a", {NULL}, (double)t});
    const struct series *s = find(st, "__name__", "a");
    const struct series_point *p;
    CHECK(series_range(s, 2000, 4000, &p) == 3 && p[0].t_ms == 2000);
    CHECK(series_range(s, 2001, 3999, &p) == 1 && p[0].t_ms == 3000);
    CHECK(series_range(s, 6000, 9000, &p) == 0);
    series_store_free(st);
}

/* 8 signals' worth of series (two histograms of 12 buckets, counters),
 * scraped every second for an hour with the retention a [1m] rate and the
 * 5 m lookback need: memory is flat after the retention fills and small. */
TEST(memory_stays_bounded_over_an_hour)
{
    static const char *le[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
                               "0.5",   "1",    "2.5",   "5",    "10",  "+Inf"};
    struct series_store *st = series_store_new(6 * 60 * 1000, 100000);
    size_t at_10m = 0, peak = 0;
    for (int64_t s = 0; s < 3600; s++) {
        struct smp b[32];
        size_t n = 0;
        for (size_t k = 0; k < 12; k++) {
            b[n++] = (struct smp){"read_seconds_bucket", {"backend", "old", "le", le[k], NULL},
                                  (double)(s * (k + 1))};
            b[n++] = (struct smp){"read_seconds_bucket", {"backend", "new", "le", le[k], NULL},
                                  (double)(s * (k + 2))};
        }
        const char *names[] = {"dw_total", "dw_failures_total", "shadow_total", "lag"};
        for (size_t k = 0; k < 4; k++)
            b[n++] = (struct smp){names[k], {NULL}, (double)s};
        struct error err;
        CHECK(scrape_n(st, s * 1000, b, n, &err) == 0);
        if (series_store_memory(st) > peak)
            peak = series_store_memory(st);
        if (s == 600)
            at_10m = series_store_memory(st);
    }
    printf("  memory: %zu bytes after 10 min, %zu after 1 h, peak %zu\n", at_10m,
           series_store_memory(st), peak);
    CHECK(series_store_memory(st) <= at_10m + at_10m / 10);
    CHECK(peak < 2 * 1024 * 1024);
    CHECK(series_store_count(st) == 28);
    series_store_free(st);
}

TEST(want_filter_keeps_only_named_metrics)
{
    struct series_store *st = series_store_new(600000, 100);
    CHECK(series_store_want(st, "keep") == 0);
    SCRAPE(st, 1000, {"keep", {NULL}, 1}, {"drop", {"x", "1", "x", "2", NULL}, 1});
    CHECK(series_store_count(st) == 1);
    CHECK(series_store_want(st, NULL) == 0);
    CHECK(series_store_want(st, "keep") == 0); /* NULL stays in force */
    SCRAPE(st, 2000, {"keep", {NULL}, 1}, {"other", {NULL}, 1});
    CHECK(series_store_count(st) == 2);
    series_store_free(st);
}

static int matches(enum series_match_op op, const char *re, const char *value)
{
    struct series_matcher m;
    struct error err;
    if (series_matcher_init(&m, op, "l", re, &err) != 0)
        return -1;
    int r = series_matcher_matches(&m, value);
    series_matcher_free(&m);
    return r;
}

TEST(equality_matchers)
{
    CHECK(matches(SERIES_MATCH_EQ, "a", "a") == 1);
    CHECK(matches(SERIES_MATCH_EQ, "a", "ab") == 0);
    CHECK(matches(SERIES_MATCH_NE, "a", "b") == 1);
    CHECK(matches(SERIES_MATCH_NE, "", "") == 0);
    CHECK(matches(SERIES_MATCH_EQ, "", "") == 1); /* an absent label is "" */
}

TEST(regex_matchers_are_anchored)
{
    CHECK(matches(SERIES_MATCH_RE, "a.*", "abc") == 1);
    CHECK(matches(SERIES_MATCH_RE, "a.*", "bab") == 0);
    CHECK(matches(SERIES_MATCH_RE, "b", "abc") == 0);
    CHECK(matches(SERIES_MATCH_RE, "new|old", "old") == 1);
    CHECK(matches(SERIES_MATCH_RE, "new|old", "older") == 0);
    CHECK(matches(SERIES_MATCH_NRE, "new|old", "older") == 1);
    CHECK(matches(SERIES_MATCH_RE, "", "") == 1);
    CHECK(matches(SERIES_MATCH_RE, ".*", "") == 1);
    CHECK(matches(SERIES_MATCH_RE, "5..", "503") == 1);
    CHECK(matches(SERIES_MATCH_RE, "x{2}", "xx") == 1);
}

TEST(regex_re2_syntax_is_rewritten)
{
    CHECK(matches(SERIES_MATCH_RE, "\\d+", "123") == 1);
    CHECK(matches(SERIES_MATCH_RE, "\\d+", "12a") == 0);
    CHECK(matches(SERIES_MATCH_RE, "\\w+\\s\\S", "ab_1 x") == 1);
    CHECK(matches(SERIES_MATCH_RE, "(?:a|b)c", "bc") == 1);
    CHECK(matches(SERIES_MATCH_RE, "(?i)ABC", "aBc") == 1);
    CHECK(matches(SERIES_MATCH_RE, "a+?b", "aaab") == 1);
    CHECK(matches(SERIES_MATCH_RE, "a\\*?", "a*") == 1); /* escaped: not lazy */
    CHECK(matches(SERIES_MATCH_RE, "a\\.b", "a.b") == 1);
    CHECK(matches(SERIES_MATCH_RE, "a\\.b", "axb") == 0);
    CHECK(matches(SERIES_MATCH_RE, "a\\-b", "a-b") == 1);
    CHECK(matches(SERIES_MATCH_RE, "a.b", "a\nb") == 0); /* RE2's '.' skips \n */
    CHECK(matches(SERIES_MATCH_RE, "a[^x]b", "a\nb") == 1);
    CHECK(matches(SERIES_MATCH_RE, "[[:digit:]]+", "42") == 1);
    CHECK(matches(SERIES_MATCH_RE, "a{2}?", "aa") == 1);
    CHECK(matches(SERIES_MATCH_RE, "a{2,3}", "aaa") == 1);
    CHECK(matches(SERIES_MATCH_RE, "a{2,}", "aaaa") == 1);
    CHECK(matches(SERIES_MATCH_RE, "a{2", "a{2") == 1); /* RE2: a literal '{' */
    CHECK(matches(SERIES_MATCH_RE, "{x}", "{x}") == 1);
    CHECK(matches(SERIES_MATCH_RE, "(a|b)+c", "abac") == 1);
}

TEST(regex_unsupported_or_invalid_is_an_error)
{
    const char *bad[] = {"(",     "a[",    "(?s)a",       "\\bx",       "[\\d]",
                         "\\pL",  "\\1",   "a)",          "*a",         "a|*",
                         "a**",   "a++",   "a+*",         "a??+",       "a{1001}",
                         "a{2}{3}+", ("(((((((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+"
                                      ")+"),
                         "((((a{1000}){1000}){1000}))"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct series_matcher m;
        struct error err = {{0}};
        int rc = series_matcher_init(&m, SERIES_MATCH_RE, "l", bad[i], &err);
        if (rc == 0) {
            printf("  accepted /%s/\n", bad[i]);
            series_matcher_free(&m);
        }
        CHECK(rc == -1);
        CHECK(strstr(err.msg, "invalid regular expression") != NULL);
    }
}

RUN_TESTS(T(ingest_and_lookup), T(series_come_in_prometheus_order),
          T(own_timestamp_wins_over_scrape_time),
          T(out_of_order_and_duplicate_samples_are_dropped),
          T(missing_series_gets_one_staleness_marker),
          T(explicit_timestamps_are_not_tracked_for_staleness),
          T(failed_scrape_makes_everything_stale), T(nan_value_is_not_a_staleness_marker),
          T(empty_label_value_is_no_label), T(malformed_scrape_changes_nothing),
          T(retention_prunes_points_and_forgets_series), T(point_cap_drops_the_oldest),
          T(range_is_closed_at_both_ends), T(memory_stays_bounded_over_an_hour),
          T(want_filter_keeps_only_named_metrics), T(equality_matchers),
          T(regex_matchers_are_anchored), T(regex_re2_syntax_is_rewritten),
          T(regex_unsupported_or_invalid_is_an_error))
