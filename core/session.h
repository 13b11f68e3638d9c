/* session.h — the state of a ceremony, and the one function that changes it.
 *
 * The journal is the source of truth: a session is built by folding its
 * events, in order, with session_apply(). Live consoles, recovery after a
 * crash, other operators' consoles and post-mortem replay all do exactly
 * that, so they cannot disagree. Nothing here reads a clock or the journal. */
#ifndef CUTOVER_SESSION_H
#define CUTOVER_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "criteria.h"
#include "journal.h"
#include "ramp.h"
#include "runbook.h"

struct step_ack {
    int acked;
    int64_t seq, ts_ms;
    char name[64];
    char role[32];
};

struct session_note {
    int64_t seq, ts_ms;
    char actor[96];
    char *text;
};

/* The newest events, kept for the journal tail; body is a private copy
 * (a runbook event's copy leaves out the runbook text). */
struct session_line {
    int64_t seq, ts_ms;
    char actor[96];
    char kind[32];
    char *body;
};

#define SESSION_TAIL 64
#define SIGNAL_HISTORY 300  /* samples kept per signal for sparklines */

/* A signal as its journaled samples tell it. */
struct signal_view {
    int has_value;          /* the newest sample had a value */
    double value;           /* the newest value (of any sample that had one) */
    int64_t value_ms;       /* when that value was taken */
    int64_t last_ms;        /* the newest sample of any kind; 0 = none yet */
    char status[160];       /* the newest sample's status: "ok", "error: …" */
    float history[SIGNAL_HISTORY]; /* NaN where a sample had no value */
    size_t n_history, next_history;
};

/* An abort criterion as its journaled transitions tell it. */
struct crit_view {
    int judged;
    enum crit_state state;
    int64_t since_ms;
    double value;
    char why[200];
};

struct session {
    const struct runbook *rb;     /* not owned */
    struct step_ack *acks;        /* one per rb->steps[i] */
    size_t *phase_acked;          /* acknowledged steps per phase */
    size_t current_phase;         /* first incomplete phase; n_phases = all done */
    size_t n_acked;

    int64_t last_seq, first_ts_ms, last_ts_ms;
    int64_t n_events, n_refused, n_ignored; /* ignored: unknown step, bad body */
    int runbook_forced;           /* a --force replaced the runbook */

    struct session_note *notes;
    size_t n_notes, cap_notes;

    struct signal_view *signals;  /* one per rb->signals[i] */
    struct crit_view *crits;      /* one per rb->criteria[i] */
    struct ramp_view ramp;
    int64_t last_sample_seq;

    struct session_line tail[SESSION_TAIL];
    size_t n_tail;                /* lines held, up to SESSION_TAIL */
    size_t tail_next;             /* ring position of the next line */
};

/* Prepares an empty session for rb (which must outlive it). -1 on OOM. */
int session_init(struct session *s, const struct runbook *rb);
void session_free(struct session *s);

/* Folds one event in. Events must come in sequence order; an event already
 * folded (seq <= last_seq) is ignored, so re-reading is harmless. */
void session_apply(struct session *s, const struct journal_event *ev);

/* Folds one metric sample in (samples are their own sequence). */
void session_apply_sample(struct session *s, const struct journal_sample *sample);

/* The i-th newest value of signal i's history (0 = newest); NaN if none. */
double session_history(const struct session *s, size_t signal, size_t i);

/* The i-th newest tail line (0 = newest), or NULL. */
const struct session_line *session_tail(const struct session *s, size_t i);

/* 1 when every step of phase p is acknowledged. */
int session_phase_complete(const struct session *s, size_t p);

/* "READY" (nothing acknowledged), "IN PROGRESS", or "COMPLETE". */
const char *session_status(const struct session *s);

#endif
