/* test_expo.c — the exposition parser against what Prometheus 2.42 accepts
 * and rejects (each case here was also served to the real binary; see the
 * decisions at the top of core/expo.c and tests/expo/README.md): names,
 * labels, escapes, values, timestamps, HELP/TYPE, whitespace, NUL bytes,
 * duplicates, truncation, types of families, and a 10,000-series parse
 * within a generous bound (its speed is a figure of `make bench`). */
#include "check.h"
#include "core/expo.h"

#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/* Parses text (with its length, so NULs can be inside) that must be
 * accepted; on failure prints why. The caller frees. */
static struct expo parse_ok_n(const char *text, size_t len, int line)
{
    struct expo e;
    struct error err = {{0}};
    if (expo_parse(text, len, &e, &err) != 0) {
        printf("  test_expo.c:%d: rejected: %s\n", line, err.msg);
        check_failed_in_test = 1;
    }
    return e;
}
#define OK(text) parse_ok_n((text), strlen(text), __LINE__)
#define OK_N(text) parse_ok_n((text), sizeof(text) - 1, __LINE__)

/* The text must be rejected, the message naming `line` and containing
 * `needle` (NULL: any). */
static void parse_bad_n(const char *text, size_t len, int line, const char *needle, int src)
{
    struct expo e;
    struct error err = {{0}};
    if (expo_parse(text, len, &e, &err) == 0) {
        printf("  test_expo.c:%d: accepted (%zu samples), wanted an error\n", src, e.n_samples);
        check_failed_in_test = 1;
        expo_free(&e);
        return;
    }
    if (e.samples || e.n_samples || e.arena) {
        printf("  test_expo.c:%d: partial result after an error\n", src);
        check_failed_in_test = 1;
    }
    char want[32];
    snprintf(want, sizeof want, "line %d: ", line);
    if (strncmp(err.msg, want, strlen(want)) != 0 || (needle && !strstr(err.msg, needle))) {
        printf("  test_expo.c:%d: message \"%s\", wanted \"%s...%s\"\n", src, err.msg, want,
               needle ? needle : "");
        check_failed_in_test = 1;
    }
}
#define BAD(text, line, needle) parse_bad_n((text), strlen(text), (line), (needle), __LINE__)
#define BAD_N(text, line, needle) parse_bad_n((text), sizeof(text) - 1, (line), (needle), __LINE__)

/* Accepted with exactly n samples. */
static void accepts(const char *text, size_t n, int src)
{
    struct expo e = parse_ok_n(text, strlen(text), src);
    if (e.n_samples != n) {
        printf("  test_expo.c:%d: %zu samples, wanted %zu\n", src, e.n_samples, n);
        check_failed_in_test = 1;
    }
    expo_free(&e);
}
#define ACCEPTS(text, n) accepts((text), (n), __LINE__)

/* The value of a one-sample exposition "x VALUE". */
static int value_of(const char *v, double *out)
{
    char text[256];
    snprintf(text, sizeof text, "x %s\n", v);
    struct expo e;
    struct error err;
    if (expo_parse(text, strlen(text), &e, &err) != 0)
        return -1;
    int ok = e.n_samples == 1;
    if (ok)
        *out = e.samples[0].value;
    expo_free(&e);
    return ok ? 0 : -1;
}

static int same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

TEST(counter_gauge_histogram_summary_with_types)
{
    struct expo e = OK("# HELP http_requests_total Requests served.\n"
                       "# TYPE http_requests_total counter\n"
                       "http_requests_total{method=\"GET\",code=\"200\"} 1027\n"
                       "http_requests_total{method=\"POST\",code=\"500\"} 3\n"
                       "# TYPE temperature gauge\n"
                       "temperature -3.5\n"
                       "# TYPE read_seconds histogram\n"
                       "read_seconds_bucket{backend=\"new\",le=\"0.1\"} 10\n"
                       "read_seconds_bucket{backend=\"new\",le=\"+Inf\"} 12\n"
                       "read_seconds_sum{backend=\"new\"} 1.5\n"
                       "read_seconds_count{backend=\"new\"} 12\n"
                       "# TYPE rpc_seconds summary\n"
                       "rpc_seconds{quantile=\"0.99\"} 0.25\n"
                       "rpc_seconds_sum 17\n"
                       "rpc_seconds_count 40\n"
                       "plain 1\n");
    CHECK(e.n_samples == 11);
    if (e.n_samples == 11) {
        const struct expo_sample *s = e.samples;
        CHECK_STR(s[0].name, "http_requests_total");
        CHECK(s[0].type == EXPO_COUNTER);
        CHECK(s[0].n_labels == 2);
        CHECK_STR(s[0].labels[0].name, "method"); /* in the order written */
        CHECK_STR(s[0].labels[1].name, "code");
        CHECK_STR(expo_label(&s[0], "code"), "200");
        CHECK(expo_label(&s[0], "le") == NULL);
        CHECK(s[0].value == 1027);
        CHECK(!s[0].has_timestamp);
        CHECK(s[1].value == 3);
        CHECK(s[2].type == EXPO_GAUGE && s[2].value == -3.5 && s[2].n_labels == 0);
        CHECK_STR(s[3].name, "read_seconds_bucket");
        CHECK(s[3].type == EXPO_HISTOGRAM);
        CHECK_STR(expo_label(&s[4], "le"), "+Inf");
        CHECK(s[5].type == EXPO_HISTOGRAM && s[5].value == 1.5);
        CHECK(s[6].type == EXPO_HISTOGRAM && s[6].value == 12);
        CHECK(s[7].type == EXPO_SUMMARY);
        CHECK_STR(expo_label(&s[7], "quantile"), "0.99");
        CHECK(s[8].type == EXPO_SUMMARY && s[9].type == EXPO_SUMMARY);
        CHECK(s[10].type == EXPO_UNTYPED);
        /* Interned: the same name is the same string. */
        CHECK(s[0].name == s[1].name);
        CHECK(s[3].labels[1].name == s[4].labels[1].name);
    }
    expo_free(&e);
}

