/* watch.c — journaling the criteria's transitions the fold has reached,
 * or would reach at now: the one place time passing enters the record. */
#include "watch.h"

#include <stdlib.h>
#include <string.h>

#include "events.h"

int watch_judge(const struct session *s, int64_t now_ms, struct journal *j,
                struct error *err)
{
    const struct runbook *rb = s->rb;
    size_t n = rb->n_criteria;
    if (!n)
        return 0;
    struct crit_track *next = malloc(n * sizeof *next);
    if (!next) {
        error_set(err, "out of memory judging the criteria");
        return -1;
    }
    memcpy(next, s->tracks, n * sizeof *next);
    for (size_t i = 0; i < n; i++)
        next[i].quiet = 0;   /* what is journaled says why, as of now */
    session_step_criteria(s, next, now_ms);
    int changes = 0;
    for (size_t i = 0; i < n; i++) {
        const struct crit_view *was = &s->crits[i];
        const struct crit_track *t = &next[i];
        if (!t->judged || (was->judged && was->state == t->state))
            continue;
        char *body = events_criterion_body(i, rb->criteria[i].text,
                                           was->judged ? crit_state_name(was->state) : "unjudged",
                                           crit_state_name(t->state), t->has_value, t->value,
                                           t->count, t->bound, t->why);
        struct journal_event ev = {.ts_ms = now_ms, .actor = "engine",
                                   .kind = EV_CRITERION, .body = body};
        int rc = body ? journal_append(j, &ev, NULL, err) : -1;
        free(body);
        if (rc != 0) {
            if (!body)
                error_set(err, "out of memory judging the criteria");
            free(next);
            return -1;
        }
        changes++;
    }
    free(next);
    return changes;
}
