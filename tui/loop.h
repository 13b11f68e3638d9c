/* loop.h — the one place the main thread waits: curl_multi_poll() over
 * every HTTP transfer, with the terminal and a wake-up pipe (for worker
 * threads and signal handlers) as extra descriptors, bounded by a timeout
 * set from the next timer. */
#ifndef CUTOVER_LOOP_H
#define CUTOVER_LOOP_H

#include <curl/curl.h>

struct loop {
    CURLM *multi;
    int wake_rd, wake_wr;
    int watch_stdin;
    int *extra_fds;   /* more descriptors to wake on (worker threads' pipes) */
    int n_extra, cap_extra;
};

enum loop_ready {
    LOOP_INPUT = 1, /* the terminal has bytes */
    LOOP_WOKEN = 2, /* someone wrote to the wake-up pipe */
    LOOP_EXTRA = 4, /* one of extra_fds is readable */
};

int loop_init(struct loop *l, int watch_stdin);
/* Adds a descriptor to wait on (the table grows as needed); -1 when fd < 0
 * or out of memory. */
int loop_add_fd(struct loop *l, int fd);
void loop_free(struct loop *l);

/* Runs curl's transfers as far as they go without waiting; returns the
 * number still running. */
int loop_perform(struct loop *l);

/* Waits at most timeout_ms of real time (a test clock's durations are
 * converted by the caller, clock_real_ms); returns a mask of enum
 * loop_ready. */
int loop_wait(struct loop *l, int timeout_ms);

/* Wakes loop_wait from any thread or a signal handler. */
void loop_wake(struct loop *l);

#endif
