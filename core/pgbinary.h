/* pgbinary.h — COPY's binary format for the backfill across databases.
 * When every mapped column of old comes out with the type new's column
 * has (a built-in type, the same OID), the rows travel in binary: nothing
 * is printed as text by old and parsed back by new. One conversion is
 * made on the way: json or text into a jsonb column (jsonb's binary form
 * is a version byte, 1, before the text, which new parses as it would
 * the text). The key of a batch's last row is read off the binary row
 * for the key types it knows (int2, int4, int8, text, varchar, uuid);
 * any other key type, or any other type difference, keeps the text
 * format. */
#ifndef CUTOVER_PGBINARY_H
#define CUTOVER_PGBINARY_H

#include <libpq-fe.h>
#include <stddef.h>

#include "error.h"

#define PGBINARY_MAX_COLS 256

struct pgbinary {
    int on;                             /* 0: the text format */
    size_t n_cols;
    unsigned char to_jsonb[PGBINARY_MAX_COLS];   /* column gets the version byte */
    unsigned key_oid[PGBINARY_MAX_COLS];         /* each column's type (for keys) */
    int seen_header;                    /* the stream's header was passed */
};

/* Decides the format from a zero-row run of old's mapped SELECT and of
 * new's column list (each `… LIMIT 0`), keys[] the key columns' places.
 * 0 (b->on says which format), or -1 with err when a probe failed. */
int pgbinary_plan(struct pgbinary *b, PGconn *old, const char *old_sql, PGconn *new_,
                  const char *new_sql, const size_t *keys, size_t n_key, struct error *err);

/* One CopyData message of old's binary stream, as new must get it, into
 * *out (malloc'd, or msg itself when nothing changes; *out_n its length):
 * 1 when it holds a row, 0 when only the header or the trailer, -1 when
 * it cannot be read or memory runs out. */
int pgbinary_message(struct pgbinary *b, const char *msg, int n, char **out, int *out_n);

/* Field `index` of a row message (as old sent it) as the value's text;
 * malloc'd, NULL when NULL, absent or of a type not known here. */
char *pgbinary_field(const struct pgbinary *b, const char *msg, int n, int index);

#endif
