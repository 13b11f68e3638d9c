/* offloop.h — one background thread that runs jobs the event loop must not
 * wait for (parsing and evaluating a 30 MB exposition takes seconds), in
 * the order they were queued, and pokes the loop's wake-up descriptor when
 * each is done. The caller owns each job and polls offloop_done. */
#ifndef CUTOVER_OFFLOOP_H
#define CUTOVER_OFFLOOP_H

#include "error.h"

struct offloop_job {
    void (*run)(void *arg);   /* runs on the thread */
    void *arg;
    int queued;               /* fields below are the offloop's */
    int done;
    struct offloop_job *next;
};

struct offloop;

/* wake_fd: a descriptor the thread writes one byte to after each job (the
 * loop's wake-up pipe; not owned). */
struct offloop *offloop_new(int wake_fd, struct error *err);

/* Queues job (which must stay alive until offloop_done says 1, or until
 * offloop_free). Returns -1 when it is already queued and not done. */
int offloop_submit(struct offloop *o, struct offloop_job *job);

/* 1 once the job ran; a job that was never submitted is not done. */
int offloop_done(struct offloop *o, const struct offloop_job *job);

/* Waits for the running job (never for the queued ones, which are dropped). */
void offloop_free(struct offloop *o);

#endif
