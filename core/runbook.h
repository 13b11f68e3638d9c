/* runbook.h — a cutover runbook, parsed from Markdown into an immutable
 * struct. The format is documented in runbooks/README.md. The parser keeps
 * going after a problem so that `cutover check` can name every one of them,
 * each with its line. */
#ifndef CUTOVER_RUNBOOK_H
#define CUTOVER_RUNBOOK_H

#include <stddef.h>
#include <stdint.h>

#include "window.h"

/* Files larger than this are refused before they are read. */
#define RUNBOOK_MAX_BYTES (4u * 1024u * 1024u)
/* The sane range of what a runbook may ask for (runbooks/README.md, "Limits"):
 * a `for`, `no data for` or `Observed … for` at most 30 days; a signal
 * polled every 100 ms to 1 h; a ramp of at most 100 steps; a cleanup
 * deadline at most 3650 days after cutover. Within them no
 * sum of holds can overflow. */
#define RUNBOOK_MAX_HOLD_MS (30LL * 24 * 3600 * 1000)
#define RUNBOOK_MIN_EVERY_MS 100LL
#define RUNBOOK_MAX_EVERY_MS (3600LL * 1000)
#define RUNBOOK_MAX_RAMP_STEPS 100
#define RUNBOOK_MAX_DEADLINE_MS (3650LL * 24 * 3600 * 1000)   /* cleanup: ten years */

/* A `key value` pair written after a system's connection, e.g. table/key/flag. */
struct rb_attr {
    char *key;
    char *value;
};

struct rb_role {
    char *role;   /* "commander", "dba", ... */
    char *person; /* "Alice Ng" */
    int line;
    char *account; /* `- dba: Bob Ruiz (bob)`: the OS account bound to the person, or NULL */
};

/* - old: postgres `host=/run/pg dbname=shop` table `orders_legacy` key `id` */
struct rb_system {
    char *name; /* old, new, metrics, flag, or another word */
    char *kind; /* postgres, sqlite, prometheus, scrape, flagd, unleash, http, ... */
    char *conn; /* the first code span: connection string, URL or file */
    struct rb_attr *attrs;
    size_t n_attrs;
    int line;
};

/* - p99_ratio: `histogram_quantile(...) / ...`
 * - lag: old `SELECT ...`         (source = a system's name) */
struct rb_signal {
    char *name;
    char *source; /* NULL: the system named "metrics" */
    char *expr;
    int line;
    int64_t interval_ms; /* `every 250ms` after the expression; 1000 by default */
};

enum rb_crit_action { RB_ABORT, RB_HALT, RB_HOLD, RB_WARN };
enum rb_op { RB_GT, RB_GE, RB_LT, RB_LE, RB_EQ, RB_NE };

/* - abort if new_read_error_rate > 1% for 30s */
struct rb_criterion {
    enum rb_crit_action action;
    char *signal;
    enum rb_op op;
    double threshold; /* "1%" is stored as 0.01 */
    int is_percent;   /* the threshold was written with % (for display) */
    int64_t for_ms;   /* 0 when no `for` clause */
    char *text;       /* the item as written */
    int line;
    /* `, min 200 new_reads`: below min_count of signal min_signal the
     * criterion is "insufficient data", not a breach. */
    char *min_signal; /* NULL when no `min` clause */
    double min_count;
    /* `, confidence 95%`: fire only when the Wilson score bound of the rate
     * (with min_signal's count as n) is past the threshold. 0 = off. */
    double confidence;
    /* `, no data for 2m`: after this long without data the action fires
     * (missing data always holds the ramp; this makes it act). 0 = never. */
    int64_t no_data_ms;
};

/* A gate over a signal: `{gate: dual_write_failure_rate < 1% for 1h}` on a
 * step (it may be acknowledged only while the gate is open) or on a phase
 * heading (the phase cannot complete while it is closed). The condition is
 * a criterion's — signal, comparison, bound, in the same units — that must
 * have HELD (not breached) over the whole window: `for D` (the live
 * samples, since the cockpit watches) or `over D` (the signal's history, a
 * business cycle, from Prometheus or the journal). `gaps up to D` says how
 * long the data may be silent before the window counts as not covered.
 * Judged by gate_judge (gate.h). */
struct rb_gate {
    struct rb_criterion cond; /* signal, op, threshold, is_percent, text, line;
                               * cond.for_ms is the window */
    int over;                 /* `over D` rather than `for D` */
    int64_t max_gap_ms;       /* `gaps up to D`; 0: the default (gate.h) */
    char *id;                 /* "gate:<step id>" or "gate:phase<N>", "#2"… when several */
    ptrdiff_t step;           /* the step it gates, or -1: the phase's exit gate */
    size_t phase;
};

/* - 5% for 10m   (the last step may have no hold) */
struct rb_ramp_step {
    double percent; /* 0..100 */
    int64_t hold_ms;
    int line;
};

enum rb_action {
    RB_ACTION_NONE,
    RB_ACTION_BACKFILL,
    RB_ACTION_COMPARE,
    RB_ACTION_RAMP,
    RB_ACTION_WRITERS,
    RB_ACTION_PREFLIGHT,
};

/* - [ ] dba: start the backfill `backfill` {#start-backfill} */
struct rb_step {
    char *id;   /* explicit {#id}, else "<phase number>.<index from 1>" */
    char *role;
    char *text; /* without role, action and attributes */
    enum rb_action action;
    size_t phase; /* index into runbook.phases */
    struct rb_attr *attrs; /* other {key=value} attributes, kept for later */
    size_t n_attrs;
    int line;
    /* the last step of a phase marked {irreversible}: the phase burns the
     * way back when it completes, so this step is its point of no return
     * (two people, core/noreturn.h), taken after every other step of it */
    int closes_irreversible;
};

