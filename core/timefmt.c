/* timefmt.c — formatting journal timestamps (UTC). */
#include "timefmt.h"

#include <stdio.h>
#include <time.h>

static struct tm utc(int64_t ts_ms)
{
    time_t t = (time_t)(ts_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    return tm;
}

void timefmt_hms(int64_t ts_ms, char *buf, size_t len)
{
    struct tm tm = utc(ts_ms);
    strftime(buf, len, "%H:%M:%S", &tm);
}

void timefmt_hms_ms(int64_t ts_ms, char *buf, size_t len)
{
    struct tm tm = utc(ts_ms);
    snprintf(buf, len, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
             (int)(ts_ms % 1000));
}

void timefmt_full(int64_t ts_ms, char *buf, size_t len)
{
    struct tm tm = utc(ts_ms);
    strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

void timefmt_iso(int64_t ts_ms, char *buf, size_t len)
{
    struct tm tm = utc(ts_ms);
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ts_ms % 1000));
}

void timefmt_span(int64_t ms, char *buf, size_t len)
{
    if (ms < 0)
        ms = 0;
    int64_t s = ms / 1000;
    if (s >= 3600)
        snprintf(buf, len, "%lldh %02lldm %02llds", (long long)(s / 3600),
                 (long long)(s / 60 % 60), (long long)(s % 60));
    else if (s >= 60)
        snprintf(buf, len, "%lldm %02llds", (long long)(s / 60), (long long)(s % 60));
    else
        snprintf(buf, len, "%.1fs", (double)ms / 1000.0);
}
