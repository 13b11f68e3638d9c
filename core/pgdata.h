/* pgdata.h — what the data engine needs of PostgreSQL: a connection for
 * data work (TimeZone and DateStyle pinned, so that text forms of times
 * are the same on every connection), a table's columns and primary key,
 * whether two connections reach one database (then a batch is one
 * INSERT … SELECT), and the canonical text of a value computed inside the
 * server, the same text canon.h gives in C. Errors never repeat the
 * connection string (it may hold a password). */
#ifndef CUTOVER_PGDATA_H
#define CUTOVER_PGDATA_H

#include <libpq-fe.h>

#include "canon.h"
#include "error.h"
#include "runbook.h"
#include "sqlschema.h"

/* Opens the system's PostgreSQL (its connection ${ENV}-expanded); the
 * system must name a `table`. */
int pgdata_open(const struct rb_system *sys, PGconn **out, struct error *err);

/* table's columns in order and its primary key (table as written: it
 * may be schema-qualified, and is resolved by search_path otherwise). */
int pgdata_table(PGconn *pg, const char *table, struct sqltable *t, struct error *err);

/* Runs a statement that returns no rows; -1 with err ("what: message"). */
int pgdata_exec(PGconn *pg, const char *what, const char *sql, struct error *err);

/* Runs sql with n text parameters; the result when it returned rows (or
 * a command's status), NULL with err. The caller PQclear()s it. */
PGresult *pgdata_query(PGconn *pg, const char *what, const char *sql, int n,
                       const char *const *params, struct error *err);

/* A session advisory lock on hashtext('cutover ' || key), tried without
 * waiting: 1 taken, 0 another session holds it, -1 with err. The server
 * lets go of it when the connection closes (kill -9 included). */
int pgdata_try_lock(PGconn *pg, const char *what, const char *key, struct error *err);

/* *same = 1 when a and b are sessions of one database on one server. */
int pgdata_same_database(PGconn *a, PGconn *b, int *same, struct error *err);

/* A JSON scalar's canonical text in SQL (cJSON's printing): a string
 * escaped as JSON (jsonb's text escapes as cJSON does), an integral number within int as an integer, another
 * number as the shortest double, true, false and null as they are; an
 * object or array through pg_temp.cutover_cj. X is a jsonb expression. */
#define PGDATA_JSON_SCALAR(X)                                                               \
    "CASE jsonb_typeof(" X ")"                                                               \
    " WHEN 'number' THEN CASE WHEN (" X "::text)::numeric = trunc((" X "::text)::numeric)"  \
    "  AND abs((" X "::text)::numeric) <= 2147483647"                                       \
    "  THEN trunc((" X "::text)::numeric)::bigint::text ELSE (" X "::text)::float8::text END" \
    " WHEN 'object' THEN pg_temp.cutover_cj(" X ") WHEN 'array' THEN pg_temp.cutover_cj(" X ")" \
    " ELSE " X "::text END"

/* Creates, for this session only (pg_temp), cutover_canon(text): canon.h's
 * canonical form of a value's text; cutover_cj(jsonb): canonical JSON
 * (keys in byte order at every depth, no spacing, numbers as cJSON prints
 * them); cutover_rowsum(text): the 64-bit hash of a row's canonical text,
 * the first 8 bytes of its MD5, as a bigint. */
int pgdata_install_canon(PGconn *pg, struct error *err);

/* The 64-bit row hash in C for the same canonical text (the SQLite side of
 * a comparison against PostgreSQL uses it). */
uint64_t pgdata_rowhash(const char *s, size_t n);

#endif