/* ## Phase 2: Dual-write */
struct rb_phase {
    char *number; /* "2" (as written), or "" for an unnumbered phase */
    char *title;  /* "Dual-write" */
    char *prose;  /* the phase's paragraphs, plain text */
    size_t first_step, n_steps; /* a slice of runbook.steps */
    char *rollback; /* from ## Rollback / ### Phase N, or NULL */
    int line;
    struct rb_attr *attrs; /* {key=value flag} after the heading, kept for later */
    size_t n_attrs;
};

/* Any section the cockpit does not interpret, kept as text to show. */
struct rb_section {
    char *title;
    char *text;
    int line;
};

struct runbook {
    char *name;    /* the file name used in messages */
    char *text;    /* the whole document, NUL-terminated */
    size_t text_len;
    char sha256[65]; /* hex SHA-256 of text */
    char *title;   /* the first level-1 heading */

    struct rb_role *roles;           size_t n_roles;
    struct rb_system *systems;       size_t n_systems;
    struct rb_signal *signals;       size_t n_signals;
    struct rb_criterion *criteria;   size_t n_criteria;
    struct rb_ramp_step *ramp;       size_t n_ramp;
    struct rb_phase *phases;         size_t n_phases;
    struct rb_step *steps;           size_t n_steps;
    struct rb_section *sections;     size_t n_sections;
    struct rb_gate *gates;           size_t n_gates;  /* steps' and phases' */

    char *rollback_general; /* ## Rollback text before any ### subsection */
    char *cleanup_deadline; /* as written, e.g. "30d after cutover", or NULL */
    int64_t cleanup_after_ms; /* the relative deadline, 0 if absolute/none */
    int ramp_automatic; /* ## Ramp has `Mode: automatic` */
    double ramp_rollback_percent; /* ## Ramp `Rollback: P%` (default 0) */
    char ramp_abort_roles[256];   /* ## Ramp `Abort: commander, dba`, as " commander dba ";
                                   * "" = the commander only */
    char ramp_deputy_roles[256];  /* ## Ramp `Deputy: dba`: who besides the commander may
                                   * take over driving, as " dba "; "" = nobody else */
    int64_t ramp_monitoring_ms;   /* ## Ramp `Monitoring: 30m`: the hold at the last step an
                                   * {irreversible} step waits for; 0 = none */
    struct window ramp_window;    /* ## Ramp `Window: weekdays 14:00-16:00 UTC` */
    /* ## Ramp `Observed: SIGNAL within N points for D`: the share of traffic
     * (0..1) that really reaches new, against the share the flag sets */
    char *ramp_observed;          /* NULL when not given */
    double ramp_observed_points;
    int64_t ramp_observed_for_ms;
    int ramp_observed_line;
};

struct rb_problem {
    int line;      /* 0 when the problem is with the file as a whole */
    int warning;   /* 1: shown, but the runbook is still accepted */
    char *message;
};

struct rb_problems {
    struct rb_problem *v;
    size_t n;
    size_t n_errors; /* problems that are not warnings */
};

/* Parses text (len bytes, need not be NUL-terminated). Always returns a
 * runbook (possibly partial) unless out of memory; problems are appended to
 * *problems. The runbook is usable only when problems->n_errors == 0.
 * `name` is used in messages. The caller frees with runbook_free. */
struct runbook *runbook_parse(const char *name, const char *text, size_t len,
                              struct rb_problems *problems);

/* Reads and parses a file. Refuses (a problem at line 0, returns NULL) a
 * missing file, a directory, a file over RUNBOOK_MAX_BYTES (without reading
 * it whole), and binary content (NUL bytes or invalid UTF-8, named by line). */
struct runbook *runbook_load(const char *path, struct rb_problems *problems);

void runbook_free(struct runbook *rb);
void rb_problems_free(struct rb_problems *problems);

const struct rb_step *runbook_find_step(const struct runbook *rb, const char *id);
ptrdiff_t runbook_step_index(const struct runbook *rb, const char *id); /* -1 */
const char *runbook_person(const struct runbook *rb, const char *role); /* NULL */
/* The OS account `- ROLE: Person (account)` binds to the role's person; NULL: none. */
const char *runbook_account(const struct runbook *rb, const char *role);
const struct rb_system *runbook_system(const struct runbook *rb, const char *name);
const struct rb_signal *runbook_signal(const struct runbook *rb, const char *name);
const char *rb_attr_get(const struct rb_attr *attrs, size_t n, const char *key);
/* 1 when the step says {any order}: it may be taken before the steps above
 * it in its phase, and does not hold back the steps below it. */
int rb_step_any_order(const struct rb_step *st);
/* 1 when step st, in its phase's order, waits for `above` (an earlier step
 * of the same phase) to be done: neither says {any order} — or st closes
 * an {irreversible} phase, which waits for every other step of it. */
int rb_step_waits_for(const struct rb_step *st, const struct rb_step *above);

const char *rb_action_name(enum rb_action a);        /* "backfill", "" */
/* May a console in this role abort? (`Abort:`; the commander by default) */
int runbook_may_abort(const struct runbook *rb, const char *role);
/* May a console in this role take over driving? (the commander, and `Deputy:`) */
int runbook_may_take_over(const struct runbook *rb, const char *role);
const char *rb_crit_action_name(enum rb_crit_action a); /* "abort" */
const char *rb_op_name(enum rb_op op);               /* ">" */

#endif
