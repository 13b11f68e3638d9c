/* report.c — the post-mortem as a fold over the journal: the session fold
 * gives the outcome, and one walk over the events and one over the samples
 * gather the timeline, the people, the aborts and each signal's worst. A
 * damaged journal is reported up to its first bad sequence, never past it. */
#include "report.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ceremony.h"
#include "cleanupdue.h"
#include "events.h"
#include "journal.h"
#include "noreturn.h"
#include "timefmt.h"
#include "runbook.h"
#include "session.h"

struct build {
    struct report *r;
    const struct runbook *rb;
    struct session s;
    int64_t event_limit, sample_limit; /* the last sequence to read; INT64_MAX: all */
    int oom;
    /* the flag as last read back, and since when */
    int has_pct;
    double pct;
    int64_t pct_since;
    /* the ramp step in force (since its advance), and the hold it asked */
    int has_step;
    double step_pct;
    int64_t step_since, step_hold_ms;
    char held[200];   /* the step's hold, said after the event that ended it */
};

static void *grow(void *v, size_t n, size_t size, int *oom)
{
    /* grows by doubling when n reaches a power of two (n >= 8) */
    if (n >= 8 && (n & (n - 1)) != 0)
        return v;
    void *p = realloc(v, (n < 8 ? 8 : n * 2) * size);
    if (!p) {
        *oom = 1;   /* v is still the caller's, freed by report_free */
        return v;
    }
    return p;
}

static void copy(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src ? src : "");
}

static struct report_participant *person(struct build *b, const char *name, const char *role,
                                         int64_t ts)
{
    struct report *r = b->r;
    if (!name || !role)
        return NULL;
    for (size_t i = 0; i < r->n_people; i++)
        if (strcmp(r->people[i].name, name) == 0 && strcmp(r->people[i].role, role) == 0)
            return &r->people[i];
    r->people = grow(r->people, r->n_people, sizeof *r->people, &b->oom);
    if (b->oom)
        return NULL;
    struct report_participant *p = &r->people[r->n_people++];
    memset(p, 0, sizeof *p);
    copy(p->name, sizeof p->name, name);
    copy(p->role, sizeof p->role, role);
    p->first_ms = ts;
    return p;
}

/* The flag read back at pct from ts: the time at the old value ends. */
static void flag_at(struct build *b, double pct, int64_t ts)
{
    struct report *r = b->r;
    if (b->has_pct && b->pct == pct)
        return;
    if (b->has_pct) {
        size_t i = 0;
        while (i < r->n_time_at && r->time_at[i].percent != b->pct)
            i++;
        if (i == r->n_time_at) {
            r->time_at = grow(r->time_at, r->n_time_at, sizeof *r->time_at, &b->oom);
            if (b->oom)
                return;
            r->time_at[r->n_time_at++] = (struct report_time_at){b->pct, 0};
        }
        r->time_at[i].ms += ts > b->pct_since ? ts - b->pct_since : 0;
    }
    b->has_pct = 1;
    b->pct = pct;
    b->pct_since = ts;
    if (pct < 0)
        return;   /* the end of the journal, not a reading */
    r->marks = grow(r->marks, r->n_marks, sizeof *r->marks, &b->oom);
    if (!b->oom)
        r->marks[r->n_marks++] = (struct report_mark){ts, pct};
}

static struct report_abort *last_abort(struct report *r)
{
    return r->n_aborts ? &r->aborts[r->n_aborts - 1] : NULL;
}

static void on_abort(struct build *b, const struct journal_event *ev, const struct event_body *e)
{
    struct report *r = b->r;
    r->aborts = grow(r->aborts, r->n_aborts, sizeof *r->aborts, &b->oom);
    if (b->oom)
        return;
    struct report_abort *a = &r->aborts[r->n_aborts++];
    memset(a, 0, sizeof *a);
    a->seq = ev->seq;
    a->manual = event_bool(e, "manual");
    copy(a->cause, sizeof a->cause, event_str(e, "cause"));
    double ci = event_num(e, "criterion", -1);
    if (ci >= 0 && ci < (double)b->rb->n_criteria) {
        copy(a->criterion, sizeof a->criterion, b->rb->criteria[(size_t)ci].text);
        a->is_percent = b->rb->criteria[(size_t)ci].is_percent;
    }
    a->has_value = event_has(e, "value");
    a->value = event_num(e, "value", 0);
    a->from_percent = event_num(e, "percent_before", 0);
    a->to_percent = event_num(e, "rollback_percent", 0);
    a->breach_ms = (int64_t)event_num(e, "breach_ms", 0);
    a->abort_ms = ev->ts_ms;
}

