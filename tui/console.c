/* console.c — the loop of one console: wait (tui/loop.c), fold what others
 * journaled, answer keys, redraw. The screen is drawn from the session
 * only; every change goes through the journal first. */
#include "console.h"

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "clock.h"
#include "datakeys.h"
#include "faultmenu.h"
#include "footer.h"
#include "frametime.h"
#include "jobrunner.h"
#include "core/account.h"
#include "core/approve.h"
#include "core/driver.h"
#include "core/gatefold.h"
#include "core/events.h"
#include "core/gateoverride.h"
#include "core/journal_writer.h"
#include "core/stepaction.h"
#include "core/timefmt.h"
#include "hangup.h"
#include "layout.h"
#include "loop.h"
#include "outmask.h"
#include "prompt.h"
#include "theme.h"

/* How often other consoles' events are looked for (real ms): well inside
 * the one second in which an acknowledgement made elsewhere must show.
 * Real, not on the test clock: other processes write in real time, and
 * the driver's own due times are converted below. */
#define POLL_MS 200
/* On quitting, how long the journal's writer may try before what is left
 * goes to the spool: a SIGTERM ends the console within a second. */
#define CLOSE_WAIT_MS 400
/* On quitting with a rollback not read back, how long the console goes on
 * trying it (real seconds); CUTOVER_ROLLBACK_WAIT_S changes it (tests). */
#define ROLLBACK_WAIT_S 30
#define ROLLBACK_WAIT_ENV "CUTOVER_ROLLBACK_WAIT_S"

static volatile sig_atomic_t stop_requested;   /* how many stop signals came */
static struct loop *signal_loop;

static void on_stop_signal(int sig)
{
    (void)sig;
    if (stop_requested < 2)
        stop_requested++;
    if (signal_loop)
        loop_wake(signal_loop);
}

