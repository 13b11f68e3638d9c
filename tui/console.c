/* console.c — the loop of one console: wait (tui/loop.c), fold what others
 * journaled, answer keys, redraw. The screen is drawn from the session
 * only; every change goes through the journal first. */
#include "console.h"

#include <curses.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "core/events.h"
#include "core/http.h"
#include "core/signals.h"
#include "core/timefmt.h"
#include "core/watch.h"
#include "layout.h"
#include "loop.h"
#include "prompt.h"
#include "theme.h"

/* How often other consoles' events are looked for (ms): well inside the
 * one second in which an acknowledgement made elsewhere must show. */
#define POLL_MS 200

static volatile sig_atomic_t stop_requested;
static struct loop *signal_loop;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
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
    struct signals *signals;  /* the driving console polls; others read */
    struct watch watch;
    struct layout layout;
    struct prompt prompt;
    const char *mode;
    size_t selected;
    int text_scroll;
    int help, quit, dirty;
    char status[600];
    int status_alert;
    int64_t last_draw_s;
};

static void set_status(struct console *k, int alert, const char *msg)
{
    snprintf(k->status, sizeof k->status, "%s", msg);
    k->status_alert = alert;
    k->dirty = 1;
}

static struct view make_view(const struct console *k)
{
    return (struct view){.rb = k->c->rb, .s = &k->c->s, .name = k->c->name,
                         .role = k->c->role, .mode = k->mode,
                         .now_ms = clock_now_ms(), .selected = k->selected,
                         .text_scroll = k->text_scroll};
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

static void acknowledge(struct console *k)
{
    struct error err = {{0}};
    char msg[320];
    const struct rb_step *st = &k->c->rb->steps[k->selected];
    int rc = ceremony_ack(k->c, st->id, clock_now_ms(), msg, sizeof msg, &err);
    set_status(k, rc != 0, rc < 0 ? err.msg : msg);
}

static void write_note(struct console *k, const char *text)
{
    struct error err = {{0}};
    char *body = events_note_body(text);
    int rc = ceremony_append(k->c, EV_NOTE, body, clock_now_ms(), &err);
    free(body);
    if (rc == 0)
        rc = ceremony_refresh(k->c, NULL, NULL, &err);
    set_status(k, rc != 0, rc ? err.msg : "note journaled");
}

static void on_key(struct console *k, int ch)
{
    int page = k->layout.steps_rows > 3 ? k->layout.steps_rows - 3 : 1;
    if (k->prompt.active) {
        char text[PROMPT_MAX];
        int r = prompt_key(&k->prompt, ch, text);
        if (r == PROMPT_DONE && text[0])
            write_note(k, text);
        else if (r == PROMPT_CANCELLED)
            set_status(k, 0, "note cancelled");
        k->dirty = 1;
        return;
    }
    if (k->help) {
        k->help = 0;
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
    case 'n': prompt_open(&k->prompt, "note: "); break;
    case '?': k->help = 1; break;
    case 'q': k->quit = 1; break;
    case KEY_RESIZE: layout_resize(&k->layout); break;
    default: return;
    }
    k->dirty = 1;
}

static void draw(struct console *k)
{
    struct view v = make_view(k);
    const char *hint = k->status[0] ? k->status
        : "↑↓ move  a acknowledge  n note  ? help  q quit";
    layout_draw(&k->layout, &v, k->help, &k->prompt, hint,
                k->status[0] && k->status_alert);
    k->dirty = 0;
    k->last_draw_s = v.now_ms / 1000;
}

/* Headless: each new event as one line, for logs and tests. */
static int print_event(const struct journal_event *ev, void *ctx)
{
    (void)ctx;
    char t[16], what[1024];
    timefmt_hms_ms(ev->ts_ms, t, sizeof t);
    events_describe(ev, what, sizeof what);
    printf("%lld %s %s %s: %s\n", (long long)ev->seq, t, ev->actor, ev->kind, what);
    fflush(stdout);
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
    fflush(stdout);
}

static int screen_open(struct console *k)
{
    setlocale(LC_ALL, "");
    if (!initscr())
        return -1;
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    theme_init();
    const struct runbook *rb = k->c->rb;
    layout_init(&k->layout, rb->n_signals || rb->n_criteria, rb->n_criteria);
    return 0;
}

static void screen_close(struct console *k)
{
    layout_free(&k->layout);
    endwin();
}

/* Folds what other consoles journaled; in headless mode prints it. */
static void refresh_from_journal(struct console *k, int headless)
{
    int changed = journal_changed(k->c->journal);
    if (changed == 0)
        return;
    struct error err = {{0}};
    if (ceremony_refresh(k->c, headless ? print_event : NULL, NULL, &err) != 0)
        set_status(k, 1, err.msg);
    k->dirty = 1;
}

/* Outcomes → samples in the journal → folded → criteria judged, and each
 * change journaled. The journal comes first: what is shown was written. */
static void record_outcomes(struct console *k, struct signal_outcome *o, size_t n,
                            int64_t now)
{
    struct journal_sample samples[64];
    struct error err = {{0}};
    for (size_t i = 0; i < n; i++)
        samples[i] = (struct journal_sample){.ts_ms = o[i].at_ms, .signal = o[i].signal,
                                             .value = o[i].value, .has_value = o[i].has_value,
                                             .status = o[i].status};
    if (n && journal_append_samples(k->c->journal, samples, n, &err) != 0)
        set_status(k, 1, err.msg);
    (void)now;
}

static void poll_signals(struct console *k, int headless)
{
    if (!k->signals)
        return;
    int64_t now = clock_now_ms();
    struct signal_outcome out[64];
    size_t n = 0;
    loop_perform(&k->loop);
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(k->loop.multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        int mine = 0;
        struct http_request *r = http_of(msg->easy_handle);
        size_t room = sizeof out / sizeof out[0] - n;
        n += signals_on_done(k->signals, r, msg->data.result, now, out + n, room, &mine);
    }
    n += signals_collect_local(k->signals, now, out + n, sizeof out / sizeof out[0] - n);
    record_outcomes(k, out, n, now);
    struct error err = {{0}};
    if (ceremony_refresh(k->c, headless ? print_event : NULL, NULL, &err) != 0 ||
        watch_judge(&k->watch, &k->c->s, now, k->c->journal, &err) < 0 ||
        ceremony_refresh(k->c, headless ? print_event : NULL, NULL, &err) != 0)
        set_status(k, 1, err.msg);
    signals_start_due(k->signals, now);
    loop_perform(&k->loop);
    k->dirty |= n > 0;
}

static int wait_ms(const struct console *k)
{
    if (!k->signals)
        return POLL_MS;
    int64_t due = signals_wait_ms(k->signals, clock_now_ms());
    return due < POLL_MS ? (int)due : POLL_MS;
}

static void run_loop(struct console *k, int headless)
{
    while (!k->quit && !stop_requested) {
        int ready = loop_wait(&k->loop, wait_ms(k));
        poll_signals(k, headless);
        /* getch() also when no byte came: a resize (SIGWINCH) arrives as
         * KEY_RESIZE from ncurses, not as input on the descriptor. */
        (void)ready;
        if (!headless) {
            int ch;
            while ((ch = getch()) != ERR)
                on_key(k, ch);
        }
        refresh_from_journal(k, headless);
        if (!headless && (k->dirty || clock_now_ms() / 1000 != k->last_draw_s))
            draw(k);
    }
}

int console_run(struct ceremony *c, const char *mode, int headless,
                const char *journal_path)
{
    struct console k;
    memset(&k, 0, sizeof k);
    k.c = c;
    k.mode = mode;
    if (loop_init(&k.loop, !headless) != 0) {
        fprintf(stderr, "cutover: cannot set up the event loop\n");
        return 1;
    }
    catch_stop_signals(&k.loop);
    /* the console that runs the ceremony polls the signals and judges the
     * criteria; a joined console shows what the journal says of them */
    struct error err = {{0}};
    if (strcmp(mode, "join") != 0) {
        if (!(k.signals = signals_new(c->rb, k.loop.multi, &err)) ||
            watch_init(&k.watch, c->rb) != 0) {
            fprintf(stderr, "cutover: %s\n", err.msg[0] ? err.msg : "out of memory");
            signals_free(k.signals);
            loop_free(&k.loop);
            return 1;
        }
        k.loop.extra_fd = signals_wake_fd(k.signals);
    }

    if (headless)
        print_summary(c);
    char *body = events_console_body(c->name, c->role, mode);
    int rc = ceremony_append(c, EV_CONSOLE_OPEN, body, clock_now_ms(), &err);
    free(body);
    if (rc == 0)
        rc = ceremony_refresh(c, headless ? print_event : NULL, NULL, &err);
    if (rc != 0) {
        fprintf(stderr, "cutover: %s\n", err.msg);
        loop_free(&k.loop);
        return 1;
    }
    if (!headless && screen_open(&k) != 0) {
        fprintf(stderr, "cutover: cannot open the terminal\n");
        loop_free(&k.loop);
        return 1;
    }
    k.dirty = 1;
    run_loop(&k, headless);
    if (!headless)
        screen_close(&k);

    body = events_console_body(c->name, c->role, mode);
    rc = ceremony_append(c, EV_CONSOLE_CLOSE, body, clock_now_ms(), &err);
    free(body);
    if (headless && rc == 0)
        refresh_from_journal(&k, headless);
    signals_free(k.signals);
    watch_free(&k.watch);
    loop_free(&k.loop);
    signal_loop = NULL;
    if (rc != 0) {
        fprintf(stderr, "cutover: %s\n", err.msg);
        return 1;
    }
    if (!headless)
        printf("journal: %s\n", journal_path);
    return 0;
}
