/* order.h — one order, the row both stores hold: the same columns in
 * orders_legacy (old) and orders (new). `created` is UTC ISO-8601 text
 * with milliseconds; `written_by` names the writer path, so a writer audit
 * can tell the orders API from the forgotten monthly batch. */
#ifndef ORDERSIM_ORDER_H
#define ORDERSIM_ORDER_H

#include <stdbool.h>

#include "rng.h"

#define ORDER_TEXT 96

struct order {
    long long id; /* 0 until the old store assigns it */
    long long customer_id;
    long long total_cents;
    char status[24];
    char note[ORDER_TEXT];
    bool note_null; /* SQL NULL, not the empty string */
    char created[32];
    char written_by[32];
};

/* The names of the writer paths, as stored in written_by and sent as
 * PostgreSQL's application_name. */
#define WRITER_API "orders-api"
#define WRITER_BATCH "monthly-batch"

/* A plausible new order for a customer in 1..customers, created at wall
 * (seconds since the epoch). Some notes are empty strings on purpose: the
 * null_for_empty divergence needs them. */
void order_random(struct order *o, struct rng *r, long long customers, const char *writer,
                  double wall);

/* Sets created from a wall time: "2025-11-25T09:22:01.123Z". */
void order_stamp(struct order *o, double wall);

/* Column-by-column equality, NULL and '' told apart. */
bool order_equal(const struct order *a, const struct order *b);

#endif
