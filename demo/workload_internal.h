/* workload_internal.h — what the workload's thread bodies share. */
#ifndef ORDERSIM_WORKLOAD_INTERNAL_H
#define ORDERSIM_WORKLOAD_INTERNAL_H

#include <pthread.h>

#include "rng.h"
#include "store.h"
#include "workload.h"

struct worker {
    const struct workload_config *cfg;
    int index;
    struct rng rng;
    pthread_t thread;
};

/* Opens a store for a thread, trying again every second while the store
 * is down; NULL only when the process is stopping. */
struct store *worker_open(const char *spec, const char *table, const char *app);

void *writer_dual(void *worker);
void *writer_batch(void *worker);
void *reader_run(void *worker);

#endif
