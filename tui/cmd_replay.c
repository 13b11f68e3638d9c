/* cmd_replay.c — `cutover replay JOURNAL [--at TIME]`: the post-mortem's
 * console. The same screens as the live cockpit, redrawn as they were at a
 * moving point in time, from the journal alone (no network, no database;
 * the runbook is in the journal). Nothing can be changed and nothing is
 * written: the journal is opened read-only (core/replay.c).
 *
 * Keys: space plays and pauses; 1 2 3 4 set the speed (1×, 10×, 60×,
 * 600×); . and , step to the next or previous event; a h o k jump to the
 * next abort, halt, override or acknowledgement (A H O K: the previous);
 * ← → move a minute, Home End to the start and the end; g goes to a typed
 * time; ↑ ↓ or a click select a step; w and p show the writer audit and
 * who was present, as of the moment shown; q quits. */
#include <curses.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "core/flags.h"
#include "core/gatefold.h"
#include "core/panels_decl.h"
#include "core/ramp.h"
#include "core/replay.h"
#include "core/timefmt.h"
#include "hangup.h"
#include "journal_path.h"
#include "layout.h"
#include "outmask.h"
#include "prompt.h"
#include "theme.h"
#include "timearg.h"

static const int speeds[] = {1, 10, 60, 600};

struct player {
    struct replay *r;
    const char *path;
    struct layout layout;
    struct prompt prompt;
    int64_t t;             /* the moment shown */
    int playing, speed;    /* speed: an index into speeds */
    size_t selected;
    int help;
    int writers;      /* the writer audit's panel is shown (w) */
    int presence;     /* who was on which console, as of p->t (p) */
    char status[400];
    int alert;
    int quit;
    char flag_name[160];   /* as the driving console's ramp bar names it; "" none */
};

static int64_t real_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void say(struct player *p, int alert, const char *fmt, const char *arg)
{
    snprintf(p->status, sizeof p->status, fmt, arg);
    p->alert = alert;
}

static void seek_time(struct player *p, int64_t t)
{
    int64_t first = replay_first_ms(p->r), last = replay_last_ms(p->r);
    p->t = t < first ? first : t > last ? last : t;
    struct error err = {{0}};
    if (replay_seek_time(p->r, p->t, &err) != 0)
        say(p, 1, "replay: %s", err.msg);
}

/* To the screen just after the event that ends at position k. */
static void seek_row(struct player *p, size_t k, const char *what)
{
    if (k == (size_t)-1) {
        say(p, 0, "no %s that way", what);
        return;
    }
    p->playing = 0;
    p->t = replay_row_ms(p->r, k - 1);
    struct error err = {{0}};
    if (replay_seek_row(p->r, k, &err) != 0)
        say(p, 1, "replay: %s", err.msg);
    else
        p->status[0] = '\0';
}

static void jump(struct player *p, enum replay_mark mark, int dir, const char *what)
{
    seek_row(p, replay_find(p->r, replay_position(p->r), mark, dir), what);
}

