/* sim.h — what every ordersim thread shares: the stop flag, the clocks, a
 * wait that a stop cuts short, a pacer for "N per second", and the log on
 * stderr. Kept apart so the workload, the flag watcher and the HTTP side
 * never need to know about each other to shut down together. */
#ifndef ORDERSIM_SIM_H
#define ORDERSIM_SIM_H

#include <stdbool.h>

/* The two stores, in the order the metrics label them. */
enum backend { BACKEND_OLD, BACKEND_NEW, BACKEND_N };

const char *sim_backend_name(enum backend b); /* "old" / "new" */

double sim_now(void);  /* CLOCK_MONOTONIC, seconds */
double sim_wall(void); /* CLOCK_REALTIME, seconds since the epoch */

bool sim_stopping(void);
void sim_stop(void); /* wakes every sim_wait_until at once */

/* Waits until monotonic time t. Returns false when the process is
 * stopping (at once, not at t). */
bool sim_wait_until(double t);

/* Sleeps for a short, model-made duration (not cut short by a stop: a read
 * in progress finishes, like a real one would). */
void sim_sleep(double seconds);

/* "rate per second" as a schedule: each call waits for the next slot. If
 * the caller fell more than a second behind (a slow store), the schedule
 * restarts from now instead of bursting to catch up. */
struct pacer {
    double next, interval;
};
void pacer_init(struct pacer *p, double per_second, double first_delay);
bool pacer_wait(struct pacer *p); /* false when stopping */

/* One line on stderr: "ordersim: <UTC time> <message>". */
void sim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Like sim_log, but at most once per second per *last (the caller's own
 * clock of the last line), counting the lines it held back. A store that
 * fails on every write must not flood the log. */
struct log_limit {
    double last;
    unsigned long held;
};
void sim_log_limited(struct log_limit *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