/* The step in force ends at ev ("until" what): its hold, in words, for
 * the line after ev's. */
static void step_ends(struct build *b, const struct journal_event *ev, const char *until)
{
    if (!b->has_step)
        return;
    char held[32], asked[32];
    timefmt_span(ev->ts_ms - b->step_since, held, sizeof held);
    if (b->step_hold_ms > 0) {
        timefmt_span(b->step_hold_ms, asked, sizeof asked);
        snprintf(b->held, sizeof b->held, "%g%% held %s of its %s hold, until %s", b->step_pct,
                 held, asked, until);
    } else {
        snprintf(b->held, sizeof b->held, "%g%% held %s, until %s", b->step_pct, held, until);
    }
    b->has_step = 0;
}

static void step_starts(struct build *b, const struct journal_event *ev, double pct)
{
    b->has_step = 1;
    b->step_pct = pct;
    b->step_since = ev->ts_ms;
    b->step_hold_ms = 0;
    for (size_t i = 0; i < b->rb->n_ramp; i++)
        if (b->rb->ramp[i].percent == pct)
            b->step_hold_ms = b->rb->ramp[i].hold_ms;
}

/* What each kind adds besides its line in the timeline. */
static void on_kind(struct build *b, const struct journal_event *ev, const struct event_body *e)
{
    struct report *r = b->r;
    struct report_abort *a = last_abort(r);
    const char *purpose = event_str(e, "purpose");
    switch (e->kind) {
    case EVK_CONSOLE_OPEN:
        person(b, event_str(e, "name"), event_str(e, "role"), ev->ts_ms);
        break;
    case EVK_ACK: {
        struct report_participant *p = person(b, event_str(e, "name"), event_str(e, "role"), ev->ts_ms);
        if (p)
            p->acks++;
        r->n_acks++;
        break;
    }
    case EVK_RAMP_ADVANCE: {
        char until[48];
        double pct = event_num(e, "percent", 0);
        snprintf(until, sizeof until, "the advance to %g%%", pct);
        step_ends(b, ev, until);
        step_starts(b, ev, pct);
        break;
    }
    case EVK_ABORT:
        on_abort(b, ev, e);
        step_ends(b, ev, "the abort");
        break;
    case EVK_HALT:
        r->n_halts++;
        step_ends(b, ev, "the halt");
        break;
    case EVK_OVERRIDE: r->n_overrides++; break;
    case EVK_NOTE: r->n_notes++; break;
    case EVK_FLAG_SET:
        if (a && !a->set_ms && purpose && strcmp(purpose, "rollback") == 0 && event_bool(e, "ok"))
            a->set_ms = ev->ts_ms;
        break;
    case EVK_FLAG_READ:
        if (event_bool(e, "ok") && event_has(e, "percent"))
            flag_at(b, event_num(e, "percent", 0), ev->ts_ms);
        break;
    case EVK_ROLLBACK_DONE:
        if (a && !a->confirmed_ms) {
            a->confirmed_ms = (int64_t)event_num(e, "confirmed_ms", (double)ev->ts_ms);
            if (!a->set_ms)
                a->set_ms = (int64_t)event_num(e, "set_ms", 0);
        }
        if (event_has(e, "percent"))
            flag_at(b, event_num(e, "percent", 0), ev->ts_ms);
        break;
    case EVK_ABORT_EFFECTIVE:
        if (a && !a->effective_ms)
            a->effective_ms = ev->ts_ms;
        break;
    default:
        break;
    }
}

/* Appends a timeline line (text copied); derived: said by the report, from
 * event ev, not an event itself. 0, or -1 out of memory. */
