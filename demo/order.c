/* order.c — making, stamping and comparing orders (see order.h). */
#include "order.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const statuses[] = {"new", "paid", "paid", "shipped", "delivered"};
/* about a third empty: '' is what the null_for_empty divergence turns into
 * NULL on the new side */
static const char *const notes[] = {"", "", "", "leave at the door", "gift wrap",
                                    "call before delivery", "fragile", "", "ring twice"};

void order_stamp(struct order *o, double wall)
{
    time_t secs = (time_t)wall;
    int ms = (int)((wall - (double)secs) * 1000.0);
    if (ms < 0)
        ms = 0;
    if (ms > 999)
        ms = 999;
    struct tm tm;
    gmtime_r(&secs, &tm);
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(o->created, sizeof o->created, "%s.%03dZ", base, ms);
}

void order_random(struct order *o, struct rng *r, long long customers, const char *writer,
                  double wall)
{
    memset(o, 0, sizeof *o);
    o->customer_id = rng_range(r, 1, customers > 0 ? customers : 1);
    o->total_cents = rng_range(r, 199, 49999);
    snprintf(o->status, sizeof o->status, "%s",
             statuses[rng_range(r, 0, (long long)(sizeof statuses / sizeof *statuses) - 1)]);
    snprintf(o->note, sizeof o->note, "%s",
             notes[rng_range(r, 0, (long long)(sizeof notes / sizeof *notes) - 1)]);
    snprintf(o->written_by, sizeof o->written_by, "%s", writer);
    order_stamp(o, wall);
}

bool order_equal(const struct order *a, const struct order *b)
{
    return a->id == b->id && a->customer_id == b->customer_id &&
           a->total_cents == b->total_cents && strcmp(a->status, b->status) == 0 &&
           a->note_null == b->note_null && (a->note_null || strcmp(a->note, b->note) == 0) &&
           strcmp(a->created, b->created) == 0 && strcmp(a->written_by, b->written_by) == 0;
}
