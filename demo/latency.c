/* latency.c — draws from the latency model (see latency.h). The draw is
 * capped at 2 s so that a large fault factor slows reads down without
 * stopping a reader thread outright. */
#include "latency.h"

#include <math.h>

#define CAP_SECONDS 2.0

double latency_draw(const struct latency_model *m, enum backend b, double new_factor,
                    struct rng *r)
{
    double t = m->median[b] * exp(m->sigma * rng_normal(r));
    if (b == BACKEND_NEW)
        t *= new_factor;
    return t > CAP_SECONDS ? CAP_SECONDS : t;
}