TEST(types_follow_the_family_convention)
{
    struct expo e = OK("a_bucket 1\n"                /* TYPE comes later: still applies */
                       "# TYPE a histogram\n"
                       "# TYPE b summary\n"
                       "b_bucket 1\n"                /* a summary has no buckets */
                       "# TYPE c counter\n"
                       "c_count 1\n"                 /* only histograms/summaries */
                       "# TYPE d gauge\n"
                       "# TYPE d counter\n"          /* the last TYPE line wins */
                       "d 1\n"
                       "# TYPE e_sum gauge\n"        /* its own TYPE beats the stem's */
                       "# TYPE e summary\n"
                       "e_sum 1\n"
                       "# TYPE f untyped\n"
                       "f 1\n"
                       "_count 1\n");
    CHECK(e.n_samples == 7);
    if (e.n_samples == 7) {
        CHECK(e.samples[0].type == EXPO_HISTOGRAM);
        CHECK(e.samples[1].type == EXPO_UNTYPED);
        CHECK(e.samples[2].type == EXPO_UNTYPED);
        CHECK(e.samples[3].type == EXPO_COUNTER);
        CHECK(e.samples[4].type == EXPO_GAUGE);
        CHECK(e.samples[5].type == EXPO_UNTYPED);
        CHECK(e.samples[6].type == EXPO_UNTYPED);
    }
    expo_free(&e);
}

TEST(histogram_without_inf_bucket_is_accepted)
{
    /* Nothing in the scrape checks buckets; histogram_quantile does. */
    struct expo e = OK("# TYPE h histogram\n"
                       "h_bucket{le=\"0.5\"} 3\n"
                       "h_bucket{le=\"0.1\"} 9\n"
                       "h_sum 2\nh_count 3\n");
    CHECK(e.n_samples == 4);
    if (e.n_samples == 4)
        CHECK(e.samples[1].type == EXPO_HISTOGRAM);
    expo_free(&e);
}

TEST(label_value_escapes)
{
    struct expo e = OK("x{a=\"q\\\"uote\",b=\"back\\\\slash\",c=\"new\\nline\","
                       "d=\"tab\\tkept\",e=\"\\\\n\",f=\"\\x\\\\\\\\\",g=\"caf\xc3\xa9\"} 1\n");
    CHECK(e.n_samples == 1);
    if (e.n_samples == 1) {
        CHECK_STR(expo_label(e.samples, "a"), "q\"uote");
        CHECK_STR(expo_label(e.samples, "b"), "back\\slash");
        CHECK_STR(expo_label(e.samples, "c"), "new\nline");
        CHECK_STR(expo_label(e.samples, "d"), "tab\\tkept"); /* unknown escape kept */
        CHECK_STR(expo_label(e.samples, "e"), "\\n");
        CHECK_STR(expo_label(e.samples, "f"), "\\x\\\\");
        CHECK_STR(expo_label(e.samples, "g"), "caf\xc3\xa9");
    }
    expo_free(&e);
}

