/* workload.h — the orders service itself: one dual-writer (the orders
 * API: old, then new, best effort), one forgotten writer (the monthly
 * batch: old only), and reader threads routed by the flag with shadow
 * reads. Every thread has its own store connections. */
#ifndef ORDERSIM_WORKLOAD_H
#define ORDERSIM_WORKLOAD_H

#include <stdint.h>

#include "core/error.h"
#include "latency.h"

struct workload_config {
    const char *old_spec, *new_spec;   /* file path or "postgres:CONNINFO" */
    const char *old_table, *new_table;
    double rate;            /* dual writes per second */
    double read_rate;       /* reads per second, all readers together */
    double forgotten_rate;  /* monthly-batch writes per second */
    int readers;            /* reader threads */
    long long customers;    /* customer ids 1..customers: the targeting keys */
    long long history;      /* orders put in an empty old store at start */
    double shadow_ratio;    /* share of reads also done on the other store */
    struct latency_model latency;
    uint64_t seed;
};

/* Creates the tables when missing and, when old is empty, writes the
 * history (orders from before dual-write began, in old only). */
int workload_prepare(const struct workload_config *c, struct error *err);

/* Starts the threads; c must outlive workload_join(). */
int workload_start(const struct workload_config *c, struct error *err);

/* After sim_stop(): waits for every thread; each closes its stores. */
void workload_join(void);

#endif
