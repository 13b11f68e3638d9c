/* session.c — folding journal events into the state of a ceremony: each
 * event read against the event table, its references resolved by their
 * stable ids and checked, and whatever does not hold reported with its
 * sequence number instead of being acted on. */
#include "session.h"

#include <cjson/cJSON.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "panels_decl.h"

static ptrdiff_t signal_index(const struct runbook *rb, const char *name)
{
    for (size_t i = 0; name && i < rb->n_signals; i++)
        if (strcmp(rb->signals[i].name, name) == 0)
            return (ptrdiff_t)i;
    return -1;
}

/* The signals the cockpit charts get a history in buckets: a panel's own
 * signal (panels_decl.h) and every criterion's (the chart of the signal
 * that fired). */
static int init_charts(struct session *s)
{
    const struct runbook *rb = s->rb;
    struct panels_decls d = {0};
    if (panels_parse(rb, &d) != 0)
        return -1;
    char *want = calloc(rb->n_signals ? rb->n_signals : 1, 1);
    if (!want) {
        panels_decls_free(&d);
        return -1;
    }
    for (size_t k = 0; k < d.n; k++)
        for (size_t i = 0; i < rb->n_signals; i++)
            if (d.v[k].signal && strcmp(rb->signals[i].name, d.v[k].signal) == 0)
                want[i] = 1;
    panels_decls_free(&d);
    for (size_t c = 0; c < 2 * rb->n_criteria; c++)
        if (s->crit_sig[c] >= 0 && (size_t)s->crit_sig[c] < rb->n_signals)
            want[s->crit_sig[c]] = 1;
    for (size_t i = 0; i < rb->n_signals; i++)
        s->n_charts += want[i];
    s->charts = calloc(s->n_charts ? s->n_charts : 1, sizeof *s->charts);
    for (size_t i = 0, k = 0; s->charts && i < rb->n_signals; i++)
        if (want[i])
            s->signals[i].chart = &s->charts[k++];
    free(want);
    return s->charts ? 0 : -1;
}

int session_init(struct session *s, const struct runbook *rb)
{
    memset(s, 0, sizeof *s);
    s->rb = rb;
    s->acks = calloc(rb->n_steps ? rb->n_steps : 1, sizeof *s->acks);
    s->phase_acked = calloc(rb->n_phases ? rb->n_phases : 1, sizeof *s->phase_acked);
    s->signals = calloc(rb->n_signals ? rb->n_signals : 1, sizeof *s->signals);
    s->crits = calloc(rb->n_criteria ? rb->n_criteria : 1, sizeof *s->crits);
    s->tracks = calloc(rb->n_criteria ? rb->n_criteria : 1, sizeof *s->tracks);
    s->crit_sig = calloc(rb->n_criteria ? 2 * rb->n_criteria : 1, sizeof *s->crit_sig);
    s->nr = calloc(rb->n_steps ? rb->n_steps : 1, sizeof *s->nr);
    if (!s->acks || !s->nr || !s->phase_acked || !s->signals || !s->crits || !s->tracks || !s->crit_sig ||
        gatefold_init(&s->gf, rb) != 0) {
        session_free(s);
        return -1;
    }
    for (size_t i = 0; i < rb->n_criteria; i++) {
        s->tracks[i].quiet = 1;   /* the fold needs the states; words only on a change */
        s->crit_sig[2 * i] = signal_index(rb, rb->criteria[i].signal);
        s->crit_sig[2 * i + 1] = signal_index(rb, rb->criteria[i].min_signal);
    }
    if (init_charts(s) != 0) {
        session_free(s);
        return -1;
    }
    ramp_init(&s->ramp, rb);
    cleanup_view_init(&s->cleanup);
    return 0;
}

void session_free(struct session *s)
{
    free(s->acks);
    free(s->phase_acked);
    free(s->signals);
    free(s->crits);
    free(s->tracks);
    free(s->crit_sig);
    free(s->nr);
    free(s->charts);
    gatefold_free(&s->gf);
    for (size_t i = 0; i < SESSION_TAIL; i++)
        free(s->tail[i].body);
    for (size_t i = 0; i < SESSION_KEPT; i++)
        free(s->kept[i].body);
    runbook_free(s->rb_earlier);
    memset(s, 0, sizeof *s);
}

/* A copy of n items of size bytes (at least one, as session_init makes
 * them), or NULL on OOM. */