static void catch_stop_signals(struct loop *l)
{
    signal_loop = l;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

struct console {
    struct ceremony *c;
    struct loop loop;
    struct driver *driver;    /* the console that runs the ceremony; NULL when joined */
    struct jobrunner *jobs;   /* the steps' data jobs (driving), the backfill's controls */
    enum { FOR_NOTE, FOR_ADVANCE, FOR_ABORT, FOR_RESUME, FOR_RESTORE, FOR_FAULT, FOR_OVERRIDE,
           FOR_ACCEPT, FOR_QUIT, FOR_TAKEOVER, FOR_STEP_OVERRIDE, FOR_GATE, FOR_ANNOUNCE,
           FOR_NORETURN, FOR_RATE } prompt_for;
    char note[PROMPT_MAX];    /* FOR_ANNOUNCE: the note waiting for its y/N */
    char gate_id[96];         /* FOR_GATE: the gate being overridden */
    struct ramp_decision decision;   /* the ramp controller's view, for the screen */
    int exit_status;
    int64_t printed_seq;      /* headless: events printed so far */
    struct layout layout;
    struct panels_decls panels; /* the signal panels the layout draws */
    struct prompt prompt;
    const char *mode;
    const char *journal_path;
    size_t selected;
    int text_scroll;
    int help, quit, dirty;
    int presence;             /* the presence panel is shown (p) */
    char status[600];
    int status_alert;
    int64_t last_draw_s;
    char journal_alert[400];  /* the record is behind: the red banner */
    int output_closed;        /* headless: stdout went away (journaled once) */
    char output_error[200];
    char last_words[600];     /* said on stderr once the screen is closed */
    int abort_asked;          /* joined: our abort request waits for its rollback */
    char no_engine[200];      /* joined: nobody drives (the banner), "" when one does */
    int64_t engine_checked_ms;
    /* the consoles' heartbeat rows (core/journal_consoles.h), read once a
     * second like the lease: presence on screen is made from them */
    struct journal_console consoles[PRESENCE_MAX];
    long n_consoles;          /* -1: not read (yet, or it failed): the fold's */
    int64_t consoles_checked_ms;
    struct presence live;     /* presence_live of the above, per frame */
    char takeover[PROMPT_MAX]; /* joined: the reason to take over driving, once given */
    char said[256];           /* headless: the driver's last error, printed once */
};

static void set_status(struct console *k, int alert, const char *msg)
{
    snprintf(k->status, sizeof k->status, "%s", msg);
    k->status_alert = alert;
    k->dirty = 1;
}

/* How long until the driver's lease can be taken (0: now). NO ENGINE
 * shows once a lease goes JOURNAL_QUIET_MS unrenewed, but a hung driver
 * (alive, not renewing) keeps it for JOURNAL_LEASE_MS: taking over
 * before then would start a driver the journal refuses, and this console
 * would be gone. */
static int64_t lease_lapses_in(struct console *k, struct journal_lease *holder)
{
    int64_t now = clock_now_ms();
    struct error err = {{0}};
    if (journal_lease_holder(k->c->journal, now, JOURNAL_LEASE_MS, holder, &err) != 1)
        return 0;
    int64_t left = JOURNAL_LEASE_MS - (now - holder->renewed_ms) + 1;
    return left > 0 ? left : 1;
}

/* 1 (said in words) while the driver's lease cannot be taken yet: a
 * driver that renews it drives (another console took over first), one
 * that stopped renewing keeps it until it lapses. */
static int lease_not_yet(struct console *k, const char *what)
{
    struct journal_lease holder;
    int64_t left = lease_lapses_in(k, &holder);
    if (!left)
        return 0;
    char msg[300];
    if (clock_now_ms() - holder.renewed_ms < JOURNAL_QUIET_MS)
        snprintf(msg, sizeof msg, "%s: %s drives now (pid %ld on %s; its lease is alive)", what,
                 holder.holder, holder.pid, holder.host);
    else
        snprintf(msg, sizeof msg,
                 "%s: the driver's lease lapses in %lld s (a driver that hangs keeps it %d s) — T again then",
                 what, (long long)((left + 999) / 1000), JOURNAL_LEASE_MS / 1000);
    set_status(k, 1, msg);
    return 1;
}

/* The writer's state in words for the banner; "" when the record is whole. */
static void journal_banner(struct console *k, int64_t now)
{
    struct journal_writer_state ws;
    journal_writer_state(k->c->journal, &ws);
    k->journal_alert[0] = '\0';
    if (ws.lease_lost)
        snprintf(k->journal_alert, sizeof k->journal_alert,
                 " NOT DRIVING: %s took the lease (pid %ld on %s) ", ws.holder.holder,
                 ws.holder.pid, ws.holder.host);
    else if (ws.failing && ws.pending)
        snprintf(k->journal_alert, sizeof k->journal_alert,
                 " JOURNAL NOT WRITTEN for %llds: %zu waiting (%zu spooled%s%s) — %s ",
                 (long long)((now - ws.oldest_ms) / 1000), ws.pending, ws.spooled,
                 ws.spool_error[0] ? "; " : "", ws.spool_error, ws.error);
    else if (ws.failing)
        snprintf(k->journal_alert, sizeof k->journal_alert, " JOURNAL NOT WRITABLE: %s ",
                 ws.error);
}

static struct view make_view(struct console *k)
{
    int64_t now = clock_now_ms();
    journal_banner(k, now);
    k->decision = ramp_decide(k->c->rb, &k->c->s, now);
    struct view v = {.rb = k->c->rb, .s = &k->c->s, .name = k->c->name,
                     .role = k->c->role, .mode = k->mode,
                     .now_ms = now, .selected = k->selected,
                     .text_scroll = k->text_scroll, .decision = &k->decision,
                     .flag_name = k->driver ? driver_flag_name(k->driver) : NULL,
                     .journal_alert = k->journal_alert[0] ? k->journal_alert : NULL,
                     .journal_path = k->journal_path,
                     .no_engine = k->no_engine[0] ? k->no_engine : NULL,
                     .palette = theme_palette(),
                     .test_clock = clock_is_test() ? clock_scale() : 0};
    if (k->n_consoles >= 0) {
        presence_live(&k->live, &k->c->s.presence, k->consoles, (size_t)k->n_consoles, now);
        v.presence = &k->live;
    }
    v.eta_in.gates_open_at_ms = gatefold_earliest_open(&k->c->s);
    view_derive(&v);
    return v;
}

static void move_cursor(struct console *k, long delta)
{
    long n = (long)k->c->rb->n_steps, i = (long)k->selected + delta;
    if (n == 0)
        return;
    i = i < 0 ? 0 : i >= n ? n - 1 : i;
    if ((size_t)i != k->selected) {
        k->selected = (size_t)i;
        k->text_scroll = 0;
    }
}

static void ack_answered(void *ctx, int rc, const char *msg)
{
    struct console *k = ctx;
    struct error err = {{0}};
    ceremony_refresh(k->c, NULL, NULL, &err);
    set_status(k, rc != 0, msg);
}

/* Decided and journaled on the writer's thread, in one transaction; the
 * answer comes back through the loop. */
static void acknowledge(struct console *k)
{
    char msg[320];
    const struct rb_step *st = &k->c->rb->steps[k->selected];
    int rc = ceremony_ack_async(k->c, st->id, clock_now_ms(), ack_answered, k, msg, sizeof msg);
    set_status(k, rc != 0, msg);
}

/* announce: the comms role asked for the note on the webhook too; the
 * console that drives sends it (it owns the webhook). */
static void write_note(struct console *k, const char *text, int announce)
{
    struct error err = {{0}};
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "text", text);
    if (announce)
        cJSON_AddBoolToObject(o, "announce", 1);
    char *body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    int rc = body ? ceremony_append(k->c, EV_NOTE, body, clock_now_ms(), &err) : -1;
    free(body);
    if (rc == 0)
        rc = ceremony_refresh(k->c, NULL, NULL, &err);
    set_status(k, rc != 0, rc ? (err.msg[0] ? err.msg : "out of memory")
                              : announce ? "note journaled; the driving console sends it to the webhook"
                                         : "note journaled");
}

/* The comms role's notes may go to the comms webhook as well. */
static int may_announce(const struct console *k)
{
    return strcmp(k->c->role, "comms") == 0 && runbook_system(k->c->rb, "notify") != NULL;
}

/* The commander's acts go through a prompt: a typed percentage, the word
 * ABORT, or a written reason — so no single key press moves traffic. */
static void ask(struct console *k, int what, const char *label)
{
    if (what == FOR_ABORT) {   /* a brake on every console the runbook's `Abort:` allows */
        char msg[400];
        int64_t seq;
        if (!runbook_may_abort(k->c->rb, k->c->role)) {   /* refused, and journaled */
            driver_request_abort(k->c, "! typed at a console", clock_now_ms(), &seq, msg,
                                 sizeof msg);
            set_status(k, 1, msg);
        } else {
            k->prompt_for = what;
            prompt_open(&k->prompt, label);
        }
        return;
    }
    if (!k->driver) {
        set_status(k, 1, "only the console that runs the ceremony (cutover run) drives the ramp");
        return;
    }
    if (strcmp(k->c->role, "commander") != 0) {
        set_status(k, 1, "refused: only the commander drives the ramp");
        return;
    }
    k->prompt_for = what;
    prompt_open(&k->prompt, label);
}

static int ask_gate_override(struct console *k);

