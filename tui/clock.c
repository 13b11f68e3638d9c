/* clock.c — milliseconds since the epoch, and the test clock that runs
 * them faster (see clock.h). The scale is read before main so that a bad
 * value stops every command before it journals anything. */
#include "clock.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define SCALE_MAX 1000.0   /* beyond, a clock second is under a real millisecond */

static double scale = 1.0;       /* from the environment */
static double applied = 1.0;     /* in force: 1 until clock_speed_up() */
static int64_t anchor_us;        /* the wall clock when it was sped up */

/* Microseconds: a sped-up clock keeps millisecond steps. */
static int64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

__attribute__((constructor)) static void clock_read_scale(void)
{
    const char *v = getenv(CLOCK_SCALE_ENV);
    if (!v)
        return;
    char *end;
    errno = 0;
    double n = strtod(v, &end);
    if (end == v || *end != '\0' || errno != 0 || !isfinite(n) || n < 1 || n > SCALE_MAX) {
        fprintf(stderr,
                "cutover: %s=\"%s\": not a test clock speed-up; give a number from 1 to %g "
                "(e.g. %s=20), or unset it for the wall clock\n",
                CLOCK_SCALE_ENV, v, SCALE_MAX, CLOCK_SCALE_ENV);
        exit(2);
    }
    scale = n;
}

double clock_scale(void)
{
    return scale;
}

void clock_speed_up(void)
{
    if (applied != 1.0 || scale == 1.0)
        return;
    anchor_us = wall_us();
    applied = scale;
}

int clock_is_test(void)
{
    return applied != 1.0;
}

int64_t clock_now_ms(void)
{
    int64_t now = wall_us();
    if (applied != 1.0)
        now = anchor_us + (int64_t)llround((double)(now - anchor_us) * applied);
    return now / 1000;
}

int64_t clock_real_ms(int64_t clock_ms)
{
    if (clock_ms <= 0)
        return 0;
    return (int64_t)ceil((double)clock_ms / applied);
}
