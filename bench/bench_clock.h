/* bench_clock.h — the benchmarks' clocks: wall time (monotonic) and the
 * process's CPU time, in seconds. On a machine shared with other work the
 * wall time says how busy it is as much as how fast the code is. */
#ifndef CUTOVER_BENCH_CLOCK_H
#define CUTOVER_BENCH_CLOCK_H

#include <time.h>

static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
