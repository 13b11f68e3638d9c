/* gatework.c — the gates' worker (see gatework.h): one offloop thread and
 * one job at a time; the job reads each due gate's history on the
 * worker's own read-only journal connection and runs gate_judge. The loop
 * only copies the verdicts out and decides what goes on record. */
#include "gatework.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gate.h"
#include "gatehist.h"
#include "offloop.h"

#define GATEWORK_BATCH 32

struct judgment {
    size_t gate;
    struct gate_verdict v;
    const char *source;
    int failed;
    char error[200];
};

struct gatework {
    const struct runbook *rb;
    char *location;
    struct journal *ro;          /* the worker's connection; touched only by the job */
    struct offloop *off;
    int wake_rd, wake_wr;
    struct offloop_job job;
    int busy;
    int64_t job_now;
    struct judgment j[GATEWORK_BATCH];
    size_t n;
    int64_t *next_ms;            /* per gate: when it is due */
    struct gate_points *cache;   /* per gate: its window's points from the journal, kept
                                  * by the job so each judgment reads only what is new */
    int64_t *cache_to;           /* per gate: the newest point's time in cache (0: none) */
};

static int64_t every_ms(const struct rb_gate *g)
{
    return g->over ? GATEWORK_OVER_MS : GATEWORK_FOR_MS;
}

/* --- on the worker ----------------------------------------------------- */

/* Gate i's window from the journal: the points kept from the last
 * judgment, less those that left the window, plus the samples since the
 * newest of them (one signal's samples come in time order). A week at 1 s
 * is read once, then a few seconds' worth at each judgment. */
static int read_cached(struct gatework *w, size_t i, int64_t from, struct error *err)
{
    struct gate_points *c = &w->cache[i];
    const char *signal = w->rb->gates[i].cond.signal;
    int rc;
    if (!w->cache_to[i])
        rc = gatehist_journal(w->ro, signal, from, w->job_now, c, err);
    else
        rc = gatehist_journal_more(w->ro, signal, w->cache_to[i] + 1, w->job_now, c, err);
    if (rc != 0) {
        c->n = 0;
        w->cache_to[i] = 0;
        return rc;
    }
    gate_points_trim(c, from);
    if (c->n)
        w->cache_to[i] = c->v[c->n - 1].t_ms;
    else
        w->cache_to[i] = 0;
    return 0;
}

static void judge_one(struct gatework *w, struct judgment *jd, struct gate_points *pts)
{
    const struct rb_gate *g = &w->rb->gates[jd->gate];
    const struct rb_signal *sig = runbook_signal(w->rb, g->cond.signal);
    struct error err = {{0}};
    int64_t step = 0;
    jd->failed = 1;
    if (!sig) {
        snprintf(jd->error, sizeof jd->error, "no signal %s", g->cond.signal);
        return;
    }
    int64_t gap = gate_max_gap(g, sig->interval_ms, 0);
    int64_t at = w->job_now;
    int64_t from = gate_window_start(g, gap, at);
    int rc;
    /* THE PROMETHEUS HOOK: an `over` gate on a Prometheus signal reads
     * query_range once core/promrange.c sets gatehist_prometheus */
    if (g->over && gatehist_prometheus && gatehist_from_prometheus(w->rb, sig)) {
        jd->source = "prometheus";
        pts->n = 0;
        rc = gatehist_prometheus(w->rb, sig, from, w->job_now, pts, &step, &err);
        gap = gate_max_gap(g, sig->interval_ms, step);
    } else {
        jd->source = "journal";
        if (!w->ro && journal_open(w->location, JOURNAL_READONLY, &w->ro, &err) != 0) {
            snprintf(jd->error, sizeof jd->error, "%s", err.msg);
            return;
        }
        /* judged one poll interval back: the newest samples may still be
         * on their way through the journal's writer, and a verdict must
         * not flap to "insufficient" on that lag */
        at -= sig->interval_ms;
        from = gate_window_start(g, gap, at);
        rc = read_cached(w, jd->gate, from, &err);
        pts = &w->cache[jd->gate];
    }
    if (rc != 0) {
        snprintf(jd->error, sizeof jd->error, "%s", err.msg);
        return;
    }
    gate_judge(g, pts->v, pts->n, gap, at, &jd->v);
    jd->failed = 0;
}

static void run_job(void *arg)
{
    struct gatework *w = arg;
    struct gate_points pts = {0};
    for (size_t i = 0; i < w->n; i++)
        judge_one(w, &w->j[i], &pts);
    gate_points_free(&pts);
}

/* --- on the loop --------------------------------------------------------- */

