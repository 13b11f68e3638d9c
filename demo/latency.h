/* latency.h — the latency model of the two stores: each read waits a
 * log-normal time (a median per store, one spread for both) before the real
 * query runs, and the histogram measures the two together. Local SQLite
 * answers in microseconds; without a model old and new would look alike
 * and a "new is slower" fault would have nothing to multiply. */
#ifndef ORDERSIM_LATENCY_H
#define ORDERSIM_LATENCY_H

#include "rng.h"
#include "sim.h"

struct latency_model {
    double median[BACKEND_N]; /* seconds */
    double sigma;             /* spread of log(latency); 0 = always the median */
};

/* One draw for a read on b, with new's fault factor applied. */
double latency_draw(const struct latency_model *m, enum backend b, double new_factor,
                    struct rng *r);

#endif
