/* pgbackfill.h — backfill.h's batches when new is PostgreSQL. From a
 * PostgreSQL old a batch is optimistic: new's first key after the cursor
 * is looked up (with the BEGIN, one round trip), and the batch's rows
 * before it go straight into new's table in key order — in one database
 * by one INSERT … SELECT … ORDER BY K LIMIT n (the rows never leave the
 * server; count and last key by RETURNING), across servers streamed from
 * old's COPY (SELECT …) TO STDOUT into new's COPY (count and last key
 * read off the stream). The rest of the batch, from new's key on, has
 * its range found first (a walk of old's key index) and is upserted: one
 * INSERT … SELECT … ON CONFLICT, or COPY into a temporary staging table
 * then the upsert. A straight copy that meets a row dual-write committed
 * meanwhile (a duplicate key) is rolled back and the batch upserted.
 * From an SQLite old, the keyset batch is read there and written into
 * the staging table's COPY. The checkpoint (cutover_backfill in new) is
 * written in the same transaction as the batch, with its COMMIT. Called
 * by backfill.c only. */
#ifndef CUTOVER_PGBACKFILL_H
#define CUTOVER_PGBACKFILL_H

#include <stdint.h>

#include "backfill.h"

struct pgbf;

/* Creates the checkpoint table if needed and reads the job's checkpoint
 * and old's row count into p (p->job already named). When batches are
 * streamed, old's rows are counted instead a slice at a time behind each
 * batch's stream, on old's own session while new takes the batch in:
 * p->counting until the total is in, at the latest with the last batch. */
int pgbf_open(struct pgbf **out, struct datajob *j, struct backfill_progress *p,
              struct error *err);
int pgbf_batch(struct pgbf *b, long limit, int64_t now_ms, struct error *err);
int pgbf_reset(struct pgbf *b, struct error *err);
void pgbf_free(struct pgbf *b);
/* 1 when old and new are one database (INSERT … SELECT), 0 across servers. */
int pgbf_same_database(const struct pgbf *b);
/* 1 when the rows travel in COPY's binary format (across databases,
 * the mapped types new's own: pgbinary.h). */
int pgbf_binary(const struct pgbf *b);

#endif