static void *dup_items(const void *src, size_t n, size_t size)
{
    void *d = malloc((n ? n : 1) * size);
    if (d && src)
        memcpy(d, src, (n ? n : 1) * size);
    return d;
}

/* The runbook a copy keeps for its positions before a --force: parsed
 * again from its own text (a runbook owns no shared parts to count). */
static struct runbook *runbook_again(const struct runbook *rb)
{
    struct rb_problems pr = {0};
    struct runbook *r = runbook_parse(rb->name, rb->text, rb->text_len, &pr);
    rb_problems_free(&pr);
    return r;
}

int session_copy(struct session *dst, const struct session *src)
{
    const struct runbook *rb = src->rb;
    *dst = *src;
    dst->acks = NULL, dst->phase_acked = NULL, dst->signals = NULL, dst->crits = NULL;
    dst->tracks = NULL, dst->crit_sig = NULL, dst->rb_earlier = NULL, dst->nr = NULL;
    dst->charts = NULL;
    dst->gf = (struct gatefold){0};
    for (size_t i = 0; i < SESSION_TAIL; i++)
        dst->tail[i].body = NULL;
    for (size_t i = 0; i < SESSION_KEPT; i++)
        dst->kept[i].body = NULL;
    if (!(dst->acks = dup_items(src->acks, rb->n_steps, sizeof *src->acks)) ||
        !(dst->phase_acked = dup_items(src->phase_acked, rb->n_phases, sizeof *src->phase_acked)) ||
        !(dst->signals = dup_items(src->signals, rb->n_signals, sizeof *src->signals)) ||
        !(dst->crits = dup_items(src->crits, rb->n_criteria, sizeof *src->crits)) ||
        !(dst->tracks = dup_items(src->tracks, rb->n_criteria, sizeof *src->tracks)) ||
        !(dst->crit_sig = dup_items(src->crit_sig, 2 * rb->n_criteria, sizeof *src->crit_sig)) ||
        !(dst->nr = dup_items(src->nr, rb->n_steps, sizeof *src->nr)) ||
        !(dst->charts = dup_items(src->charts, src->n_charts, sizeof *src->charts)) ||
        (src->rb_earlier && !(dst->rb_earlier = runbook_again(src->rb_earlier))) ||
        gatefold_copy(&dst->gf, &src->gf, rb) != 0)
        goto oom;
    for (size_t i = 0; i < rb->n_signals; i++)   /* the copies' own histories */
        if (src->signals[i].chart)
            dst->signals[i].chart = dst->charts + (src->signals[i].chart - src->charts);
    for (size_t i = 0; i < SESSION_TAIL; i++)
        if (src->tail[i].body && !(dst->tail[i].body = strdup(src->tail[i].body)))
            goto oom;
    for (size_t i = 0; i < SESSION_KEPT; i++)
        if (src->kept[i].body && !(dst->kept[i].body = strdup(src->kept[i].body)))
            goto oom;
    return 0;
oom:
    session_free(dst);
    return -1;
}