/* v: the commander approves the selected {irreversible} step (its owner's
 * ack from another person is the other half); decided on the writer. */
static void approve(struct console *k)
{
    char msg[320];
    const struct rb_step *st = &k->c->rb->steps[k->selected];
    int rc = approve_step_async(k->c, st->id, NULL, clock_now_ms(), ack_answered, k, msg,
                                sizeof msg);
    set_status(k, rc != 0, msg);
}

/* o on an irreversible step whose conditions are unmet: the commander's
 * override, with a reason. 1 when o meant that. */
static int ask_noreturn_override(struct console *k)
{
    char why[600], label[200];
    size_t i = k->selected;
    if (!noreturn_step(&k->c->rb->steps[i]) || k->c->s.acks[i].acked ||
        k->c->s.nr[i].overridden ||
        noreturn_condition_refusal(&k->c->s, i, clock_now_ms(), why, sizeof why) == 0)
        return 0;
    if (strcmp(k->c->role, "commander") != 0) {
        set_status(k, 1, "refused: only the commander may override the conditions of an irreversible step");
        return 1;
    }
    snprintf(label, sizeof label, "override the unmet conditions of irreversible step %s — the reason (journaled): ",
             k->c->rb->steps[i].id);
    k->prompt_for = FOR_NORETURN;
    prompt_open(&k->prompt, label);
    return 1;
}

/* o: a closed gate holding the current phase or the selected step first
 * (the commander overrides it with a reason); on an open backfill, compare
 * or preflight step the commander completes it by override with a written
 * reason (core/stepaction.h); anywhere else o overrides a failed
 * rehearsal, as it did before. */
static void ask_override(struct console *k)
{
    if (ask_gate_override(k) || ask_noreturn_override(k))
        return;
    const struct rb_step *st = &k->c->rb->steps[k->selected];
    /* a done `writers` step is overridden again to accept a writer found later */
    int reopen = st->action == RB_ACTION_WRITERS && writersfold_open(&k->c->s.wf) > 0;
    if (!stepaction_overridable(st->action) || (k->c->s.acks[k->selected].acked && !reopen)) {
        ask(k, FOR_OVERRIDE, "override the failed rehearsal — the reason (journaled, shown in red): ");
        return;
    }
    if (strcmp(k->c->role, "commander") != 0) {
        set_status(k, 1, "refused: only the commander completes a step by override");
        return;
    }
    char label[160];
    snprintf(label, sizeof label, "complete step %s by override — the reason (journaled): ", st->id);
    k->prompt_for = FOR_STEP_OVERRIDE;
    prompt_open(&k->prompt, label);
}

/* The override's reason was typed: decided and journaled as an ack is. */
static void override_step(struct console *k, const char *text)
{
    char msg[320];
    const struct rb_step *st = &k->c->rb->steps[k->selected];
    int rc = ceremony_override_step_async(k->c, st->id, text, clock_now_ms(), ack_answered, k,
                                          msg, sizeof msg);
    set_status(k, rc != 0, msg);
}

/* p, R, c: the data steps' keys (datakeys.h). */
static void data_key(struct console *k, int ch)
{
    char msg[400];
    int alert = 0;
    const char *label = NULL;
    if (datakeys_key(k->c, k->jobs, k->selected, ch, msg, sizeof msg, &alert, &label) ==
        DATAKEY_PROMPT) {
        k->prompt_for = FOR_RATE;
        prompt_open(&k->prompt, label);
    } else {
        set_status(k, alert, msg);
    }
}

static void answered(struct console *k, const char *text)
{
    char msg[320];
    int64_t now = clock_now_ms();
    int rc = 0;
    switch (k->prompt_for) {
    case FOR_NOTE:
        if (!text[0])
            return;
        if (!may_announce(k)) {
            write_note(k, text, 0);
            return;
        }
        snprintf(k->note, sizeof k->note, "%s", text);
        k->prompt_for = FOR_ANNOUNCE;
        prompt_open(&k->prompt, "send it to the comms webhook too? y/N: ");
        return;
    case FOR_ANNOUNCE:
        write_note(k, k->note, strcmp(text, "y") == 0 || strcmp(text, "yes") == 0);
        return;
    case FOR_STEP_OVERRIDE:
        override_step(k, text);
        return;
    case FOR_RATE:
        rc = datakeys_rate(k->jobs, text, msg, sizeof msg);
        break;
    case FOR_FAULT:
        rc = faultmenu_send(k->c, text, now, msg, sizeof msg);
        break;
    case FOR_ADVANCE: rc = driver_advance(k->driver, text, now, msg, sizeof msg); break;
    case FOR_RESUME: rc = driver_resume(k->driver, text, now, msg, sizeof msg); break;
    case FOR_RESTORE: rc = driver_restore_flag(k->driver, text, now, msg, sizeof msg); break;
    case FOR_OVERRIDE: rc = driver_override(k->driver, text, now, msg, sizeof msg); break;
    case FOR_ACCEPT: rc = driver_accept_flag(k->driver, text, now, msg, sizeof msg); break;
    case FOR_TAKEOVER:
        if (!text[0]) {
            set_status(k, 1, "not taken over: a reason is needed (it is journaled)");
            return;
        }
        if (!k->no_engine[0]) {   /* a driver came back while the reason was typed */
            set_status(k, 1, "not taken over: a console drives again");
            return;
        }
        if (lease_not_yet(k, "not taken over"))
            return;
        snprintf(k->takeover, sizeof k->takeover, "%s", text);
        k->quit = 1;   /* cmd_join starts this console again as the driver */
        snprintf(msg, sizeof msg, "taking over: this console starts driving");
        break;
    case FOR_NORETURN:
        rc = approve_step_async(k->c, k->c->rb->steps[k->selected].id, text, now, ack_answered, k,
                                msg, sizeof msg);
        break;
    case FOR_GATE:
        rc = gateoverride_async(k->c, k->gate_id, text, now, ack_answered, k, msg, sizeof msg);
        break;
    case FOR_QUIT:
        if (strcmp(text, "y") != 0 && strcmp(text, "yes") != 0) {
            set_status(k, 0, "not quitting");
            return;
        }
        k->quit = 1;
        snprintf(msg, sizeof msg, "quitting");
        break;
    case FOR_ABORT:
        if (strcmp(text, "ABORT") != 0) {
            set_status(k, 0, "not aborted (type ABORT in capitals to roll back)");
            return;
        }
        if (!k->driver) {
            char reason[200];
            snprintf(reason, sizeof reason, "ABORT typed at %s's joined console", k->c->name);
            int64_t seq;
            rc = driver_request_abort(k->c, reason, now, &seq, msg, sizeof msg);
            k->abort_asked = rc == 0;
            if (rc == 0 && k->no_engine[0]) {   /* nobody to act on it: never pretend */
                snprintf(msg, sizeof msg, "abort journaled, but NO console drives: nothing moved. "
                         "The next console to drive (cutover run) acts on it first");
                rc = 1;
            }
            break;
        }
        rc = driver_abort(k->driver, now, msg, sizeof msg);
        break;
    }
    set_status(k, rc != 0, msg);
}

