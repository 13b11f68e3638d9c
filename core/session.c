/* session.c — folding journal events into the state of a ceremony. */
#include "session.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"

int session_init(struct session *s, const struct runbook *rb)
{
    memset(s, 0, sizeof *s);
    s->rb = rb;
    s->acks = calloc(rb->n_steps ? rb->n_steps : 1, sizeof *s->acks);
    s->phase_acked = calloc(rb->n_phases ? rb->n_phases : 1, sizeof *s->phase_acked);
    s->signals = calloc(rb->n_signals ? rb->n_signals : 1, sizeof *s->signals);
    s->crits = calloc(rb->n_criteria ? rb->n_criteria : 1, sizeof *s->crits);
    if (!s->acks || !s->phase_acked || !s->signals || !s->crits) {
        session_free(s);
        return -1;
    }
    ramp_init(&s->ramp, rb);
    return 0;
}

void session_free(struct session *s)
{
    free(s->acks);
    free(s->phase_acked);
    free(s->signals);
    free(s->crits);
    for (size_t i = 0; i < s->n_notes; i++)
        free(s->notes[i].text);
    free(s->notes);
    for (size_t i = 0; i < SESSION_TAIL; i++)
        free(s->tail[i].body);
    memset(s, 0, sizeof *s);
}

static void copy(char *dst, size_t len, const char *src)
{
    size_t n = strlen(src);
    if (n >= len)
        n = len - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static const char *str_field(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A runbook event carries the whole document; the tail needs only its
 * summary, so the copy drops the text. */
static char *tail_body(const struct journal_event *ev)
{
    if (strcmp(ev->kind, EV_RUNBOOK) != 0)
        return strdup(ev->body);
    cJSON *o = cJSON_Parse(ev->body);
    if (!o)
        return strdup(ev->body);
    cJSON_DeleteItemFromObjectCaseSensitive(o, "text");
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

static void remember(struct session *s, const struct journal_event *ev)
{
    struct session_line *l = &s->tail[s->tail_next];
    free(l->body);
    l->seq = ev->seq;
    l->ts_ms = ev->ts_ms;
    copy(l->actor, sizeof l->actor, ev->actor);
    copy(l->kind, sizeof l->kind, ev->kind);
    l->body = tail_body(ev);
    s->tail_next = (s->tail_next + 1) % SESSION_TAIL;
    if (s->n_tail < SESSION_TAIL)
        s->n_tail++;
}

static void advance_phase(struct session *s)
{
    while (s->current_phase < s->rb->n_phases &&
           session_phase_complete(s, s->current_phase))
        s->current_phase++;
}

static void apply_ack(struct session *s, const struct journal_event *ev,
                      const cJSON *body)
{
    const char *step = str_field(body, "step");
    const char *name = str_field(body, "name");
    const char *role = str_field(body, "role");
    ptrdiff_t i = step ? runbook_step_index(s->rb, step) : -1;
    if (i < 0 || !name || !role) {
        s->n_ignored++;   /* a step of another runbook version, or junk */
        return;
    }
    struct step_ack *a = &s->acks[i];
    if (a->acked)
        return;           /* the first acknowledgement stands */
    a->acked = 1;
    a->seq = ev->seq;
    a->ts_ms = ev->ts_ms;
    copy(a->name, sizeof a->name, name);
    copy(a->role, sizeof a->role, role);
    s->n_acked++;
    s->phase_acked[s->rb->steps[i].phase]++;
    advance_phase(s);
}

static void apply_criterion(struct session *s, const struct journal_event *ev,
                            const cJSON *body)
{
    const cJSON *index = cJSON_GetObjectItemCaseSensitive(body, "index");
    const char *to = str_field(body, "to");
    if (!cJSON_IsNumber(index) || index->valuedouble < 0 ||
        (size_t)index->valuedouble >= s->rb->n_criteria || !to) {
        s->n_ignored++;
        return;
    }
    struct crit_view *c = &s->crits[(size_t)index->valuedouble];
    for (int st = CRIT_OK; st <= CRIT_INSUFFICIENT; st++)
        if (strcmp(to, crit_state_name(st)) == 0)
            c->state = st;
    c->judged = 1;
    c->since_ms = ev->ts_ms;
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(body, "value");
    c->value = cJSON_IsNumber(value) ? value->valuedouble : NAN;
    const char *why = str_field(body, "why");
    copy(c->why, sizeof c->why, why ? why : "");
}

static void apply_note(struct session *s, const struct journal_event *ev,
                       const cJSON *body)
{
    const char *text = str_field(body, "text");
    if (!text) {
        s->n_ignored++;
        return;
    }
    if (s->n_notes == s->cap_notes) {
        size_t cap = s->cap_notes ? 2 * s->cap_notes : 8;
        struct session_note *v = realloc(s->notes, cap * sizeof *v);
        if (!v)
            return;
        s->notes = v;
        s->cap_notes = cap;
    }
    struct session_note *n = &s->notes[s->n_notes];
    n->text = strdup(text);
    if (!n->text)
        return;
    n->seq = ev->seq;
    n->ts_ms = ev->ts_ms;
    copy(n->actor, sizeof n->actor, ev->actor);
    s->n_notes++;
}

void session_apply(struct session *s, const struct journal_event *ev)
{
    if (ev->seq <= s->last_seq)
        return;
    s->last_seq = ev->seq;
    if (!s->first_ts_ms)
        s->first_ts_ms = ev->ts_ms;
    s->last_ts_ms = ev->ts_ms;
    s->n_events++;
    remember(s, ev);

    const char *k = ev->kind;
    if (strcmp(k, EV_ACK_REFUSED) == 0) {
        s->n_refused++;
        return;
    }
    static const char *const ramp_kinds[] = {
        EV_CRITERION, EV_RAMP_ADVANCE, EV_FLAG_SET, EV_FLAG_READ, EV_ABORT,
        EV_HALT, EV_RESUME, EV_FLAG_MISMATCH, EV_OVERRIDE, EV_ABORT_EFFECTIVE, EV_REHEARSAL};
    int for_ramp = 0;
    for (size_t i = 0; i < sizeof ramp_kinds / sizeof ramp_kinds[0]; i++)
        for_ramp |= strcmp(k, ramp_kinds[i]) == 0;
    int wants_body = for_ramp || strcmp(k, EV_ACK) == 0 || strcmp(k, EV_NOTE) == 0 ||
                     strcmp(k, EV_RUNBOOK) == 0;
    if (!wants_body)
        return;           /* kinds this build does not act on */
    cJSON *body = cJSON_Parse(ev->body);
    if (!body) {
        s->n_ignored++;
        return;
    }
    if (strcmp(k, EV_ACK) == 0)
        apply_ack(s, ev, body);
    else if (strcmp(k, EV_NOTE) == 0)
        apply_note(s, ev, body);
    else if (strcmp(k, EV_CRITERION) == 0)
        apply_criterion(s, ev, body);
    else if (strcmp(k, EV_RUNBOOK) == 0 &&
             cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "forced")))
        s->runbook_forced = 1;
    if (for_ramp)
        ramp_apply(&s->ramp, s->rb, s, ev, body);
    cJSON_Delete(body);
}

void session_apply_sample(struct session *s, const struct journal_sample *sample)
{
    if (sample->seq <= s->last_sample_seq)
        return;
    s->last_sample_seq = sample->seq;
    const struct runbook *rb = s->rb;
    for (size_t i = 0; i < rb->n_signals; i++) {
        if (strcmp(rb->signals[i].name, sample->signal) != 0)
            continue;
        struct signal_view *v = &s->signals[i];
        v->has_value = sample->has_value;
        if (sample->has_value) {
            v->value = sample->value;
            v->value_ms = sample->ts_ms;
        }
        v->last_ms = sample->ts_ms;
        copy(v->status, sizeof v->status, sample->status ? sample->status : "");
        if (rb->ramp_observed && strcmp(rb->ramp_observed, sample->signal) == 0)
            ramp_observe(&s->ramp, rb, sample->has_value, sample->value, sample->ts_ms);
        v->history[v->next_history] = sample->has_value ? (float)sample->value : NAN;
        v->next_history = (v->next_history + 1) % SIGNAL_HISTORY;
        if (v->n_history < SIGNAL_HISTORY)
            v->n_history++;
        return;
    }
}

double session_history(const struct session *s, size_t signal, size_t i)
{
    const struct signal_view *v = &s->signals[signal];
    if (i >= v->n_history)
        return NAN;
    return v->history[(v->next_history + SIGNAL_HISTORY - 1 - i) % SIGNAL_HISTORY];
}

const struct session_line *session_tail(const struct session *s, size_t i)
{
    if (i >= s->n_tail)
        return NULL;
    size_t pos = (s->tail_next + SESSION_TAIL - 1 - i) % SESSION_TAIL;
    return &s->tail[pos];
}

int session_phase_complete(const struct session *s, size_t p)
{
    return p < s->rb->n_phases && s->phase_acked[p] == s->rb->phases[p].n_steps;
}

const char *session_status(const struct session *s)
{
    if (s->rb->n_phases && s->current_phase >= s->rb->n_phases)
        return "COMPLETE";
    return s->n_acked ? "IN PROGRESS" : "READY";
}
