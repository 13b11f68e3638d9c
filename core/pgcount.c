/* pgcount.c — a count on a connection and thread of its own (pgcount.h). */
#include "pgcount.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct pgcount {
    pthread_t thread;
    pthread_mutex_t mu;
    char **keys, **values;    /* like's parameters, NULL-terminated */
    char *sql;
    PGcancel *cancel;         /* while the query runs */
    int cancelled;
    int state;                /* 0 running, 1 counted, -1 failed (set under mu) */
    int joined;
    int64_t n;
};

static void set_state(struct pgcount *c, int state, int64_t n)
{
    pthread_mutex_lock(&c->mu);
    c->n = n;
    c->state = state;
    pthread_mutex_unlock(&c->mu);
}

static void *count_main(void *p)
{
    struct pgcount *c = p;
    PGconn *pg = PQconnectdbParams((const char *const *)c->keys,
                                   (const char *const *)c->values, 0);
    PGresult *r = NULL;
    int ok = PQstatus(pg) == CONNECTION_OK;
    if (ok) {
        pthread_mutex_lock(&c->mu);
        c->cancel = c->cancelled ? NULL : PQgetCancel(pg);
        ok = c->cancel != NULL;
        pthread_mutex_unlock(&c->mu);
    }
    if (ok) {
        r = PQexec(pg, c->sql);
        ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && PQnfields(r) == 1;
    }
    int64_t n = ok ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    PQclear(r);
    pthread_mutex_lock(&c->mu);
    if (c->cancel)
        PQfreeCancel(c->cancel);
    c->cancel = NULL;
    pthread_mutex_unlock(&c->mu);
    PQfinish(pg);
    set_state(c, ok ? 1 : -1, n);
    return NULL;
}

static void strings_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

static void count_free(struct pgcount *c)
{
    strings_free(c->keys);
    strings_free(c->values);
    free(c->sql);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

struct pgcount *pgcount_start(PGconn *like, const char *sql)
{
    PQconninfoOption *opts = PQconninfo(like);
    struct pgcount *c = opts ? calloc(1, sizeof *c) : NULL;
    if (!c) {
        PQconninfoFree(opts);
        return NULL;
    }
    pthread_mutex_init(&c->mu, NULL);
    size_t n = 0;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        n += o->val != NULL;
    c->keys = calloc(n + 1, sizeof *c->keys);
    c->values = calloc(n + 1, sizeof *c->values);
    c->sql = strdup(sql);
    int ok = c->keys && c->values && c->sql;
    size_t k = 0;
    for (PQconninfoOption *o = opts; ok && o->keyword; o++) {
        if (!o->val)
            continue;
        c->keys[k] = strdup(o->keyword);
        c->values[k] = strdup(o->val);
        ok = c->keys[k] && c->values[k];
        k++;
    }
    PQconninfoFree(opts);
    if (!ok || pthread_create(&c->thread, NULL, count_main, c) != 0) {
        count_free(c);
        return NULL;
    }
    return c;
}

int pgcount_poll(struct pgcount *c, int64_t *n)
{
    pthread_mutex_lock(&c->mu);
    int state = c->state;
    *n = c->n;
    pthread_mutex_unlock(&c->mu);
    return state;
}

int pgcount_wait(struct pgcount *c, int64_t *n)
{
    if (!c->joined)
        pthread_join(c->thread, NULL);
    c->joined = 1;
    return pgcount_poll(c, n);
}

void pgcount_free(struct pgcount *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->cancelled = 1;
    if (c->cancel) {
        char why[64];
        PQcancel(c->cancel, why, sizeof why);
    }
    pthread_mutex_unlock(&c->mu);
    if (!c->joined)
        pthread_join(c->thread, NULL);
    count_free(c);
}