static void ask_advance(struct console *k)
{
    char label[96];
    snprintf(label, sizeof label, "advance the ramp: type the target percentage (%g) and Enter: ",
             k->decision.next_step >= 0 ? k->decision.target : 0.0);
    ask(k, FOR_ADVANCE, label);
}

/* Quitting leaves no one watching the flag: when traffic is on new or a
 * rollback is not read back, the commander says so first. */
static void ask_quit(struct console *k)
{
    char why[300], label[400];
    if (k->jobs && jobrunner_busy(k->jobs, why, sizeof why)) {
        snprintf(label, sizeof label, "%s — quit anyway? type y and Enter (Esc: stay): ", why);
        k->prompt_for = FOR_QUIT;
        prompt_open(&k->prompt, label);
        return;
    }
    if (!k->driver || !driver_quit_risk(k->driver, why, sizeof why)) {
        k->quit = 1;
        return;
    }
    snprintf(label, sizeof label, "%s — quit anyway? type y and Enter (Esc: stay): ", why);
    k->prompt_for = FOR_QUIT;
    prompt_open(&k->prompt, label);
}

/* T on a joined console while nobody drives: the commander (or a
 * `Deputy:`) takes over, with a reason; refused, in words, otherwise. */
static void ask_takeover(struct console *k)
{
    if (k->driver) {
        set_status(k, 0, "this console drives already");
        return;
    }
    if (!runbook_may_take_over(k->c->rb, k->c->role)) {
        set_status(k, 1, "refused: only the commander (or a role `Deputy:` names in ## Ramp) takes over");
        return;
    }
    if (!k->no_engine[0]) {
        set_status(k, 1, "refused: a console drives (its lease is alive); take over only when NO ENGINE shows");
        return;
    }
    if (lease_not_yet(k, "not yet"))
        return;
    k->prompt_for = FOR_TAKEOVER;
    prompt_open(&k->prompt, "take over driving — the reason (journaled): ");
}

/* o: a gate that holds the current phase or the selected step is the
 * commander's to override, with a reason. 1 when o meant that gate. */
static int ask_gate_override(struct console *k)
{
    ptrdiff_t g = gatefold_blocking(&k->c->s, k->selected);
    if (g < 0)
        return 0;
    if (strcmp(k->c->role, "commander") != 0) {
        set_status(k, 1, "refused: only the commander may override a gate");
        return 1;
    }
    char label[300];
    snprintf(k->gate_id, sizeof k->gate_id, "%s", k->c->rb->gates[g].id);
    snprintf(label, sizeof label, "override %s (%s) — the reason (journaled): ", k->gate_id,
             gatefold_word(&k->c->s, (size_t)g));
    k->prompt_for = FOR_GATE;
    prompt_open(&k->prompt, label);
    return 1;
}

