/* pgcopy.h — COPY streams for the backfill (text, or binary: pgbinary.h): a stream from one
 * PostgreSQL session's COPY … TO STDOUT into another's COPY … FROM STDIN,
 * counting its rows and keeping the last one; a field of such a row read
 * back as the value's text; an SQLite value written as such a field. */
#ifndef CUTOVER_PGCOPY_H
#define CUTOVER_PGCOPY_H

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdint.h>

#include "canon.h"
#include "error.h"
#include "pgbinary.h"

/* A stream's outcome: its rows and its last row (malloc'd, NULL when it
 * had none; free with pgcopy_done). */
struct pgcopy {
    struct pgbinary *binary;   /* set by the caller: the binary format, or NULL */
    const char *then;          /* set by the caller: a query sent on `from` once its
                                * stream is out, its result left for the caller, or NULL */
    int then_sent;             /* … it was sent */
    int64_t rows;
    char *last;
    int last_n;
};

/* Streams from's out_sql (COPY … TO STDOUT) into to's in_sql (COPY …
 * FROM STDIN). 0; 2 when `to` refused a row as a duplicate key (SQLSTATE
 * 23505: the caller may retry otherwise); -1 with err on any other
 * failure. */
int pgcopy_pipe(PGconn *from, PGconn *to, const char *out_sql, const char *in_sql,
                struct pgcopy *c, struct error *err);
void pgcopy_done(struct pgcopy *c);

/* Field `index` (from 0) of a text-format row as the value's own text
 * (escapes undone); malloc'd, NULL when the row has no such field, the
 * field is NULL (\N) or memory runs out. */
char *pgcopy_field(const char *row, int n, int index);

/* Appends column i of st's current row as a text-format field. */
void pgcopy_sqlite_value(struct cbuf *o, sqlite3_stmt *st, int i);

#endif