TEST(raw_newline_inside_label_value)
{
    /* promlex.l: [^\\"] includes '\n'; the value spans two lines and line
     * numbers after it count both. */
    struct expo e = OK("x{a=\"one\ntwo\"} 1\ny 2\n");
    CHECK(e.n_samples == 2);
    if (e.n_samples == 2)
        CHECK_STR(expo_label(e.samples, "a"), "one\ntwo");
    expo_free(&e);
    BAD("x{a=\"one\ntwo\"} 1\ny\n", 3, "expected a value");
    BAD("x{a=\"one\\\ntwo\"} 1\n", 1, "label \"a\""); /* backslash-newline */
}

TEST(nan_and_infinities)
{
    static const char *nan_forms[] = {"NaN", "nan", "NAN", "nAn"};
    for (size_t i = 0; i < sizeof nan_forms / sizeof *nan_forms; i++) {
        double v = 0;
        CHECK(value_of(nan_forms[i], &v) == 0 && isnan(v));
    }
    static const struct {
        const char *s;
        double v;
    } inf_forms[] = {{"+Inf", HUGE_VAL},      {"-Inf", -HUGE_VAL},      {"Inf", HUGE_VAL},
                     {"inf", HUGE_VAL},       {"+inf", HUGE_VAL},       {"INF", HUGE_VAL},
                     {"Infinity", HUGE_VAL},  {"-infinity", -HUGE_VAL}, {"+INFINITY", HUGE_VAL}};
    for (size_t i = 0; i < sizeof inf_forms / sizeof *inf_forms; i++) {
        double v = 0;
        CHECK(value_of(inf_forms[i].s, &v) == 0 && v == inf_forms[i].v);
    }
    /* Go's ParseFloat takes no sign on NaN and no partial words. */
    BAD("x +NaN\n", 1, "\"+NaN\" is not a number");
    BAD("x -nan\n", 1, "not a number");
    BAD("x Infinit\n", 1, "not a number");
    BAD("x infin\n", 1, "not a number");
    BAD("x i\n", 1, "not a number");
    BAD("x nan0\n", 1, "not a number");
    BAD("x NaNs\n", 1, "not a number");
}

TEST(float_syntax_as_go_parsefloat)
{
    static const struct {
        const char *s;
        double v;
    } good[] = {
        {"0", 0},          {"-0", -0.0},         {"1", 1},           {"007", 7},
        {"12345", 12345},  {".5", 0.5},          {"5.", 5},          {"+.5e-3", 0.0005},
        {"1E5", 1e5},      {"1e+05", 1e5},       {"-2.5e-3", -2.5e-3}, {"+1", 1},
        {"0.1", 0.1},      {"3.14159", 3.14159}, {"1e308", 1e308},   {"1e-5", 1e-5},
        {"123456789012345678901234567890", 123456789012345678901234567890.0},
        {"0.30000000000000004", 0.30000000000000004},
        {"1.7976931348623158e308", DBL_MAX},
        {"4.9e-324", 4.9e-324},
        {"2.2250738585072014e-308", 2.2250738585072014e-308},
        {"9007199254740993", 9007199254740993.0}, /* 2^53+1 rounds to even */
        {"0.000000000000000000001", 1e-21},
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        double v = 12345.678;
        if (value_of(good[i].s, &v) != 0 || !same_double(v, good[i].v)) {
            printf("  value \"%s\" read as %.17g\n", good[i].s, v);
            check_failed_in_test = 1;
        }
    }
    /* Underflow is not an error in Go: 0, as Prometheus stores it. */
    double v = 1;
    CHECK(value_of("1e-400", &v) == 0 && v == 0);
    CHECK(value_of("-1e-400", &v) == 0 && v == 0 && signbit(v));

    static const char *bad[] = {"0x10",  "0x1p3", "0X1P3", "1_000", "1,5",   "1e",
                                ".",     "-",     "+",     "++1",   "1e+-1", "1.0.0",
                                "-.e1",  ".e1",   "e5",    "1e5.0", "1d",    "1f",
                                "0b1",   "1..2",  "--1",   "1}",    "\"1\"", "1#"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        double w;
        if (value_of(bad[i], &w) == 0) {
            printf("  value \"%s\" accepted as %g\n", bad[i], w);
            check_failed_in_test = 1;
        }
    }
}

TEST(values_out_of_range_are_errors)
{
    BAD("x 1e400\n", 1, "out of the range");
    BAD("x -1e400\n", 1, "out of the range");
    BAD("x 1.7976931348623159e308\n", 1, "out of the range");
}