static void on_key(struct console *k, int ch)
{
    int page = k->layout.steps_rows > 3 ? k->layout.steps_rows - 3 : 1;
    if (ch == KEY_RESIZE) {   /* the terminal's, whatever is open: never a prompt's */
        layout_resize(&k->layout);
        k->dirty = 1;
        return;
    }
    if (k->prompt.active) {
        char text[PROMPT_MAX];
        int r = prompt_key(&k->prompt, ch, text);
        if (r == PROMPT_DONE)
            answered(k, text);
        else if (r == PROMPT_CANCELLED)
            set_status(k, 0, "cancelled");
        k->dirty = 1;
        return;
    }
    if (k->help || k->presence) {
        k->help = k->presence = 0;
        k->dirty = 1;
        return;
    }
    if (layout_key(&k->layout, ch)) {   /* the charts' span, the journal's scroll and filters */
        k->dirty = 1;
        return;
    }
    switch (ch) {
    case KEY_UP: case 'k': move_cursor(k, -1); break;
    case KEY_DOWN: case 'j': move_cursor(k, 1); break;
    case KEY_PPAGE: move_cursor(k, -page); break;
    case KEY_NPAGE: move_cursor(k, page); break;
    case KEY_HOME: case 'g': move_cursor(k, -(long)k->c->rb->n_steps); break;
    case KEY_END: case 'G': move_cursor(k, (long)k->c->rb->n_steps); break;
    case '[': if (k->text_scroll > 0) k->text_scroll--; break;
    case ']': k->text_scroll++; break;
    case 'a': acknowledge(k); break;
    case 'v': approve(k); break;
    case 'p': k->presence = 1; break;
    case 'n': case ':': k->prompt_for = FOR_NOTE; prompt_open(&k->prompt, "note: "); break;
    case '+': ask_advance(k); break;
    case '!': ask(k, FOR_ABORT, "roll back NOW? type ABORT and Enter (Esc: no): "); break;
    case 'r': ask(k, FOR_RESUME, "resume after abort/halt — the reason (journaled): "); break;
    case 'f': ask(k, FOR_RESTORE, "set the flag back to the journal's value — type it: "); break;
    case 'o': ask_override(k); break;
    case 'F':
        if (faultmenu_label()) {
            k->prompt_for = FOR_FAULT;
            prompt_open(&k->prompt, faultmenu_label());
        }
        break;
    case '?': k->help = LAYOUT_OVERLAY_HELP; break;
    case 'w': k->help = LAYOUT_OVERLAY_WRITERS; break;
    case 'A': ask(k, FOR_ACCEPT, "accept the flag's value as the ramp's — the reason (journaled): "); break;
    case 'q': ask_quit(k); break;
    case 'T': ask_takeover(k); break;
    case 'P': case 'R': case 'c': data_key(k, ch); break;
    case KEY_MOUSE: {   /* a click on a step selects it (tui/layout.c) */
        struct view v = make_view(k);
        ptrdiff_t i = layout_clicked_step(&k->layout, &v);
        if (i >= 0)
            move_cursor(k, (long)i - (long)k->selected);
        break;
    }
    default: return;
    }
    k->dirty = 1;
}

/* The footer's keys: what this viewer may do in the state now (footer.h). */
static void footer_keys_now(const struct console *k, int64_t now, char *buf, size_t len)
{
    const struct session *s = &k->c->s;
    const struct runbook *rb = k->c->rb;
    int commander = strcmp(k->c->role, "commander") == 0;
    enum ramp_status st = s->ramp.status;
    int drives = k->driver && rb->n_ramp && commander;
    char burnt[200];
    int stopped = st == RAMP_ABORTED || st == RAMP_HALTED;
    struct footer_state f = {
        .advance = drives && !stopped && st != RAMP_COMPLETE,
        /* a brake on every console Abort: allows, while the flag may send traffic to
         * new and there is an old system to go back to */
        .abort = rb->n_ramp && runbook_may_abort(rb, k->c->role) && st != RAMP_IDLE &&
                 st != RAMP_ABORTED && !noreturn_taken(s, burnt, sizeof burnt),
        .resume = drives && stopped,
        .no_engine = !k->driver && k->no_engine[0] && runbook_may_take_over(rb, k->c->role),
        .demo = faultmenu_label() != NULL,
    };
    size_t i = k->selected;
    if (commander && i < rb->n_steps) {
        const struct rb_step *step = &rb->steps[i];
        char why[600];
        int acked = s->acks[i].acked;
        f.approve = noreturn_step(step) &&
                    noreturn_approve_decide(s, step->id, k->c->name, k->c->role, why, sizeof why) == 0 &&
                    noreturn_condition_refusal(s, i, now, why, sizeof why) == 0;
        int reopen = step->action == RB_ACTION_WRITERS && writersfold_open(&s->wf) > 0;
        f.override = gatefold_blocking(s, i) >= 0 ||
                     (noreturn_step(step) && !acked && !s->nr[i].overridden &&
                      noreturn_condition_refusal(s, i, now, why, sizeof why) != 0) ||
                     (stepaction_overridable(step->action) && (!acked || reopen));
    }
    footer_keys(&f, buf, len);
}

static void draw(struct console *k)
{
    frametime_note(0, 0, 0);   /* a test's capture from here on may be half this frame */
    struct view v = make_view(k);
    char keys[200];
    footer_keys_now(k, v.now_ms, keys, sizeof keys);
    const char *hint = k->status[0] && layout_status_live(&k->layout, &v, k->status, k->status_alert)
        ? k->status
        : keys;
    int overlay = k->presence ? LAYOUT_OVERLAY_PRESENCE : k->help;
    if (k->prompt.active && k->prompt_for == FOR_FAULT) {   /* the demo's menu, whole */
        v.n_choices = faultmenu_choices(&v.choices);
        v.choices_title = "Demo faults";
        overlay = LAYOUT_OVERLAY_CHOICES;
    }
    layout_draw(&k->layout, &v, overlay, &k->prompt, hint, k->status[0] && k->status_alert);
    k->dirty = 0;
    k->last_draw_s = v.now_ms / 1000;
    frametime_note(v.now_ms, getmaxx(stdscr), getmaxy(stdscr));
}

/* Headless: each new event as one line, for logs and tests. */
static int print_event(const struct journal_event *ev, void *ctx)
{
    struct console *k = ctx;
    k->printed_seq = ev->seq;
    char t[16], what[1024];
    timefmt_hms_ms(ev->ts_ms, t, sizeof t);
    session_describe(&k->c->s, ev, what, sizeof what);
    if (k->output_closed)
        return 0;
    printf("%lld %s %s %s: %s\n", (long long)ev->seq, t, ev->actor, ev->kind, what);
    if (fflush(stdout) == EOF || ferror(stdout)) {
        /* a reader that went away (| head) ends the output, not the ceremony */
        k->output_closed = 1;
        snprintf(k->output_error, sizeof k->output_error, "standard output: %s", strerror(errno));
    }
    return 0;
}

