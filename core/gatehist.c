/* gatehist.c — a signal's history from the journal's samples (see
 * gatehist.h). The samples table has an index on (signal, ts_ms), so a
 * week of one signal at 1 s is a range scan of that index, not of every
 * signal's rows. */
#include "gatehist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

gatehist_source_fn gatehist_prometheus = NULL;

void gate_points_free(struct gate_points *p)
{
    free(p->v);
    memset(p, 0, sizeof *p);
}

int gate_points_push(struct gate_points *p, int64_t t_ms, double value)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 256;
        struct gate_point *v = realloc(p->v, cap * sizeof *v);
        if (!v)
            return -1;
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = (struct gate_point){t_ms, value};
    return 0;
}

static int take(const struct journal_sample *sa, void *ctx)
{
    return gate_points_push(ctx, sa->ts_ms, sa->has_value ? sa->value : NAN) == 0 ? 0 : 1;
}

int gatehist_journal(struct journal *j, const char *signal, int64_t from_ms, int64_t to_ms,
                     struct gate_points *out, struct error *err)
{
    out->n = 0;
    return gatehist_journal_more(j, signal, from_ms, to_ms, out, err);
}

void gate_points_trim(struct gate_points *p, int64_t from_ms)
{
    size_t k = 0;
    while (k < p->n && p->v[k].t_ms < from_ms)
        k++;
    /* points before the window only add what they cover of its start
     * (gate_judge), so a few are left until moving the rest is worth it */
    if (k && (k >= 4096 || k * 8 >= p->n)) {
        memmove(p->v, p->v + k, (p->n - k) * sizeof *p->v);
        p->n -= k;
    }
}

int gatehist_journal_more(struct journal *j, const char *signal, int64_t from_ms, int64_t to_ms,
                          struct gate_points *out, struct error *err)
{
    int rc = journal_read_signal(j, signal, from_ms, to_ms, take, out, err);
    if (rc > 0) {
        error_set(err, "out of memory reading %s's history", signal);
        return -1;
    }
    return rc;
}

int gatehist_from_prometheus(const struct runbook *rb, const struct rb_signal *sig)
{
    const struct rb_system *sys = runbook_system(rb, sig->source ? sig->source : "metrics");
    return sys && strcmp(sys->kind, "prometheus") == 0;
}