TEST(values_round_trip_exactly)
{
    /* The fast path (15 digits, exponent within ±22) and strtod_l must
     * both give the correctly rounded double, as ParseFloat does. */
    uint64_t r = 88172645463325252ULL;
    for (int i = 0; i < 20000; i++) {
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        double want;
        switch (i % 4) {
        case 0: want = (double)(r % 1000000007) / 1000.0; break;
        case 1: want = (double)(r % 100000) * 1e-9; break;
        default: {
            uint64_t bits = r & 0x7fefffffffffffffULL; /* finite */
            memcpy(&want, &bits, sizeof want);
        }
        }
        char s[64];
        snprintf(s, sizeof s, i % 3 ? "%.17g" : "%.15g", want);
        double strtod_v = strtod(s, NULL), got = 0;
        if (value_of(s, &got) != 0 || !same_double(got, strtod_v)) {
            printf("  \"%s\": got %.17g, strtod %.17g\n", s, got, strtod_v);
            check_failed_in_test = 1;
            break;
        }
    }
}

TEST(values_ignore_a_comma_locale)
{
    static const char *locales[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "de_DE"};
    const char *found = NULL;
    for (size_t i = 0; i < sizeof locales / sizeof *locales && !found; i++)
        if (setlocale(LC_ALL, locales[i]) && strcmp(localeconv()->decimal_point, ",") == 0)
            found = locales[i];
    if (!found) {
        setlocale(LC_ALL, "C");
        printf("  note: no comma locale is installed; checked in C only\n");
    }
    double v = 0;
    CHECK(value_of("1.5", &v) == 0 && v == 1.5);
    CHECK(value_of("0.30000000000000004", &v) == 0 && v == 0.30000000000000004);
    CHECK(value_of("1234567890.123456789e-3", &v) == 0 && v == 1234567.890123456789);
    CHECK(value_of("1,5", &v) != 0);
    if (found)
        printf("  locale %s: decimal point '%s'\n", found, localeconv()->decimal_point);
    setlocale(LC_ALL, "C");
}

TEST(timestamps)
{
    struct expo e = OK("a 1 1700000000000\nb 2 0\nc 3 9223372036854775807\nd{x=\"1\"} 4 007\n");
    CHECK(e.n_samples == 4);
    if (e.n_samples == 4) {
        CHECK(e.samples[0].has_timestamp && e.samples[0].timestamp_ms == INT64_C(1700000000000));
        CHECK(e.samples[1].has_timestamp && e.samples[1].timestamp_ms == 0);
        CHECK(e.samples[2].timestamp_ms == INT64_MAX);
        CHECK(e.samples[3].timestamp_ms == 7);
    }
    expo_free(&e);
    BAD("x 1 9223372036854775808\n", 1, "timestamp 9223372036854775808 is out of range");
    BAD("x 1 -5\n", 1, "expected a timestamp or the end of the line, got '-'");
    BAD("x 1 +5\n", 1, "got '+'");
    BAD("x 1 1.5\n", 1, "expected the end of the line after the timestamp, got '.'");
    BAD("x 1 2 3\n", 1, "after the timestamp, got a timestamp");
    BAD("x 1 1e3\n", 1, "after the timestamp");
    BAD("x 1 # comment\n", 1, "got '#'");
}

TEST(whitespace_rules)
{
    struct expo e = OK("a\t{x=\"1\"}\t1\t5\n"
                       "b   2   \n"
                       "c {  x = \"1\" ,  y=\"2\"  } 3\n"
                       "d{x=\"1\"}4\n"
                       "e{}5\n"
                       "   \n\t\n\n"
                       "  # HELP f indented metadata is fine\n"
                       "\t# TYPE f gauge\n"
                       "f 6 \n");
    CHECK(e.n_samples == 6);
    if (e.n_samples == 6) {
        CHECK(e.samples[0].value == 1 && e.samples[0].timestamp_ms == 5);
        CHECK(e.samples[1].value == 2 && !e.samples[1].has_timestamp);
        CHECK_STR(expo_label(&e.samples[2], "y"), "2");
        CHECK(e.samples[3].value == 4);
        CHECK(e.samples[4].value == 5 && e.samples[4].n_labels == 0);
        CHECK(e.samples[5].type == EXPO_GAUGE);
    }
    expo_free(&e);
    /* The name is taken from the start of the line (PromParser.Metric). */
    BAD("ok 1\n  indented 1\n", 2, "must not start with whitespace");
    BAD("\tx 1\n", 1, "whitespace");
    /* '\r' is not whitespace: CRLF text fails on the value. */
    BAD("x 1\r\n", 1, "\"1\\r\" is not a number");
    BAD("x 1\n\r\n", 2, "must start with a metric name or '#', got byte 0x0d");
    BAD("\xef\xbb\xbfx 1\n", 1, "must start with a metric name");
}