static int add_line(struct build *b, const struct journal_event *ev, const char *kind,
                    const char *text, int derived)
{
    struct report *r = b->r;
    r->timeline = grow(r->timeline, r->n_timeline, sizeof *r->timeline, &b->oom);
    if (b->oom)
        return -1;
    struct report_line *l = &r->timeline[r->n_timeline];
    memset(l, 0, sizeof *l);
    if (!(l->text = strdup(text))) {
        b->oom = 1;
        return -1;
    }
    r->n_timeline++;
    l->seq = ev->seq;
    l->ts_ms = ev->ts_ms;
    l->derived = derived;
    copy(l->kind, sizeof l->kind, kind);
    copy(l->actor, sizeof l->actor, ev->actor);
    return 0;
}

/* The session's start (before its first event) and each phase that event
 * ev completed, as the timeline's own lines. */
static int derived_lines(struct build *b, const struct journal_event *ev, size_t phase_before)
{
    const struct runbook *rb = b->s.rb;
    char text[600];
    for (size_t p = phase_before; p < b->s.current_phase && p < rb->n_phases; p++) {
        snprintf(text, sizeof text, "phase %s (%s) complete", rb->phases[p].number,
                 rb->phases[p].title);
        if (add_line(b, ev, REPORT_PHASE_COMPLETE, text, 1) != 0)
            return -1;
    }
    return 0;
}

static int on_event(const struct journal_event *ev, void *p)
{
    struct build *b = p;
    struct report *r = b->r;
    if (ev->seq > b->event_limit)
        return 0;   /* past the damage: left out (the samples' walk goes on) */
    if (!r->started_ms || ev->ts_ms < r->started_ms)
        r->started_ms = ev->ts_ms;
    if (ev->ts_ms > r->ended_ms)
        r->ended_ms = ev->ts_ms;
    if (r->n_timeline == 0) {   /* no event says it: the session starts here */
        char text[600];
        snprintf(text, sizeof text, "session start: %s (runbook sha256 %.12s)", b->rb->title,
                 b->rb->sha256);
        if (add_line(b, ev, REPORT_SESSION_START, text, 1) != 0)
            return 1;
    }
    size_t phase_before = b->s.current_phase;
    session_apply(&b->s, ev);
    struct event_body e;
    struct error ignored = {{0}};
    if (events_decode(ev->kind, ev->body, &e, &ignored) == 0 && e.spec) {
        on_kind(b, ev, &e);
        reportdata_on_event(&r->data, ev, &e);
    }
    events_body_free(&e);

    char text[1024];
    session_describe(&b->s, ev, text, sizeof text);
    if (add_line(b, ev, ev->kind, text, 0) != 0 ||
        (b->held[0] && add_line(b, ev, REPORT_STEP_HELD, b->held, 1) != 0) ||
        derived_lines(b, ev, phase_before) != 0)
        return 1;
    b->held[0] = '\0';
    return 0;
}

/* 1 when v is farther toward breaching than the worst so far. */
static int worse(const struct report_signal *g, double v)
{
    if (!g->has_worst)
        return 1;
    if (g->op[0] == '<')
        return v < g->worst;
    return v > g->worst;
}

static int on_sample(const struct journal_sample *sa, void *p)
{
    struct build *b = p;
    struct report *r = b->r;
    if (sa->seq > b->sample_limit)
        return 0;
    if (sa->ts_ms > r->ended_ms)
        r->ended_ms = sa->ts_ms;
    session_apply_sample(&b->s, sa);
    for (size_t i = 0; i < r->n_signals; i++) {
        struct report_signal *g = &r->signals[i];
        if (strcmp(g->name, sa->signal) != 0)
            continue;
        g->points = grow(g->points, g->samples, sizeof *g->points, &b->oom);
        if (b->oom)
            return 1;
        g->points[g->samples] = (struct report_point){sa->ts_ms, sa->value, sa->has_value};
        g->samples++;
        if (!sa->has_value) {
            g->no_data++;
        } else if (worse(g, sa->value)) {
            g->has_worst = 1;
            g->worst = sa->value;
            g->worst_ms = sa->ts_ms;
        }
        break;
    }
    return 0;
}