struct gatework *gatework_new(const char *location, const struct runbook *rb,
                              struct error *err)
{
    if (!rb->n_gates)
        return NULL;
    struct gatework *w = calloc(1, sizeof *w);
    int fds[2] = {-1, -1};
    if (!w || !(w->location = strdup(location ? location : "")) ||
        !(w->next_ms = calloc(rb->n_gates, sizeof *w->next_ms)) ||
        !(w->cache = calloc(rb->n_gates, sizeof *w->cache)) ||
        !(w->cache_to = calloc(rb->n_gates, sizeof *w->cache_to)) || pipe(fds) != 0) {
        error_set(err, "cannot start the gates' worker");
        if (w) {
            free(w->location);
            free(w->next_ms);
            free(w->cache);
            free(w->cache_to);
        }
        free(w);
        return NULL;
    }
    w->rb = rb;
    w->wake_rd = fds[0];
    w->wake_wr = fds[1];
    fcntl(w->wake_rd, F_SETFL, fcntl(w->wake_rd, F_GETFL) | O_NONBLOCK);
    fcntl(w->wake_wr, F_SETFL, fcntl(w->wake_wr, F_GETFL) | O_NONBLOCK);
    w->job = (struct offloop_job){.run = run_job, .arg = w};
    if (!(w->off = offloop_new(w->wake_wr, err))) {
        gatework_free(w);
        return NULL;
    }
    return w;
}

void gatework_free(struct gatework *w)
{
    if (!w)
        return;
    offloop_free(w->off);   /* first: its job reads the connection */
    journal_close(w->ro);
    close(w->wake_rd);
    close(w->wake_wr);
    for (size_t i = 0; w->cache && i < w->rb->n_gates; i++)
        gate_points_free(&w->cache[i]);
    free(w->cache);
    free(w->cache_to);
    free(w->location);
    free(w->next_ms);
    free(w);
}

int gatework_wake_fd(const struct gatework *w)
{
    return w ? w->wake_rd : -1;
}

/* Does gate i decide anything now? The current phase's gates, on steps
 * still open or at its exit, and not overridden. */
static int matters(const struct session *s, size_t i)
{
    const struct rb_gate *g = &s->rb->gates[i];
    if (g->phase != s->current_phase || s->gf.gates[i].overridden)
        return 0;
    return g->step < 0 || !s->acks[g->step].acked;
}

/* The body of a `gate` event for this verdict, or NULL when the fold's
 * picture is recent enough and says the same state. */
static cJSON *worth(const struct session *s, const struct judgment *jd, int64_t now)
{
    const struct gate_view *f = &s->gf.gates[jd->gate];
    const struct gate_verdict *v = &jd->v;
    int64_t window = s->rb->gates[jd->gate].cond.for_ms;
    /* what the screens say of it: its state, whether its opening is known,
     * and when (moved by more than a tenth of the window, at most every 10 s) */
    int known_changed = (f->opens_at_ms > 0) != (v->opens_at_ms > 0);
    int64_t moved = v->opens_at_ms - f->opens_at_ms;
    int opening_moved = f->opens_at_ms > 0 && v->opens_at_ms > 0 &&
                        (moved > window / 10 || -moved > window / 10) &&
                        now - f->judged_ms >= 10000;
    if (f->judged && f->state == v->state && !known_changed && !opening_moved &&
        now - f->judged_ms < GATE_REFRESH_MS)
        return NULL;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", s->rb->gates[jd->gate].id);
    cJSON_AddStringToObject(o, "state", gate_state_name(v->state));
    if (isfinite(v->worst))
        cJSON_AddNumberToObject(o, "worst", v->worst);
    cJSON_AddNumberToObject(o, "covered", floor(v->covered * 1e4) / 1e4);
    if (v->opens_at_ms > 0)
        cJSON_AddNumberToObject(o, "opens_at", (double)v->opens_at_ms);
    cJSON_AddStringToObject(o, "source", jd->source ? jd->source : "journal");
    cJSON_AddStringToObject(o, "why", v->why);
    return o;
}

size_t gatework_step(struct gatework *w, const struct session *s, int64_t now_ms,
                     cJSON **out, size_t max)
{
    if (!w)
        return 0;
    size_t n = 0;
    char drain[64];
    while (read(w->wake_rd, drain, sizeof drain) > 0)
        ;
    if (w->busy && offloop_done(w->off, &w->job)) {
        w->busy = 0;
        for (size_t i = 0; i < w->n && n < max; i++) {
            cJSON *o = !w->j[i].failed && matters(s, w->j[i].gate) ? worth(s, &w->j[i], now_ms)
                                                                 : NULL;
            if (o)
                out[n++] = o;
        }
    }
    if (w->busy || !session_positions_current(s))
        return n;
    w->n = 0;
    for (size_t i = 0; i < w->rb->n_gates && w->n < GATEWORK_BATCH; i++) {
        if (!matters(s, i) || now_ms < w->next_ms[i])
            continue;
        w->next_ms[i] = now_ms + every_ms(&w->rb->gates[i]);
        w->j[w->n++] = (struct judgment){.gate = i};
    }
    if (w->n) {
        w->job_now = now_ms;
        w->busy = offloop_submit(w->off, &w->job) == 0;
    }
    return n;
}

int64_t gatework_wait_ms(const struct gatework *w, int64_t now_ms)
{
    /* a gate not due yet says when; one that does not matter now waits
     * for the loop's next turn, which an event or a sample brings */
    int64_t wait = GATEWORK_FOR_MS;
    for (size_t i = 0; w && i < w->rb->n_gates; i++) {
        int64_t left = w->next_ms[i] - now_ms;
        if (left > 0 && left < wait)
            wait = left;
    }
    return wait;
}