TEST(names_and_label_sets)
{
    struct expo e = OK(":colon:name 1\n"
                       "_under_9 2\n"
                       "x{__dunder=\"1\",_=\"2\",A9=\"3\"} 3\n"
                       "x{a=\"1\",} 4\n"        /* a trailing comma */
                       "x{a=\"2\" b=\"3\"} 5\n" /* a comma left out */
                       "x{a=\"3\"b=\"4\"} 6\n");
    CHECK(e.n_samples == 6);
    if (e.n_samples == 6) {
        CHECK_STR(e.samples[0].name, ":colon:name");
        CHECK(e.samples[2].n_labels == 3);
        CHECK(e.samples[4].n_labels == 2 && e.samples[5].n_labels == 2);
    }
    expo_free(&e);
    BAD("1x 1\n", 1, "got '1'");
    BAD("x-y 1\n", 1, "\"-y\" is not a number");
    BAD("x{,a=\"1\"} 1\n", 1, "expected a label name or '}', got ','");
    BAD("x{a=\"1\",,b=\"2\"} 1\n", 1, "got ','");
    BAD("x{a:b=\"1\"} 1\n", 1, "expected '=' after label name \"a\", got ':'");
    BAD("x{1a=\"1\"} 1\n", 1, "got '1'");
    BAD("x{a=1} 1\n", 1, "expected a quoted value for label \"a\", got '1'");
    BAD("x{a='1'} 1\n", 1, "got '''");
    BAD("x{a} 1\n", 1, "expected '='");
    BAD("x{a=\"1\"}{b=\"2\"} 1\n", 1, "expected a value after the metric labels, got '{'");
    BAD("{} 1\n", 1, "must start with a metric name");
    BAD("{a=\"1\"} 1\n", 1, "got '{'");
    BAD("x{a=\"1\"\n", 1, "expected a label name or '}', got the end of the line");
}

TEST(empty_label_values_delete_the_name)
{
    /* scrape.go mutateSampleLabels: labels.Builder.Reset deletes every
     * label of a name that has an empty value, before the duplicate check;
     * Prometheus stores y{c="k"} and z{} below. */
    struct expo e = OK("x{a=\"\"} 1\n"
                       "y{a=\"\",a=\"v\",b=\"\",c=\"k\"} 2\n"
                       "z{a=\"1\",a=\"2\",a=\"\"} 3\n");
    CHECK(e.n_samples == 3);
    if (e.n_samples == 3) {
        CHECK(e.samples[0].n_labels == 0);
        CHECK(expo_label(&e.samples[0], "a") == NULL);
        CHECK(e.samples[1].n_labels == 1);
        CHECK(expo_label(&e.samples[1], "a") == NULL);
        CHECK_STR(expo_label(&e.samples[1], "c"), "k");
        CHECK(e.samples[2].n_labels == 0);
    }
    expo_free(&e);
    /* That holds within one sample only: the next keeps its a, and its
     * duplicates are errors again. */
    e = OK("x{a=\"\"} 1\ny{a=\"v\"} 2\n");
    CHECK(e.n_samples == 2);
    if (e.n_samples == 2)
        CHECK_STR(expo_label(&e.samples[1], "a"), "v");
    expo_free(&e);
    BAD("x{a=\"\"} 1\ny{a=\"v\",a=\"w\"} 2\n", 2, "label \"a\" appears twice");
}

TEST(duplicate_label_names_fail_the_scrape)
{
    BAD("ok 1\nx{a=\"1\",a=\"2\"} 1\n", 2, "label \"a\" appears twice");
    BAD("x{a=\"1\",b=\"2\",a=\"1\"} 1\n", 1, "label \"a\" appears twice");
    /* but job and instance, which the target labels replace (core/scrape.c) */
    struct expo targets = OK("x{instance=\"a\",instance=\"b\",job=\"c\",job=\"d\"} 1\n");
    CHECK(targets.n_samples == 1 && targets.samples[0].n_labels == 4);
    expo_free(&targets);
    BAD("x{__name__=\"x\"} 1\n", 1, "__name__");
    BAD("x{__name__=\"y\"} 1\n", 1, "__name__");
    BAD("x{__name__=\"\"} 1\n", 1, "__name__");
    /* Prometheus lets this one pass only because it drops a sample dated
     * 1970 before checking labels; with no clock, every sample is in
     * bounds here (see core/expo.c). */
    BAD("x{a=\"1\",a=\"2\"} 1 1000\n", 1, "appears twice");

    /* Many labels: the sorted path of the duplicate check. */
    char text[4096] = "x{";
    for (int i = 0; i < 100; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "l%d=\"v\",", i);
    strcat(text, "} 1\n");
    struct expo e = OK(text);
    CHECK(e.n_samples == 1 && e.samples[0].n_labels == 100);
    expo_free(&e);
    char *dup = strstr(text, "} 1");
    snprintf(dup, sizeof text - (size_t)(dup - text), "l57=\"w\"} 1\n");
    BAD(text, 1, "label \"l57\" appears twice");
}

