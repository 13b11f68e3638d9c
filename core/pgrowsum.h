/* pgrowsum.h — the range checksum when PostgreSQL is on both sides. Each
 * row's 64-bit hash is the XOR of one hash per value, each seeded by the
 * value's position (so values swapped between columns hash apart) and
 * computed by PostgreSQL's own hash function for the value's type
 * (hashtextextended, hash_numeric_extended, jsonb_hash_extended, …): on
 * the stored form, with no text written or parsed, about half what
 * writing the row as text costs. Each value is normalised only where the
 * two sides' types make it needed: integers as bigint, a numeric's scale
 * left out (its hash ignores it: 1.10 = 1.1), json read as jsonb (key
 * order, spacing), timestamps as instants (timestamptz read in UTC),
 * text hashed by its bytes (COLLATE "C"), and a pair of types with no
 * common form through pgcompare_canon_sql; NULL hashes as its position.
 * A range's checksum is the sum of its rows' hashes mod 2^64: the XOR
 * inside a row and the sum across rows keep it from being linear, so
 * values exchanged between rows of one range change it.
 *
 * The form may be finer than meaning (two values equal by meaning may
 * hash apart: their row is then fetched and compared by canon.h, which
 * decides), never coarser: values that hash alike are equal. The typed
 * hashes are used when both servers give the same answers on a probe of
 * every function (same algorithms, same byte order), else the MD5 of the
 * text of ROW(v1, v2, …) (every field quoted and escaped as needed, NULL
 * as nothing, so the text is unambiguous), its first 8 bytes. */
#ifndef CUTOVER_PGROWSUM_H
#define CUTOVER_PGROWSUM_H

#include <libpq-fe.h>

#include "canon.h"
#include "error.h"

/* Appends one row's hash, a bigint expression, for one side: x[i] its n
 * value expressions, oid[i] their types, other[i] the other side's;
 * typed: the types' hash functions (pgrowsum_probe), else MD5. */
void pgrowsum_row(struct cbuf *b, const char *const *x, const unsigned *oid,
                  const unsigned *other, size_t n, int typed);

/* Appends "count(*), <the sum of pgrowsum_row mod 2^64, as text>". */
void pgrowsum_sql(struct cbuf *b, const char *const *x, const unsigned *oid,
                  const unsigned *other, size_t n, int typed);

/* *typed = 1 when both servers compute every typed hash alike. */
int pgrowsum_probe(PGconn *a, PGconn *b, int *typed, struct error *err);

#endif
