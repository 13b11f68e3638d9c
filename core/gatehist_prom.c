/* gatehist_prom.c — the gates' Prometheus source: an `over` gate on a
 * signal read from a `prometheus` system is judged over query_range
 * history (core/promrange.c, paged), plugged into gatehist's one hook. */
#include "gatehist_prom.h"

#include <stdlib.h>

#include "promrange.h"

static int from_prometheus(const struct runbook *rb, const struct rb_signal *sig, int64_t from_ms,
                           int64_t to_ms, struct gate_points *out, int64_t *step_ms,
                           struct error *err)
{
    const struct rb_system *sys = runbook_system(rb, sig->source ? sig->source : "metrics");
    if (!sys) {
        error_set(err, "signal %s: no system to read its history from", sig->name);
        return -1;
    }
    *step_ms = promrange_step(to_ms - from_ms, sig->interval_ms);
    struct gate_point *pts = NULL;
    size_t n = 0;
    if (promrange_fetch(sys->conn, sig->expr, from_ms, to_ms, *step_ms, &pts, &n, err) != 0)
        return -1;
    out->n = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = gate_points_push(out, pts[i].t_ms, pts[i].value);
    free(pts);
    if (rc != 0)
        error_set(err, "out of memory");
    return rc;
}

void gatehist_use_prometheus(void)
{
    gatehist_prometheus = from_prometheus;
}