TEST(same_series_twice_keeps_the_first)
{
    /* scrape.go checkAddError / memSeries.appendable: a repeat at the same
     * time is dropped, not an error; label order does not matter. */
    struct expo e = OK("d 1\nd 2\n"
                       "r{a=\"1\",b=\"2\"} 1\nr{b=\"2\",a=\"1\"} 2\n"
                       "p{a=\"\"} 1\np 2\n"
                       "other{a=\"1\"} 3\nother{a=\"2\"} 4\n");
    CHECK(e.n_samples == 5);
    if (e.n_samples == 5) {
        CHECK_STR(e.samples[0].name, "d");
        CHECK(e.samples[0].value == 1);
        CHECK(e.samples[1].value == 1 && e.samples[1].n_labels == 2);
        CHECK(e.samples[2].value == 1);
        CHECK(e.samples[3].value == 3 && e.samples[4].value == 4);
    }
    expo_free(&e);
}

TEST(same_series_with_timestamps)
{
    /* Only a strictly newer time is appended; no timestamp is "now". */
    struct expo e = OK("fwd 1 1000\nfwd 2 2000\n"  /* both */
                       "back 1 2000\nback 2 1000\n" /* first */
                       "same 1 1000\nsame 1 1000\n" /* first */
                       "old_then_now 1 1000\nold_then_now 2\n" /* both */
                       "now_then_old 1\nnow_then_old 2 1000\n" /* first */);
    CHECK(e.n_samples == 7);
    if (e.n_samples == 7) {
        CHECK_STR(e.samples[0].name, "fwd");
        CHECK_STR(e.samples[1].name, "fwd");
        CHECK(e.samples[1].value == 2);
        CHECK_STR(e.samples[2].name, "back");
        CHECK(e.samples[2].value == 1);
        CHECK_STR(e.samples[3].name, "same");
        CHECK_STR(e.samples[4].name, "old_then_now");
        CHECK_STR(e.samples[5].name, "old_then_now");
        CHECK(!e.samples[5].has_timestamp && e.samples[5].value == 2);
        CHECK_STR(e.samples[6].name, "now_then_old");
        CHECK(e.samples[6].value == 1);
    }
    expo_free(&e);
}

TEST(invalid_utf8_in_label_values)
{
    BAD("x{a=\"\xff\"} 1\n", 1, "not valid UTF-8");
    BAD("x{a=\"\xc0\x80\"} 1\n", 1, "UTF-8");         /* overlong */
    BAD("x{a=\"\xed\xa0\x80\"} 1\n", 1, "UTF-8");     /* a surrogate */
    BAD("x{a=\"\xf4\x90\x80\x80\"} 1\n", 1, "UTF-8"); /* past U+10FFFF */
    BAD("x{a=\"\xe2\x82\"} 1\n", 1, "UTF-8");         /* cut short */
    BAD("ok 1\ny 2\nx{a=\"ok\",b=\"\x80\"} 1\n", 3, "label \"b\"");
    struct expo e = OK("x{a=\"\xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xed\x9f\xbf\"} 1\n");
    CHECK(e.n_samples == 1);
    expo_free(&e);
}

TEST(help_and_type_lines)
{
    struct expo e = OK("# HELP a Some help with \\\\ and \\n escapes and \xc3\xa9.\n"
                       "# HELP a\n"                     /* no text */
                       "# HELP a \n"                    /* only a blank */
                       "#\tTYPE\ta\tcounter\n"          /* tabs */
                       "#  TYPE   b gauge\n"            /* blanks before the name */
                       "# HELP\n"                       /* a comment: no blank after */
                       "# HELPx y\n"                    /* a comment */
                       "#HELP c c\n"                    /* a comment */
                       "#TYPE c bogus\n"                /* a comment */
                       "# TYPEs c bogus\n"              /* a comment */
                       "# any comment at all\n"
                       "#\n"
                       "# EOF\n"
                       "a 1\nb 2\n");
    CHECK(e.n_samples == 2);
    if (e.n_samples == 2) {
        CHECK(e.samples[0].type == EXPO_COUNTER);
        CHECK(e.samples[1].type == EXPO_GAUGE);
    }
    expo_free(&e);
    /* The text is the rest of the line less one byte (promparse.go). */
    BAD("# TYPE x  counter\n", 1, "invalid metric type \" counter\"");
    BAD("a 1\n# TYPE x counter \n", 2, "invalid metric type \"counter \"");
    BAD("# TYPE x unknown\n", 1, "invalid metric type \"unknown\"");
    BAD("# TYPE x gaugehistogram\n", 1, "invalid metric type");
    BAD("# TYPE x Counter\n", 1, "invalid metric type");
    BAD("# TYPE x\n", 1, "invalid metric type \"\"");
    BAD("# TYPE x \n", 1, "invalid metric type \"\"");
    BAD("# TYPE xcounter\n", 1, "invalid metric type \"\"");
    BAD("# TYPE \n", 1, "expected a metric name after TYPE, got the end of the line");
    BAD("# HELP 9x help\n", 1, "expected a metric name after HELP, got '9'");
    BAD("# HELP x \xff\n", 1, "HELP text is not valid UTF-8");
    /* "x" ends the name, and the first byte of "é" is dropped as the blank. */
    BAD("# HELP x\xc3\xa9 bar\n", 1, "not valid UTF-8");
}