/* Each signal, with the threshold of the first criterion over it. */
static int init_signals(struct build *b)
{
    const struct runbook *rb = b->rb;
    struct report *r = b->r;
    r->signals = calloc(rb->n_signals ? rb->n_signals : 1, sizeof *r->signals);
    if (!r->signals)
        return -1;
    r->n_signals = rb->n_signals;
    for (size_t i = 0; i < rb->n_signals; i++) {
        struct report_signal *g = &r->signals[i];
        copy(g->name, sizeof g->name, rb->signals[i].name);
        for (size_t k = 0; k < rb->n_criteria; k++) {
            const struct rb_criterion *c = &rb->criteria[k];
            if (!c->signal || strcmp(c->signal, g->name) != 0)
                continue;
            copy(g->op, sizeof g->op, rb_op_name(c->op));
            g->has_threshold = 1;
            g->threshold = c->threshold;
            g->is_percent = c->is_percent;
            break;
        }
    }
    return 0;
}

static void outcome(struct build *b)
{
    struct report *r = b->r;
    const struct ramp_view *v = &b->s.ramp;
    r->has_last_percent = v->has_percent;
    r->last_percent = v->percent;
    r->test_clock = b->s.test_clock;
    const struct report_abort *a = last_abort(r);
    switch (v->status) {
    case RAMP_COMPLETE:
        r->outcome = "completed";
        snprintf(r->outcome_text, sizeof r->outcome_text, "the ramp reached its last step, %g%%",
                 v->percent);
        break;
    case RAMP_ABORTED:
        r->outcome = "aborted";
        snprintf(r->outcome_text, sizeof r->outcome_text, "%s; %s", v->cause,
                 a && a->confirmed_ms ? "the rollback was read back"
                                      : "the rollback was NOT read back");
        break;
    case RAMP_HALTED:
        r->outcome = "halted";
        snprintf(r->outcome_text, sizeof r->outcome_text, "%s", v->cause);
        break;
    case RAMP_SETTING:
    case RAMP_HOLDING:
        r->outcome = "in progress";
        snprintf(r->outcome_text, sizeof r->outcome_text,
                 "in progress: the flag at %g%% when the journal ends", v->percent);
        break;
    default:
        r->outcome = r->n_aborts ? "aborted" : "not started";
        snprintf(r->outcome_text, sizeof r->outcome_text, "%s",
                 r->n_aborts ? "aborted and resumed; the ramp did not start again"
                             : "the ramp never started");
        break;
    }
}

/* The cleanup deadline as the fold dates it, and the last check. */
static void cleanup_of(struct build *b)
{
    struct report *r = b->r;
    const struct cleanup_view *v = &b->s.cleanup;
    cleanup_rule_text(b->rb, r->cleanup_rule, sizeof r->cleanup_rule);
    r->cleanup_due_ms = cleanup_due(b->rb, v);
    r->cleanup_checked_ms = v->checked_ms;
    r->cleanup_done = v->check_done;
    copy(r->cleanup_summary, sizeof r->cleanup_summary, v->check_summary);
}

void report_cleanup_line(const struct report *r, int64_t now_ms, char *buf, size_t len,
                         const char **state)
{
    const char *st = "no deadline";
    char date[40] = "", left[64] = "", checked[300] = "never checked (`cutover cleanup`)";
    buf[0] = '\0';
    if (r->cleanup_checked_ms) {
        cleanup_date_text(r->cleanup_checked_ms, date, sizeof date);
        snprintf(checked, sizeof checked, "last checked %s: %s", date, r->cleanup_summary);
    }
    if (!r->cleanup_rule[0]) {
        st = "no deadline";   /* the runbook set none: nothing to say */
    } else if (!r->cleanup_due_ms) {
        st = "not due yet";
        snprintf(buf, len, "%s; the ramp has not reached it, so no date yet; %s", r->cleanup_rule,
                 checked);
    } else {
        cleanup_date_text(r->cleanup_due_ms, date, sizeof date);
        if (r->cleanup_done && r->cleanup_checked_ms) {
            st = "done";
            snprintf(left, sizeof left, "done%s",
                     r->cleanup_checked_ms > r->cleanup_due_ms ? ", late" : "");
        } else {
            st = cleanup_left_text(r->cleanup_due_ms, now_ms, left, sizeof left) ? "overdue"
                                                                                  : "left";
        }
        snprintf(buf, len, "due %s: %s (%s); %s", date, left, r->cleanup_rule, checked);
    }
    if (state)
        *state = st;
}

