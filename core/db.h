/* db.h — the stores the cockpit reads: PostgreSQL (libpq) and SQLite,
 * behind one small interface. Only what signals need so far: connect and
 * read one number; the data engine (backfill, compare) extends it. Never
 * called on the screen's thread. */
#ifndef CUTOVER_DB_H
#define CUTOVER_DB_H

#include "error.h"

struct db;

/* kind: "postgres" or "sqlite"; conn: a libpq connection string or a
 * file path, already ${ENV}-expanded. Error messages never repeat conn
 * (it may hold a password). */
int db_open(const char *kind, const char *conn, struct db **out, struct error *err);
void db_close(struct db *db);

/* Runs sql and reads the first column of the first row as a number.
 * Returns 1 with *value, 0 when there is no row or it is NULL, -1 on an
 * error (err) — including a query that runs past timeout_ms. */
int db_query_number(struct db *db, const char *sql, long timeout_ms, double *value,
                    struct error *err);

#endif
