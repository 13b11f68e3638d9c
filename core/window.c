/* window.c — days, a daily range of UTC times, and the month-end rule.
 * Times move minute by minute in the searches below: a week has 10,080
 * minutes, so even the longest search is cheap, and simple beats clever
 * for a rule that decides whether traffic may move. */
#include "window.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MINUTE 60000LL

static const char *const day_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

static int day_index(const char *s, size_t n)
{
    for (int d = 0; d < 7; d++)
        if (n >= 3 && strncasecmp(s, day_names[d], 3) == 0)
            return d;
    return -1;
}

/* "weekdays", "daily", "every day", "mon-fri", "mon,wed,fri" */
static int parse_days(const char *s, size_t n, unsigned *days)
{
    if ((n == 8 && strncasecmp(s, "weekdays", 8) == 0)) {
        *days = 0x3E;
        return 0;
    }
    if ((n == 5 && strncasecmp(s, "daily", 5) == 0) || (n == 9 && strncasecmp(s, "every day", 9) == 0)) {
        *days = 0x7F;
        return 0;
    }
    *days = 0;
    const char *end = s + n;
    while (s < end) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *item_end = comma ? comma : end;
        const char *dash = memchr(s, '-', (size_t)(item_end - s));
        int a = day_index(s, (size_t)((dash ? dash : item_end) - s));
        int b = dash ? day_index(dash + 1, (size_t)(item_end - dash - 1)) : a;
        if (a < 0 || b < 0)
            return -1;
        for (int d = a;; d = (d + 1) % 7) {
            *days |= 1u << d;
            if (d == b)
                break;
        }
        s = comma ? comma + 1 : end;
        while (s < end && *s == ' ')
            s++;
    }
    return *days ? 0 : -1;
}

static int parse_clock(const char *s, int *minutes)
{
    int h, m;
    char extra;
    if (sscanf(s, "%2d:%2d%c", &h, &m, &extra) < 2 || h < 0 || h > 24 || m < 0 || m > 59 ||
        (h == 24 && m != 0))
        return -1;
    *minutes = h * 60 + m;
    return 0;
}

int window_parse(const char *text, struct window *w, char *err, size_t len)
{
    memset(w, 0, sizeof *w);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", text);
    static const char month_end[] = "not on the last day of the month";
    char *not_last = strcasestr(buf, month_end);
    if (not_last) {
        const char *after = not_last + sizeof month_end - 1;
        after += strspn(after, " .");
        if (*after) {
            snprintf(err, len, "the window's `%s` is not understood: the month-end clause ends the line", after);
            return -1;
        }
        w->not_last_day = 1;
        *not_last = '\0';
    }
    /* DAYS HH:MM-HH:MM [UTC] [,] */
    char *p = buf + strlen(buf);
    while (p > buf && (isspace((unsigned char)p[-1]) || p[-1] == ',' || p[-1] == ';'))
        *--p = '\0';
    char *range = NULL;
    for (char *q = buf; *q; q++)
        if (isdigit((unsigned char)*q) && q[1] && (q[1] == ':' || (isdigit((unsigned char)q[1]) && q[2] == ':'))) {
            range = q;
            break;
        }
    char *dash = range ? strchr(range, '-') : NULL;
    if (!range || !dash || parse_clock(range, &w->start_min) || parse_clock(dash + 1, &w->end_min)) {
        snprintf(err, len, "expected a window like `weekdays 14:00-16:00 UTC`, found `%s`", text);
        return -1;
    }
    char *tail = dash + 1;
    while (*tail && (isdigit((unsigned char)*tail) || *tail == ':'))
        tail++;
    while (*tail == ' ')
        tail++;
    if (*tail && strncasecmp(tail, "UTC", 3) != 0) {
        snprintf(err, len, "window times are in UTC: found `%s`", tail);
        return -1;
    }
    if (*tail) {
        tail += 3;
        tail += strspn(tail, " ,;");
        if (*tail) {
            snprintf(err, len,
                     "the window's `%s` is not understood: after the times only `, not on the last day of the month` may follow",
                     tail);
            return -1;
        }
    }
    size_t n = (size_t)(range - buf);
    while (n && buf[n - 1] == ' ')
        n--;
    if (n == 0)
        w->days = 0x7F;
    else if (parse_days(buf, n, &w->days) != 0) {
        snprintf(err, len, "expected days like `weekdays`, `daily` or `mon-fri`, found `%.*s`", (int)n, buf);
        return -1;
    }
    if (w->start_min == w->end_min) {
        snprintf(err, len, "the window opens and closes at the same time");
        return -1;
    }
    w->set = 1;
    return 0;
}

int64_t window_length_ms(const struct window *w)
{
    int span = w->end_min > w->start_min ? w->end_min - w->start_min : 1440 - w->start_min + w->end_min;
    return span * MINUTE;
}

static int last_day_of_month(const struct tm *tm)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = tm->tm_year + 1900;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return tm->tm_mday == mdays[tm->tm_mon] + (tm->tm_mon == 1 && leap);
}

int window_open(const struct window *w, int64_t t_ms)
{
    if (!w->set)
        return 1;
    time_t t = (time_t)(t_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    int minute = tm.tm_hour * 60 + tm.tm_min;
    int in_range = w->end_min > w->start_min ? minute >= w->start_min && minute < w->end_min
                                             : minute >= w->start_min || minute < w->end_min;
    if (!in_range)
        return 0;
    /* a window over midnight belongs to the day it opened */
    if (w->end_min <= w->start_min && minute < w->end_min) {
        t -= 86400;
        gmtime_r(&t, &tm);
    }
    if (!(w->days & (1u << tm.tm_wday)))
        return 0;
    return !(w->not_last_day && last_day_of_month(&tm));
}

int64_t window_closes(const struct window *w, int64_t t_ms)
{
    if (!w->set)
        return INT64_MAX;
    int64_t m = t_ms / MINUTE * MINUTE;
    for (int i = 0; i <= 1440 && window_open(w, m); i++)
        m += MINUTE;
    return m;
}

int64_t window_next_open(const struct window *w, int64_t t_ms)
{
    if (!w->set || window_open(w, t_ms))
        return t_ms;
    int64_t m = t_ms / MINUTE * MINUTE + MINUTE;
    for (int i = 0; i < 60 * 24 * 62; i++, m += MINUTE)   /* two months at most */
        if (window_open(w, m))
            return m;
    return 0;
}