/* The replay bar: where events cluster, and where we are. */
static void timeline(const struct player *p, char *buf, size_t len, int width)
{
    static const char *const levels[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    unsigned bins[256];
    if (width > 256)
        width = 256;
    buf[0] = '\0';
    if (width < 8)
        return;
    int64_t first = replay_first_ms(p->r), last = replay_last_ms(p->r);
    replay_histogram(p->r, first, last, bins, (size_t)width);
    unsigned top = 1;
    for (int i = 0; i < width; i++)
        top = bins[i] > top ? bins[i] : top;
    int at = last > first ? (int)((double)(p->t - first) / (double)(last - first) * (width - 1)) : 0;
    size_t used = 0;
    for (int i = 0; i < width && used + 8 < len; i++) {
        const char *cell = i == at ? "◆" : levels[bins[i] ? 1 + bins[i] * 7 / top : 0];
        used += (size_t)snprintf(buf + used, len - used, "%s", cell);
    }
}

/* The screen's view at the moment shown; d holds its ramp decision. */
static struct view make_view(struct player *p, struct ramp_decision *d)
{
    const struct runbook *rb = replay_runbook(p->r);
    /* the flag as the driving console's ramp bar named it (the runbook in force then) */
    const struct rb_system *flag = runbook_system(rb, "flag");
    p->flag_name[0] = '\0';
    if (flag && rb->n_ramp)
        flags_display_name(flag, p->flag_name, sizeof p->flag_name);
    const struct session *s = replay_session(p->r);
    *d = ramp_decide(rb, s, p->t);
    struct view v = {.rb = rb, .s = s, .name = VIEW_REPLAY_NAME, .role = VIEW_REPLAY_ROLE,
                     .mode = "replay",
                     .now_ms = p->t, .selected = p->selected, .decision = d,
                     .journal_path = p->path, .journal_alert = replay_damage(p->r),
                     .flag_name = p->flag_name[0] ? p->flag_name : NULL,
                     .palette = theme_palette(), .test_clock = replay_test_clock(p->r)};
    v.eta_in.gates_open_at_ms = gatefold_earliest_open(s);
    view_derive(&v);
    return v;
}

/* The overlay shown, if any: presence (p) over the writers (w). */
static int shown_overlay(const struct player *p)
{
    return p->help       ? LAYOUT_OVERLAY_HELP
         : p->presence ? LAYOUT_OVERLAY_PRESENCE
         : p->writers  ? LAYOUT_OVERLAY_WRITERS : 0;
}

static void draw(struct player *p)
{
    struct ramp_decision d;
    struct view v = make_view(p, &d);
    char line[1600], when[40], bar[1200];
    timefmt_full(p->t, when, sizeof when);
    int cols = getmaxx(stdscr);
    if (p->status[0]) {
        layout_draw(&p->layout, &v, shown_overlay(p), &p->prompt, p->status, p->alert);
        return;
    }
    int head = snprintf(line, sizeof line, " REPLAY %s×%d  %s  row %zu/%zu  ",
                        p->playing ? "▶ " : "❚❚ ", speeds[p->speed], when,
                        replay_position(p->r), replay_rows(p->r));
    int width = cols - head - 10;
    timeline(p, bar, sizeof bar, width);
    snprintf(line + head, sizeof line - (size_t)head, "%s  ? keys", bar);
    layout_draw(&p->layout, &v, shown_overlay(p), &p->prompt, line, replay_damage(p->r) != NULL);
}

static void on_prompt(struct player *p, int ch)
{
    char text[PROMPT_MAX];
    int rc = prompt_key(&p->prompt, ch, text);
    if (rc != PROMPT_DONE)
        return;
    int64_t t;
    if (timearg_parse(text, p->t, &t) != 0) {
        say(p, 1, "not a time: '%s' (14:03, 14:03:22, 2026-11-25 14:03:22 UTC)", text);
        return;
    }
    p->playing = 0;
    seek_time(p, t);
    if (t < replay_first_ms(p->r) || t > replay_last_ms(p->r))
        say(p, 0, "%s is outside the journal: shown at its nearest end", text);
}

static void on_key(struct player *p, int ch)
{
    if (p->prompt.active) {
        on_prompt(p, ch);
        return;
    }
    if (ch != ERR && ch != KEY_RESIZE)
        p->status[0] = '\0';
    if (p->help && ch != ERR && ch != KEY_RESIZE) {   /* any key closes the keys */
        p->help = 0;
        return;
    }
    if (layout_key(&p->layout, ch))   /* the charts' span, the journal's scroll and filters */
        return;
    switch (ch) {
    case 'q': p->quit = 1; break;
    case ' ':
        if (!p->playing && p->t >= replay_last_ms(p->r))
            seek_time(p, replay_first_ms(p->r));   /* play again from the start */
        p->playing = !p->playing;
        break;
    case '1': case '2': case '3': case '4': p->speed = ch - '1'; break;
    case '.': jump(p, REPLAY_EVENT, 1, "event"); break;
    case ',': jump(p, REPLAY_EVENT, -1, "event"); break;
    case 'a': jump(p, REPLAY_ABORT, 1, "abort"); break;
    case 'A': jump(p, REPLAY_ABORT, -1, "abort"); break;
    case 'h': jump(p, REPLAY_HALT, 1, "halt"); break;
    case 'H': jump(p, REPLAY_HALT, -1, "halt"); break;
    case 'o': jump(p, REPLAY_OVERRIDE, 1, "override"); break;
    case 'O': jump(p, REPLAY_OVERRIDE, -1, "override"); break;
    case 'k': jump(p, REPLAY_ACK, 1, "acknowledgement"); break;
    case 'K': jump(p, REPLAY_ACK, -1, "acknowledgement"); break;
    case KEY_RIGHT: p->playing = 0; seek_time(p, p->t + 60000); break;
    case KEY_LEFT: p->playing = 0; seek_time(p, p->t - 60000); break;
    case KEY_HOME: p->playing = 0; seek_time(p, replay_first_ms(p->r)); break;
    case KEY_END: p->playing = 0; seek_time(p, replay_last_ms(p->r)); break;
    case KEY_UP: if (p->selected > 0) p->selected--; break;
    case KEY_DOWN:
        if (p->selected + 1 < replay_runbook(p->r)->n_steps)
            p->selected++;
        break;
    case 'g': p->playing = 0; prompt_open(&p->prompt, "go to (UTC, e.g. 14:03:22 or 14:03:22.250): "); break;
    case '?': p->help = 1; break;
    case 'w': p->writers = !p->writers; break;
    case 'p': p->presence = !p->presence; break;
    case KEY_MOUSE: {   /* a click on a step selects it, as on the live console */
        struct ramp_decision d;
        struct view v = make_view(p, &d);
        ptrdiff_t i = layout_clicked_step(&p->layout, &v);
        if (i >= 0)
            p->selected = (size_t)i;
        break;
    }
    case KEY_RESIZE: layout_resize(&p->layout); break;
    default: break;
    }
}

static void play(struct player *p)
{
    int64_t last_tick = real_ms();
    while (!p->quit) {
        draw(p);
        struct pollfd pf = {.fd = 0, .events = POLLIN};
        poll(&pf, 1, p->playing ? 50 : 1000);
        if (terminal_gone())
            break;   /* nobody watches: as on SIGHUP */
        int ch;
        while ((ch = getch()) != ERR)
            on_key(p, ch);
        struct error err = {{0}};
        if (replay_check_verified(p->r, 0, &err) > 0 && p->t > replay_last_ms(p->r))
            p->t = replay_last_ms(p->r);   /* the rows past a bad one are gone: at the end now */
        else if (err.msg[0])
            say(p, 1, "replay: %s", err.msg);
        int64_t now = real_ms();
        if (p->playing) {
            seek_time(p, p->t + (now - last_tick) * speeds[p->speed]);
            if (p->t >= replay_last_ms(p->r))
                p->playing = 0;
        }
        last_tick = now;
    }
}

int cmd_replay(int argc, char **argv)
{
    const char *path = NULL, *at = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--at") && i + 1 < argc)
            at = argv[++i];
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else
            return usage_of("replay");
    }
    if (!path)
        return usage_of("replay");
    char why[300];
    if (journal_path_existing(path, why, sizeof why) != 0) {
        fprintf(stderr, "cutover: %s\n", why);
        return EXIT_FAILED;
    }
    struct player p = {.path = path};
    struct error err = {{0}};
    if (replay_open(path, &p.r, &err) != 0) {
        fprintf(stderr, "cutover: %s\n", err.msg);
        return EXIT_FAILED;
    }
    int64_t t = replay_first_ms(p.r);
    if (at && timearg_parse(at, t, &t) != 0) {
        fprintf(stderr, "cutover: --at %s: not a time (2026-11-25T14:03:22Z, 14:03:22 or epoch seconds)\n", at);
        replay_close(p.r);
        return EXIT_USAGE;
    }
    seek_time(&p, t);
    if (!isatty(0) || !isatty(1)) {
        fprintf(stderr, "cutover: replay needs a terminal\n");
        replay_close(p.r);
        return EXIT_FAILED;
    }
    setlocale(LC_ALL, "");
    if (!newterm(NULL, outmask_terminal(), stdin)) {
        fprintf(stderr, "cutover: cannot open the terminal\n");
        replay_close(p.r);
        return EXIT_FAILED;
    }
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    theme_init();
    const struct runbook *rb = replay_runbook(p.r);
    struct panels_decls panels = {0};
    panels_parse(rb, &panels);   /* a bad ## Panels draws what is valid, as live */
    layout_init(&p.layout, rb->n_signals || rb->n_criteria, rb->n_criteria, rb->n_ramp > 0,
                &panels);
    play(&p);
    layout_free(&p.layout);
    panels_decls_free(&panels);
    endwin();
    replay_close(p.r);
    return EXIT_OK;
}
