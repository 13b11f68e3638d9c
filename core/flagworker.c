/* flagworker.c — one thread, one flag driver, a queue each way. */
#include "flagworker.h"

#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flags.h"

#define QUEUE 32

struct request {
    enum flag_op op;
    double percent;
    char purpose[16];
};

struct flagworker {
    const struct rb_system *sys;
    struct flag_driver *driver;
    char open_error[256];
    pthread_t thread;
    int started;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop, running;
    struct request queue[QUEUE];
    size_t n_queued;
    struct flag_result done[QUEUE];
    size_t n_done;
    int pipe_rd, pipe_wr;
};

static void post(struct flagworker *w, const struct flag_result *r)
{
    pthread_mutex_lock(&w->lock);
    if (w->n_done == QUEUE) {   /* the loop fell behind: keep the newest */
        memmove(w->done, w->done + 1, (QUEUE - 1) * sizeof w->done[0]);
        w->n_done--;
    }
    w->done[w->n_done++] = *r;
    pthread_mutex_unlock(&w->lock);
    ssize_t n = write(w->pipe_wr, "f", 1);
    (void)n;   /* a full pipe already wakes the loop */
}

/* Opens the driver if it is not open; 0 when usable. */
static int ensure_driver(struct flagworker *w, struct flag_result *r)
{
    if (w->driver)
        return 0;
    struct error err = {{0}};
    w->driver = flags_open(w->sys, &err);
    if (w->driver)
        return 0;
    r->ok = 0;
    snprintf(r->error, sizeof r->error, "%s", err.msg);
    return -1;
}

static void run(struct flagworker *w, const struct request *q)
{
    struct flag_result r = {.op = q->op, .percent = q->percent};
    snprintf(r.purpose, sizeof r.purpose, "%s", q->purpose);
    struct error err = {{0}};
    if (ensure_driver(w, &r) != 0) {
        post(w, &r);
        return;
    }
    if (q->op == FLAG_SET && strcmp(q->purpose, "rehearsal") == 0 &&
        flags_disabled(w->driver, &err) == 1) {
        /* writing it would switch it on: that is the commander's call */
        r.refused = 1;
        snprintf(r.error, sizeof r.error, "the flag is DISABLED and the rehearsal does not switch "
                 "it on: enable it by hand, or override (o) with a written reason");
        post(w, &r);
        return;
    }
    if (q->op == FLAG_SET) {
        int rc = flags_set(w->driver, q->percent, &err);
        r.ok = rc == 0;
        r.refused = rc == FLAGS_REFUSED;
        snprintf(r.error, sizeof r.error, "%s", r.ok ? "" : err.msg);
        post(w, &r);
        if (!r.ok)
            return;   /* no read-back of a set that failed: the caller retries */
        r.op = FLAG_READ;
    }
    double seen = NAN;
    r.ok = flags_read(w->driver, &seen, &err) == 0;
    r.percent = seen;
    if (r.ok && flags_rule(w->driver, r.rule, &err) != 0)
        r.ok = 0;   /* a share whose rule cannot be told is not known */
    snprintf(r.error, sizeof r.error, "%s", r.ok ? "" : err.msg);
    post(w, &r);
}

static void *work(void *p)
{
    struct flagworker *w = p;
    pthread_mutex_lock(&w->lock);
    while (!w->stop) {
        if (w->n_queued == 0) {
            pthread_cond_wait(&w->wake, &w->lock);
            continue;
        }
        struct request q = w->queue[0];
        memmove(w->queue, w->queue + 1, (w->n_queued - 1) * sizeof w->queue[0]);
        w->n_queued--;
        w->running = 1;
        pthread_mutex_unlock(&w->lock);
        run(w, &q);
        pthread_mutex_lock(&w->lock);
        w->running = 0;
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

struct flagworker *flagworker_new(const struct rb_system *sys, struct error *err)
{
    struct flagworker *w = calloc(1, sizeof *w);
    int fds[2];
    if (!w || pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        free(w);
        error_set(err, "cannot set up the flag worker");
        return NULL;
    }
    w->sys = sys;
    w->pipe_rd = fds[0];
    w->pipe_wr = fds[1];
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    if (pthread_create(&w->thread, NULL, work, w) != 0) {
        error_set(err, "cannot start the flag worker thread");
        flagworker_free(w);
        return NULL;
    }
    w->started = 1;
    return w;
}

static void ask(struct flagworker *w, enum flag_op op, double percent, const char *purpose)
{
    pthread_mutex_lock(&w->lock);
    if (strcmp(purpose, "rollback") == 0)
        w->n_queued = 0;        /* nothing queued may go ahead of a rollback */
    if (w->n_queued < QUEUE) {
        struct request *q = &w->queue[w->n_queued++];
        q->op = op;
        q->percent = percent;
        snprintf(q->purpose, sizeof q->purpose, "%s", purpose);
    }
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

void flagworker_set(struct flagworker *w, double percent, const char *purpose)
{
    ask(w, FLAG_SET, percent, purpose);
}

void flagworker_read(struct flagworker *w, const char *purpose)
{
    ask(w, FLAG_READ, NAN, purpose);
}

size_t flagworker_collect(struct flagworker *w, struct flag_result *out, size_t max)
{
    char buf[64];
    while (read(w->pipe_rd, buf, sizeof buf) > 0)
        ;
    pthread_mutex_lock(&w->lock);
    size_t n = w->n_done < max ? w->n_done : max;
    memcpy(out, w->done, n * sizeof out[0]);
    memmove(w->done, w->done + n, (w->n_done - n) * sizeof w->done[0]);
    w->n_done -= n;
    pthread_mutex_unlock(&w->lock);
    return n;
}

int flagworker_busy(struct flagworker *w)
{
    pthread_mutex_lock(&w->lock);
    int busy = w->running || w->n_queued > 0;
    pthread_mutex_unlock(&w->lock);
    return busy;
}

int flagworker_wake_fd(const struct flagworker *w)
{
    return w->pipe_rd;
}

void flagworker_free(struct flagworker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    if (w->started)
        pthread_join(w->thread, NULL);
    flags_close(w->driver);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    close(w->pipe_rd);
    close(w->pipe_wr);
    free(w);
}
