/* writer.c — the two writer paths of the old store.
 *
 * The orders API dual-writes: old first (authoritative; if that fails the
 * caller gets the error and nothing goes to new), then new, best effort: a
 * failure on new is counted, never returned. The faults act here, on the
 * write to new only: an injected failure, or a divergence that alters or
 * drops the row without anyone noticing (which is what shadow reads and the
 * comparison are for).
 *
 * The monthly batch is the writer nobody remembered: it writes to old only,
 * so its rows are what a writer audit and a comparison should find. */
#include <stdio.h>

#include "faults.h"
#include "metrics.h"
#include "order.h"
#include "recent.h"
#include "sim.h"
#include "workload_internal.h"

static enum write_failure failure_of(enum store_rc rc)
{
    switch (rc) {
    case STORE_BUSY: return FAIL_BUSY;
    case STORE_CONSTRAINT: return FAIL_CONSTRAINT;
    case STORE_CONNECTION: return FAIL_CONNECTION;
    case STORE_OK:
    case STORE_NOT_FOUND:
    case STORE_ERROR: break;
    }
    return FAIL_ERROR;
}

/* The write to new, with the faults in force. */
static void write_new(struct worker *w, struct store *new_store, const struct order *o,
                      double wall, double t_old, struct log_limit *limit)
{
    struct faults f;
    faults_get(&f);
    metrics_dual_write();
    if (rng_chance(&w->rng, f.dual_write_failure_rate)) {
        metrics_dual_write_failure(FAIL_INJECTED);
        return;
    }
    struct order copy = *o;
    if (f.divergence != DIV_NONE && rng_chance(&w->rng, f.divergence_rate)) {
        switch (f.divergence) {
        case DIV_HOUR_SHIFT: order_stamp(&copy, wall + 3600); break;
        case DIV_NULL_FOR_EMPTY: copy.note_null = copy.note[0] == '\0'; break;
        case DIV_DROP_ROW: return; /* silently: counted as a good dual write */
        case DIV_NONE:
        case DIV_N: break;
        }
    }
    struct error err = {{0}};
    enum store_rc rc = store_upsert(new_store, &copy, &err);
    if (rc != STORE_OK) {
        metrics_dual_write_failure(failure_of(rc));
        sim_log_limited(limit, "dual write of order %lld to new failed: %s", o->id, err.msg);
        return;
    }
    metrics_dual_write_lag(sim_now() - t_old);
}

void *writer_dual(void *arg)
{
    struct worker *w = arg;
    const struct workload_config *c = w->cfg;
    if (c->rate <= 0)
        return NULL;
    struct store *old = worker_open(c->old_spec, c->old_table, WRITER_API);
    struct store *new_store = old ? worker_open(c->new_spec, c->new_table, WRITER_API) : NULL;
    struct log_limit old_limit = {0}, new_limit = {0};
    struct pacer p;
    pacer_init(&p, c->rate, 0);
    while (new_store && pacer_wait(&p)) {
        struct order o;
        double wall = sim_wall();
        order_random(&o, &w->rng, c->customers, WRITER_API, wall);
        struct error err = {{0}};
        if (store_insert(old, &o, &err) != STORE_OK) {
            sim_log_limited(&old_limit, "order write to old failed (the caller sees it): %s",
                            err.msg);
            continue;
        }
        metrics_written(PATH_API);
        write_new(w, new_store, &o, wall, sim_now(), &new_limit);
        recent_push(o.id, o.customer_id);
    }
    store_close(new_store);
    store_close(old);
    return NULL;
}

void *writer_batch(void *arg)
{
    struct worker *w = arg;
    const struct workload_config *c = w->cfg;
    if (c->forgotten_rate <= 0)
        return NULL;
    struct store *old = worker_open(c->old_spec, c->old_table, WRITER_BATCH);
    struct log_limit limit = {0};
    struct pacer p;
    /* the first write soon after start, then at the rate: a short test run
     * sees the batch's rows without waiting a whole period */
    double first = 1.0 / c->forgotten_rate;
    pacer_init(&p, c->forgotten_rate, first < 1.0 ? first : 1.0);
    while (old && pacer_wait(&p)) {
        struct order o;
        order_random(&o, &w->rng, c->customers, WRITER_BATCH, sim_wall());
        snprintf(o.status, sizeof o.status, "adjusted");
        snprintf(o.note, sizeof o.note, "monthly adjustment");
        struct error err = {{0}};
        if (store_insert(old, &o, &err) != STORE_OK)
            sim_log_limited(&limit, "monthly batch write to old failed: %s", err.msg);
        else
            metrics_written(PATH_BATCH);
    }
    store_close(old);
    return NULL;
}
