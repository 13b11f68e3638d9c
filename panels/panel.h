/* panel.h — the one small interface every panel has.
 *
 * A panel draws itself into the window it is given, from a read-only view
 * of the session; it never reads the journal or the network. The console
 * (tui/console.c) owns the loop, the layout and the keys. */
#ifndef CUTOVER_PANEL_H
#define CUTOVER_PANEL_H

#include <curses.h>
#include <stddef.h>
#include <stdint.h>

#include "core/eta.h"
#include "core/panels_decl.h"
#include "core/ramp.h"
#include "core/runbook.h"
#include "core/session.h"
#include "palette.h"

#define VIEW_SIGNALS 128   /* signals past this many read as stale */

/* Who sits at a replay's console (tui/cmd_replay.c): the header keeps room
 * for it on every console, so a replay lays the header out as live. */
#define VIEW_REPLAY_NAME "replay"
#define VIEW_REPLAY_ROLE "read-only"

/* Everything a panel may look at. */
struct view {
    const struct runbook *rb;
    const struct session *s;
    const char *name, *role;  /* who sits at this console */
    const char *mode;         /* "run", "join", "replay" */
    int64_t now_ms;
    size_t selected;          /* index into rb->steps */
    int text_scroll;          /* rows scrolled in the text panel */
    const struct ramp_decision *decision; /* the ramp controller, now */
    const char *flag_name;    /* the flag driver, on the driving console */
    const char *journal_alert; /* the record is behind (red banner), or NULL */
    const char *journal_path;  /* where another operator joins; NULL if unknown */
    const char *no_engine;     /* joined and nobody drives: the banner, or NULL */
    const struct presence *presence; /* who is on a console now, from the heartbeats
                                      * (core/presence.h presence_live); NULL: the fold's */
    const struct palette *palette; /* the colour scheme (tui/theme.c); NULL: monochrome */
    double test_clock;         /* the test clock's rate (CUTOVER_TIME_SCALE); 0: real time */

    /* what the ETA needs that the fold does not hold: the gates' earliest
     * opening (issue 17's gates, another branch, sets it), the comparison's end */
    struct eta_inputs eta_in;

    /* what the screen's own keys chose (tui/layout.c); zero: the defaults */
    int64_t chart_span_ms;     /* the charts' span; 0 fits the current hold */
    int journal_scroll;        /* journal lines scrolled back from the newest */
    int journal_full;          /* the journal has the whole screen */
    int journal_kind;          /* only this mark kind + 1 (core/marks.h); 0 all */
    const char *journal_find;  /* only lines containing this text; NULL all */
    const char *const *choices; /* what the open prompt offers, one line each (choices.c) */
    size_t n_choices;
    const char *choices_title;

    /* derived by view_derive from the above: panels read these, never the engine */
    unsigned char stale[VIEW_SIGNALS]; /* rb->signals[i]'s newest sample is too old at now_ms */
    struct eta eta;                    /* the ceremony's estimate at now_ms (core/eta.h) */
};

/* The attributes of a role in the view's palette. */
static inline attr_t view_attr(const struct view *v, enum theme_role role)
{
    return palette_attr(v->palette, role);
}

/* Fills the view's derived fields (staleness) from its session and now_ms.
 * The one place that turns the folded session and the time into what the
 * panels show, so no panel asks the engine. */
void view_derive(struct view *v);

/* Presence as the panels show it: the live one, else the fold's. */
const struct presence *view_presence(const struct view *v);

/* 1 when signal i has no fresh sample at v->now_ms. */
int view_stale(const struct view *v, size_t signal);

/* A value of criterion c's signal in the units the runbook wrote its
 * bound in: "4.52 %" for `> 0.1%`, "2.31" for `> 2`. */
void view_crit_format(const struct rb_criterion *c, double value, char *buf, size_t len);

/* Criterion i's live picture in its own units: "now 4.52 % (fired at
 * 0.14 %, worst 5.1 %)" while firing, "crossed at" while pending, "now …"
 * alone otherwise; "now: no data" when the signal has no value. */
void view_crit_values(const struct view *v, size_t i, char *buf, size_t len);
/* Only its "now …" part. */
void view_crit_now(const struct view *v, size_t i, char *buf, size_t len);

struct panel {
    const char *name;
    int min_rows, min_cols;
    void (*draw)(WINDOW *w, const struct view *v);
};

extern const struct panel panel_header;
extern const struct panel panel_steps;
extern const struct panel panel_text;
extern const struct panel panel_journal;
extern const struct panel panel_help;
extern const struct panel panel_dualwrite;
extern const struct panel panel_latency;
extern const struct panel panel_divergence;
extern const struct panel panel_criteria;
extern const struct panel panel_ramp;
extern const struct panel panel_presence;
extern const struct panel panel_writers;
extern const struct panel panel_timeline;
extern const struct panel panel_choices;

/* A signal's panel as the runbook declares it (## Panels), or one of the
 * runbook's signals in the place of a named panel it leaves empty. */
void panel_signal_draw(WINDOW *w, const struct view *v, const struct panel_decl *d);

#endif
