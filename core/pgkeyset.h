/* pgkeyset.h — the SQL a PostgreSQL backfill writes about a job's key:
 * keyset ranges (K > lo AND K < hi), the key as the checkpoint keeps it
 * (text), the walk of old's key index to the key n rows on, and key
 * order backwards. Shared by the batches (pgbackfill.c) and the count
 * behind them (pgtally.c). Keys are arrays of MAP_MAX_KEY strings, one
 * per key column, as text. */
#ifndef CUTOVER_PGKEYSET_H
#define CUTOVER_PGKEYSET_H

#include <libpq-fe.h>

#include "canon.h"
#include "datajob.h"

/* " WHERE (K) > (lo…) AND (K) hi_op (hi…)" over `side`'s key columns
 * (0 old, 1 new), either bound left out when NULL: with literals quoted
 * by `lits` (COPY takes no parameters), else as $n parameters appended
 * to prm[*np]. */
void pgkeyset_range(const struct datajob *j, int side, PGconn *lits, char **lo, char **hi,
                    const char *hi_op, const char **prm, int *np, struct cbuf *q);

/* "(K)::text AS cutover_k0, …" over `side`'s key columns: a key as the
 * checkpoint keeps it. Renamed, so that ORDER BY K sorts by the column,
 * not by the text. */
void pgkeyset_text(const struct datajob *j, int side, struct cbuf *q);

/* " ORDER BY K1 DESC, …" over the key's new names (side 1: new's columns,
 * or a mapped row's outputs) or old's (side 0): the last key first. */
void pgkeyset_desc(const struct datajob *j, int side, struct cbuf *q);

/* SELECT the key `n` rows after lo (NULL: from the start) in old, as text:
 * a walk of old's key index in a subquery, so that only the key it stops
 * at is turned into text (the cast inside the walk cost three times as
 * much). lo's values go in as literals through `lits`, or as parameters
 * into prm (np counts them). */
void pgkeyset_after(const struct datajob *j, PGconn *lits, char **lo, long n, const char **prm,
                    int *np, struct cbuf *q);

/* Frees a key's strings and empties it. */
void pgkeyset_free(char **key);

#endif
