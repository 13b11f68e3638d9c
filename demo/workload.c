/* workload.c — setting the stores up and starting and joining the
 * workload's threads (see workload.h). */
#include "workload_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "order.h"
#include "sim.h"

static struct worker *workers;
static int nworkers;

struct store *worker_open(const char *spec, const char *table, const char *app)
{
    struct log_limit limit = {0};
    for (;;) {
        struct error err = {{0}};
        struct store *s = store_open(spec, table, app, &err);
        if (s)
            return s;
        sim_log_limited(&limit, "%s: %s (trying again)", app, err.msg);
        if (!sim_wait_until(sim_now() + 1.0))
            return NULL;
    }
}

/* Orders from before dual-write: created over the last 90 days, in old
 * only, in one transaction. */
static int write_history(struct store *old, const struct workload_config *c,
                         struct error *err)
{
    struct rng r;
    rng_seed(&r, c->seed, 999);
    double now = sim_wall();
    if (store_begin(old, err) != 0)
        return -1;
    for (long long i = 0; i < c->history; i++) {
        struct order o;
        double when = now - 90 * 86400.0 + 90 * 86400.0 * (double)i / (double)c->history;
        order_random(&o, &r, c->customers, WRITER_API, when);
        if (store_insert(old, &o, err) != STORE_OK)
            return -1;
    }
    return store_commit(old, err);
}

int workload_prepare(const struct workload_config *c, struct error *err)
{
    struct store *old = store_open(c->old_spec, c->old_table, "ordersim-setup", err);
    if (!old)
        return -1;
    struct store *fresh = store_open(c->new_spec, c->new_table, "ordersim-setup", err);
    long long rows = 0;
    int rc = -1;
    if (fresh && store_create(old, true, err) == 0 && store_create(fresh, false, err) == 0 &&
        store_count(old, &rows, err) == STORE_OK) {
        rc = 0;
        if (rows == 0 && c->history > 0) {
            rc = write_history(old, c, err);
            if (rc == 0)
                sim_log("old store: %lld orders of history written (in old only)", c->history);
        }
    }
    store_close(fresh);
    store_close(old);
    return rc;
}

static int start(struct worker *w, void *(*body)(void *), struct error *err)
{
    if (pthread_create(&w->thread, NULL, body, w) != 0) {
        error_set(err, "cannot start a thread");
        return -1;
    }
    nworkers++;
    return 0;
}

int workload_start(const struct workload_config *c, struct error *err)
{
    int total = 2 + c->readers;
    workers = calloc((size_t)total, sizeof *workers);
    if (!workers) {
        error_set(err, "out of memory");
        return -1;
    }
    for (int i = 0; i < total; i++) {
        workers[i].cfg = c;
        workers[i].index = i;
        rng_seed(&workers[i].rng, c->seed, (uint64_t)i);
    }
    if (start(&workers[0], writer_dual, err) != 0 || start(&workers[1], writer_batch, err) != 0)
        return -1;
    for (int i = 0; i < c->readers; i++)
        if (start(&workers[2 + i], reader_run, err) != 0)
            return -1;
    return 0;
}

void workload_join(void)
{
    for (int i = 0; i < nworkers; i++)
        pthread_join(workers[i].thread, NULL);
    free(workers);
    workers = NULL;
    nworkers = 0;
}
