/* pgcompare.h — the comparison engine (compare.h) for every pair of
 * stores: PostgreSQL ↔ PostgreSQL (one server or two), PostgreSQL ↔
 * SQLite, SQLite ↔ SQLite. Each side computes its ranges' checksums
 * itself: the sum mod 2^64 of a 64-bit hash of each mapped row's
 * canonical text. Between two SQLite files that is rowhash's FNV over
 * canon.h's forms; against PostgreSQL, the first 8 bytes of the MD5 of
 * canon.h's forms each ended by U+001F, which PostgreSQL builds in SQL
 * (pgdata.h's session-local functions, TimeZone and DateStyle pinned)
 * and SQLite in C (a function registered on the connection), so equal
 * rows hash alike on both. Ranges that differ are split again until
 * small, then both sides' rows are merged by key and compared column by
 * column through canon.h. */
#ifndef CUTOVER_PGCOMPARE_H
#define CUTOVER_PGCOMPARE_H

#include <libpq-fe.h>

#include "compare.h"

/* Appends the SQL that gives, in a session where pgdata_install_canon ran,
 * the canonical text (canon.h) of expression x of PostgreSQL type oid:
 * for equal values the same bytes as canon_append gives in C for the text
 * the server writes for x (an integer's or boolean's as a number). */
void pgcompare_canon_sql(struct cbuf *b, const char *x, unsigned oid);

/* A PostgreSQL result's value as compare reads it (text owned by the
 * caller, freed with free()): integers as integers, floats as doubles,
 * bytea as a blob of its bytes, the rest as the text the server wrote. */
struct cval pgcompare_cval(PGresult *r, int row, int col, unsigned oid);

int pgcompare_run(struct datajob *j, const struct compare_opts *o, struct compare_result *r,
                  struct error *err);

#endif
