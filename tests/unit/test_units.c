/* test_units.c — durations and percentages as runbooks write them: every
 * accepted form, the typos that must be refused, overflow, and formatting
 * back to text. */
#include "check.h"
#include "core/units.h"

#include <stdint.h>

static int64_t dur(const char *s)
{
    int64_t ms = -12345;
    return units_parse_duration(s, &ms) == 0 ? ms : -1;
}

TEST(durations_single_unit)
{
    CHECK(dur("250ms") == 250);
    CHECK(dur("90s") == 90000);
    CHECK(dur("10m") == 600000);
    CHECK(dur("2h") == 7200000);
    CHECK(dur("2d") == 172800000);
    CHECK(dur("0s") == 0);
    CHECK(dur("007s") == 7000);
}

TEST(durations_combined_groups)
{
    CHECK(dur("1h30m") == 5400000);
    CHECK(dur("1d2h3m4s5ms") == 86400000 + 7200000 + 180000 + 4000 + 5);
    CHECK(dur("1m30s") == 90000);
    CHECK(dur("1s500ms") == 1500);
}

TEST(durations_refused)
{
    const char *bad[] = {"", "10", "m", "-5s", "+5s", "1.5h", "10 m", " 10m", "10m ",
                         "10M", "10min", "10sec", "1w", "30m1h", "1h1h", "1s1ms1s",
                         "10m5", "1h30", "ms", "5us", "1e3s", "0x10s", "10m\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = 777;
        int rc = units_parse_duration(bad[i], &ms);
        if (rc != -1)
            printf("  accepted \"%s\"\n", bad[i]);
        CHECK(rc == -1);
        CHECK(ms == 777); /* untouched on failure */
    }
    int64_t ms;
    CHECK(units_parse_duration(NULL, &ms) == -1);
}

TEST(durations_overflow_refused)
{
    /* INT64_MAX ms is 9223372036854775807; just over it in each way. */
    CHECK(dur("9223372036854775807ms") == INT64_MAX);
    CHECK(dur("9223372036854775808ms") == -1);
    CHECK(dur("99999999999999999999999ms") == -1);
    CHECK(dur("9223372036854776s") == -1);
    CHECK(dur("106751991167d") == INT64_C(106751991167) * 86400000);
    CHECK(dur("106751991168d") == -1); /* days * 86400000 overflows */
    CHECK(dur("106751991167300ms") == 106751991167300);
    /* the sum of groups overflows although each group fits */
    CHECK(dur("106751991d23h59m59s999ms") > 0);
    CHECK(dur("9223372036854775s9223372036854775807ms") == -1);
}

static int pct(const char *s, double *v, int *had)
{
    *v = -1;
    *had = -1;
    return units_parse_percent(s, v, had);
}

TEST(percentages_accepted)
{
    double v;
    int had;
    CHECK(pct("25%", &v, &had) == 0 && v == 25.0 && had == 1);
    CHECK(pct("25", &v, &had) == 0 && v == 25.0 && had == 0);
    CHECK(pct("0.5%", &v, &had) == 0 && v == 0.5 && had == 1);
    CHECK(pct("0.1", &v, &had) == 0 && v == 0.1 && had == 0);
    CHECK(pct("0", &v, &had) == 0 && v == 0.0);
    CHECK(pct("100%", &v, &had) == 0 && v == 100.0);
    CHECK(pct("1000000", &v, &had) == 0 && v == 1000000.0);
    CHECK(pct("12.345%", &v, &had) == 0 && v == 12.345);
    CHECK(units_parse_percent("5%", &v, NULL) == 0 && v == 5.0); /* had_percent optional */
}

TEST(percentages_refused)
{
    const char *bad[] = {"", "%", "-1%", "+1", ".5", "5.", "1.2.3", "1,5", "5 %", " 5",
                         "5%%", "5%x", "abc", "1e2", "0x10", "1000000.1", "2000000",
                         "99999999999999999999999", "1.00000000000000000000001"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v = 42;
        int had = 7;
        int rc = units_parse_percent(bad[i], &v, &had);
        if (rc != -1)
            printf("  accepted \"%s\"\n", bad[i]);
        CHECK(rc == -1);
        CHECK(v == 42 && had == 7);
    }
    double v;
    CHECK(units_parse_percent(NULL, &v, NULL) == -1);
}

static const char *fmt(int64_t ms)
{
    static char buf[64];
    units_format_duration(ms, buf, sizeof buf);
    return buf;
}

TEST(format_durations)
{
    CHECK_STR(fmt(0), "0s");
    CHECK_STR(fmt(250), "250ms");
    CHECK_STR(fmt(45000), "45s");
    CHECK_STR(fmt(5400000), "1h30m");
    CHECK_STR(fmt(90000), "1m30s");
    CHECK_STR(fmt(172800000), "2d");
    CHECK_STR(fmt(86400000 + 1), "1d1ms");
    CHECK_STR(fmt(-1500), "-1s500ms");
    CHECK_STR(fmt(INT64_MIN), "-106751991167d7h12m55s808ms");
    CHECK_STR(fmt(INT64_MAX), "106751991167d7h12m55s807ms");
}

TEST(format_respects_buffer)
{
    char buf[4] = "xyz";
    units_format_duration(5400000, buf, sizeof buf);
    CHECK(strlen(buf) <= 3);
    CHECK_STR(buf, "1h3");
    char one[1] = {'x'};
    units_format_duration(5400000, one, 1);
    CHECK(one[0] == '\0');
    units_format_duration(5400000, NULL, 0); /* no crash */
}

TEST(format_then_parse_round_trips)
{
    const int64_t v[] = {1, 999, 1000, 59999, 3600000, 5400123, 90061001, INT64_MAX};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        CHECK(dur(fmt(v[i])) == v[i]);
}

RUN_TESTS(T(durations_single_unit), T(durations_combined_groups), T(durations_refused),
          T(durations_overflow_refused), T(percentages_accepted), T(percentages_refused),
          T(format_durations), T(format_respects_buffer), T(format_then_parse_round_trips))
