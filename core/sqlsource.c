/* sqlsource.c — worker threads that run signal queries.
 *
 * One mutex guards the slots and the finished answers; each worker waits
 * on the condition variable for a slot of its store to be requested, runs
 * it without the lock, posts the answer and writes a byte to the pipe. A
 * lost connection is reopened on the next request. */
#include "sqlsource.h"

#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "envsubst.h"

#define QUERY_TIMEOUT_MS 2000

struct slot {
    const char *signal, *sql;
    size_t worker;
    int requested, running, done;
    int64_t requested_ms;
    int rc;                 /* 1 value, 0 no data, -1 error */
    double value;
    char error[256];
};

struct worker {
    const struct rb_system *sys;
    pthread_t thread;
    int started;
    struct db *db;
    struct sqlsource *q;
};

struct sqlsource {
    pthread_mutex_t lock;
    pthread_cond_t wake_workers;
    int stop;
    int pipe_wr;            /* the loop's wake-up pipe (not ours) */
    struct slot *slots;
    size_t n_slots;
    struct worker *workers;
    size_t n_workers;
};

struct sqlsource *sqlsource_new(int wake_fd, struct error *err)
{
    struct sqlsource *q = calloc(1, sizeof *q);
    if (!q) {
        error_set(err, "out of memory");
        return NULL;
    }
    q->pipe_wr = wake_fd;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->wake_workers, NULL);
    return q;
}

static size_t worker_for(struct sqlsource *q, const struct rb_system *sys, struct error *err)
{
    for (size_t i = 0; i < q->n_workers; i++)
        if (q->workers[i].sys == sys)
            return i;
    struct worker *w = realloc(q->workers, (q->n_workers + 1) * sizeof *w);
    if (!w) {
        error_set(err, "out of memory");
        return (size_t)-1;
    }
    q->workers = w;
    memset(&w[q->n_workers], 0, sizeof *w);
    w[q->n_workers].sys = sys;
    w[q->n_workers].q = q;
    return q->n_workers++;
}

int sqlsource_add(struct sqlsource *q, const struct rb_system *sys, const char *signal,
                  const char *sql, size_t *slot, struct error *err)
{
    size_t w = worker_for(q, sys, err);
    struct slot *s = w == (size_t)-1 ? NULL : realloc(q->slots, (q->n_slots + 1) * sizeof *s);
    if (!s)
        return -1;
    q->slots = s;
    memset(&s[q->n_slots], 0, sizeof *s);
    s[q->n_slots].signal = signal;
    s[q->n_slots].sql = sql;
    s[q->n_slots].worker = w;
    *slot = q->n_slots++;
    return 0;
}

/* Sets the worker's connection; under the lock, so sqlsource_free can
 * interrupt whatever connection a worker is using. */
static void worker_set_db(struct worker *w, struct db *db)
{
    pthread_mutex_lock(&w->q->lock);
    w->db = db;
    if (db && w->q->stop)
        db_interrupt(db);
    pthread_mutex_unlock(&w->q->lock);
}

/* Runs one query; called without the lock. */
static void answer(struct worker *w, struct slot *s, double *value, int *rc, char *error,
                   size_t len)
{
    struct error err = {{0}};
    if (!w->db) {
        char *conn = envsubst(w->sys->conn, &err);
        struct db *db = NULL;
        if (conn)
            db_open(w->sys->kind, conn, &db, &err);
        free(conn);
        worker_set_db(w, db);
    }
    *rc = w->db ? db_query_number(w->db, s->sql, QUERY_TIMEOUT_MS, value, &err) : -1;
    snprintf(error, len, "%s", err.msg);
    if (*rc < 0 && w->db && (strstr(err.msg, "connect") || !db_usable(w->db))) {
        struct db *old = w->db;   /* reconnect next time */
        worker_set_db(w, NULL);
        db_close(old);
    }
}

