/* recent.h — the orders the dual-writer wrote most recently, which is what
 * the readers read ("customers look at their recent orders"). Reads thus
 * only ever touch rows that went through dual-write: the first run's
 * history and the monthly batch's rows, which are in old only until a
 * backfill, never show up as shadow-read divergence on their own. */
#ifndef ORDERSIM_RECENT_H
#define ORDERSIM_RECENT_H

#include <stdbool.h>

#include "rng.h"

void recent_push(long long id, long long customer_id);

/* A uniformly chosen recent order; false while there is none yet. */
bool recent_pick(struct rng *r, long long *id, long long *customer_id);

#endif
