/* pgtolite.h — backfill.h's batches from a PostgreSQL old into an SQLite
 * new: a keyset batch read from old through the mapping (the expressions
 * are PostgreSQL's), then upserted row by row into new with one prepared
 * statement, the checkpoint (cutover_backfill, as backfill.c keeps it) in
 * the same SQLite transaction. Called by backfill.c only. */
#ifndef CUTOVER_PGTOLITE_H
#define CUTOVER_PGTOLITE_H

#include <stdint.h>

#include "backfill.h"

struct pgtolite;

int pgtolite_open(struct pgtolite **out, struct datajob *j, struct backfill_progress *p,
                  struct error *err);
int pgtolite_batch(struct pgtolite *b, long limit, int64_t now_ms, struct error *err);
int pgtolite_reset(struct pgtolite *b, struct error *err);
void pgtolite_free(struct pgtolite *b);

#endif