static struct slot *next_request(struct worker *w)
{
    struct sqlsource *q = w->q;
    for (size_t i = 0; i < q->n_slots; i++) {
        struct slot *s = &q->slots[i];
        if (s->worker == (size_t)(w - q->workers) && s->requested && !s->running)
            return s;
    }
    return NULL;
}

static void *work(void *p)
{
    struct worker *w = p;
    struct sqlsource *q = w->q;
    pthread_mutex_lock(&q->lock);
    while (!q->stop) {
        struct slot *s = next_request(w);
        if (!s) {
            pthread_cond_wait(&q->wake_workers, &q->lock);
            continue;
        }
        s->running = 1;
        pthread_mutex_unlock(&q->lock);
        double value = NAN;
        int rc;
        char error[256];
        answer(w, s, &value, &rc, error, sizeof error);
        pthread_mutex_lock(&q->lock);
        s->rc = rc;
        s->value = value;
        memcpy(s->error, error, sizeof error);
        s->running = s->requested = 0;
        s->done = 1;
        ssize_t n = write(q->pipe_wr, "s", 1);
        (void)n;   /* a full pipe already wakes the loop */
    }
    struct db *db = w->db;
    w->db = NULL;
    pthread_mutex_unlock(&q->lock);
    db_close(db);
    return NULL;
}

int sqlsource_start(struct sqlsource *q, struct error *err)
{
    for (size_t i = 0; i < q->n_workers; i++) {
        if (pthread_create(&q->workers[i].thread, NULL, work, &q->workers[i]) != 0) {
            error_set(err, "cannot start a SQL worker thread");
            return -1;
        }
        q->workers[i].started = 1;
    }
    return 0;
}

void sqlsource_request(struct sqlsource *q, size_t slot, int64_t now_ms)
{
    pthread_mutex_lock(&q->lock);
    struct slot *s = &q->slots[slot];
    if (!s->requested) {
        s->requested = 1;
        s->requested_ms = now_ms;
        pthread_cond_broadcast(&q->wake_workers);
    }
    pthread_mutex_unlock(&q->lock);
}

size_t sqlsource_collect(struct sqlsource *q, int64_t now_ms, struct signal_outcome *out,
                         size_t max)
{
    size_t n = 0;
    pthread_mutex_lock(&q->lock);
    for (size_t i = 0; i < q->n_slots && n < max; i++) {
        struct slot *s = &q->slots[i];
        if (!s->done)
            continue;
        s->done = 0;
        struct signal_outcome *o = &out[n++];
        memset(o, 0, sizeof *o);
        o->signal = s->signal;
        o->at_ms = now_ms;
        o->latency_ms = now_ms - s->requested_ms;
        o->has_value = s->rc == 1 && isfinite(s->value);
        o->value = s->value;
        if (s->rc == 1 && !o->has_value)
            snprintf(o->status, sizeof o->status, "no data: the value is %g", s->value);
        else if (s->rc == 1)
            snprintf(o->status, sizeof o->status, "ok");
        else if (s->rc == 0)
            snprintf(o->status, sizeof o->status, "no data: the query returned no row or NULL");
        else
            snprintf(o->status, sizeof o->status, "error: %s", s->error);
    }
    pthread_mutex_unlock(&q->lock);
    return n;
}

void sqlsource_free(struct sqlsource *q)
{
    if (!q)
        return;
    /* a worker stuck in a statement is interrupted, not waited for */
    pthread_mutex_lock(&q->lock);
    q->stop = 1;
    for (size_t i = 0; i < q->n_workers; i++)
        if (q->workers[i].db)
            db_interrupt(q->workers[i].db);
    pthread_cond_broadcast(&q->wake_workers);
    pthread_mutex_unlock(&q->lock);
    for (size_t i = 0; i < q->n_workers; i++)
        if (q->workers[i].started)
            pthread_join(q->workers[i].thread, NULL);
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->wake_workers);
    free(q->slots);
    free(q->workers);
    free(q);
}