static void copy(char *dst, size_t len, const char *src)
{
    if (!src)
        src = "";
    size_t n = strlen(src);
    if (n >= len) {
        n = len - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;   /* never half a character */
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* A runbook event carries the whole document; the tail needs only its
 * summary, so the copy empties the text (the field stays: it is required,
 * and the line must still read as a valid event). */
static char *tail_body(const struct journal_event *ev)
{
    if (strcmp(ev->kind, EV_RUNBOOK) != 0 || !ev->body)
        return strdup(ev->body ? ev->body : "");
    cJSON *o = cJSON_Parse(ev->body);
    if (!o)
        return strdup(ev->body);
    cJSON *empty = cJSON_CreateString("");
    if (!cJSON_ReplaceItemInObjectCaseSensitive(o, "text", empty))
        cJSON_Delete(empty);   /* a body without its text: nothing to empty */
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

/* Writes ev into line l of a ring. */
static void line_set(struct session_line *l, const struct journal_event *ev)
{
    free(l->body);
    l->fault = 0;
    l->seq = ev->seq;
    l->ts_ms = ev->ts_ms;
    copy(l->actor, sizeof l->actor, ev->actor);
    copy(l->kind, sizeof l->kind, ev->kind);
    l->body = tail_body(ev);
}

/* ev into the tail, and into the kept ring when a kind filter takes it;
 * the line that the fold marks as its fault is the tail's (kept: *kept). */
static struct session_line *remember(struct session *s, const struct journal_event *ev,
                                     struct session_line **kept)
{
    struct session_line *l = &s->tail[s->tail_next];
    line_set(l, ev);
    s->tail_next = (s->tail_next + 1) % SESSION_TAIL;
    if (s->n_tail < SESSION_TAIL)
        s->n_tail++;
    *kept = NULL;
    if (marks_filtered(ev->kind)) {
        *kept = &s->kept[s->kept_next];
        line_set(*kept, ev);
        s->kept_next = (s->kept_next + 1) % SESSION_KEPT;
        if (s->n_kept < SESSION_KEPT)
            s->n_kept++;
        s->n_kept_seen++;
    }
    return l;
}

static void advance_phase(struct session *s)
{
    while (s->current_phase < s->rb->n_phases &&
           session_phase_complete(s, s->current_phase))
        s->gf.phase_done[s->current_phase++] = 1;   /* latched: it stays done */
}

/* Are positions in events meant for s->rb? Not while the runbook in force
 * (the newest runbook event so far) is another one: before a --force
 * replacement they point into the runbook it replaced. */
int session_positions_current(const struct session *s)
{
    return !s->rb_in_force[0] || strcmp(s->rb_in_force, s->rb->sha256) == 0;
}

const struct runbook *session_runbook_in_force(const struct session *s)
{
    return session_positions_current(s) ? s->rb : s->rb_earlier;
}

/* A runbook event: from here on, positions point into its runbook. */
static int apply_runbook(struct session *s, const struct event_body *b, struct error *err)
{
    copy(s->rb_in_force, sizeof s->rb_in_force, event_str(b, "sha256"));
    if (event_bool(b, "forced"))
        s->runbook_forced = 1;
    runbook_free(s->rb_earlier);
    s->rb_earlier = NULL;
    if (session_positions_current(s))
        return 0;
    const char *text = event_str(b, "text"), *path = event_str(b, "path");
    struct rb_problems pr = {0};
    s->rb_earlier = runbook_parse(path ? path : "runbook", text, strlen(text), &pr);
    int rc = 0;
    if (!s->rb_earlier || pr.n_errors) {
        error_set(err, "runbook: the runbook recorded here does not parse (%s); "
                       "until the next one only ids are resolved",
                  pr.n ? pr.v[0].message : "out of memory");
        runbook_free(s->rb_earlier);
        s->rb_earlier = NULL;
        rc = -1;
    }
    rb_problems_free(&pr);
    return rc;
}

/* 0 taken, -1 a fault (why in err). */
static int apply_ack(struct session *s, const struct journal_event *ev,
                     const struct event_body *b, struct error *err)
{
    const char *step = event_str(b, "step");
    ptrdiff_t i = runbook_step_index(s->rb, step);
    const struct runbook *then = session_runbook_in_force(s);
    ptrdiff_t was = then ? runbook_step_index(then, step) : -1;
    if (then && was < 0) {
        s->n_ignored++;
        error_set(err, "ack: there is no step '%.60s' in the runbook", step);
        return -1;
    }
    /* an id like "2.2" is a position: under a replaced runbook it names
     * the same step only if the step still reads the same, for the same role */
    if (i >= 0 && then && then != s->rb &&
        (strcmp(then->steps[was].text, s->rb->steps[i].text) != 0 ||
         strcmp(then->steps[was].role, s->rb->steps[i].role) != 0))
        i = -1;
    if (i < 0) {
        s->n_ignored++;   /* a step of the runbook that was replaced, not of this one */
        return 0;
    }
    if (s->acks[i].acked)
        return 0;         /* the first acknowledgement stands */
    if (noreturn_hold_ack(s, (size_t)i, ev, event_str(b, "name"), event_str(b, "role")))
        return 0;         /* irreversible: it waits for the commander's approval */
    session_complete_step(s, (size_t)i, ev->seq, ev->ts_ms, event_str(b, "name"),
                          event_str(b, "role"));
    return 0;
}

void session_complete_step(struct session *s, size_t i, int64_t seq, int64_t ts_ms,
                           const char *name, const char *role)
{
    struct step_ack *a = &s->acks[i];
    a->acked = 1;
    a->seq = seq;
    a->ts_ms = ts_ms;
    copy(a->name, sizeof a->name, name);
    copy(a->role, sizeof a->role, role);
    s->n_acked++;
    s->phase_acked[s->rb->steps[i].phase]++;
    advance_phase(s);
}

/* The criterion an event names: by its text as written (the stable id),
 * checked against its position in the runbook in force then; by position
 * alone in journals from before the text was written. Then carried over to
 * s->rb by its text. -1 with err: a fault; -2: a criterion only the
 * replaced runbook had (history, not a fault). */
static ptrdiff_t resolve_criterion(struct session *s, const struct event_body *b,
                                   struct error *err)
{
    const struct runbook *then = session_runbook_in_force(s);
    const char *text = event_str(b, "criterion");
    int has_index = event_has(b, "index");
    double index = event_num(b, "index", -1);
    if (!has_index && !text) {
        error_set(err, "criterion: names no criterion (neither criterion nor index)");
        return -1;
    }
    if (then && has_index && index >= (double)then->n_criteria) {
        error_set(err, "criterion: index %g is past the runbook's %zu criteria", index,
                  then->n_criteria);
        return -1;
    }
    if (!then && !text)
        return -2;        /* a position in a runbook that could not be read */
    const char *at = then && has_index ? then->criteria[(size_t)index].text : NULL;
    if (!text)
        text = at;        /* an old journal: the position is all there is */
    else if (at && strcmp(at, text) != 0) {
        /* the id wins; the position that disagrees is reported */
        ptrdiff_t pos = -1;
        for (size_t i = 0; pos < 0 && i < then->n_criteria; i++)
            if (strcmp(then->criteria[i].text, text) == 0)
                pos = (ptrdiff_t)i;
        if (pos >= 0)
            error_set(err, "criterion: \"%.80s\" is criterion %td of the runbook, not %g", text,
                      pos, index);
    }
    for (size_t i = 0; i < s->rb->n_criteria; i++)
        if (strcmp(s->rb->criteria[i].text, text) == 0)
            return (ptrdiff_t)i;
    int known_then = 0;
    for (size_t i = 0; then && i < then->n_criteria; i++)
        known_then |= strcmp(then->criteria[i].text, text) == 0;
    if (!session_positions_current(s) && (!then || known_then))
        return -2;
    error_set(err, "criterion: \"%.100s\" is not a criterion of the runbook", text);
    return -1;
}

static int apply_criterion(struct session *s, const struct journal_event *ev,
                           const struct event_body *b, struct error *err)
{
    const char *to = event_str(b, "to");
    int state = -1;
    for (int st = CRIT_OK; st <= CRIT_INSUFFICIENT; st++)
        if (strcmp(to, crit_state_name(st)) == 0)
            state = st;
    if (state < 0) {
        s->n_ignored++;
        error_set(err, "criterion: \"%.40s\" is not a state of a criterion", to);
        return -1;
    }
    err->msg[0] = '\0';
    ptrdiff_t i = resolve_criterion(s, b, err);
    if (i < 0) {
        s->n_ignored++;
        return i == -2 && !err->msg[0] ? 0 : -1;
    }
    struct crit_view *c = &s->crits[i];
    int was_out = c->judged && (c->state == CRIT_PENDING || c->state == CRIT_FIRING);
    c->state = (enum crit_state)state;
    c->judged = 1;
    c->since_ms = ev->ts_ms;
    c->value = event_num(b, "value", NAN);
    c->worst = was_out ? criteria_worse(s->rb->criteria[i].op, c->worst, c->value) : c->value;
    const char *why = event_str(b, "why");
    copy(c->why, sizeof c->why, why ? why : "");
    return err->msg[0] ? -1 : 0;   /* taken by its id; a position that disagreed is reported */
}

static void apply_note(struct session *s, const struct journal_event *ev,
                       const struct event_body *b)
{
    const char *text = event_str(b, "text");
    struct session_note *n = &s->newest_note;
    n->seq = ev->seq;
    n->ts_ms = ev->ts_ms;
    copy(n->actor, sizeof n->actor, ev->actor);
    copy(n->text, sizeof n->text, text ? text : "");
    s->n_notes++;
}

static void fault(struct session *s, int64_t seq, const char *what)
{
    struct session_fault *f = &s->faults[s->n_faults % SESSION_FAULTS];
    f->seq = seq;
    copy(f->what, sizeof f->what, what[0] ? what : "not taken");
    if (s->n_faults == 0)
        s->first_fault = *f;
    s->n_faults++;
}

/* Wall times from year 1970 to 9999: anything else is not a time, and
 * arithmetic on it could overflow. */
#define SESSION_TS_MAX 253402300799999LL

int session_stale(const struct session *s, size_t signal, int64_t now_ms)
{
    return session_signal_stale(s, signal, now_ms, SESSION_STALE_INTERVALS);
}

/* The signals criterion c reads, by position (found once, at init, for
 * the runbook's own criteria: a fold asks at every sample). */
static void crit_signals(const struct session *s, const struct rb_criterion *c, ptrdiff_t *i,
                         ptrdiff_t *m)
{
    ptrdiff_t k = c - s->rb->criteria;
    if (s->crit_sig && k >= 0 && (size_t)k < s->rb->n_criteria) {
        *i = s->crit_sig[2 * k];
        *m = s->crit_sig[2 * k + 1];
    } else {
        *i = signal_index(s->rb, c->signal);
        *m = signal_index(s->rb, c->min_signal);
    }
}

struct crit_input session_crit_input(const struct session *s, const struct rb_criterion *c,
                                     int64_t now_ms)
{
    struct crit_input in = {0};
    ptrdiff_t i, m;
    crit_signals(s, c, &i, &m);
    if (i >= 0) {
        const struct signal_view *v = &s->signals[i];
        in.has_value = v->has_value;
        in.value = v->value;
        in.stale = session_stale(s, (size_t)i, now_ms);
    }
    if (m >= 0) {
        const struct signal_view *v = &s->signals[m];
        in.has_count = v->has_value;
        in.count = v->value;
        in.count_stale = session_stale(s, (size_t)m, now_ms);
    }
    return in;
}

/* Steps the criteria that read signal number `signal` (all when -1). */
static int step_some(const struct session *s, struct crit_track *tracks, int64_t now_ms,
                     ptrdiff_t signal)
{
    int changed = 0;
    int64_t at = now_ms > s->crit_clock_ms ? now_ms : s->crit_clock_ms;
    for (size_t i = 0; i < s->rb->n_criteria; i++) {
        const struct rb_criterion *c = &s->rb->criteria[i];
        if (signal >= 0 && s->crit_sig[2 * i] != signal && s->crit_sig[2 * i + 1] != signal)
            continue;
        struct crit_input in = session_crit_input(s, c, at);
        changed += criteria_step(c, &tracks[i], &in, at);
    }
    return changed;
}

int session_step_criteria(const struct session *s, struct crit_track *tracks, int64_t now_ms)
{
    return step_some(s, tracks, now_ms, -1);
}

/* The fold's own step: its tracks, and its clock moved on. A time that is
 * not a time (a fault) moves nothing. */
static void tick_criteria(struct session *s, int64_t ts_ms, ptrdiff_t signal)
{
    if (ts_ms < 0 || ts_ms > SESSION_TS_MAX)
        return;
    step_some(s, s->tracks, ts_ms, signal);
    if (ts_ms > s->crit_clock_ms)
        s->crit_clock_ms = ts_ms;
}

static int fold(struct session *s, const struct journal_event *ev, struct error *err)
{
    if (ev->ts_ms < 0 || ev->ts_ms > SESSION_TS_MAX) {
        s->n_ignored++;
        error_set(err, "%.32s: the time %lld ms is not a time", ev->kind ? ev->kind : "?",
                  (long long)ev->ts_ms);
        return -1;
    }
    struct event_body b;
    int rc = events_decode(ev->kind, ev->body, &b, err);
    if (b.kind == EVK_ACK_REFUSED)
        s->n_refused++;
    if (rc != 0) {
        s->n_ignored++;
        events_body_free(&b);
        return -1;
    }
    presence_apply(&s->presence, ev, &b);
    s->test_clock = events_test_clock(&b, s->test_clock);
    switch (b.kind) {
    case EVK_ACK:
        rc = apply_ack(s, ev, &b, err);
        break;
    case EVK_NOTE:
        apply_note(s, ev, &b);
        break;
    case EVK_RUNBOOK:
        rc = apply_runbook(s, &b, err);
        break;
    case EVK_CRITERION:
        rc = apply_criterion(s, ev, &b, err);
        ramp_apply(&s->ramp, s->rb, s, ev, &b, NULL);
        /* the journaled tick: time passed to here for every criterion */
        tick_criteria(s, ev->ts_ms, -1);
        break;
    case EVK_GATE:
        rc = gatefold_apply(s, ev, &b, err);
        advance_phase(s);
        break;
    case EVK_BACKFILL:
        bf_progress_apply(&s->backfill, ev, &b);
        break;
    case EVK_APPROVE:
        rc = noreturn_apply(s, ev, &b, err);
        break;
    default:
        if (noreturn_is_override(&b)) {
            rc = noreturn_apply(s, ev, &b, err);
        } else if (gatefold_is_override(&b)) {
            rc = gatefold_apply(s, ev, &b, err);
            advance_phase(s);
        } else {
            rc = ramp_apply(&s->ramp, s->rb, s, ev, &b, err);
        }
        break;
    }
    writersfold_apply(s, ev, &b);   /* before the steps it completes or holds */
    datafold_apply(&s->data, ev, &b);
    /* steps whose action completes them (stepaction.h), after the ramp's fold */
    if (stepaction_apply(s, ev, &b, rc ? NULL : err) != 0)
        rc = -1;
    cleanup_view_apply(&s->cleanup, &s->ramp, ev, &b);
    events_body_free(&b);
    return rc;
}

int session_apply(struct session *s, const struct journal_event *ev)
{
    if (ev->seq <= s->last_seq)
        return 0;
    s->last_seq = ev->seq;
    if (!s->first_ts_ms)
        s->first_ts_ms = ev->ts_ms;
    s->last_ts_ms = ev->ts_ms;
    s->n_events++;
    struct session_line *kept;
    struct session_line *line = remember(s, ev, &kept);
    struct error err = {{0}};
    struct ramp_view before = s->ramp;
    if (fold(s, ev, &err) == 0) {
        marks_note(&s->marks, ev, s->rb, &before, &s->ramp);
        return 0;
    }
    fault(s, ev->seq, err.msg);
    line->fault = 1;
    if (kept)
        kept->fault = 1;
    return -1;
}

const char *session_fault_at(const struct session *s, int64_t seq)
{
    for (size_t i = 0; i < SESSION_FAULTS && i < (size_t)s->n_faults; i++)
        if (s->faults[i].seq == seq)
            return s->faults[i].what;
    return NULL;
}

void session_describe(const struct session *s, const struct journal_event *ev,
                      char *buf, size_t len)
{
    const char *what = session_fault_at(s, ev->seq);
    if (what)
        snprintf(buf, len, "journal event #%lld: %s", (long long)ev->seq, what);
    else
        events_describe(ev, buf, len);
}

int session_signal_stale(const struct session *s, size_t signal, int64_t now_ms,
                         int stale_intervals)
{
    const struct signal_view *v = &s->signals[signal];
    return !v->last_ms ||
           now_ms - v->last_ms > stale_intervals * s->rb->signals[signal].interval_ms;
}

/* The worst value since each criterion on signal i left ok (the screen's
 * "worst" beside "now" and "fired at"). */
static void note_worst(struct session *s, size_t i, double value)
{
    for (size_t k = 0; k < s->rb->n_criteria; k++) {
        struct crit_view *c = &s->crits[k];
        const struct rb_criterion *rc = &s->rb->criteria[k];
        ptrdiff_t sig, min;
        crit_signals(s, rc, &sig, &min);
        if (sig == (ptrdiff_t)i && c->judged &&
            (c->state == CRIT_PENDING || c->state == CRIT_FIRING))
            c->worst = criteria_worse(rc->op, c->worst, value);
    }
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
        double h = sample->has_value ? sample->value : NAN;
        /* a double past float's range is not a float: it would be undefined */
        v->history[v->next_history] = fabs(h) > FLT_MAX && isfinite(h) ? (h > 0 ? INFINITY : -INFINITY)
                                                                      : (float)h;
        v->next_history = (v->next_history + 1) % SIGNAL_HISTORY;
        if (v->chart)
            sighist_add(v->chart, sample->ts_ms, sample->has_value, sample->value);
        if (v->n_history < SIGNAL_HISTORY)
            v->n_history++;
        tick_criteria(s, sample->ts_ms, (ptrdiff_t)i);
        if (sample->has_value)
            note_worst(s, i, sample->value);
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

const struct session_line *session_kept(const struct session *s, size_t i)
{
    if (i >= s->n_kept)
        return NULL;
    return &s->kept[(s->kept_next + SESSION_KEPT - 1 - i) % SESSION_KEPT];
}

int session_phase_complete(const struct session *s, size_t p)
{
    return p < s->rb->n_phases &&
           (s->gf.phase_done[p] ||
            (s->phase_acked[p] == s->rb->phases[p].n_steps && gatefold_exit_open(s, p)));
}

const char *session_status(const struct session *s)
{
    if (s->rb->n_phases && s->current_phase >= s->rb->n_phases)
        return "COMPLETE";
    return s->n_acked ? "IN PROGRESS" : "READY";
}
