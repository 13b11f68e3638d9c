/* timearg.c — times typed by people, in UTC (see timearg.h). */
#include "timearg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ":SS[.fff]" at *p (optional): the seconds, with their fraction. */
static int seconds(const char **p, double *sec)
{
    *sec = 0;
    if (**p != ':')
        return 0;
    char *end;
    *sec = strtod(*p + 1, &end);
    if (end == *p + 1 || !(*sec >= 0 && *sec < 61))
        return -1;
    *p = end;
    return 0;
}

static int zone_ok(const char *p)
{
    return !*p || !strcmp(p, "Z") || !strcmp(p, "+00:00") || !strcmp(p, " UTC");
}

int timearg_parse(const char *s, int64_t day_of_ms, int64_t *ms)
{
    char *end;
    if (s[0] >= '0' && s[0] <= '9' && !strchr(s, '-') && !strchr(s, ':')) {
        double secs = strtod(s, &end);
        if (*end || !isfinite(secs) || secs < 0 || secs > 1e11)
            return -1;
        *ms = (int64_t)llround(secs * 1000);
        return 0;
    }
    struct tm tm = {0};
    int y, mo, d, h, mi, n = 0;
    double sec;
    const char *p;
    if (sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) == 5 && n == 16) {
        if (mo < 1 || mo > 12 || d < 1 || d > 31)
            return -1;
        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
    } else if (day_of_ms != 0 && sscanf(s, "%2d:%2d%n", &h, &mi, &n) == 2 && n == 5) {
        time_t day = (time_t)(day_of_ms / 1000);
        gmtime_r(&day, &tm);
    } else {
        return -1;
    }
    p = s + n;
    if (seconds(&p, &sec) != 0 || !zone_ok(p) || h < 0 || h > 23 || mi < 0 || mi > 59)
        return -1;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = 0;
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return -1;
    *ms = (int64_t)t * 1000 + (int64_t)llround(sec * 1000);
    return 0;
}
