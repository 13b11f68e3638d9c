/* sim.c — the process's lifetime and clocks (see sim.h). The stop is a
 * condition variable on the monotonic clock, so a thread waiting for its
 * next slot (the monthly batch waits seconds) leaves the moment SIGTERM
 * arrives, and a wall-clock jump never stretches a wait. */
#include "sim.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

static atomic_bool stopping;
static pthread_mutex_t stop_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cv;
static pthread_once_t stop_once = PTHREAD_ONCE_INIT;

static void stop_cv_init(void)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&stop_cv, &a);
    pthread_condattr_destroy(&a);
}

const char *sim_backend_name(enum backend b)
{
    return b == BACKEND_NEW ? "new" : "old";
}

static double clock_seconds(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double sim_now(void)
{
    return clock_seconds(CLOCK_MONOTONIC);
}

double sim_wall(void)
{
    return clock_seconds(CLOCK_REALTIME);
}

bool sim_stopping(void)
{
    return atomic_load(&stopping);
}

void sim_stop(void)
{
    pthread_once(&stop_once, stop_cv_init);
    pthread_mutex_lock(&stop_mu);
    atomic_store(&stopping, true);
    pthread_cond_broadcast(&stop_cv);
    pthread_mutex_unlock(&stop_mu);
}

bool sim_wait_until(double t)
{
    pthread_once(&stop_once, stop_cv_init);
    struct timespec ts;
    ts.tv_sec = (time_t)t;
    ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
    if (ts.tv_nsec >= 1000000000L)
        ts.tv_nsec = 999999999L;
    pthread_mutex_lock(&stop_mu);
    int rc = 0;
    while (!atomic_load(&stopping) && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&stop_cv, &stop_mu, &ts);
    pthread_mutex_unlock(&stop_mu);
    return !atomic_load(&stopping);
}

void sim_sleep(double seconds)
{
    if (!(seconds > 0))
        return;
    struct timespec ts;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

void pacer_init(struct pacer *p, double per_second, double first_delay)
{
    p->interval = per_second > 0 ? 1.0 / per_second : 1.0;
    p->next = sim_now() + first_delay;
}

bool pacer_wait(struct pacer *p)
{
    double now = sim_now();
    if (p->next < now - 1.0)
        p->next = now;
    bool ok = sim_wait_until(p->next);
    p->next += p->interval;
    return ok;
}

static void vlog(const char *fmt, va_list ap)
{
    char msg[1024], stamp[32];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* one fprintf per line: stdio locks the stream, so lines from several
     * threads never interleave */
    fprintf(stderr, "ordersim: %s.%03ldZ %s\n", stamp, ts.tv_nsec / 1000000, msg);
}

void sim_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(fmt, ap);
    va_end(ap);
}

void sim_log_limited(struct log_limit *l, const char *fmt, ...)
{
    double now = sim_now();
    if (l->last != 0 && now - l->last < 1.0) {
        l->held++;
        return;
    }
    if (l->held)
        sim_log("(%lu similar lines held back)", l->held);
    l->last = now;
    l->held = 0;
    va_list ap;
    va_start(ap, fmt);
    vlog(fmt, ap);
    va_end(ap);
}
