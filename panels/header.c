/* header.c — the top bar: runbook title, current phase, status, the
 * engine's mode (ARMED while an abort can still roll back, NO WAY BACK
 * once an irreversible step was taken: core/noreturn.h), the
 * ceremony's ETA (core/eta.h), clock, and who sits at this console; on a sped-up test clock, a mark that says so;
 * on a joined console that nobody drives, NO ENGINE above all but the record. */
#include <stdio.h>

#include "core/noreturn.h"
#include "core/timefmt.h"
#include "panel.h"
#include "draw.h"
#include "palette.h"

static void phase_label(const struct view *v, char *buf, size_t len)
{
    const struct runbook *rb = v->rb;
    if (rb->n_phases == 0)
        snprintf(buf, len, "no phases");
    else if (v->s->current_phase >= rb->n_phases)
        snprintf(buf, len, "all phases done");
    else {
        const struct rb_phase *p = &rb->phases[v->s->current_phase];
        snprintf(buf, len, "Phase %s: %s", p->number, p->title);
    }
}

/* The status word and its colour: the record behind, NO ENGINE, a stop, an
 * override, NO WAY BACK, or the phase's state — then *armed says whether
 * the mode ARMED goes beside it, and *brief is its form for a narrow
 * screen (fewer words, the same facts; most statuses have one form). */
static const char *status_of(const struct view *v, attr_t bar, attr_t *a, int *armed,
                             const char **brief)
{
    enum ramp_status rs = v->s->ramp.status;
    *a = view_attr(v, TH_ALERT);
    *armed = 0;
    *brief = NULL;
    const char *full;
    char burnt[8];
    int no_way_back = noreturn_taken(v->s, burnt, sizeof burnt);
    if (v->journal_alert) {   /* the record is behind: above everything */
        full = v->journal_alert;
    } else if (v->no_engine) {
        *a = view_attr(v, TH_ALERT) | A_BOLD;
        full = v->no_engine;
    } else if (rs == RAMP_ABORTED) {
        full = " ABORTED ";
    } else if (rs == RAMP_HALTED) {   /* still no way back: a halt never makes one */
        full = no_way_back ? " HALTED — INCIDENT · NO WAY BACK " : " HALTED — INCIDENT ";
        *brief = no_way_back ? " HALTED · NO WAY BACK " : NULL;
    } else if (v->s->ramp.override_active) {
        full = no_way_back ? " OVERRIDE · NO WAY BACK " : " OVERRIDE ";
    } else if (no_way_back) {
        full = " NO WAY BACK ";   /* an abort now halts: there is no old system */
    } else {
        *a = bar | A_BOLD;
        *armed = noreturn_armed(v->s);
        full = session_status(v->s);
    }
    if (!*brief)
        *brief = full;
    return full;
}

/* The room kept for who sits at the console (" NAME/ROLE" when full, else
 * " ROLE"): the widest that any console of this runbook or its replay
 * shows, so that the dba's console, the commander's and the replay of
 * their journal narrow the header alike and put the same ETA in the same
 * cells (tests/tui/test_replay.sh compares them); the name is
 * right-aligned in it, beside the clock. */
static int who_room(const struct view *v, int full)
{
    char who[200];
    int room = 0;
    for (size_t i = 0; i <= v->rb->n_roles + 1; i++) {
        const char *name = i < v->rb->n_roles ? v->rb->roles[i].person
                         : i == v->rb->n_roles ? VIEW_REPLAY_NAME : v->name;
        const char *role = i < v->rb->n_roles ? v->rb->roles[i].role
                         : i == v->rb->n_roles ? VIEW_REPLAY_ROLE : v->role;
        if (full)
            snprintf(who, sizeof who, " %s/%s", name, role);
        else
            snprintf(who, sizeof who, " %s", role);
        int w = draw_width(who);
        room = w > room ? w : room;
    }
    return room;
}

/* What the bar holds at one level of narrowing. The phase, the status,
 * the ETA's time, the clock and the test-clock mark never go (nor NO WAY BACK,
 * which is the status); the rest gives way in this
 * order as the screen narrows: the ETA's detail, the runbook's title, the
 * operator's name (the role stays), the program's name, the test clock's
 * long words (" ×5 TEST " stays), the mode ARMED, the status's long words
 * (HALTED · NO WAY BACK for HALTED — INCIDENT · NO WAY BACK); only then is
 * the phase's title cut. */
struct bar {
    int title;        /* 2 whole, 1 at most 12 columns, 0 none */
    int prefix;       /* " cutover " */
    int eta;          /* 2 full, 1 brief, 0 none */
    int who_full;     /* "Alice Ng/commander", else "commander" */
    int test_full;    /* " TIME ×5 (test clock) ", else " ×5 TEST " */
    int mode;         /* " │ ARMED" when armed */
    int status_full;  /* the status's full words, else its brief form */
};

static const struct bar levels[] = {
    {2, 1, 2, 1, 1, 1, 1}, {1, 1, 2, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1}, {0, 1, 1, 1, 1, 1, 1},
    {0, 1, 1, 0, 1, 1, 1}, {0, 0, 1, 0, 1, 1, 1}, {0, 0, 1, 0, 0, 1, 1}, {0, 0, 1, 0, 0, 0, 1},
    {0, 0, 1, 0, 0, 0, 0},
};

