/* pgbackfill.h — backfill.h's batches when new is PostgreSQL. From a
 * PostgreSQL old, the batch's last key is found first (a walk of old's key
 * index); in one database the key range is then one INSERT … SELECT … ON
 * CONFLICT (the rows never leave the server); across servers it is
 * streamed from old's COPY (SELECT …) TO STDOUT by COPY straight into
 * new's table when new holds nothing in the range, else into a temporary
 * staging table, then upserted from it. From an SQLite
 * old, the keyset batch is read there and written into the same COPY. The
 * checkpoint (cutover_backfill in new) is written in the same transaction
 * as the batch. Called by backfill.c only. */
#ifndef CUTOVER_PGBACKFILL_H
#define CUTOVER_PGBACKFILL_H

#include <stdint.h>

#include "backfill.h"

struct pgbf;

/* Creates the checkpoint table if needed and reads the job's checkpoint
 * and old's row count into p (p->job already named). */
int pgbf_open(struct pgbf **out, struct datajob *j, struct backfill_progress *p,
              struct error *err);
int pgbf_batch(struct pgbf *b, long limit, int64_t now_ms, struct error *err);
int pgbf_reset(struct pgbf *b, struct error *err);
void pgbf_free(struct pgbf *b);
/* 1 when old and new are one database (INSERT … SELECT), 0 across servers. */
int pgbf_same_database(const struct pgbf *b);

#endif
