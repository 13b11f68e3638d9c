/* units.c — the small quantities a runbook is written in: durations such as
 * "1h30m" and percentages such as "0.5%". Parsing is strict (no signs, no
 * spaces, no locale) because a typo in an abort criterion must be an error,
 * never a silently different number. */
#include "units.h"

#include <stdio.h>
#include <string.h>

#define MS_PER_S INT64_C(1000)
#define MS_PER_M (60 * MS_PER_S)
#define MS_PER_H (60 * MS_PER_M)
#define MS_PER_D (24 * MS_PER_H)

/* Largest units first: a duration's groups must be written in this order,
 * each at most once, so that "30m1h" or "1h1h" are caught as typos. */
static const struct unit_def {
    const char *name;
    int64_t ms;
} unit_defs[] = {
    {"d", MS_PER_D}, {"h", MS_PER_H}, {"m", MS_PER_M}, {"s", MS_PER_S}, {"ms", 1},
};
#define N_UNITS (sizeof unit_defs / sizeof unit_defs[0])

/* Reads the unit at *p ("ms" before "m"); returns its index or -1. */
static int read_unit(const char **p)
{
    const char *s = *p;
    size_t len = 0;
    while (s[len] >= 'a' && s[len] <= 'z')
        len++;
    for (size_t i = 0; i < N_UNITS; i++) {
        if (strlen(unit_defs[i].name) == len && strncmp(s, unit_defs[i].name, len) == 0) {
            *p = s + len;
            return (int)i;
        }
    }
    return -1;
}

int units_parse_duration(const char *s, int64_t *ms)
{
    if (!s || !*s)
        return -1;
    int64_t total = 0;
    int next_unit = 0; /* index of the smallest unit still allowed */
    while (*s) {
        if (*s < '0' || *s > '9')
            return -1;
        int64_t n = 0;
        while (*s >= '0' && *s <= '9') {
            int d = *s++ - '0';
            if (n > (INT64_MAX - d) / 10)
                return -1;
            n = n * 10 + d;
        }
        int u = read_unit(&s);
        if (u < next_unit)
            return -1; /* unknown unit, missing unit, or out of order */
        if (n > (INT64_MAX - total) / unit_defs[u].ms)
            return -1;
        total += n * unit_defs[u].ms;
        next_unit = u + 1;
    }
    *ms = total;
    return 0;
}

/* Exact powers of ten up to 1e22, the range in which one division of an
 * exact mantissa gives the correctly rounded result. */
static const double pow10_tab[] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

int units_parse_percent(const char *s, double *value, int *had_percent)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    uint64_t mant = 0;
    size_t frac = 0;
    int in_frac = 0;
    for (; *s; s++) {
        if (*s == '.' && !in_frac && s[1] >= '0' && s[1] <= '9') {
            in_frac = 1;
            continue;
        }
        if (*s < '0' || *s > '9')
            break;
        if (mant > (UINT64_MAX - 9) / 10 || frac >= 22)
            return -1; /* more digits than a double can honour */
        mant = mant * 10 + (uint64_t)(*s - '0');
        frac += (size_t)in_frac;
    }
    int pct = *s == '%';
    if (s[pct] != '\0')
        return -1;
    double v = (double)mant / pow10_tab[frac];
    if (v > 1000000.0)
        return -1;
    *value = v;
    if (had_percent)
        *had_percent = pct;
    return 0;
}

void units_format_duration(int64_t ms, char *buf, size_t len)
{
    if (!buf || len == 0)
        return;
    buf[0] = '\0';
    if (ms == 0) {
        snprintf(buf, len, "0s");
        return;
    }
    size_t used = 0;
    /* Work on the magnitude as unsigned so that INT64_MIN is safe. */
    uint64_t left = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
    if (ms < 0)
        used += (size_t)snprintf(buf, len, "-");
    for (size_t i = 0; i < N_UNITS && left > 0 && used < len; i++) {
        uint64_t n = left / (uint64_t)unit_defs[i].ms;
        if (n == 0)
            continue;
        left -= n * (uint64_t)unit_defs[i].ms;
        used += (size_t)snprintf(buf + used, len - used, "%llu%s",
                                 (unsigned long long)n, unit_defs[i].name);
    }
}
