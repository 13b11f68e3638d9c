/* pgcount.h — a PostgreSQL table counted beside the work: `SELECT
 * count(*)` on a connection of its own (made with another connection's
 * parameters), on a thread, so that a backfill's first batches need not
 * wait for a full scan of old. */
#ifndef CUTOVER_PGCOUNT_H
#define CUTOVER_PGCOUNT_H

#include <libpq-fe.h>
#include <stdint.h>

struct pgcount;

/* Starts counting with sql (one row, one column) on a new connection
 * made with like's parameters. NULL when it cannot start: count on like
 * then. */
struct pgcount *pgcount_start(PGconn *like, const char *sql);
/* 1 with *n once the count is in, 0 while it runs, -1 when it failed
 * (count on the caller's connection then). Never waits. */
int pgcount_poll(struct pgcount *c, int64_t *n);
/* Waits for the count: 1 with *n, or -1 when it failed. */
int pgcount_wait(struct pgcount *c, int64_t *n);
/* Cancels a count still running, waits for its thread, frees. */
void pgcount_free(struct pgcount *c);

#endif
