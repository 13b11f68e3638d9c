/* offloop.c — the background thread of offloop.h: a mutex, a condition and
 * a singly linked queue; a job's `done` is read and written under the lock. */
#include "offloop.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

struct offloop {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    int stop;
    int wake_fd;
    struct offloop_job *head, *tail;
};

static void *offloop_main(void *p)
{
    struct offloop *o = p;
    pthread_mutex_lock(&o->lock);
    for (;;) {
        while (!o->stop && !o->head)
            pthread_cond_wait(&o->wake, &o->lock);
        if (o->stop)
            break;
        struct offloop_job *job = o->head;
        o->head = job->next;
        if (!o->head)
            o->tail = NULL;
        pthread_mutex_unlock(&o->lock);
        job->run(job->arg);
        pthread_mutex_lock(&o->lock);
        job->done = 1;
        ssize_t n = write(o->wake_fd, "j", 1);
        (void)n;   /* a full pipe already wakes the loop */
    }
    pthread_mutex_unlock(&o->lock);
    return NULL;
}

struct offloop *offloop_new(int wake_fd, struct error *err)
{
    struct offloop *o = calloc(1, sizeof *o);
    if (!o) {
        error_set(err, "out of memory");
        return NULL;
    }
    o->wake_fd = wake_fd;
    pthread_mutex_init(&o->lock, NULL);
    pthread_cond_init(&o->wake, NULL);
    if (pthread_create(&o->thread, NULL, offloop_main, o) != 0) {
        pthread_mutex_destroy(&o->lock);
        pthread_cond_destroy(&o->wake);
        free(o);
        error_set(err, "cannot start a background thread");
        return NULL;
    }
    return o;
}

int offloop_submit(struct offloop *o, struct offloop_job *job)
{
    pthread_mutex_lock(&o->lock);
    int busy = job->queued && !job->done;
    if (!busy) {
        job->queued = 1;
        job->done = 0;
        job->next = NULL;
        if (o->tail)
            o->tail->next = job;
        else
            o->head = job;
        o->tail = job;
        pthread_cond_signal(&o->wake);
    }
    pthread_mutex_unlock(&o->lock);
    return busy ? -1 : 0;
}

int offloop_done(struct offloop *o, const struct offloop_job *job)
{
    pthread_mutex_lock(&o->lock);
    int done = job->queued && job->done;
    pthread_mutex_unlock(&o->lock);
    return done;
}

void offloop_free(struct offloop *o)
{
    if (!o)
        return;
    pthread_mutex_lock(&o->lock);
    o->stop = 1;
    o->head = o->tail = NULL;
    pthread_cond_signal(&o->wake);
    pthread_mutex_unlock(&o->lock);
    pthread_join(o->thread, NULL);
    pthread_mutex_destroy(&o->lock);
    pthread_cond_destroy(&o->wake);
    free(o);
}
