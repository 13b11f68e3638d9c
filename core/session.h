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

#include "bfprogress.h"
#include "cleanupdue.h"
#include "criteria.h"
#include "datafold.h"
#include "gatefold.h"
#include "journal.h"
#include "noreturn.h"
#include "presence.h"
#include "marks.h"
#include "ramp.h"
#include "runbook.h"
#include "sighist.h"
#include "stepaction.h"
#include "writersfold.h"

struct step_ack {
    int acked;
    int64_t seq, ts_ms;
    char name[64];
    char role[32];
};

/* A note as the fold keeps it: the newest only (the journal holds them all,
 * and the tail shows the recent ones), so a copy of the session costs the
 * same at the first note and the ten-thousandth. */
struct session_note {
    int64_t seq, ts_ms;
    char actor[96];
    char text[240];           /* cut at 239 bytes, on a character boundary */
};

/* The newest events, kept for the journal tail; body is a private copy
 * (a runbook event's copy leaves out the runbook text). */
struct session_line {
    int64_t seq, ts_ms;
    char actor[96];
    char kind[32];
    char *body;
    int fault;            /* the fold reported this event: see session_fault_at */
};

/* An event the fold could not take as written (a reference that points at
 * nothing, a number out of range, a body that breaks the event table): it
 * is kept in the journal and in the tail, changes nothing, and is reported
 * as "journal event #seq: what". */
struct session_fault {
    int64_t seq;
    char what[200];
};

#define SESSION_TAIL 256  /* the journal panel scrolls and searches these */
#define SESSION_KEPT 256  /* the newest events a kind filter takes (marks_filtered) */
#define SESSION_FAULTS 16
#define SIGNAL_HISTORY 300  /* samples kept per signal for sparklines */
/* A sample older than this many poll intervals is stale. */
#define SESSION_STALE_INTERVALS 3

/* A signal as its journaled samples tell it. */
struct signal_view {
    int has_value;          /* the newest sample had a value */
    double value;           /* the newest value (of any sample that had one) */
    int64_t value_ms;       /* when that value was taken */
    int64_t last_ms;        /* the newest sample of any kind; 0 = none yet */
    char status[160];       /* the newest sample's status: "ok", "error: …" */
    float history[SIGNAL_HISTORY]; /* NaN where a sample had no value */
    size_t n_history, next_history;
    /* The whole ceremony in min/max buckets, for the charts: only for a
     * signal a panel or a criterion draws (NULL otherwise: 35 KB each,
     * and a session is copied as a whole). */
    struct sighist *chart;
};

/* An abort criterion as its journaled transitions tell it (what decides:
 * the ramp reads these). The fold also keeps each criterion's memory
 * (struct session's tracks), from which the driving console journals the
 * transitions: see session_step_criteria. */
struct crit_view {
    int judged;
    enum crit_state state;
    int64_t since_ms;
    double value;           /* at the transition: "fired at" */
    double worst;           /* the worst sample since it left ok (NaN: none) */
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
    char rb_in_force[65];         /* sha256 of the runbook event in force at last_seq */
    struct runbook *rb_earlier;   /* owned: that runbook, parsed from its event's text,
                                   * while it is not rb (before a --force replaced it);
                                   * positions in events until then point into it */

    int64_t n_faults;             /* events reported as faults */
    struct session_fault first_fault;
    struct session_fault faults[SESSION_FAULTS]; /* the newest, a ring */

    struct session_note newest_note;
    size_t n_notes;

    struct signal_view *signals;  /* one per rb->signals[i] */
    struct crit_view *crits;      /* one per rb->criteria[i] */
    struct crit_track *tracks;    /* one per rb->criteria[i]: the criteria's memory
                                   * (a `for` window running, data missing since),
                                   * stepped at each sample and `criterion` event */
    int64_t crit_clock_ms;        /* the time the tracks were last stepped at */
    ptrdiff_t *crit_sig;          /* per criterion: its signal's and its min signal's
                                   * position in rb->signals (-1: none) */
    struct ramp_view ramp;
    struct stepaction_facts actions; /* what completes action steps (stepaction.h) */
    struct writersfold wf;        /* the writer audit and its unknown writers (writersfold.h) */
    struct gatefold gf;           /* the gates' verdicts, overrides, phases done */
    struct bf_progress backfill;  /* the backfill's checkpoints (for the ETA) */
    struct cleanup_view cleanup;  /* the cleanup deadline's anchor and due date, the last check */
    struct noreturn_mark *nr;     /* one per rb->steps[i]: an irreversible step's two
                                   * people and override (noreturn.h) */
    struct presence presence;     /* who is at which console (presence.h) */
    double test_clock;            /* the fastest test clock a console_open said it ran
                                   * on (its time_scale); 0: real time */
    struct datafold data;         /* the data jobs, the comparison (datafold.h) */
    int64_t last_sample_seq;

