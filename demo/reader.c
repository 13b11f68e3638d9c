/* reader.c — the read path: a customer reads one of their recent orders.
 * The flag decides, per customer (the targeting key), whether the read is
 * served from new or from old; unless the ignore_flag fault is on, in
 * which case every read stays on old whatever the flag says (a service
 * that does not obey its flag). The served read is timed into
 * read_seconds and counted in reads_total / read_errors_total; then the
 * same row is read from the other store (the shadow read), timed too, and
 * the two are compared: shadow_reads_total{result}. */
#include <stdio.h>

#include "faults.h"
#include "flagwatch.h"
#include "latency.h"
#include "metrics.h"
#include "recent.h"
#include "sim.h"
#include "workload_internal.h"

struct reader {
    struct worker *w;
    struct store *store[BACKEND_N];
    struct log_limit limit[BACKEND_N];
};

/* One read of order id on b, through the latency model and the faults.
 * Returns STORE_OK, STORE_NOT_FOUND or an error. */
static enum store_rc timed_read(struct reader *rd, enum backend b, long long id,
                                const struct faults *f, struct order *out)
{
    double t0 = sim_now();
    sim_sleep(latency_draw(&rd->w->cfg->latency, b, f->new_latency_factor, &rd->w->rng));
    enum store_rc rc;
    struct error err = {{0}};
    if (b == BACKEND_NEW && rng_chance(&rd->w->rng, f->new_read_error_rate)) {
        rc = STORE_ERROR; /* injected: no log line, the counter says it */
    } else {
        rc = store_get(rd->store[b], id, out, &err);
        if (rc != STORE_OK && rc != STORE_NOT_FOUND)
            sim_log_limited(&rd->limit[b], "read of order %lld on %s failed: %s", id,
                            sim_backend_name(b), err.msg);
    }
    metrics_read_seconds(b, sim_now() - t0);
    return rc;
}

static bool failed(enum store_rc rc)
{
    return rc != STORE_OK && rc != STORE_NOT_FOUND;
}

static void read_once(struct reader *rd, long long id, long long customer)
{
    struct faults f;
    faults_get(&f);
    char key[24];
    snprintf(key, sizeof key, "%lld", customer);
    /* route first, so that a key's routing is decided by the flag alone */
    bool to_new = flagwatch_route_new(key);
    enum backend served = to_new && !f.ignore_flag ? BACKEND_NEW : BACKEND_OLD;
    enum backend other = served == BACKEND_NEW ? BACKEND_OLD : BACKEND_NEW;

    struct order a, b;
    enum store_rc rc = timed_read(rd, served, id, &f, &a);
    metrics_read(served, failed(rc));
    if (failed(rc) || !rng_chance(&rd->w->rng, rd->w->cfg->shadow_ratio))
        return;
    enum store_rc rc2 = timed_read(rd, other, id, &f, &b);
    if (failed(rc2))
        metrics_shadow(SHADOW_ERROR);
    else if (rc != rc2 || (rc == STORE_OK && !order_equal(&a, &b)))
        metrics_shadow(SHADOW_DIVERGED);
    else
        metrics_shadow(SHADOW_MATCH);
}

void *reader_run(void *arg)
{
    struct worker *w = arg;
    const struct workload_config *c = w->cfg;
    if (c->read_rate <= 0 || c->readers <= 0)
        return NULL;
    struct reader rd = {.w = w};
    rd.store[BACKEND_OLD] = worker_open(c->old_spec, c->old_table, "orders-api-reader");
    rd.store[BACKEND_NEW] = rd.store[BACKEND_OLD]
        ? worker_open(c->new_spec, c->new_table, "orders-api-reader") : NULL;
    struct pacer p;
    /* readers start spread over one interval, not all at once */
    pacer_init(&p, c->read_rate / c->readers,
               (double)w->index / c->read_rate);
    while (rd.store[BACKEND_NEW] && pacer_wait(&p)) {
        long long id, customer;
        if (recent_pick(&w->rng, &id, &customer))
            read_once(&rd, id, customer);
    }
    store_close(rd.store[BACKEND_NEW]);
    store_close(rd.store[BACKEND_OLD]);
    return NULL;
}
