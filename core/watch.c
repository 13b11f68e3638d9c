/* watch.c — criteria over the session's signal views. */
#include "watch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "signals.h"

int watch_init(struct watch *w, const struct runbook *rb)
{
    w->rb = rb;
    w->tracks = calloc(rb->n_criteria ? rb->n_criteria : 1, sizeof *w->tracks);
    return w->tracks ? 0 : -1;
}

void watch_free(struct watch *w)
{
    free(w->tracks);
    w->tracks = NULL;
}

static ptrdiff_t signal_index(const struct runbook *rb, const char *name)
{
    for (size_t i = 0; name && i < rb->n_signals; i++)
        if (strcmp(rb->signals[i].name, name) == 0)
            return (ptrdiff_t)i;
    return -1;
}

int watch_stale(const struct session *s, size_t signal, int64_t now_ms)
{
    return session_signal_stale(s, signal, now_ms, WATCH_STALE_INTERVALS);
}

struct crit_input watch_input(const struct session *s, const struct rb_criterion *c,
                              int64_t now_ms)
{
    struct crit_input in = {0};
    ptrdiff_t i = signal_index(s->rb, c->signal);
    if (i >= 0) {
        const struct signal_view *v = &s->signals[i];
        in.has_value = v->has_value;
        in.value = v->value;
        in.stale = watch_stale(s, (size_t)i, now_ms);
    }
    ptrdiff_t m = signal_index(s->rb, c->min_signal);
    if (m >= 0) {
        const struct signal_view *v = &s->signals[m];
        in.has_count = v->has_value;
        in.count = v->value;
        in.count_stale = watch_stale(s, (size_t)m, now_ms);
    }
    return in;
}

struct rebuild {
    struct watch *w;
    struct session s;
};

static int rejudge(const struct journal_sample *sample, void *p)
{
    struct rebuild *r = p;
    session_apply_sample(&r->s, sample);
    for (size_t i = 0; i < r->w->rb->n_criteria; i++) {
        const struct rb_criterion *c = &r->w->rb->criteria[i];
        struct crit_input in = watch_input(&r->s, c, sample->ts_ms);
        criteria_step(c, &r->w->tracks[i], &in, sample->ts_ms);
    }
    return 0;
}

int watch_rebuild(struct watch *w, struct journal *j, struct error *err)
{
    struct rebuild r = {.w = w};
    if (session_init(&r.s, w->rb) != 0) {
        error_set(err, "out of memory");
        return -1;
    }
    int rc = journal_read_samples(j, 0, rejudge, &r, err);
    session_free(&r.s);
    return rc;
}

int watch_judge(struct watch *w, const struct session *s, int64_t now_ms,
                struct journal *j, struct error *err)
{
    int changes = 0;
    for (size_t i = 0; i < w->rb->n_criteria; i++) {
        const struct rb_criterion *c = &w->rb->criteria[i];
        struct crit_track *t = &w->tracks[i];
        int was_judged = t->judged;
        enum crit_state from = t->state;
        struct crit_input in = watch_input(s, c, now_ms);
        if (!criteria_step(c, t, &in, now_ms))
            continue;
        char *body = events_criterion_body(i, c->text, was_judged ? crit_state_name(from) : "unjudged",
                                           crit_state_name(t->state), t->has_value, t->value,
                                           t->count, t->bound, t->why);
        struct journal_event ev = {.ts_ms = now_ms, .actor = "engine",
                                   .kind = EV_CRITERION, .body = body};
        int rc = body ? journal_append(j, &ev, NULL, err) : -1;
        free(body);
        if (rc != 0)
            return -1;
        changes++;
    }
    return changes;
}