    struct marks marks;           /* steps, aborts, acks … in time (charts, timeline) */
    struct sighist *charts;       /* the charted signals' histories (signals[i].chart) */
    size_t n_charts;

    struct session_line tail[SESSION_TAIL];
    size_t n_tail;                /* lines held, up to SESSION_TAIL */
    size_t tail_next;             /* ring position of the next line */
    /* the events a kind filter takes (acks, aborts, overrides, notes),
     * kept apart: hours of flag reads never push an ack out of reach */
    struct session_line kept[SESSION_KEPT];
    size_t n_kept, kept_next;
    int64_t n_kept_seen;          /* every one folded, held or not */
};

/* Prepares an empty session for rb (which must outlive it). -1 on OOM. */
int session_init(struct session *s, const struct runbook *rb);
void session_free(struct session *s);

/* Makes dst a deep copy of src (same runbook, its own notes, tail bodies
 * and earlier runbook), folded to the same place: folding on either leaves
 * the other as it was. The cost is the session's size, not the journal's.
 * -1 on OOM, dst then empty (session_free'd). */
int session_copy(struct session *dst, const struct session *src);

/* Folds one event in. Events must come in sequence order; an event already
 * folded (seq <= last_seq) is ignored, so re-reading is harmless. Every
 * reference (step, criterion, ramp step) is resolved by its stable id and
 * checked against its position, every number against its range; an event
 * that fails is a fault (see struct session_fault), never undefined
 * behaviour. Returns 0, or -1 when ev was a fault. */
int session_apply(struct session *s, const struct journal_event *ev);

/* 1 while the runbook in force (the newest runbook event folded) is s->rb:
 * positions in events then point into s->rb. Before a --force replacement
 * they point into the runbook it replaced: the fold reads them there, then
 * carries the reference over to s->rb by its id (or leaves it, when s->rb
 * has no such step or criterion: history keeps its meaning, it is not
 * re-read against the new runbook). */
int session_positions_current(const struct session *s);

/* The runbook events point into at last_seq: s->rb, or the one it replaced;
 * NULL when that one's text did not parse (then only ids are resolved). */
const struct runbook *session_runbook_in_force(const struct session *s);

/* The fault reported for event seq (among the newest SESSION_FAULTS), or NULL. */
const char *session_fault_at(const struct session *s, int64_t seq);

/* events_describe, and for a fault "journal event #N: what" instead. */
void session_describe(const struct session *s, const struct journal_event *ev,
                      char *buf, size_t len);

/* 1 when signal i's newest sample is older than stale_intervals of its
 * poll interval at now_ms (or there is none): a pure reading of the fold. */
int session_signal_stale(const struct session *s, size_t signal, int64_t now_ms,
                         int stale_intervals);

/* 1 when signal i's newest sample is stale at now_ms (the cockpit's limit,
 * SESSION_STALE_INTERVALS); what panels and the driver read. */
int session_stale(const struct session *s, size_t signal, int64_t now_ms);

/* What criterion c sees in the folded signals at now_ms. */
struct crit_input session_crit_input(const struct session *s, const struct rb_criterion *c,
                                     int64_t now_ms);

/* Steps the criteria's memory `tracks` (s->tracks, or a copy of them) at
 * now_ms against the folded signals — at the tracks' clock when now_ms is
 * older, so time never runs back. criteria_step is idempotent at one
 * instant, so stepping twice at the same time changes nothing. The fold
 * steps s->tracks at every sample (the criteria on that signal) and at
 * every `criterion` event (all of them: the event is the journaled tick
 * of time passing); the driving console steps a copy at now and journals
 * what would change. Returns the number of criteria whose state changed. */
int session_step_criteria(const struct session *s, struct crit_track *tracks, int64_t now_ms);

/* Folds one metric sample in (samples are their own sequence; the one
 * history, journal_read_history, puts them among the events). */
void session_apply_sample(struct session *s, const struct journal_sample *sample);

/* The i-th newest value of signal i's history (0 = newest); NaN if none. */
double session_history(const struct session *s, size_t signal, size_t i);

/* The i-th newest tail line (0 = newest), or NULL. */
const struct session_line *session_tail(const struct session *s, size_t i);

/* The i-th newest event a kind filter takes (0 = newest), or NULL. */
const struct session_line *session_kept(const struct session *s, size_t i);

/* Marks step i done (an ack, or the fold's other ways to complete one:
 * noreturn.h's approval) in name/role's name, and moves the phase on. */
void session_complete_step(struct session *s, size_t i, int64_t seq, int64_t ts_ms,
                           const char *name, const char *role);

/* 1 when phase p is complete: every step acknowledged and every exit gate
 * open or overridden — latched at the event where that first held. */
int session_phase_complete(const struct session *s, size_t p);

/* "READY" (nothing acknowledged), "IN PROGRESS", or "COMPLETE". */
const char *session_status(const struct session *s);

#endif
