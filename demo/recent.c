/* recent.c — a fixed ring of recent (order id, customer id) pairs behind a
 * mutex (see recent.h). 1024 entries: about 20 s of writes at the default
 * rate, enough customers that the served share tracks the flag closely,
 * and recent enough that a divergence injected now shows in seconds. */
#include "recent.h"

#include <pthread.h>

#define RING 1024

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
    long long id, customer;
} ring[RING];
static unsigned long long pushed;

void recent_push(long long id, long long customer_id)
{
    pthread_mutex_lock(&mu);
    ring[pushed % RING].id = id;
    ring[pushed % RING].customer = customer_id;
    pushed++;
    pthread_mutex_unlock(&mu);
}

bool recent_pick(struct rng *r, long long *id, long long *customer_id)
{
    pthread_mutex_lock(&mu);
    unsigned long long n = pushed < RING ? pushed : RING;
    bool ok = n > 0;
    if (ok) {
        unsigned long long i = rng_next(r) % n;
        *id = ring[i].id;
        *customer_id = ring[i].customer;
    }
    pthread_mutex_unlock(&mu);
    return ok;
}
