/* pgrowsum.h — the range checksum when PostgreSQL is on both sides: each
 * row hashed as the text of ROW(v1, v2, …), which PostgreSQL writes with
 * every field quoted and escaped as needed and NULL as nothing, so the
 * text is unambiguous and costs what `t::text` costs. Each value is
 * normalised only where the two sides' types make it needed: numeric
 * scale dropped (1.10 = 1.1), json read as jsonb (key order, spacing),
 * timestamp read as timestamptz (the session is in UTC), and a pair of
 * types with no cheaper common form through pgcompare_canon_sql.
 *
 * The form may be finer than meaning (two values equal by meaning may
 * hash apart: their range is then fetched and compared by canon.h, which
 * decides), never coarser: values that hash alike are equal. The hash is
 * PostgreSQL's hashtextextended when both servers give the same answer
 * on a probe (same algorithm, same byte order), else MD5's first 8 bytes. */
#ifndef CUTOVER_PGROWSUM_H
#define CUTOVER_PGROWSUM_H

#include <libpq-fe.h>

#include "canon.h"
#include "error.h"

/* Appends "count(*), <sum mod 2^64 as text>" for one side: x[i] its n
 * value expressions, oid[i] their types, other[i] the other side's. */
void pgrowsum_sql(struct cbuf *b, const char *const *x, const unsigned *oid,
                  const unsigned *other, size_t n, int hashtext);

/* *same = 1 when both servers compute hashtextextended alike. */
int pgrowsum_probe(PGconn *a, PGconn *b, int *same, struct error *err);

#endif
