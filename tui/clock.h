/* clock.h — the wall clock, read only by the front end; core gets the time
 * as an argument.
 *
 * For tests only, CUTOVER_TIME_SCALE=N (1 ≤ N ≤ 1000, fractions allowed)
 * makes the console's clock run N times faster than the wall clock from
 * the moment the console opens, so that a ramp of several holds is waited
 * out in seconds. Everything decided on the clock (holds, `for` windows,
 * staleness, poll cadence, rollback backoff) speeds up with it; what the
 * network and the disk take (curl's timeouts, SQLite's busy wait) stays
 * real time. */
#ifndef CUTOVER_CLOCK_H
#define CUTOVER_CLOCK_H

#include <stdint.h>

/* The environment variable, named in messages and in the docs. */
#define CLOCK_SCALE_ENV "CUTOVER_TIME_SCALE"

/* Milliseconds since the epoch on the console's clock. */
int64_t clock_now_ms(void);

/* N from CUTOVER_TIME_SCALE (checked before main: a bad value exits 2
 * naming the variable), 1 when it is not set. */
double clock_scale(void);

/* From this call on, clock_now_ms() runs at clock_scale() — continuous
 * with the wall clock at this moment. The console calls it as it opens;
 * the one-shot commands (ack, preflight) keep the wall clock. */
void clock_speed_up(void);

/* 1 once clock_speed_up() applied a scale other than 1. */
int clock_is_test(void);

/* A duration on the clock as a real wait in milliseconds, rounded up so
 * that the loop never wakes before the moment it waits for. */
int64_t clock_real_ms(int64_t clock_ms);

#endif
