/* pgcompare.h — compare.h's comparison when PostgreSQL is on either side
 * (PostgreSQL ↔ PostgreSQL, on one server or two, and PostgreSQL ↔
 * SQLite). Each side computes its ranges' checksums itself: the sum mod
 * 2^64 of a 64-bit hash (the first 8 bytes of MD5) of each mapped row's
 * canonical text — canon.h's forms of its compared values, each ended by
 * U+001F. PostgreSQL builds that text in SQL (pgdata.h's session-local
 * functions, TimeZone and DateStyle pinned), SQLite in C (a function
 * registered on the connection), so equal rows hash alike on both.
 * Ranges that differ are split again until small, then both sides' rows
 * are merged by key and compared column by column through canon.h. */
#ifndef CUTOVER_PGCOMPARE_H
#define CUTOVER_PGCOMPARE_H

#include "compare.h"

/* Appends the SQL that gives, in a session where pgdata_install_canon ran,
 * the canonical text (canon.h) of expression x of PostgreSQL type oid:
 * for equal values the same bytes as canon_append gives in C for the text
 * the server writes for x (an integer's or boolean's as a number). */
void pgcompare_canon_sql(struct cbuf *b, const char *x, unsigned oid);

int pgcompare_run(struct datajob *j, compare_fn fn, void *ctx, struct compare_result *r,
                  struct error *err);

#endif
