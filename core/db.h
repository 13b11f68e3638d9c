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

/* Runs one statement (an UPDATE, say) with $1 bound to param, a number
 * written in text (SQLite binds it as a number, PostgreSQL infers its
 * type). Returns the number of rows it changed, or -1 with err —
 * including a statement that runs past timeout_ms. */
long db_exec_param(struct db *db, const char *sql, const char *param, long timeout_ms,
                   struct error *err);

/* 0 once the connection was given up on (a statement that outlived its
 * timeout, a lost server) or interrupted: close it and open another. */
int db_usable(const struct db *db);

/* Ends the statement running on db now, from any thread, and every later
 * one: for shutting down without waiting on a stuck statement. */
void db_interrupt(struct db *db);

#endif