TEST(nul_bytes_as_prometheus_lexes_them)
{
    /* A NUL at the start of a line ends the text, accepted. */
    struct expo e = OK_N("a 1\n\0garbage{{{\n");
    CHECK(e.n_samples == 1);
    expo_free(&e);
    e = OK_N("a 1\n  \0garbage\n");
    CHECK(e.n_samples == 1);
    expo_free(&e);
    e = OK_N("a 1\n#\0garbage\nb 2\n");
    CHECK(e.n_samples == 1);
    expo_free(&e);
    /* Inside a label value NULs are kept... */
    e = OK_N("v{a=\"x\0y\"} 1\n");
    CHECK(e.n_samples == 1);
    if (e.n_samples == 1) {
        const char *v = expo_label(e.samples, "a");
        CHECK(v && v[0] == 'x' && v[1] == '\0' && v[2] == 'y' && v[3] == '\0');
    }
    expo_free(&e);
    /* ...and one right after the closing quote is skipped in the lexer but
     * shifts the value's end, so the value reads x" (as Prometheus stores
     * it). */
    e = OK_N("q{a=\"x\"\0} 1\n");
    CHECK(e.n_samples == 1);
    if (e.n_samples == 1)
        CHECK_STR(expo_label(e.samples, "a"), "x\"");
    expo_free(&e);
    /* Comments skip NULs (after "# "), HELP text keeps them. */
    e = OK_N("# comment \0 here\nc 1\n# HELP c he\0lp\n");
    CHECK(e.n_samples == 1);
    expo_free(&e);
    BAD_N("x{a=\0\"v\"} 1\n", 1, "expected a quoted value");
    BAD_N("x \0\n", 1, "expected a value after the metric name, got byte 0x00");
    BAD_N("x 1\0\n", 1, "expected a timestamp or the end of the line");
    BAD_N("# HELP x\0bar\n", 1, "expected the end of the line after HELP, got the end of the text");
    BAD_N("# TYPE x counter\0\n", 1, "invalid metric type");
}

TEST(truncated_expositions)
{
    /* Prometheus appends '\n': a last line without one is complete. */
    ACCEPTS("x 1", 1);
    ACCEPTS("x{a=\"1\"} 1 1000", 1);
    ACCEPTS("x 1\n# HELP y cut here", 1);
    ACCEPTS("x 1\n# TYPE y counter", 1);
    ACCEPTS("", 0);
    ACCEPTS("\n\n", 0);
    ACCEPTS("# only a comment\n", 0);
    /* A cut that leaves an incomplete record is an error, at its line. */
    BAD("x 1\ny", 2, "expected a value after the metric name, got the end of the line");
    BAD("x 1\ny ", 2, "expected a value");
    BAD("x 1\ny{", 2, "expected a label name or '}'");
    BAD("x 1\ny{a", 2, "expected '='");
    BAD("x 1\ny{a=", 2, "expected a quoted value");
    BAD("x 1\ny{a=\"tru", 2, "unterminated");
    BAD("x 1\ny{a=\"v\"", 2, "expected a label name or '}'");
    BAD("x 1\ny{a=\"v\"}", 2, "expected a value after the metric labels");
    BAD("x 1\n# TYPE y coun", 2, "invalid metric type \"coun\"");
    BAD("x 1\n# TYPE ", 2, "expected a metric name after TYPE");
}

TEST(error_names_the_line)
{
    BAD("# HELP a A.\n# TYPE a counter\na 1\n\na{b=\"c\"} 2\nb 3 4 5\n", 6, "after the timestamp");
    BAD("a 1\nb 2\nc 3\nd oops\n", 4, "\"oops\" is not a number");
}