/* Headless start: where the ceremony stands before new events follow. */
static void print_summary(const struct ceremony *c)
{
    const struct session *s = &c->s;
    const struct runbook *rb = c->rb;
    printf("# %s: %lld events so far, %zu/%zu steps acknowledged, %s",
           rb->title, (long long)s->n_events, s->n_acked, rb->n_steps,
           session_status(s));
    if (s->current_phase < rb->n_phases)
        printf(", phase %s: %s", rb->phases[s->current_phase].number,
               rb->phases[s->current_phase].title);
    printf("\n");
    if (clock_is_test())
        printf("# TIME ×%g (test clock): holds and windows pass %g times faster than "
               "the wall clock; the journal's times are on this clock\n",
               clock_scale(), clock_scale());
    fflush(stdout);
}

static int screen_open(struct console *k)
{
    setlocale(LC_ALL, "");
    if (!newterm(NULL, outmask_terminal(), stdin))
        return -1;
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    theme_init();
    const struct runbook *rb = k->c->rb;
    /* a panel the runbook declares wrongly is left out (`cutover check` names it) */
    if (panels_parse(rb, &k->panels) != 0) {
        endwin();
        return -1;
    }
    layout_init(&k->layout, rb->n_signals || rb->n_criteria, rb->n_criteria, rb->n_ramp > 0,
                &k->panels);
    return 0;
}

static void screen_close(struct console *k)
{
    layout_free(&k->layout);
    panels_decls_free(&k->panels);
    endwin();
}

/* Headless: every event journaled since the last call, by anyone. */
static void print_new(struct console *k)
{
    struct error err = {{0}};
    int was_closed = k->output_closed;
    journal_read(k->c->journal, k->printed_seq, print_event, k, &err);
    if (k->output_closed && !was_closed) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "error", k->output_error);
        char *body = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        if (body && ceremony_append(k->c, EV_OUTPUT_CLOSED, body, clock_now_ms(), &err) == 0)
            ceremony_refresh(k->c, NULL, NULL, &err);
        free(body);
    }
}

/* A joined console looks, twice a second, whether a console still drives:
 * its lease renewed within JOURNAL_QUIET_MS, by a process that is alive. */
static void watch_engine(struct console *k)
{
    int64_t now = clock_now_ms();
    if (k->driver || (k->engine_checked_ms && now - k->engine_checked_ms < 500))
        return;
    k->engine_checked_ms = now;
    struct journal_lease holder;
    struct error err = {{0}};
    char was[sizeof k->no_engine];
    snprintf(was, sizeof was, "%s", k->no_engine);
    int rc = journal_lease_holder(k->c->journal, now, JOURNAL_QUIET_MS, &holder, &err);
    const struct ramp_view *r = &k->c->s.ramp;
    if (rc != 0)
        k->no_engine[0] = '\0';
    else {
        char flag[64];
        if (r->has_percent)
            snprintf(flag, sizeof flag, "the flag last read %g%%", r->percent);
        else
            snprintf(flag, sizeof flag, "the flag's value is not known");
        /* an abort asked meanwhile waits on the ramp's banner (panels/ramp.c) */
        snprintf(k->no_engine, sizeof k->no_engine,
                 " NO ENGINE — nobody is watching the criteria — %s ", flag);
    }
    if (strcmp(was, k->no_engine) != 0)
        k->dirty = 1;
}

/* Once a second, who is on a console: the heartbeat rows every console's
 * writer thread touches (the loop only reads them, as the lease). */
static void watch_consoles(struct console *k)
{
    int64_t now = clock_now_ms();
    if (k->consoles_checked_ms && now - k->consoles_checked_ms < 1000)
        return;
    k->consoles_checked_ms = now;
    struct journal_console was[PRESENCE_MAX];
    long n_was = k->n_consoles;
    if (n_was > 0)
        memcpy(was, k->consoles, (size_t)n_was * sizeof was[0]);
    struct error err = {{0}};
    k->n_consoles = journal_consoles(k->c->journal, now, k->consoles, PRESENCE_MAX, &err);
    if (k->n_consoles != n_was)
        k->dirty = 1;
    for (long i = 0; i < n_was && i < k->n_consoles && !k->dirty; i++)
        if (strcmp(was[i].console, k->consoles[i].console) != 0 ||
            was[i].present != k->consoles[i].present)
            k->dirty = 1;
}

/* A joined console that asked for an abort says when it took effect. */
static void abort_answered(struct console *k)
{
    const struct ramp_view *r = &k->c->s.ramp;
    if (k->abort_asked && r->status == RAMP_ABORTED && r->rollback_confirmed_ms) {
        /* the requester sees when the brake it pulled took effect */
        char msg[400];
        snprintf(msg, sizeof msg, "your abort took effect: the rollback is read back, the flag "
                 "reads %g%%", r->percent);
        set_status(k, 0, msg);
        k->abort_asked = 0;
    }
}

/* Folds what other consoles journaled; in headless mode prints it. */
static void refresh_from_journal(struct console *k, int headless)
{
    int changed = journal_changed(k->c->journal);
    if (changed == 0)
        return;
    struct error err = {{0}};
    if (ceremony_refresh(k->c, NULL, NULL, &err) != 0)
        set_status(k, 1, err.msg);
    if (headless)
        print_new(k);
    k->dirty = 1;
}

static int wait_ms(const struct console *k)
{
    if (!k->driver)
        return POLL_MS;
    /* the driver's due time is on the console's clock; the wait is real */
    int64_t due = clock_real_ms(driver_wait_ms(k->driver, clock_now_ms()));
    return due < POLL_MS ? (int)due : POLL_MS;
}

/* A headless automatic ramp ends with the ceremony: 0 when it reached
 * its last step, 3 when it aborted and the rollback was confirmed. */