static void header_draw(WINDOW *w, const struct view *v)
{
    int cols = getmaxx(w);
    attr_t bar = view_attr(v, TH_HEADER);
    wbkgdset(w, ' ' | bar);
    werase(w);

    char hms[16], clock[32], phase[128], who_full[160], who_role[80];
    timefmt_hms(v->now_ms, hms, sizeof hms);
    snprintf(clock, sizeof clock, "  %s UTC ", hms);
    snprintf(who_full, sizeof who_full, " %s/%s", v->name, v->role);
    snprintf(who_role, sizeof who_role, " %s", v->role);
    int clock_w = draw_width(clock), room_full = who_room(v, 1), room_role = who_room(v, 0);
    phase_label(v, phase, sizeof phase);

    /* a test clock (CUTOVER_TIME_SCALE) is never mistaken for a ceremony */
    char test_full[64] = "", test_brief[32] = "", *test = test_full;
    if (v->test_clock > 0) {
        snprintf(test_full, sizeof test_full, " TIME ×%g (test clock) ", v->test_clock);
        snprintf(test_brief, sizeof test_brief, " ×%g TEST ", v->test_clock);
    }
    int test_cols = 0;
    attr_t status_attr;
    int armed;
    const char *status_brief;
    const char *status_long = status_of(v, bar, &status_attr, &armed, &status_brief);
    const char *status = status_long;
    char eta_full[200], eta_brief[64];
    eta_describe(&v->eta, v->now_ms, 0, eta_full, sizeof eta_full);
    eta_describe(&v->eta, v->now_ms, 1, eta_brief, sizeof eta_brief);

    /* " cutover TITLE  │ PHASE │ STATUS │ ARMED │ ETA …      name/role  clock UTC " */
    int title_w = draw_width(v->rb->title), core_w = 0;
    const char *mode = "";
    int mode_w = 0;
    struct bar b = levels[sizeof levels / sizeof levels[0] - 1];
    int title_cols = 0, eta_cols = 0, right_cols = 0, prefix_cols = 0;
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        b = levels[i];
        title_cols = b.title == 2 ? title_w : b.title == 1 ? (title_w < 12 ? title_w : 12) : 0;
        prefix_cols = b.prefix ? draw_width(" cutover ") + title_cols + 4 : 1;   /* "  │ " */
        const char *eta = b.eta == 2 ? eta_full : b.eta == 1 ? eta_brief : "";
        eta_cols = eta[0] ? draw_width(eta) + 4 : 0;   /* " │ ETA …" and a space before the name */
        test = b.test_full ? test_full : test_brief;
        test_cols = test[0] ? draw_width(test) : 0;
        right_cols = test_cols + (b.who_full ? room_full : room_role) + clock_w;
        mode = armed && b.mode ? " │ ARMED" : "";
        mode_w = draw_width(mode);
        status = b.status_full ? status_long : status_brief;
        core_w = draw_width(phase) + 3 + draw_width(status);
        if (prefix_cols + core_w + mode_w + eta_cols + right_cols <= cols)
            break;
    }
    const char *eta = b.eta == 2 ? eta_full : b.eta == 1 ? eta_brief : "";
    if (b.title == 1)   /* the title takes what the rest leaves, at least its 12 columns */
        title_cols = cols - right_cols - eta_cols - core_w - mode_w - draw_width(" cutover ") - 4;

    int x = 0;
    if (b.prefix) {
        x += draw_text(w, 0, 0, cols - right_cols, " cutover ", bar | A_BOLD);
        x += draw_text(w, 0, x, title_cols > 0 ? title_cols : 0, v->rb->title, bar | A_BOLD);
        x += draw_text(w, 0, x, cols - right_cols - x, "  │ ", bar);
    } else {
        x += draw_text(w, 0, 0, 1, " ", bar);
    }
    /* the phase's title is cut last, for the status beside it */
    int phase_room = cols - right_cols - eta_cols - x - 3 - draw_width(status) - mode_w;
    x += draw_text(w, 0, x, phase_room > 7 ? phase_room : 7, phase, bar);
    x += draw_text(w, 0, x, cols - right_cols - x, " │ ", bar);
    x += draw_text(w, 0, x, cols - right_cols - x - eta_cols - mode_w, status, status_attr);
    if (mode[0])   /* the abort criteria can still roll back */
        x += draw_text(w, 0, x, cols - right_cols - x - eta_cols, mode, bar | A_BOLD);
    if (eta[0]) {
        x += draw_text(w, 0, x, cols - right_cols - x, " │ ", bar);
        draw_text(w, 0, x, cols - right_cols - x, eta, v->eta.known ? bar : bar | A_DIM);
    }
    const char *who = b.who_full ? who_full : who_role;
    int who_w = draw_width(who), at = cols - test_cols - who_w - clock_w;
    if (test[0])
        draw_text(w, 0, at, test_cols, test, view_attr(v, TH_ALERT));
    draw_text(w, 0, at + test_cols, who_w, who, bar);
    draw_text(w, 0, cols - clock_w, clock_w, clock, bar);
}

const struct panel panel_header = {"header", 1, 40, header_draw};