TEST(free_is_safe_on_failure_and_twice)
{
    struct expo e;
    struct error err;
    CHECK(expo_parse("bad line\n", 9, &e, &err) == -1);
    CHECK(e.samples == NULL && e.n_samples == 0 && e.arena == NULL);
    expo_free(&e);
    CHECK(expo_parse("x 1\n", 4, &e, NULL) == 0); /* a NULL error is fine */
    expo_free(&e);
    expo_free(&e);
    expo_free(NULL);
    CHECK(expo_parse("x", 1, &e, NULL) == -1);
    CHECK(expo_parse(NULL, 0, &e, &err) == 0 && e.n_samples == 0);
    expo_free(&e);
}

/* A realistic exposition of n series: histograms with labels, counters,
 * gauges, HELP and TYPE lines. */
static char *make_exposition(size_t n, size_t *len)
{
    size_t cap = n * 160 + 4096, used = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
#define PUT(...) used += (size_t)snprintf(s + used, cap - used, __VA_ARGS__)
    static const char *les[] = {"0.005", "0.01", "0.025", "0.05", "0.1",
                                "0.25",  "0.5",  "1",     "2.5",  "+Inf"};
    size_t series = 0;
    for (int fam = 0; series < n; fam++) {
        PUT("# HELP app_request_duration_seconds_%d Latency of requests.\n", fam);
        PUT("# TYPE app_request_duration_seconds_%d histogram\n", fam);
        for (int h = 0; h < 20 && series < n; h++) {
            for (int b = 0; b < 10 && series < n; b++, series++)
                PUT("app_request_duration_seconds_%d_bucket{handler=\"/api/v%d/items\","
                    "method=\"GET\",le=\"%s\"} %d\n",
                    fam, h, les[b], b * 1000 + h);
        }
        PUT("# TYPE app_requests_total_%d counter\n", fam);
        for (int c = 0; c < 50 && series < n; c++, series++)
            PUT("app_requests_total_%d{code=\"%d\",instance_id=\"node-%d\"} %d.%d\n", fam,
                200 + c % 5, c, c * 7919, c);
        for (int g = 0; g < 50 && series < n; g++, series++)
            PUT("app_queue_depth_%d{queue=\"q%d\"} %.6e %lld\n", fam, g, g * 3.25,
                1700000000000LL + g);
    }
#undef PUT
    *len = used;
    return s;
}

/* CPU milliseconds this process has used (user and system): a bound on
 * them holds on a loaded machine, whose load delays the parse but is not
 * counted in its CPU time. */
static double cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

TEST(ten_thousand_series_within_bound)
{
    size_t len = 0;
    char *text = make_exposition(10000, &len);
    CHECK(text != NULL);
    if (!text)
        return;
    double best = 1e9;
    for (int run = 0; run < 5; run++) {
        struct expo e;
        struct error err;
        double t0 = cpu_ms();
        int rc = expo_parse(text, len, &e, &err);
        double ms = cpu_ms() - t0;
        if (ms < best)
            best = ms;
        CHECK(rc == 0);
        CHECK(e.n_samples == 10000);
        if (run == 0 && e.n_samples == 10000) {
            CHECK(e.samples[0].type == EXPO_HISTOGRAM);
            CHECK_STR(expo_label(&e.samples[9], "le"), "+Inf");
            CHECK(e.samples[299].has_timestamp); /* a gauge */
            CHECK(e.samples[200].type == EXPO_COUNTER);
        }
        expo_free(&e);
    }
    printf("  10000 series, %zu bytes: best of 5 parses %.2f ms of CPU\n", len, best);
    /* The goal, 20 ms on the -O2 build, is a figure of `make bench`
     * (bench_signals, against a plain scan of the same bytes). Here only a
     * bound of ten times it in CPU time, which a loaded machine meets and a
     * parser gone quadratic does not; the sanitizers slow it several times. */
#if defined(__SANITIZE_ADDRESS__)
    CHECK(best < 500);
#else
    CHECK(best < 200);
#endif
    free(text);
}

RUN_TESTS(T(counter_gauge_histogram_summary_with_types), T(types_follow_the_family_convention),
          T(histogram_without_inf_bucket_is_accepted), T(label_value_escapes),
          T(raw_newline_inside_label_value), T(nan_and_infinities),
          T(float_syntax_as_go_parsefloat), T(values_out_of_range_are_errors),
          T(values_round_trip_exactly), T(values_ignore_a_comma_locale), T(timestamps),
          T(whitespace_rules), T(names_and_label_sets), T(empty_label_values_delete_the_name),
          T(duplicate_label_names_fail_the_scrape), T(same_series_twice_keeps_the_first),
          T(same_series_with_timestamps), T(invalid_utf8_in_label_values),
          T(help_and_type_lines), T(nul_bytes_as_prometheus_lexes_them),
          T(truncated_expositions), T(error_names_the_line), T(free_is_safe_on_failure_and_twice),
          T(ten_thousand_series_within_bound))