static int finished(struct console *k)
{
    const struct ramp_view *r = &k->c->s.ramp;
    if (!k->c->rb->ramp_automatic || !k->driver)
        return 0;
    if (r->status == RAMP_COMPLETE)
        k->exit_status = 0;
    else if (r->status == RAMP_ABORTED && r->rollback_confirmed_ms &&
             (!k->c->rb->ramp_observed || r->effective_ms))
        k->exit_status = 3;   /* and, when it is watched, the traffic really left new */
    else
        return 0;
    return 1;
}

/* The console_open body; on a test clock it carries time_scale, so that
 * no one takes the journal of a sped-up run for a real ceremony's. */
static char *console_open_body(const struct ceremony *c, const char *mode)
{
    char *body = events_console_body(c->name, c->role, mode);
    if (!body)
        return body;
    cJSON *o = cJSON_Parse(body);
    free(body);
    if (!o)
        return NULL;
    char account[64];
    os_account(account, sizeof account);   /* who the machine says sits here */
    cJSON_AddStringToObject(o, "account", account);
    if (clock_is_test())
        cJSON_AddNumberToObject(o, "time_scale", clock_scale());
    body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return body;
}

static void drive(struct console *k, int headless)
{
    struct error err = {{0}};
    if (journal_writer_poll(k->c->journal) > 0)
        k->dirty = 1;
    char said[600];
    int bad = 0;
    if (k->jobs && jobrunner_tick(k->jobs, k->driver != NULL, clock_now_ms(), said, sizeof said,
                                  &bad)) {
        set_status(k, bad, said);
        if (headless)
            print_new(k);
    }
    if (faultmenu_poll(k->c, clock_now_ms(), said, sizeof said, &bad))   /* the demo's 6–9 */
        set_status(k, bad, said);
    if (!k->driver)
        return;
    loop_perform(&k->loop);
    int rc = driver_step(k->driver, clock_now_ms(), &err);
    loop_perform(&k->loop);
    if (rc < 0)
        set_status(k, 1, err.msg);
    if (rc < 0 && headless && strcmp(k->said, err.msg) != 0) {
        /* no screen to show it on: once on stderr (a lost lease, a journal that fails) */
        snprintf(k->said, sizeof k->said, "%s", err.msg);
        fprintf(stderr, "cutover: %s\n", err.msg);
    }
    char msg[400];
    int alert = 0;
    if (driver_message(k->driver, msg, sizeof msg, &alert))
        set_status(k, alert, msg);
    if (rc != 0) {
        k->dirty = 1;
        if (headless)
            print_new(k);
    }
}

/* The next key. A prompt owns the keyboard until Enter or a lone Escape:
 * an Escape that arrives with more bytes behind it is an Alt chord or a
 * key ncurses did not decode (Alt-q is ESC q), and is swallowed whole,
 * so its letter cannot cancel the prompt and then act as a command. */
static int read_key(struct console *k)
{
    int ch = getch();
    if (ch != 27 || !k->prompt.active)
        return ch;
    int next = getch();
    if (next == ERR)
        return 27;
    if (next == '[' || next == 'O') {   /* CSI or SS3: up to its final byte */
        int b;
        while ((b = getch()) != ERR && !(b >= 0x40 && b <= 0x7e))
            ;
    }
    return read_key(k);
}

static void run_loop(struct console *k, int headless)
{
    while (!k->quit && !stop_requested) {
        int ready = loop_wait(&k->loop, wait_ms(k));
        drive(k, headless);
        if (headless && finished(k))
            break;
        char why[600];
        if (headless && k->driver && driver_stuck(k->driver, why, sizeof why)) {
            fprintf(stderr, "cutover: %s\n", why);   /* no one here can resolve it */
            k->exit_status = 1;
            break;
        }
        /* getch() also when no byte came: a resize (SIGWINCH) arrives as
         * KEY_RESIZE from ncurses, not as input on the descriptor. */
        (void)ready;
        if (!headless) {
            int ch;
            while ((ch = read_key(k)) != ERR)
                on_key(k, ch);
            if (terminal_gone()) {   /* as on SIGHUP: nobody sees this screen */
                snprintf(k->last_words, sizeof k->last_words, "the terminal went away: quitting");
                stop_requested++;
                break;
            }
        }
        refresh_from_journal(k, headless);
        abort_answered(k);
        watch_engine(k);
        if (!headless)
            watch_consoles(k);
        if (!headless && (k->dirty || clock_now_ms() / 1000 != k->last_draw_s))
            draw(k);
    }
}

/* Real seconds to go on with a rollback not read back when told to stop. */
static int64_t rollback_wait_ms(void)
{
    const char *v = getenv(ROLLBACK_WAIT_ENV);
    char *end = NULL;
    double s = v && *v ? strtod(v, &end) : ROLLBACK_WAIT_S;
    if (end && (*end || !(s >= 0 && s <= 3600)))
        s = ROLLBACK_WAIT_S;
    return (int64_t)(s * 1000);
}

#define NOTIFY_DRAIN_MS 1000   /* at the close, for the webhook's last messages */

static int64_t real_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Quitting (q confirmed, SIGTERM) with a rollback not read back: go on
 * trying it for a bounded time (a second signal ends the wait); if it is
 * still not seen, exit non-zero naming the flag's last known value. */