static void verify(struct build *b, const char *path)
{
    struct report *r = b->r;
    struct journal_verify_result res;
    struct error err = {{0}};
    b->event_limit = b->sample_limit = INT64_MAX;
    if (journal_verify(path, &res, &err) != 0) {
        r->verified = 0;
        copy(r->bad_reason, sizeof r->bad_reason, err.msg);
        return;
    }
    r->verified = res.ok;
    r->n_events = res.n_events;
    r->n_samples = res.n_samples;
    if (res.ok)
        return;
    copy(r->bad_table, sizeof r->bad_table, res.table);
    copy(r->bad_reason, sizeof r->bad_reason, res.reason);
    r->first_bad_seq = res.first_bad_seq;
    if (strcmp(res.table, "samples") == 0)
        b->sample_limit = res.first_bad_seq - 1;
    else
        b->event_limit = res.first_bad_seq - 1;
}

/* The rollback plans a point of no return made void, from the fold. */
static int void_plans(struct build *b)
{
    struct report *r = b->r;
    const struct runbook *rb = b->s.rb;
    noreturn_taken(&b->s, r->no_way_back, sizeof r->no_way_back);
    for (size_t p = 0; p < rb->n_phases; p++) {
        char by[300];
        if (!rb->phases[p].rollback || !noreturn_plan_void(&b->s, p, by, sizeof by))
            continue;
        r->void_plans = grow(r->void_plans, r->n_void_plans, sizeof *r->void_plans, &b->oom);
        if (b->oom)
            return -1;
        struct report_void_plan *v = &r->void_plans[r->n_void_plans++];
        copy(v->phase, sizeof v->phase, rb->phases[p].number);
        copy(v->title, sizeof v->title, rb->phases[p].title);
        copy(v->by, sizeof v->by, by);
    }
    return 0;
}

int report_build(const char *path, struct report *r, struct error *err)
{
    memset(r, 0, sizeof *r);
    copy(r->path, sizeof r->path, path);
    struct build b = {.r = r};
    verify(&b, path);
    struct journal *j = NULL;
    struct runbook *rb = NULL;
    if (journal_open(path, JOURNAL_READONLY, &j, err) != 0)
        return -1;
    int rc = -1;
    if (!(rb = ceremony_runbook_from_journal(j, path, err)))
        goto out;
    b.rb = rb;
    copy(r->title, sizeof r->title, rb->title);
    copy(r->sha256, sizeof r->sha256, rb->sha256);
    if (session_init(&b.s, rb) != 0 || init_signals(&b) != 0) {
        error_set(err, "out of memory");
        goto out;
    }
    /* the one history: the fold sees what the consoles saw, in their order */
    if (journal_read_history(j, 0, 0, on_event, on_sample, &b, err) < 0)
        goto out;
    if (b.oom) {
        error_set(err, "out of memory");
        goto out;
    }
    if (b.has_pct)
        flag_at(&b, -1, r->ended_ms);   /* close the last stretch */
    outcome(&b);
    cleanup_of(&b);
    reportdata_finish(&r->data, &b.s, r->ended_ms);
    if (void_plans(&b) != 0) {
        error_set(err, "out of memory");
        goto out;
    }
    rc = 0;
out:
    if (b.rb)
        session_free(&b.s);
    runbook_free(rb);
    journal_close(j);
    if (rc != 0)
        report_free(r);
    return rc;
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

void report_counts_text(const struct report *r, char *buf, size_t len)
{
    snprintf(buf, len, "%zu %s, %zu %s, %zu %s, %zu %s, %zu %s", r->n_acks,
             plural(r->n_acks, "acknowledgement", "acknowledgements"), r->n_aborts,
             plural(r->n_aborts, "abort", "aborts"), r->n_halts, plural(r->n_halts, "halt", "halts"),
             r->n_overrides, plural(r->n_overrides, "override", "overrides"), r->n_notes,
             plural(r->n_notes, "note", "notes"));
}

void report_free(struct report *r)
{
    for (size_t i = 0; i < r->n_timeline; i++)
        free(r->timeline[i].text);
    for (size_t i = 0; i < r->n_signals; i++)
        free(r->signals[i].points);
    free(r->marks);
    free(r->timeline);
    free(r->signals);
    free(r->people);
    free(r->time_at);
    free(r->aborts);
    free(r->void_plans);
    memset(r, 0, sizeof *r);
}
