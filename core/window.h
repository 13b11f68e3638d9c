/* window.h — the cutover window: when traffic may move, e.g.
 *   Window: weekdays 14:00-16:00 UTC, not on the last day of the month
 * Pure functions of the time, in UTC. Outside the window the ramp holds;
 * an abort and a rollback are never held by it. */
#ifndef CUTOVER_WINDOW_H
#define CUTOVER_WINDOW_H

#include <stddef.h>
#include <stdint.h>

struct window {
    int set;
    unsigned days;        /* bit d set: weekday d allowed (0 = Sunday) */
    int start_min;        /* minutes after 00:00 UTC */
    int end_min;          /* exclusive; may be <= start (over midnight) */
    int not_last_day;     /* never on the last day of the month */
};

/* Parses the text after "Window:". 0, or -1 with why in err. */
int window_parse(const char *text, struct window *w, char *err, size_t len);

/* 1 when traffic may move at t. */
int window_open(const struct window *w, int64_t t_ms);

/* The end of the open window around t (t must be inside). */
int64_t window_closes(const struct window *w, int64_t t_ms);

/* The next time at or after t when the window is open (t if it is). */
int64_t window_next_open(const struct window *w, int64_t t_ms);

/* Length of one window in ms. */
int64_t window_length_ms(const struct window *w);

#endif