static void finish_rollback(struct console *k, int headless)
{
    if (!k->driver || !driver_rollback_pending(k->driver))
        return;
    int64_t until = real_ms() + rollback_wait_ms();
    int signals = stop_requested;
    set_status(k, 1, "quitting: the rollback is not read back; trying it until it is (a second "
                     "signal stops now)");
    while (driver_rollback_pending(k->driver) && real_ms() < until && stop_requested <= signals) {
        int64_t left = until - real_ms();
        loop_wait(&k->loop, wait_ms(k) < left ? wait_ms(k) : (int)left);
        drive(k, headless);
        refresh_from_journal(k, headless);
        if (!headless)
            draw(k);
    }
    if (!driver_rollback_pending(k->driver)) {
        if (k->exit_status == 0)
            k->exit_status = headless ? 3 : 0;   /* it aborted; the rollback is seen now */
        return;
    }
    double seen;
    char last[64] = "it was never read";
    if (driver_flag_last(k->driver, &seen))
        snprintf(last, sizeof last, "it last read %g%%", seen);
    snprintf(k->last_words, sizeof k->last_words,
             "the rollback of %s to %g%% is NOT confirmed: %s", driver_flag_name(k->driver),
             k->c->s.ramp.target, last);
    k->exit_status = 1;
}

int console_needs_terminal(const char *command, int headless)
{
    if (headless || (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)))
        return 0;
    fprintf(stderr, "cutover %s: the console needs a terminal: its keys come from standard "
                    "input and its screen goes to standard output, and %s not one; run it in a "
                    "terminal, or with --headless for one line per event\n",
            command, isatty(STDIN_FILENO) ? "standard output is" : "standard input is");
    return -1;
}

int console_run(struct ceremony *c, const char *mode, int headless,
                const char *journal_path, char *takeover)
{
    struct console k;
    memset(&k, 0, sizeof k);
    clock_speed_up();   /* a test clock (CUTOVER_TIME_SCALE) runs from here */
    k.c = c;
    k.mode = mode;
    k.journal_path = journal_path;
    if (loop_init(&k.loop, !headless) != 0) {
        fprintf(stderr, "cutover: cannot set up the event loop\n");
        return 1;
    }
    catch_stop_signals(&k.loop);
    /* the console that runs the ceremony polls the signals, judges the
     * criteria and drives the ramp; a joined console shows the journal */
    struct error err = {{0}};
    if (strcmp(mode, "join") != 0) {
        if (!(k.driver = driver_new(c, k.loop.multi, &err))) {
            fprintf(stderr, "cutover: %s\n", err.msg[0] ? err.msg : "out of memory");
            loop_free(&k.loop);
            return 1;
        }
        int fds[4];
        size_t n = driver_fds(k.driver, fds);
        for (size_t i = 0; i < n; i++)
            loop_add_fd(&k.loop, fds[i]);
    }
    /* this console's heartbeat row, kept by the writer thread */
    char account[64];
    os_account(account, sizeof account);
    ceremony_be_present(c, mode, account, clock_now_ms());
    k.n_consoles = -1;
    /* from here on nothing on this thread waits for the journal */
    if (ceremony_start_writer(c, clock_now_ms, &err) != 0) {
        fprintf(stderr, "cutover: %s\n", err.msg);
        driver_free(k.driver);
        loop_free(&k.loop);
        return 1;
    }
    loop_add_fd(&k.loop, journal_writer_fd(c->journal));
    k.jobs = journal_path ? jobrunner_new(c, journal_path) : NULL;
    if (headless)
        print_summary(c);
    k.printed_seq = c->s.last_seq;
    char *body = console_open_body(c, mode);
    int rc = ceremony_append(c, EV_CONSOLE_OPEN, body, clock_now_ms(), &err);
    free(body);
    if (rc == 0)
        rc = ceremony_refresh(c, NULL, NULL, &err);
    if (headless)
        print_new(&k);
    if (rc != 0) {
        fprintf(stderr, "cutover: %s\n", err.msg);
        loop_free(&k.loop);
        return 1;
    }
    const char *refused = getenv(CONSOLE_TAKEOVER_REFUSED_ENV);
    if (refused && refused[0]) {   /* this console tried to take over and lost */
        set_status(&k, 1, refused);
        unsetenv(CONSOLE_TAKEOVER_REFUSED_ENV);
    }
    if (!headless && screen_open(&k) != 0) {
        fprintf(stderr, "cutover: cannot open the terminal\n");
        loop_free(&k.loop);
        return 1;
    }
    k.dirty = 1;
    run_loop(&k, headless);
    finish_rollback(&k, headless);
    /* comms hears the end (the rollback confirmed, the last step) before we go */
    driver_drain_notify(k.driver, NOTIFY_DRAIN_MS, real_ms, clock_now_ms);
    if (k.jobs)   /* the backfill resumes from its checkpoint on the next run */
        jobrunner_stop(k.jobs, clock_now_ms());
    if (!headless)
        screen_close(&k);
    if (k.last_words[0])
        fprintf(stderr, "cutover: %s\n", k.last_words);

    body = events_console_body(c->name, c->role, mode);
    if (k.driver)   /* the samples chain's head, on record at the close */
        journal_append_anchor(c->journal, clock_now_ms(), "engine", &err);
    rc = ceremony_append(c, EV_CONSOLE_CLOSE, body, clock_now_ms(), &err);
    free(body);
    /* what the journal cannot take within the wait stays in the spool */
    struct error left = {{0}};
    if (journal_writer_stop(c->journal, CLOSE_WAIT_MS, &left) != 0)
        fprintf(stderr, "cutover: %s\n", left.msg);
    if (headless && rc == 0)
        print_new(&k);
    driver_free(k.driver);
    jobrunner_free(k.jobs);
    loop_free(&k.loop);
    signal_loop = NULL;
    if (rc != 0) {
        fprintf(stderr, "cutover: %s\n", err.msg);
        return 1;
    }
    if (takeover)
        snprintf(takeover, PROMPT_MAX, "%s", k.takeover);
    if (!headless && !k.takeover[0])
        printf("journal: %s\n", journal_path);
    return k.exit_status;
}
